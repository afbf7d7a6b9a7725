# doisoat: the two quick-start commands, and the development ones.
#   make run     install prerequisites, build, open the app (ARGS="--demo" loads the demo set)
#   make test    install prerequisites, run every test (unit, CLI, IPC, generators, real-window E2E)
# Both work on a fresh Debian/Ubuntu machine; scripts/setup.sh installs what is missing.

export CARGO_TARGET_DIR ?= $(CURDIR)/target
ARGS ?=

.PHONY: run demo test setup setup-test fixtures corpus bench bench-core bench-compare bench-app bench-intake deb lint

run: setup
	npm --prefix ui run build
	cargo run -p doisoat-app -- $(ARGS)

demo:
	$(MAKE) run ARGS="--demo"

test: setup-test
	scripts/test.sh

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# Remake the committed fixtures (byte for byte) and the comparison corpus (not committed).
fixtures: setup
	.venv/bin/python -m tools.gen.fixtures

corpus: setup
	.venv/bin/python -m tools.gen.corpus --out corpus-out --cases 120 --seed 1 --jobs 2

# Benchmarks: figures are printed, never asserted.
bench: bench-core bench-compare bench-app bench-intake

bench-core: setup-test
	benches/core.sh

bench-compare: setup-test
	benches/compare.sh

bench-app: setup-test
	benches/app.sh

bench-intake: setup-test
	benches/intake.sh

deb: setup
	ui/node_modules/.bin/tauri build --bundles deb
