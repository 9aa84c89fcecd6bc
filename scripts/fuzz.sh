#!/usr/bin/env bash
# Builds the decoder fuzzers (libFuzzer + AddressSanitizer, from the Swift toolchain) and runs
# each for a fifth of SECONDS (default 60): the netlink fuzzer (messages, attributes, routes,
# links, addresses), the IPVS fuzzer (service, real-server and timeout replies), the
# Kubernetes JSON fuzzer (LISTs and watch events of every resource the agent reads) and the BGP
# fuzzer (every message type, 2- and 4-octet AS, re-encoded and compared) and the hsperfdata
# fuzzer (the perf-data file a JVM writes, and the figures read from it). A crash
# leaves its input in .build-fuzz/ and makes the script fail, once all fuzzers have run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
half=$(((seconds + 4) / 5))
out=.build-fuzz
mkdir -p "$out/corpus" "$out/ipvs-corpus" "$out/kubernetes-corpus" "$out/bgp-corpus" \
    "$out/hsperfdata-corpus"
netlink=(-I Sources/CNetlink -Xcc -I/usr/include/libnl3)
libnl=(-lnl-3 -lnl-route-3 -lnl-genl-3)
quiet() { grep -v "gold: warning: Cannot export local symbol" || true; }

rm -rf "$out/modules"
rm -f "$out/netlink-fuzzer" "$out/ipvs-fuzzer" "$out/kubernetes-fuzzer" "$out/bgp-fuzzer" "$out/hsperfdata-fuzzer"
mkdir -p "$out/modules"
# Every fuzzer builds whole package targets, each a module of its own (a static library,
# instrumented alike), and names no file: a target is what the package builds, so a file added to
# one is fuzzed with it. sources TARGET lists a target's files, in its topic folders.
sources() { find "Sources/$1" -name '*.swift' | sort; }
module() {
    local name=$1; shift
    swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -enable-testing -package-name rudder -module-name "$name" "$@" \
        -I "$out/modules" -emit-module -emit-module-path "$out/modules/$name.swiftmodule" -emit-library -static \
        $(sources "$name") -o "$out/modules/lib$name.a" 2>&1 | quiet
    [ -f "$out/modules/lib$name.a" ] || { echo "module $name failed to build" >&2; exit 1; }
}
# fuzzer NAME FILE TARGET...: links the fuzzer FILE against the targets' libraries.
fuzzer() {
    local name=$1 file=$2; shift 2
    local libraries=()
    for target in "$@"; do libraries+=("$out/modules/lib$target.a"); done
    swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name rudder -module-name "${name//-/_}" "${netlink[@]}" \
        -I "$out/modules" "$file" "${libraries[@]}" "${libnl[@]}" -o "$out/$name" 2>&1 | quiet
    [ -x "$out/$name" ] || { echo "$name build failed" >&2; exit 1; }
}
# The address vocabulary; netlink (messages, attributes, routes, links, addresses); the IPVS
# kernel vocabulary, codec and client; the Kubernetes model and its JSON decoder; the BGP
# protocol (codec, session, RIB, policy; the speaker's sockets are BGPSpeaker); the hsperfdata
# decoder. None of them needs swift-log, SwiftNIO, Yams or libcurl.
module Addresses
module Netlink "${netlink[@]}"
module IPVS "${netlink[@]}"
module KubernetesModel
module BGP
module HSPerfData
fuzzer netlink-fuzzer Fuzz/NetlinkFuzzer.swift Netlink Addresses
fuzzer ipvs-fuzzer Fuzz/IPVSFuzzer.swift IPVS Netlink Addresses
fuzzer kubernetes-fuzzer Fuzz/KubernetesJSONFuzzer.swift KubernetesModel
fuzzer bgp-fuzzer Fuzz/BGPMessageFuzzer.swift BGP Addresses
fuzzer hsperfdata-fuzzer Fuzz/HSPerfDataFuzzer.swift HSPerfData

