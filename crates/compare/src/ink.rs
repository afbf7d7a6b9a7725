//! From a colour page image to what the comparison looks at: a grey image
//! with coloured ink (red stamps, blue pen) taken out, and a binary ink map.
//!
//! Binarisation is adaptive (each pixel against the mean of its
//! neighbourhood), so uneven light on phone photos and grey paper on old
//! scans do not turn into ink.

use image::{GrayImage, RgbImage};

/// A binary image: one byte per pixel, 1 = ink, 0 = paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            data: vec![0; width as usize * height as usize],
        }
    }

    #[inline]
    pub fn get(&self, x: u32, y: u32) -> bool {
        self.data[y as usize * self.width as usize + x as usize] != 0
    }

    /// Whether any pixel of the box `x0..x1 × y0..y1` is set.
    pub fn any_in(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> bool {
        let w = self.width as usize;
        let (x0, x1) = (x0 as usize, (x1 as usize).max(x0 as usize));
        (y0 as usize..y1 as usize)
            .any(|y| self.data[y * w + x0..y * w + x1].iter().any(|&v| v != 0))
    }

    /// Number of ink pixels.
    pub fn count(&self) -> u64 {
        self.data.iter().map(|&v| u64::from(v)).sum()
    }

    /// Square dilation by `r` pixels (a (2r+1)² structuring element), done
    /// separably, each pass remembering where it last saw ink `r` pixels
    /// ahead, so it costs the same for any `r`.
    pub fn dilate(&self, r: u32) -> Bitmap {
        if r == 0 {
            return self.clone();
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let r = r as usize;
        // Along each row. Most rows of a page are blank and stay so.
        let mut horizontal = vec![0u8; w * h];
        for (row, out) in self
            .data
            .chunks_exact(w)
            .zip(horizontal.chunks_exact_mut(w))
        {
            if row.iter().all(|&v| v == 0) {
                continue;
            }
            // Pixel x is set when the last ink at or before x + r lies at
            // x − r or after (positions are offset by r + 1 to stay unsigned).
            let mut last = 0usize;
            for (x, &v) in row.iter().take(r).enumerate() {
                if v != 0 {
                    last = x + r + 1;
                }
            }
            for (x, o) in out.iter_mut().enumerate() {
                if row.get(x + r).is_some_and(|&v| v != 0) {
                    last = x + 2 * r + 1;
                }
                *o = u8::from(last > x);
            }
        }
        // Down each column likewise, a row at a time so the inner loop runs
        // along x. `last` holds, per column, the row of the ink last seen,
        // offset by r + 1.
        let mut out = vec![0u8; w * h];
        let mut last = vec![0u32; w];
        for y in 0..h + r {
            if y < h {
                let seen = (y + r + 1) as u32;
                for (l, &v) in last.iter_mut().zip(&horizontal[y * w..(y + 1) * w]) {
                    *l = if v != 0 { seen } else { *l };
                }
            }
            // Row `y − r` now knows of all ink down to row `y`.
            let Some(at) = y.checked_sub(r) else {
                continue;
            };
            let floor = at as u32;
            for (o, &l) in out[at * w..(at + 1) * w].iter_mut().zip(&last) {
                *o = u8::from(l > floor);
            }
        }
        Bitmap {
            width: self.width,
            height: self.height,
            data: out,
        }
    }
}

impl Bitmap {
    /// Cells of `cell × cell` pixels holding at least `min` set pixels, grown
    /// by one cell on each side, as a full-size bitmap. Turns scattered
    /// detections (a pen stroke whose colour JPEG washed out in places) into
    /// the area they cover.
    pub fn cover(&self, cell: u32, min: u32) -> Bitmap {
        let (w, h) = (self.width as usize, self.height as usize);
        let c = cell.max(1) as usize;
        let (cw, ch) = (w.div_ceil(c), h.div_ceil(c));
        let mut counts = vec![0u32; cw * ch];
        for y in 0..h {
            for x in 0..w {
                counts[(y / c) * cw + x / c] += u32::from(self.data[y * w + x]);
            }
        }
        let mut grown = vec![false; cw * ch];
        for cy in 0..ch {
            for cx in 0..cw {
                if counts[cy * cw + cx] >= min {
                    for ny in cy.saturating_sub(1)..=(cy + 1).min(ch - 1) {
                        for nx in cx.saturating_sub(1)..=(cx + 1).min(cw - 1) {
                            grown[ny * cw + nx] = true;
                        }
                    }
                }
            }
        }
        let mut out = Bitmap::new(self.width, self.height);
        for y in 0..h {
            for x in 0..w {
                out.data[y * w + x] = u8::from(grown[(y / c) * cw + x / c]);
            }
        }
        out
    }
}

/// How much coloured ink was taken out of a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColourInk {
    /// Red or magenta pixels (stamps, seals).
    pub red: u64,
    /// Blue or violet pixels (pen, some stamps).
    pub blue: u64,
    /// All pixels of the page.
    pub total: u64,
}

impl ColourInk {
    /// Worth telling the user about: more than a few specks.
    pub fn red_significant(&self) -> bool {
        self.red * 2000 > self.total
    }

    pub fn blue_significant(&self) -> bool {
        self.blue * 2000 > self.total
    }
}

