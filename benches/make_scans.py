"""Scanned-PDF batches for the ingest benchmark: N files of 4 pages each,
200 dpi, JPEG quality 80, colour, with scan noise. Seeded, so reruns match.

    .venv/bin/python benches/make_scans.py OUT_DIR N
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.gen import forms  # noqa: E402
from tools.gen.scan import flatbed, pdf_from_parts  # noqa: E402


def main() -> None:
    out, n = Path(sys.argv[1]), int(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    for i in range(n):
        d = forms.make_dossier(rng)
        pages = (forms.don_09dk(d) + forms.hop_dong(d))[:4]
        scans = [flatbed(p, rng, dpi=200, grey=False) for p in pages]
        parts = [("jpeg", (s.image, s.dpi, 80)) for s in scans]
        (out / f"scan_{i:03d}.pdf").write_bytes(pdf_from_parts(parts))


if __name__ == "__main__":
    main()
