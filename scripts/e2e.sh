#!/usr/bin/env bash
# Runs the desktop app's end-to-end tests in a real window:
#   builds the UI and the app (debug, UI embedded), starts Xvfb and
#   tauri-driver (which starts WebKitWebDriver and the app), runs
#   `cargo test -p doisoat-e2e`, then stops tauri-driver with SIGTERM
#   (SIGKILL would leave WebKitWebDriver running) and Xvfb.
# Screenshots land in artifacts/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

command -v tauri-driver >/dev/null || { echo "e2e: tauri-driver missing (scripts/setup.sh --test)"; exit 2; }
command -v WebKitWebDriver >/dev/null || { echo "e2e: WebKitWebDriver missing (apt-get install webkit2gtk-driver)"; exit 2; }
command -v Xvfb >/dev/null || { echo "e2e: Xvfb missing (apt-get install xvfb)"; exit 2; }

[ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run build >/dev/null
cargo build -p doisoat-app
cargo build -p doisoat-e2e --tests

display="${E2E_DISPLAY:-:99}"
port="${E2E_PORT:-4444}"
native_port="${E2E_NATIVE_PORT:-4445}"
mkdir -p artifacts/e2e
# A full run starts from no screenshots; a run of some tests (a filter
# argument) keeps the others' screenshots.
if [ "$#" -eq 0 ]; then rm -f artifacts/e2e/*.png; fi

xvfb_pid=""
driver_pid=""
cleanup() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$driver_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "$xvfb_pid" ]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if ! xdpyinfo -display "$display" >/dev/null 2>&1; then
  Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >artifacts/e2e/xvfb.log 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
fi

# The app scans through SANE's virtual `test` device (tests/sane/dll.conf
# lists it; the trailing ':' keeps the system's SANE folders too). The app
# inherits this through tauri-driver and WebKitWebDriver.
export SANE_CONFIG_DIR="$PWD/tests/sane:"
# This clone's PDFium and demo set (see scripts/test.sh).
export DOISOAT_PDFIUM="$PWD/vendor/pdfium/libpdfium.so"
export DOISOAT_FIXTURES_DIR="$PWD/fixtures"

DISPLAY="$display" tauri-driver --port "$port" --native-port "$native_port" >artifacts/e2e/tauri-driver.log 2>&1 &
driver_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

# One session at a time: the tests share one tauri-driver.
DOISOAT_APP="$CARGO_TARGET_DIR/debug/doisoat-app" TAURI_DRIVER_URL="http://127.0.0.1:$port" \
  cargo test -p doisoat-e2e -- --test-threads=1 "$@"