/// A page ready for comparison.
#[derive(Debug, Clone)]
pub struct PreparedPage {
    /// Grey levels, coloured ink replaced by the paper around it.
    pub grey: GrayImage,
    /// Where coloured ink was removed (1 = removed).
    pub colour_mask: Bitmap,
    pub colour: ColourInk,
    /// Adaptive binarisation of `grey`.
    pub ink: Bitmap,
    /// Resolution of `grey` in dots per inch.
    pub dpi: f32,
    /// On a photo, what lies off the sheet or near its edge (1 = there,
    /// [`sheet_edge_band`]): neither print nor compared. `None` for a scan
    /// or a render.
    pub off_sheet: Option<Bitmap>,
}

/// A white-balanced pixel is clear red ink when its red channel stands this
/// far above the others, clear blue ink likewise. The thresholds sit above
/// the tint of paper and of a warm light (red over blue by up to about 15
/// levels), but low enough to catch thin pen strokes whose colour JPEG's
/// chroma subsampling has washed out.
const CLEAR_RED: i32 = 22;
const CLEAR_BLUE: i32 = 16;
/// Colour too faint to take out on its own, but enough along a stroke that
/// is clearly coloured elsewhere.
const FAINT_RED: i32 = 12;
const FAINT_BLUE: i32 = 7;

/// A clear colour is ink only where its darkest channel (after white
/// balance) lies this many levels under the paper's: ink absorbs light.
/// Inside a letter's counter on a warm-lit photo, blur darkens red and
/// green more than blue, which JPEG keeps at half resolution, so white
/// balance turns the counter clear blue while it stays within 25 levels of
/// the paper. Taken for ink, such counters covered 30 % of the print of
/// one photographed page (seed 15 c0010) and hid a changed tone mark
/// there. A pixel a quarter covered by the generator's blue pen ink lies
/// about 50 levels under the paper.
const INK_DEPTH: i32 = 40;

/// Gains that make the paper white again under a coloured light (a warm
/// lamp or daylight through a window tints a photo, and a yellowed sheet
/// tints a scan): each channel is scaled so that the paper level (its 95th
/// percentile, over `area` when given) reaches that of the brightest
/// channel. Also the paper level after balance (that of its dimmest
/// channel, should a gain have reached its limit).
fn white_balance(img: &RgbImage, area: Option<&Bitmap>) -> ([u32; 3], i32) {
    let mut hist = [[0u32; 256]; 3];
    let mut n = 0u32;
    for (i, p) in img.pixels().enumerate().step_by(5) {
        if area.is_some_and(|a| a.data[i] == 0) {
            continue;
        }
        for c in 0..3 {
            hist[c][p.0[c] as usize] += 1;
        }
        n += 1;
    }
    if n < 100 {
        return ([256; 3], 255);
    }
    let level = |h: &[u32; 256]| {
        let mut acc = 0;
        for v in (0..256).rev() {
            acc += h[v];
            if acc * 20 >= n {
                return v as u32;
            }
        }
        0
    };
    let levels = [level(&hist[0]), level(&hist[1]), level(&hist[2])];
    let top = levels.iter().copied().max().unwrap_or(255).max(1);
    // Gains in 1/256 steps, at most 1.5: beyond that the light is not a tint.
    let gains = levels.map(|l| (top * 256 / l.max(1)).clamp(256, 384));
    let paper = (0..3)
        .map(|c| levels[c] * gains[c] / 256)
        .min()
        .unwrap_or(255);
    (gains, paper.min(255) as i32)
}