# Seeds: the kubectl-shaped fixtures, as objects, as a LIST and as a watch event.
for fixture in Tests/TestAPIServer/fixtures/*.json; do
    name=$(basename "$fixture" .json)
    cp "$fixture" "$out/kubernetes-corpus/$name"
    { printf '{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":['
      cat "$fixture"; printf ']}'; } > "$out/kubernetes-corpus/$name-list"
    { printf '{"type":"MODIFIED","object":'; cat "$fixture"; printf '}'; } > "$out/kubernetes-corpus/$name-event"
done

# Seeds: an OPEN as BIRD sends it (multiprotocol, route refresh, graceful restart, 4-octet AS,
# enhanced route refresh), UPDATEs with every attribute, with IPv6 in MP_REACH_NLRI and with a
# 2-octet path plus AS4_PATH, a KEEPALIVE, and all of them in one stream with an IPv6 End-of-RIB.
while read -r name seed; do base64 -d > "$out/bgp-corpus/$name" <<<"$seed"; done <<'SEEDS'
open /////////////////////wA9AQT96QBaCgAAASACHgEEAAEAAQEEAAIAAQIAQAaAeAABAYBBBAAA/elGAA==
update-ipv4 /////////////////////wCRAgAEGMCoAQBvQAEBAEACDgIDAAD96QAA/er6VuoBQAMECgAAAYAEBAAAAGRABQQAAADIQAYAwAcIAAD96QoAAAHACAj96QBk////AYAJBAoAAAKACggKAAADCgAABMAQCAAC/ekAAAABwCAM+lbqAQAAAAEAAAACGAoBABAKAg==
update-ipv6 /////////////////////wBVAgAAAD6ADi4AAgEgIAENuAAAAAAAAAAAAAAAAf6AAAAAAAAAAAAAAAAAAAEAQCABDbgAAQAAQAEBAEACBgIBAAD96Q==
update-as4 /////////////////////wBSAgAAADdAAQEAQAIIAgP96VugW6BAAwQKAAABwAcGW6AKAAABwBEKAgL6VuoB+lbqAsASCPpW6gEKAAABGAoBAA==
keepalive /////////////////////wATBA==
session /////////////////////wA9AQT96QBaCgAAASACHgEEAAEAAQEEAAIAAQIAQAaAeAABAYBBBAAA/elGAP////////////////////8AEwT/////////////////////AJECAAQYwKgBAG9AAQEAQAIOAgMAAP3pAAD96vpW6gFAAwQKAAABgAQEAAAAZEAFBAAAAMhABgDABwgAAP3pCgAAAcAICP3pAGT///8BgAkECgAAAoAKCAoAAAMKAAAEwBAIAAL96QAAAAHAIAz6VuoBAAAAAQAAAAIYCgEAEAoC/////////////////////wBVAgAAAD6ADi4AAgEgIAENuAAAAAAAAAAAAAAAAf6AAAAAAAAAAAAAAAAAAAEAQCABDbgAAQAAQAEBAEACBgIBAAD96f////////////////////8AHQIAAAAGgA8DAAIB
SEEDS

# Seed the corpora with real kernel messages: the encoder's own route request, and IPVS replies
# laid out as the kernel's ip_vs_genl_fill_* functions write them (statistics with PAD attributes).
printf '\x24\x00\x00\x00\x18\x00\x01\x06\x00\x00\x00\x00\x00\x00\x00\x00\x02\x18\x00\x00\xfe\x2c\x00\x01\x00\x00\x00\x00\x08\x00\x01\x00\x0a\xf4\x01\x00' > "$out/corpus/route-v4"
base64 -d > "$out/ipvs-corpus/service" <<'SEED'
cAEAABwAAgABAAAAAAAAAAEBAABcAQEABgABAAIAAAAGAAIABgAAABQAAwAKYAAKAAAAAAAAAAAAAAAABgAEAAA1AAAHAAYA
cnIAAAwABwADAAAA/////wgACAAsAQAACAAJAP///wBkAAoACAABAAEAAAAIAAIAAgAAAAgAAwADAAAABAALAAwABAAEAAAA
AAAAAAQACwAMAAUABQAAAAAAAAAIAAYABgAAAAgABwAHAAAACAAIAAgAAAAIAAkACQAAAAgACgAKAAAApAAMAAQACwAMAAEA
AQAAAAAAAAAEAAsADAACAAIAAAAAAAAABAALAAwAAwADAAAAAAAAAAQACwAMAAQABAAAAAAAAAAEAAsADAAFAAUAAAAAAAAA
BAALAAwABgAGAAAAAAAAAAQACwAMAAcABwAAAAAAAAAEAAsADAAIAAgAAAAAAAAABAALAAwACQAJAAAAAAAAAAQACwAMAAoA
CgAAAAAAAAA=
SEED
base64 -d > "$out/ipvs-corpus/destination" <<'SEED'
lAEAABwAAgABAAAAAAAAAAUBAACAAQIAFAABAAoAAAEAAAAAAAAAAAAAAAAGAAIAADUAAAgAAwAAAAAACAAEAAEAAAAFAA0A
AAAAAAYADgAAAAAABgAPAAAAAAAIAAUAAAAAAAgABgAAAAAACAAHAAEAAAAIAAgAAgAAAAgACQAAAAAABgALAAIAAABkAAoA
CAABAAEAAAAIAAIAAgAAAAgAAwADAAAABAALAAwABAAEAAAAAAAAAAQACwAMAAUABQAAAAAAAAAIAAYABgAAAAgABwAHAAAA
CAAIAAgAAAAIAAkACQAAAAgACgAKAAAApAAMAAQACwAMAAEAAQAAAAAAAAAEAAsADAACAAIAAAAAAAAABAALAAwAAwADAAAA
AAAAAAQACwAMAAQABAAAAAAAAAAEAAsADAAFAAUAAAAAAAAABAALAAwABgAGAAAAAAAAAAQACwAMAAcABwAAAAAAAAAEAAsA
DAAIAAgAAAAAAAAABAALAAwACQAJAAAAAAAAAAQACwAMAAoACgAAAAAAAAA=
SEED
base64 -d > "$out/ipvs-corpus/timeouts" <<<'LAAAABwAAgABAAAAAAAAAAwBAAAIAAQAhAMAAAgABQB4AAAACAAGACwBAAA='

# Seeds: the perf-data files of real JVMs (Serial, Parallel, G1), each copied once it has its
# counters and then stopped. Without java the fuzzer starts from nothing.
if command -v java > /dev/null && command -v javac > /dev/null; then
    printf 'public class Idle { public static void main(String[] a) throws Exception { Thread.sleep(60000); } }\n' \
        > "$out/Idle.java"
    javac -d "$out" "$out/Idle.java"
    for gc in Serial Parallel G1; do
        java -Xmx64m -XX:+Use${gc}GC -cp "$out" Idle & jvm=$!
        for _ in $(seq 100); do
            file=$(ls /tmp/hsperfdata_*/"$jvm" 2> /dev/null || true)
            [ -n "$file" ] && [ "$(stat -c %s "$file")" -gt 0 ] && break
            sleep 0.1
        done
        sleep 0.5
        [ -n "$file" ] && cp "$file" "$out/hsperfdata-corpus/$gc"
        kill "$jvm"; wait "$jvm" 2> /dev/null || true
    done
fi

# Swift's own crash backtracer trips AddressSanitizer; let libFuzzer report the crash.
fuzz() {
    echo "== $1 fuzzer, ${half}s"
    SWIFT_BACKTRACE=enable=no "$2" -max_total_time="$half" -max_len="${5:-4096}" -artifact_prefix="$4" "$3" 2>&1 | tail -4
}
status=0
fuzz netlink "$out/netlink-fuzzer" "$out/corpus" "$out/" || status=1
fuzz IPVS "$out/ipvs-fuzzer" "$out/ipvs-corpus" "$out/ipvs-" || status=1
fuzz "Kubernetes JSON" "$out/kubernetes-fuzzer" "$out/kubernetes-corpus" "$out/kubernetes-" 16384 || status=1
fuzz BGP "$out/bgp-fuzzer" "$out/bgp-corpus" "$out/bgp-" || status=1
fuzz hsperfdata "$out/hsperfdata-fuzzer" "$out/hsperfdata-corpus" "$out/hsperfdata-" 40000 || status=1
exit "$status"
