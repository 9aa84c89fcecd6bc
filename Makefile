# One entry point: `make demo` shows Rudder at work, `make test` runs the whole test suite.
.PHONY: demo test build bench fuzz format

demo:
	./scripts/demo.sh

test:
	./scripts/test.sh

build:
	swift build

bench:
	swift build -c release --product rudder-bench
	.build/release/rudder-bench routes

fuzz:
	./scripts/fuzz.sh 300

format:
	swift format --in-place --recursive Package.swift Sources Tests Fuzz