/// Turns a page image into grey, taking out red and blue ink. `area` is
/// the sheet on a photo (the desk around it is not looked at); without it
/// the page is a scan or a render, and black print under the ink is kept.
///
/// Colour is judged after white balance. Pixels with a clear colour, and
/// darker than the paper ([`INK_DEPTH`]), start the mask; faint ones join
/// it when they lie along a clear stroke (hysteresis): a thin pen stroke
/// loses most of its colour to blur and to JPEG's halved colour
/// resolution, but stays connected to its core.
pub fn remove_colour_ink(
    img: &RgbImage,
    area: Option<&Bitmap>,
    dpi: f32,
) -> (GrayImage, Bitmap, ColourInk) {
    let (w, h) = img.dimensions();
    let (gains, paper) = white_balance(img, area);
    let inked = paper - INK_DEPTH;
    let mut grey = GrayImage::new(w, h);
    let mut mask = Bitmap::new(w, h);
    // 1 = red, 2 = blue, for the clear and the faint colours.
    let mut strong = vec![0u8; (w * h) as usize];
    let mut faint = vec![0u8; (w * h) as usize];
    // Black print: dark and not even faintly coloured.
    let mut neutral_dark = Bitmap::new(w, h);
    let cells = strong
        .iter_mut()
        .zip(faint.iter_mut())
        .zip(neutral_dark.data.iter_mut());
    // Classes: 1 = red, 2 = blue, 0 = neither (a pixel cannot pass both
    // tests), without a branch per pixel.
    for ((p, out), ((s, f), n)) in img.pixels().zip(grey.iter_mut()).zip(cells) {
        let [r, g, b] = p.0.map(u32::from);
        *out = ((r * 77 + g * 150 + b * 29) >> 8) as u8;
        let [r, g, b] =
            [r * gains[0], g * gains[1], b * gains[2]].map(|v| (v >> 8).min(255) as i32);
        let (red, blue) = (r - g.max(b), b - r.max(g));
        *s = (u8::from(red >= CLEAR_RED) | (u8::from(blue >= CLEAR_BLUE) << 1))
            * u8::from(r.min(g).min(b) <= inked);
        *f = u8::from(red >= FAINT_RED) | (u8::from(blue >= FAINT_BLUE) << 1);
        *n = u8::from(*f == 0 && r.max(g).max(b) <= i32::from(NEUTRAL_DARK));
    }
    // Colour right beside dark neutral ink is the fringe of black print,
    // not coloured ink: JPEG keeps colour at half resolution, so the bright
    // edge of a black stroke takes the paper's tint only in part, and white
    // balance then turns that edge blue (or red under a cold light). On a
    // phone photo of a warm-lit sheet every bold line would otherwise be
    // taken out, and a change in it with it.
    //
    // Clear colour is rare (none on a rendered page, specks of it on most
    // scans), so each coloured pixel looks around itself for dark print
    // rather than the page growing all its print.
    if strong.iter().all(|&c| c == 0) {
        return (grey, mask, no_colour(w, h));
    }
    let wu = w as usize;
    for (i, s) in strong.iter_mut().enumerate() {
        if *s == 0 {
            continue;
        }
        let (x, y) = ((i % wu) as u32, (i / wu) as u32);
        let (x0, y0) = (x.saturating_sub(FRINGE), y.saturating_sub(FRINGE));
        let (x1, y1) = ((x + FRINGE + 1).min(w), (y + FRINGE + 1).min(h));
        if neutral_dark.any_in(x0, y0, x1, y1) {
            *s = 0;
        }
    }
    // Grow the clear colour into connected faint colour of the same kind,
    // within about 1.5 mm of a clear pixel.
    let reach = ((dpi * 0.06).round() as u32).max(2);
    let mut class = strong;
    for kind in [1u8, 2] {
        if !class.contains(&kind) {
            continue;
        }
        let seeds = Bitmap {
            width: w,
            height: h,
            data: class.iter().map(|&c| u8::from(c == kind)).collect(),
        };
        let near = seeds.dilate(reach);
        for i in 0..class.len() {
            if class[i] == 0 && faint[i] == kind && near.data[i] != 0 {
                class[i] = kind;
            }
        }
    }
    drop_specks(&mut class, w, h);
    let mut colour = no_colour(w, h);
    for (i, (p, out)) in img.pixels().zip(grey.iter_mut()).enumerate() {
        if class[i] == 0 || area.is_some_and(|a| a.data[i] == 0) {
            continue;
        }
        if class[i] == 1 {
            colour.red += 1;
        } else {
            colour.blue += 1;
        }
        mask.data[i] = 1;
        // Paper showing through coloured ink is about as bright as its
        // brightest channel. On a scan, so is black print under the ink: a
        // stamp over the signer's name leaves the name dark in every
        // channel, and it is kept. Not on a photo: there blur and light
        // make ink over ink look like print too (in the corpus, keeping it
        // and comparing there found one change under a stamp, but flagged
        // four unchanged photographed pages and mispaired two cases).
        let through = p.0[0].max(p.0[1]).max(p.0[2]);
        *out = if area.is_none() && through <= PRINT_UNDER_INK {
            through
        } else {
            through.max(200)
        };
    }
    (grey, mask, colour)
}

/// What [`remove_colour_ink`] counts on a `w × h` page without colour.
fn no_colour(w: u32, h: u32) -> ColourInk {
    ColourInk {
        total: u64::from(w) * u64::from(h),
        ..ColourInk::default()
    }
}

/// Takes out of `class` (a `w × h` grid, non-zero where coloured) the
/// specks: colour with fewer than [`SPECK_AREA`] coloured pixels within
/// [`SPECK_REACH`] of each other. Pen and stamp ink come in strokes; a
/// speck is the chroma JPEG leaves inside a letter's counter on a
/// warm-lit photo, which white balance turns blue. Taken for ink, it hid a
/// changed digit ("2022" → "2002", seed 18 c0017): its margin covered the
/// digit.
fn drop_specks(class: &mut [u8], w: u32, h: u32) {
    // Most pages (every render, most scans) have no colour at all.
    if class.iter().all(|&c| c == 0) {
        return;
    }
    let coloured = Bitmap {
        width: w,
        height: h,
        data: class.iter().map(|&c| u8::from(c != 0)).collect(),
    };
    let joined = coloured.dilate(SPECK_REACH);
    let mut counts: Vec<u32> = Vec::new();
    let (label, _) = pieces8(
        w as usize,
        h as usize,
        |i| coloured.data[i] != 0,
        |_, n| joined.data[n] != 0,
        |k, i| {
            if counts.len() <= k {
                counts.resize(k + 1, 0);
            }
            counts[k] += u32::from(coloured.data[i]);
        },
    );
    for (c, &k) in class.iter_mut().zip(&label) {
        if k != 0 && counts[k as usize - 1] < SPECK_AREA {
            *c = 0;
        }
    }
}

/// Fewest coloured pixels, within [`SPECK_REACH`] pixels of each other,
/// that are taken for ink (whatever the resolution: a pen's shortest hook
/// has more at any resolution a page is compared at).
const SPECK_AREA: u32 = 30;
const SPECK_REACH: u32 = 3;

