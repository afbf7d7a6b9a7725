//! Whether the paper's grey around a candidate change is explained by the
//! electronic page as the paper's optics would show it.
//!
//! A phone lens, a moving hand or a worn scanner blur the paper copy: thin
//! gaps between letters fill in, fine strokes fade, and the binary ink maps
//! ([`crate::diff`]) or the grey marks ([`crate::marks`]) then disagree where
//! nothing changed. Here the electronic page is put through a model of that
//! capture, fitted on the neighbourhood of the candidate (the candidate
//! itself left out):
//! - a Gaussian blur whose width is chosen to fit (or a blur of the paper
//!   side, when the electronic copy is the blurrier one, e.g. a scan);
//! - the local paper and ink levels (a gain and an offset, so uneven light
//!   does not matter);
//! - a sub-pixel shift (what registration left over).
//!
//! What the model cannot explain inside the candidate's box is ink that the
//! other side does not have: a changed digit or mark keeps it, a merged or
//! faded stroke does not. The answer is that unexplained ink in pixels of
//! full ink. [`residual_fitted`] fits the model elsewhere ([`Fit`]): closer
//! around the candidate, or over it, to find a glyph's own shift.

use image::GrayImage;

use crate::diff::Change;

/// Context around the candidate over which the capture model is fitted,
/// pixels at the working resolution.
const CONTEXT: f32 = 24.0;
/// Margin around the candidate's box that is left out of the fit and
/// counted in the answer, pixels.
const PAD: f32 = 2.0;
/// Blur widths (Gaussian sigma, pixels) tried on the electronic side.
pub(crate) const E_SIGMAS: [f32; 7] = [0.0, 0.5, 0.8, 1.1, 1.4, 1.8, 2.3];
/// Blur widths tried on the paper side (an electronic copy sharper than the paper is the usual case; a scanned electronic copy can be blurrier).
pub(crate) const P_SIGMAS: [f32; 3] = [0.5, 0.8, 1.1];
/// Blur at which the shift is searched before the blur is chosen.
pub(crate) const SEARCH_SIGMA: f32 = 1.1;
/// Integer shift search radius, pixels.
const SHIFT: i32 = 3;
/// Residual (in units of the page's ink contrast) below which a pixel is
/// taken as explained: noise, JPEG ringing and the model's own error.
const EXPLAINED: f32 = 0.25;

/// A window of grey values as floats.
#[derive(Clone)]
pub(crate) struct Plane {
    pub(crate) w: usize,
    pub(crate) h: usize,
    pub(crate) v: Vec<f32>,
}

/// The normalised Gaussian kernel of `sigma`, reaching 3 sigma either way
/// (rounded up): `2r + 1` taps.
fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let r = (3.0 * sigma).ceil() as i32;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.iter().map(|v| v / sum).collect()
}

impl Plane {
    pub(crate) fn cut(img: &GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) -> Plane {
        let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
        let mut v = Vec::with_capacity(w * h);
        for y in y0..y1 {
            for x in x0..x1 {
                v.push(f32::from(img.get_pixel(x, y).0[0]));
            }
        }
        Plane { w, h, v }
    }

    /// Separable Gaussian blur with clamped edges.
    pub(crate) fn blurred(&self, sigma: f32) -> Plane {
        if sigma < 0.05 {
            return Plane {
                w: self.w,
                h: self.h,
                v: self.v.clone(),
            };
        }
        let k = gaussian_kernel(sigma);
        let (w, h, r) = (self.w, self.h, k.len() / 2);
        // Each output pixel sums its kernel in the kernel's order, whether
        // its neighbours need clamping at the edge or not.
        let clamped = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize;
        let mut rows = vec![0f32; self.v.len()];
        for y in 0..h {
            let row = &self.v[y * w..(y + 1) * w];
            let acc = &mut rows[y * w..(y + 1) * w];
            let inner = r..w.saturating_sub(r).max(r);
            // Away from the edges, a kernel tap at a time across the row
            // (the same sums in the same order as pixel by pixel).
            for (j, kv) in k.iter().enumerate().filter(|_| !inner.is_empty()) {
                for (o, v) in acc[inner.clone()].iter_mut().zip(&row[j..]) {
                    *o += kv * v;
                }
            }
            for x in (0..w).filter(|x| !inner.contains(x)) {
                let mut s = 0.0;
                for (j, kv) in k.iter().enumerate() {
                    s += kv * row[clamped(x as isize + j as isize - r as isize, w)];
                }
                acc[x] = s;
            }
        }
        // Down the columns a row at a time, so the inner loop runs along x.
        let mut out = vec![0f32; self.v.len()];
        for y in 0..h {
            let acc = &mut out[y * w..(y + 1) * w];
            for (j, kv) in k.iter().enumerate() {
                let yy = clamped(y as isize + j as isize - r as isize, h);
                for (o, v) in acc.iter_mut().zip(&rows[yy * w..(yy + 1) * w]) {
                    *o += kv * v;
                }
            }
        }
        Plane {
            w: self.w,
            h: self.h,
            v: out,
        }
    }

