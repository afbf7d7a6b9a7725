//! A photographed glyph unlike its siblings, for a tone mark changed on a
//! phone photo.
//!
//! At a phone's 90–140 pixels to the inch, the capture model of
//! [`crate::explain`] leaves as much residue on unchanged text as on a
//! changed tone mark: the print and the electronic page are drawn by
//! different renderers, and the photo's blur and light vary across the
//! sheet (compare README). This stage does not compare the paper with the
//! electronic page at all. Each letter of the electronic page with its
//! marks (a window around a letter-sized piece of its ink) is grouped
//! with the page's other copies of the same glyph; each paper copy of the
//! group is then compared with the same photo's other copies, aligned to
//! their median. Renderer and capture are alike for all of them, so an
//! unchanged glyph matches its siblings and a glyph whose mark changed
//! does not. Where a member's electronic window differs from its group's
//! (a neighbour's ink at the edge), the paper there is not scored.
//!
//! Only the copy standing furthest above its group's typical difference
//! counts, when it stands well above every other place ([`standout`]).

use image::GrayImage;

use crate::diff::{Change, Standing};
use crate::explain::{fit, quantile, Plane};
use crate::ink::{pieces8, Bitmap};

/// Grey below which the electronic page is ink for finding its letters:
/// thinner than the ink map, so a tone mark stays apart from its letter.
const DARK: u8 = 140;
/// Letter-sized pieces of the electronic page's ink, pixels at the working
/// resolution (scaled with a coarser page's): height, width and least
/// area.
const MIN_HEIGHT: f32 = 8.0;
const MAX_HEIGHT: f32 = 36.0;
const MIN_WIDTH: f32 = 2.0;
const MAX_WIDTH: f32 = 36.0;
const MIN_AREA: f32 = 8.0;
/// A window reaches this share of its piece's height above it (a tone mark,
/// a circumflex with a mark on it) and below it (a dot below).
const ABOVE: f32 = 0.75;
const BELOW: f32 = 0.45;
/// Piece sizes are taken in steps of this many pixels.
const CLASS: u32 = 4;
/// Pixels added around a window on every side.
const PAD: f32 = 3.0;
/// Least distance of a window from the page's edge, pixels.
const EDGE: u32 = 6;
/// Two electronic windows hold the same glyph when, blurred by
/// [`GROUP_BLUR`] and at the best of the nine one-pixel shifts, they differ
/// nowhere by more than this share of the ink contrast: a tone mark for
/// another differs by most of it.
const SAME_GLYPH: f32 = 0.3;
const GROUP_BLUR: f32 = 0.8;
/// Fewest copies of a glyph on a page for its paper copies to be judged.
const MIN_GROUP: usize = 3;
/// Copies taken for the first median the others are aligned to.
const FIRST_MEDIAN: usize = 25;
/// Margin of a window left out of the levels fit and the score, pixels.
const INNER: usize = 3;
/// Smoothing of a difference (Gaussian sigma, pixels): about a tone mark.
const SMOOTH: f32 = 1.2;
/// Where a member's electronic window differs from its group's median by
/// this share of the ink contrast (smoothed), and within
/// [`CONTEXT_REACH`] pixels of there, the paper is not scored.
const CONTEXT: f32 = 0.15;
const CONTEXT_REACH: i32 = 2;
/// Least contrast taken for a window (grey levels), so a faint one does
/// not blow its differences up: electronic and paper.
const MIN_E_CONTRAST: f32 = 60.0;
const MIN_P_CONTRAST: f32 = 40.0;
/// The outlier with the highest excess over its group's typical score is a
/// change when its score (the largest smoothed difference from its group's
/// median, in units of the ink contrast) is at least this...
const MIN_SCORE: f32 = 0.35;
/// ...its excess at least this...
const MIN_EXCESS: f32 = 0.28;
/// ...and this many times the excess of the next place. The least excess
/// does most of the work (one unchanged photographed page in about 900
/// reaches it, at 1.04 times its next place); this turns away a page whose
/// copies are all a little off (compare README).
const STANDOUT: f32 = 1.5;
/// Distance (pixels, city block between window centres) beyond which
/// another outlier is another place.
const APART: f32 = 16.0;

