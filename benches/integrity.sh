#!/usr/bin/env bash
# Figures for archive integrity (issue 7), not a timed test:
#   1. bag export: `doisoat bag export` (folder bag, files copied out of the
#      store and synced), twice per run: first with no SHA-512 recorded (the
#      column is cleared: each file is hashed with SHA-256 and SHA-512 while
#      it is copied, as in an export before the file's first fixity pass),
#      then with the SHA-512s that export recorded (each file copied by the
#      kernel and its copy read back for SHA-256 only: the usual export, as
#      a file's first fixity pass records its SHA-512), against bagit.py building
#      a bag of the same files (same algorithms, one process; bagit.py moves
#      the files it is given into data/, so it copies nothing and syncs
#      nothing), MB/s of payload, in the same run. A second peer figure does
#      the same work doisoat does: `cp -r` of the files to a new folder,
#      bagit.py on it, and `sync -f` so the new bag is on disk (what an
#      office would run to put a bag on a USB stick). The floor for any tool
#      that writes a new durable bag is printed beside them: `cp -r` of the
#      files and `sync -f`, with no hashing at all. Both read their sources
#      from the page cache: the copy bagit.py bags was just written by `cp`,
#      and the store is read once before doisoat's export;
#   2. bag validation: `doisoat bag validate` against `bagit.py --validate`
#      on the same bag (the one doisoat exported in 1), read once before
#      each so both find it in the page cache;
#   3. fixity, cold: the store's objects are evicted from the page cache
#      (posix_fadvise DONTNEED on each file: no root needed; `fincore`
#      shows what stayed resident), then read by `cat` (one reader, and two
#      at once) for the disk's read speed, evicted again, then verified by
#      `doisoat verify`. `cat` reads the files in the order verify does
#      (by name: a store's first pass, or one whose files were all last
#      verified in the same batch, goes by digest, and the digest is the
#      name). The figure is verify's share of the faster plain read. Warm
#      figures (from the page cache) are printed beside them.
# Every export starts with nothing of the previous steps left to write
# (`sync -f` before its clock starts), so no tool pays for another's writes.
# Each figure is printed as the best and the median of the runs, with the
# load average before each run (the machine may be shared), and the CPU
# time (user + system, median) each tool spent on the same work, which
# other programs' load does not change.
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
# cpu ARRAY CMD...: runs CMD, appends its user + system seconds to ARRAY.
cpu() {
  local -n into=$1; shift
  /usr/bin/time -f '%U %S' -o "$dir/.cpu" "$@"
  into+=("$(awk '{print $1 + $2}' "$dir/.cpu")")
}
rate() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.0f}')" "$1" "$2"; }
best() { sort -g | head -1; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
objects() { find "$dir/data/store/objects" -type f | sort; }
warm() { find "$@" -type f -print0 | xargs -0 cat >/dev/null; }
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
# Clears the recorded SHA-512s (as before a store's first fixity pass).
forget_sha512() {
  python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE files SET sha512 = NULL"); c.commit()' "$dir/data/doisoat.sqlite"
}
resident_mb() {
  if command -v fincore >/dev/null; then
    objects | xargs fincore --bytes --noheadings --output RES | awk '{s+=$1} END {printf "%.0f", s/1048576}'
  else echo "?"; fi
}

echo "payload: $FILES files, ${payload_mb} MB; runs: $RUNS (best and median); load: $(cut -d' ' -f1-3 /proc/loadavg)"
ours_exp=(); ours_first=(); peer_exp=(); peer_dur=(); copy_floor=(); ours_val=(); peer_val=(); ours_fix=(); cat_read=(); cat2_read=(); warm_fix=(); warm_cat=()
loads=(); ours_exp_cpu=(); ours_first_cpu=(); peer_exp_cpu=(); ours_val_cpu=(); peer_val_cpu=(); ours_fix_cpu=()
for r in $(seq "$RUNS"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  rm -rf "$dir/out"; mkdir -p "$dir/out"
  # 1. export: first with no SHA-512 recorded, then with them
  forget_sha512
  warm "$dir/data/store/objects"; sync -f "$dir/out"
  t0=$(now); cpu ours_first_cpu "$cli" --data-dir "$dir/data" bag export "$code" -o "$dir/out/ours-first" >/dev/null; t1=$(now)
  ours_first+=("$(echo "$t1 - $t0" | bc)")
  rm -rf "$dir/out/ours-first"
  warm "$dir/data/store/objects"; sync -f "$dir/out"
  t0=$(now); cpu ours_exp_cpu "$cli" --data-dir "$dir/data" bag export "$code" -o "$dir/out/ours" >/dev/null; t1=$(now)
  ours_exp+=("$(echo "$t1 - $t0" | bc)")
  cp -r "$dir/src" "$dir/out/peer"; sync -f "$dir/out"
  t0=$(now); cpu peer_exp_cpu "$bagit" --quiet --processes 1 --sha256 --sha512 "$dir/out/peer" 2>/dev/null; t1=$(now)
  peer_exp+=("$(echo "$t1 - $t0" | bc)")
  warm "$dir/src"; sync -f "$dir/out"
  t0=$(now); cp -r "$dir/src" "$dir/out/peer-copy"
  "$bagit" --quiet --processes 1 --sha256 --sha512 "$dir/out/peer-copy" 2>/dev/null
  sync -f "$dir/out/peer-copy"; t1=$(now)
  peer_dur+=("$(echo "$t1 - $t0" | bc)")
  warm "$dir/src"; sync -f "$dir/out"
  t0=$(now); cp -r "$dir/src" "$dir/out/plain-copy"; sync -f "$dir/out/plain-copy"; t1=$(now)
  copy_floor+=("$(echo "$t1 - $t0" | bc)")
  # 2. validation of the same bag (ours, exported above)
  warm "$dir/out/ours"
  t0=$(now); cpu ours_val_cpu "$cli" bag validate "$dir/out/ours" >/dev/null; t1=$(now)
  ours_val+=("$(echo "$t1 - $t0" | bc)")
  warm "$dir/out/ours"
  t0=$(now); cpu peer_val_cpu "$bagit" --quiet --validate "$dir/out/ours" 2>/dev/null; t1=$(now)
  peer_val+=("$(echo "$t1 - $t0" | bc)")
  # 3. fixity from the disk: cold cat (1 and 2 readers), cold verify
  evict; cold_before=$(resident_mb)
  t0=$(now); objects | xargs cat >/dev/null; t1=$(now)
  cat_read+=("$(echo "$t1 - $t0" | bc)")
  evict
  t0=$(now); objects | xargs -P 2 -n "$(( (FILES + 1) / 2 ))" cat >/dev/null; t1=$(now)
  cat2_read+=("$(echo "$t1 - $t0" | bc)")
  evict
  t0=$(now); cpu ours_fix_cpu "$cli" --data-dir "$dir/data" verify >/dev/null; t1=$(now)
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

fig() { # name, then one value per run: "best median"
  local name=$1; shift
  printf '%s\n' "$@" | best | tr '\n' ' '; printf '%s\n' "$@" | median
}
read -r oe oe_m <<<"$(fig exp "${ours_exp[@]}")"; read -r o1 o1_m <<<"$(fig exp "${ours_first[@]}")"; read -r pe pe_m <<<"$(fig exp "${peer_exp[@]}")"
read -r pd pd_m <<<"$(fig exp "${peer_dur[@]}")"; read -r cf cf_m <<<"$(fig exp "${copy_floor[@]}")"
read -r ov ov_m <<<"$(fig val "${ours_val[@]}")"; read -r pv pv_m <<<"$(fig val "${peer_val[@]}")"
read -r of of_m <<<"$(fig fix "${ours_fix[@]}")"; read -r cr cr_m <<<"$(fig cat "${cat_read[@]}")"
read -r c2 c2_m <<<"$(fig cat2 "${cat2_read[@]}")"
read -r wf wf_m <<<"$(fig wf "${warm_fix[@]}")"; read -r wc wc_m <<<"$(fig wc "${warm_cat[@]}")"
disk=$(python3 -c "print(min($cr, $c2))"); disk_m=$(python3 -c "print(min($cr_m, $c2_m))")
pct() { python3 -c "print(f'{100*$1/$2:.0f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo "load average (1 min) before each run: ${loads[*]}"
echo "best of $RUNS (median in brackets):"
echo "export:     doisoat $(rate "$payload_mb" "$oe") MB/s [$(rate "$payload_mb" "$oe_m")] (${oe}s)  bagit.py $(rate "$payload_mb" "$pe") MB/s [$(rate "$payload_mb" "$pe_m")] (${pe}s)  ratio $(ratio "$pe" "$oe")x [$(ratio "$pe_m" "$oe_m")x]"
echo "export, no SHA-512 recorded yet: doisoat $(rate "$payload_mb" "$o1") MB/s [$(rate "$payload_mb" "$o1_m")] (${o1}s)  ratio to bagit.py $(ratio "$pe" "$o1")x [$(ratio "$pe_m" "$o1_m")x]"
echo "export, like for like: cp -r + bagit.py + sync $(rate "$payload_mb" "$pd") MB/s [$(rate "$payload_mb" "$pd_m")] (${pd}s)  ratio $(ratio "$pd" "$oe")x [$(ratio "$pd_m" "$oe_m")x]"
echo "export floor: cp -r + sync, no hashing $(rate "$payload_mb" "$cf") MB/s [$(rate "$payload_mb" "$cf_m")] (${cf}s); doisoat takes $(pct "$oe" "$cf")% [$(pct "$oe_m" "$cf_m")%] of its time"
echo "validation: doisoat $(rate "$payload_mb" "$ov") MB/s [$(rate "$payload_mb" "$ov_m")] (${ov}s)  bagit.py $(rate "$payload_mb" "$pv") MB/s [$(rate "$payload_mb" "$pv_m")] (${pv}s)  ratio $(ratio "$pv" "$ov")x [$(ratio "$pv_m" "$ov_m")x]"
echo "fixity (cold): doisoat verify $(rate "$store_mb" "$of") MB/s [$(rate "$store_mb" "$of_m")] (${of}s)  disk: cat $(rate "$store_mb" "$cr") MB/s [$(rate "$store_mb" "$cr_m")], 2x cat $(rate "$store_mb" "$c2") MB/s [$(rate "$store_mb" "$c2_m")]  share $(pct "$disk" "$of")% [$(pct "$disk_m" "$of_m")%] of the faster"
echo "fixity (warm): doisoat verify $(rate "$store_mb" "$wf") MB/s [$(rate "$store_mb" "$wf_m")] (${wf}s)  cat $(rate "$store_mb" "$wc") MB/s [$(rate "$store_mb" "$wc_m")] (${wc}s)"
mcpu() { printf '%s\n' "$@" | median; }
echo "CPU seconds (median): export doisoat $(mcpu "${ours_exp_cpu[@]}") (no SHA-512 recorded: $(mcpu "${ours_first_cpu[@]}")) bagit.py $(mcpu "${peer_exp_cpu[@]}"); validation doisoat $(mcpu "${ours_val_cpu[@]}") bagit.py $(mcpu "${peer_val_cpu[@]}"); cold verify $(mcpu "${ours_fix_cpu[@]}")"
echo "page cache: ${cold_before} MB of ${store_mb} MB resident after eviction; ${after_verify} MB after a verify pass"
echo "(export and validation MB/s over the ${payload_mb} MB of originals; doisoat's bag also holds thumbnails and dossier.json)"
