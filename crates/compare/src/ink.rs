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

/// True for a pixel of clearly coloured (not grey) ink, and which colour.
#[inline]
fn colour_of(r: u8, g: u8, b: u8) -> Option<bool> {
    let mx = r.max(g).max(b);
    let mn = r.min(g).min(b);
    let chroma = mx - mn;
    // Saturated enough that it cannot be grey print with a JPEG fringe.
    if chroma < 45 || (chroma as u32) * 100 < (mx as u32) * 33 {
        return None;
    }
    if r == mx && r > g.saturating_add(30) {
        Some(true)
    } else if b == mx && b > r.saturating_add(15) {
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
            None => {
                *out = ((u32::from(r) * 77 + u32::from(g) * 150 + u32::from(b) * 29) >> 8) as u8;
            }
        }
    }
    (grey, mask, colour)
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
    let (grey, colour_mask, colour) = remove_colour_ink(img);
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