/// Brightest channel (after white balance) of a pixel of black print.
const NEUTRAL_DARK: u8 = 128;
/// Brightest channel of black print seen through coloured ink on a scan:
/// red stamp ink alone leaves its red channel near the paper's (about 200
/// at full strength), blue pen ink its blue channel (about 170); print
/// under either stays dark in every channel.
const PRINT_UNDER_INK: u8 = 110;
/// Reach, in pixels, of the colour fringe along black print.
const FRINGE: u32 = 2;

/// Otsu's threshold of a set of grey levels.
fn otsu(values: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in values {
        hist[v as usize] += 1;
    }
    let total = values.len() as f64;
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0f64, 0f64, -1f64, 128u8);
    for (t, &n) in hist.iter().enumerate() {
        w0 += n as f64;
        sum0 += t as f64 * n as f64;
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// An 8-connected piece of a pixel grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Its pixels.
    pub area: u32,
    /// The pixel it was started from.
    pub start: usize,
}

/// The 8-connected pieces of a `w × h` grid, and each pixel's piece (0 for
/// none; pieces are numbered from 1 in the order of the returned list). A
/// piece starts at a pixel for which `starts` holds and takes in each
/// neighbour `n` for which `joins(start, n)` holds; `visit(k, i)` sees each
/// pixel `i` of piece `k` (0-based) as it is taken.
pub fn pieces8(
    w: usize,
    h: usize,
    starts: impl Fn(usize) -> bool,
    joins: impl Fn(usize, usize) -> bool,
    mut visit: impl FnMut(usize, usize),
) -> (Vec<u32>, Vec<Piece>) {
    let mut label = vec![0u32; w * h];
    let mut pieces: Vec<Piece> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if label[start] != 0 || !starts(start) {
            continue;
        }
        let k = pieces.len();
        let id = k as u32 + 1;
        label[start] = id;
        stack.push(start);
        let mut p = Piece {
            x0: u32::MAX,
            y0: u32::MAX,
            x1: 0,
            y1: 0,
            area: 0,
            start,
        };
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            p.x0 = p.x0.min(x as u32);
            p.y0 = p.y0.min(y as u32);
            p.x1 = p.x1.max(x as u32 + 1);
            p.y1 = p.y1.max(y as u32 + 1);
            p.area += 1;
            visit(k, i);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let n = ny * w + nx;
                    if label[n] == 0 && joins(start, n) {
                        label[n] = id;
                        stack.push(n);
                    }
                }
            }
        }
        pieces.push(p);
    }
    (label, pieces)
}

/// For a photo of a sheet lying on a desk: the sheet's area (1 = sheet), or
/// `None` when the image is all sheet (a scan). The sheet is the largest
/// bright region with its holes (the print) filled, and must be clearly
/// brighter than what surrounds it.
pub fn sheet_area(img: &RgbImage) -> Option<Bitmap> {
    const F: u32 = 8;
    let (w, h) = img.dimensions();
    let (sw, sh) = (w / F, h / F);
    if sw < 8 || sh < 8 {
        return None;
    }
    let mut small = vec![0u8; (sw * sh) as usize];
    // Each block's summed luma, a row of blocks at a time, along the rows.
    let stride = w as usize * 3;
    let mut acc = vec![0u32; sw as usize];
    for (sy, out) in small.chunks_exact_mut(sw as usize).enumerate() {
        acc.fill(0);
        for y in sy * F as usize..(sy + 1) * F as usize {
            let row = &img.as_raw()[y * stride..(y + 1) * stride];
            for (a, block) in acc.iter_mut().zip(row.chunks_exact(3 * F as usize)) {
                for p in block.chunks_exact(3) {
                    let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
                    *a += (r * 77 + g * 150 + b * 29) >> 8;
                }
            }
        }
        for (o, &a) in out.iter_mut().zip(&acc) {
            *o = (a / (F * F)) as u8;
        }
    }
    let t = otsu(&small);
    let (sw, sh) = (sw as usize, sh as usize);
    // Largest bright 4-connected component.
    let mut label = vec![0u32; sw * sh];
    let (mut best_label, mut best_size, mut next) = (0u32, 0usize, 1u32);
    let mut stack = Vec::new();
    for start in 0..sw * sh {
        if small[start] <= t || label[start] != 0 {
            continue;
        }
        let mut size = 0;
        label[start] = next;
        stack.push(start);
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % sw, i / sw);
            let mut visit = |j: usize| {
                if small[j] > t && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < sw {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - sw);
            }
            if y + 1 < sh {
                visit(i + sw);
            }
        }
        if size > best_size {
            best_size = size;
            best_label = next;
        }
        next += 1;
    }
    // The sheet is a flat quadrilateral, so it is the convex hull of its
    // bright cells: print near its edge (a QR code in a corner, a dim
    // margin under uneven light) stays on the sheet even where it cuts the
    // bright area open towards the desk.
    let cells: Vec<(i64, i64)> = (0..sw * sh)
        .filter(|&i| label[i] == best_label)
        .map(|i| ((i % sw) as i64, (i / sw) as i64))
        .collect();
    let hull = convex_hull(cells);
    let outside: Vec<bool> = (0..sw * sh)
        .map(|i| !inside_convex(&hull, ((i % sw) as i64, (i / sw) as i64)))
        .collect();
    let inside_n = outside.iter().filter(|o| !**o).count();
    let frac = inside_n as f64 / (sw * sh) as f64;
    if !(0.25..=0.97).contains(&frac) {
        return None;
    }
    let mean = |want_out: bool| {
        let (s, n) = small
            .iter()
            .zip(&outside)
            .filter(|(_, &o)| o == want_out)
            .fold((0u64, 0u64), |a, (&v, _)| (a.0 + u64::from(v), a.1 + 1));
        s as f64 / n.max(1) as f64
    };
    if mean(false) < mean(true) + 30.0 {
        return None;
    }
    // Back to full size, shrunk by one cell so the sheet's edge stays out.
    let mut area = Bitmap::new(w, h);
    for y in 0..h {
        let sy = (y / F) as usize;
        for x in 0..w {
            let sx = (x / F) as usize;
            let inside = |xx: usize, yy: usize| xx < sw && yy < sh && !outside[yy * sw + xx];
            let keep = inside(sx, sy)
                && sx > 0
                && sy > 0
                && inside(sx - 1, sy)
                && inside(sx + 1, sy)
                && inside(sx, sy - 1)
                && inside(sx, sy + 1);
            area.data[(y * w + x) as usize] = u8::from(keep);
        }
    }
    Some(area)
}