/// A window around one letter of the electronic page.
struct Window {
    /// The piece's width and height in steps of [`CLASS`] pixels: windows
    /// are grouped only with windows of the same key, and are of one size.
    key: (u32, u32),
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    /// The electronic window with its letter and that letter's marks only
    /// (other ink painted over with the paper's grey), blurred by
    /// [`GROUP_BLUR`]: what groups it, whatever its neighbours.
    glyph: Plane,
    /// The ink contrast of `glyph`, at least [`MIN_E_CONTRAST`].
    contrast: f32,
}

/// One paper copy of a grouped glyph, scored against its siblings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outlier {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Largest smoothed difference from the group's median, in units of the
    /// paper's ink contrast.
    pub score: f32,
    /// Copies of the glyph on the page.
    pub group: usize,
    /// The median score of the glyph's copies.
    pub typical: f32,
}

impl Outlier {
    /// How far the copy's score stands above its group's typical one: a
    /// glyph whose copies all differ a little from their median (a blurry
    /// corner of the photo) does not make its worst copy a change.
    pub fn excess(&self) -> f32 {
        self.score - self.typical
    }

    /// The copy's window, as a change.
    pub fn place(&self) -> Change {
        Change::over(self.x0, self.y0, self.x1, self.y1)
    }
}

/// Every grouped glyph's paper copy with its score, highest first. The
/// planes share the electronic page's grid (`paper` is the warped paper);
/// windows touching `ignore` are left out.
pub fn outliers(
    electronic: &GrayImage,
    paper: &GrayImage,
    ignore: &Bitmap,
    dpi: f32,
) -> Vec<Outlier> {
    let windows = windows(electronic, ignore, dpi);
    let mut out = Vec::new();
    for group in groups(&windows) {
        let members: Vec<&Window> = group.iter().map(|&k| &windows[k]).collect();
        out.extend(score_group(electronic, paper, &members));
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// The outlier with the page's highest excess over its group's typical
/// score ([`Outlier::excess`]): its excess and the next place's, and its
/// score.
pub fn strongest(outliers: &[Outlier], dpi: f32) -> Option<(Standing, f32)> {
    let top = outliers
        .iter()
        .max_by(|a, b| a.excess().total_cmp(&b.excess()))?;
    let place = top.place();
    let apart = APART * dpi / crate::WORKING_DPI;
    let next = outliers
        .iter()
        .filter(|o| o.place().apart_from(&place, apart))
        .map(Outlier::excess)
        .fold(0.0, f32::max);
    Some((
        Standing {
            place,
            value: top.excess(),
            next,
        },
        top.score,
    ))
}

/// The page's strongest outlier (what [`strongest`] gives) as a change,
/// when it stands out: its excess at least [`MIN_EXCESS`] and [`STANDOUT`]
/// times the next place's, and its score at least [`MIN_SCORE`].
pub fn standout(strongest: Option<(Standing, f32)>) -> Option<Change> {
    strongest
        .filter(|(top, score)| {
            *score >= MIN_SCORE && top.value >= MIN_EXCESS && top.value >= STANDOUT * top.next
        })
        .map(|(top, _)| top.place)
}

/// A window around each letter-sized piece of the electronic page's ink
/// ([`DARK`]) that lies clear of the page's edge and of `ignore`.
fn windows(electronic: &GrayImage, ignore: &Bitmap, dpi: f32) -> Vec<Window> {
    let scale = dpi / crate::WORKING_DPI;
    let (w, h) = (electronic.width() as usize, electronic.height() as usize);
    let dark: Vec<bool> = electronic.as_raw().iter().map(|&v| v < DARK).collect();
    let (label, pieces) = pieces8(w, h, |i| dark[i], |_, n| dark[n], |_, _| {});
    let pad = (PAD * scale).round() as u32;
    let mut out = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        let (pw, ph) = ((p.x1 - p.x0) as f32, (p.y1 - p.y0) as f32);
        if !(MIN_HEIGHT * scale..=MAX_HEIGHT * scale).contains(&ph)
            || !(MIN_WIDTH * scale..=MAX_WIDTH * scale).contains(&pw)
            || (p.area as f32) < MIN_AREA * scale * scale
        {
            continue;
        }
        // Sizes in classes of CLASS pixels, so that copies of one glyph
        // whose pieces came out a pixel wider or taller share a key.
        let class = |n: u32| (n + CLASS / 2) / CLASS;
        let (kw, kh) = (class(p.x1 - p.x0), class(p.y1 - p.y0));
        let (width, height) = (CLASS * kw + 2 * pad, CLASS * kh);
        let (above, below) = (
            (ABOVE * height as f32) as u32 + pad,
            (BELOW * height as f32) as u32 + pad,
        );
        let cx = p.x0 + (p.x1 - p.x0) / 2;
        let (Some(x0), Some(y0)) = (cx.checked_sub(width / 2), p.y0.checked_sub(above)) else {
            continue;
        };
        let (x1, y1) = (x0 + width, p.y0 + height + below);
        if x0 < EDGE || y0 < EDGE || x1 + EDGE > w as u32 || y1 + EDGE > h as u32 {
            continue;
        }
        if ignore.any_in(x0, y0, x1, y1) {
            continue;
        }
        // The letter's own ink: its piece, and the smaller pieces centred
        // over or under it (its marks).
        let own = |id: u32| {
            id == k as u32 + 1
                || id != 0 && {
                    let q = &pieces[id as usize - 1];
                    let qx = (q.x0 + q.x1) / 2;
                    q.y1 - q.y0 < p.y1 - p.y0 && qx + 1 >= p.x0 && qx <= p.x1 + 1
                }
        };
        // That ink and the pixel around it (its anti-aliased edge) are kept.
        let mut keep = Bitmap::new(x1 - x0, y1 - y0);
        for (i, bit) in keep.data.iter_mut().enumerate() {
            let (x, y) = (
                x0 as usize + i % (x1 - x0) as usize,
                y0 as usize + i / (x1 - x0) as usize,
            );
            *bit = u8::from(own(label[y * w + x]));
        }
        let keep = keep.dilate(1);
        let mut glyph = Plane::cut(electronic, x0, y0, x1, y1);
        let paper_grey = quantile(&mut glyph.v.clone(), 0.95);
        for (v, &k) in glyph.v.iter_mut().zip(&keep.data) {
            if k == 0 {
                *v = paper_grey;
            }
        }
        let contrast = (paper_grey - quantile(&mut glyph.v.clone(), 0.02)).max(MIN_E_CONTRAST);
        out.push(Window {
            key: (kw, kh),
            x0,
            y0,
            x1,
            y1,
            glyph: glyph.blurred(GROUP_BLUR),
            contrast,
        });
    }
    out
}

/// Windows holding the same glyph, as indices into `windows`: each window
/// joins the first group of its key whose first window it matches
/// ([`same_glyph`]); groups of fewer than [`MIN_GROUP`] are dropped.
fn groups(windows: &[Window]) -> Vec<Vec<usize>> {
    let mut by_key: std::collections::BTreeMap<(u32, u32), Vec<usize>> = Default::default();
    for (k, win) in windows.iter().enumerate() {
        by_key.entry(win.key).or_default().push(k);
    }
    let mut out = Vec::new();
    for ks in by_key.values() {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &k in ks {
            match groups
                .iter_mut()
                .find(|g| same_glyph(&windows[g[0]], &windows[k]))
            {
                Some(g) => g.push(k),
                None => groups.push(vec![k]),
            }
        }
        out.extend(groups.into_iter().filter(|g| g.len() >= MIN_GROUP));
    }
    out
}

/// Whether the glyph of window `b`, at one of the nine one-pixel shifts,
/// differs from that of `a` nowhere by more than [`SAME_GLYPH`] of `a`'s
/// contrast (a one-pixel margin left out). Windows of one key are of one
/// size.
fn same_glyph(a: &Window, b: &Window) -> bool {
    let limit = SAME_GLYPH * a.contrast;
    let (w, h) = (a.glyph.w, a.glyph.h);
    let (ga, gb) = (&a.glyph.v, &b.glyph.v);
    (-1i32..=1).any(|dy| {
        (-1i32..=1).any(|dx| {
            (1..h - 1).all(|y| {
                let yb = (y as i32 + dy) as usize;
                (1..w - 1).all(|x| {
                    let xb = (x as i32 + dx) as usize;
                    (ga[y * w + x] - gb[yb * w + xb]).abs() <= limit
                })
            })
        })
    })
}

/// Each paper copy of one glyph scored against the group's median.
fn score_group(electronic: &GrayImage, paper: &GrayImage, members: &[&Window]) -> Vec<Outlier> {
    let cut = |img: &GrayImage, m: &Window| Plane::cut(img, m.x0, m.y0, m.x1, m.y1);
    let crops: Vec<Plane> = members.iter().map(|m| cut(paper, m)).collect();
    let first = median(&crops[..crops.len().min(FIRST_MEDIAN)]);
    let (w, h) = (first.w, first.h);
    let inner: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            x >= INNER && y >= INNER && x + INNER < w && y + INNER < h
        })
        .collect();
    let (planes, shifts): (Vec<Plane>, Vec<(f32, f32)>) =
        crops.iter().map(|c| align(&first, c, &inner)).unzip();
    let med = median(&planes);
    let e_crops: Vec<Plane> = members
        .iter()
        .zip(&shifts)
        .map(|(m, &(dx, dy))| cut(electronic, m).shifted(dx, dy))
        .collect();
    let e_med = median(&e_crops);
    let spread = |p: &Plane, floor: f32| {
        let mut v = p.v.clone();
        (quantile(&mut v, 0.95) - quantile(&mut v, 0.02)).max(floor)
    };
    let (e_contrast, p_contrast) = (spread(&e_med, MIN_E_CONTRAST), spread(&med, MIN_P_CONTRAST));
    let scores: Vec<f32> = planes
        .iter()
        .zip(&e_crops)
        .map(|(p, e)| {
            let de = difference(e, &e_med, e_contrast);
            let context = near(&de, w, h);
            let dp = difference(p, &med, p_contrast);
            (0..w * h)
                .filter(|&i| inner[i] && !context[i])
                .map(|i| dp.v[i].abs())
                .fold(0.0, f32::max)
        })
        .collect();
    let typical = quantile(&mut scores.clone(), 0.5);
    members
        .iter()
        .zip(scores)
        .map(|(m, score)| Outlier {
            x0: m.x0,
            y0: m.y0,
            x1: m.x1,
            y1: m.y1,
            score,
            group: members.len(),
            typical,
        })
        .collect()
}

