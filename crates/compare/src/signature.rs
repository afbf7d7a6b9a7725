//! A page's layout signature, for pairing pages across the two copies.
//!
//! The ink map is cropped to its content box (so margins, scale and shift do
//! not matter), averaged onto a small square grid and normalised. Turning
//! the page by 90° turns the grid, so one signature serves all four
//! orientations. Two signatures are compared by correlation.

use crate::ink::Bitmap;

/// Side of the signature grid.
pub const GRID: usize = 40;

/// Bounding box of a page's content, in pixels, `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl ContentBox {
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }
}

/// Where `fraction` of the mass of a profile lies before the returned index
/// (from the start) and after it (from the end).
fn trimmed_span(profile: &[u64], fraction: f64) -> (usize, usize) {
    let total: u64 = profile.iter().sum();
    let cut = (total as f64 * fraction) as u64;
    let mut acc = 0;
    let mut lo = 0;
    for (i, &v) in profile.iter().enumerate() {
        acc += v;
        if acc > cut {
            lo = i;
            break;
        }
    }
    acc = 0;
    let mut hi = profile.len();
    for (i, &v) in profile.iter().enumerate().rev() {
        acc += v;
        if acc > cut {
            hi = i + 1;
            break;
        }
    }
    (lo, hi.max(lo + 1))
}

/// Pieces of ink of fewer pixels than this are specks (noise, a photo's
/// grain) when telling a blank page: a letter at 200 dpi has 20 or more.
const SPECK: u32 = 8;
/// Pages with fewer than this many times the blank floor of ink pixels
/// have their specks left out before they are called blank or not.
const SPECK_LOOK: u64 = 10;

/// Ink pixels in pieces of [`SPECK`] pixels or more.
fn ink_beyond_specks(ink: &Bitmap) -> u64 {
    let (w, h) = (ink.width as usize, ink.height as usize);
    let (_, pieces) = crate::ink::pieces8(
        w,
        h,
        |i| ink.data[i] != 0,
        |_, n| ink.data[n] != 0,
        |_, _| {},
    );
    pieces
        .iter()
        .filter(|p| p.area >= SPECK)
        .map(|p| u64::from(p.area))
        .sum()
}

/// The box holding nearly all ink (a few stray specks at the edges are
/// ignored). `None` for a blank page.
pub fn content_box(ink: &Bitmap) -> Option<ContentBox> {
    let (w, h) = (ink.width as usize, ink.height as usize);
    let mut cols = vec![0u64; w];
    let mut rows = vec![0u64; h];
    for (y, row) in ink.data.chunks_exact(w).enumerate() {
        let mut n = 0u64;
        for (c, &v) in cols.iter_mut().zip(row) {
            *c += u64::from(v);
            n += u64::from(v);
        }
        rows[y] = n;
    }
    let total: u64 = rows.iter().sum();
    // Fewer ink pixels than a short word at 200 dpi: a blank page. Specks
    // do not count (a photographed blank sheet keeps a hundred or so along
    // its shaded edge); they are only looked for where they could matter.
    let floor = (w * h / 20_000).max(60) as u64;
    if total < floor || total < SPECK_LOOK * floor && ink_beyond_specks(ink) < floor {
        return None;
    }
    let (x0, x1) = trimmed_span(&cols, 0.002);
    let (y0, y1) = trimmed_span(&rows, 0.002);
    Some(ContentBox {
        x0: x0 as u32,
        y0: y0 as u32,
        x1: x1 as u32,
        y1: y1 as u32,
    })
}

/// A page's signature, or the fact that it is blank.
#[derive(Debug, Clone, PartialEq)]
pub enum Signature {
    Blank,
    Ink {
        /// Zero-mean, unit-norm ink densities, row-major `GRID × GRID`.
        grid: Vec<f32>,
        /// Width over height of the content box.
        aspect: f32,
        content: ContentBox,
    },
}

/// Computes the signature of an ink map.
pub fn signature(ink: &Bitmap) -> Signature {
    let Some(content) = content_box(ink) else {
        return Signature::Blank;
    };
    let mut grid = vec![0f32; GRID * GRID];
    let (cw, ch) = (content.width() as f32, content.height() as f32);
    let w = ink.width as usize;
    for y in content.y0..content.y1 {
        let gy = (((y - content.y0) as f32 + 0.5) / ch * GRID as f32) as usize;
        let row = &ink.data[y as usize * w..];
        for x in content.x0..content.x1 {
            if row[x as usize] != 0 {
                let gx = (((x - content.x0) as f32 + 0.5) / cw * GRID as f32) as usize;
                grid[gy.min(GRID - 1) * GRID + gx.min(GRID - 1)] += 1.0;
            }
        }
    }
    // Soften so that a shift of a fraction of a cell does not matter.
    let grid = blur3(&blur3(&grid));
    Signature::Ink {
        grid: normalise(grid),
        aspect: cw / ch,
        content,
    }
}

fn blur3(g: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; g.len()];
    for y in 0..GRID {
        for x in 0..GRID {
            let mut s = 0.0;
            let mut n = 0.0;
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let (yy, xx) = (y as i32 + dy, x as i32 + dx);
                    if (0..GRID as i32).contains(&yy) && (0..GRID as i32).contains(&xx) {
                        let wgt = if dx == 0 && dy == 0 { 2.0 } else { 1.0 };
                        s += g[yy as usize * GRID + xx as usize] * wgt;
                        n += wgt;
                    }
                }
            }
            out[y * GRID + x] = s / n;
        }
    }
    out
}

