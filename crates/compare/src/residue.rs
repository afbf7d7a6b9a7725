//! A page-wide map of what the capture model leaves unexplained, for a
//! tone mark swapped in place on a scan.
//!
//! The ink maps ([`crate::diff`]) and the grey marks ([`crate::marks`])
//! both forgive a pixel or two, so "Tuấn" → "Tuẩn" or "sơ" → "so" on a
//! scan can leave nothing behind. Here the capture model of
//! [`crate::explain`] (a Gaussian blur of fitted width on either side, a
//! sub-pixel shift, the local paper and ink levels) is fitted per tile over
//! the whole page, refitted without the worst-fitting twentieth of the tile
//! so a change inside it does not bend the fit, and the signed residual is
//! smoothed at about the size of a tone mark. When both copies are scans
//! of one print, every other place is explained to within the scans' noise,
//! so a changed mark is the one spot that stands far above the rest of its
//! page ([`standout`]).
//!
//! Not against a born-digital page, nor for phone photos: where the print
//! and the PDF renderer draw glyphs differently (a bold tilde drawn
//! thinner, a period half a pixel off), those differences are as strong as
//! a changed mark at a photo's 90–140 pixels to the inch and hide it often
//! enough on a scan (compare README).

use image::GrayImage;

use crate::diff::Change;
use crate::explain::{
    fit, fit_at_blur, fit_pairs, quantile, BlurFit, Plane, E_SIGMAS, P_SIGMAS, SEARCH_SIGMA,
};
use crate::ink::Bitmap;

/// Side of a fitting tile, pixels at the working resolution.
const TILE: f32 = 48.0;
/// Margin around a tile that joins its fit, pixels: enough for whole
/// letters, so a tile holding only the top of one still fits its levels.
const MARGIN: f32 = 16.0;
/// Smoothing of the residual (Gaussian sigma, pixels): about a tone mark.
const SMOOTH: f32 = 1.2;
/// Share of a tile's pixels left out of the second fit (the worst fitting).
const TRIM: f32 = 0.05;
/// A spot's least score (its residual over the page's residual noise).
const MIN_Z: f32 = 4.0;
/// Spots kept per page.
const KEEP: usize = 40;
/// How many times the next place's residual the strongest spot must reach
/// to be reported.
const STANDOUT: f32 = 2.5;
/// Spots closer than this (pixels, |dx| + |dy|) belong to one place.
const APART: f32 = 16.0;
/// Half the side of the box reported around a spot, pixels.
const HALF_BOX: f32 = 6.0;
/// Tiles fitted with every blur before the rest try only the page's usual
/// blur and its two neighbours.
const FULL_BLUR_TILES: usize = 12;
/// Number of blurs in [`blur_candidate`].
const BLURS: usize = E_SIGMAS.len() + P_SIGMAS.len();

/// A place where the paper and the electronic page disagree beyond the
/// capture model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spot {
    pub x: u32,
    pub y: u32,
    /// Smoothed residual, in units of the ink contrast; positive where the
    /// paper is lighter than the model (ink on the electronic page only).
    pub value: f32,
    /// `value` over the page's residual noise near print.
    pub z: f32,
}

/// A tile's fitted model and what it leaves.
struct TileFit {
    /// The ink contrast seen on the paper (grey levels).
    contrast: f32,
    /// Index of the blur chosen (see [`blur_candidate`]).
    chosen: usize,
    /// The smoothed residual over the window (grey levels).
    residual: Plane,
}

/// Where a fitted tile lies: its core (what it reports) and its window.
struct Placed {
    core: (u32, u32, u32, u32),
    window_origin: (u32, u32),
    fit: TileFit,
}

/// The least-squares misfit of `paper ≈ offset + gain · electronic` with
/// the paper sampled at `(x + dx, y + dy)` (bilinear, edges clamped), over
/// the pixels `at` only.
fn shifted_cost(e: &Plane, p: &Plane, dx: f32, dy: f32, at: &[(u32, u32)]) -> f32 {
    // Where each column and row samples, worked out once per shift rather
    // than once per pixel: a pixel's sample depends only on its column and
    // its row, so the values are the same.
    let (xs, ys) = (p.axis(0, dx), p.axis(1, dy));
    let w = p.w;
    let sample = |x: usize, y: usize| {
        let (x0, x1, fx) = xs[x];
        let (y0, y1, fy) = ys[y];
        let top = p.v[y0 * w + x0] * (1.0 - fx) + p.v[y0 * w + x1] * fx;
        let bottom = p.v[y1 * w + x0] * (1.0 - fx) + p.v[y1 * w + x1] * fx;
        top * (1.0 - fy) + bottom * fy
    };
    fit_pairs(at.iter().map(|&(x, y)| {
        let (x, y) = (x as usize, y as usize);
        (e.v[y * e.w + x], sample(x, y))
    }))
    .0
}

