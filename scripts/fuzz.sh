#!/usr/bin/env bash
# Builds the netlink decoder fuzzer (libFuzzer + AddressSanitizer, from the Swift toolchain)
# and runs it for SECONDS (default 60). A crash leaves its input in .build-fuzz/ and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -module-name Netlink \
    -I Sources/CNetlink -Xcc -I/usr/include/libnl3 \
    Sources/Netlink/*.swift Fuzz/NetlinkFuzzer.swift \
    -lnl-3 -lnl-route-3 -lnl-genl-3 -o "$out/netlink-fuzzer" 2>&1 | grep -v "gold: warning: Cannot export local symbol" || true
[ -x "$out/netlink-fuzzer" ] || { echo "fuzzer build failed" >&2; exit 1; }
# Seed the corpus with real kernel messages: the encoder's own route requests are valid input.
printf '\x24\x00\x00\x00\x18\x00\x01\x06\x00\x00\x00\x00\x00\x00\x00\x00\x02\x18\x00\x00\xfe\x2c\x00\x01\x00\x00\x00\x00\x08\x00\x01\x00\x0a\xf4\x01\x00' > "$out/corpus/route-v4"
# Swift's own crash backtracer trips AddressSanitizer; let libFuzzer report the crash.
SWIFT_BACKTRACE=enable=no "$out/netlink-fuzzer" -max_total_time="$seconds" -max_len=4096 -artifact_prefix="$out/" "$out/corpus" 2>&1 | tail -4
