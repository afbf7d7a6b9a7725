"""Realistic degradation of page layouts into scans and phone photos, and file writers.

* :func:`flatbed` — flatbed / feeder tier: rotation up to ±2°, scale ±3 %, shift,
  slight blur, sensor noise, paper tone, grey or colour, 150–300 dpi; an A5 page
  can lie in the corner of an A4 bed.
* :func:`phone` — phone tier: perspective (corners moved a few % of the page),
  uneven lighting (gradient and vignette), lower effective resolution, a desk
  around the page.
* :func:`add_ink` — a red round stamp (con dấu) and blue-ink signatures drawn
  into the free ink slots of a layout. Added at the desk, not content.
* Writers: scanned PDF with JPEG (DCTDecode) pages, scanned PDF with Flate
  (lossless) pages, mixed PDFs, PNG, multi-page TIFF and JPEG. Every writer sets
  the dpi so that 1 image px = 1/dpi inch (and the PDF page size to match).

Each degradation returns a :class:`Scan` that knows the forward mapping from
the layout's millimetres to output pixels, so truth boxes can be carried onto
scanned electronic copies. All randomness comes from the ``random.Random``
passed in.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .layout import FONT_FILES, MM_PER_INCH, Page, draw_page_pdf, new_pdf, render_page

INK_RED = (196, 32, 44)
INK_BLUE = (28, 52, 168)


@dataclass
class Scan:
    """A degraded page image and the map from layout mm to its pixels."""

    image: Image.Image
    dpi: float
    homography: np.ndarray  # 3x3: (x_mm, y_mm, 1) -> (px, py, w)
    tier: str
    params: dict

    def to_px(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        v = self.homography @ np.array([x_mm, y_mm, 1.0])
        return (float(v[0] / v[2]), float(v[1] / v[2]))

    def norm_box(self, box: tuple[float, float, float, float]) -> dict[str, float]:
        """A layout box (mm) as a box normalised to this image (axis-aligned hull)."""
        x, y, w, h = box
        pts = [self.to_px(px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        W, H = self.image.size
        x0, x1 = max(0.0, min(xs)), min(float(W), max(xs))
        y0, y1 = max(0.0, min(ys)), min(float(H), max(ys))
        return {"x": round(x0 / W, 4), "y": round(y0 / H, 4), "w": round((x1 - x0) / W, 4), "h": round((y1 - y0) / H, 4)}


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(63))


# --------------------------------------------------------------------------
# Ink added at the desk.


def _stamp(diameter_px: int, rng: random.Random, texts: tuple[str, str]) -> Image.Image:
    """An 'L' alpha mask of a round stamp: two rings, text along the ring, a star."""
    size = diameter_px + 4
    m = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(m)
    c = size / 2
    r = diameter_px / 2
    ring = max(2, round(diameter_px * 0.03))
    d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=ring)
    r2 = r * 0.70
    d.ellipse([c - r2, c - r2, c + r2, c + r2], outline=255, width=max(1, ring // 2))
    # star
    rs = r * 0.22
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else rs * 0.4
        pts.append((c + rr * math.cos(a), c - r * 0.28 + rr * math.sin(a)))
    d.polygon(pts, fill=255)
    # text along the ring
    ring_text = texts[0]
    fpx = max(8, round(diameter_px * 0.085))
    font = ImageFont.truetype(FONT_FILES["sans-bold"], fpx)
    rt = (r + r2) / 2 - fpx * 0.35
    span = math.radians(300)
    n = len(ring_text)
    start = math.pi / 2 + (math.tau - span) / 2  # lower left, then clockwise over the top
    for i, ch in enumerate(ring_text):
        if ch == " ":
            continue
        a = start + span * (i + 0.5) / n
        gx = c + rt * math.cos(a)
        gy = c + rt * math.sin(a)
        g = Image.new("L", (fpx * 2, fpx * 2), 0)
        ImageDraw.Draw(g).text((fpx, fpx), ch, font=font, fill=255, anchor="mm")
        g = g.rotate(270 - math.degrees(a), resample=Image.BICUBIC)
        m.paste(255, (round(gx - fpx), round(gy - fpx)), g)
    # centre line
    cfont = ImageFont.truetype(FONT_FILES["sans-bold"], max(7, round(diameter_px * 0.07)))
    d.text((c, c + r * 0.18), texts[1], font=cfont, fill=255, anchor="mm")
    # uneven ink: mottle the mask
    arr = np.asarray(m).astype(np.float32) / 255.0
    nrng = np.random.default_rng(rng.getrandbits(32))
    mott = nrng.uniform(0.55, 1.0, size=(max(2, size // 12), max(2, size // 12))).astype(np.float32)
    mott_img = Image.fromarray((mott * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC)
    arr *= np.asarray(mott_img).astype(np.float32) / 255.0
    return Image.fromarray((arr * 255).astype(np.uint8)).rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)


def _signature(w_px: int, h_px: int, dpi: float, rng: random.Random) -> Image.Image:
    """An 'L' alpha mask of a handwritten-looking signature scribble."""
    m = Image.new("L", (w_px, h_px), 0)
    d = ImageDraw.Draw(m)
    width = max(2, round(dpi / 90))
    n = rng.randint(2, 4)
    x = w_px * rng.uniform(0.05, 0.2)
    for _ in range(n):
        # one stroke: a wavy loop sequence
        seg_w = w_px * rng.uniform(0.2, 0.35)
        pts = []
        steps = 60
        amp = h_px * rng.uniform(0.18, 0.35)
        freq = rng.uniform(1.5, 3.5)
        phase = rng.uniform(0, math.tau)
        base = h_px * rng.uniform(0.4, 0.6)
        for k in range(steps + 1):
            t = k / steps
            px = x + seg_w * t + amp * 0.35 * math.cos(freq * math.tau * t + phase)
            py = base - amp * math.sin(freq * math.tau * t + phase) * (1 - 0.5 * t)
            pts.append((px, py))
        d.line(pts, fill=255, width=width, joint="curve")
        x += seg_w * rng.uniform(0.7, 1.0)
        if x > w_px * 0.85:
            break
    # underline flourish
    y0 = h_px * rng.uniform(0.7, 0.85)
    d.line([(w_px * 0.1, y0 + 3), (w_px * 0.55, y0 - 2), (w_px * 0.9, y0 - 6)], fill=255, width=width, joint="curve")
    return m.filter(ImageFilter.GaussianBlur(0.6))


def _apply_ink(img: Image.Image, mask: Image.Image, color: tuple[int, int, int], at: tuple[int, int], strength: float):
    """Multiply-blend ink of `color` through `mask` (0..255) at pixel position `at`."""
    x, y = at
    W, H = img.size
    mw, mh = mask.size
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(W, x + mw), min(H, y + mh)
    if x1 <= x0 or y1 <= y0:
        return
    region = np.asarray(img.crop((x0, y0, x1, y1))).astype(np.float32)
    a = np.asarray(mask.crop((x0 - x, y0 - y, x1 - x, y1 - y))).astype(np.float32)[..., None] / 255.0 * strength
    ink = np.array(color, dtype=np.float32) / 255.0
    out = region * (1 - a + a * ink)
    img.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8)), (x0, y0))


def add_ink(img: Image.Image, page: Page, dpi: float, rng: random.Random, stamp: bool, signature: bool) -> bool:
    """Draw a stamp and/or signatures into `page`'s ink slots on its clean raster `img` (RGB). True if drawn."""
    if img.mode != "RGB" or page.kind == "blank":
        return False
    k = dpi / MM_PER_INCH
    if not page.ink_slots:
        if not stamp:
            return False
        # dấu giáp lai: a stamp straddling the right edge of an inner page of a multi-page deed
        diam_mm = 26.0
        st = _stamp(round(diam_mm * k), rng, ("ỦY BAN NHÂN DÂN TỈNH LONG AN", "SỞ TN&MT"))
        cy = page.height * rng.uniform(0.35, 0.65)
        _apply_ink(img, st, INK_RED, (round(page.width * k - st.width / 2), round(cy * k - st.height / 2)), 0.9)
        return True
    drew = False
    slots = list(page.ink_slots)
    if signature:
        for sx, sy, sw, sh in slots:
            w, h = round(sw * 0.8 * k), round(sh * 0.8 * k)
            sig = _signature(w, h, dpi, rng)
            _apply_ink(img, sig, INK_BLUE, (round((sx + sw * 0.1) * k), round((sy + sh * 0.1) * k)), 0.95)
            drew = True
    if stamp:
        sx, sy, sw, sh = slots[-1]
        diam_mm = min(34.0, sh + 6)
        st = _stamp(round(diam_mm * k), rng, ("ỦY BAN NHÂN DÂN TỈNH LONG AN", "SỞ TN&MT"))
        cx = sx + sw * rng.uniform(0.2, 0.35)
        cy = sy + sh / 2
        _apply_ink(img, st, INK_RED, (round(cx * k - st.width / 2), round(cy * k - st.height / 2)), 0.9)
        drew = True
    return drew


