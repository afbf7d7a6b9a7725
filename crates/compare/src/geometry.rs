//! Plane geometry for registration: homographies, least-squares fits and a
//! RANSAC loop over point correspondences. The random sampler is a seeded
//! xorshift, so a comparison always gives the same answer.

/// A projective map of the plane, row-major 3×3 with `h[8]` = 1 after fitting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    pub const IDENTITY: Homography = Homography([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);

    /// `(x, y) -> (sx·x + tx, sy·y + ty)`.
    pub fn scale_shift(sx: f64, sy: f64, tx: f64, ty: f64) -> Homography {
        Homography([sx, 0.0, tx, 0.0, sy, ty, 0.0, 0.0, 1.0])
    }

    #[inline]
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + h[8];
        let w = if w.abs() < 1e-12 { 1e-12 } else { w };
        (
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        )
    }

    /// `self ∘ other`: first `other`, then `self`.
    pub fn after(&self, other: &Homography) -> Homography {
        let (a, b) = (&self.0, &other.0);
        let mut m = [0.0; 9];
        for r in 0..3 {
            for c in 0..3 {
                m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
            }
        }
        Homography(m)
    }

    /// Local scale: how much a unit length near `(x, y)` grows.
    pub fn local_scale(&self, x: f64, y: f64) -> f64 {
        let (x0, y0) = self.apply(x, y);
        let (x1, y1) = self.apply(x + 1.0, y);
        let (x2, y2) = self.apply(x, y + 1.0);
        (((x1 - x0).hypot(y1 - y0)) * ((x2 - x0).hypot(y2 - y0))).sqrt()
    }
}

/// A correspondence: `src` maps to `dst`, with a weight (match confidence).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correspondence {
    pub src: (f64, f64),
    pub dst: (f64, f64),
    pub weight: f64,
}

