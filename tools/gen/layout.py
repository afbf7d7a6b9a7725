"""Page layouts and their two renderings.

A page layout is a list of items (text runs, lines, boxes, QR codes) placed in
millimetres on a page of a given size. The SAME layout is rendered

* as a born-digital PDF page (fpdf2, embedded TrueType font, real text layer),
* as a raster page (Pillow) at any dpi.

Both renderers place every glyph at the position given by the font's own
advance widths (the ``hmtx`` table, no kerning, no hinting drift), so the two
renderings line up to within a pixel or so. This module also answers where a
piece of text sits (:func:`text_box`) so that generators can say exactly where
a change is.

Coordinates: origin at the page's top-left corner, x to the right, y down, in
mm. A text run's (x, y) is the left end of its baseline.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

MM_PER_INCH = 25.4
PT_PER_MM = 72.0 / MM_PER_INCH

A4 = (210.0, 297.0)
A5 = (148.0, 210.0)

FONT_FILES = {
    "serif": "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "serif-bold": "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
    "serif-italic": "/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}

# Fixed creation date so that regenerated PDFs are byte-identical.
PDF_CREATION_DATE = datetime(2022, 11, 25, 9, 0, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Text:
    """A run of text whose baseline starts at (x, y) mm."""

    x: float
    y: float
    text: str
    font: str = "serif"
    size: float = 11.0  # points
    color: tuple[int, int, int] = (0, 0, 0)
    field: str | None = None  # name of the form field this run holds, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", unicodedata.normalize("NFC", self.text))


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.3  # mm
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    width: float = 0.3  # stroke width in mm; 0 for none
    fill: tuple[int, int, int] | None = None
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class QrCode:
    """A QR symbol whose modules are drawn as filled squares (quiet zone excluded)."""

    x: float
    y: float
    size: float  # side in mm
    payload: str
    field: str | None = "qr"

    def modules(self) -> list[list[bool]]:
        return _qr_matrix(self.payload)


Item = Text | Line | Box | QrCode


@dataclass
class Page:
    """One page layout: size in mm, items, and where ink may be added at the desk."""

    width: float
    height: float
    items: list[Item] = field(default_factory=list)
    kind: str = "page"  # e.g. "don_09dk_p1", "hop_dong_p2", "blank"
    ink_slots: list[tuple[float, float, float, float]] = field(default_factory=list)

    def copy(self) -> Page:
        return Page(self.width, self.height, list(self.items), self.kind, list(self.ink_slots))

    def texts(self) -> list[Text]:
        return [it for it in self.items if isinstance(it, Text)]

    def replace_item(self, old: Item, new: Item) -> Page:
        out = self.copy()
        idx = out.items.index(old)
        out.items[idx] = new
        return out

    def field_items(self, name: str) -> list[Text]:
        return [t for t in self.texts() if t.field == name]


# --------------------------------------------------------------------------
# Font metrics, shared by both renderers.


@dataclass(frozen=True)
class FontMetrics:
    upm: int
    ascent: float  # fraction of the em above the baseline
    descent: float  # fraction of the em below the baseline (positive)
    advances: dict[int, int]  # codepoint -> advance width in font units


@lru_cache(maxsize=None)
def metrics(font: str) -> FontMetrics:
    tt = TTFont(FONT_FILES[font], lazy=True)
    upm = tt["head"].unitsPerEm
    hmtx = tt["hmtx"].metrics
    cmap = tt.getBestCmap()
    advances = {cp: hmtx[name][0] for cp, name in cmap.items()}
    os2 = tt["OS/2"]
    asc = os2.sTypoAscender / upm
    desc = -os2.sTypoDescender / upm
    return FontMetrics(upm=upm, ascent=asc, descent=desc, advances=advances)


def char_advance_mm(ch: str, font: str, size: float) -> float:
    m = metrics(font)
    units = m.advances.get(ord(ch))
    if units is None:
        raise ValueError(f"font {font!r} has no glyph for {ch!r} (U+{ord(ch):04X})")
    return units / m.upm * size / PT_PER_MM


def string_width_mm(text: str, font: str, size: float) -> float:
    return sum(char_advance_mm(ch, font, size) for ch in unicodedata.normalize("NFC", text))


def text_box(t: Text, start: int = 0, end: int | None = None) -> tuple[float, float, float, float]:
    """Box (x, y, w, h) in mm of characters [start:end] of a text run.

    Vertically it spans from above the tallest Vietnamese stacked accents
    down to the descenders, so a changed diacritic is inside it.
    """
    end = len(t.text) if end is None else end
    m = metrics(t.font)
    em = t.size / PT_PER_MM
    x0 = t.x + string_width_mm(t.text[:start], t.font, t.size)
    w = string_width_mm(t.text[start:end], t.font, t.size)
    top = t.y - max(m.ascent, 0.95) * em
    bottom = t.y + m.descent * em
    return (x0, top, w, bottom - top)


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-separated word, trailing punctuation excluded."""
    spans = []
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not text[j].isspace():
            j += 1
        k = j
        while k > i and text[k - 1] in ",.;:()\"'":
            k -= 1
        s = i
        while s < k and text[s] in "(\"'":
            s += 1
        if k > s:
            spans.append((s, k))
        i = j
    return spans


