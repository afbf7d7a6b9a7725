//! Small marks that the binary ink maps lose: a tone mark turned into
//! another ("Hồng" → "Hống"), a dot below added ("tỉnh" → "tịnh"), a hook.
//!
//! The ink-map comparison ([`crate::diff`]) absorbs a mark swapped for one
//! of about the same size in about the same place: the new mark lies within
//! its tolerance and its ±2 px search of the old one. Here both grey pages
//! (the paper already registered onto the electronic page) are put on one
//! ink scale (paper = 0, the darkest ink around = 1, judged per tile so a
//! phone's uneven light does not matter), softened by one 3×3 box pass (scan
//! noise, JPEG ringing), and each side's ink is checked against the other
//! side's ink within one pixel (a grey dilation, so a stroke drawn a pixel
//! wider or a sub-pixel shift leaves nothing). Tiles that leave something are
//! re-aligned within ±3 px first (a line the registration placed a little
//! off). What is left is grouped into blobs of each sign; a blob counts by
//! its ink mass, which blur does not change (a blurred mark is fainter but
//! wider), and must be thick, not a thin fringe along a stroke.

use image::GrayImage;

use crate::confirm::grey_at;
use crate::diff::Change;
use crate::ink::{pieces8, Bitmap};

/// Side of a level tile, pixels at the working resolution.
const LEVEL_TILE: usize = 64;
/// Side of a re-alignment tile, pixels.
const ALIGN_TILE: usize = 32;
/// Margin over which a tile's shift is judged, pixels.
const ALIGN_MARGIN: usize = 8;
/// Re-alignment search radius, pixels.
const ALIGN_SEARCH: i32 = 3;
/// Residual ink level (0..1) from which a pixel belongs to a blob.
const BLOB_LEVEL: f32 = 0.2;

/// A blob of ink on one side only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Sum of the residual ink levels: pixels of full ink.
    pub mass: f32,
    /// `true` when the ink is on the electronic page only.
    pub electronic_only: bool,
    /// Residual ink mass of the surrounding window (the blob included):
    /// high where the two sides disagree everywhere (blur that merges
    /// letters), low around a clean change.
    pub surround: f32,
}

impl Mark {
    /// Mass per pixel of its longer side: about the stroke width for a
    /// mark, well under one pixel for a fringe along a stroke.
    pub fn thickness(&self) -> f32 {
        self.mass / (self.x1 - self.x0).max(self.y1 - self.y0).max(1) as f32
    }

    pub fn as_change(&self) -> Change {
        Change {
            x0: self.x0,
            y0: self.y0,
            x1: self.x1,
            y1: self.y1,
            weight: self.mass.round() as u32,
        }
    }
}

/// Ink level in [0, 1] of every pixel: per tile, the paper level (90th
/// percentile of its neighbourhood) and the ink level (1st percentile, at
/// least 40 grey levels below the paper), interpolated between tile centres.
pub fn ink_levels(img: &GrayImage, tile: usize) -> Vec<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let (tx, ty) = (w.div_ceil(tile), h.div_ceil(tile));
    let mut paper = vec![255f32; tx * ty];
    let mut ink = vec![0f32; tx * ty];
    for j in 0..ty {
        for i in 0..tx {
            let (x0, x1) = (
                (i * tile).saturating_sub(tile / 2),
                ((i + 1) * tile + tile / 2).min(w),
            );
            let (y0, y1) = (
                (j * tile).saturating_sub(tile / 2),
                ((j + 1) * tile + tile / 2).min(h),
            );
            let mut hist = [0u32; 256];
            let mut n = 0u32;
            for y in (y0..y1).step_by(2) {
                for x in (x0..x1).step_by(2) {
                    hist[src[y * w + x] as usize] += 1;
                    n += 1;
                }
            }
            let p = grey_at(&hist, n, 0.90);
            paper[j * tx + i] = p;
            ink[j * tx + i] = grey_at(&hist, n, 0.01).min(p - 40.0);
        }
    }
    let mut out = vec![0f32; w * h];
    let grid = |v: f64, n: usize| -> (usize, usize, f32) {
        let g = (v + 0.5) / tile as f64 - 0.5;
        let g0 = g.floor().clamp(0.0, (n - 1) as f64) as usize;
        let f = (g - g0 as f64).clamp(0.0, 1.0) as f32;
        (g0, (g0 + 1).min(n - 1), f)
    };
    let xs: Vec<(usize, usize, f32)> = (0..w).map(|x| grid(x as f64, tx)).collect();
    // Each tile row's levels interpolated along x once for the rows that
    // share it (about a tile's height), then blended down each row.
    let along_x = |v: &[f32], row: usize| -> Vec<f32> {
        xs.iter()
            .map(|&(x0, x1, fx)| v[row * tx + x0] * (1.0 - fx) + v[row * tx + x1] * fx)
            .collect()
    };
    let mut band = None;
    let (mut paper_top, mut paper_bottom, mut ink_top, mut ink_bottom) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for y in 0..h {
        let (y0, y1, fy) = grid(y as f64, ty);
        if band != Some((y0, y1)) {
            band = Some((y0, y1));
            (paper_top, paper_bottom) = (along_x(&paper, y0), along_x(&paper, y1));
            (ink_top, ink_bottom) = (along_x(&ink, y0), along_x(&ink, y1));
        }
        let row = &src[y * w..(y + 1) * w];
        let levels = paper_top
            .iter()
            .zip(&paper_bottom)
            .zip(ink_top.iter().zip(&ink_bottom));
        for ((o, &s), ((&pt, &pb), (&kt, &kb))) in
            out[y * w..(y + 1) * w].iter_mut().zip(row).zip(levels)
        {
            let (p, k) = (pt * (1.0 - fy) + pb * fy, kt * (1.0 - fy) + kb * fy);
            *o = ((p - f32::from(s)) / (p - k).max(1.0)).clamp(0.0, 1.0);
        }
    }
    out
}