/// Solves `a · x = b` (n×n, row-major) by Gaussian elimination with partial
/// pivoting. `None` when the system is singular.
pub fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(pivot * n + k, col * n + k);
            }
            b.swap(pivot, col);
        }
        for row in col + 1..n {
            let f = a[row * n + col] / a[col * n + col];
            if f != 0.0 {
                for k in col..n {
                    a[row * n + k] -= f * a[col * n + k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row * n + row];
    }
    Some(x)
}

/// Translation and scale that move the points' centroid to the origin and
/// their mean distance to √2 (Hartley normalisation), as a homography.
fn normaliser(points: impl Iterator<Item = (f64, f64)> + Clone) -> Homography {
    let n = points.clone().count().max(1) as f64;
    let (sx, sy) = points
        .clone()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let (cx, cy) = (sx / n, sy / n);
    let d = points.map(|p| (p.0 - cx).hypot(p.1 - cy)).sum::<f64>() / n;
    let s = if d > 1e-9 {
        std::f64::consts::SQRT_2 / d
    } else {
        1.0
    };
    Homography::scale_shift(s, s, -s * cx, -s * cy)
}

fn invert_scale_shift(h: &Homography) -> Homography {
    let s = h.0[0];
    Homography::scale_shift(1.0 / s, 1.0 / s, -h.0[2] / s, -h.0[5] / s)
}

/// Weighted least-squares homography (needs 4 or more correspondences).
pub fn fit_homography(pairs: &[Correspondence]) -> Option<Homography> {
    if pairs.len() < 4 {
        return None;
    }
    let ns = normaliser(pairs.iter().map(|c| c.src));
    let nd = normaliser(pairs.iter().map(|c| c.dst));
    let mut ata = vec![0.0; 64];
    let mut atb = vec![0.0; 8];
    for c in pairs {
        let (x, y) = ns.apply(c.src.0, c.src.1);
        let (u, v) = nd.apply(c.dst.0, c.dst.1);
        let rows = [
            ([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y], u),
            ([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y], v),
        ];
        for (r, rhs) in rows {
            for i in 0..8 {
                atb[i] += c.weight * r[i] * rhs;
                for j in 0..8 {
                    ata[i * 8 + j] += c.weight * r[i] * r[j];
                }
            }
        }
    }
    let h = solve(ata, atb)?;
    let hn = Homography([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0]);
    let full = invert_scale_shift(&nd).after(&hn).after(&ns);
    let k = full.0[8];
    if k.abs() < 1e-12 {
        return None;
    }
    Some(Homography(full.0.map(|v| v / k)))
}

/// Weighted least-squares affine map (needs 3 or more correspondences).
pub fn fit_affine(pairs: &[Correspondence]) -> Option<Homography> {
    if pairs.len() < 3 {
        return None;
    }
    let ns = normaliser(pairs.iter().map(|c| c.src));
    let nd = normaliser(pairs.iter().map(|c| c.dst));
    let mut ata = vec![0.0; 9];
    let mut atu = vec![0.0; 3];
    let mut atv = vec![0.0; 3];
    for c in pairs {
        let (x, y) = ns.apply(c.src.0, c.src.1);
        let (u, v) = nd.apply(c.dst.0, c.dst.1);
        let r = [x, y, 1.0];
        for i in 0..3 {
            atu[i] += c.weight * r[i] * u;
            atv[i] += c.weight * r[i] * v;
            for j in 0..3 {
                ata[i * 3 + j] += c.weight * r[i] * r[j];
            }
        }
    }
    let a = solve(ata.clone(), atu)?;
    let b = solve(ata, atv)?;
    let hn = Homography([a[0], a[1], a[2], b[0], b[1], b[2], 0.0, 0.0, 1.0]);
    Some(invert_scale_shift(&nd).after(&hn).after(&ns))
}

/// A small seeded random source (xorshift64*).
#[derive(Debug, Clone)]
pub struct Sampler(u64);

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        Sampler(seed | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// Which model RANSAC fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Affine,
    Projective,
}

/// Robust fit: the model agreeing with most correspondences (within
/// `tolerance` pixels), refitted on those. Returns the model and an inlier flag
/// per correspondence.
pub fn ransac(
    pairs: &[Correspondence],
    model: Model,
    tolerance: f64,
    iterations: usize,
    sampler: &mut Sampler,
) -> Option<(Homography, Vec<bool>)> {
    let need = match model {
        Model::Affine => 3,
        Model::Projective => 4,
    };
    if pairs.len() < need {
        return None;
    }
    let fit = |sample: &[Correspondence]| match model {
        Model::Affine => fit_affine(sample),
        Model::Projective => fit_homography(sample),
    };
    let score = |h: &Homography| -> (f64, Vec<bool>) {
        let mut total = 0.0;
        let flags = pairs
            .iter()
            .map(|c| {
                let (u, v) = h.apply(c.src.0, c.src.1);
                let ok = (u - c.dst.0).hypot(v - c.dst.1) <= tolerance;
                if ok {
                    total += c.weight;
                }
                ok
            })
            .collect();
        (total, flags)
    };
    let mut best: Option<(f64, Homography, Vec<bool>)> = None;
    let mut sample = Vec::with_capacity(need);
    for _ in 0..iterations {
        sample.clear();
        let mut picked = [usize::MAX; 4];
        while sample.len() < need {
            let i = sampler.below(pairs.len());
            if !picked.contains(&i) {
                picked[sample.len()] = i;
                sample.push(pairs[i]);
            }
        }
        let Some(h) = fit(&sample) else { continue };
        let (s, flags) = score(&h);
        if best.as_ref().is_none_or(|b| s > b.0) {
            best = Some((s, h, flags));
        }
    }
    let (_, mut h, mut flags) = best?;
    // Refit on the inliers, twice, letting the inlier set settle.
    for _ in 0..2 {
        let inliers: Vec<Correspondence> = pairs
            .iter()
            .zip(&flags)
            .filter(|(_, &f)| f)
            .map(|(c, _)| *c)
            .collect();
        match fit(&inliers) {
            Some(refit) => {
                h = refit;
                flags = score(&h).1;
            }
            None => break,
        }
    }
    Some((h, flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_through(h: &Homography) -> Vec<Correspondence> {
        let mut out = Vec::new();
        for i in 0..6 {
            for j in 0..8 {
                let src = (i as f64 * 100.0 + 10.0, j as f64 * 120.0 + 5.0);
                out.push(Correspondence {
                    src,
                    dst: h.apply(src.0, src.1),
                    weight: 1.0,
                });
            }
        }
        out
    }

    #[test]
    fn ransac_recovers_a_perspective_map_despite_outliers() {
        let truth = Homography([1.02, 0.03, 12.0, -0.02, 0.98, -7.0, 2e-5, -1e-5, 1.0]);
        let mut pairs = grid_through(&truth);
        for (k, c) in pairs.iter_mut().enumerate().filter(|(k, _)| k % 5 == 0) {
            c.dst.0 += 40.0 + k as f64;
        }
        let (h, flags) = ransac(&pairs, Model::Projective, 1.5, 200, &mut Sampler::new(7)).unwrap();
        assert_eq!(flags.iter().filter(|f| !**f).count(), 10);
        for (x, y) in [(0.0, 0.0), (500.0, 900.0), (250.0, 400.0)] {
            let (a, b) = h.apply(x, y);
            let (c, d) = truth.apply(x, y);
            assert!(
                (a - c).abs() < 0.01 && (b - d).abs() < 0.01,
                "{a},{b} vs {c},{d}"
            );
        }
    }

    #[test]
    fn affine_fit_is_exact_on_an_affine_map() {
        let truth = Homography([0.97, -0.035, 30.0, 0.035, 0.97, -12.0, 0.0, 0.0, 1.0]);
        let h = fit_affine(&grid_through(&truth)).unwrap();
        let (a, b) = h.apply(321.0, 654.0);
        let (c, d) = truth.apply(321.0, 654.0);
        assert!((a - c).abs() < 1e-6 && (b - d).abs() < 1e-6);
    }
}