/// `(a − b) / contrast`, smoothed by [`SMOOTH`].
fn difference(a: &Plane, b: &Plane, contrast: f32) -> Plane {
    Plane {
        w: a.w,
        h: a.h,
        v: a.v
            .iter()
            .zip(&b.v)
            .map(|(x, y)| (x - y) / contrast)
            .collect(),
    }
    .blurred(SMOOTH)
}

/// Pixels within [`CONTEXT_REACH`] (city block) of one where the smoothed
/// electronic difference `de` reaches [`CONTEXT`].
fn near(de: &Plane, w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; w * h];
    for y in 0..h as i32 {
        for x in 0..w as i32 {
            if de.v[y as usize * w + x as usize].abs() < CONTEXT {
                continue;
            }
            for dy in -CONTEXT_REACH..=CONTEXT_REACH {
                let reach = CONTEXT_REACH - dy.abs();
                for dx in -reach..=reach {
                    let (xx, yy) = (x + dx, y + dy);
                    if xx >= 0 && yy >= 0 && (xx as usize) < w && (yy as usize) < h {
                        out[yy as usize * w + xx as usize] = true;
                    }
                }
            }
        }
    }
    out
}

/// `crop` shifted (whole pixels within one, then half pixels around the
/// best) and its levels fitted to `target` over `inner`, at the shift that
/// fits best: the fitted plane and the shift.
fn align(target: &Plane, crop: &Plane, inner: &[bool]) -> (Plane, (f32, f32)) {
    let try_shift = |dx: f32, dy: f32| {
        let s = crop.shifted(dx, dy);
        let (cost, offset, gain) = fit(&s, target, inner);
        (cost, offset, gain, s, (dx, dy))
    };
    let mut best = try_shift(0.0, 0.0);
    let around =
        |(cx, cy): (f32, f32), step: f32, best: &mut (f32, f32, f32, Plane, (f32, f32))| {
            for dy in [-step, 0.0, step] {
                for dx in [-step, 0.0, step] {
                    if dx != 0.0 || dy != 0.0 {
                        let c = try_shift(cx + dx, cy + dy);
                        if c.0 < best.0 {
                            *best = c;
                        }
                    }
                }
            }
        };
    around((0.0, 0.0), 1.0, &mut best);
    let whole = best.4;
    around(whole, 0.5, &mut best);
    let (_, offset, gain, s, shift) = best;
    let v = s.v.iter().map(|x| offset + gain * x).collect();
    (Plane { w: s.w, h: s.h, v }, shift)
}

