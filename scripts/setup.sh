#!/usr/bin/env bash
# Installs everything doisoat needs to build, run and test on Debian/Ubuntu.
# Idempotent: each step checks before it acts, so `make run` and `make test`
# can call it every time.
#
#   scripts/setup.sh          build + run prerequisites
#   scripts/setup.sh --test   also what the test suite needs (Xvfb, tauri-driver,
#                             SANE's test backend, tesseract, peers for benches)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

APT_BUILD=(libwebkit2gtk-4.1-dev build-essential file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config curl unzip python3 python3-venv
  tesseract-ocr tesseract-ocr-vie libtesseract-dev libleptonica-dev clang libclang-dev
  libsane-dev libsane1 sane-utils sane-airscan fonts-dejavu-core fonts-noto-core)
APT_TEST=(xvfb xauth webkit2gtk-driver imagemagick xdotool poppler-utils)

pkgs=("${APT_BUILD[@]}")
[ $want_test = 1 ] && pkgs+=("${APT_TEST[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PDFium, from the pypdfium2 wheel on PyPI. Pinned by version and SHA-256; never committed.
PDFIUM_VERSION=5.15.2
PDFIUM_WHEEL=pypdfium2-${PDFIUM_VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PDFIUM_WHEEL_SHA256=dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37
PDFIUM_SO_SHA256=c76dc0f7839644bfa7c3e3107a6068df714e339c861bb7d4519907b821d427f9
if ! echo "$PDFIUM_SO_SHA256  vendor/pdfium/libpdfium.so" | sha256sum -c --status 2>/dev/null; then
  echo "setup: fetching PDFium from pypdfium2 ${PDFIUM_VERSION}"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --dest "$tmp" "pypdfium2==${PDFIUM_VERSION}"
  echo "$PDFIUM_WHEEL_SHA256  $tmp/$PDFIUM_WHEEL" | sha256sum -c --quiet
  mkdir -p vendor/pdfium
  unzip -q -o -j "$tmp/$PDFIUM_WHEEL" pypdfium2_raw/libpdfium.so -d vendor/pdfium
  echo "$PDFIUM_SO_SHA256  vendor/pdfium/libpdfium.so" | sha256sum -c --quiet
  rm -rf "$tmp"
fi

# Python tools: the fixture and corpus generators, and peers for the benches.
if [ ! -x .venv/bin/python ] || ! cmp -s tools/requirements.txt .venv/.requirements 2>/dev/null; then
  echo "setup: preparing .venv for tools/"
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r tools/requirements.txt
  cp tools/requirements.txt .venv/.requirements
fi

# The web UI.
if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "setup: npm ci in ui/"
    npm --prefix ui ci --no-audit --no-fund --loglevel=error
  fi
fi

if [ $want_test = 1 ]; then
  if ! command -v tauri-driver >/dev/null 2>&1 || ! tauri-driver --help 2>&1 | grep -q -- --native-port; then
    echo "setup: installing tauri-driver 2.1.0"
    cargo install tauri-driver@2.1.0 --locked --quiet
  fi
fi
echo "setup: ready"