/// Convex hull of grid points, counter-clockwise in image coordinates
/// (Andrew's monotone chain).
fn convex_hull(mut points: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    points.sort_unstable();
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let cross = |o: (i64, i64), a: (i64, i64), b: (i64, i64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(i64, i64)> = Vec::with_capacity(points.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(i64, i64)>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// Whether `p` lies in (or on) the convex polygon `hull` from [`convex_hull`].
fn inside_convex(hull: &[(i64, i64)], p: (i64, i64)) -> bool {
    if hull.len() < 3 {
        return hull.contains(&p);
    }
    (0..hull.len()).all(|i| {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= 0
    })
}

/// Mean of each pixel's `(2r+1)²` neighbourhood (clamped at the borders).
pub fn box_mean(grey: &GrayImage, r: u32) -> Vec<u8> {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let r = r as usize;
    let src = grey.as_raw();
    // Horizontal sums, then vertical sums, both with running totals.
    let mut hs = vec![0u32; w * h];
    let mut hc = vec![0u32; w];
    for x in 0..w {
        let lo = x.saturating_sub(r);
        let hi = (x + r).min(w - 1);
        hc[x] = (hi - lo + 1) as u32;
    }
    // Each row's running total (prefix[k] sums its first k pixels), then
    // each window as the difference of two totals.
    let mut prefix = vec![0u32; w + 1];
    for y in 0..h {
        let mut total = 0;
        for (p, &v) in prefix[1..].iter_mut().zip(&src[y * w..(y + 1) * w]) {
            total += u32::from(v);
            *p = total;
        }
        let out = &mut hs[y * w..(y + 1) * w];
        // Away from the ends, the window is whole.
        let whole = r.min(w)..w.saturating_sub(r).max(r.min(w));
        for x in (0..whole.start).chain(whole.end..w) {
            out[x] = prefix[(x + r + 1).min(w)] - prefix[x.saturating_sub(r)];
        }
        if !whole.is_empty() {
            let (ends, starts) = (&prefix[2 * r + 1..], &prefix[..]);
            for ((o, &end), &start) in out[whole].iter_mut().zip(ends).zip(starts) {
                *o = end - start;
            }
        }
    }
    let mut out = vec![0u8; w * h];
    let mut col = vec![0u32; w];
    for row in hs.chunks_exact(w).take(r + 1) {
        for (c, v) in col.iter_mut().zip(row) {
            *c += v;
        }
    }
    for y in 0..h {
        let lo = y.saturating_sub(r);
        let hi = (y + r).min(h - 1);
        let rows = (hi - lo + 1) as u32;
        let o = &mut out[y * w..(y + 1) * w];
        // The integer quotient, through floating point (which divides many
        // at once): a mean of 8-bit levels over n pixels lies at least 1/n
        // from the next whole number unless it is one. f32 rounds a quotient
        // under 256 by at most 2⁻¹⁷ and holds sums under 2²⁴ exactly, so up
        // to n = 255² (r = 127) its truncated quotient is the integer one;
        // beyond, f64.
        if r <= 127 {
            for ((o, &c), &n) in o.iter_mut().zip(&col).zip(&hc) {
                *o = (c as i32 as f32 / (rows * n) as i32 as f32) as u8;
            }
        } else {
            for ((o, &c), &n) in o.iter_mut().zip(&col).zip(&hc) {
                *o = (f64::from(c) / f64::from(rows * n)) as u8;
            }
        }
        if y + r + 1 < h {
            let add = &hs[(y + r + 1) * w..(y + r + 2) * w];
            for (c, v) in col.iter_mut().zip(add) {
                *c += v;
            }
        }
        if y >= r {
            let sub = &hs[(y - r) * w..(y - r + 1) * w];
            for (c, v) in col.iter_mut().zip(sub) {
                *c -= v;
            }
        }
    }
    out
}

/// Adaptive binarisation: a pixel is ink when it is clearly darker than its
/// neighbourhood. `window_r` is the neighbourhood radius in pixels.
pub fn binarise(grey: &GrayImage, window_r: u32) -> Bitmap {
    let mean = box_mean(grey, window_r);
    let mut out = Bitmap::new(grey.width(), grey.height());
    for ((o, &g), &m) in out.data.iter_mut().zip(grey.as_raw()).zip(&mean) {
        let (g, m) = (u32::from(g), u32::from(m));
        // Darker than 78% of the local mean and by at least 24 grey levels.
        *o = u8::from(g * 100 < m * 78 && g + 24 < m);
    }
    out
}

/// Neighbourhood radius for binarisation at a given resolution (about 4 mm).
pub fn window_radius(dpi: f32) -> u32 {
    ((dpi * 0.16).round() as u32).max(4)
}

/// On a photo, paints the desk around the sheet with the paper level of
/// the nearby sheet (the mean of sheet pixels within about 6 mm), so that
/// neither the desk nor the sheet's edge, darker under a vignette than the
/// middle of the page, turns into ink; print near the edge keeps its contrast.
fn fill_desk(grey: &mut GrayImage, sheet: &Bitmap, dpi: f32) {
    let (w, h) = grey.dimensions();
    let mut paper: Vec<u8> = grey
        .as_raw()
        .iter()
        .zip(&sheet.data)
        .filter(|(_, &s)| s != 0)
        .map(|(&g, _)| g)
        .step_by(7)
        .collect();
    paper.sort_unstable();
    let far = paper.get(paper.len() * 3 / 4).copied().unwrap_or(255);
    let on_sheet = GrayImage::from_raw(
        w,
        h,
        grey.as_raw()
            .iter()
            .zip(&sheet.data)
            .map(|(&g, &s)| if s != 0 { g } else { 0 })
            .collect(),
    )
    .expect("same size");
    let weight = GrayImage::from_raw(w, h, sheet.data.iter().map(|&s| s * 255).collect())
        .expect("same size");
    let r = ((dpi * 0.25).round() as u32).max(4);
    let sums = box_mean(&on_sheet, r);
    let counts = box_mean(&weight, r);
    for (i, g) in grey.iter_mut().enumerate() {
        if sheet.data[i] != 0 {
            continue;
        }
        *g = if counts[i] >= 16 {
            (u32::from(sums[i]) * 255 / u32::from(counts[i])).min(255) as u8
        } else {
            far
        };
    }
}

/// On a photo, what lies off the sheet or within about 2 mm of its edge
/// (1 = there): the band that is neither compared nor counted as print.
pub fn sheet_edge_band(sheet: &Bitmap, dpi: f32) -> Bitmap {
    let margin = ((dpi * 0.08).round() as u32).max(2);
    Bitmap {
        width: sheet.width,
        height: sheet.height,
        data: sheet.data.iter().map(|&s| u8::from(s == 0)).collect(),
    }
    .dilate(margin)
}

/// Grey, colour mask and ink map of a page image.
pub fn prepare(img: &RgbImage, dpi: f32) -> PreparedPage {
    let sheet = sheet_area(img);
    tracing::debug!(photo = sheet.is_some(), "sheet detection");
    let (mut grey, colour_mask, colour) = remove_colour_ink(img, sheet.as_ref(), dpi);
    if let Some(sheet) = &sheet {
        fill_desk(&mut grey, sheet, dpi);
    }
    let mut ink = binarise(&grey, window_radius(dpi));
    let off_sheet = sheet.map(|sheet| sheet_edge_band(&sheet, dpi));
    if let Some(off_sheet) = &off_sheet {
        // The sheet's edge, darker than its middle under a vignette and cut
        // in steps by the sheet outline, is not print: ink there would
        // stretch the content box and mislead registration. The comparison
        // leaves the same band out.
        for (v, &e) in ink.data.iter_mut().zip(&off_sheet.data) {
            if e != 0 {
                *v = 0;
            }
        }
    }
    PreparedPage {
        grey,
        colour_mask,
        colour,
        ink,
        dpi,
        off_sheet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn dilation_grows_a_dot_into_a_square() {
        let mut b = Bitmap::new(9, 9);
        b.data[4 * 9 + 4] = 1;
        let d = b.dilate(2);
        assert_eq!(d.count(), 25);
        assert!(d.get(2, 2) && d.get(6, 6) && !d.get(1, 4) && !d.get(7, 4));
    }

    #[test]
    fn dilation_sets_exactly_the_pixels_within_reach_of_ink() {
        // Scattered ink on odd-sized pages, against the square window
        // looked up pixel by pixel, for reaches below and above the page.
        let mut seed = 7u32;
        for (w, h) in [(1, 1), (1, 9), (13, 1), (17, 11), (40, 23)] {
            let mut b = Bitmap::new(w, h);
            for v in b.data.iter_mut() {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *v = u8::from((seed >> 16).is_multiple_of(23));
            }
            for r in [1u32, 2, 3, 5, 12, 30] {
                let d = b.dilate(r);
                for y in 0..h {
                    for x in 0..w {
                        let near = (y.saturating_sub(r)..=(y + r).min(h - 1)).any(|yy| {
                            (x.saturating_sub(r)..=(x + r).min(w - 1)).any(|xx| b.get(xx, yy))
                        });
                        assert_eq!(d.get(x, y), near, "{w}x{h} r={r} at ({x}, {y})");
                    }
                }
            }
        }
    }

    #[test]
    fn box_means_are_the_integer_means_of_the_clamped_windows() {
        let mut seed = 3u32;
        for (w, h) in [(1, 1), (2, 7), (9, 2), (23, 17)] {
            let grey = GrayImage::from_fn(w, h, |_, _| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                image::Luma([(seed >> 16) as u8])
            });
            for r in [1u32, 2, 4, 11, 40, 130] {
                let got = box_mean(&grey, r);
                for y in 0..h {
                    for x in 0..w {
                        let (xs, ys) = (
                            x.saturating_sub(r)..=(x + r).min(w - 1),
                            y.saturating_sub(r)..=(y + r).min(h - 1),
                        );
                        let n = (xs.end() - xs.start() + 1) * (ys.end() - ys.start() + 1);
                        let sum: u32 = ys
                            .flat_map(|yy| xs.clone().map(move |xx| (xx, yy)))
                            .map(|(xx, yy)| u32::from(grey.get_pixel(xx, yy).0[0]))
                            .sum();
                        assert_eq!(got[(y * w + x) as usize], (sum / n) as u8, "{w}x{h} r={r}");
                    }
                }
            }
        }
    }

    #[test]
    fn red_stamp_is_removed_but_black_text_under_it_stays() {
        // A stamp's stroke, three pixels wide, running into black text.
        let mut img = RgbImage::from_pixel(20, 10, Rgb([250, 250, 250]));
        for y in 4..7 {
            for x in 0..10 {
                img.put_pixel(x, y, Rgb([200, 40, 50])); // stamp ink
            }
            for x in 10..20 {
                img.put_pixel(x, y, Rgb([30, 25, 28])); // text
            }
        }
        img.put_pixel(0, 0, Rgb([236, 228, 215])); // warm paper tint: not ink
        let (grey, mask, colour) = remove_colour_ink(&img, None, 200.0);
        assert_eq!(colour.red, 30);
        assert_eq!(colour.blue, 0);
        assert!(grey.get_pixel(3, 5).0[0] >= 200);
        assert!(grey.get_pixel(15, 5).0[0] < 40);
        assert_eq!(mask.count(), 30);
    }

    #[test]
    fn black_print_under_a_stamp_is_kept_on_a_scan_only() {
        // Red stamp ink across a black stroke: the stroke's pixels are dark
        // in every channel, but JPEG has tinted them red.
        let mut img = RgbImage::from_pixel(20, 10, Rgb([250, 250, 250]));
        for y in 4..6 {
            for x in 0..20 {
                img.put_pixel(x, y, Rgb([200, 40, 50])); // stamp ink
            }
            for x in 8..12 {
                img.put_pixel(x, y, Rgb([60, 12, 18])); // print under it
            }
        }
        let (grey, mask, _) = remove_colour_ink(&img, None, 200.0);
        assert_eq!(mask.count(), 40);
        assert!(grey.get_pixel(3, 5).0[0] >= 200);
        assert!((8..12).all(|x| grey.get_pixel(x, 5).0[0] <= 60));
        let sheet = Bitmap {
            width: 20,
            height: 10,
            data: vec![1; 200],
        };
        let (grey, _, _) = remove_colour_ink(&img, Some(&sheet), 200.0);
        assert!((0..20).all(|x| grey.get_pixel(x, 5).0[0] >= 200));
    }

    #[test]
    fn binarisation_ignores_a_light_gradient_and_keeps_strokes() {
        let mut img = GrayImage::new(100, 40);
        for (x, _, p) in img.enumerate_pixels_mut() {
            p.0[0] = 150 + (x as u8) / 2; // uneven light
        }
        for x in 40..60 {
            img.put_pixel(x, 20, image::Luma([20]));
        }
        let ink = binarise(&img, 8);
        assert_eq!(ink.count(), 20);
        assert!(ink.get(50, 20));
    }

    #[test]
    fn dark_print_at_the_sheet_edge_stays_on_the_sheet() {
        // A grey desk, a bright sheet from (40, 40) to (360, 460), and a
        // dark block (a QR code) that reaches the sheet's top edge.
        let mut img = RgbImage::from_fn(400, 500, |x, y| {
            let on_sheet = (40..360).contains(&x) && (40..460).contains(&y);
            if !on_sheet {
                Rgb([90, 90, 96])
            } else if (60..140).contains(&x) && (40..120).contains(&y) {
                Rgb([20, 20, 20])
            } else {
                Rgb([240, 238, 232])
            }
        });
        img.put_pixel(200, 200, Rgb([10, 10, 10]));
        let sheet = sheet_area(&img).expect("a photo of a sheet");
        assert!(sheet.get(100, 100), "the dark block is on the sheet");
        assert!(sheet.get(200, 300));
        assert!(
            !sheet.get(10, 10) && !sheet.get(390, 250),
            "the desk is not"
        );
    }

    #[test]
    fn the_shaded_edge_of_a_photographed_sheet_is_not_print() {
        // A grey desk, a bright sheet from (40, 40) to (360, 460) whose last
        // few millimetres are in shade, and a line of print in its middle.
        let img = RgbImage::from_fn(400, 500, |x, y| {
            let on_sheet = (40..360).contains(&x) && (40..460).contains(&y);
            if !on_sheet {
                Rgb([90, 90, 96])
            } else if (440..446).contains(&y) {
                Rgb([170, 170, 168])
            } else if (100..300).contains(&x) && (200..210).contains(&y) {
                Rgb([20, 20, 20])
            } else {
                Rgb([240, 238, 232])
            }
        });
        let page = prepare(&img, 200.0);
        assert!(page.off_sheet.is_some(), "a photo");
        let ink_rows: Vec<u32> = (0..500)
            .filter(|&y| (0..400).any(|x| page.ink.get(x, y)))
            .collect();
        assert!(ink_rows.contains(&205), "the print stays");
        assert!(
            ink_rows.iter().all(|&y| (195..215).contains(&y)),
            "{ink_rows:?}"
        );
    }

    #[test]
    fn the_colour_fringe_of_black_print_under_a_warm_light_stays() {
        // Warm-lit paper (blue well under red), a bold black bar, and along
        // its edges pixels that JPEG's colour ringing left less tinted than
        // the paper: blue by 18 levels after white balance. Values from a
        // phone photo of the corpus (seed 1, c0081).
        let mut img = RgbImage::from_pixel(60, 50, Rgb([228, 222, 188]));
        for x in 10..50 {
            for y in 12..18 {
                img.put_pixel(x, y, Rgb([17, 15, 2]));
            }
            img.put_pixel(x, 11, Rgb([206, 203, 188]));
            img.put_pixel(x, 18, Rgb([195, 191, 180]));
        }
        // A blue pen stroke away from the print is still taken out.
        for x in 10..30 {
            for y in 44..46 {
                img.put_pixel(x, y, Rgb([40, 60, 150]));
            }
        }
        let (grey, mask, colour) = remove_colour_ink(&img, None, 200.0);
        assert!((10..50).all(|x| !mask.get(x, 11) && !mask.get(x, 18)));
        assert!((10..30).all(|x| mask.get(x, 44) && mask.get(x, 45)));
        assert_eq!(colour.blue, 40);
        assert!(grey.get_pixel(30, 11).0[0] < 210, "the edge keeps its grey");
    }

    #[test]
    fn a_pen_stroke_whose_colour_fades_is_taken_out_whole() {
        // A blue stroke: clear blue at its start, only faintly blue further on.
        let mut img = RgbImage::from_pixel(60, 10, Rgb([245, 245, 245]));
        for x in 5..15 {
            img.put_pixel(x, 5, Rgb([40, 60, 170]));
            img.put_pixel(x, 6, Rgb([40, 60, 170]));
        }
        for x in 15..25 {
            img.put_pixel(x, 5, Rgb([120, 122, 134]));
        }
        // Grey print of the same brightness elsewhere is not touched.
        for x in 40..55 {
            img.put_pixel(x, 5, Rgb([124, 124, 124]));
        }
        let (_, mask, colour) = remove_colour_ink(&img, None, 200.0);
        assert!((15..25).all(|x| mask.get(x, 5)));
        assert!((40..55).all(|x| !mask.get(x, 5)));
        assert_eq!(colour.blue, 30);
    }

    #[test]
    fn a_speck_of_colour_in_a_letter_is_not_ink() {
        // Warm-lit paper, and inside a letter's counter the 13 bluish
        // pixels JPEG left there (seed 18 c0017, where taking them for ink
        // hid a changed digit). A pen's short hook beside it stays ink.
        let mut img = RgbImage::from_pixel(60, 40, Rgb([228, 222, 188]));
        let speck = [
            (10, 3),
            (12, 3),
            (8, 4),
            (9, 4),
            (10, 4),
            (11, 4),
            (4, 5),
            (6, 5),
            (8, 5),
            (9, 5),
            (10, 5),
            (11, 5),
            (12, 5),
        ];
        for (x, y) in speck {
            img.put_pixel(x, y, Rgb([180, 180, 200]));
        }
        for x in 30..45 {
            for y in 30..32 {
                img.put_pixel(x, y, Rgb([40, 60, 150]));
            }
        }
        let (_, mask, colour) = remove_colour_ink(&img, None, 200.0);
        assert!(speck.iter().all(|&(x, y)| !mask.get(x, y)));
        assert!((30..45).all(|x| mask.get(x, 30) && mask.get(x, 31)));
        assert_eq!(colour.blue, 30);
    }

    #[test]
    fn a_counter_blue_after_white_balance_but_as_bright_as_paper_is_not_ink() {
        // Warm-lit paper, and a letter's counter of 48 pixels whose red and
        // green the blur of its strokes darkened but whose blue it did not:
        // clear blue by 25 levels after white balance, 18 levels under the
        // paper (like those of seed 15 c0010's photo). Large enough not to be
        // a speck, it is still not ink. A faint pen stroke, a quarter of
        // each pixel inked, is.
        let paper = Rgb([228, 222, 188]);
        let mut img = RgbImage::from_pixel(60, 40, paper);
        for x in 6..12 {
            for y in 4..12 {
                img.put_pixel(x, y, Rgb([210, 212, 200]));
            }
        }
        let faint_pen = |c: u8, p: u8| (f32::from(p) - 0.25 * f32::from(p - c)) as u8;
        let pen = Rgb([
            faint_pen(28, paper.0[0]),
            faint_pen(52, paper.0[1]),
            faint_pen(168, paper.0[2]),
        ]);
        for x in 30..45 {
            for y in 30..32 {
                img.put_pixel(x, y, pen);
            }
        }
        let (_, mask, colour) = remove_colour_ink(&img, None, 200.0);
        assert!((6..12).all(|x| (4..12).all(|y| !mask.get(x, y))));
        assert!((30..45).all(|x| mask.get(x, 30) && mask.get(x, 31)));
        assert_eq!(colour.blue, 30);
    }
}
