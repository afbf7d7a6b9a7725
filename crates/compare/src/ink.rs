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

    /// Number of ink pixels.
    pub fn count(&self) -> u64 {
        self.data.iter().map(|&v| u64::from(v)).sum()
    }

    /// Square dilation by `r` pixels (a (2r+1)² structuring element), done
    /// separably with running counts so it costs the same for any `r`.
    pub fn dilate(&self, r: u32) -> Bitmap {
        if r == 0 {
            return self.clone();
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let r = r as usize;
        let mut horizontal = vec![0u8; w * h];
        for y in 0..h {
            let row = &self.data[y * w..(y + 1) * w];
            let out = &mut horizontal[y * w..(y + 1) * w];
            let mut run = 0usize;
            for x in 0..(r.min(w)) {
                run += row[x] as usize;
            }
            for x in 0..w {
                if x + r < w {
                    run += row[x + r] as usize;
                }
                if x > r {
                    run -= row[x - r - 1] as usize;
                }
                out[x] = u8::from(run > 0);
            }
        }
        let mut out = vec![0u8; w * h];
        let mut run = vec![0u32; w];
        for y in 0..(r.min(h)) {
            for x in 0..w {
                run[x] += horizontal[y * w + x] as u32;
            }
        }
        for y in 0..h {
            if y + r < h {
                let row = &horizontal[(y + r) * w..(y + r + 1) * w];
                for x in 0..w {
                    run[x] += row[x] as u32;
                }
            }
            if y > r {
                let row = &horizontal[(y - r - 1) * w..(y - r) * w];
                for x in 0..w {
                    run[x] -= row[x] as u32;
                }
            }
            let o = &mut out[y * w..(y + 1) * w];
            for x in 0..w {
                o[x] = u8::from(run[x] > 0);
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
}

/// `Some(true)` for a pixel of red ink, `Some(false)` for blue ink, `None`
/// for grey. Thresholds sit above the tint of paper and of a warm light
/// (red over blue by up to about 15 levels), but low enough to catch thin pen
/// strokes whose colour JPEG's chroma subsampling has washed out.
#[inline]
fn colour_of(r: u8, g: u8, b: u8) -> Option<bool> {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    if r - g.max(b) >= 22 {
        Some(true)
    } else if b - r.max(g) >= 16 {
        Some(false)
    } else {
        None
    }
}

/// Turns a page image into grey, taking out red and blue ink.
pub fn remove_colour_ink(img: &RgbImage) -> (GrayImage, Bitmap, ColourInk) {
    let (w, h) = img.dimensions();
    let mut grey = GrayImage::new(w, h);
    let mut mask = Bitmap::new(w, h);
    let mut colour = ColourInk {
        total: u64::from(w) * u64::from(h),
        ..ColourInk::default()
    };
    for (i, (p, out)) in img.pixels().zip(grey.iter_mut()).enumerate() {
        let [r, g, b] = p.0;
        let lum = ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8) as u8;
        match colour_of(r, g, b) {
            Some(is_red) => {
                if is_red {
                    colour.red += 1;
                } else {
                    colour.blue += 1;
                }
                mask.data[i] = 1;
                // Paper showing through coloured ink is about as bright as its
                // brightest channel.
                *out = r.max(g).max(b).max(200);
            }
            None => *out = lum,
        }
    }
    (grey, mask, colour)
}

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
    for sy in 0..sh {
        for sx in 0..sw {
            let mut acc = 0u32;
            for y in sy * F..(sy + 1) * F {
                for x in sx * F..(sx + 1) * F {
                    let [r, g, b] = img.get_pixel(x, y).0;
                    acc += (u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8;
                }
            }
            small[(sy * sw + sx) as usize] = (acc / (F * F)) as u8;
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
    // Outside = reachable from the border without crossing the component.
    let mut outside = vec![false; sw * sh];
    for i in 0..sw * sh {
        let (x, y) = (i % sw, i / sw);
        if (x == 0 || y == 0 || x + 1 == sw || y + 1 == sh) && label[i] != best_label && !outside[i]
        {
            outside[i] = true;
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        let (x, y) = (i % sw, i / sw);
        let neighbours = [
            (x > 0).then(|| i - 1),
            (x + 1 < sw).then(|| i + 1),
            (y > 0).then(|| i - sw),
            (y + 1 < sh).then(|| i + sw),
        ];
        for j in neighbours.into_iter().flatten() {
            if !outside[j] && label[j] != best_label {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
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
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let out = &mut hs[y * w..(y + 1) * w];
        let mut run: u32 = row[..(r + 1).min(w)].iter().map(|&v| u32::from(v)).sum();
        for x in 0..w {
            out[x] = run;
            if x + r + 1 < w {
                run += u32::from(row[x + r + 1]);
            }
            if x >= r {
                run -= u32::from(row[x - r]);
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
        for x in 0..w {
            o[x] = (col[x] / (rows * hc[x])) as u8;
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

/// Grey, colour mask and ink map of a page image.
pub fn prepare(img: &RgbImage, dpi: f32) -> PreparedPage {
    let (mut grey, mut colour_mask, mut colour) = remove_colour_ink(img);
    let sheet = sheet_area(img);
    tracing::debug!(photo = sheet.is_some(), "sheet detection");
    if let Some(sheet) = sheet {
        // A photo: the desk around the sheet becomes blank paper, and
        // whatever colour the desk has is not ink.
        let mut paper: Vec<u8> = grey
            .as_raw()
            .iter()
            .zip(&sheet.data)
            .filter(|(_, &s)| s != 0)
            .map(|(&g, _)| g)
            .step_by(7)
            .collect();
        paper.sort_unstable();
        let fill = paper.get(paper.len() * 3 / 4).copied().unwrap_or(255);
        colour = ColourInk {
            total: colour.total,
            ..ColourInk::default()
        };
        for ((g, m), &s) in grey
            .iter_mut()
            .zip(colour_mask.data.iter_mut())
            .zip(&sheet.data)
        {
            if s == 0 {
                *g = fill;
                *m = 0;
            }
        }
        // Count the coloured ink on the sheet only.
        let mut red_blue = (0u64, 0u64);
        for ((p, &m), &s) in img.pixels().zip(&colour_mask.data).zip(&sheet.data) {
            if m != 0 && s != 0 {
                let [r, g, b] = p.0;
                if colour_of(r, g, b) == Some(true) {
                    red_blue.0 += 1;
                } else {
                    red_blue.1 += 1;
                }
            }
        }
        colour.red = red_blue.0;
        colour.blue = red_blue.1;
    }
    let ink = binarise(&grey, window_radius(dpi));
    PreparedPage {
        grey,
        colour_mask,
        colour,
        ink,
        dpi,
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
    fn red_stamp_is_removed_but_black_text_under_it_stays() {
        let mut img = RgbImage::from_pixel(20, 10, Rgb([250, 250, 250]));
        for x in 0..10 {
            img.put_pixel(x, 5, Rgb([200, 40, 50])); // stamp ink
        }
        img.put_pixel(0, 0, Rgb([236, 228, 215])); // warm paper tint: not ink
        for x in 10..20 {
            img.put_pixel(x, 5, Rgb([30, 25, 28])); // text
        }
        let (grey, mask, colour) = remove_colour_ink(&img);
        assert_eq!(colour.red, 10);
        assert_eq!(colour.blue, 0);
        assert!(grey.get_pixel(3, 5).0[0] >= 200);
        assert!(grey.get_pixel(15, 5).0[0] < 40);
        assert_eq!(mask.count(), 10);
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
}