    /// Where each column (`dim` 0) or row (`dim` 1) samples when shifted
    /// by `d`, edges clamped: the two neighbours and the weight of the
    /// second.
    pub(crate) fn axis(&self, dim: usize, d: f32) -> Vec<(usize, usize, f32)> {
        let n = if dim == 0 { self.w } else { self.h };
        (0..n)
            .map(|i| {
                let s = (i as f32 + d).clamp(0.0, (n - 1) as f32);
                let i0 = s.floor() as usize;
                (i0, (i0 + 1).min(n - 1), s - i0 as f32)
            })
            .collect()
    }

    /// The plane sampled at `(x + dx, y + dy)`, bilinear, edges clamped.
    pub(crate) fn shifted(&self, dx: f32, dy: f32) -> Plane {
        let (w, h) = (self.w, self.h);
        let (xs, ys) = (self.axis(0, dx), self.axis(1, dy));
        // Each row sampled along x once (an output row and the next share
        // a source row), then each output row blended from two of them.
        // (`max(1)`: an empty plane has no rows to walk.)
        let mut along = vec![0f32; w * h];
        for (out, row) in along
            .chunks_exact_mut(w.max(1))
            .zip(self.v.chunks_exact(w.max(1)))
        {
            for (o, &(x0, x1, fx)) in out.iter_mut().zip(&xs) {
                *o = row[x0] * (1.0 - fx) + row[x1] * fx;
            }
        }
        let mut v = vec![0f32; w * h];
        for (out, &(y0, y1, fy)) in v.chunks_exact_mut(w.max(1)).zip(&ys) {
            let (top, bottom) = (&along[y0 * w..][..w], &along[y1 * w..][..w]);
            for ((o, &t), &b) in out.iter_mut().zip(top).zip(bottom) {
                *o = t * (1.0 - fy) + b * fy;
            }
        }
        Plane { w, h, v }
    }
}

/// `img` seen through a phone, for tests: blurred by 1.3 px, its levels
/// squeezed, with noise from a linear congruential sequence started at
/// `seed`.
#[cfg(test)]
pub(crate) fn photographed(img: &GrayImage, seed: u32) -> GrayImage {
    let p = Plane::cut(img, 0, 0, img.width(), img.height()).blurred(1.3);
    let mut state = seed;
    let v =
        p.v.iter()
            .map(|&g| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 24) as f32 / 255.0 * 12.0 - 6.0;
                (70.0 + (g - 30.0) * 0.75 + noise).clamp(0.0, 255.0) as u8
            })
            .collect();
    GrayImage::from_raw(img.width(), img.height(), v).unwrap()
}

/// Least-squares `paper ≈ offset + gain · electronic` over the pixels of
/// `mask`: (mean squared residual, offset, gain).
pub(crate) fn fit(e: &Plane, p: &Plane, mask: &[bool]) -> (f32, f32, f32) {
    fit_pairs(
        (0..e.v.len())
            .filter(|&i| mask[i])
            .map(|i| (e.v[i], p.v[i])),
    )
}

