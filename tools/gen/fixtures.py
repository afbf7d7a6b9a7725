"""The committed fixtures under fixtures/: dossier imports, electronic copies, paper scans, bad files.

    python -m tools.gen.fixtures [--out fixtures]

Everything derives from fixed seeds and fixed dates, and PDFs carry a fixed
creation date, so a rerun writes identical bytes. ``fixtures/README.md`` and
``fixtures/paper/truth.json`` (written here too) say what every file is and
what is true about it. Scans are 150–200 dpi, JPEG quality about 75, so the
whole set stays within a few MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import struct
import sys
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

from PIL import Image

from . import corpus, forms
from .layout import draw_page_pdf, new_pdf, norm_box, pdf_bytes
from .mutate import change_word
from .scan import flatbed, jpeg, pdf_from_parts, write_jpeg, write_png, write_tiff

CODES = [f"{forms.AGENCY}-221125-{i:04d}" for i in (1, 2, 3)]
SINGLE_CODE = f"{forms.AGENCY}-221128-0004"
EXTRA_CSV_CODE = f"{forms.AGENCY}-221128-0005"
JPEG_Q = 75
# Corpus cases copied to fixtures/compare/: folder -> (seed, index).
CORPUS_CASES = {"mark_swap": (3, 114), "photo_digit": (1, 81), "photo_receipt": (3, 90),
                "coarse_scan_mark": (5, 114), "scan_mark_in_place": (5, 98), "photo_mark_sibling": (4, 74)}
# Those whose paper is cut to its first page, the scan re-encoded as JPEG (quality 95; the lossless
# scan of two pages is 4.6 MB): a tone mark changed on a 150-dpi scan, which tesseract reads as the
# old one (seed 5, case 114, "Đất" → "Đẫt").
FIRST_PAGE_CASES = {"coarse_scan_mark"}


def _dossiers() -> dict[str, forms.Dossier]:
    """The fixture dossiers; 0001 carries the values quoted in the task and README."""
    out = {}
    times = [datetime(2022, 11, 25, 9, 15, 0), datetime(2022, 11, 25, 10, 2, 41), datetime(2022, 11, 25, 14, 30, 5),
             datetime(2022, 11, 28, 8, 5, 12), datetime(2022, 11, 28, 15, 44, 0)]
    codes = CODES + [SINGLE_CODE, EXTRA_CSV_CODE]
    for i, (code, t) in enumerate(zip(codes, times)):
        rng = random.Random(1000 + i)
        d = forms.make_dossier(rng, received=t, seq=int(code[-4:]))
        out[code] = d
    d1 = out[CODES[0]]
    d1.seller.title = "Ông"
    d1.seller.name = "Nguyễn Văn Đức"
    d1.seller.cccd = "080123456789"
    d1.parcel.thua = "975"
    d1.parcel.to_ban_do = "12"
    d1.parcel.area = "120,5"
    d1.parcel.address = "ấp Bình Hòa, xã Mỹ Yên, huyện Bến Lức, tỉnh Long An"
    return out


def _portal_record(d: forms.Dossier, files: list[dict], status: str) -> dict:
    return {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure,
        "SoBienNhan": d.receipt_no,
        "NgayTiepNhan": d.received.strftime("%Y%m%d%H%M%S"),
        "HoTenNguoiNop": d.seller.name,
        "SoCCCD": d.seller.cccd,
        "TrangThai": status,
        # a field the importer does not know: it must be kept as it is
        "ThongTinMoRong": {"KenhNop": "TrucTiep", "NhanKetQuaQuaBuuChinh": False, "GhiChu": "Hồ sơ đất đai"},
        "TaiLieuNop": files,
    }


def _file_entry(file_id: int, code: str, comp: str, with_path: bool = True, deleted: bool = False,
                name: str | None = None) -> dict:
    name = name or f"{code}_{comp}.pdf"
    e = {"TepDinhKemId": file_id, "TenTepDinhKem": name, "MaThanhPhanHoSo": comp}
    if with_path:
        e["DuongDanTaiTepTin"] = f"electronic/{name}"
    e["IsDeleted"] = deleted
    return e


def _posterize(img: Image.Image, levels: int) -> Image.Image:
    """Fewer grey levels (as a copier's text mode gives), so lossless pages stay small."""
    step = 256 // levels
    return img.point([min(255, (v // step) * 255 // (levels - 1)) for v in range(256)])


def _huge_png() -> bytes:
    """A valid PNG whose IHDR declares 50000x50000 grey pixels; the CRCs are right."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 50000, 50000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64, 9)  # a few scanlines' worth; decoders must stop at the size check first
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def generate(out: Path) -> dict:
    if out.exists():
        for sub in ("portal", "paper", "images", "bad", "receipts", "compare"):
            shutil.rmtree(out / sub, ignore_errors=True)
    portal = out / "portal"
    electronic = portal / "electronic"
    paper = out / "paper"
    images = out / "images"
    bad = out / "bad"
    receipts = out / "receipts"
    for p in (electronic, paper, images, bad, receipts):
        p.mkdir(parents=True, exist_ok=True)

    ds = _dossiers()
    d1, d2, d3 = (ds[c] for c in CODES)
    truth: dict = {"files": {}}

    # ---- electronic copies (born-digital), one PDF per component
    comp_pages: dict[tuple[str, str], list] = {}
    for code in CODES:
        for comp in ("TP1", "TP2", "TP3", "TP4"):
            pages = forms.component_pages(ds[code], comp)
            comp_pages[(code, comp)] = pages
    # 0002 TP4 has no DuongDanTaiTepTin: its file sits beside the JSON, found by TenTepDinhKem
    for (code, comp), pages in comp_pages.items():
        target = portal if (code, comp) == (CODES[1], "TP4") else electronic
        (target / f"{code}_{comp}.pdf").write_bytes(pdf_bytes(pages))
    single_pages = forms.gcn(ds[SINGLE_CODE])
    (electronic / f"{SINGLE_CODE}_TP3.pdf").write_bytes(pdf_bytes(single_pages))
    # 0003: an older TP1 upload the portal marks as deleted
    (electronic / f"{CODES[2]}_TP1_cu.pdf").write_bytes(pdf_bytes(comp_pages[(CODES[2], "TP1")][:1]))

    # ---- portal JSON
    fid = 5001
    records = []
    statuses = ["Đang xử lý", "Đã tiếp nhận", "Chờ bổ sung"]
    for n, code in enumerate(CODES):
        files = []
        for comp in ("TP1", "TP2", "TP3", "TP4"):
            files.append(_file_entry(fid, code, comp, with_path=not (code == CODES[1] and comp == "TP4")))
            fid += 1
        if code == CODES[2]:
            files.append(_file_entry(fid, code, "TP1", deleted=True, name=f"{code}_TP1_cu.pdf"))
            fid += 1
        records.append(_portal_record(ds[code], files, statuses[n]))
    (portal / "dossiers.json").write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    single = _portal_record(ds[SINGLE_CODE], [_file_entry(6001, SINGLE_CODE, "TP3")], "Đã tiếp nhận")
    (portal / "single.json").write_text(json.dumps(single, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    # ---- CSV dossier list
    header = "MaHoSo,MaTTHC,SoBienNhan,NgayTiepNhan,HoTenNguoiNop,SoCCCD,TrangThai"
    rows = []
    for code, status in zip(CODES + [SINGLE_CODE, EXTRA_CSV_CODE],
                            statuses + ["Đã tiếp nhận", "Đã trả kết quả"]):
        d = ds[code]
        rows.append(",".join([d.code, d.procedure, d.receipt_no, d.received.strftime("%Y%m%d%H%M%S"), d.seller.name,
                              d.seller.cccd, status]))
    (portal / "dossiers.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")

    bad_rows = [
        f"{forms.AGENCY}-221129-0011,1.004227,2211290011,20221129080000,Trần Thị Thu Hằng,080195001122,Đã tiếp nhận",
        f"{forms.AGENCY}-221129-0012,1.004227,2211290012,20221129081500,Lê Hữu Phước,080084003344,Đã tiếp nhận",
        ",1.004227,2211290013,20221129083000,Đặng Văn Lực,080072005566,Đã tiếp nhận",
        "H38.22.08-221129-0014,1.013831.H38,2211290014,20221129090000,Phạm Thị Ngọc Ánh,080186007788,Đã tiếp nhận",
        f"{forms.AGENCY}-221129-0015,1.004227,2211290015,29-11-2022 09:30,Võ Minh Tường,080091009900,Đã tiếp nhận",
        f"{forms.AGENCY}-221129-0016,1.004227,2211290016,20221129100000,Hồ Thị Diễm,080193002211,Đã tiếp nhận",
    ]
    (portal / "bad_rows.csv").write_text(header + "\n" + "\n".join(bad_rows) + "\n", encoding="utf-8")
    ok = ds[EXTRA_CSV_CODE]
    bad_json = [
        _portal_record(ok, [_file_entry(7001, ok.code, "TP3", name=f"{SINGLE_CODE}_TP3.pdf")], "Đã tiếp nhận"),
        {k: v for k, v in _portal_record(d2, [], "Đã tiếp nhận").items() if k != "MaHoSo"},
        _portal_record(d3, [_file_entry(7002, d3.code, "TP2", name=f"{d3.code}_TP2_khong_ton_tai.pdf")], "Đã tiếp nhận"),
    ]
    (portal / "bad_rows.json").write_text(json.dumps(bad_json, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    # ---- paper scans
    def scans_of(pages, seed, dpi=150, grey=True, noise=1.0, levels=None):
        rng = random.Random(seed)
        out = [flatbed(p, rng, dpi=dpi, grey=grey, noise=noise) for p in pages]
        if levels:
            for s in out:
                s.image = _posterize(s.image, levels)
        return out

    # 0001 TP1: JPEG pages, matches
    p = comp_pages[(CODES[0], "TP1")]
    sc = scans_of(p, 11)
    (paper / f"{CODES[0]}_TP1_scan.pdf").write_bytes(pdf_from_parts([("jpeg", (s.image, s.dpi, JPEG_Q)) for s in sc]))
    truth["files"][f"paper/{CODES[0]}_TP1_scan.pdf"] = {"verdict": "match", "electronic": f"portal/electronic/{CODES[0]}_TP1.pdf",
                                                        "pages": [[1, 1, "same"], [2, 2, "same"]]}
    # 0001 TP2: JPEG pages, one digit changed on page 2 (Diện tích 120,5 -> 126,5)
    p = list(comp_pages[(CODES[0], "TP2")])
    t = next(x for x in p[1].texts() if x.field == "dien_tich")
    ch = change_word(p[1], t, 0, len("120,5"), "126,5", "digit")
    assert t.text.startswith("120,5")
    changed = [p[0], ch.page, p[2]]
    sc = scans_of(changed, 12)
    (paper / f"{CODES[0]}_TP2_scan.pdf").write_bytes(pdf_from_parts([("jpeg", (s.image, s.dpi, JPEG_Q)) for s in sc]))
    region = norm_box(ch.box_mm, p[1])
    truth["files"][f"paper/{CODES[0]}_TP2_scan.pdf"] = {
        "verdict": "mismatch", "electronic": f"portal/electronic/{CODES[0]}_TP2.pdf",
        "pages": [[1, 1, "same"], [2, 2, "different"], [3, 3, "same"]],
        "changes": [{"paper_page": 2, "electronic_page": 2, "regions": [region],
                     "text": [{"electronic": "120,5", "paper": "126,5"}],
                     "line": {"electronic": t.text, "paper": ch.new.text}}],
    }
    # 0002 TP1: page 2 missing
    p = comp_pages[(CODES[1], "TP1")]
    sc = scans_of(p[:1], 21)
    (paper / f"{CODES[1]}_TP1_scan.pdf").write_bytes(pdf_from_parts([("jpeg", (s.image, s.dpi, JPEG_Q)) for s in sc]))
    truth["files"][f"paper/{CODES[1]}_TP1_scan.pdf"] = {"verdict": "mismatch", "electronic": f"portal/electronic/{CODES[1]}_TP1.pdf",
                                                        "pages": [[1, 1, "same"], [None, 2, "missing_from_paper"]]}
    # 0002 TP2: 3-page TIFF (Deflate, grey), matches
    p = comp_pages[(CODES[1], "TP2")]
    sc = scans_of(p, 22, noise=0.0, levels=16)
    write_tiff(paper / f"{CODES[1]}_TP2_scan.tiff", [(s.image, s.dpi) for s in sc])
    truth["files"][f"paper/{CODES[1]}_TP2_scan.tiff"] = {"verdict": "match", "electronic": f"portal/electronic/{CODES[1]}_TP2.pdf",
                                                         "pages": [[1, 1, "same"], [2, 2, "same"], [3, 3, "same"]]}
    # 0002 TP3: single PNG page, matches
    p = comp_pages[(CODES[1], "TP3")]
    sc = scans_of(p, 23, noise=0.0, levels=16)
    write_png(paper / f"{CODES[1]}_TP3_scan.png", sc[0].image, sc[0].dpi)
    truth["files"][f"paper/{CODES[1]}_TP3_scan.png"] = {"verdict": "match", "electronic": f"portal/electronic/{CODES[1]}_TP3.pdf",
                                                        "pages": [[1, 1, "same"]]}
    # 0003 TP1: Flate (lossless) image pages, matches
    p = comp_pages[(CODES[2], "TP1")]
    sc = scans_of(p, 31, noise=0.0, levels=16)
    (paper / f"{CODES[2]}_TP1_scan.pdf").write_bytes(pdf_from_parts([("flate", (s.image, s.dpi)) for s in sc]))
    truth["files"][f"paper/{CODES[2]}_TP1_scan.pdf"] = {"verdict": "match", "electronic": f"portal/electronic/{CODES[2]}_TP1.pdf",
                                                        "pages": [[1, 1, "same"], [2, 2, "same"]]}
    # 0003 TP2: byte-identical copy of the electronic file
    shutil.copyfile(electronic / f"{CODES[2]}_TP2.pdf", paper / f"{CODES[2]}_TP2_copy.pdf")
    truth["files"][f"paper/{CODES[2]}_TP2_copy.pdf"] = {"verdict": "match", "byte_identical": True,
                                                        "electronic": f"portal/electronic/{CODES[2]}_TP2.pdf",
                                                        "pages": [[1, 1, "same"], [2, 2, "same"], [3, 3, "same"]]}
    # 0003 TP4: mixed PDF, page 1 scanned (JPEG), page 2 born-digital, matches
    p = comp_pages[(CODES[2], "TP4")]
    sc = scans_of(p[:1], 34)
    (paper / f"{CODES[2]}_TP4_mixed.pdf").write_bytes(
        pdf_from_parts([("jpeg", (sc[0].image, sc[0].dpi, JPEG_Q)), ("page", p[1])]))
    truth["files"][f"paper/{CODES[2]}_TP4_mixed.pdf"] = {"verdict": "match", "electronic": f"portal/electronic/{CODES[2]}_TP4.pdf",
                                                         "pages": [[1, 1, "same"], [2, 2, "same"]],
                                                         "page_kinds": ["scanned_jpeg", "born_digital"]}
    for v in truth["files"].values():
        v["pages"] = [{"paper_page": a, "electronic_page": b, "status": s} for a, b, s in v["pages"]]
    (paper / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # ---- loose images
    rng = random.Random(41)
    s = flatbed(comp_pages[(CODES[0], "TP3")][0], rng, dpi=150, grey=True, noise=1.0)
    write_jpeg(images / "scan_gcn_150dpi.jpg", s.image, 150, JPEG_Q)
    s = flatbed(comp_pages[(CODES[0], "TP4")][0], rng, dpi=150, grey=True, noise=0.0)
    write_png(images / "scan_cccd_150dpi.png", _posterize(s.image, 16), 150)
    tiff_pages = comp_pages[(CODES[0], "TP4")] + comp_pages[(CODES[0], "TP3")]
    sc = [flatbed(pg, rng, dpi=150, grey=True, noise=0.0) for pg in tiff_pages]
    write_tiff(images / "scan_3p_150dpi.tiff", [(_posterize(x.image, 16), 150) for x in sc])

    # ---- bad files
    good_pdf = (electronic / f"{CODES[0]}_TP3.pdf").read_bytes()
    garbage = random.Random(51).randbytes(4096)
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + garbage)
    (bad / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    (bad / "huge.png").write_bytes(_huge_png())
    small = flatbed(comp_pages[(CODES[0], "TP4")][0], random.Random(52), dpi=72, grey=True, noise=1.0).image
    small_jpg = jpeg(small, 60, 72)
    (bad / "jpeg_named.pdf").write_bytes(small_jpg)
    (bad / "truncated.jpg").write_bytes(small_jpg[: len(small_jpg) // 2])
    (bad / "empty.pdf").write_bytes(b"")
    enc = new_pdf()
    enc.set_encryption(owner_password="chu-so-huu", user_password="secret")
    draw_page_pdf(enc, comp_pages[(CODES[0], "TP3")][0])
    (bad / "encrypted.pdf").write_bytes(bytes(enc.output()))

    # ---- receipt Mẫu 01 with its QR at the top left, 200 dpi, noisy
    rec = forms.bien_nhan(d1)[0]
    s = flatbed(rec, random.Random(61), dpi=200, grey=False)
    write_jpeg(receipts / "bien_nhan_mau01_200dpi.jpg", s.image, 200, JPEG_Q)
    (receipts / "bien_nhan_mau01.pdf").write_bytes(pdf_bytes([rec]))
    qr = next(it for it in rec.items if getattr(it, "payload", None))
    receipt_truth = {"dossier": d1.code, "qr_payload": qr.payload,
                     "qr_box_mm": [qr.x, qr.y, qr.size, qr.size], "page_mm": [rec.width, rec.height],
                     "scan": s.params}
    (receipts / "truth.json").write_text(json.dumps(receipt_truth, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")

    # ---- corpus cases the engine must get right: a tone mark swapped in its place on a scan, which
    # only OCR settles (seed 3, case 114); a digit changed on a phone photo (seed 1, case 81); a tone
    # mark swapped on a sharp phone photo of an A5 receipt, read by OCR (seed 3, case 90); a tone mark
    # changed on a 150-dpi scan, which OCR must not read away (seed 5, case 114, paper page 1); a tone
    # mark swapped in its place on a scan against a scanned copy, which only the residue map finds
    # (seed 5, case 98); a tone mark changed on a phone photo, which only the comparison with the
    # photo's other copies of the glyph finds (seed 4, case 74)
    for folder, (seed, index) in CORPUS_CASES.items():
        dest = out / "compare" / folder
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            corpus.make_case(Path(tmp), index, seed)
            case = Path(tmp) / f"c{index:04d}"
            if folder in FIRST_PAGE_CASES:
                _first_page(case, dest)
                continue
            for name in ("paper.pdf", "electronic.pdf", "truth.json"):
                shutil.copyfile(case / name, dest / name)

    write_readme(out, ds, truth, receipt_truth, region)
    return truth


def _first_page(case: Path, dest: Path) -> None:
    """A corpus case with its paper cut to the first page: the scan (one image filling the page) as
    a JPEG PDF at its own resolution, the electronic copy whole, so its later pages are missing on
    paper in the truth."""
    import pypdfium2 as pdfium

    truth = json.loads((case / "truth.json").read_text(encoding="utf-8"))
    dpi = truth["paper_scans"][0]["dpi"]
    paper = pdfium.PdfDocument(case / "paper.pdf")
    scan = next(o for o in paper[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
    img = scan.get_bitmap(render=False).to_pil()
    (dest / "paper.pdf").write_bytes(pdf_from_parts([("jpeg", (img, dpi, 95))]))
    # The electronic copy whole: PDFium's saving of one page is not byte for byte repeatable.
    shutil.copyfile(case / "electronic.pdf", dest / "electronic.pdf")
    truth["paper"]["pages"] = 1
    truth["paper"]["format"], truth["paper"]["jpeg_quality"] = "pdf_jpeg", 95
    truth["paper_scans"] = truth["paper_scans"][:1]
    # In the corpus' order: electronic pages (paired or missing), then paper pages left unpaired. An
    # electronic page paired with a later paper page is now missing; later paper pages are gone.
    pages = []
    for p in truth["pages"]:
        if p.get("paper_page") in (None, 1):
            pages.append(p)
        elif p.get("electronic_page") is not None:
            pages.append({"paper_page": None, "electronic_page": p["electronic_page"], "status": "missing_from_paper"})
    truth["pages"] = pages
    truth["verdict"] = "match" if all(p["status"] == "same" for p in truth["pages"]) else "mismatch"
    (dest / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_readme(out: Path, ds: dict, truth: dict, receipt: dict, region: dict) -> None:
    d1 = ds[CODES[0]]
    # fixtures/lifecycle/ is written by tools.gen.lifecycle: not listed here,
    # so the README is the same whether or not it sits beside these files.
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "README.md"
                   and p.relative_to(out).parts[0] != "lifecycle")
    listing = "\n".join(f"| `{p.relative_to(out)}` | {p.stat().st_size:,} | `{_sha(p)[:16]}` |" for p in files)
    total = sum(p.stat().st_size for p in files)
    text = f"""# Fixtures

Generated by `python -m tools.gen.fixtures` (see `tools/gen/README.md`); do not edit by hand.
A rerun writes the same bytes. Total size: {total:,} bytes.

All dossiers are land-use right transfers (đăng ký biến động, chuyển nhượng; procedure `1.004227`).
Components: `TP1` application form Mẫu 09/ĐK (2 pages), `TP2` notarised transfer contract (3 pages),
`TP3` land-use right certificate GCN (1 page), `TP4` copies of both parties' identity cards (2 pages).

## portal/ — national-portal exports

- `dossiers.json`: an ARRAY of 3 dossiers `{CODES[0]}`, `{CODES[1]}`, `{CODES[2]}` with
  `MaHoSo`, `MaTTHC`, `SoBienNhan`, `NgayTiepNhan` (`yyyyMMddHHmmss`), `HoTenNguoiNop`, `SoCCCD`, `TrangThai`,
  the unknown field `ThongTinMoRong` (an object; importers must keep it), and `TaiLieuNop[]`
  (`TepDinhKemId`, `TenTepDinhKem`, `MaThanhPhanHoSo`, `DuongDanTaiTepTin`, `IsDeleted`).
  - `{CODES[1]}` `TP4` has NO `DuongDanTaiTepTin`: its file `{CODES[1]}_TP4.pdf` lies beside the JSON
    (resolve `TenTepDinhKem` relative to the JSON file).
  - `{CODES[2]}` has a fifth entry, an older `TP1` upload (`{CODES[2]}_TP1_cu.pdf`, 1 page) with
    `IsDeleted: true`; the file exists.
  - Dossier 0001's applicant: {d1.seller.name}, CCCD {d1.seller.cccd}; parcel: thửa {d1.parcel.thua},
    tờ bản đồ {d1.parcel.to_ban_do}, {d1.parcel.area} m², {d1.parcel.address}.
- `single.json`: ONE dossier as an object (not an array): `{SINGLE_CODE}`, one file (`TP3`).
- `electronic/*.pdf`: born-digital PDFs (embedded Noto Serif / DejaVu, real Vietnamese text layer),
  one per dossier and component, named `<MaHoSo>_<TP>.pdf`.
- `dossiers.csv`: header `MaHoSo,MaTTHC,SoBienNhan,NgayTiepNhan,HoTenNguoiNop,SoCCCD,TrangThai`, 5 rows: the 3
  dossiers above, `{SINGLE_CODE}` and `{EXTRA_CSV_CODE}`.
- `bad_rows.csv`: 6 rows (file lines 2–7):
  - line 4: EMPTY `MaHoSo` → bad;
  - line 5: agency code of an odd shape (`H38.22.08-221129-0014`, procedure `1.013831.H38`) → accept and FLAG;
  - line 6: `NgayTiepNhan` = `29-11-2022 09:30`, not `yyyyMMddHHmmss` → bad;
  - lines 2, 3, 7: good.
  Without `--skip-invalid` nothing is imported; with it, 4 rows are (one flagged).
- `bad_rows.json`: an array of 3: [0] good (`{EXTRA_CSV_CODE}`, its file `electronic/{SINGLE_CODE}_TP3.pdf`);
  [1] lacks `MaHoSo`; [2] `{CODES[2]}` whose `TaiLieuNop` points at `electronic/{CODES[2]}_TP2_khong_ton_tai.pdf`,
  which does not exist.

## paper/ — scans of the paper copies (dossier code in the file name)

Grey, 150 dpi, flatbed rescans (rotation up to ±2°, scale ±3 %, shift, blur, light noise, paper tone), JPEG
q{JPEG_Q} unless said otherwise. Lossless pages (TIFF, PNG, Flate) have no added noise and 16 grey levels, to keep
the committed set small. `truth.json` has the same facts as JSON (page pairs in the shape of `doisoat compare --json`).

| file | electronic copy | truth |
|---|---|---|
| `{CODES[0]}_TP1_scan.pdf` | `{CODES[0]}_TP1.pdf` | MATCH: 2 JPEG pages, rescan noise only |
| `{CODES[0]}_TP2_scan.pdf` | `{CODES[0]}_TP2.pdf` | MISMATCH: page 2 `Diện tích: 120,5 m²` → `126,5 m²`; region on electronic page 2: x={region['x']}, y={region['y']}, w={region['w']}, h={region['h']}; pages 1 and 3 same |
| `{CODES[1]}_TP1_scan.pdf` | `{CODES[1]}_TP1.pdf` | MISMATCH: 1 page; electronic page 2 is missing from paper |
| `{CODES[1]}_TP2_scan.tiff` | `{CODES[1]}_TP2.pdf` | MATCH: 3-page TIFF (Deflate, grey, 150 dpi) |
| `{CODES[1]}_TP3_scan.png` | `{CODES[1]}_TP3.pdf` | MATCH: single PNG page (150 dpi) |
| `{CODES[2]}_TP1_scan.pdf` | `{CODES[2]}_TP1.pdf` | MATCH: 2 pages as Flate (lossless) images |
| `{CODES[2]}_TP2_copy.pdf` | `{CODES[2]}_TP2.pdf` | MATCH and BYTE-IDENTICAL to the electronic file |
| `{CODES[2]}_TP4_mixed.pdf` | `{CODES[2]}_TP4.pdf` | MATCH: mixed PDF, page 1 a scanned JPEG, page 2 born-digital text |

Components without paper (for "paper copy missing"): 0001 TP3, TP4; 0002 TP4; 0003 TP3.

## images/ — loose scans

- `scan_gcn_150dpi.jpg`: dossier 0001 TP3 page as a JPEG scan, 150 dpi in JFIF.
- `scan_cccd_150dpi.png`: dossier 0001 TP4 page 1 as a PNG scan (16 grey levels), 150 dpi in pHYs.
- `scan_3p_150dpi.tiff`: a 3-page TIFF (Deflate, 16 grey levels, 150 dpi): dossier 0001 TP4 pages 1–2, then TP3.

## bad/ — each must give a clear error naming the file, exit code 2

- `corrupt.pdf`: a valid `%PDF-1.7` header followed by 4 KiB of garbage.
- `truncated.pdf`: the first half of a valid born-digital PDF.
- `truncated.jpg`: the first half of the JPEG in `jpeg_named.pdf`.
- `huge.png`: a valid, tiny PNG (correct CRCs) whose IHDR declares 50000 × 50000 px, 8-bit grey.
- `jpeg_named.pdf`: a JPEG image with a `.pdf` extension.
- `empty.pdf`: 0 bytes.
- `encrypted.pdf`: RC4-128 encrypted PDF, user password `secret` (owner password `chu-so-huu`).

## receipts/ — receipt Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), A5

- `bien_nhan_mau01_200dpi.jpg`: a 200-dpi colour scan with noise, rotation and JPEG q{JPEG_Q}. The file name carries NO dossier code: link it by
  its QR code (top left, about 22 mm), whose payload is
  `{receipt['qr_payload']}`
  → dossier `{receipt['dossier']}`.
- `bien_nhan_mau01.pdf`: the same receipt born-digital.
- `truth.json`: the dossier code, QR payload and QR box in mm.

## compare/ — cases the comparison engine must get right

- `mark_swap/`: case 114 of the corpus of seed 3 (`python -m tools.gen.corpus --seed 3 --first 114 --cases 1`):
  a 150-dpi colour flatbed scan (JPEG, a red stamp) of a 2-page application form against its born-digital copy; on page 1
  "Võ Văn Tần" became "Võ Văn Tấn" (a grave turned into an acute in its place, 11 pt); page 2 is the same.
  `truth.json` has the region on electronic page 1 (x=0.4322, y=0.3443, w=0.0336, h=0.0178) and the line.
- `photo_digit/`: case 81 of the corpus of seed 1 (`python -m tools.gen.corpus --seed 1 --first 81 --cases 1`):
  a 2-page citizen-identity form photographed on a phone (perspective, uneven warm light, about 100 dpi of real
  detail, the PDF stating 72 dpi) against a scanned electronic copy; on page 2 the ID number "080085527771" became
  "080085527271" (one digit, bold); page 1 is the same. `truth.json` has the region on electronic page 2
  (x=0.4402, y=0.1988, w=0.1265, h=0.013).
- `photo_receipt/`: case 90 of the corpus of seed 3 (`python -m tools.gen.corpus --seed 3 --first 90 --cases 1`):
  an A5 receipt photographed on a phone (about 240 pixels to the inch of paper, the PDF stating 72 dpi) against a
  born-digital electronic copy; the officer's name "Nguyễn Thị Bích Ngọc" became "Nguyễn Thị Bĩch Ngọc" (9 pt, an
  acute swapped for a tilde in its place). `truth.json` has the region (x=0.7411, y=0.79, w=0.0476, h=0.0206).
- `coarse_scan_mark/`: case 114 of the corpus of seed 5 (`python -m tools.gen.corpus --seed 5 --first 114
  --cases 1`) with the paper cut to page 1, its lossless scan re-encoded as JPEG (quality 95): a 150-dpi colour
  flatbed scan of page 1 of an application form against its born-digital copy of 2 pages (page 2 is missing on
  paper); "Đất trồng lúa" became "Đẫt trồng lúa" (an acute swapped for a tilde over the circumflex, 11 pt), which
  tesseract reads at that resolution as the electronic text. `truth.json` has the region on electronic page 1
  (x=0.3488, y=0.5867, w=0.0303, h=0.0178).
- `scan_mark_in_place/`: case 98 of the corpus of seed 5 (`python -m tools.gen.corpus --seed 5 --first 98
  --cases 1`): a 200-dpi colour flatbed scan (JPEG) of a one-page land certificate against a scanned electronic
  copy; "Đinh Công Tuấn" became "Đinh Công Tuẩn" (an acute swapped for a hook above the circumflex in its place,
  11 pt), which neither the ink maps nor the grey marks nor tesseract's two readings tell apart.
  `truth.json` has the region (x=0.2801, y=0.2814, w=0.0479, h=0.0179).
- `photo_mark_sibling/`: case 74 of the corpus of seed 4 (`python -m tools.gen.corpus --seed 4 --first 74
  --cases 1`): a one-page land certificate photographed on a phone (about 110 dpi of real detail, the PDF stating
  72 dpi) against a scanned electronic copy; "Nguồn gốc sử dụng" became "Nguồn gộc sử dụng" (the acute above the
  circumflex dropped and a dot put below, 11 pt), which the capture model leaves no clearer than unchanged
  photographed text. `truth.json` has the region (x=0.2337, y=0.5557, w=0.0299, h=0.018).

## Every file

| file | bytes | sha256 (first 16) |
|---|---|---|
{listing}
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write the committed fixtures.")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "fixtures")
    a = ap.parse_args(argv)
    generate(a.out)
    total = sum(p.stat().st_size for p in a.out.rglob("*") if p.is_file())
    print(f"fixtures written to {a.out}: {total:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
