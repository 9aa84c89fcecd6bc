#!/usr/bin/env bash
# The whole test suite: unit tests, host integration tests in network namespaces, and
# kernel tests inside User-Mode Linux. Installs what it needs first. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the tests create network namespaces and boot User-Mode Linux" >&2; exit 1; }
./scripts/install-deps.sh
echo "== build (warnings are errors)"
log=$(mktemp)
swift build --build-tests 2>&1 | tee "$log" | grep -E "error|warning:" || true
if grep -q "warning:" "$log"; then echo "the build has warnings" >&2; exit 1; fi
echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Tests
echo "== swift test"
rm -f "$log"
# Started-lines are noise; results, failures and the closing summary stay.
set +e
swift test --skip-build 2>&1 | grep --line-buffered -avE "^(◇|↳) "
status=${PIPESTATUS[0]}
set -e
leftover=$(ip netns list | grep -c '^rudder-' || true)
if [ "$leftover" != 0 ]; then echo "tests left $leftover network namespaces behind" >&2; exit 1; fi
if pgrep -x linux.uml >/dev/null || pgrep -f 'linux.uml' >/dev/null; then echo "tests left User-Mode Linux running" >&2; exit 1; fi
exit "$status"
