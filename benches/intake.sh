#!/usr/bin/env bash
# Intake figures (printed, never asserted):
#   1. split + code reading per 200-dpi page (goal ≤ 50 ms): every page of a
#      noisy, rotated, JPEG-compressed batch looked at as `ingest --split` does;
#   2. a 100-page batch (10 dossiers × separator + 9 pages) from start to
#      stored and linked, without OCR: wall time and pages/s.
# Part 1 is always an optimised build (cargo bench). Part 2 builds the CLI
# in the dev profile (dependencies and doisoat-intake at opt-level 2/3), like
# the other benches' shared-machine runs; BENCH_RELEASE=1 for release.
# Each figure is printed with the load average and, for part 2, CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-/tmp/doisoat-bench-intake}"
mkdir -p "$work"
profile=debug; flag=()
if [ "${BENCH_RELEASE:-0}" = 1 ]; then profile=release; flag=(--release); fi
now() { date +%s.%N; }

echo "== 1. split + code reading per 200-dpi page (cargo bench: optimised build)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -q -p doisoat-intake --bench split
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

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
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(now)
# bash's own `time` (no /usr/bin/time needed): user and system CPU seconds, last line of stderr.
TIMEFORMAT='%U %S'
{ time "$bin" --data-dir "$work/data" --json ingest --split "$batch" > "$work/split.json" 2> "$work/split.err"; } 2> "$work/cpu.txt"
t1=$(now)
python3 - "$t0" "$t1" "$work/split.json" "$work/cpu.txt" "$profile" <<'PY'
import json, sys
t0, t1, path, cpu_path, profile = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
r = json.load(open(path))
user, system = (float(x) for x in open(cpu_path).read().split()[-2:])
wall = t1 - t0
print(f"{r['pages']} pages, {r['linked']} parts linked, {r['flagged']} flagged, separators at {r['separators']}")
print(f"wall {wall:.2f} s = {r['pages'] / wall:.1f} pages/s; CPU {user + system:.2f} s "
      f"(user {user:.2f} + sys {system:.2f}) [{profile}] (store batch, look at every page, cut, store + link parts)")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
