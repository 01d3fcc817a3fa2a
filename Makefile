# The two README commands: `make demo` (the main job) and `make test` (the whole suite).
# Both do all set-up first on a fresh Debian 12 machine (as root).
.PHONY: setup demo test test-fast sanity lint bench clean

setup:
	@bash scripts/setup-system.sh
	@bash scripts/setup-venv.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	@bash scripts/run-tests.sh all

test-fast: setup
	@bash scripts/run-tests.sh fast

sanity: setup
	@bash scripts/run-tests.sh sanity

lint: setup
	@bash scripts/run-tests.sh lint

bench: setup
	@.venv/bin/python benchmarks/probe_benchmark.py
	@.venv/bin/python benchmarks/softhsm_concurrency.py

clean:
	rm -rf .venv .build demo-output