# --------------------------------------------------------------------------
# Degradations.


def _affine_fwd(angle_deg: float, scale: float, c_in: tuple[float, float], c_out: tuple[float, float]) -> np.ndarray:
    a = math.radians(angle_deg)
    ca, sa = math.cos(a) * scale, math.sin(a) * scale
    m = np.array([[ca, -sa, 0.0], [sa, ca, 0.0], [0.0, 0.0, 1.0]])
    t_in = np.array([[1, 0, -c_in[0]], [0, 1, -c_in[1]], [0, 0, 1.0]])
    t_out = np.array([[1, 0, c_out[0]], [0, 1, c_out[1]], [0, 0, 1.0]])
    return t_out @ m @ t_in


def _finish(img: Image.Image, nrng: np.random.Generator, blur: float, noise: float, grey: bool) -> Image.Image:
    if blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if grey and img.mode != "L":
        img = img.convert("L")
    if noise <= 0:
        return img
    arr = np.asarray(img, dtype=np.float32)
    # sensor noise, on luminance (the same for each channel of a pixel)
    n = nrng.standard_normal(size=arr.shape[:2], dtype=np.float32) * noise
    if arr.ndim == 3:
        n = n[..., None]
    arr = arr + n
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def flatbed(
    page: Page,
    rng: random.Random,
    dpi: float | None = None,
    grey: bool | None = None,
    stamp: bool = False,
    signature: bool = False,
    mild: bool = False,
    bed: tuple[float, float] | None = None,
    noise: float | None = None,
) -> Scan:
    """A flatbed or feeder scan of `page`.

    `mild` gives the clean-ish scan an office keeps as its electronic copy.
    `bed` (mm) is the scanner's output size; a smaller page lies in its top-left corner.
    """
    nrng = _np_rng(rng)
    if dpi is None:
        dpi = rng.choice([150, 200, 200, 200, 240, 300])
    if mild:
        angle = rng.uniform(-0.5, 0.5)
        scale = 1 + rng.uniform(-0.005, 0.005)
        shift = (rng.uniform(-1, 1), rng.uniform(-1, 1))
        blur = rng.uniform(0.2, 0.5)
        noise_r = rng.uniform(1.0, 3.0)
        tone = (rng.randint(246, 255),) * 3
    else:
        angle = rng.uniform(-2, 2)
        scale = 1 + rng.uniform(-0.03, 0.03)
        shift = (rng.uniform(-4, 4), rng.uniform(-4, 4))
        blur = rng.uniform(0.3, 1.0)
        noise_r = rng.uniform(2.0, 7.0)
        base = rng.randint(232, 252)
        tone = (base, base - rng.randint(0, 5), base - rng.randint(2, 14))
    noise = noise_r if noise is None else float(noise)  # lossless fixtures stay small with little noise
    ink = stamp or signature
    if grey is None:
        grey = False if (ink or mild) else rng.random() < 0.45
    k = dpi / MM_PER_INCH
    clean = render_page(page, dpi, "L" if grey else "RGB")
    drew = add_ink(clean, page, dpi, rng, stamp, signature) if ink else False
    # paper tone: multiply (a lookup table per channel)
    if grey:
        toned = clean.point([round(v * tone[0] / 255) for v in range(256)])
    else:
        toned = clean.point([round(v * t / 255) for t in tone for v in range(256)])
    bw, bh = bed if bed else (page.width, page.height)
    out_w, out_h = round(bw * k), round(bh * k)
    c_in_mm = (page.width / 2, page.height / 2)
    if bed and (bed[0] > page.width + 1 or bed[1] > page.height + 1):
        c_out_mm = (page.width / 2 + 3 + shift[0] / 2, page.height / 2 + 3 + shift[1] / 2)
    else:
        c_out_mm = (bw / 2 + shift[0], bh / 2 + shift[1])
    fwd_mm = _affine_fwd(angle, scale, c_in_mm, c_out_mm)  # mm -> mm
    px_of_mm = np.diag([k, k, 1.0])
    fwd_px = px_of_mm @ fwd_mm @ np.linalg.inv(px_of_mm)  # source px -> output px
    inv = np.linalg.inv(fwd_px)
    lid = rng.randint(228, 246)
    fill = lid if grey else (lid, lid, lid)
    out = toned.transform(
        (out_w, out_h), Image.AFFINE, data=tuple(inv[:2].reshape(-1)), resample=Image.BILINEAR, fillcolor=fill
    )
    out = _finish(out, nrng, blur, noise, grey)
    params = {
        "dpi": dpi, "angle": round(angle, 3), "scale": round(scale, 4), "shift_mm": [round(s, 2) for s in shift],
        "blur": round(blur, 2), "noise": round(noise, 2), "grey": grey, "ink": drew,
    }
    return Scan(out, dpi, px_of_mm @ fwd_mm, "scan", params)


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> tuple[float, ...]:
    """Pillow PERSPECTIVE data mapping output points `dst` to input points `src`."""
    a = []
    b = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    sol = np.linalg.solve(np.array(a, dtype=np.float64), np.array(b, dtype=np.float64))
    return tuple(float(s) for s in sol)


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> np.ndarray:
    c = _perspective_coeffs(dst=src, src=dst)  # solves dst = H(src)
    return np.array([[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], 1.0]])


