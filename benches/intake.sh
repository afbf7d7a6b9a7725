#!/usr/bin/env bash
# Intake figures (printed, never asserted):
#   1. split + code reading per 200-dpi page (goal ≤ 50 ms): every page of a
#      noisy, rotated, JPEG-compressed batch looked at as `ingest --split` does;
#   2. a 100-page batch (10 dossiers × separator + 9 pages) from start to
#      stored and linked, without OCR: wall time and pages/s.
# Builds in the dev profile (dependencies and doisoat-intake at opt-level 2/3),
# like the other benches' shared-machine runs; BENCH_RELEASE=1 for release.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-/tmp/doisoat-bench-intake}"
mkdir -p "$work"
profile=debug; flag=()
if [ "${BENCH_RELEASE:-0}" = 1 ]; then profile=release; flag=(--release); fi
now() { date +%s.%N; }

echo "== 1. split + code reading per 200-dpi page"
cargo bench -q -p doisoat-intake --bench split

echo "== 2. 100-page batch, start to stored and linked, no OCR"
cargo build -q "${flag[@]}" -p doisoat-cli
cargo build -q "${flag[@]}" -p doisoat-intake --example make_batch
bin="$CARGO_TARGET_DIR/$profile/doisoat"
codes=()
csv="$work/dossiers.csv"
echo "MaHoSo,MaTTHC,SoBienNhan,NgayTiepNhan,HoTenNguoiNop,SoCCCD,TrangThai" > "$csv"
for i in $(seq 1 10); do
  c=$(printf "000.00.38.H38-221127-%04d" "$i")
  codes+=("$c")
  echo "$c,1.004227,22112700$i,20221127090000,Nguyễn Văn $i,0801234567$(printf %02d "$i"),Đã tiếp nhận" >> "$csv"
done
batch="$work/batch100.pdf"
[ -f "$batch" ] || "$CARGO_TARGET_DIR/$profile/examples/make_batch" "$batch" 9 "${codes[@]}"
rm -rf "$work/data"
"$bin" --data-dir "$work/data" import "$csv" > /dev/null
t0=$(now)
"$bin" --data-dir "$work/data" --json ingest --split "$batch" > "$work/split.json"
t1=$(now)
python3 - "$t0" "$t1" "$work/split.json" <<'PY'
import json, sys
t0, t1, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
r = json.load(open(path))
wall = t1 - t0
print(f"{r['pages']} pages, {r['linked']} parts linked, {r['flagged']} flagged, separators at {r['separators']}")
print(f"wall {wall:.2f} s = {r['pages'] / wall:.1f} pages/s (store batch, look at every page, cut, store + link parts)")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