/// One 3×3 box pass (edges clamped).
fn box3(v: &[f32], w: usize, h: usize) -> Vec<f32> {
    let rows = along_rows(v, w, |l, c, r| l + c + r);
    let mut out = vec![0f32; w * h];
    down_columns(&rows, &mut out, w, h, |u, c, d| (u + c + d) / 9.0);
    out
}

/// Grey dilation: the largest value of each 3×3 neighbourhood.
fn max3(v: &[f32], w: usize, h: usize) -> Vec<f32> {
    let rows = along_rows(v, w, |l, c, r| l.max(c).max(r));
    let mut out = vec![0f32; w * h];
    down_columns(&rows, &mut out, w, h, |u, c, d| u.max(c).max(d));
    out
}

/// `f(left, pixel, right)` of every pixel, edges clamped.
#[inline(always)]
fn along_rows(v: &[f32], w: usize, f: impl Fn(f32, f32, f32) -> f32) -> Vec<f32> {
    let mut out = vec![0f32; v.len()];
    for (r, o) in v.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
        o[0] = f(r[0], r[0], r[1.min(w - 1)]);
        if w > 1 {
            o[w - 1] = f(r[w - 2], r[w - 1], r[w - 1]);
        }
        if w > 2 {
            let inner = r[..w - 2].iter().zip(&r[1..w - 1]).zip(&r[2..]);
            for (o, ((&a, &b), &c)) in o[1..w - 1].iter_mut().zip(inner) {
                *o = f(a, b, c);
            }
        }
    }
    out
}

/// `f(above, pixel, below)` of every pixel into `out`, edges clamped.
#[inline(always)]
fn down_columns(v: &[f32], out: &mut [f32], w: usize, h: usize, f: impl Fn(f32, f32, f32) -> f32) {
    for y in 0..h {
        let (u, d) = (y.saturating_sub(1), (y + 1).min(h - 1));
        let (ur, cr, dr) = (&v[u * w..][..w], &v[y * w..][..w], &v[d * w..][..w]);
        for (o, ((&a, &b), &c)) in out[y * w..][..w].iter_mut().zip(ur.iter().zip(cr).zip(dr)) {
            *o = f(a, b, c);
        }
    }
}