/// [`fit`] over (electronic, paper) value pairs.
pub(crate) fn fit_pairs(pairs: impl Iterator<Item = (f32, f32)>) -> (f32, f32, f32) {
    let (mut n, mut sx, mut sy, mut sxx, mut sxy, mut syy) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
    for (x, y) in pairs {
        let (x, y) = (f64::from(x), f64::from(y));
        n += 1.0;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }
    if n < 3.0 {
        return (f32::MAX, 0.0, 1.0);
    }
    let var = n * sxx - sx * sx;
    let gain = if var > 1e-6 {
        (n * sxy - sx * sy) / var
    } else {
        0.0
    };
    let offset = (sy - gain * sx) / n;
    // Σ (y − a − b x)² from the sums.
    let sse = syy + n * offset * offset + gain * gain * sxx - 2.0 * offset * sy - 2.0 * gain * sxy
        + 2.0 * offset * gain * sx;
    ((sse.max(0.0) / n) as f32, offset as f32, gain as f32)
}

/// The capture model fitted at one blur: both planes as compared and the
/// least-squares levels between them.
pub(crate) struct BlurFit {
    /// Mean squared residual.
    pub(crate) cost: f32,
    pub(crate) offset: f32,
    pub(crate) gain: f32,
    /// The electronic plane, blurred.
    pub(crate) es: Plane,
    /// The paper plane, blurred and shifted.
    pub(crate) ps: Plane,
}

/// [`fit`] at the blur `(electronic sigma, paper sigma)` (one of them zero),
/// the paper shifted by `shift`; `p_shifted` is `p` already shifted, used
/// as it is when the paper is not blurred.
pub(crate) fn fit_at_blur(
    e: &Plane,
    p: &Plane,
    p_shifted: &Plane,
    shift: (f32, f32),
    (se, sp): (f32, f32),
    mask: &[bool],
) -> BlurFit {
    let es = e.blurred(se);
    let ps = if sp > 0.0 {
        p.blurred(sp).shifted(shift.0, shift.1)
    } else {
        Plane {
            w: p_shifted.w,
            h: p_shifted.h,
            v: p_shifted.v.clone(),
        }
    };
    let (cost, offset, gain) = fit(&es, &ps, mask);
    BlurFit {
        cost,
        offset,
        gain,
        es,
        ps,
    }
}

/// The value at fraction `f` of `v` in ascending order (the element at
/// index `(len − 1) · f`), in linear time; `v` is reordered.
pub(crate) fn quantile(v: &mut [f32], f: f32) -> f32 {
    let at = ((v.len() - 1) as f32 * f) as usize;
    *v.select_nth_unstable_by(at, f32::total_cmp).1
}

/// What the fitted capture model leaves unexplained inside a candidate's box.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Residual {
    /// Ink, in pixels of full ink, that the paper and the electronic page
    /// do not share (each pixel's residual above [`EXPLAINED`], summed).
    pub ink: f32,
    /// The largest single pixel's residual, in units of the ink contrast:
    /// a mark added or taken away leaves a core the model misses by half
    /// the contrast or more; a blur the model fits a little wrong spreads
    /// its error thinly.
    pub peak: f32,
    /// The shift the model was fitted at, pixels.
    pub shift: (f32, f32),
}

impl Residual {
    /// How far, pixels, this model's shift lies from `other`'s.
    pub fn moved_from(&self, other: &Residual) -> f32 {
        (self.shift.0 - other.shift.0).hypot(self.shift.1 - other.shift.1)
    }
}

/// Ink, in pixels of full ink, inside the candidate's box that the paper
/// and the electronic page do not share once the electronic page is seen
/// through the fitted capture model (see the module documentation).
/// `electronic` and `paper` share one pixel grid.
pub fn unexplained_ink(electronic: &GrayImage, paper: &GrayImage, c: &Change, dpi: f32) -> f32 {
    residual(electronic, paper, c, dpi).ink
}

/// [`unexplained_ink`] with the largest single pixel's residual.
pub fn residual(electronic: &GrayImage, paper: &GrayImage, c: &Change, dpi: f32) -> Residual {
    residual_fitted(electronic, paper, c, dpi, Fit::Around(CONTEXT))
}

/// Where the capture model is fitted, pixels at the working resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit {
    /// Over this many pixels around the candidate, the candidate left out
    /// ([`CONTEXT`] for [`residual`]). Close around a letter, its own shift
    /// wins over the rules and neighbours that pin the wider fit.
    Around(f32),
    /// Over the candidate itself and this many pixels around it: the shift
    /// that best explains a whole glyph the paper draws a little away from
    /// its place.
    Over(f32),
}