def phone(page: Page, rng: random.Random, stamp: bool = False, signature: bool = False) -> Scan:
    """A phone photo of `page` lying on a desk."""
    nrng = _np_rng(rng)
    out_w = rng.randint(1400, 1800)
    out_h = round(out_w * (4 / 3 if page.height >= page.width else 3 / 4))
    # where the page corners land
    fill_frac = rng.uniform(0.80, 0.92)
    scale_px_per_mm = min(out_w * fill_frac / page.width, out_h * fill_frac / page.height)
    pw, ph = page.width * scale_px_per_mm, page.height * scale_px_per_mm
    ox = (out_w - pw) / 2 + rng.uniform(-0.03, 0.03) * out_w
    oy = (out_h - ph) / 2 + rng.uniform(-0.03, 0.03) * out_h
    jit = rng.uniform(0.015, 0.05)
    quad = []
    for cx, cy in ((0, 0), (1, 0), (1, 1), (0, 1)):
        quad.append((ox + cx * pw + rng.uniform(-jit, jit) * pw, oy + cy * ph + rng.uniform(-jit, jit) * ph))
    # render the page at about 1.3x the pixels it gets on the photo, then warp
    eff_dpi = scale_px_per_mm * MM_PER_INCH
    rdpi = eff_dpi * 1.3
    clean = render_page(page, rdpi, "RGB")
    drew = add_ink(clean, page, rdpi, rng, stamp, signature) if (stamp or signature) else False
    base = rng.randint(236, 252)
    tone = np.array((base, base - rng.randint(0, 6), base - rng.randint(4, 16)), dtype=np.float32) / 255.0
    clean = Image.fromarray((np.asarray(clean, dtype=np.float32) * tone).clip(0, 255).astype(np.uint8))
    rk = rdpi / MM_PER_INCH
    src_px = [(0, 0), (page.width * rk, 0), (page.width * rk, page.height * rk), (0, page.height * rk)]
    coeffs = _perspective_coeffs(dst=quad, src=src_px)
    warped = clean.transform((out_w, out_h), Image.PERSPECTIVE, data=coeffs, resample=Image.BICUBIC)
    mask = Image.new("L", clean.size, 255).transform(
        (out_w, out_h), Image.PERSPECTIVE, data=coeffs, resample=Image.BILINEAR, fillcolor=0
    )
    # desk background: a colour with a gradient and grain
    desk = np.array(rng.choice([(120, 86, 60), (90, 90, 96), (150, 120, 90), (60, 62, 70), (170, 165, 150)]),
                    dtype=np.float32)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    grad = 0.85 + 0.3 * (xx / out_w)
    bg = desk[None, None, :] * grad[..., None] + nrng.normal(0, 6, size=(out_h, out_w, 1)).astype(np.float32)
    bg_img = Image.fromarray(bg.clip(0, 255).astype(np.uint8))
    comp = Image.composite(warped, bg_img, mask)
    # uneven light: linear gradient in a random direction times a vignette, slight warm cast
    theta = rng.uniform(0, math.tau)
    g = (np.cos(theta) * (xx / out_w - 0.5) + np.sin(theta) * (yy / out_h - 0.5))
    light = 1.0 - rng.uniform(0.12, 0.3) * (g + 0.5)
    r2 = ((xx / out_w - 0.5) ** 2 + (yy / out_h - 0.5) ** 2) / 0.5
    light *= 1.0 - rng.uniform(0.1, 0.25) * r2
    cast = np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.86, 0.95)], dtype=np.float32)
    arr = np.asarray(comp, dtype=np.float32) * light[..., None] * cast[None, None, :]
    lit = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    # lower effective resolution: down and up again
    f = rng.uniform(0.6, 0.8)
    lit = lit.resize((round(out_w * f), round(out_h * f)), Image.BILINEAR).resize((out_w, out_h), Image.BICUBIC)
    blur = rng.uniform(0.4, 1.1)
    noise = rng.uniform(3.0, 8.0)
    out = _finish(lit, nrng, blur, noise, False)
    h_mm_to_px = _homography(
        [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)], quad
    )
    params = {"dpi": 72, "width": out_w, "height": out_h, "corner_jitter": round(jit, 3), "blur": round(blur, 2),
              "noise": round(noise, 2), "effective_dpi": round(eff_dpi * f, 1), "ink": drew}
    # a phone photo carries no real dpi; say 72 like most cameras do
    return Scan(out, 72.0, h_mm_to_px, "phone", params)


