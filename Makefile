# One entry point: `make demo` shows Rudder at work, `make test` runs the whole test suite.
.PHONY: demo test build bench bench-all fuzz format image

demo:
	./scripts/demo.sh

test:
	./scripts/test.sh

build:
	swift build

bench:
	swift build -c release --product rudder-bench
	.build/release/rudder-bench routes

# Every benchmark; the IPVS and agent ones boot User-Mode Linux guests and take several minutes each.
bench-all:
	swift build -c release
	.build/release/rudder-bench routes
	.build/release/rudder-bench ipvs
	.build/release/rudder-bench ipvs-update
	.build/release/rudder-bench agent
	.build/release/rudder-bench bgp-ingest
	.build/release/rudder-bench bgp-advertise
	.build/release/rudder-bench scrape
	.build/release/rudder-bench overlay

fuzz:
	./scripts/fuzz.sh 300

format:
	swift format --in-place --recursive Package.swift Sources Tests Fuzz

# The container image the DaemonSet runs (packaging/Containerfile), with podman; works without a
# registry (docs/install.md).
image:
	./scripts/image.sh