/// [`residual`] with the model fitted where `place` says.
pub fn residual_fitted(
    electronic: &GrayImage,
    paper: &GrayImage,
    c: &Change,
    dpi: f32,
    place: Fit,
) -> Residual {
    let (context, core_in_fit) = match place {
        Fit::Around(context) => (context, false),
        Fit::Over(context) => (context, true),
    };
    let (w, h) = electronic.dimensions();
    let scale = dpi / crate::WORKING_DPI;
    let context = (context * scale).round() as u32;
    let pad = (PAD * scale).round() as u32;
    let (x0, y0) = (c.x0.saturating_sub(context), c.y0.saturating_sub(context));
    let (x1, y1) = ((c.x1 + context).min(w), (c.y1 + context).min(h));
    if x1 <= x0 + 8 || y1 <= y0 + 8 {
        return Residual::default();
    }
    let e = Plane::cut(electronic, x0, y0, x1, y1);
    let p = Plane::cut(paper, x0, y0, x1, y1);
    let (pw, ph) = (e.w, e.h);
    // The candidate's box (with its pad), in window coordinates.
    let core = (
        c.x0.saturating_sub(pad).max(x0) - x0,
        c.y0.saturating_sub(pad).max(y0) - y0,
        (c.x1 + pad).min(x1) - x0,
        (c.y1 + pad).min(y1) - y0,
    );
    let in_core = |x: usize, y: usize| {
        (core.0 as usize..core.2 as usize).contains(&x)
            && (core.1 as usize..core.3 as usize).contains(&y)
    };
    // The model is fitted around the candidate, away from the window's
    // edge (where a shift clamps).
    let edge = 3;
    let mask: Vec<bool> = (0..ph)
        .flat_map(|y| (0..pw).map(move |x| (x, y)))
        .map(|(x, y)| {
            (core_in_fit || !in_core(x, y))
                && x >= edge
                && y >= edge
                && x + edge < pw
                && y + edge < ph
        })
        .collect();
    let search = (SHIFT as f32 * scale).round().max(1.0) as i32;
    let e_search = e.blurred(SEARCH_SIGMA * scale);
    let mut best = (f32::MAX, 0.0f32, 0.0f32);
    for dy in -search..=search {
        for dx in -search..=search {
            let (cost, _, _) = fit(&e_search, &p.shifted(dx as f32, dy as f32), &mask);
            if cost < best.0 {
                best = (cost, dx as f32, dy as f32);
            }
        }
    }
    let (bx, by) = (best.1, best.2);
    for ddy in [-0.5f32, -0.25, 0.0, 0.25, 0.5] {
        for ddx in [-0.5f32, -0.25, 0.0, 0.25, 0.5] {
            if ddx == 0.0 && ddy == 0.0 {
                continue;
            }
            let (cost, _, _) = fit(&e_search, &p.shifted(bx + ddx, by + ddy), &mask);
            if cost < best.0 {
                best = (cost, bx + ddx, by + ddy);
            }
        }
    }
    let shift = (best.1, best.2);
    let p_shifted = p.shifted(shift.0, shift.1);
    // The blur: on the electronic side, or on the paper side.
    let mut model: Option<BlurFit> = None;
    let candidates = E_SIGMAS
        .iter()
        .map(|&s| (s * scale, 0.0))
        .chain(P_SIGMAS.iter().map(|&s| (0.0, s * scale)));
    for blur in candidates {
        let m = fit_at_blur(&e, &p, &p_shifted, shift, blur, &mask);
        if model.as_ref().is_none_or(|best| m.cost < best.cost) {
            model = Some(m);
        }
    }
    let Some(BlurFit {
        offset,
        gain,
        es,
        ps,
        ..
    }) = model
    else {
        return Residual::default();
    };
    // The electronic page's ink contrast in the window, seen on the paper.
    let mut levels = e.v.clone();
    let span = (quantile(&mut levels, 0.95) - quantile(&mut levels, 0.01)).max(40.0);
    let contrast = gain.abs().max(0.2) * span;
    let mut out = Residual {
        shift,
        ..Residual::default()
    };
    for y in core.1 as usize..core.3 as usize {
        for x in core.0 as usize..core.2 as usize {
            let i = y * pw + x;
            let r = (ps.v[i] - offset - gain * es.v[i]).abs() / contrast;
            out.ink += (r - EXPLAINED).max(0.0);
            out.peak = out.peak.max(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of "letters" (3-px strokes), with an optional extra mark.
    fn line(paper: u8, ink: u8, mark: bool) -> GrayImage {
        let mut img = GrayImage::from_pixel(120, 70, image::Luma([paper]));
        for k in 0..6 {
            let x = 12 + k * 16;
            for y in 28..44 {
                for xx in x..x + 3 {
                    img.put_pixel(xx, y, image::Luma([ink]));
                }
            }
        }
        if mark {
            for y in 20..23 {
                for x in 44..51 {
                    img.put_pixel(x, y, image::Luma([ink]));
                }
            }
        }
        img
    }

    /// `img` blurred by three 3×3 box passes, on other levels, shifted by one pixel.
    fn photographed(img: &GrayImage) -> GrayImage {
        let (w, h) = img.dimensions();
        let mut v: Vec<f32> = img.as_raw().iter().map(|&g| f32::from(g)).collect();
        for _ in 0..3 {
            let src = v.clone();
            for y in 0..h as i32 {
                for x in 0..w as i32 {
                    let mut s = 0.0;
                    for dy in -1..=1 {
                        for dx in -1..=1 {
                            let (xx, yy) = (
                                (x + dx).clamp(0, w as i32 - 1),
                                (y + dy).clamp(0, h as i32 - 1),
                            );
                            s += src[(yy as u32 * w + xx as u32) as usize];
                        }
                    }
                    v[(y as u32 * w + x as u32) as usize] = s / 9.0;
                }
            }
        }
        GrayImage::from_fn(w, h, |x, y| {
            let (sx, sy) = (x.saturating_sub(1), y.saturating_sub(1));
            let g = v[(sy * w + sx) as usize];
            image::Luma([(60.0 + g * 0.6) as u8])
        })
    }

    #[test]
    fn a_shift_samples_each_pixel_bilinearly_in_order() {
        for (w, h) in [(0, 0), (1, 1), (7, 3), (31, 17)] {
            let plane = Plane {
                w,
                h,
                v: (0..w * h).map(|i| ((i * 37) % 251) as f32 * 0.7).collect(),
            };
            for (dx, dy) in [
                (0.0, 0.0),
                (1.0, -2.0),
                (0.25, 0.5),
                (-1.5, 2.75),
                (40.0, -9.3),
            ] {
                let got = plane.shifted(dx, dy);
                let (xs, ys) = (plane.axis(0, dx), plane.axis(1, dy));
                for (y, &(y0, y1, fy)) in ys.iter().enumerate() {
                    for (x, &(x0, x1, fx)) in xs.iter().enumerate() {
                        let at = |yy: usize, xx: usize| plane.v[yy * w + xx];
                        let top = at(y0, x0) * (1.0 - fx) + at(y0, x1) * fx;
                        let bottom = at(y1, x0) * (1.0 - fx) + at(y1, x1) * fx;
                        let want = top * (1.0 - fy) + bottom * fy;
                        assert_eq!(
                            got.v[y * w + x].to_bits(),
                            want.to_bits(),
                            "{w}x{h} ({dx},{dy}) at {x},{y}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_blur_sums_each_kernel_in_order_on_planes_of_any_width() {
        // Against the kernel applied pixel by pixel (edges clamped), to the
        // last bit: narrow planes have no pixel away from the edges.
        for (w, h) in [(1, 1), (2, 5), (5, 2), (7, 9), (30, 4)] {
            let v: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 251) as f32).collect();
            let plane = Plane { w, h, v };
            for sigma in [0.5f32, 1.0, 2.3] {
                let k = gaussian_kernel(sigma);
                let r = (k.len() / 2) as isize;
                let at = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize;
                let mut rows = vec![0f32; w * h];
                for y in 0..h {
                    for x in 0..w {
                        let mut s = 0.0;
                        for (j, kv) in k.iter().enumerate() {
                            s += kv * plane.v[y * w + at(x as isize + j as isize - r, w)];
                        }
                        rows[y * w + x] = s;
                    }
                }
                let mut want = vec![0f32; w * h];
                for y in 0..h {
                    for x in 0..w {
                        for (j, kv) in k.iter().enumerate() {
                            want[y * w + x] +=
                                kv * rows[at(y as isize + j as isize - r, h) * w + x];
                        }
                    }
                }
                assert_eq!(plane.blurred(sigma).v, want, "{w}x{h} sigma {sigma}");
            }
        }
    }

    #[test]
    fn blur_is_explained_and_an_added_mark_is_not() {
        let e = line(250, 10, false);
        // A candidate over a gap between letters and the place of the mark.
        let c = Change {
            x0: 42,
            y0: 18,
            x1: 54,
            y1: 30,
            weight: 20,
        };
        let same = photographed(&line(250, 10, false));
        let found = residual(&e, &same, &c, 200.0);
        assert!(found.ink < 1.0, "{found:?}");
        // Blur the model fits leaves no pixel off by half the contrast.
        assert!(found.peak < 0.5, "{found:?}");
        let marked = photographed(&line(250, 10, true));
        let found = residual(&e, &marked, &c, 200.0);
        assert!(found.ink > 4.0, "{found:?}");
        assert!(found.peak >= 0.5, "{found:?}");
    }

    /// Two rules across the window and a line of "letters" between them,
    /// one with a bar on top; the letters drawn `up` pixels higher.
    fn ruled(up: u32, mark: bool) -> GrayImage {
        let mut img = GrayImage::from_pixel(120, 80, image::Luma([250]));
        let mut ink = |x0: u32, x1: u32, y0: u32, y1: u32| {
            for y in y0..y1 {
                for x in x0..x1 {
                    img.put_pixel(x, y, image::Luma([10]));
                }
            }
        };
        ink(0, 120, 8, 11);
        ink(0, 120, 64, 67);
        for k in 0..6 {
            let x = 12 + k * 16;
            ink(x, x + 3, 32 - up, 48 - up);
        }
        ink(44, 51, 29 - up, 32 - up);
        if mark {
            ink(45, 50, 24, 27);
        }
        img
    }

    #[test]
    fn a_letter_moved_between_rules_is_explained_only_close_around_it() {
        let e = ruled(0, false);
        // The wide fit and the close one (about a letter's width).
        let fits = |paper: &GrayImage, c: &Change| {
            (
                residual(&e, paper, c, 200.0),
                residual_fitted(&e, paper, c, 200.0, Fit::Around(12.0)),
            )
        };
        // The rules pin the wide fit; close around the letter, the model
        // takes the letters' own shift and explains the moved bar, which
        // lies where the electronic page has none.
        let (wide, near) = fits(
            &photographed(&ruled(3, false)),
            &Change::over(44, 25, 51, 29),
        );
        assert!(wide.ink > 2.5, "{wide:?}");
        assert!(near.ink < 1.0, "{near:?}");
        assert!(
            (near.shift.1 - wide.shift.1).abs() >= 2.0,
            "{wide:?} {near:?}"
        );
        // A mark added over letters in place is not explained either way,
        // and the close fit keeps the wide one's shift.
        let (wide, near) = fits(
            &photographed(&ruled(0, true)),
            &Change::over(44, 22, 51, 28),
        );
        assert!(wide.ink > 2.5 && near.ink > 2.5, "{wide:?} {near:?}");
        let moved = near.moved_from(&wide);
        assert!(moved < 1.0, "{wide:?} {near:?}");
    }

    #[test]
    fn a_glyph_moved_between_rules_is_explained_by_a_fit_over_itself() {
        let e = ruled(0, false);
        // The barred letter whole, as the ink maps would outline it.
        let glyph = Change::over(42, 26, 53, 50);
        let moved = photographed(&ruled(3, false));
        let wide = residual(&e, &moved, &glyph, 200.0);
        let own = residual_fitted(&e, &moved, &glyph, 200.0, Fit::Over(4.0));
        assert!(wide.ink > 4.0, "{wide:?}");
        assert!(own.ink < 1.0, "{own:?}");
        assert!(
            (own.shift.1 - wide.shift.1).abs() >= 2.0,
            "{wide:?} {own:?}"
        );
        // A mark added to the letter in place: no shift explains it.
        let marked = photographed(&ruled(0, true));
        let own = residual_fitted(
            &e,
            &marked,
            &Change::over(42, 22, 53, 50),
            200.0,
            Fit::Over(4.0),
        );
        assert!(own.ink > 2.5, "{own:?}");
    }
}