def rotate_quarter(scan: Scan, quarter_turns: int) -> Scan:
    """The same scan turned by 90° steps counter-clockwise (as if the sheet was fed sideways)."""
    q = quarter_turns % 4
    if q == 0:
        return scan
    W, H = scan.image.size
    img = scan.image.transpose([None, Image.ROTATE_90, Image.ROTATE_180, Image.ROTATE_270][q])
    if q == 1:  # (x, y) -> (y, W - x)
        m = np.array([[0, 1, 0], [-1, 0, W], [0, 0, 1.0]])
    elif q == 2:
        m = np.array([[-1, 0, W], [0, -1, H], [0, 0, 1.0]])
    else:
        m = np.array([[0, -1, H], [1, 0, 0], [0, 0, 1.0]])
    params = dict(scan.params, quarter_turns=q)
    return Scan(img, scan.dpi, m @ scan.homography, scan.tier, params)


# --------------------------------------------------------------------------
# Writers.


def jpeg(img: Image.Image, quality: int, dpi: float) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def _add_image_page(pdf, img: Image.Image, dpi: float, data: bytes | None):
    w_mm = img.width / dpi * MM_PER_INCH
    h_mm = img.height / dpi * MM_PER_INCH
    orientation = "L" if w_mm > h_mm else "P"
    pdf.add_page(orientation=orientation, format=(min(w_mm, h_mm), max(w_mm, h_mm)))
    src = io.BytesIO(data) if data is not None else img
    pdf.image(src, x=0, y=0, w=w_mm, h=h_mm)