# --------------------------------------------------------------------------
# QR matrix (segno, deterministic for a given payload).


@lru_cache(maxsize=64)
def _qr_matrix(payload: str) -> list[list[bool]]:
    import segno

    qr = segno.make_qr(payload, error="m", boost_error=False)
    return [[bool(v) for v in row] for row in qr.matrix]


# --------------------------------------------------------------------------
# Born-digital PDF rendering.


def new_pdf() -> FPDF:
    """An FPDF with all fonts registered and fixed metadata (byte-stable output)."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creation_date(PDF_CREATION_DATE)
    pdf.set_producer("doisoat tools/gen")
    pdf.set_creator("doisoat tools/gen")
    pdf.set_lang("vi")
    return pdf


def _use_font(pdf: FPDF, name: str, size: float) -> None:
    """Register a font on first use (so image-only PDFs embed none), then select it."""
    if name.lower() not in pdf.fonts:
        pdf.add_font(name, "", FONT_FILES[name])
    pdf.set_font(name, size=size)


def draw_page_pdf(pdf: FPDF, page: Page) -> None:
    """Append one born-digital page for `page` to `pdf`."""
    orientation = "L" if page.width > page.height else "P"
    pdf.add_page(orientation=orientation, format=(min(page.width, page.height), max(page.width, page.height)))
    for it in page.items:
        if isinstance(it, Text):
            _use_font(pdf, it.font, it.size)
            pdf.set_text_color(*it.color)
            pdf.text(it.x, it.y, it.text)
        elif isinstance(it, Line):
            pdf.set_draw_color(*it.color)
            pdf.set_line_width(it.width)
            pdf.line(it.x1, it.y1, it.x2, it.y2)
        elif isinstance(it, Box):
            style = ""
            if it.fill is not None:
                pdf.set_fill_color(*it.fill)
                style += "F"
            if it.width > 0:
                pdf.set_draw_color(*it.color)
                pdf.set_line_width(it.width)
                style = "D" if not style else "DF"
            if style:
                pdf.rect(it.x, it.y, it.w, it.h, style=style)
        elif isinstance(it, QrCode):
            mat = it.modules()
            n = len(mat)
            cell = it.size / n
            pdf.set_fill_color(0, 0, 0)
            for r, row in enumerate(mat):
                c = 0
                while c < n:
                    if row[c]:
                        c2 = c
                        while c2 < n and row[c2]:
                            c2 += 1
                        pdf.rect(it.x + c * cell, it.y + r * cell, (c2 - c) * cell, cell, style="F")
                        c = c2
                    else:
                        c += 1


def pdf_bytes(pages: list[Page]) -> bytes:
    pdf = new_pdf()
    for p in pages:
        draw_page_pdf(pdf, p)
    return bytes(pdf.output())


# --------------------------------------------------------------------------
# Raster rendering.


@lru_cache(maxsize=256)
def _pil_font(font: str, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FILES[font], px, layout_engine=ImageFont.Layout.BASIC)


_GLYPHS: dict = {}


def _draw_glyph(draw: ImageDraw.ImageDraw, f: ImageFont.FreeTypeFont, key: tuple, ch: str, x: float, y: float, ink):
    """Draw one glyph with its baseline-left at (x, y) px; masks cached per quarter-pixel phase."""
    ix, iy = int(x), int(y)
    fx = round((x - ix) * 4) / 4
    fy = round((y - iy) * 4) / 4
    gk = (key, ch, fx, fy)
    hit = _GLYPHS.get(gk)
    if hit is None:
        if len(_GLYPHS) > 200_000:
            _GLYPHS.clear()
        hit = f.getmask2(ch, "L", anchor="ls", start=(fx, fy))
        _GLYPHS[gk] = hit
    mask, off = hit
    draw.draw.draw_bitmap((ix + off[0], iy + off[1]), mask, ink)


def render_page(page: Page, dpi: float, mode: str = "RGB") -> Image.Image:
    """Raster of `page` at `dpi` on white; 1 px = 1/dpi inch, same placement as the PDF."""
    k = dpi / MM_PER_INCH  # px per mm
    w = round(page.width * k)
    h = round(page.height * k)
    img = Image.new(mode, (w, h), "white")
    draw = ImageDraw.Draw(img)

    def col(c: tuple[int, int, int]):
        return c if mode == "RGB" else round(0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2])

    for it in page.items:
        if isinstance(it, Text):
            px = it.size / PT_PER_MM * k
            f = _pil_font(it.font, px)
            x = it.x * k
            y = it.y * k
            ink = draw._getink(col(it.color))[0]
            for ch in it.text:
                if not ch.isspace():
                    _draw_glyph(draw, f, (it.font, px), ch, x, y, ink)
                x += char_advance_mm(ch, it.font, it.size) * k
        elif isinstance(it, Line):
            lw = max(1, round(it.width * k))
            draw.line([(it.x1 * k, it.y1 * k), (it.x2 * k, it.y2 * k)], fill=col(it.color), width=lw)
        elif isinstance(it, Box):
            x0, y0, x1, y1 = it.x * k, it.y * k, (it.x + it.w) * k, (it.y + it.h) * k
            if it.fill is not None:
                draw.rectangle([x0, y0, x1, y1], fill=col(it.fill))
            if it.width > 0:
                lw = max(1, round(it.width * k))
                half = lw / 2
                draw.rectangle([x0 - half, y0 - half, x1 + half, y1 + half], outline=col(it.color), width=lw)
        elif isinstance(it, QrCode):
            mat = it.modules()
            n = len(mat)
            cell = it.size / n * k
            for r, row in enumerate(mat):
                for c, v in enumerate(row):
                    if v:
                        draw.rectangle(
                            [
                                round(it.x * k + c * cell),
                                round(it.y * k + r * cell),
                                round(it.x * k + (c + 1) * cell) - 1,
                                round(it.y * k + (r + 1) * cell) - 1,
                            ],
                            fill=col((0, 0, 0)),
                        )
    return img


def jpeg_bytes(img: Image.Image, quality: int, dpi: float) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=False, subsampling=2 if img.mode == "RGB" else 0)
    return buf.getvalue()


def norm_box(box: tuple[float, float, float, float], page: Page) -> dict[str, float]:
    x, y, w, h = box
    return {
        "x": round(x / page.width, 4),
        "y": round(y / page.height, 4),
        "w": round(w / page.width, 4),
        "h": round(h / page.height, 4),
    }


def write_pdf(path: Path, pages: list[Page]) -> None:
    path.write_bytes(pdf_bytes(pages))


__all__ = [
    "A4",
    "A5",
    "Box",
    "Line",
    "Page",
    "QrCode",
    "Text",
    "draw_page_pdf",
    "jpeg_bytes",
    "new_pdf",
    "norm_box",
    "pdf_bytes",
    "render_page",
    "replace",
    "string_width_mm",
    "text_box",
    "word_spans",
    "write_pdf",
]