/// The pixelwise median of planes of one size.
fn median(planes: &[Plane]) -> Plane {
    let (w, h) = (planes[0].w, planes[0].h);
    let mut column = vec![0f32; planes.len()];
    let v = (0..w * h)
        .map(|i| {
            for (c, p) in column.iter_mut().zip(planes) {
                *c = p.v[i];
            }
            quantile(&mut column, 0.5)
        })
        .collect();
    Plane { w, h, v }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::photographed;

    /// A line of "ó"-like glyphs (a ring with an acute above) and bars at
    /// 200 dpi; `dot_below` gives the glyph at that index a dot below
    /// instead of its acute.
    fn page(paper: u8, ink: u8, dot_below: Option<usize>) -> GrayImage {
        let mut img = GrayImage::from_pixel(420, 120, image::Luma([paper]));
        let mut put = |x: i32, y: i32| img.put_pixel(x as u32, y as u32, image::Luma([ink]));
        for k in 0..10usize {
            let (cx, cy) = (24 + 38 * k as i32, 60);
            if k % 3 == 2 {
                // A bar, a glyph of another kind.
                for y in cy - 14..=cy + 7 {
                    for x in cx - 1..=cx + 1 {
                        put(x, y);
                    }
                }
                continue;
            }
            for y in cy - 8..=cy + 8 {
                for x in cx - 8..=cx + 8 {
                    let r = (((x - cx) * (x - cx) + (y - cy) * (y - cy)) as f32).sqrt();
                    if (4.5..=6.8).contains(&r) {
                        put(x, y);
                    }
                }
            }
            if dot_below == Some(k) {
                for y in cy + 10..=cy + 12 {
                    for x in cx - 1..=cx + 1 {
                        put(x, y);
                    }
                }
            } else {
                for i in 0..5 {
                    for t in 0..2 {
                        put(cx + 1 + i + t, cy - 10 - i);
                    }
                }
            }
        }
        img
    }

    /// A 16 × 30 window at `x` whose copy scores `score` in a group whose
    /// typical score is 0.1.
    fn outlier_at(x: u32, score: f32) -> Outlier {
        Outlier {
            x0: x,
            y0: 100,
            x1: x + 16,
            y1: 130,
            score,
            group: 9,
            typical: 0.1,
        }
    }

    #[test]
    fn a_copy_is_kept_when_its_excess_is_half_again_the_next_places() {
        // A changed digit on a phone photo (seed 9 c0001, "3.3" → "3.4"):
        // excess 0.30 against 0.198 elsewhere on the page, 1.52 times.
        let page = |next: f32| vec![outlier_at(200, 0.40), outlier_at(600, 0.1 + next)];
        assert!(standout(strongest(&page(0.198), 200.0)).is_some());
        // Under half again the next place's, or under the least excess,
        // nothing stands out.
        assert_eq!(standout(strongest(&page(0.21), 200.0)), None);
        assert_eq!(
            standout(strongest(
                &[outlier_at(200, 0.37), outlier_at(600, 0.2)],
                200.0
            )),
            None
        );
        // Copies of the same place (windows closer than APART) are not
        // another place.
        let near = vec![
            outlier_at(200, 0.40),
            outlier_at(208, 0.39),
            outlier_at(600, 0.15),
        ];
        assert!(standout(strongest(&near, 200.0)).is_some());
    }

    #[test]
    fn a_glyph_whose_mark_changed_stands_out_from_its_siblings_and_a_retake_does_not() {
        let electronic = page(250, 30, None);
        let ignore = Bitmap::new(electronic.width(), electronic.height());
        let same = outliers(&electronic, &photographed(&electronic, 7), &ignore, 200.0);
        assert!(same.iter().any(|o| o.group >= 6), "{same:?}");
        assert_eq!(standout(strongest(&same, 200.0)), None, "{:?}", &same[..3]);
        let changed = outliers(
            &electronic,
            &photographed(&page(250, 30, Some(4)), 7),
            &ignore,
            200.0,
        );
        let c = standout(strongest(&changed, 200.0)).expect("the changed glyph stands out");
        let x = 24 + 38 * 4;
        assert!(c.x0 <= x && x < c.x1 && c.y0 <= 70 && 70 < c.y1, "{c:?}");
    }
}