/// The blurs tried, from the sharpest paper to the blurriest: index `k`
/// gives (electronic sigma, paper sigma), one of them zero.
fn blur_candidate(k: usize, scale: f32) -> (f32, f32) {
    let np = P_SIGMAS.len();
    if k < np {
        (0.0, P_SIGMAS[np - 1 - k] * scale)
    } else {
        (E_SIGMAS[k - np] * scale, 0.0)
    }
}

/// The model fitted on one window: shift, then blur (among `blurs`),
/// then levels without the worst-fitting pixels. `None` for a window with
/// too little print to fit.
fn fit_tile(e: &Plane, p: &Plane, mask: &[bool], scale: f32, blurs: &[usize]) -> Option<TileFit> {
    let mut levels: Vec<f32> =
        e.v.iter()
            .zip(mask)
            .filter(|(_, &m)| m)
            .map(|(&v, _)| v)
            .collect();
    if levels.len() < 64 {
        return None;
    }
    let span = quantile(&mut levels, 0.99) - quantile(&mut levels, 0.01);
    if span < 40.0 {
        return None;
    }
    let e_search = e.blurred(SEARCH_SIGMA * scale);
    // The shift is searched on every other pixel each way: a quarter of
    // the work, and the same answer on a blurred window.
    let sample: Vec<(u32, u32)> = (0..e.h)
        .step_by(2)
        .flat_map(|y| (0..e.w).step_by(2).map(move |x| (x, y)))
        .filter(|&(x, y)| mask[y * e.w + x])
        .map(|(x, y)| (x as u32, y as u32))
        .collect();
    let search = scale.round().max(1.0) as i32;
    let mut best = (f32::MAX, 0.0f32, 0.0f32);
    for dy in -search..=search {
        for dx in -search..=search {
            let cost = shifted_cost(&e_search, p, dx as f32, dy as f32, &sample);
            if cost < best.0 {
                best = (cost, dx as f32, dy as f32);
            }
        }
    }
    for step in [0.5f32, 0.25] {
        let (bx, by) = (best.1, best.2);
        for ddy in [-step, 0.0, step] {
            for ddx in [-step, 0.0, step] {
                if ddx == 0.0 && ddy == 0.0 {
                    continue;
                }
                let cost = shifted_cost(&e_search, p, bx + ddx, by + ddy, &sample);
                if cost < best.0 {
                    best = (cost, bx + ddx, by + ddy);
                }
            }
        }
    }
    let shift = (best.1, best.2);
    let p_shifted = p.shifted(shift.0, shift.1);
    let mut model: Option<(BlurFit, usize)> = None;
    for &k in blurs {
        let m = fit_at_blur(e, p, &p_shifted, shift, blur_candidate(k, scale), mask);
        if model.as_ref().is_none_or(|(best, _)| m.cost < best.cost) {
            model = Some((m, k));
        }
    }
    let (
        BlurFit {
            offset,
            gain,
            es,
            ps,
            ..
        },
        chosen,
    ) = model?;
    // Refit without the worst-fitting pixels (a change in the tile).
    let mut res: Vec<f32> = (0..es.v.len())
        .filter(|&i| mask[i])
        .map(|i| (ps.v[i] - offset - gain * es.v[i]).abs())
        .collect();
    let cut = quantile(&mut res, 1.0 - TRIM);
    let trimmed: Vec<bool> = (0..es.v.len())
        .map(|i| mask[i] && (ps.v[i] - offset - gain * es.v[i]).abs() <= cut)
        .collect();
    let (_, offset, gain) = fit(&es, &ps, &trimmed);
    let contrast = gain.abs().max(0.2) * span;
    let residual = Plane {
        w: ps.w,
        h: ps.h,
        v: (0..ps.v.len())
            .map(|i| ps.v[i] - offset - gain * es.v[i])
            .collect(),
    }
    .blurred(SMOOTH * scale);
    Some(TileFit {
        contrast,
        chosen,
        residual,
    })
}