/// Finds ink present on one side only, as blobs. `electronic` and `paper`
/// share one pixel grid; pixels set in `ignore` never count.
pub fn find_marks(
    electronic: &GrayImage,
    paper: &GrayImage,
    ignore: &Bitmap,
    dpi: f32,
) -> Vec<Mark> {
    let (w, h) = (electronic.width() as usize, electronic.height() as usize);
    assert_eq!(electronic.dimensions(), paper.dimensions());
    let scale = dpi / crate::WORKING_DPI;
    let tile = ((LEVEL_TILE as f32 * scale).round() as usize).max(16);
    let e = box3(&ink_levels(electronic, tile), w, h);
    let p = box3(&ink_levels(paper, tile), w, h);
    let (e_max, p_max) = (max3(&e, w, h), max3(&p, w, h));
    let border = w.min(h) / 60;
    let usable = |x: usize, y: usize| {
        x >= border
            && y >= border
            && x + border < w
            && y + border < h
            && ignore.data[y * w + x] == 0
    };
    // Residual ink, positive on the electronic side, negative on the paper side.
    let mut residue = vec![0f32; w * h];
    let search = ((ALIGN_SEARCH as f32 * scale).round() as i32).max(1);
    let (tiles_x, tiles_y) = (w.div_ceil(ALIGN_TILE), h.div_ceil(ALIGN_TILE));
    // Best shift of each tile that leaves something; `None` for clean tiles.
    let mut shifts: Vec<Option<(i32, i32)>> = vec![None; tiles_x * tiles_y];
    for ty in 0..tiles_y {
        for tx in 0..tiles_x {
            let (x0, y0) = (tx * ALIGN_TILE, ty * ALIGN_TILE);
            let (x1, y1) = ((x0 + ALIGN_TILE).min(w), (y0 + ALIGN_TILE).min(h));
            let any = (y0..y1).any(|y| {
                (x0..x1).any(|x| {
                    let i = y * w + x;
                    usable(x, y) && residual(e[i], p_max[i], p[i], e_max[i]).abs() > BLOB_LEVEL
                })
            });
            if !any {
                continue;
            }
            // Re-align the tile: the shift that makes the two sides closest
            // over the tile and a margin.
            let (wx0, wy0) = (
                x0.saturating_sub(ALIGN_MARGIN),
                y0.saturating_sub(ALIGN_MARGIN),
            );
            let (wx1, wy1) = ((x1 + ALIGN_MARGIN).min(w), (y1 + ALIGN_MARGIN).min(h));
            let cost = |dx: i32, dy: i32| -> f32 {
                let mut c = 0f32;
                let inside = wx0 as i32 + dx >= 0
                    && wx1 as i32 + dx <= w as i32
                    && wy0 as i32 + dy >= 0
                    && wy1 as i32 + dy <= h as i32;
                if inside {
                    // Away from the page's edge no shifted pixel needs
                    // clamping: row slices, in eight running sums (one
                    // running sum waits on each addition in turn).
                    let mut lanes = [0f32; 8];
                    for y in wy0..wy1 {
                        let sy = (y as i32 + dy) as usize;
                        let sx0 = (wx0 as i32 + dx) as usize;
                        let er = &e[y * w + wx0..y * w + wx1];
                        let pr = &p[sy * w + sx0..sy * w + sx0 + (wx1 - wx0)];
                        let (ec, pc) = (er.chunks_exact(8), pr.chunks_exact(8));
                        for (a, b) in ec.remainder().iter().zip(pc.remainder()) {
                            let d = a - b;
                            c += d * d;
                        }
                        for (a8, b8) in ec.zip(pc) {
                            for k in 0..8 {
                                let d = a8[k] - b8[k];
                                lanes[k] += d * d;
                            }
                        }
                    }
                    return c + lanes.iter().sum::<f32>();
                }
                for y in wy0..wy1 {
                    let sy = (y as i32 + dy).clamp(0, h as i32 - 1) as usize;
                    for x in wx0..wx1 {
                        let sx = (x as i32 + dx).clamp(0, w as i32 - 1) as usize;
                        let d = e[y * w + x] - p[sy * w + sx];
                        c += d * d;
                    }
                }
                c
            };
            let mut best = (cost(0, 0), 0, 0);
            for dy in -search..=search {
                for dx in -search..=search {
                    if dx == 0 && dy == 0 {
                        continue;
                    }
                    let c = cost(dx, dy);
                    if c < best.0 {
                        best = (c, dx, dy);
                    }
                }
            }
            shifts[ty * tiles_x + tx] = Some((best.1, best.2));
        }
    }
    // A pixel keeps the smallest residue over its own tile's shift and its
    // neighbours' (a shift judged on letters can leave a sliver at the
    // tile's edge that the next tile's shift explains); a real change
    // stays under all of them.
    for ty in 0..tiles_y {
        for tx in 0..tiles_x {
            if shifts[ty * tiles_x + tx].is_none() {
                continue;
            }
            let mut candidates: Vec<(i32, i32)> = vec![(0, 0)];
            for ny in ty.saturating_sub(1)..=(ty + 1).min(tiles_y - 1) {
                for nx in tx.saturating_sub(1)..=(tx + 1).min(tiles_x - 1) {
                    if let Some(s) = shifts[ny * tiles_x + nx] {
                        if !candidates.contains(&s) {
                            candidates.push(s);
                        }
                    }
                }
            }
            let (x0, y0) = (tx * ALIGN_TILE, ty * ALIGN_TILE);
            let (x1, y1) = ((x0 + ALIGN_TILE).min(w), (y0 + ALIGN_TILE).min(h));
            // A row at a time, candidates in order (the first of equal
            // residues wins), the shifted row clamped at the page's edge.
            let mut best = vec![f32::MAX; x1 - x0];
            let sx: Vec<Vec<usize>> = candidates
                .iter()
                .map(|&(dx, _)| {
                    (x0..x1)
                        .map(|x| (x as i32 + dx).clamp(0, w as i32 - 1) as usize)
                        .collect()
                })
                .collect();
            for y in y0..y1 {
                best.fill(f32::MAX);
                let (er, emr) = (&e[y * w + x0..y * w + x1], &e_max[y * w + x0..y * w + x1]);
                for (&(_, dy), sx) in candidates.iter().zip(&sx) {
                    let sy = (y as i32 + dy).clamp(0, h as i32 - 1) as usize;
                    let (pr, pmr) = (&p[sy * w..(sy + 1) * w], &p_max[sy * w..(sy + 1) * w]);
                    for (k, r) in best.iter_mut().enumerate() {
                        let j = sx[k];
                        let v = residual(er[k], pmr[j], pr[j], emr[k]);
                        if v.abs() < r.abs() {
                            *r = v;
                        }
                    }
                }
                for (k, &r) in best.iter().enumerate() {
                    if usable(x0 + k, y) {
                        residue[y * w + x0 + k] = r;
                    }
                }
            }
        }
    }
    blobs(&residue, w, h, scale)
}

