#!/usr/bin/env bash
# make image: builds the Rudder container image from packaging/Containerfile with podman, on a
# machine with or without a container registry.
#
#   1. rudder, release, with the Swift standard library and Foundation linked statically
#      (--static-swift-stdlib) in a build folder of its own, stripped into packaging/image/.
#   2. The base, docker.io/library/debian:bookworm-slim: already in podman's store, else pulled,
#      else made from Debian's packages with mmdebstrap (this machine's own apt sources, the
#      slim variant's dpkg excludes) and imported under the same name.
#   3. podman build with runc (crun refuses these machines' hybrid cgroups) and the host's
#      network, tagged localhost/rudder:VERSION (IMAGE overrides it).
#
# Prints the image's reference and size at the end. Needs root and Swift on PATH; installs
# podman, runc and mmdebstrap from Debian when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
base=docker.io/library/debian:bookworm-slim
version=$(sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/Agent/RudderVersion.swift)
revision=$(git rev-parse HEAD 2> /dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
source=${IMAGE_SOURCE:-$(git config --get remote.origin.url || echo unknown)}
image=${IMAGE:-localhost/rudder:$version}
podman=(podman --runtime runc)
# podman asks the runtime for more open files and processes than these machines allow, and runc
# then fails with "error setting rlimits ... operation not permitted". Open files: this shell's
# hard limit. Processes: at most 32768; above it runc failed the same way here although the
# hard limit was 96367 (seen 2026-12-07; the cause was not found).
nproc=$(ulimit -Hu)
[ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc")

missing=()
for tool in podman runc mmdebstrap; do command -v "$tool" > /dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        podman runc mmdebstrap uidmap containernetworking-plugins > /dev/null
fi

echo "== rudder $version (${revision:0:12}), release, standard library linked statically"
# The commit and build date the binary reports (rudder version, rudder_build_info), in a header
# only this build sees: it is removed again whatever happens.
info=Sources/CBuildInfo/build_info_values.h
printf '#define RUDDER_REVISION "%s"\n#define RUDDER_BUILD_DATE "%s"\n' "$revision" "$created" > "$info"
trap 'rm -f "$info"' EXIT
# The static Foundation's own object files make the linker warn about its use of mktemp; that
# one line is the toolchain's, not Rudder's, and is left out.
swift build -c release --product rudder --static-swift-stdlib --scratch-path .build-image 2>&1 |
    grep -E "error|warning:|Compiling rudder|Build complete" | grep -v "the use of .mktemp. is dangerous" || true
rm -f "$info"
binary=.build-image/release/rudder
[ -x "$binary" ] || { echo "the release build failed" >&2; exit 1; }
mkdir -p packaging/image
strip -o packaging/image/rudder "$binary"
cp LICENSE packaging/image/LICENSE

if ! "${podman[@]}" image exists "$base"; then
    echo "== base $base"
    if ! timeout 120 "${podman[@]}" pull -q "$base" > /dev/null 2>&1; then
        echo "   no registry: made from Debian's packages with mmdebstrap"
        tarball=$(mktemp --suffix=.tar)
        trap 'rm -f "$tarball" "$info"' EXIT
        # What Debian's own slim image holds: the Essential packages, apt and tzdata, without
        # recommends; /usr merged by mmdebstrap's own hook, not by the usrmerge package, which
        # would bring the whole of perl (50 MB);
        # and the slim excludes (no manuals, no docs but the copyright files, no translations),
        # which stay in dpkg's configuration so that packages installed on top are trimmed alike.
        mmdebstrap --quiet --variant=essential --include=apt,tzdata --components=main \
            --aptopt='APT::Install-Recommends "false"' \
            --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
            --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
            --dpkgopt='path-exclude=/usr/share/info/*' \
            bookworm "$tarball" /etc/apt/sources.list.d/debian.sources
        "${podman[@]}" import --quiet --change 'CMD ["bash"]' "$tarball" "$base" > /dev/null
    fi
fi

echo "== image $image"
# The image this tag named before, removed once the new one has the tag: without that, every
# build leaves the previous one behind untagged (a few hundred MB each). Only that image, and
# only when nothing uses it; no other image is touched.
previous=$("${podman[@]}" image inspect --format '{{.Id}}' "$image" 2> /dev/null || true)
"${podman[@]}" build --quiet --network host "${limits[@]}" --file packaging/Containerfile \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
    --build-arg SOURCE="$source" --tag "$image" packaging > /dev/null
current=$("${podman[@]}" image inspect --format '{{.Id}}' "$image")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    "${podman[@]}" rmi "$previous" > /dev/null 2>&1 || echo "(the previous image ${previous:0:12} is in use; kept)"
fi
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
echo "$image: $((size / 1000000)) MB ($size bytes)"