/// Spots the capture model cannot explain, strongest first (at most
/// [`KEEP`]). `electronic` and `paper` share one pixel grid; spots are
/// looked for where `near_text` is set, and `ignore` is not compared.
pub fn spots(
    electronic: &GrayImage,
    paper: &GrayImage,
    near_text: &Bitmap,
    ignore: &Bitmap,
    dpi: f32,
) -> Vec<Spot> {
    let (w, h) = electronic.dimensions();
    let scale = dpi / crate::WORKING_DPI;
    let tile = (TILE * scale).round().max(16.0) as u32;
    let margin = (MARGIN * scale).round().max(2.0) as u32;
    let mut placed: Vec<Placed> = Vec::new();
    for ty in (0..h).step_by(tile as usize) {
        for tx in (0..w).step_by(tile as usize) {
            let (cx1, cy1) = ((tx + tile).min(w), (ty + tile).min(h));
            if !near_text.any_in(tx, ty, cx1, cy1) {
                continue;
            }
            let (x0, y0) = (tx.saturating_sub(margin), ty.saturating_sub(margin));
            let (x1, y1) = ((cx1 + margin).min(w), (cy1 + margin).min(h));
            let e = Plane::cut(electronic, x0, y0, x1, y1);
            let p = Plane::cut(paper, x0, y0, x1, y1);
            let edge = 2;
            let mask: Vec<bool> = (0..e.h)
                .flat_map(|y| (0..e.w).map(move |x| (x, y)))
                .map(|(x, y)| {
                    x >= edge
                        && y >= edge
                        && x + edge < e.w
                        && y + edge < e.h
                        && !ignore.get(x0 + x as u32, y0 + y as u32)
                })
                .collect();
            // The blur hardly changes across a page: after the first tiles,
            // only the usual one and its neighbours are tried.
            let blurs: Vec<usize> = if placed.len() < FULL_BLUR_TILES {
                (0..BLURS).collect()
            } else {
                let mut votes = [0usize; BLURS];
                for t in &placed {
                    votes[t.fit.chosen] += 1;
                }
                let usual = (0..BLURS).max_by_key(|&k| votes[k]).unwrap_or(0);
                (usual.saturating_sub(1)..(usual + 2).min(BLURS)).collect()
            };
            if let Some(fit) = fit_tile(&e, &p, &mask, scale, &blurs) {
                placed.push(Placed {
                    core: (tx, ty, cx1, cy1),
                    window_origin: (x0, y0),
                    fit,
                });
            }
        }
    }
    // A tile with little print fits its levels poorly; the page's usual
    // ink contrast is the floor of each tile's.
    let mut contrasts: Vec<f32> = placed.iter().map(|t| t.fit.contrast).collect();
    contrasts.sort_by(f32::total_cmp);
    let floor = contrasts.get(contrasts.len() / 2).copied().unwrap_or(40.0) * 0.7;
    let (wu, hu) = (w as usize, h as usize);
    let mut map = vec![0f32; wu * hu];
    let mut fitted = vec![false; wu * hu];
    for t in &placed {
        let contrast = t.fit.contrast.max(floor);
        let (tx, ty, cx1, cy1) = t.core;
        let (x0, y0) = t.window_origin;
        for y in ty..cy1 {
            for x in tx..cx1 {
                if ignore.get(x, y) {
                    continue;
                }
                let i = (y - y0) as usize * t.fit.residual.w + (x - x0) as usize;
                let g = y as usize * wu + x as usize;
                map[g] = t.fit.residual.v[i] / contrast;
                fitted[g] = true;
            }
        }
    }
    let looked = |i: usize| fitted[i] && near_text.data[i] != 0;
    let mut near: Vec<f32> = (0..map.len())
        .filter(|&i| looked(i))
        .map(|i| map[i].abs())
        .collect();
    if near.len() < 100 {
        return Vec::new();
    }
    // Robust spread of the residual near print (median absolute value).
    let noise = (quantile(&mut near, 0.5) * 1.4826).max(1e-4);
    let r = (2.0 * scale).round().max(1.0) as i32;
    let mut found = Vec::new();
    for y in r..hu as i32 - r {
        for x in r..wu as i32 - r {
            let i = y as usize * wu + x as usize;
            let v = map[i].abs();
            if !looked(i) || v < MIN_Z * noise {
                continue;
            }
            let peak = (-r..=r).all(|dy| {
                (-r..=r).all(|dx| {
                    let j = (y + dy) as usize * wu + (x + dx) as usize;
                    j == i || map[j].abs() < v || (map[j].abs() == v && j > i)
                })
            });
            if peak {
                found.push(Spot {
                    x: x as u32,
                    y: y as u32,
                    value: map[i],
                    z: v / noise,
                });
            }
        }
    }
    found.sort_by(|a, b| b.z.total_cmp(&a.z));
    found.truncate(KEEP);
    found
}

