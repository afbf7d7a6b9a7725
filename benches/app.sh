#!/usr/bin/env bash
# Figures for the desktop app on 100,000 dossiers (not a timed test):
#   1. cold start to an interactive list (goal < 1.5 s): the release app is
#      started under Xvfb N times; the page reports when its first rows are
#      painted and the app logs the time since it started ("list interactive").
#      The script also measures launch → log line from outside.
#   2. opening a dossier (goal < 200 ms) and
#   3. a search-as-you-type keystroke (goal < 100 ms), through the IPC layer
#      (benches/app_queries.rs).
# The 100,000 dossiers are written as a CSV and imported with the CLI once;
# the seeded folder is kept in .cache/bench-100k (delete it to reseed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
N="${BENCH_DOSSIERS:-100000}"
RUNS="${BENCH_STARTS:-5}"
dir="${BENCH_DIR:-$PWD/.cache/bench-${N}}"

cargo build -q -p doisoat-cli --release
npm --prefix ui run build >/dev/null
cargo build -q -p doisoat-app --release --features custom-protocol
cli="$CARGO_TARGET_DIR/release/doisoat"
app="$CARGO_TARGET_DIR/release/doisoat-app"

if [ ! -f "$dir/.seeded" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  csv="$dir/../bench-${N}.csv"
  python3 - "$N" "$csv" <<'PY'
import csv, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20221125)
ho = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
dem = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Quốc"]
ten = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hà", "Hương", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Trang", "Tú", "Vy", "Đào"]
procs = ["1.004227", "1.003010", "1.012723.000.00.00.H38", "2.000889"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["MaHoSo", "MaTTHC", "SoBienNhan", "NgayTiepNhan", "HoTenNguoiNop", "SoCCCD", "TrangThai"])
    for i in range(n):
        day = 1 + (i // 40) % 28
        month = 1 + (i // 1120) % 12
        year = 21 + (i // 13440) % 5
        code = f"000.00.38.H38-{year:02d}{month:02d}{day:02d}-{i % 10000:04d}"
        w.writerow([code, rng.choice(procs), f"BN{i:07d}", f"20{year:02d}{month:02d}{day:02d}0830{i % 60:02d}",
                    f"{rng.choice(ho)} {rng.choice(dem)} {rng.choice(ten)}", f"0{rng.randrange(10**10, 10**11)}",
                    rng.choice(["Đang xử lý", "Đã tiếp nhận", "Đã trả kết quả"])])
PY
  t0=$(date +%s%N)
  "$cli" --data-dir "$dir" import "$csv" --skip-invalid >/dev/null
  t1=$(date +%s%N)
  echo "seed: imported $N dossiers in $(( (t1 - t0) / 1000000 )) ms"
  touch "$dir/.seeded"
fi

# 1. Cold start to an interactive list.
display="${BENCH_DISPLAY:-:98}"
xvfb_pid=""
if ! xdpyinfo -display "$display" >/dev/null 2>&1; then
  Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
fi
trap '[ -n "$xvfb_pid" ] && kill -TERM "$xvfb_pid" 2>/dev/null || true' EXIT
log=$(mktemp)
inside=(); outside=()
for i in $(seq "$RUNS"); do
  : >"$log"
  t0=$(date +%s%N)
  DISPLAY="$display" RUST_LOG=info "$app" --data-dir "$dir" >/dev/null 2>"$log" &
  pid=$!
  for _ in $(seq 600); do grep -q "list interactive" "$log" && break; sleep 0.01; done
  t1=$(date +%s%N)
  ms=$(grep -o 'list interactive.*' "$log" | head -1 | grep -o 'ms=[0-9]*' | cut -d= -f2 || true)
  [ -z "$ms" ] && ms=$(grep -o 'ms=[0-9]* list interactive\|ms=[0-9]*' "$log" | head -1 | grep -o '[0-9]*' || true)
  inside+=("${ms:-?}"); outside+=("$(( (t1 - t0) / 1000000 ))")
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
done
rm -f "$log"
echo "cold start to interactive list, $N dossiers (ms, $RUNS runs): app-logged ${inside[*]}; launch-to-log ${outside[*]}"

# 2 + 3. Opening a dossier and search as you type.
DOISOAT_BENCH_DIR="$dir" cargo bench -q -p doisoat-app --bench app_queries
