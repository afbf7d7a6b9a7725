"""Self-checks of the generators (no pytest needed): ``python -m tools.gen.selftest``.

1. The born-digital PDF (rendered by PDFium) and the Pillow raster of the same
   layout agree in placement, and the PDF's text layer holds the Vietnamese text.
2. A content change touches pixels only inside its truth box.
3. The scan mappings are right: a mark drawn at a known place in the layout is
   found where the flatbed or phone mapping says it is.
4. The receipt's QR code decodes from a noisy 200-dpi scan to a payload with
   the dossier code.
5. Corpus cases are consistent: boxes inside the page, page numbers within the
   files' page counts, every electronic page listed once, verdict agrees.
6. The fixtures regenerate byte for byte (``--skip-fixtures`` to leave this out).

Exits 1 on the first failed check, printing what failed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageChops

from . import corpus, forms
from .layout import Box, Page, pdf_bytes, render_page
from .mutate import change_diacritic, change_digit, change_name
from .scan import flatbed, phone, rotate_quarter

FAILURES: list[str] = []


def check(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def _ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) < 140


def layout_agreement() -> None:
    d = forms.make_dossier(random.Random(7))
    pages = forms.don_09dk(d) + forms.hop_dong(d)[1:2] + forms.gcn(d) + forms.cccd(d)[:1] + forms.bien_nhan(d)
    doc = pdfium.PdfDocument(pdf_bytes(pages))
    dpi = 150
    for i, page in enumerate(pages):
        pdf_img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil()
        ras = render_page(page, dpi, "L")
        same = abs(pdf_img.width - ras.width) <= 1 and abs(pdf_img.height - ras.height) <= 1
        check(same, f"{page.kind}: PDF render {pdf_img.size} and raster {ras.size} agree in size within 1 px")
        pdf_img = pdf_img.crop((0, 0, ras.width, ras.height))
        a, b = _ink(ras), _ink(pdf_img)
        best = (0.0, 0, 0)
        for dy in (-2, -1, 0, 1, 2):
            for dx in (-2, -1, 0, 1, 2):
                s = np.roll(np.roll(b, dy, 0), dx, 1)
                ov = (a & s).sum() / max(1, a.sum())
                if ov > best[0]:
                    best = (ov, dx, dy)
        check(best[1:] == (0, 0) and best[0] > 0.7,
              f"{page.kind}: ink overlap {best[0]:.3f} best at shift {best[1:]} (want (0, 0), > 0.7)")
        text = doc[i].get_textpage().get_text_range().replace("\r", "").replace("\n", " ")
        values = [t.text for t in page.texts() if t.field]
        missing = [v for v in values if v not in text]
        check(not missing, f"{page.kind}: text layer holds all {len(values)} field values {missing[:2]}")


def change_inside_box() -> None:
    rng = random.Random(11)
    for n in range(6):
        d = forms.make_dossier(rng)
        page = rng.choice(forms.don_09dk(d) + forms.hop_dong(d) + forms.gcn(d))
        for fn in (change_digit, change_diacritic, change_name):
            ch = fn(page, rng)
            if ch is None:
                continue
            dpi = 150
            a = render_page(page, dpi, "L")
            b = render_page(ch.page, dpi, "L")
            bbox = ImageChops.difference(a, b).getbbox()
            k = dpi / 25.4
            x, y, w, h = ch.box_mm
            inside = bbox is not None and (bbox[0] >= x * k - 2 and bbox[1] >= y * k - 2 and bbox[2] <= (x + w) * k + 2
                                           and bbox[3] <= (y + h) * k + 2)
            check(inside, f"{ch.kind} {ch.electronic!r}->{ch.paper!r}: changed pixels {bbox} inside box "
                          f"{tuple(round(v * k) for v in (x, y, x + w, y + h))}")


def scan_mapping() -> None:
    page = Page(210, 297, [Box(100, 60, 12, 12, 0, fill=(0, 0, 0))], "probe")
    rng = random.Random(5)
    for name, scan in (("flatbed", flatbed(page, rng, dpi=200, grey=True, noise=0.0)),
                       ("flatbed A5 on A4", flatbed(Page(148, 210, page.items, "probe"), rng, dpi=150, grey=True,
                                                    noise=0.0, bed=(210, 297))),
                       ("phone", phone(page, rng)),
                       ("flatbed turned 90°", rotate_quarter(flatbed(page, rng, dpi=150, grey=True, noise=0.0), 1))):
        g = np.asarray(scan.image.convert("L")).astype(np.float32)
        # the probe is the darkest blob; phone desks are dark too, so look near the prediction
        px, py = scan.to_px(106, 66)
        r = 60
        y0, x0 = max(0, int(py) - r), max(0, int(px) - r)
        win = g[y0:int(py) + r, x0:int(px) + r]
        ys, xs = np.nonzero(win < 90)
        found = (x0 + xs.mean(), y0 + ys.mean()) if len(xs) else (float("nan"), float("nan"))
        err = float(np.hypot(found[0] - px, found[1] - py))
        check(err < 3.0, f"{name}: probe centre found {err:.2f} px from where the mapping puts it")


def receipt_qr() -> None:
    try:
        import zxingcpp
    except ImportError:
        check(False, "zxing-cpp is installed (tools/requirements.txt)")
        return
    d = forms.make_dossier(random.Random(3))
    for seed in range(3):
        s = flatbed(forms.bien_nhan(d)[0], random.Random(seed), dpi=200)
        res = zxingcpp.read_barcodes(s.image, formats=zxingcpp.BarcodeFormat.QRCode)
        texts = [r.text for r in res]
        check(any(d.code in t for t in texts), f"receipt QR read from a 200-dpi scan (seed {seed}) holds {d.code}")


def tiff_roundtrip() -> None:
    from .scan import tiff_deflate_bytes
    import io

    rng = np.random.default_rng(3)
    pages = [(Image.fromarray(rng.integers(0, 256, (70, 50), dtype=np.uint8)), 150.0),
             (Image.fromarray(rng.integers(0, 256, (130, 41, 3), dtype=np.uint8)), 200.0)]
    with Image.open(io.BytesIO(tiff_deflate_bytes(pages))) as im:
        ok = im.n_frames == 2
        for i, (src, dpi) in enumerate(pages):
            im.seek(i)
            ok &= im.mode == src.mode and np.array_equal(np.asarray(im), np.asarray(src))
            ok &= tuple(round(v) for v in im.info.get("dpi", (0, 0))) == (dpi, dpi)
    check(ok, "multi-page Deflate TIFF (grey + RGB pages, own dpi each) reads back pixel for pixel")


def _page_count(path: Path) -> int:
    if path.suffix == ".pdf":
        return len(pdfium.PdfDocument(path))
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def corpus_consistency(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        corpus.main(["--out", str(out), "--cases", str(n), "--seed", "7"])
        for case in sorted(p for p in out.iterdir() if p.is_dir()):
            t = json.loads((case / "truth.json").read_text(encoding="utf-8"))
            np_, ne = _page_count(case / t["paper"]["file"]), _page_count(case / "electronic.pdf")
            ok = np_ == t["paper"]["pages"] and ne == t["electronic"]["pages"]
            e_seen = [e["electronic_page"] for e in t["pages"] if e["electronic_page"] is not None]
            p_seen = [e["paper_page"] for e in t["pages"] if e["paper_page"] is not None]
            ok &= sorted(e_seen) == list(range(1, ne + 1)) and sorted(p_seen) == list(range(1, np_ + 1))
            boxes_ok = True
            for e in t["pages"]:
                for r in e.get("regions", []):
                    boxes_ok &= (0 <= r["x"] and 0 <= r["y"] and r["w"] > 0 and r["h"] > 0 and r["x"] + r["w"] <= 1
                                 and r["y"] + r["h"] <= 1)
            diff = [e for e in t["pages"] if e["status"] == "different"]
            ok &= (t["kind"] in ("digit", "diacritic", "name")) == (len(diff) == 1)
            ok &= all(len(e["regions"]) == 1 and e["text"][0]["electronic"] != e["text"][0]["paper"] for e in diff)
            ok &= (t["verdict"] == "match") == all(e["status"] == "same" for e in t["pages"])
            ok &= (t["verdict"] == "match") == (t["kind"] in ("rescan", "reordered"))
            check(ok and boxes_ok, f"corpus {t['id']} ({t['kind']}, {t['tier']}, {t['electronic_kind']}): "
                                   f"pages {np_}/{ne}, pairs and boxes consistent")


def fixtures_reproducible() -> None:
    from . import fixtures

    committed = Path(__file__).resolve().parents[2] / "fixtures"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fixtures"
        fixtures.generate(out)
        new = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        # fixtures/lifecycle/ is written by tools.gen.lifecycle, whose XLSX files
        # carry openpyxl's timestamps; it is checked by the lifecycle tests instead.
        old = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*")
               if p.is_file() and p.relative_to(committed).parts[0] != "lifecycle"}
        differ = sorted(str(k) for k in set(new) | set(old) if new.get(k) != old.get(k))
        check(not differ, f"fixtures regenerate byte for byte ({len(new)} files) {differ[:3]}")
        total = sum(len(v) for v in new.values())
        # 9 MiB: the phone tier's fixtures, two pages photographed (compare/photo_digit, 1.5 MB), an
        # A5 receipt (compare/photo_receipt, 0.5 MB) and a photo against a scanned copy
        # (compare/photo_mark_sibling, 1.1 MB), a 150-dpi scan in near-lossless JPEG
        # (compare/coarse_scan_mark, 0.9 MB), and a scan against a scanned copy (compare/scan_mark_in_place,
        # 1.0 MB).
        check(total <= 9 * 1024 * 1024, f"fixtures total {total:,} bytes <= 9 MiB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Self-checks of tools/gen.")
    ap.add_argument("--skip-fixtures", action="store_true")
    ap.add_argument("--corpus-cases", type=int, default=16)
    a = ap.parse_args(argv)
    layout_agreement()
    change_inside_box()
    scan_mapping()
    receipt_qr()
    tiff_roundtrip()
    corpus_consistency(a.corpus_cases)
    if not a.skip_fixtures:
        fixtures_reproducible()
    print(f"\n{len(FAILURES)} failed" if FAILURES else "\nall checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
