#!/usr/bin/env bash
# Scores the comparison engine on the labelled corpus, side by side with a
# peer anchor (a plain dHash-16 threshold, page i against page i, no
# registration: what a pixel/fingerprint diff tool does).
#
#   benches/compare.sh [SEED] [CASES]      default: seed 1, 120 cases
#
# Generates the corpus into corpus-out/seed<SEED> when absent, then prints one
# table: doisoat without OCR, doisoat with OCR, and the anchor. Timings come
# from cases run one at a time on one thread (OMP_THREAD_LIMIT=1).
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-1}
cases=${2:-120}
dir=corpus-out/seed${seed}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export OMP_THREAD_LIMIT=1
if [ ! -f "$dir/index.json" ]; then
  echo "compare.sh: generating $cases cases (seed $seed) into $dir" >&2
  .venv/bin/python -m tools.gen.corpus --out "$dir" --cases "$cases" --seed "$seed" --jobs 2 >&2
fi
cargo build --release -q -p doisoat-compare --bin doisoat-eval
eval=$CARGO_TARGET_DIR/release/doisoat-eval
{
  "$eval" "$dir"
  "$eval" "$dir" --ocr | tail -n +2 | sed 's/^doisoat         /doisoat+ocr     /'
  "$eval" "$dir" --method dhash | tail -n +2
} | column -t