fn normalise(mut g: Vec<f32>) -> Vec<f32> {
    let mean = g.iter().sum::<f32>() / g.len() as f32;
    let mut norm = 0.0;
    for v in g.iter_mut() {
        *v -= mean;
        norm += *v * *v;
    }
    let norm = norm.sqrt().max(1e-9);
    for v in g.iter_mut() {
        *v /= norm;
    }
    g
}

/// The grid turned clockwise by `quarter_turns` × 90°.
pub fn rotate_grid(grid: &[f32], quarter_turns: u8) -> Vec<f32> {
    let mut out = grid.to_vec();
    for _ in 0..(quarter_turns % 4) {
        let src = out.clone();
        for y in 0..GRID {
            for x in 0..GRID {
                // Clockwise: new(x, y) = old(y, GRID-1-x).
                out[y * GRID + x] = src[(GRID - 1 - x) * GRID + y];
            }
        }
    }
    out
}

/// Distance between a paper signature and an electronic one, in [0, 1], and
/// the clockwise quarter turns of the paper page that give it.
/// 0 = same layout; unrelated text pages land above about 0.5.
pub fn distance(paper: &Signature, electronic: &Signature) -> (f32, u8) {
    match (paper, electronic) {
        (Signature::Blank, Signature::Blank) => (0.0, 0),
        (Signature::Blank, _) | (_, Signature::Blank) => (1.0, 0),
        (
            Signature::Ink {
                grid: gp,
                aspect: ap,
                ..
            },
            Signature::Ink {
                grid: ge,
                aspect: ae,
                ..
            },
        ) => {
            let mut best = (f32::MAX, 0u8);
            for turns in 0..4u8 {
                let rotated = rotate_grid(gp, turns);
                let corr: f32 = rotated.iter().zip(ge).map(|(a, b)| a * b).sum();
                let aspect = if turns % 2 == 0 { *ap } else { 1.0 / ap };
                // A content box of another shape is a hint of another page.
                let shape = (aspect / ae).ln().abs().min(1.0);
                let d = ((1.0 - corr) * 0.5 + shape * 0.25).clamp(0.0, 1.0);
                if d < best.0 {
                    best = (d, turns);
                }
            }
            best
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_with_blocks(w: u32, h: u32, blocks: &[(u32, u32, u32, u32)]) -> Bitmap {
        let mut b = Bitmap::new(w, h);
        for &(x0, y0, bw, bh) in blocks {
            for y in y0..y0 + bh {
                for x in x0..x0 + bw {
                    b.data[(y * w + x) as usize] = 1;
                }
            }
        }
        b
    }

    fn rotate_cw(b: &Bitmap) -> Bitmap {
        let mut out = Bitmap::new(b.height, b.width);
        for y in 0..b.height {
            for x in 0..b.width {
                // (x, y) goes to (h-1-y, x)
                let nx = b.height - 1 - y;
                out.data[(x * out.width + nx) as usize] = b.data[(y * b.width + x) as usize];
            }
        }
        out
    }

    #[test]
    fn specks_alone_leave_a_page_blank_and_a_short_word_does_not() {
        // 200 specks of 1-4 pixels along the bottom of an A4 page at 200
        // dpi (a photographed blank sheet's shaded edge): 450 ink pixels,
        // over the floor of 193, and still blank.
        let (w, h) = (1654, 2339);
        let specks: Vec<(u32, u32, u32, u32)> = (0..200u32)
            .map(|k| (40 + k * 7, 2100 + (k * 13) % 30, 1 + k % 2, 1 + (k / 2) % 2))
            .collect();
        let noisy = page_with_blocks(w, h, &specks);
        let ink: usize = noisy.data.iter().map(|&v| usize::from(v)).sum();
        assert!(ink > 193, "{ink} ink pixels");
        assert_eq!(signature(&noisy), Signature::Blank);
        // The same with one short word: three letters of 8 × 14 pixels.
        let mut word = specks.clone();
        word.extend([(800, 1000, 8, 14), (811, 1000, 8, 14), (822, 1000, 8, 14)]);
        assert_ne!(signature(&page_with_blocks(w, h, &word)), Signature::Blank);
    }

    #[test]
    fn a_turned_page_pairs_with_its_upright_self_and_says_how_it_turned() {
        let upright = page_with_blocks(
            200,
            280,
            &[(20, 20, 120, 10), (20, 60, 40, 150), (100, 200, 60, 60)],
        );
        let turned = rotate_cw(&upright);
        let (d, turns) = distance(&signature(&turned), &signature(&upright));
        assert!(d < 0.05, "distance {d}");
        // The paper page was turned clockwise once; three more turns bring it back.
        assert_eq!(turns, 3);
    }

    #[test]
    fn different_layouts_are_far_apart_and_blank_pages_pair_with_blank_pages() {
        let a = page_with_blocks(200, 280, &[(20, 20, 120, 10), (20, 60, 40, 150)]);
        let b = page_with_blocks(200, 280, &[(120, 150, 60, 100), (30, 30, 30, 30)]);
        let (d, _) = distance(&signature(&a), &signature(&b));
        assert!(d > 0.4, "distance {d}");
        let blank = Bitmap::new(200, 280);
        assert_eq!(signature(&blank), Signature::Blank);
        assert_eq!(distance(&signature(&blank), &Signature::Blank).0, 0.0);
        assert_eq!(distance(&signature(&blank), &signature(&a)).0, 1.0);
    }
}
