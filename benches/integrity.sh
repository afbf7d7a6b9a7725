#!/usr/bin/env bash
# Figures for archive integrity (issue 7), not a timed test:
#   1. bag export: `doisoat bag export` (folder bag, SHA-256 + SHA-512)
#      against bagit.py building a bag of the same files (same algorithms,
#      one process), MB/s of payload, in the same run;
#   2. bag validation: `doisoat bag validate` against `bagit.py --validate`
#      on the same bag (the one doisoat exported in 1);
#   3. fixity, cold: the store's objects are evicted from the page cache
#      (posix_fadvise DONTNEED on each file: no root needed; `fincore`
#      shows what stayed resident), then read by `cat` (one reader, and two
#      at once) for the disk's read speed, evicted again, then verified by
#      `doisoat verify`. The figure is verify's share of the faster plain
#      read. Warm figures (from the page cache) are printed beside them.
# Data: BENCH_FILES PDFs of BENCH_MB MiB each (one page plus an
# incompressible stream), ingested once into .cache/bench-integrity.
# BENCH_NO_BUILD=1 uses the release binary already built.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
FILES="${BENCH_FILES:-40}"
MB="${BENCH_MB:-8}"
RUNS="${BENCH_RUNS:-3}"
dir="${BENCH_DIR:-$PWD/.cache/bench-integrity-${FILES}x${MB}}"
bagit="$PWD/.venv/bin/bagit.py"
py="$PWD/.venv/bin/python"

[ -n "${BENCH_NO_BUILD:-}" ] || cargo build -q -p doisoat-cli --release
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
objects() { find "$dir/data/store/objects" -type f; }
# Drops the store's objects from the page cache (clean pages; no root needed).
evict() {
  objects | python3 -c '
import os, sys
for p in sys.stdin.read().split("\n"):
    if p:
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
'
}
resident_mb() {
  if command -v fincore >/dev/null; then
    objects | xargs fincore --bytes --noheadings --output RES | awk '{s+=$1} END {printf "%.0f", s/1048576}'
  else echo "?"; fi
}

echo "payload: $FILES files, ${payload_mb} MB; runs: $RUNS (best of); load: $(cut -d' ' -f1-3 /proc/loadavg)"
ours_exp=(); peer_exp=(); ours_val=(); peer_val=(); ours_fix=(); cat_read=(); cat2_read=(); warm_fix=(); warm_cat=()
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
  # 3. fixity from the disk: cold cat (1 and 2 readers), cold verify
  evict; cold_before=$(resident_mb)
  t0=$(now); objects | xargs cat >/dev/null; t1=$(now)
  cat_read+=("$(echo "$t1 - $t0" | bc)")
  evict
  t0=$(now); objects | xargs -P 2 -n "$(( (FILES + 1) / 2 ))" cat >/dev/null; t1=$(now)
  cat2_read+=("$(echo "$t1 - $t0" | bc)")
  evict
  t0=$(now); "$cli" --data-dir "$dir/data" verify >/dev/null; t1=$(now)
  ours_fix+=("$(echo "$t1 - $t0" | bc)")
  after_verify=$(resident_mb)
  # and from the page cache, for comparison
  objects | xargs cat >/dev/null
  t0=$(now); objects | xargs cat >/dev/null; t1=$(now)
  warm_cat+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); "$cli" --data-dir "$dir/data" verify >/dev/null; t1=$(now)
  warm_fix+=("$(echo "$t1 - $t0" | bc)")
done
store_mb=$(du -sm --apparent-size "$dir/data/store/objects" | cut -f1)

oe=$(printf '%s\n' "${ours_exp[@]}" | best); pe=$(printf '%s\n' "${peer_exp[@]}" | best)
ov=$(printf '%s\n' "${ours_val[@]}" | best); pv=$(printf '%s\n' "${peer_val[@]}" | best)
of=$(printf '%s\n' "${ours_fix[@]}" | best); cr=$(printf '%s\n' "${cat_read[@]}" | best)
c2=$(printf '%s\n' "${cat2_read[@]}" | best)
wf=$(printf '%s\n' "${warm_fix[@]}" | best); wc=$(printf '%s\n' "${warm_cat[@]}" | best)
disk=$(python3 -c "print(min($cr, $c2))")
echo "export:     doisoat $(rate "$payload_mb" "$oe") MB/s (${oe}s)  bagit.py $(rate "$payload_mb" "$pe") MB/s (${pe}s)  ratio $(python3 -c "print(f'{$pe/$oe:.2f}')")x"
echo "validation: doisoat $(rate "$payload_mb" "$ov") MB/s (${ov}s)  bagit.py $(rate "$payload_mb" "$pv") MB/s (${pv}s)  ratio $(python3 -c "print(f'{$pv/$ov:.2f}')")x"
echo "fixity (cold): doisoat verify $(rate "$store_mb" "$of") MB/s (${of}s)  disk: cat $(rate "$store_mb" "$cr") MB/s (${cr}s), 2x cat $(rate "$store_mb" "$c2") MB/s (${c2}s)  share $(python3 -c "print(f'{100*$disk/$of:.0f}')")% of the faster"
echo "fixity (warm): doisoat verify $(rate "$store_mb" "$wf") MB/s (${wf}s)  cat $(rate "$store_mb" "$wc") MB/s (${wc}s)"
echo "page cache: ${cold_before} MB of ${store_mb} MB resident after eviction; ${after_verify} MB after a verify pass"
echo "(export and validation MB/s over the ${payload_mb} MB of originals; doisoat's bag also holds thumbnails and dossier.json)"