/// The page's strongest spot as a change, when it stands out: at least
/// [`STANDOUT`] times the next place's score (or the spot threshold, when
/// there is no other place).
pub fn standout(spots: &[Spot], dpi: f32, width: u32, height: u32) -> Option<Change> {
    let scale = dpi / crate::WORKING_DPI;
    let top = spots.first()?;
    let apart = (APART * scale) as i64;
    let next = spots
        .iter()
        .skip(1)
        .find(|s| {
            (i64::from(s.x) - i64::from(top.x)).abs() + (i64::from(s.y) - i64::from(top.y)).abs()
                > apart
        })
        .map_or(MIN_Z, |s| s.z);
    if top.z < STANDOUT * next {
        return None;
    }
    let half = (HALF_BOX * scale).round().max(2.0) as u32;
    Some(Change {
        x0: top.x.saturating_sub(half),
        y0: top.y.saturating_sub(half),
        x1: (top.x + half).min(width),
        y1: (top.y + half).min(height),
        weight: (2 * half) * (2 * half),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of "letters" (strokes of varied width and height) at 200 dpi,
    /// with a tone mark above one of them: `\` or `/`.
    fn page(paper: u8, ink: u8, acute: bool) -> GrayImage {
        let mut img = GrayImage::from_pixel(420, 260, image::Luma([paper]));
        for line in 0..4u32 {
            let base = 50 + line * 55;
            for k in 0..22u32 {
                let x = 16 + k * 18;
                let tall = if (k + line) % 3 == 0 { 22 } else { 14 };
                let wide = 2 + (k * 7 + line) % 3;
                for y in base - tall..base {
                    for xx in x..x + wide {
                        img.put_pixel(xx, y, image::Luma([ink]));
                    }
                }
                // A bowl's bottom on every other letter.
                if k % 2 == 1 {
                    for xx in x..x + 9 {
                        img.put_pixel(xx, base - 1, image::Luma([ink]));
                        img.put_pixel(xx, base - 2, image::Luma([ink]));
                    }
                }
            }
        }
        // The mark, 6 px wide and tall, 3 px thick, over letter 9 of line 2.
        let (mx, my) = (16 + 9 * 18, 50 + 2 * 55 - 14 - 10);
        for i in 0..6u32 {
            let dx = if acute { 5 - i } else { i };
            for t in 0..3 {
                img.put_pixel(mx + dx + t, my + i, image::Luma([ink]));
            }
        }
        img
    }

    /// `img` as a scanner shows it: a 3×3 box blur, other levels, noise.
    fn scanned(img: &GrayImage, seed: u32) -> GrayImage {
        let (w, h) = img.dimensions();
        let mut state = seed;
        let mut noise = move || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 24) as f32 / 255.0 - 0.5) * 8.0
        };
        GrayImage::from_fn(w, h, |x, y| {
            let mut s = 0.0;
            for dy in -1i32..=1 {
                for dx in -1i32..=1 {
                    let xx = (x as i32 + dx).clamp(0, w as i32 - 1) as u32;
                    let yy = (y as i32 + dy).clamp(0, h as i32 - 1) as u32;
                    s += f32::from(img.get_pixel(xx, yy).0[0]);
                }
            }
            image::Luma([(30.0 + s / 9.0 * 0.8 + noise()).clamp(0.0, 255.0) as u8])
        })
    }

    fn near_text(img: &GrayImage) -> Bitmap {
        let (w, h) = img.dimensions();
        let mut ink = Bitmap::new(w, h);
        for (i, p) in img.as_raw().iter().enumerate() {
            ink.data[i] = u8::from(*p < 128);
        }
        ink.dilate(12)
    }

    #[test]
    fn a_mark_swapped_in_place_stands_out_and_a_rescan_does_not() {
        let e = page(250, 15, false);
        let near = near_text(&e);
        let ignore = Bitmap::new(e.width(), e.height());
        let same = scanned(&page(250, 15, false), 7);
        let spots_same = spots(&e, &same, &near, &ignore, 200.0);
        assert_eq!(
            standout(&spots_same, 200.0, 420, 260),
            None,
            "{spots_same:?}"
        );
        let changed = scanned(&page(250, 15, true), 7);
        let found = spots(&e, &changed, &near, &ignore, 200.0);
        let c = standout(&found, 200.0, 420, 260).unwrap_or_else(|| panic!("{found:?}"));
        // The mark lies at x 178..187, y 136..142.
        assert!(
            c.x0 < 187 && c.x1 > 178 && c.y0 < 142 && c.y1 > 136,
            "{c:?} {found:?}"
        );
    }
}
