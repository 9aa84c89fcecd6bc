#!/usr/bin/env bash
# The whole test suite: unit tests, host integration tests in network namespaces, and
# kernel tests inside User-Mode Linux. Installs what it needs first. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the tests create network namespaces and boot User-Mode Linux" >&2; exit 1; }
./scripts/install-deps.sh
echo "== build (warnings are errors)"
log=$(mktemp)
if ! swift build --build-tests > "$log" 2>&1; then cat "$log"; echo "the build failed" >&2; exit 1; fi
if grep -q "warning:" "$log"; then grep -A3 "warning:" "$log"; echo "the build has warnings" >&2; exit 1; fi
# The demo and the benchmarks build for release; the optimizer has crashed on code the debug
# build took (Swift 6.3.1), so the release build is part of the test.
echo "== release build"
if ! swift build -c release > "$log" 2>&1; then cat "$log"; echo "the release build failed" >&2; exit 1; fi
if grep -q "warning:" "$log"; then grep -A3 "warning:" "$log"; echo "the release build has warnings" >&2; exit 1; fi
# The image the DaemonSet runs, as an operator builds it (ImageTests checks what is inside).
echo "== make image"
./scripts/image.sh
echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Tests Fuzz
echo "== fuzz the decoders: netlink, IPVS, Kubernetes JSON, BGP, hsperfdata (60 s)"
./scripts/fuzz.sh 60
echo "== swift test"
namespaces_before=$(ip netns list | awk '{print $1}' | sort)
guests_before=$(pgrep -f linux.uml | sort || true)
servers_before=$(pgrep -f kube-apiserver-double | sort || true)
routers_before=$(pgrep -f rudder-bgplab- | sort || true)
prometheus_before=$(pgrep -x prometheus | sort || true)
rm -f "$log"
# Started-lines are noise; results, failures and the closing summary stay.
set +e
swift test --skip-build 2>&1 | grep --line-buffered -avE "^(◇|↳) "
status=${PIPESTATUS[0]}
set -e
leftover=$(comm -13 <(echo "$namespaces_before") <(ip netns list | awk '{print $1}' | sort))
if [ -n "$leftover" ]; then echo "tests left network namespaces behind: $leftover" >&2; exit 1; fi
guests_left=$(comm -13 <(echo "$guests_before") <(pgrep -f linux.uml | sort || true))
if [ -n "$guests_left" ]; then echo "tests left User-Mode Linux running: $guests_left" >&2; exit 1; fi
servers_left=$(comm -13 <(echo "$servers_before") <(pgrep -f kube-apiserver-double | sort || true))
if [ -n "$servers_left" ]; then echo "tests left test API servers running: $servers_left" >&2; exit 1; fi
# BGP lab daemons (bird, gobgpd, bgpd, zebra) carry their lab directory, /tmp/rudder-bgplab-*, on their command line.
routers_left=$(comm -13 <(echo "$routers_before") <(pgrep -f rudder-bgplab- | sort || true))
if [ -n "$routers_left" ]; then echo "tests left BGP lab routers running: $routers_left" >&2; exit 1; fi
prometheus_left=$(comm -13 <(echo "$prometheus_before") <(pgrep -x prometheus | sort || true))
if [ -n "$prometheus_left" ]; then echo "tests left Prometheus running: $prometheus_left" >&2; exit 1; fi
exit "$status"
