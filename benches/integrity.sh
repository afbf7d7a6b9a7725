#!/usr/bin/env bash
# Figures for archive integrity (issue 7), not a timed test:
#   1. bag export: `doisoat bag export` (folder bag, SHA-256 + SHA-512)
#      against bagit.py building a bag of the same files (same algorithms,
#      one process), MB/s of payload, in the same run;
#   2. bag validation: `doisoat bag validate` against `bagit.py --validate`
#      on the same bag (the one doisoat exported in 1);
#   3. fixity: `doisoat verify` (a full pass) against `cat` reading the same
#      store objects to /dev/null, in the same run. Caches cannot be dropped
#      here, so both read from the page cache after a warm-up read; the
#      figure is the hashing pass's share of plain read speed.
# Data: BENCH_FILES PDFs of BENCH_MB MiB each (one page plus an
# incompressible stream), ingested once into .cache/bench-integrity.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
FILES="${BENCH_FILES:-40}"
MB="${BENCH_MB:-8}"
RUNS="${BENCH_RUNS:-3}"
dir="${BENCH_DIR:-$PWD/.cache/bench-integrity-${FILES}x${MB}}"
bagit="$PWD/.venv/bin/bagit.py"
py="$PWD/.venv/bin/python"

cargo build -q -p doisoat-cli --release
cli="$CARGO_TARGET_DIR/release/doisoat"
code="000.00.38.H38-221125-0001"

if [ ! -f "$dir/.seeded" ]; then
  rm -rf "$dir"; mkdir -p "$dir/src"
  python3 - "$FILES" "$MB" "$dir/src" "$code" <<'PY'
import os, sys
n, mb, out, code = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
for i in range(n):
    blob = os.urandom(mb << 20)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream",
            b"<< /Length %d >>\nstream\n" % len(blob) + blob + b"\nendstream"]
    pdf = bytearray(b"%PDF-1.4\n")
    offs = []
    for k, o in enumerate(objs, 1):
        offs.append(len(pdf))
        pdf += b"%d 0 obj\n" % k + o + b"\nendobj\n"
    x = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        pdf += b"%010d 00000 n \n" % o
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    with open(os.path.join(out, f"{code}_TP{i+1}_scan.pdf"), "wb") as f:
        f.write(pdf)
PY
  "$cli" --data-dir "$dir/data" ingest "$dir/src"/*.pdf >/dev/null
  touch "$dir/.seeded"
fi

payload_mb=$(du -sm --apparent-size "$dir/src" | cut -f1)
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.0f}')" "$1" "$2"; }
best() { sort -g | head -1; }

echo "payload: $FILES files, ${payload_mb} MB; runs: $RUNS (best of)"
ours_exp=(); peer_exp=(); ours_val=(); peer_val=(); ours_fix=(); cat_read=()
for r in $(seq "$RUNS"); do
  rm -rf "$dir/out"; mkdir -p "$dir/out"
  # 1. export
  t0=$(now); "$cli" --data-dir "$dir/data" bag export "$code" -o "$dir/out/ours" >/dev/null; t1=$(now)
  ours_exp+=("$(echo "$t1 - $t0" | bc)")
  cp -r "$dir/src" "$dir/out/peer"
  t0=$(now); "$bagit" --quiet --processes 1 --sha256 --sha512 "$dir/out/peer" 2>/dev/null; t1=$(now)
  peer_exp+=("$(echo "$t1 - $t0" | bc)")
  # 2. validation of the same bag (ours, exported above)
  t0=$(now); "$cli" bag validate "$dir/out/ours" >/dev/null; t1=$(now)
  ours_val+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); "$bagit" --quiet --validate "$dir/out/ours" 2>/dev/null; t1=$(now)
  peer_val+=("$(echo "$t1 - $t0" | bc)")
  # 3. fixity against plain reads of the same objects
  find "$dir/data/store/objects" -type f -exec cat {} + >/dev/null
  t0=$(now); find "$dir/data/store/objects" -type f -exec cat {} + >/dev/null; t1=$(now)
  cat_read+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); "$cli" --data-dir "$dir/data" verify >/dev/null; t1=$(now)
  ours_fix+=("$(echo "$t1 - $t0" | bc)")
done
store_mb=$(du -sm --apparent-size "$dir/data/store/objects" | cut -f1)

oe=$(printf '%s\n' "${ours_exp[@]}" | best); pe=$(printf '%s\n' "${peer_exp[@]}" | best)
ov=$(printf '%s\n' "${ours_val[@]}" | best); pv=$(printf '%s\n' "${peer_val[@]}" | best)
of=$(printf '%s\n' "${ours_fix[@]}" | best); cr=$(printf '%s\n' "${cat_read[@]}" | best)
echo "export:     doisoat $(rate "$payload_mb" "$oe") MB/s (${oe}s)  bagit.py $(rate "$payload_mb" "$pe") MB/s (${pe}s)  ratio $(python3 -c "print(f'{$pe/$oe:.2f}')")x"
echo "validation: doisoat $(rate "$payload_mb" "$ov") MB/s (${ov}s)  bagit.py $(rate "$payload_mb" "$pv") MB/s (${pv}s)  ratio $(python3 -c "print(f'{$pv/$ov:.2f}')")x"
echo "fixity:     doisoat verify $(rate "$store_mb" "$of") MB/s (${of}s)  cat $(rate "$store_mb" "$cr") MB/s (${cr}s)  share $(python3 -c "print(f'{100*$cr/$of:.0f}')")% of read speed"
echo "(export and validation MB/s over the ${payload_mb} MB of originals; doisoat's bag also holds thumbnails and dossier.json)"