PdfPart = tuple[str, object]  # ("jpeg", (img, dpi, quality)) | ("flate", (img, dpi)) | ("page", Page)


def pdf_from_parts(parts: list[PdfPart]) -> bytes:
    """A PDF whose pages are JPEG images, Flate images or born-digital layouts, in order."""
    pdf = new_pdf()
    for kind, val in parts:
        if kind == "jpeg":
            img, dpi, q = val  # type: ignore[misc]
            _add_image_page(pdf, img, dpi, jpeg(img, q, dpi))
        elif kind == "flate":
            img, dpi = val  # type: ignore[misc]
            pdf.set_image_filter("FlateDecode")
            _add_image_page(pdf, img, dpi, None)
            pdf.set_image_filter("AUTO")
        elif kind == "page":
            draw_page_pdf(pdf, val)  # type: ignore[arg-type]
        else:
            raise ValueError(kind)
    return bytes(pdf.output())


def write_pdf_jpeg(path: Path, scans: list[tuple[Image.Image, float]], quality: int) -> None:
    path.write_bytes(pdf_from_parts([("jpeg", (img, dpi, quality)) for img, dpi in scans]))


def write_pdf_flate(path: Path, scans: list[tuple[Image.Image, float]]) -> None:
    path.write_bytes(pdf_from_parts([("flate", (img, dpi)) for img, dpi in scans]))


