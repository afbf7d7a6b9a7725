#!/usr/bin/env bash
# Scores the comparison engine on the labelled corpus, side by side with two
# peer anchors, both page i against page i without registration:
#  - a plain dHash-16 threshold (what a fingerprint dedup tool does);
#  - ImageMagick `compare -metric AE -fuzz 25%` at 100 dpi, "differs" above
#    1 % of the pixels (what a pixel diff such as diff-pdf does; apt
#    `imagemagick`, installed by scripts/setup.sh).
#
#   benches/compare.sh [SEED] [CASES]      default: seed 1, 120 cases
#   JOBS=2 benches/compare.sh 2            cases two at a time (faster; the
#                                          seconds per page then share the cores)
#
# Generates the corpus into corpus-out/seed<SEED> when absent, then prints one
# table: doisoat without OCR, doisoat with OCR, and the anchors. Timings come
# from cases run one at a time on one thread (OMP_THREAD_LIMIT=1) unless
# JOBS says otherwise.
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
jobs=(--jobs "${JOBS:-1}")
{
  "$eval" "$dir" "${jobs[@]}"
  "$eval" "$dir" --ocr "${jobs[@]}" | tail -n +2 | sed 's/^doisoat         /doisoat+ocr     /'
  "$eval" "$dir" --method dhash "${jobs[@]}" | tail -n +2
  "$eval" "$dir" --method magick "${jobs[@]}" | tail -n +2
} | column -t
