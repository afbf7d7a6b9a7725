"""The labelled comparison corpus: paper vs electronic cases with their truth.

    python -m tools.gen.corpus --out DIR --cases 120 --seed 1 [--jobs 2]

Each case is a folder ``DIR/<case_id>/`` holding ``paper.<pdf|jpg|png|tiff>``,
``electronic.pdf`` and ``truth.json``. The truth has the shape of
``doisoat compare --json`` (../shared/contracts/compare.md) plus metadata.

Kinds (cycled, so they are balanced): rescan, digit, diacritic, name, missing,
extra, reordered, substituted. Tiers: scan (flatbed/feeder) and phone.
Electronic copies are born-digital in half the cases and clean scans in the
other half. Some paper pages carry a red stamp and blue signatures (ink
added at the desk, not a content change), some are turned 90°/180°, some
documents are A5 receipts (scanned on an A4 bed) and some contain a blank page.

Order of ``pages`` in truth: one entry per electronic page in electronic
order (paired, or ``missing_from_paper``), then one entry per unpaired paper
page (``missing_from_electronic``) in paper order.

Every case is derived from ``random.Random(f"{seed}:{index}")``, so a case
is the same whatever ``--cases`` or ``--jobs`` is.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import forms
from .layout import A4, Page, norm_box, pdf_bytes
from .mutate import CHANGERS
from .scan import Scan, flatbed, pdf_from_parts, phone, rotate_quarter, write_jpeg, write_png, write_tiff

KINDS = ["rescan", "digit", "diacritic", "name", "missing", "extra", "reordered", "substituted"]
TIERS = ["scan", "phone"]
ELECTRONIC_KINDS = ["born_digital", "scanned"]

# Documents a case may be made of: name -> builder of its pages from a dossier.
DOCUMENTS = {
    "don_09dk": lambda d: forms.don_09dk(d),
    "hop_dong": lambda d: forms.hop_dong(d),
    "gcn": lambda d: forms.gcn(d),
    "cccd": lambda d: forms.cccd(d),
    "cccd_p1": lambda d: forms.cccd(d)[:1],
    "bien_nhan": lambda d: forms.bien_nhan(d),
    "ho_so": lambda d: forms.don_09dk(d) + forms.gcn(d) + forms.cccd(d)[:1],
    "hop_dong_blank": lambda d: forms.hop_dong(d) + [forms.blank_page()],
    "bien_nhan_cccd": lambda d: forms.bien_nhan(d) + forms.cccd(d)[:1],
    "gcn_blank": lambda d: forms.gcn(d) + [forms.blank_page()],
}
SINGLE = ["gcn", "cccd_p1", "bien_nhan"]
MULTI = ["don_09dk", "hop_dong", "cccd", "ho_so", "hop_dong_blank", "bien_nhan_cccd", "gcn_blank"]


@dataclass
class PaperPage:
    layout: Page
    source: str  # "electronic" | "changed" | "substitute" | "extra"
    electronic_page: int | None  # 1-based partner on the electronic side


def _plan(rng: random.Random, kind: str) -> str:
    if kind in ("missing", "reordered"):
        return rng.choice(MULTI)
    if kind in ("rescan", "extra", "substituted"):
        return rng.choice(MULTI + SINGLE)
    # content changes: any document; weight towards the form-heavy ones
    return rng.choice(MULTI + SINGLE + ["don_09dk", "hop_dong", "gcn"])


def _content_pages(pages: list[Page]) -> list[int]:
    return [i for i, p in enumerate(pages) if p.kind != "blank"]


def _scan_paper(layout: Page, rng: random.Random, tier: str, ink: bool, quarter: int, dpi: int, grey: bool) -> Scan:
    if tier == "phone":
        s = phone(layout, rng, stamp=ink, signature=ink)
    else:
        bed = A4 if (layout.width < A4[0] - 1 and rng.random() < 0.6) else None
        s = flatbed(layout, rng, dpi=dpi, grey=grey, stamp=ink, signature=ink, bed=bed)
    return rotate_quarter(s, quarter)


def make_case(out: Path, index: int, seed: int) -> dict:
    rng = random.Random(f"{seed}:{index}")
    # kinds cycle; within a kind, (tier, electronic kind) cycle with an offset per kind, so every
    # 8 x 15 block is balanced: 60/60 tiers, 60/60 electronic kinds, 15 of each kind
    k = index % len(KINDS)
    m = index // len(KINDS) + k
    kind = KINDS[k]
    tier = TIERS[m % 2]
    ekind = ELECTRONIC_KINDS[(m // 2) % 2]
    case_id = f"c{index:04d}"
    doc = _plan(rng, kind)
    dossier = forms.make_dossier(rng)
    epages = DOCUMENTS[doc](dossier)
    n = len(epages)

    paper: list[PaperPage] = [PaperPage(p, "electronic", i + 1) for i, p in enumerate(epages)]
    change = None
    changed_index = None
    if kind in CHANGERS:
        order = _content_pages(epages)
        rng.shuffle(order)
        for i in order:
            change = CHANGERS[kind](epages[i], rng)
            if change is not None:
                changed_index = i
                break
        if change is None:
            raise RuntimeError(f"{case_id}: no place for a {kind} change in {doc}")
        paper[changed_index] = PaperPage(change.page, "changed", changed_index + 1)
    elif kind == "missing":
        k = rng.choice(_content_pages(epages))  # a page with content goes missing, not a blank back
        del paper[k]
    elif kind == "extra":
        other = forms.make_dossier(rng)
        pool = DOCUMENTS[rng.choice(["gcn", "cccd", "don_09dk", "hop_dong", "bien_nhan"])](other)
        extra = forms.blank_page() if rng.random() < 0.2 else rng.choice(pool)
        paper.insert(rng.randrange(n + 1), PaperPage(extra, "extra", None))
    elif kind == "reordered":
        i, j = rng.sample(range(n), 2)
        paper[i], paper[j] = paper[j], paper[i]
    elif kind == "substituted":
        k = rng.choice(_content_pages(epages))
        other = forms.make_dossier(rng)
        sub = DOCUMENTS[doc](other)[k]
        paper[k] = PaperPage(sub, "substitute", None)

    # ink at the desk, turned pages
    ink = rng.random() < 0.4
    quarters = [0] * len(paper)
    if rng.random() < (0.15 if tier == "scan" else 0.06):
        q = rng.choice([2, 2, 1, 3]) if tier == "scan" else rng.choice([1, 3])
        quarters[rng.randrange(len(paper))] = q

    # one batch, one scanner setting: dpi and colour are per case
    dpi = rng.choice([150, 200, 200, 200, 240, 300])
    grey = (not ink) and rng.random() < 0.4
    scans: list[Scan] = [
        _scan_paper(pp.layout, rng, tier, ink, quarters[i], dpi, grey) for i, pp in enumerate(paper)
    ]
    stamps = any(s.params.get("ink") for s in scans)

    # write the paper file
    case_dir = out / case_id
    case_dir.mkdir(parents=True, exist_ok=True)
    quality = rng.randint(60, 90)
    tiff_compression = None
    if len(scans) == 1 and rng.random() < 0.6:
        fmt = rng.choice(["jpg", "jpg", "png"]) if tier == "phone" else rng.choice(["jpg", "png", "tiff", "pdf_jpeg"])
    elif tier == "phone":
        fmt = rng.choice(["pdf_jpeg", "pdf_jpeg", "tiff"])
    else:
        fmt = rng.choice(["pdf_jpeg", "pdf_jpeg", "pdf_jpeg", "pdf_flate", "tiff"])
    if fmt == "jpg":
        paper_file = "paper.jpg"
        write_jpeg(case_dir / paper_file, scans[0].image, scans[0].dpi, quality)
    elif fmt == "png":
        paper_file = "paper.png"
        write_png(case_dir / paper_file, scans[0].image, scans[0].dpi)
    elif fmt == "tiff":
        paper_file = "paper.tiff"
        # office copiers write colour TIFF pages as JPEG, grey ones losslessly
        tiff_compression = "deflate" if scans[0].image.mode == "L" else "jpeg"
        write_tiff(case_dir / paper_file, [(s.image, s.dpi) for s in scans], tiff_compression, quality)
    elif fmt == "pdf_flate":
        paper_file = "paper.pdf"
        (case_dir / paper_file).write_bytes(pdf_from_parts([("flate", (s.image, s.dpi)) for s in scans]))
    else:
        paper_file = "paper.pdf"
        (case_dir / paper_file).write_bytes(pdf_from_parts([("jpeg", (s.image, s.dpi, quality)) for s in scans]))

    # the electronic file
    escans: list[Scan] | None = None
    if ekind == "born_digital":
        (case_dir / "electronic.pdf").write_bytes(pdf_bytes(epages))
    else:
        edpi = rng.choice([200, 200, 300])
        escans = [flatbed(p, rng, dpi=edpi, mild=True) for p in epages]
        eq = rng.randint(85, 92)
        (case_dir / "electronic.pdf").write_bytes(pdf_from_parts([("jpeg", (s.image, s.dpi, eq)) for s in escans]))

    # truth
    by_e = {pp.electronic_page: i + 1 for i, pp in enumerate(paper) if pp.electronic_page is not None}
    entries = []
    for e in range(1, n + 1):
        p = by_e.get(e)
        if p is None:
            entries.append({"paper_page": None, "electronic_page": e, "status": "missing_from_paper"})
            continue
        entry = {"paper_page": p, "electronic_page": e, "status": "same", "regions": []}
        if change is not None and changed_index == e - 1:
            region = (escans[e - 1].norm_box(change.box_mm) if escans else norm_box(change.box_mm, epages[e - 1]))
            entry.update(status="different", regions=[region],
                         text=[{"electronic": change.electronic, "paper": change.paper}],
                         line={"electronic": change.old.text, "paper": change.new.text},
                         field=change.old.field, font_pt=change.old.size)
        entries.append(entry)
    for i, pp in enumerate(paper):
        if pp.electronic_page is None:
            entries.append({"paper_page": i + 1, "electronic_page": None, "status": "missing_from_electronic",
                            "source": "blank" if pp.layout.kind == "blank" else pp.source})
    verdict = "match" if all(e["status"] == "same" for e in entries) else "mismatch"
    truth = {
        "id": case_id,
        "tier": tier,
        "kind": kind,
        "electronic_kind": ekind,
        "stamps": stamps,
        "verdict": verdict,
        "document": doc,
        "dossier": dossier.code,
        "paper": {"file": paper_file, "format": fmt, "pages": len(paper),
                  "jpeg_quality": quality if fmt in ("jpg", "pdf_jpeg") or tiff_compression == "jpeg" else None,
                  "tiff_compression": tiff_compression},
        "electronic": {"file": "electronic.pdf", "pages": n},
        "paper_scans": [dict(s.params, tier=s.tier, page_kind=pp.layout.kind) for s, pp in zip(scans, paper)],
        "electronic_page_kinds": [p.kind for p in epages],
        "pages": entries,
    }
    (case_dir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"id": case_id, "kind": kind, "tier": tier, "electronic_kind": ekind, "verdict": verdict,
            "stamps": stamps, "paper_pages": len(paper), "electronic_pages": n, "paper_format": fmt}


def _run(args: tuple[str, int, int]) -> dict:
    out, index, seed = args
    return make_case(Path(out), index, seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--cases", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="index of the first case (to extend a corpus)")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    work = [(str(a.out), i, a.seed) for i in range(a.first, a.first + a.cases)]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            rows = list(ex.map(_run, work))
    else:
        rows = []
        for w in work:
            rows.append(_run(w))
            print(f"{rows[-1]['id']} {rows[-1]['kind']:<12} {rows[-1]['tier']:<6} {rows[-1]['electronic_kind']}",
                  file=sys.stderr)
    summary: dict[str, dict[str, int]] = {"kind": {}, "tier": {}, "electronic_kind": {}, "verdict": {}}
    for r in rows:
        for key in summary:
            summary[key][str(r[key])] = summary[key].get(str(r[key]), 0) + 1
    index = {"seed": a.seed, "cases": rows, "summary": summary,
             "stamps": sum(1 for r in rows if r["stamps"]),
             "pages": {"paper": sum(r["paper_pages"] for r in rows),
                       "electronic": sum(r["electronic_pages"] for r in rows)}}
    (a.out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} cases in {time.time() - t0:.1f} s -> {a.out}", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