def write_png(path: Path, img: Image.Image, dpi: float) -> None:
    img.save(path, "PNG", dpi=(dpi, dpi), optimize=False)


def write_jpeg(path: Path, img: Image.Image, dpi: float, quality: int) -> None:
    path.write_bytes(jpeg(img, quality, dpi))


def write_tiff(path: Path, scans: list[tuple[Image.Image, float]], compression: str = "deflate",
               quality: int = 80) -> None:
    """Multi-page TIFF, each page with its own dpi.

    "deflate" (the default) is written here, byte-stable (Adobe Deflate, 64-row strips, grey or RGB).
    "jpeg" goes through Pillow/libtiff, as office copiers do for colour pages.
    """
    if compression == "jpeg":
        first, dpi0 = scans[0]
        first.save(path, "TIFF", save_all=True, append_images=[i for i, _ in scans[1:]], compression="jpeg",
                   quality=quality, dpi=(dpi0, dpi0))
        return
    if compression != "deflate":
        raise ValueError(compression)
    path.write_bytes(tiff_deflate_bytes(scans))


def tiff_deflate_bytes(scans: list[tuple[Image.Image, float]], rows_per_strip: int = 64) -> bytes:
    """A little-endian baseline TIFF with Adobe Deflate strips; deterministic."""
    import struct
    import zlib

    buf = bytearray(b"II*\x00\x00\x00\x00\x00")
    next_ptr = 4  # where the offset of the next IFD goes

    def align():
        if len(buf) % 2:
            buf.append(0)

    def put(data: bytes) -> int:
        align()
        off = len(buf)
        buf.extend(data)
        return off

    for img, dpi in scans:
        if img.mode not in ("L", "RGB"):
            img = img.convert("RGB")
        spp = 1 if img.mode == "L" else 3
        w, h = img.size
        raw = img.tobytes()
        stride = w * spp
        offsets, counts = [], []
        for y in range(0, h, rows_per_strip):
            chunk = zlib.compress(raw[y * stride:min(h, y + rows_per_strip) * stride], 6)
            offsets.append(put(chunk))
            counts.append(len(chunk))
        res = (round(dpi * 1000), 1000)
        entries = []  # (tag, type, count, payload bytes)

        def entry(tag, typ, values):
            fmt = {3: "H", 4: "I", 5: "II"}[typ]
            if typ == 5:
                payload = b"".join(struct.pack("<II", *v) for v in values)
            else:
                payload = struct.pack("<" + fmt * len(values), *values)
            entries.append((tag, typ, len(values), payload))

        entry(256, 4, [w])
        entry(257, 4, [h])
        entry(258, 3, [8] * spp)
        entry(259, 3, [8])
        entry(262, 3, [1 if spp == 1 else 2])
        entry(273, 4, offsets)
        entry(277, 3, [spp])
        entry(278, 4, [rows_per_strip])
        entry(279, 4, counts)
        entry(282, 5, [res])
        entry(283, 5, [res])
        entry(284, 3, [1])
        entry(296, 3, [2])
        # out-of-line values first, then the IFD itself
        fields = []
        for tag, typ, count, payload in entries:
            if len(payload) <= 4:
                fields.append((tag, typ, count, payload.ljust(4, b"\x00")))
            else:
                fields.append((tag, typ, count, struct.pack("<I", put(payload))))
        align()
        ifd = len(buf)
        struct.pack_into("<I", buf, next_ptr, ifd)
        buf.extend(struct.pack("<H", len(fields)))
        for tag, typ, count, val in fields:
            buf.extend(struct.pack("<HHI", tag, typ, count) + val)
        next_ptr = len(buf)
        buf.extend(b"\x00\x00\x00\x00")
    return bytes(buf)
