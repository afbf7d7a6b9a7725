//! Confirms a candidate change on the grey images, before it is reported.
//!
//! The ink-map comparison ([`crate::diff`]) works on binary maps: a stroke
//! that a phone photo or a worn scan renders a little fainter falls just
//! under the binarisation threshold and shows up as "missing ink". Here the
//! candidate's neighbourhood is looked at again in grey: both sides are put
//! on one scale (paper = 0, the page's darkest ink = 1), softened to the same
//! sharpness, aligned within ±4 px, and only pixels where one side has clear
//! ink and the other clear paper count. A changed digit or mark keeps most
//! of its weight; a faint or fattened stroke loses it.

use image::GrayImage;

use crate::diff::Change;

/// Local search radius, pixels at the working resolution.
const SEARCH: i32 = 4;
/// Difference of ink level (0 = paper, 1 = full ink) that counts as a
/// disagreement: one side clearly inked, the other clearly not.
const DISAGREE: f32 = 0.5;
/// 3×3 box passes that soften both sides to a common sharpness.
const BLUR_PASSES: usize = 2;

/// Ink level in [0, 1] of a window, from its paper level and ink level.
struct Levels {
    paper: f32,
    ink: f32,
}

fn levels(img: &GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) -> Levels {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            hist[img.get_pixel(x, y).0[0] as usize] += 1;
            n += 1;
        }
    }
    let paper = grey_at(&hist, n, 0.80);
    let ink = grey_at(&hist, n, 0.01).min(paper - 40.0);
    Levels { paper, ink }
}

/// The grey level below which `frac` of the `n` counted pixels lie.
pub(crate) fn grey_at(hist: &[u32; 256], n: u32, frac: f32) -> f32 {
    let target = (n as f32 * frac) as u32;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc > target {
            return v as f32;
        }
    }
    255.0
}

/// Ink level of each pixel of a window, softened by [`BLUR_PASSES`] 3×3 box passes so
/// that a sharp render and a blurred photo meet at the same sharpness.
fn ink_plane(img: &GrayImage, x0: u32, y0: u32, x1: u32, y1: u32, l: &Levels) -> Vec<f32> {
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let span = (l.paper - l.ink).max(1.0);
    let mut v: Vec<f32> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| ((l.paper - f32::from(img.get_pixel(x, y).0[0])) / span).clamp(0.0, 1.0))
        .collect();
    for _ in 0..BLUR_PASSES {
        let src = v.clone();
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                let mut c = 0.0;
                for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                    for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                        s += src[yy * w + xx];
                        c += 1.0;
                    }
                }
                v[y * w + x] = s / c;
            }
        }
    }
    v
}

/// Weight of a candidate change after a second look in grey: the number of
/// pixels of its box where, at the best local alignment, one side is
/// clearly ink and the other clearly paper. `electronic` and `paper` are on
/// the same pixel grid (the paper registered onto the electronic page).
pub fn confirmed_weight(electronic: &GrayImage, paper: &GrayImage, c: &Change, dpi: f32) -> u32 {
    let (w, h) = electronic.dimensions();
    let scale = dpi / crate::WORKING_DPI;
    let margin = ((6.0 * scale).round() as u32).max(3);
    let context = ((30.0 * scale).round() as u32).max(10);
    let search = ((SEARCH as f32 * scale).round() as i32).max(1);
    // The box, with room for the search, and a wider context for levels.
    let (x0, y0) = (c.x0.saturating_sub(margin), c.y0.saturating_sub(margin));
    let (x1, y1) = ((c.x1 + margin).min(w), (c.y1 + margin).min(h));
    if x1 <= x0 + 2 * search as u32 + 2 || y1 <= y0 + 2 * search as u32 + 2 {
        return 0;
    }
    let (cx0, cy0) = (x0.saturating_sub(context), y0.saturating_sub(context));
    let (cx1, cy1) = ((x1 + context).min(w), (y1 + context).min(h));
    let e_levels = levels(electronic, cx0, cy0, cx1, cy1);
    let p_levels = levels(paper, cx0, cy0, cx1, cy1);
    let e = ink_plane(electronic, x0, y0, x1, y1, &e_levels);
    let p = ink_plane(paper, x0, y0, x1, y1, &p_levels);
    let (pw, ph) = ((x1 - x0) as i32, (y1 - y0) as i32);
    let s = search;
    let count_at = |dx: i32, dy: i32| -> (f32, u32) {
        let (mut cost, mut n) = (0f32, 0u32);
        for y in s..ph - s {
            for x in s..pw - s {
                let a = e[(y * pw + x) as usize];
                let b = p[((y + dy) * pw + x + dx) as usize];
                let d = (a - b).abs();
                cost += d;
                n += u32::from(d > DISAGREE);
            }
        }
        (cost, n)
    };
    let mut best = count_at(0, 0);
    for dy in -s..=s {
        for dx in -s..=s {
            if dx == 0 && dy == 0 {
                continue;
            }
            let r = count_at(dx, dy);
            if r.0 < best.0 {
                best = r;
            }
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of "letters": dark rectangles on light paper.
    fn line(w: u32, h: u32, paper: u8, ink: u8, extra: bool) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, image::Luma([paper]));
        for k in 0..6 {
            let x = 10 + k * 16;
            for y in 20..34 {
                for xx in x..x + 3 {
                    img.put_pixel(xx, y, image::Luma([ink]));
                }
            }
        }
        if extra {
            // A mark above the third letter: an added diacritic.
            for y in 14..17 {
                for x in 40..47 {
                    img.put_pixel(x, y, image::Luma([ink]));
                }
            }
        }
        img
    }

    #[test]
    fn a_fainter_shifted_copy_keeps_no_weight_but_an_added_mark_does() {
        let e = line(120, 50, 250, 10, false);
        let candidate = Change {
            x0: 36,
            y0: 12,
            x1: 50,
            y1: 36,
            weight: 30,
        };
        // The paper: greyer paper, fainter ink, shifted by one pixel.
        let mut p = GrayImage::from_pixel(120, 50, image::Luma([200]));
        let faint = line(120, 50, 200, 110, false);
        for y in 1..50 {
            for x in 1..120 {
                p.put_pixel(x, y, *faint.get_pixel(x - 1, y - 1));
            }
        }
        assert_eq!(confirmed_weight(&e, &p, &candidate, 200.0), 0);
        let marked = line(120, 50, 200, 110, true);
        let w = confirmed_weight(&e, &marked, &candidate, 200.0);
        assert!(w >= 12, "{w}");
    }
}
