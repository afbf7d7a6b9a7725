//! Registration: where each point of the electronic page lies on the paper page.
//!
//! Coarse to fine over ink-density pyramids:
//! 1. the content boxes give a first scale and shift;
//! 2. at about 25 dpi, blocks of the electronic page are searched for on the
//!    paper page (normalised cross-correlation), and a homography is fitted
//!    to the block matches with RANSAC (this absorbs skew, scale and the
//!    perspective of phone photos);
//! 3. the same again at about 67 dpi with a small search, refining the homography;
//! 4. at about 100 dpi, the residual shift of each block is kept as a smooth
//!    shift field (page curl, lens distortion).
//!
//! Orientation (90° steps) is settled before, by pairing; the paper page
//! arrives upright.

use image::GrayImage;

use crate::geometry::{ransac, Correspondence, Homography, Model, Sampler};
use crate::ink::Bitmap;
use crate::signature::ContentBox;

/// A grey or density image in `f32`.
#[derive(Debug, Clone)]
pub struct Plane {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Plane {
    #[inline]
    fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear sample; outside the image reads as 0 (no ink).
    #[inline]
    fn sample(&self, x: f64, y: f64) -> f32 {
        if !(x > -1.0 && y > -1.0 && x < self.width as f64 && y < self.height as f64) {
            return 0.0;
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = ((x - x0) as f32, (y - y0) as f32);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let get = |xx: i64, yy: i64| -> f32 {
            if xx < 0 || yy < 0 || xx >= self.width as i64 || yy >= self.height as i64 {
                0.0
            } else {
                self.data[yy as usize * self.width + xx as usize]
            }
        };
        let top = get(x0, y0) * (1.0 - fx) + get(x0 + 1, y0) * fx;
        let bottom = get(x0, y0 + 1) * (1.0 - fx) + get(x0 + 1, y0 + 1) * fx;
        top * (1.0 - fy) + bottom * fy
    }
}

/// Ink density over `factor × factor` cells, in [0, 1].
pub fn density(ink: &Bitmap, factor: usize) -> Plane {
    let factor = factor.max(1);
    let (w, h) = (ink.width as usize, ink.height as usize);
    let (lw, lh) = (w.div_ceil(factor), h.div_ceil(factor));
    let mut sums = vec![0u32; lw * lh];
    for y in 0..h {
        let row = &ink.data[y * w..(y + 1) * w];
        let out = &mut sums[(y / factor) * lw..(y / factor + 1) * lw];
        for (o, cell) in out.iter_mut().zip(row.chunks(factor)) {
            *o += cell.iter().map(|&v| u32::from(v)).sum::<u32>();
        }
    }
    let full = (factor * factor) as f32;
    Plane {
        width: lw,
        height: lh,
        data: sums.into_iter().map(|s| s as f32 / full).collect(),
    }
}

/// `src` (a density at `src_factor` of the paper page) resampled onto the
/// electronic page's grid at `dst_factor`, through `map` (electronic → paper,
/// full-resolution pixels).
fn warp_plane(
    src: &Plane,
    src_factor: usize,
    map: &dyn Fn(f64, f64) -> (f64, f64),
    width: usize,
    height: usize,
    dst_factor: usize,
) -> Plane {
    let mut data = vec![0f32; width * height];
    let (sf, df) = (src_factor as f64, dst_factor as f64);
    for v in 0..height {
        for u in 0..width {
            let (x, y) = ((u as f64 + 0.5) * df - 0.5, (v as f64 + 0.5) * df - 0.5);
            let (px, py) = map(x, y);
            data[v * width + u] = src.sample((px + 0.5) / sf - 0.5, (py + 0.5) / sf - 0.5);
        }
    }
    Plane {
        width,
        height,
        data,
    }
}

/// A block of the electronic page found on the (warped) paper page.
#[derive(Debug, Clone, Copy)]
struct BlockMatch {
    /// Block centre, in level pixels.
    cx: f64,
    cy: f64,
    /// Where it was found, relative to where it was expected, level pixels.
    dx: f64,
    dy: f64,
    score: f64,
}

/// Finds each textured block of `e` in `p` (same grid) within ±`search`.
fn match_blocks(e: &Plane, p: &Plane, block: usize, stride: usize, search: i32) -> Vec<BlockMatch> {
    let mut out = Vec::new();
    let n = (block * block) as f64;
    let side = (2 * search + 1) as usize;
    let mut scores = vec![f64::MIN; side * side];
    // Sums of the paper's values and squares over any block, from
    // summed-area tables; only the products are summed per shift.
    let (sum_b, sum_bb) = summed_areas(p);
    let area = |t: &[f64], x: usize, y: usize| area_sum(t, p.width, (x, y, block, block));
    let mut by = 0;
    while by + block <= e.height {
        let mut bx = 0;
        while bx + block <= e.width {
            // Statistics of the electronic block.
            let (mut sa, mut saa) = (0f64, 0f64);
            for y in by..by + block {
                for x in bx..bx + block {
                    let a = f64::from(e.at(x, y));
                    sa += a;
                    saa += a * a;
                }
            }
            let var_a = saa / n - (sa / n).powi(2);
            // A block with hardly any ink cannot be placed.
            if var_a < 0.004 || sa / n < 0.01 {
                bx += stride;
                continue;
            }
            let mean_a = sa / n;
            for s in scores.iter_mut() {
                *s = f64::MIN;
            }
            for dy in -search..=search {
                for dx in -search..=search {
                    let (ox, oy) = (bx as i64 + dx as i64, by as i64 + dy as i64);
                    if ox < 0
                        || oy < 0
                        || ox as usize + block > p.width
                        || oy as usize + block > p.height
                    {
                        continue;
                    }
                    let (ox, oy) = (ox as usize, oy as usize);
                    let (sb, sbb) = (area(&sum_b, ox, oy), area(&sum_bb, ox, oy));
                    // Four running sums (one waits on each addition in
                    // turn), added up at the end.
                    let mut sab4 = [0f64; 4];
                    for y in 0..block {
                        let ea = &e.data[(by + y) * e.width + bx..(by + y) * e.width + bx + block];
                        let pb = &p.data[(oy + y) * p.width + ox..(oy + y) * p.width + ox + block];
                        let (ec, pc) = (ea.chunks_exact(4), pb.chunks_exact(4));
                        for (&a, &b) in ec.remainder().iter().zip(pc.remainder()) {
                            sab4[0] += f64::from(a) * f64::from(b);
                        }
                        for (a4, b4) in ec.zip(pc) {
                            for l in 0..4 {
                                sab4[l] += f64::from(a4[l]) * f64::from(b4[l]);
                            }
                        }
                    }
                    let sab = (sab4[0] + sab4[1]) + (sab4[2] + sab4[3]);
                    let var_b = sbb / n - (sb / n).powi(2);
                    if var_b < 1e-6 {
                        continue;
                    }
                    let cov = sab / n - mean_a * sb / n;
                    scores[(dy + search) as usize * side + (dx + search) as usize] =
                        cov / (var_a * var_b).sqrt();
                }
            }
            if let Some(m) = best_peak(&scores, side, search) {
                out.push(BlockMatch {
                    cx: bx as f64 + block as f64 / 2.0,
                    cy: by as f64 + block as f64 / 2.0,
                    dx: m.0,
                    dy: m.1,
                    score: m.2,
                });
            }
            bx += stride;
        }
        by += stride;
    }
    out
}

/// Summed-area tables of a plane's values and of their squares, each
/// `(width + 1) × (height + 1)` with a zero first row and column.
fn summed_areas(p: &Plane) -> (Vec<f64>, Vec<f64>) {
    let stride = p.width + 1;
    let mut sum = vec![0f64; stride * (p.height + 1)];
    let mut squares = vec![0f64; stride * (p.height + 1)];
    for (y, row) in p.data.chunks_exact(p.width.max(1)).enumerate() {
        let (mut run, mut run_sq) = (0f64, 0f64);
        let (above, here) = ((y * stride), (y + 1) * stride);
        for (x, &v) in row.iter().enumerate() {
            let v = f64::from(v);
            run += v;
            run_sq += v * v;
            sum[here + x + 1] = sum[above + x + 1] + run;
            squares[here + x + 1] = squares[above + x + 1] + run_sq;
        }
    }
    (sum, squares)
}

/// The sum over the `w × h` box at `(x, y)` of a plane `width` wide, from
/// its summed-area table ([`summed_areas`]).
fn area_sum(t: &[f64], width: usize, (x, y, w, h): (usize, usize, usize, usize)) -> f64 {
    let stride = width + 1;
    let (top, bottom) = (y * stride, (y + h) * stride);
    (t[bottom + x + w] - t[bottom + x]) - (t[top + x + w] - t[top + x])
}

/// The sub-pixel peak of a score grid, if it is clear: high enough and not
/// rivalled by another peak further away (text lines repeat).
fn best_peak(scores: &[f64], side: usize, search: i32) -> Option<(f64, f64, f64)> {
    let (mut bi, mut bs) = (0usize, f64::MIN);
    for (i, &s) in scores.iter().enumerate() {
        if s > bs {
            bs = s;
            bi = i;
        }
    }
    if bs < 0.45 {
        return None;
    }
    let (px, py) = ((bi % side) as i32, (bi / side) as i32);
    let mut rival = f64::MIN;
    for (i, &s) in scores.iter().enumerate() {
        let (x, y) = ((i % side) as i32, (i / side) as i32);
        if (x - px).abs() > 2 || (y - py).abs() > 2 {
            rival = rival.max(s);
        }
    }
    if rival > bs - 0.08 {
        return None;
    }
    let at = |x: i32, y: i32| -> Option<f64> {
        if x < 0 || y < 0 || x >= side as i32 || y >= side as i32 {
            return None;
        }
        let s = scores[y as usize * side + x as usize];
        (s > f64::MIN).then_some(s)
    };
    let refine = |l: Option<f64>, c: f64, r: Option<f64>| -> f64 {
        match (l, r) {
            (Some(l), Some(r)) => {
                let d = l - 2.0 * c + r;
                if d < -1e-9 {
                    (0.5 * (l - r) / d).clamp(-0.5, 0.5)
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    };
    let fx = refine(at(px - 1, py), bs, at(px + 1, py));
    let fy = refine(at(px, py - 1), bs, at(px, py + 1));
    Some((f64::from(px - search) + fx, f64::from(py - search) + fy, bs))
}

/// Residual shifts on a grid over the electronic page (full-resolution
/// pixels), interpolated bilinearly between block centres.
#[derive(Debug, Clone)]
pub struct ShiftField {
    cols: usize,
    rows: usize,
    /// Block pitch and first centre, full-resolution pixels.
    pitch: f64,
    origin: f64,
    dx: Vec<f64>,
    dy: Vec<f64>,
}

impl ShiftField {
    #[inline]
    pub fn at(&self, x: f64, y: f64) -> (f64, f64) {
        let gx = ((x - self.origin) / self.pitch).clamp(0.0, (self.cols - 1) as f64);
        let gy = ((y - self.origin) / self.pitch).clamp(0.0, (self.rows - 1) as f64);
        let (x0, y0) = (gx.floor() as usize, gy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.cols - 1), (y0 + 1).min(self.rows - 1));
        let (fx, fy) = (gx - x0 as f64, gy - y0 as f64);
        let lerp = |v: &[f64]| {
            let top = v[y0 * self.cols + x0] * (1.0 - fx) + v[y0 * self.cols + x1] * fx;
            let bottom = v[y1 * self.cols + x0] * (1.0 - fx) + v[y1 * self.cols + x1] * fx;
            top * (1.0 - fy) + bottom * fy
        };
        (lerp(&self.dx), lerp(&self.dy))
    }
}

/// Where the electronic page lies on the paper page.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Electronic pixel → paper pixel (paper already turned upright).
    pub homography: Homography,
    /// Residual shift, in electronic pixels, applied before the homography.
    pub field: Option<ShiftField>,
    /// Blocks that agreed with the final homography.
    pub inliers: usize,
    /// Blocks matched at the final level.
    pub matched: usize,
}

impl Registration {
    #[inline]
    pub fn map(&self, x: f64, y: f64) -> (f64, f64) {
        match &self.field {
            Some(f) => {
                let (dx, dy) = f.at(x, y);
                self.homography.apply(x + dx, y + dy)
            }
            None => self.homography.apply(x, y),
        }
    }

    /// Too few blocks agreed for the result to be trusted.
    pub fn is_weak(&self) -> bool {
        self.inliers < 8
    }
}

/// The paper content box's size over the electronic one's, across and
/// down, and whether the two differ by [`BOX_SHAPE_DOUBT`] or more.
fn box_scales(e: ContentBox, p: ContentBox) -> (f64, f64, bool) {
    let sx = f64::from(p.width()) / f64::from(e.width().max(1));
    let sy = f64::from(p.height()) / f64::from(e.height().max(1));
    (sx, sy, (sx / sy - 1.0).abs() >= BOX_SHAPE_DOUBT)
}

/// First guess: map the electronic content box onto the paper content box.
pub fn initial_guess(e: ContentBox, p: ContentBox) -> Homography {
    let (sx, sy, shapes_differ) = box_scales(e, p);
    // Content boxes can differ in shape when content changed; trust the
    // common scale unless the two disagree a lot (an A5 page against A4 stays
    // proportional anyway).
    let (sx, sy) = if !shapes_differ {
        let s = (sx * sy).sqrt();
        (s, s)
    } else {
        (sx, sy)
    };
    let tx = f64::from(p.x0) + f64::from(p.width()) / 2.0
        - sx * (f64::from(e.x0) + f64::from(e.width()) / 2.0);
    let ty = f64::from(p.y0) + f64::from(p.height()) / 2.0
        - sy * (f64::from(e.y0) + f64::from(e.height()) / 2.0);
    Homography::scale_shift(sx, sy, tx, ty)
}

/// One pyramid level: match blocks, fit a homography. Returns the new map,
/// the matches (for the shift field) and the inlier count.
struct Level {
    /// Electronic pixels per level pixel.
    factor: usize,
    block: usize,
    stride: usize,
    search: i32,
    /// RANSAC tolerance in level pixels.
    tolerance: f64,
}

fn refine(
    e_ink: &Bitmap,
    p_ink: &Bitmap,
    current: &Homography,
    level: &Level,
    sampler: &mut Sampler,
) -> Option<(Homography, usize, usize)> {
    let ef = level.factor;
    let e = density(e_ink, ef);
    let scale = current.local_scale(f64::from(e_ink.width) / 2.0, f64::from(e_ink.height) / 2.0);
    let pf = ((ef as f64 * scale).round() as usize).max(1);
    let p_low = density(p_ink, pf);
    let p = warp_plane(
        &p_low,
        pf,
        &|x, y| current.apply(x, y),
        e.width,
        e.height,
        ef,
    );
    let matches = match_blocks(&e, &p, level.block, level.stride, level.search);
    let f = ef as f64;
    let to_full = |v: f64| (v + 0.5) * f - 0.5;
    let pairs: Vec<Correspondence> = matches
        .iter()
        .map(|m| {
            let (sx, sy) = (to_full(m.cx), to_full(m.cy));
            Correspondence {
                src: (sx, sy),
                dst: current.apply(to_full(m.cx + m.dx), to_full(m.cy + m.dy)),
                weight: m.score,
            }
        })
        .collect();
    let model = if pairs.len() >= 12 {
        Model::Projective
    } else {
        Model::Affine
    };
    // Tolerance in paper pixels.
    let tolerance = level.tolerance * f * scale;
    let (h, flags) = ransac(&pairs, model, tolerance, 300, sampler)?;
    let inliers = flags.iter().filter(|&&f| f).count();
    if inliers < 6 {
        return None;
    }
    Some((h, inliers, pairs.len()))
}

/// The shift field of the finest level: each block's remaining shift
/// against the homography, smoothed by a 3×3 median.
fn shift_field(
    e_ink: &Bitmap,
    p_ink: &Bitmap,
    h: &Homography,
    factor: usize,
    block: usize,
) -> Option<ShiftField> {
    let e = density(e_ink, factor);
    let scale = h.local_scale(f64::from(e_ink.width) / 2.0, f64::from(e_ink.height) / 2.0);
    let pf = ((factor as f64 * scale).round() as usize).max(1);
    let p_low = density(p_ink, pf);
    let p = warp_plane(&p_low, pf, &|x, y| h.apply(x, y), e.width, e.height, factor);
    let matches = match_blocks(&e, &p, block, block, 3);
    let cols = e.width / block;
    let rows = e.height / block;
    if cols < 2 || rows < 2 || matches.len() < 8 {
        return None;
    }
    let mut grid: Vec<Option<(f64, f64)>> = vec![None; cols * rows];
    for m in &matches {
        let (c, r) = ((m.cx as usize) / block, (m.cy as usize) / block);
        if c < cols && r < rows {
            grid[r * cols + c] = Some((m.dx * factor as f64, m.dy * factor as f64));
        }
    }
    let mut dx = vec![0.0; cols * rows];
    let mut dy = vec![0.0; cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            let mut xs = Vec::with_capacity(9);
            let mut ys = Vec::with_capacity(9);
            for (rr, cc) in (r.saturating_sub(1)..=(r + 1).min(rows - 1)).flat_map(|rr| {
                (c.saturating_sub(1)..=(c + 1).min(cols - 1)).map(move |cc| (rr, cc))
            }) {
                if let Some((a, b)) = grid[rr * cols + cc] {
                    xs.push(a);
                    ys.push(b);
                }
            }
            if xs.len() >= 3 {
                xs.sort_by(f64::total_cmp);
                ys.sort_by(f64::total_cmp);
                dx[r * cols + c] = xs[xs.len() / 2];
                dy[r * cols + c] = ys[ys.len() / 2];
            }
        }
    }
    let pitch = (block * factor) as f64;
    Some(ShiftField {
        cols,
        rows,
        pitch,
        origin: pitch / 2.0 - 0.5,
        dx,
        dy,
    })
}

/// Relative difference between the content boxes' scale and a known one
/// beyond which the boxes are doubted: a scanner's dark edge taken for ink,
/// or a faint frame lost to the threshold on one side only.
const BOX_SCALE_DOUBT: f64 = 0.06;

/// Relative difference between the boxes' widthwise and heightwise scales
/// beyond which [`initial_guess`] stops taking one common scale.
const BOX_SHAPE_DOUBT: f64 = 0.08;

/// First guesses: the electronic content box mapped onto the paper's and,
/// when the paper's scale is known (a scan's resolution) and the boxes
/// disagree with it by more than [`BOX_SCALE_DOUBT`], the known scale with
/// the boxes' centres or any of their corners put together: the side of a
/// box that a dark edge or a lost frame moved is not known, so each is
/// tried.
///
/// When the scale is not known (a photo) and the boxes differ in shape by
/// more than [`BOX_SHAPE_DOUBT`], one side of one box is off (a faint footer
/// lost to a photo's dim corner): the scale of the boxes' widths is tried
/// with their tops or their bottoms put together, and the scale of their
/// heights with their left or right sides.
fn initial_guesses(e: ContentBox, p: ContentBox, known_scale: Option<f64>) -> Vec<Homography> {
    let boxes = initial_guess(e, p);
    let mut out = vec![boxes];
    // A point of a box, as shares of its width and height.
    let at = |b: ContentBox, (fx, fy): (f64, f64)| {
        (
            f64::from(b.x0) + fx * f64::from(b.width()),
            f64::from(b.y0) + fy * f64::from(b.height()),
        )
    };
    // The scale `s` with the boxes' points `f` put together.
    let anchored = |s: f64, f: (f64, f64)| {
        let ((ex, ey), (px, py)) = (at(e, f), at(p, f));
        Homography::scale_shift(s, s, px - s * ex, py - s * ey)
    };
    let Some(s) = known_scale else {
        let (sx, sy, shapes_differ) = box_scales(e, p);
        if shapes_differ {
            out.extend([
                anchored(sx, (0.5, 0.0)),
                anchored(sx, (0.5, 1.0)),
                anchored(sy, (0.0, 0.5)),
                anchored(sy, (1.0, 0.5)),
            ]);
        }
        return out;
    };
    let (ex, ey) = at(e, (0.5, 0.5));
    if (boxes.local_scale(ex, ey) / s - 1.0).abs() <= BOX_SCALE_DOUBT {
        return out;
    }
    let points = [(0.5, 0.5), (0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)];
    out.extend(points.iter().map(|&f| anchored(s, f)));
    out
}

/// Registers the paper ink map onto the electronic one. `dpi` is the
/// electronic page's resolution; `known_scale`, paper pixels per
/// electronic pixel when the paper's resolution is known (a scan, not a
/// photo). Each first guess ([`initial_guesses`]) is refined, and the one
/// most blocks agree with is kept.
pub fn register(
    e_ink: &Bitmap,
    e_box: ContentBox,
    p_ink: &Bitmap,
    p_box: ContentBox,
    dpi: f32,
    known_scale: Option<f64>,
    seed: u64,
) -> Registration {
    let guesses = initial_guesses(e_box, p_box, known_scale);
    let tried: Vec<Registration> = guesses
        .into_iter()
        .map(|guess| register_from(e_ink, p_ink, guess, dpi, seed))
        .collect();
    if tried.len() > 1 {
        let inliers: Vec<usize> = tried.iter().map(|r| r.inliers).collect();
        tracing::debug!(?inliers, "content boxes doubted: guesses tried");
    }
    tried
        .into_iter()
        .reduce(|best, r| if r.inliers > best.inliers { r } else { best })
        .expect("one guess at least")
}

/// [`register`] from one first guess.
fn register_from(
    e_ink: &Bitmap,
    p_ink: &Bitmap,
    guess: Homography,
    dpi: f32,
    seed: u64,
) -> Registration {
    let mut sampler = Sampler::new(seed);
    let mut h = guess;
    let per = |target: f32| ((dpi / target).round() as usize).max(1);
    let levels = [
        Level {
            factor: per(25.0),
            block: 20,
            stride: 12,
            search: 12,
            tolerance: 1.5,
        },
        Level {
            factor: per(67.0),
            block: 28,
            stride: 20,
            search: 4,
            tolerance: 1.2,
        },
    ];
    let mut inliers = 0;
    let mut matched = 0;
    for level in &levels {
        if let Some((refined, i, m)) = refine(e_ink, p_ink, &h, level, &mut sampler) {
            h = refined;
            inliers = i;
            matched = m;
        }
    }
    let field = shift_field(e_ink, p_ink, &h, per(100.0), 32);
    Registration {
        homography: h,
        field,
        inliers,
        matched,
    }
}

/// The paper grey image seen through `reg`, on the electronic page's pixel
/// grid (`width × height`). Outside the paper reads as white.
pub fn warp_grey(paper: &GrayImage, reg: &Registration, width: u32, height: u32) -> GrayImage {
    warp_greys(&[paper], reg, width, height)
        .pop()
        .expect("one plane in, one out")
}

/// Pixels between the points where the map is computed exactly; in between
/// it is interpolated linearly (over 16 px a page's homography and shift
/// field are straight to well under a hundredth of a pixel).
const MAP_STEP: usize = 16;

/// Several planes of the same paper page (grey, masks) seen through `reg`,
/// in one pass: the map is worked out once for all of them.
pub fn warp_greys(
    planes: &[&GrayImage],
    reg: &Registration,
    width: u32,
    height: u32,
) -> Vec<GrayImage> {
    let (w, h) = (width as usize, height as usize);
    let mut outs: Vec<GrayImage> = planes
        .iter()
        .map(|_| GrayImage::from_pixel(width, height, image::Luma([255])))
        .collect();
    let Some(first) = planes.first() else {
        return outs;
    };
    let (pw, ph) = (first.width() as i64, first.height() as i64);
    assert!(planes.iter().all(|p| p.dimensions() == first.dimensions()));
    let (gw, gh) = (w.div_ceil(MAP_STEP) + 1, h.div_ceil(MAP_STEP) + 1);
    let grid: Vec<(f64, f64)> = (0..gh)
        .flat_map(|gy| (0..gw).map(move |gx| (gx, gy)))
        .map(|(gx, gy)| reg.map((gx * MAP_STEP) as f64, (gy * MAP_STEP) as f64))
        .collect();
    // Source positions in 1/256 pixel, offset so that truncation floors.
    const ONE: i64 = 256;
    const OFFSET: f64 = 4096.0;
    let srcs: Vec<&[u8]> = planes.iter().map(|p| p.as_raw().as_slice()).collect();
    let mut row_x = vec![0i64; w];
    let mut row_y = vec![0i64; w];
    for y in 0..h {
        let (gy, fy) = (y / MAP_STEP, (y % MAP_STEP) as f64 / MAP_STEP as f64);
        for gx in 0..gw - 1 {
            let node = |gx: usize| {
                let (a, b) = (grid[gy * gw + gx], grid[(gy + 1) * gw + gx]);
                (a.0 + (b.0 - a.0) * fy, a.1 + (b.1 - a.1) * fy)
            };
            let (l, r) = (node(gx), node(gx + 1));
            for x in gx * MAP_STEP..((gx + 1) * MAP_STEP).min(w) {
                let fx = (x - gx * MAP_STEP) as f64 / MAP_STEP as f64;
                let px = l.0 + (r.0 - l.0) * fx;
                let py = l.1 + (r.1 - l.1) * fx;
                row_x[x] = ((px + OFFSET) * ONE as f64) as i64 - (OFFSET as i64) * ONE;
                row_y[x] = ((py + OFFSET) * ONE as f64) as i64 - (OFFSET as i64) * ONE;
            }
        }
        for x in 0..w {
            let (sx, sy) = (row_x[x], row_y[x]);
            let (x0, y0) = (sx.div_euclid(ONE), sy.div_euclid(ONE));
            if x0 < 0 || y0 < 0 || x0 + 1 >= pw || y0 + 1 >= ph {
                continue;
            }
            let (fx, fy) = (sx.rem_euclid(ONE), sy.rem_euclid(ONE));
            let i = (y0 * pw + x0) as usize;
            let down = pw as usize;
            for (src, out) in srcs.iter().zip(outs.iter_mut()) {
                let (a, b) = (i64::from(src[i]), i64::from(src[i + 1]));
                let (c, d) = (i64::from(src[i + down]), i64::from(src[i + down + 1]));
                let top = a * (ONE - fx) + b * fx;
                let bottom = c * (ONE - fx) + d * fx;
                let v = (top * (ONE - fy) + bottom * fy + ONE * ONE / 2) / (ONE * ONE);
                let buf: &mut [u8] = out;
                buf[y * w + x] = v as u8;
            }
        }
    }
    outs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of pseudo-random "words": rectangles of varied widths on lines.
    fn page(w: u32, h: u32) -> Bitmap {
        let mut b = Bitmap::new(w, h);
        let mut s = crate::geometry::Sampler::new(3);
        let mut y = 40;
        while y + 14 < h - 40 {
            let mut x = 40;
            while x < w - 80 {
                let len = 10 + s.below(50) as u32;
                let tall = 6 + s.below(8) as u32;
                for yy in y..y + tall {
                    for xx in x..(x + len).min(w - 40) {
                        b.data[(yy * w + xx) as usize] = 1;
                    }
                }
                x += len + 6 + s.below(10) as u32;
            }
            y += 22 + s.below(6) as u32;
        }
        b
    }

    fn warp_bitmap(src: &Bitmap, inverse: &Homography, w: u32, h: u32) -> Bitmap {
        // Output pixel (x, y) takes the source pixel at inverse(x, y).
        let mut out = Bitmap::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = inverse.apply(f64::from(x), f64::from(y));
                let (sx, sy) = (sx.round(), sy.round());
                if sx >= 0.0 && sy >= 0.0 && (sx as u32) < src.width && (sy as u32) < src.height {
                    out.data[(y * w + x) as usize] = u8::from(src.get(sx as u32, sy as u32));
                }
            }
        }
        out
    }

