#!/usr/bin/env bash
# Lifecycle benches (issue 6), on a release build:
#   1. dashboard figures (`doisoat report --json`) over N dossiers (goal: < 500 ms at 1,000,000);
#   2. importing an XLSX export of M rows (goal: < 10 s at 100,000).
# N and M can be set from the environment. Needs python3 with openpyxl (tools/requirements.txt).
# The seeder writes straight into the database, so the figure triggers of
# migration 0005 keep the dashboard's counts as rows arrive (seeding is slower
# than the report it feeds). Other builds on the machine slow both: the load
# average is printed beside each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
M=${M:-100000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p doisoat-cli
BIN=$CARGO_TARGET_DIR/release/doisoat
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

ms() { date +%s%3N; }

echo "seeding $N dossiers…"
"$BIN" --data-dir "$WORK/big" dossiers --limit 1 >/dev/null
python3 -m tools.gen.lifecycle seed-db --db "$WORK/big/doisoat.sqlite" --count "$N" --seed 1
"$BIN" --data-dir "$WORK/big" --json report --today 31/12/2026 >/dev/null   # warm the page cache
for i in 1 2 3; do
    t0=$(ms)
    "$BIN" --data-dir "$WORK/big" --json report --today 31/12/2026 >"$WORK/report.json"
    t1=$(ms)
    echo "dashboard figures over $N dossiers (whole process, run $i): $((t1 - t0)) ms (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
done
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); t=r['totals']; print('  totals:', t['dossiers'], 'dossiers, on-time', round(t['on_time_rate'],4), 'overdue listed', len(r['overdue']))" "$WORK/report.json"

echo "writing an XLSX export of $M rows…"
python3 -m tools.gen.lifecycle year-xlsx --seed 1 --count "$M" --out "$WORK/year.xlsx"
t0=$(ms)
TIMEFORMAT='  cpu: %U s user, %S s sys'
time "$BIN" --data-dir "$WORK/imp" --json import "$WORK/year.xlsx" >"$WORK/import.json"
t1=$(ms)
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('  rows', r['rows'], 'added', r['added'], 'bad', len(r['bad_rows']))" "$WORK/import.json"
echo "import of $M XLSX rows: $((t1 - t0)) ms (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(ms)
"$BIN" --data-dir "$WORK/imp" --json import "$WORK/year.xlsx" >"$WORK/again.json"
t1=$(ms)
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['already_imported'] and r['added'] == 0, r; print('  re-import: nothing changed')" "$WORK/again.json"
echo "re-import of the same file: $((t1 - t0)) ms"