/// Residual ink of one pixel against its (shifted) counterpart: the
/// electronic ink the paper's neighbourhood maximum does not reach
/// (positive), else the paper ink the electronic maximum does not reach
/// (negative), else 0.
#[inline]
fn residual(e: f32, p_max: f32, p: f32, e_max: f32) -> f32 {
    let (only_e, only_p) = (e - p_max, p - e_max);
    if only_e > 0.0 {
        only_e
    } else if only_p > 0.0 {
        -only_p
    } else {
        0.0
    }
}

/// Groups residual pixels of one sign into 8-connected blobs.
fn blobs(residue: &[f32], w: usize, h: usize, scale: f32) -> Vec<Mark> {
    let surround_r = ((24.0 * scale).round() as usize).max(8);
    let strong = |i: usize| residue[i].abs() > BLOB_LEVEL;
    let same_sign = |start: usize, n: usize| {
        if residue[start] > 0.0 {
            residue[n] > BLOB_LEVEL
        } else {
            residue[n] < -BLOB_LEVEL
        }
    };
    let mut masses: Vec<f32> = Vec::new();
    let (_, pieces) = pieces8(w, h, strong, same_sign, |k, i| {
        if k == masses.len() {
            masses.push(0.0);
        }
        masses[k] += residue[i].abs();
    });
    let mut out: Vec<Mark> = pieces
        .iter()
        .zip(masses)
        .map(|(p, mass)| Mark {
            x0: p.x0,
            y0: p.y0,
            x1: p.x1,
            y1: p.y1,
            mass,
            electronic_only: residue[p.start] > 0.0,
            surround: 0.0,
        })
        .collect();
    for m in &mut out {
        let (cx, cy) = (
            (m.x0 as usize + m.x1 as usize) / 2,
            (m.y0 as usize + m.y1 as usize) / 2,
        );
        let mut s = 0f32;
        for y in cy.saturating_sub(surround_r)..(cy + surround_r).min(h) {
            for x in cx.saturating_sub(surround_r)..(cx + surround_r).min(w) {
                s += residue[y * w + x].abs();
            }
        }
        m.surround = s;
    }
    out.sort_by(|a, b| b.mass.total_cmp(&a.mass));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of "letters" (3-px strokes) with an optional mark above the
    /// third one, leaning left (`Some(false)`) or right (`Some(true)`).
    fn line(paper: u8, ink: u8, mark: Option<bool>, shift: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(160, 80, image::Luma([paper]));
        for k in 0..7 {
            let x = 20 + k * 16 + shift;
            for y in 34 + shift..50 + shift {
                for xx in x..x + 3 {
                    img.put_pixel(xx, y, image::Luma([ink]));
                }
            }
        }
        if let Some(right) = mark {
            // A 2-px stroke, 8 px long, on a diagonal.
            for k in 0..8u32 {
                let x = 52 + shift + if right { k } else { 7 - k };
                let y = 22 + shift + k;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    img.put_pixel(x + dx, y + dy, image::Luma([ink]));
                }
            }
        }
        img
    }

    #[test]
    fn a_tone_mark_turned_the_other_way_is_found_and_a_rescan_is_clean() {
        let e = line(250, 10, Some(false), 0);
        let ignore = Bitmap::new(160, 80);
        // The same line on greyer paper with fainter ink, one pixel off.
        let same = line(205, 90, Some(false), 1);
        let found = find_marks(&e, &same, &ignore, 200.0);
        assert!(found.iter().all(|m| m.mass < 2.0), "{found:?}");
        let swapped = line(205, 90, Some(true), 1);
        let found = find_marks(&e, &swapped, &ignore, 200.0);
        let strongest = found.first().expect("a mark");
        assert!(strongest.mass >= 4.0, "{found:?}");
        assert!(
            (48..62).contains(&strongest.x0) && (20..34).contains(&strongest.y0),
            "{strongest:?}"
        );
    }
}