    /// How far, in pixels along either axis, `reg` maps the farthest of
    /// `points` from where `truth` does.
    fn worst_miss(reg: &Registration, truth: &Homography, points: &[(f64, f64)]) -> f64 {
        points
            .iter()
            .map(|&(x, y)| {
                let ((u, v), (tu, tv)) = (reg.map(x, y), truth.apply(x, y));
                (u - tu).abs().max((v - tv).abs())
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn recovers_a_rotated_scaled_shifted_page_to_within_a_pixel() {
        let e = page(800, 1100);
        // Paper = electronic turned 1.5°, scaled 1.03 and shifted.
        let (a, s) = (1.5f64.to_radians(), 1.03);
        let truth = Homography([
            s * a.cos(),
            -s * a.sin(),
            25.0,
            s * a.sin(),
            s * a.cos(),
            -10.0,
            0.0,
            0.0,
            1.0,
        ]);
        // inverse of a similarity: rotate back and unscale
        let inv_rot = Homography([
            a.cos() / s,
            a.sin() / s,
            0.0,
            -a.sin() / s,
            a.cos() / s,
            0.0,
            0.0,
            0.0,
            1.0,
        ]);
        let inverse = inv_rot.after(&Homography::scale_shift(1.0, 1.0, -25.0, 10.0));
        let p = warp_bitmap(&e, &inverse, 850, 1150);
        let eb = crate::signature::content_box(&e).unwrap();
        let pb = crate::signature::content_box(&p).unwrap();
        let reg = register(&e, eb, &p, pb, 100.0, None, 1);
        assert!(!reg.is_weak(), "inliers {}", reg.inliers);
        for (x, y) in [
            (100.0, 100.0),
            (700.0, 1000.0),
            (400.0, 550.0),
            (90.0, 1000.0),
        ] {
            let (u, v) = reg.map(x, y);
            let (tu, tv) = truth.apply(x, y);
            assert!(
                (u - tu).abs() < 1.0 && (v - tv).abs() < 1.0,
                "({x},{y}) -> ({u},{v}), truth ({tu},{tv})"
            );
        }
    }

    #[test]
    fn a_scanners_dark_edge_does_not_throw_a_scan_off_its_known_scale() {
        // The paper is the electronic page turned 1° and laid 130 px in from
        // the scanner's corner, at the same resolution, and the bed's dark
        // edge shows along its left and top: its content box reaches the
        // corner, and the boxes alone say a scale of about 1.2.
        let e = page(800, 1100);
        let a = 1.0f64.to_radians();
        let truth = Homography([
            a.cos(),
            -a.sin(),
            130.0,
            a.sin(),
            a.cos(),
            120.0,
            0.0,
            0.0,
            1.0,
        ]);
        let inverse = Homography([a.cos(), a.sin(), 0.0, -a.sin(), a.cos(), 0.0, 0.0, 0.0, 1.0])
            .after(&Homography::scale_shift(1.0, 1.0, -130.0, -120.0));
        let (w, h) = (900, 1200);
        let mut p = warp_bitmap(&e, &inverse, w, h);
        for y in 0..h {
            for x in 0..w {
                if x < 100 || y < 100 {
                    p.data[(y * w + x) as usize] = 1;
                }
            }
        }
        let eb = crate::signature::content_box(&e).unwrap();
        let pb = crate::signature::content_box(&p).unwrap();
        let off = |reg: &Registration| {
            worst_miss(
                reg,
                &truth,
                &[(100.0, 100.0), (700.0, 1000.0), (400.0, 550.0)],
            )
        };
        let unknown = register(&e, eb, &p, pb, 100.0, None, 1);
        assert!(off(&unknown) > 5.0, "the boxes alone registered it");
        let known = register(&e, eb, &p, pb, 100.0, Some(1.0), 1);
        assert!(!known.is_weak(), "inliers {}", known.inliers);
        assert!(off(&known) < 1.0, "off by {} px", off(&known));
    }

    #[test]
    fn a_photo_that_lost_its_footer_registers_by_the_width_of_its_boxes() {
        // The electronic page has text down to about y = 720 and a page
        // number at y = 1000; the photo (scale 0.8, shifted) lost the page
        // number to a dim corner, so the boxes' heights say a scale of
        // about 0.56.
        let mut e = page(800, 760);
        e.height = 1100;
        e.data.resize(800 * 1100, 0);
        for y in 1000..1014 {
            for x in 340..470 {
                e.data[y * 800 + x] = 1;
            }
        }
        let truth = Homography::scale_shift(0.8, 0.8, 60.0, 45.0);
        let mut p = warp_bitmap(
            &e,
            &Homography::scale_shift(1.25, 1.25, -75.0, -56.25),
            760,
            980,
        );
        p.data[800 * 760..].fill(0);
        let eb = crate::signature::content_box(&e).unwrap();
        let pb = crate::signature::content_box(&p).unwrap();
        assert!(eb.y1 > 1000 && pb.y1 < 700, "boxes {eb:?} {pb:?}");
        let off = |reg: &Registration| {
            worst_miss(
                reg,
                &truth,
                &[(100.0, 100.0), (700.0, 650.0), (400.0, 1000.0)],
            )
        };
        let boxes_only = register_from(&e, &p, initial_guess(eb, pb), 100.0, 1);
        assert!(off(&boxes_only) > 5.0, "the boxes alone registered it");
        let reg = register(&e, eb, &p, pb, 100.0, None, 1);
        assert!(!reg.is_weak(), "inliers {}", reg.inliers);
        assert!(off(&reg) < 1.0, "off by {} px", off(&reg));
    }

    #[test]
    fn summed_areas_give_each_blocks_sums() {
        let p = Plane {
            width: 37,
            height: 23,
            data: (0..37 * 23)
                .map(|i| ((i * 7919) % 101) as f32 / 101.0)
                .collect(),
        };
        let (sum, squares) = summed_areas(&p);
        for (x, y, w, h) in [
            (0, 0, 37, 23),
            (3, 5, 20, 11),
            (36, 22, 1, 1),
            (10, 0, 4, 23),
        ] {
            let (mut s, mut ss) = (0f64, 0f64);
            for yy in y..y + h {
                for xx in x..x + w {
                    let v = f64::from(p.at(xx, yy));
                    s += v;
                    ss += v * v;
                }
            }
            let at = |t: &[f64]| area_sum(t, p.width, (x, y, w, h));
            assert!((at(&sum) - s).abs() < 1e-9, "{x},{y} {w}x{h}");
            assert!((at(&squares) - ss).abs() < 1e-9, "{x},{y} {w}x{h}");
        }
    }

    #[test]
    fn the_interpolated_warp_matches_the_exact_map() {
        // A grey ramp with texture, through a mild perspective.
        let paper = GrayImage::from_fn(300, 260, |x, y| {
            image::Luma([((x * 7 + y * 3) % 200 + (x * y) % 37) as u8])
        });
        let reg = Registration {
            homography: Homography([1.02, 0.03, 5.5, -0.02, 0.99, 7.25, 1e-5, -2e-5, 1.0]),
            field: None,
            inliers: 100,
            matched: 100,
        };
        let out = warp_grey(&paper, &reg, 250, 220);
        let mut worst = 0i32;
        for y in 0..220u32 {
            for x in 0..250u32 {
                let (px, py) = reg.map(f64::from(x), f64::from(y));
                if px < 0.0 || py < 0.0 || px >= 299.0 || py >= 259.0 {
                    continue;
                }
                let (x0, y0) = (px.floor() as u32, py.floor() as u32);
                let (fx, fy) = (px - f64::from(x0), py - f64::from(y0));
                let g = |xx: u32, yy: u32| f64::from(paper.get_pixel(xx, yy).0[0]);
                let v = (g(x0, y0) * (1.0 - fx) + g(x0 + 1, y0) * fx) * (1.0 - fy)
                    + (g(x0, y0 + 1) * (1.0 - fx) + g(x0 + 1, y0 + 1) * fx) * fy;
                let d = (i32::from(out.get_pixel(x, y).0[0]) - v.round() as i32).abs();
                worst = worst.max(d);
            }
        }
        assert!(worst <= 2, "largest difference {worst} grey levels");
    }
}
