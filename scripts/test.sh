#!/usr/bin/env bash
# Every test of doisoat, in the order a failure is cheapest to read:
#   1. formatting and lints;
#   2. unit tests, the CLI's integration tests over fixtures/, the desktop
#      app's IPC tests (Tauri mock runtime), the TypeScript-twin check;
#   3. the generators' self-test (fixtures remake byte for byte);
#   4. the real desktop app under Xvfb, driven by tauri-driver + WebKitWebDriver.
# Run scripts/setup.sh --test first (make test does).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# Tesseract must not spread one page over both cores; pages run in parallel instead.
export OMP_THREAD_LIMIT=1
# This clone's PDFium and fixtures, named outright: a build folder shared by
# several clones keeps, compiled in, the paths of whichever clone built a crate.
export DOISOAT_PDFIUM="$PWD/vendor/pdfium/libpdfium.so"
export DOISOAT_FIXTURES_DIR="$PWD/fixtures"

step() { printf '\n=== %s\n' "$*"; }

step "UI build (embedded into the app, so it comes before anything compiles the app)"
npm --prefix ui run build

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --exclude doisoat-e2e -- -D warnings

step "unit, CLI, IPC tests"
cargo test --workspace --exclude doisoat-e2e

step "generators self-test"
.venv/bin/python -m tools.gen.selftest --corpus-cases 8

step "real-window end-to-end tests"
scripts/e2e.sh
