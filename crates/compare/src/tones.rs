//! A photographed letter whose marks the page's other marks explain better
//! than its own: a tone mark changed on a phone photo, where the glyph has
//! no sibling to compare with.
//!
//! [`crate::siblings`] needs three copies of a glyph with its marks on the
//! page; "ă" in "năm" or "ố" in "phố" often has none. The letter under the
//! mark, though, recurs ("a", "o"), and so does each mark over other
//! letters of the same height. Here each letter of the electronic page that
//! carries marks, or shares its body with one that does, is put forward
//! as it is and with every other mark configuration the page's letters of
//! its height carry (none at all among them), each placed as over its own
//! letter (the body's ink centre across, its top down). Each hypothesis is
//! seen through the paper's capture (a blur, a sub-pixel shift, ink and
//! paper levels) fitted on the letter's window as the electronic page
//! shows it. Renderer and capture are common to all hypotheses of one
//! letter, so where the paper holds another mark, that mark's hypothesis
//! explains it better than the letter's own. Two things explain a little
//! on unchanged print and are allowed the own marks before they lose: a
//! displacement by a pixel (two renderers place a mark a little
//! differently) and a strength 30 % off (a phone thins a bold tilde more
//! than its blur says). The displacement is allowed the other
//! configuration too, when it already explains the paper better where its
//! anchor puts it: the paper's renderer places the new mark as it likes.
//! Without that, the circumflex of "DÂN" moved by a pixel explained the
//! paper's "DĂN" better (0.55) than the page's "Ă" put where the anchor
//! says (0.37), and the change went unseen (corpus seed 21, c0026).
//!
//! Only the page's strongest letter counts, when it stands well above
//! every other place ([`standout`]).
//!
//! A letter whose new configuration no letter of the page carries whole
//! ("ố" → "ổ" on a page with hooks only over plain letters) is tried
//! with one mark at a time swapped for each other kind of mark the page's
//! letters of its size of type carry ([`swaps`]), the new mark put where
//! the swapped one sits. Swaps explain more of unchanged print than whole
//! configurations do (a thickened circumflex is explained better by a
//! bolder mark of another kind), so they are ranked apart and kept only
//! at the stricter bar ([`swap_standout`]): ranked with the
//! configurations, they raised the next places of three true finds
//! below their bars on the corpus (compare README).

use image::GrayImage;

use crate::diff::{Change, Standing};
use crate::explain::{fit_pairs, Plane};
use crate::ink::{pieces8, Bitmap, Piece};

/// Grey below which the electronic page is ink: thin, so a tone mark stays
/// apart from its letter (as in [`crate::siblings`]).
const DARK: u8 = 140;
/// A letter's body, pixels at the working resolution: height...
const BODY_HEIGHT: (f32, f32) = (9.0, 36.0);
/// ...width...
const BODY_WIDTH: (f32, f32) = (2.0, 36.0);
/// ...and least area.
const BODY_AREA: f32 = 8.0;
/// A mark: lower than a body, at most this wide, at least this many pixels.
const MARK_WIDTH: f32 = 14.0;
const MARK_AREA: u32 = 2;
/// A mark belongs to the nearest body under it within this share of the
/// body's height, or over it within [`BELOW`].
const ABOVE: f32 = 0.8;
const BELOW: f32 = 0.5;
/// A letter's window reaches [`ABOVE`] and [`BELOW`] of its height plus
/// this many pixels over and under it, and [`SIDE`] pixels either side.
const REACH: f32 = 3.0;
const SIDE: f32 = 5.0;
/// Bodies of one letter: sizes within a pixel, and this share of their
/// ink in common at the best one-pixel shift.
const SAME_BODY: f32 = 0.8;
/// Letters whose heights are within this ratio may be of one size of type
/// (a small letter and a capital): a mark of one may be swapped onto the
/// other ([`swaps`]).
const SIZE_OF_TYPE: f32 = 1.5;
/// Stroke widths within this ratio are one weight ([`same_weight`]).
const SAME_WEIGHT: f32 = 1.3;
/// Letters whose capture is fitted over every blur, to find the photo's.
const SAMPLE: usize = 16;
/// Capture blurs tried (Gaussian sigma, pixels at the working resolution).
const SIGMAS: [f32; 6] = [0.8, 1.2, 1.6, 2.0, 2.5, 3.0];
/// Margin of the window left out of the score, pixels.
const MARGIN: usize = 3;
/// Pixels where two hypotheses, seen through the fitted blur, differ by
/// this much ink (0–1) are the ones scored.
const DIFFERS: f32 = 0.04;
/// Least fitted gain (paper ink per electronic ink) for a window to be
/// judged: below it the paper there is not the letter.
const MIN_GAIN: f32 = 0.2;
/// The page's strongest letter is a change when its score and its ratio
/// to the next place's score (taken as at least [`NEXT_FLOOR`]) reach one
/// of these pairs: a strong letter well above the rest, or a weaker one
/// far above all of them. The first pair was read off the phone tiers of
/// seeds 4, 7, 9 and 12 (compare README): there no unchanged page's
/// strongest letter reaches 0.62 at three times its next place, nor 0.92
/// at all. The second was read off seeds 4–13, where no unchanged page
/// reaches 4.6 times its next place above 0.2; on the fresh seeds 14 and
/// 15 it changed no verdict.
pub const STANDOUT: [(f32, f32); 2] = [(0.8, 3.0), (0.6, 6.0)];
const NEXT_FLOOR: f32 = 0.1;
/// Distance (pixels, city block between window centres) beyond which
/// another letter is another place.
const APART: f32 = 16.0;

/// One letter of the page, scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suspect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// How much better the best other mark configuration explains the
    /// paper than the letter's own, in squared units of the paper's ink
    /// contrast summed over the pixels where the two differ: the lesser of
    /// that gain less what the own marks moved by a pixel gain (renderers
    /// place marks a little differently), and of that gain when the own
    /// marks may print up to 30 % lighter or heavier (a phone thins small
    /// marks more than its blur says). A configuration that gains where its
    /// anchor puts it is also tried a pixel over each way, and scores its
    /// best place.
    pub score: f32,
    /// Where the best configuration was taken from: the top left corner
    /// of that letter's window.
    pub from: (u32, u32),
}

impl Suspect {
    /// The letter's window, as a change.
    pub fn place(&self) -> Change {
        Change::over(self.x0, self.y0, self.x1, self.y1)
    }
}

/// The page's judged letters, each as scored against the other mark
/// configurations and against its marks swapped one at a time, highest
/// first.
#[derive(Debug, Default)]
pub struct Suspects {
    /// Each letter's best other configuration ([`Suspect::score`]).
    pub configs: Vec<Suspect>,
    /// Each letter's best swap of one mark (scored alike; `from` is the
    /// window of the letter the new mark came from).
    pub swaps: Vec<Suspect>,
}

/// A letter body of the electronic page and its marks.
struct Letter {
    piece: usize,
    /// Its window on the page.
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    /// The point its marks are placed from: the body's ink centre across,
    /// its top down.
    anchor: (f32, f32),
    /// Its marks alone, as ink (0–1) over its window...
    layer: Plane,
    /// ...which are within this box of the window (`None`: no marks).
    support: Option<Box4>,
    /// The body's stroke width, pixels: twice its ink over its outline.
    stroke: f32,
    /// Its marks, as the page's piece labels.
    marks: Vec<u32>,
}

/// Every judged letter of the page, scored both ways ([`Suspects`]). The
/// planes share the electronic page's grid (`paper` is the warped paper);
/// windows touching `ignore` are not judged.
pub fn suspects(electronic: &GrayImage, paper: &GrayImage, ignore: &Bitmap, dpi: f32) -> Suspects {
    let scale = dpi / crate::WORKING_DPI;
    let (w, h) = (electronic.width() as usize, electronic.height() as usize);
    let dark: Vec<bool> = electronic.as_raw().iter().map(|&v| v < DARK).collect();
    let (label, pieces) = pieces8(w, h, |i| dark[i], |_, n| dark[n], |_, _| {});
    let letters = letters(electronic, &label, &pieces, scale);
    // The configurations each height of letter carries, one of each.
    let shapes: Vec<Option<Shape>> = letters.iter().map(Shape::of).collect();
    let mut library: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (k, l) in letters.iter().enumerate() {
        let entry = library
            .entry(pieces[l.piece].y1 - pieces[l.piece].y0)
            .or_default();
        let same = |j: &usize| match (&shapes[k], &shapes[*j]) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same(b),
            _ => false,
        };
        if !entry.iter().any(same) {
            entry.push(k);
        }
    }
    let judged: Vec<usize> = (0..letters.len())
        .filter(|&k| {
            let l = &letters[k];
            !ignore.any_in(l.x0, l.y0, l.x1, l.y1)
        })
        .collect();
    // The photo's blur, from a sample of letters; each letter then chooses
    // among it and its neighbours.
    let step = (judged.len() / SAMPLE).max(1);
    let mut chosen: Vec<usize> = judged
        .iter()
        .step_by(step)
        .filter_map(|&k| Capture::fit(electronic, paper, &letters[k], 0..SIGMAS.len()))
        .map(|c| c.sigma)
        .collect();
    chosen.sort_unstable();
    let sigmas = match chosen.get(chosen.len() / 2) {
        Some(&k) => k.saturating_sub(1)..(k + 2).min(SIGMAS.len()),
        None => return Suspects::default(),
    };
    // Each letter's marks summed up, for swapping them.
    let marks_of: Vec<Vec<MarkShape>> = letters
        .iter()
        .map(|o| {
            let body = &pieces[o.piece];
            o.marks
                .iter()
                .map(|&m| MarkShape::of(electronic, &label, &pieces[m as usize - 1], m, body))
                .collect()
        })
        .collect();
    let mut out = Suspects::default();
    for k in judged {
        let l = &letters[k];
        let height = pieces[l.piece].y1 - pieces[l.piece].y0;
        let others: Vec<&Letter> = (height.saturating_sub(1)..=height + 1)
            .filter_map(|hh| library.get(&hh))
            .flatten()
            .map(|&j| &letters[j])
            .filter(|o| !std::ptr::eq(*o, l) && same_weight(o.stroke, l.stroke))
            .collect();
        let Some(capture) = Capture::fit(electronic, paper, l, sigmas.clone()) else {
            continue;
        };
        let suspect = |score: f32, from: (u32, u32)| Suspect {
            x0: l.x0,
            y0: l.y0,
            x1: l.x1,
            y1: l.y1,
            score,
            from,
        };
        if let Some((score, k)) = judge(&capture, l, &others) {
            out.configs
                .push(suspect(score, (others[k].x0, others[k].y0)));
        }
        // Marks of letters of the same weight, the small letters and
        // capitals of one size of type.
        let own = &marks_of[k];
        let donors = letters.iter().zip(&marks_of).filter(|(o, _)| {
            let oh = (pieces[o.piece].y1 - pieces[o.piece].y0) as f32;
            !std::ptr::eq(*o, l)
                && same_weight(o.stroke, l.stroke)
                && oh.max(height as f32) <= SIZE_OF_TYPE * oh.min(height as f32)
        });
        let swapped = swaps(electronic, &label, (l, own), donors);
        let hypotheses: Vec<&Letter> = swapped.iter().map(|(s, _)| s).collect();
        if let Some((score, k)) = judge(&capture, l, &hypotheses) {
            out.swaps.push(suspect(score, swapped[k].1));
        }
    }
    out.configs.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.swaps.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Letter `l` (with its marks summed up) with one of its marks swapped for
/// another kind of mark carried by the letters `others` (on the same side
/// of its letter), put where the swapped mark sits: its ink centre across,
/// its foot down. A stacked tone mark ("ố" → "ổ") or a breve for a
/// circumflex ("ấ" → "ắ") where no letter of the page carries the whole
/// new configuration. Each hypothesis comes with the window corner of the
/// letter its new mark was taken from.
fn swaps<'a>(
    electronic: &GrayImage,
    label: &[u32],
    (l, own): (&Letter, &[MarkShape]),
    others: impl Iterator<Item = (&'a Letter, &'a Vec<MarkShape>)>,
) -> Vec<(Letter, (u32, u32))> {
    if own.is_empty() {
        return Vec::new();
    }
    // One of each mark at each size.
    let mut donors: Vec<(&MarkShape, (u32, u32))> = Vec::new();
    for (o, marks) in others {
        for m in marks {
            if !donors.iter().any(|(d, _)| d.same(m)) {
                donors.push((m, (o.x0, o.y0)));
            }
        }
    }
    let window = (l.x0, l.y0, l.x1, l.y1);
    let mut out = Vec::new();
    for old in own {
        let rest: Vec<u32> = own.iter().map(|m| m.id).filter(|&m| m != old.id).collect();
        let base = mark_layer(electronic, label, window, &rest);
        for &(new, from) in &donors {
            if new.above != old.above || new.kind_of(old) {
                continue;
            }
            let (mark, (qx0, qy0)) = (&new.plane, new.corner);
            // Where a pixel of l's window samples the new mark's plane, and
            // the pixels it reaches.
            let (dx, dy) = (
                l.x0 as f32 - qx0 as f32 - (old.centre - new.centre),
                l.y0 as f32 - qy0 as f32 - (old.foot - new.foot),
            );
            let reach = |d: f32, n: usize, of: usize| {
                ((-d).floor().max(0.0) as usize).min(of)
                    ..((n as f32 - d).ceil().max(0.0) as usize + 1).min(of)
            };
            let mut layer = base.clone();
            for y in reach(dy, mark.h, layer.h) {
                for x in reach(dx, mark.w, layer.w) {
                    let v = &mut layer.v[y * layer.w + x];
                    *v = v.max(bilinear(mark, x as f32 + dx, y as f32 + dy));
                }
            }
            let support = support(&layer);
            let letter = Letter {
                layer,
                support,
                marks: Vec::new(),
                ..*l
            };
            out.push((letter, from));
        }
    }
    out
}

/// One mark summed up: its ink, centre across and foot, and whether it
/// stands over its letter or under it.
struct MarkShape {
    /// Its piece's label.
    id: u32,
    ink: Ink,
    centre: f32,
    foot: f32,
    above: bool,
    /// How its ink rises towards its middle: the correlation of the
    /// distance from its centre across with the depth (a circumflex near
    /// 0.7, a breve near -0.65, an acute or a grave near 0).
    arch: f32,
    /// Its box's width over its height.
    aspect: f32,
    /// Its ink (0–1, with its anti-aliased edge) over its box grown by a
    /// pixel, and that box's top left corner on the page.
    plane: Plane,
    corner: (u32, u32),
}

/// Most difference in slant and in arch of two marks of one kind
/// ([`MarkShape::kind_of`]).
const KIND: f32 = 0.25;

impl MarkShape {
    fn of(electronic: &GrayImage, label: &[u32], p: &Piece, id: u32, body: &Piece) -> MarkShape {
        let w = electronic.width() as usize;
        let mut ink: Vec<(f32, f32, f32)> = Vec::new();
        for y in p.y0..p.y1 {
            for x in p.x0..p.x1 {
                if label[y as usize * w + x as usize] == id {
                    let v = (255.0 - f32::from(electronic.get_pixel(x, y).0[0])) / 255.0;
                    ink.push((x as f32, y as f32, v));
                }
            }
        }
        let m = ink.iter().map(|i| i.2).sum::<f32>().max(1e-3);
        let mean =
            |f: &dyn Fn(f32, f32) -> f32| ink.iter().map(|&(x, y, v)| v * f(x, y)).sum::<f32>() / m;
        let (cx, cy) = (mean(&|x, _| x), mean(&|_, y| y));
        let (vx, vy) = (
            mean(&|x, _| (x - cx).powi(2)),
            mean(&|_, y| (y - cy).powi(2)),
        );
        let far = mean(&|x, _| (x - cx).abs());
        let vfar = mean(&|x, _| ((x - cx).abs() - far).powi(2));
        let corner = (p.x0.saturating_sub(1), p.y0.saturating_sub(1));
        let (x1, y1) = (
            (p.x1 + 1).min(electronic.width()),
            (p.y1 + 1).min(electronic.height()),
        );
        MarkShape {
            id,
            plane: mark_layer(electronic, label, (corner.0, corner.1, x1, y1), &[id]),
            corner,
            ink: Ink {
                mass: m,
                spread: (vx.sqrt(), vy.sqrt()),
                slant: mean(&|x, y| (x - cx) * (y - cy)) / (vx * vy).sqrt().max(1e-3),
            },
            centre: cx,
            foot: p.y1 as f32,
            arch: mean(&|x, y| ((x - cx).abs() - far) * (y - cy)) / (vfar * vy).sqrt().max(1e-3),
            above: p.y1 <= body.y0 + 1,
            aspect: (p.x1 - p.x0) as f32 / (p.y1 - p.y0) as f32,
        }
    }

    /// Whether two marks are one mark, perhaps at two sizes of type: slant
    /// and arch alike, and boxes of about one shape.
    fn kind_of(&self, o: &MarkShape) -> bool {
        (self.ink.slant - o.ink.slant).abs() <= KIND
            && (self.arch - o.arch).abs() <= KIND
            && self.aspect.max(o.aspect) <= 1.5 * self.aspect.min(o.aspect)
    }

    /// Whether two marks are one mark at one size.
    fn same(&self, o: &MarkShape) -> bool {
        self.ink.alike(&o.ink)
    }
}

/// The page's strongest letter (what [`strongest`] gives) as a change,
/// when its score and how many times it is that of any letter [`APART`]
/// from it reach one of the [`STANDOUT`] pairs.
pub fn standout(strongest: Option<Standing>) -> Option<Change> {
    strongest
        .filter(|top| STANDOUT.iter().any(|&pair| reaches(top, pair)))
        .map(|top| top.place)
}

/// Whether a place's score and how many times it is the next place's reach
/// one [`STANDOUT`] pair.
fn reaches(top: &Standing, (least, times): (f32, f32)) -> bool {
    top.value >= least && top.value >= times * top.next
}

/// The page's strongest swap of one mark as a change, when it reaches the
/// stricter of the [`STANDOUT`] pairs against every other letter [`APART`]
/// from it, scored either way. Swaps explain more of unchanged print
/// than whole configurations do (a bolder mark of another kind fits a
/// thickened one), so only the stricter pair applies, and the swaps do not
/// raise the next place of [`standout`].
pub fn swap_standout(suspects: &Suspects, dpi: f32) -> Option<Change> {
    let everyone = suspects.configs.iter().chain(&suspects.swaps);
    let top = standing(&suspects.swaps, everyone, dpi)?;
    reaches(&top, STANDOUT[0]).then_some(top.place)
}

/// The page's strongest letter: its score, and the next place's (taken as
/// at least [`NEXT_FLOOR`]).
pub fn strongest(suspects: &[Suspect], dpi: f32) -> Option<Standing> {
    standing(suspects, suspects.iter(), dpi)
}

/// The first of `ranked` (highest first), and the best score among `all`
/// of a letter [`APART`] from it (taken as at least [`NEXT_FLOOR`]).
fn standing<'a>(
    ranked: &[Suspect],
    all: impl Iterator<Item = &'a Suspect>,
    dpi: f32,
) -> Option<Standing> {
    let top = ranked.first()?;
    let place = top.place();
    let apart = APART * dpi / crate::WORKING_DPI;
    let next = all
        .filter(|s| s.place().apart_from(&place, apart))
        .map(|s| s.score)
        .fold(NEXT_FLOOR, f32::max);
    Some(Standing {
        place,
        value: top.score,
        next,
    })
}

/// The page's letters that may carry marks: bodies with marks, and bodies
/// of the same letter as one that has them.
fn letters(electronic: &GrayImage, label: &[u32], pieces: &[Piece], scale: f32) -> Vec<Letter> {
    let (w, h) = (electronic.width(), electronic.height());
    let size = |p: &Piece| ((p.x1 - p.x0) as f32, (p.y1 - p.y0) as f32);
    let bodies: Vec<usize> = (0..pieces.len())
        .filter(|&k| {
            let (pw, ph) = size(&pieces[k]);
            (BODY_HEIGHT.0 * scale..=BODY_HEIGHT.1 * scale).contains(&ph)
                && (BODY_WIDTH.0 * scale..=BODY_WIDTH.1 * scale).contains(&pw)
                && pieces[k].area as f32 >= BODY_AREA * scale * scale
        })
        .collect();
    // Each mark to the nearest body it sits over or under, its centre
    // within the body's columns or up to LEAD pixels left of them (bodies
    // looked up by the columns of BUCKET pixels they reach).
    const BUCKET: u32 = 16;
    const LEAD: f32 = 2.0;
    let mut by_column: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for (j, &b) in bodies.iter().enumerate() {
        let from = (pieces[b].x0 as f32 - LEAD).max(0.0) as u32;
        for c in from / BUCKET..=pieces[b].x1 / BUCKET {
            by_column.entry(c).or_default().push(j);
        }
    }
    let mut marks: Vec<Vec<usize>> = vec![Vec::new(); bodies.len()];
    for (k, m) in pieces.iter().enumerate() {
        let (mw, mh) = size(m);
        if mh >= BODY_HEIGHT.0 * scale || mw > MARK_WIDTH * scale || m.area < MARK_AREA {
            continue;
        }
        let mx = (m.x0 + m.x1) as f32 / 2.0 - 0.5;
        let mut best: Option<(f32, usize)> = None;
        let Some(near) = by_column.get(&(mx.max(0.0) as u32 / BUCKET)) else {
            continue;
        };
        for &j in near {
            let p = &pieces[bodies[j]];
            if mx < p.x0 as f32 - LEAD || mx > p.x1 as f32 {
                continue;
            }
            let bh = (p.y1 - p.y0) as f32;
            let gap = if m.y1 <= p.y0 + 1 && m.y0 as f32 >= p.y0 as f32 - ABOVE * bh {
                p.y0 as f32 - m.y1 as f32
            } else if m.y0 + 1 >= p.y1 && m.y1 as f32 <= p.y1 as f32 + BELOW * bh {
                m.y0 as f32 - p.y1 as f32
            } else {
                continue;
            };
            if best.is_none_or(|(g, _)| gap < g) {
                best = Some((gap, j));
            }
        }
        if let Some((_, j)) = best {
            marks[j].push(k);
        }
    }
    // Bodies of one letter, to know which unmarked bodies may carry marks
    // (groups looked up by their first body's size).
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_size: std::collections::HashMap<(u32, u32), Vec<usize>> = Default::default();
    let bits: Vec<Option<Vec<u64>>> = bodies
        .iter()
        .map(|&b| body_bits(label, w as usize, &pieces[b], b as u32 + 1))
        .collect();
    for j in 0..bodies.len() {
        let p = &pieces[bodies[j]];
        let (pw, ph) = (p.x1 - p.x0, p.y1 - p.y0);
        let found = bits[j].as_ref().and_then(|mine| {
            (pw.saturating_sub(1)..=pw + 1)
                .flat_map(|ww| (ph.saturating_sub(1)..=ph + 1).map(move |hh| (ww, hh)))
                .filter_map(|key| by_size.get(&key))
                .flatten()
                .copied()
                .find(|&g| {
                    bits[groups[g][0]]
                        .as_ref()
                        .is_some_and(|first| same_body(first, mine))
                })
        });
        match found {
            Some(g) => groups[g].push(j),
            None => {
                by_size.entry((pw, ph)).or_default().push(groups.len());
                groups.push(vec![j]);
            }
        }
    }
    let mut out = Vec::new();
    for g in groups {
        if g.iter().all(|&j| marks[j].is_empty()) {
            continue;
        }
        for j in g {
            let k = bodies[j];
            let p = &pieces[k];
            let bh = (p.y1 - p.y0) as f32;
            let above = (ABOVE * bh).ceil() as u32 + (REACH * scale).round() as u32;
            let below = (BELOW * bh).ceil() as u32 + (REACH * scale).round() as u32;
            let side = (SIDE * scale).round() as u32;
            let (Some(x0), Some(y0)) = (p.x0.checked_sub(side), p.y0.checked_sub(above)) else {
                continue;
            };
            let (x1, y1) = (p.x1 + side, p.y1 + below);
            if x1 > w || y1 > h {
                continue;
            }
            let own: Vec<u32> = marks[j].iter().map(|&m| m as u32 + 1).collect();
            let layer = mark_layer(electronic, label, (x0, y0, x1, y1), &own);
            let support = support(&layer);
            let stroke = stroke_width(label, w as usize, p, k as u32 + 1);
            out.push(Letter {
                piece: k,
                x0,
                y0,
                x1,
                y1,
                anchor: (ink_centre(electronic, label, p, k as u32 + 1), p.y0 as f32),
                layer,
                support,
                stroke,
                marks: own,
            });
        }
    }
    out
}

/// A body's ink as rows of bits (bit `x + 1` for column `x`, so it can
/// move a column either way); `None` when it is too wide for that.
fn body_bits(label: &[u32], stride: usize, p: &Piece, id: u32) -> Option<Vec<u64>> {
    if p.x1 - p.x0 + 2 > 64 {
        return None;
    }
    Some(
        (p.y0..p.y1)
            .map(|y| {
                (p.x0..p.x1).fold(0u64, |row, x| {
                    let on = label[y as usize * stride + x as usize] == id;
                    row | (u64::from(on) << (x - p.x0 + 1))
                })
            })
            .collect(),
    )
}

/// Whether two bodies are one letter: sizes within a pixel (checked by
/// the caller) and [`SAME_BODY`] of their ink in common at the best
/// one-pixel shift.
fn same_body(a: &[u64], b: &[u64]) -> bool {
    let rows = a.len().max(b.len()) as i64;
    let row = |r: &[u64], y: i64| {
        if y >= 0 && (y as usize) < r.len() {
            r[y as usize]
        } else {
            0
        }
    };
    (-1i64..=1).any(|dy| {
        (-1i64..=1).any(|dx| {
            let (mut both, mut either) = (0u32, 0u32);
            for y in -1..=rows {
                let u = row(a, y);
                let v = row(b, y + dy);
                let v = match dx {
                    -1 => v << 1,
                    1 => v >> 1,
                    _ => v,
                };
                both += (u & v).count_ones();
                either += (u | v).count_ones();
            }
            both as f32 >= SAME_BODY * either.max(1) as f32
        })
    })
}

/// A body's stroke width: twice its ink over its outline (pixels with a
/// neighbour outside it).
fn stroke_width(label: &[u32], stride: usize, p: &Piece, id: u32) -> f32 {
    let on = |x: i64, y: i64| {
        x >= i64::from(p.x0)
            && y >= i64::from(p.y0)
            && x < i64::from(p.x1)
            && y < i64::from(p.y1)
            && label[y as usize * stride + x as usize] == id
    };
    let (mut area, mut outline) = (0u32, 0u32);
    for y in i64::from(p.y0)..i64::from(p.y1) {
        for x in i64::from(p.x0)..i64::from(p.x1) {
            if on(x, y) {
                area += 1;
                outline +=
                    u32::from(!(on(x - 1, y) && on(x + 1, y) && on(x, y - 1) && on(x, y + 1)));
            }
        }
    }
    2.0 * area as f32 / outline.max(1) as f32
}

/// Whether two strokes are of one weight of type: a bold letter's marks
/// are not put on a regular one (a phone thins a bold tilde so that a
/// regular one explains it better).
fn same_weight(a: f32, b: f32) -> bool {
    a.max(b) <= SAME_WEIGHT * a.min(b)
}

/// The grey-weighted centre across of a piece's ink.
fn ink_centre(electronic: &GrayImage, label: &[u32], p: &Piece, id: u32) -> f32 {
    let w = electronic.width() as usize;
    let (mut s, mut sx) = (0f32, 0f32);
    for y in p.y0..p.y1 {
        for x in p.x0..p.x1 {
            if label[y as usize * w + x as usize] == id {
                let ink = 255.0 - f32::from(electronic.get_pixel(x, y).0[0]);
                s += ink;
                sx += ink * x as f32;
            }
        }
    }
    if s > 0.0 {
        sx / s
    } else {
        (p.x0 + p.x1) as f32 / 2.0
    }
}

/// The ink (0–1) of a body's marks (pieces `own`) over its window: the
/// marks' pixels and the unlabelled pixels next to them (their
/// anti-aliased edge), not the body's nor another piece's.
fn mark_layer(
    electronic: &GrayImage,
    label: &[u32],
    (x0, y0, x1, y1): (u32, u32, u32, u32),
    own: &[u32],
) -> Plane {
    let w = electronic.width() as usize;
    let (ww, wh) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let at = |i: usize| label[(y0 as usize + i / ww) * w + x0 as usize + i % ww];
    let mut v = vec![0f32; ww * wh];
    if own.is_empty() {
        return Plane { w: ww, h: wh, v };
    }
    let mut marks = Bitmap::new(x1 - x0, y1 - y0);
    for (i, bit) in marks.data.iter_mut().enumerate() {
        *bit = u8::from(own.contains(&at(i)));
    }
    let near = marks.dilate(1);
    for (i, value) in v.iter_mut().enumerate() {
        let id = at(i);
        if near.data[i] != 0 && (id == 0 || own.contains(&id)) {
            let g = electronic
                .get_pixel(x0 + (i % ww) as u32, y0 + (i / ww) as u32)
                .0[0];
            *value = (255.0 - f32::from(g)) / 255.0;
        }
    }
    Plane { w: ww, h: wh, v }
}

/// A letter's marks summed up: their ink and its centre from the
/// letter's anchor: two letters whose marks agree in all are one
/// configuration.
struct Shape {
    ink: Ink,
    centre: (f32, f32),
}

/// Ink summed up: its amount, its spread (standard deviations across and
/// down) and its slant (their correlation).
struct Ink {
    mass: f32,
    spread: (f32, f32),
    slant: f32,
}

impl Ink {
    /// Whether two marks' or configurations' ink agrees: amounts within
    /// 15 %, spreads within half a pixel, slants within 0.25.
    fn alike(&self, o: &Ink) -> bool {
        (self.mass - o.mass).abs() <= 0.15 * self.mass.max(o.mass)
            && (self.spread.0 - o.spread.0).abs() < 0.5
            && (self.spread.1 - o.spread.1).abs() < 0.5
            && (self.slant - o.slant).abs() < 0.25
    }
}

impl Shape {
    fn of(l: &Letter) -> Option<Shape> {
        l.support?;
        let (mut m, mut sx, mut sy, mut sxx, mut syy, mut sxy) =
            (0f32, 0f32, 0f32, 0f32, 0f32, 0f32);
        for (i, &v) in l.layer.v.iter().enumerate() {
            if v > 0.0 {
                let x = (i % l.layer.w) as f32 + l.x0 as f32 - l.anchor.0;
                let y = (i / l.layer.w) as f32 + l.y0 as f32 - l.anchor.1;
                m += v;
                sx += v * x;
                sy += v * y;
                sxx += v * x * x;
                syy += v * y * y;
                sxy += v * x * y;
            }
        }
        let (cx, cy) = (sx / m, sy / m);
        let (vx, vy) = ((sxx / m - cx * cx).max(0.0), (syy / m - cy * cy).max(0.0));
        let cov = sxy / m - cx * cy;
        Some(Shape {
            ink: Ink {
                mass: m,
                spread: (vx.sqrt(), vy.sqrt()),
                slant: cov / (vx * vy).sqrt().max(1e-3),
            },
            centre: (cx, cy),
        })
    }

    fn same(&self, o: &Shape) -> bool {
        self.ink.alike(&o.ink)
            && (self.centre.0 - o.centre.0).abs() < 0.75
            && (self.centre.1 - o.centre.1).abs() < 0.75
    }
}

/// Where, in letter `to`'s window, the marks of letter `from` land when
/// their anchors coincide: the box of pixels [`place_into`] fills, or
/// `None` when `from` has no marks or they land outside.
fn reach_of(from: &Letter, to: &Letter) -> Option<Box4> {
    let (sx0, sy0, sx1, sy1) = from.support?;
    let (tw, th) = ((to.x1 - to.x0) as usize, (to.y1 - to.y0) as usize);
    let (dx, dy) = offset(from, to);
    let span = |lo: usize, hi: usize, d: f32, n: usize| {
        let a = (lo as f32 - 1.0 - d).floor().max(0.0) as usize;
        let b = ((hi as f32 + 1.0 - d).ceil().max(0.0) as usize).min(n);
        (a, b)
    };
    let (x0, x1) = span(sx0, sx1, dx, tw);
    let (y0, y1) = span(sy0, sy1, dy, th);
    (x0 < x1 && y0 < y1).then_some((x0, y0, x1, y1))
}

/// Where a pixel of `to`'s window falls in `from`'s: page position, moved
/// by the anchors' difference.
fn offset(from: &Letter, to: &Letter) -> (f32, f32) {
    (
        from.anchor.0 - to.anchor.0 + to.x0 as f32 - from.x0 as f32,
        from.anchor.1 - to.anchor.1 + to.y0 as f32 - from.y0 as f32,
    )
}

/// Adds the marks of letter `from`, moved into the window of letter `to`
/// so that their anchors coincide and then by `nudge` pixels (bilinear,
/// zero outside), to `d`, the part `region` of that window.
fn place_into(from: &Letter, to: &Letter, region: Box4, d: &mut Plane, nudge: (i32, i32)) {
    let Some((x0, y0, x1, y1)) = reach_of(from, to) else {
        return;
    };
    let (x0, y0) = (x0.saturating_sub(1), y0.saturating_sub(1));
    let (x1, y1) = (x1 + 1, y1 + 1);
    let (dx, dy) = offset(from, to);
    let (dx, dy) = (dx - nudge.0 as f32, dy - nudge.1 as f32);
    for y in y0.max(region.1)..y1.min(region.3) {
        for x in x0.max(region.0)..x1.min(region.2) {
            d.v[(y - region.1) * d.w + x - region.0] +=
                bilinear(&from.layer, x as f32 + dx, y as f32 + dy);
        }
    }
}

/// A plane's value at a point between its pixels (bilinear, zero outside).
fn bilinear(p: &Plane, sx: f32, sy: f32) -> f32 {
    let get = |x: i64, y: i64| {
        if x < 0 || y < 0 || x >= p.w as i64 || y >= p.h as i64 {
            0.0
        } else {
            p.v[y as usize * p.w + x as usize]
        }
    };
    let (ix, iy) = (sx.floor(), sy.floor());
    let (fx, fy) = (sx - ix, sy - iy);
    let (ix, iy) = (ix as i64, iy as i64);
    let top = get(ix, iy) * (1.0 - fx) + get(ix + 1, iy) * fx;
    let bottom = get(ix, iy + 1) * (1.0 - fx) + get(ix + 1, iy + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// The paper over a letter's window as the electronic window explains it
/// through a fitted capture.
struct Capture {
    w: usize,
    h: usize,
    /// Index into the blurs tried.
    sigma: usize,
    gain: f32,
    /// Paper less the fitted prediction, in ink (0–1).
    residual: Vec<f32>,
}

impl Capture {
    /// The capture that explains the paper over `l`'s window best: blur
    /// (among `sigmas`) at no shift, then the shift at that blur, then the
    /// blur again at that shift; gain and offset fitted at each. `None`
    /// when the paper there holds no letter ([`MIN_GAIN`]).
    fn fit(
        electronic: &GrayImage,
        paper: &GrayImage,
        l: &Letter,
        sigmas: std::ops::Range<usize>,
    ) -> Option<Capture> {
        let ink = |p: Plane| Plane {
            w: p.w,
            h: p.h,
            v: p.v.iter().map(|v| (255.0 - v) / 255.0).collect(),
        };
        let e = ink(Plane::cut(electronic, l.x0, l.y0, l.x1, l.y1));
        let p = ink(Plane::cut(paper, l.x0, l.y0, l.x1, l.y1));
        let (w, h) = (e.w, e.h);
        if w <= 2 * MARGIN || h <= 2 * MARGIN {
            return None;
        }
        let inner = |i: usize| inner(i, w, h);
        let blurred: Vec<Plane> = SIGMAS[sigmas.clone()]
            .iter()
            .map(|&s| e.blurred(s))
            .collect();
        let cost = |pred: &Plane, ps: &Plane| -> (f32, f32, f32) {
            let (_, offset, gain) = fit_pairs(pred.v.iter().copied().zip(ps.v.iter().copied()));
            let sse = (0..w * h)
                .filter(|&i| inner(i))
                .map(|i| {
                    let r = ps.v[i] - (offset + gain * pred.v[i]);
                    r * r
                })
                .sum();
            (sse, offset, gain)
        };
        let mut best = (f32::MAX, 0usize, (0.0f32, 0.0f32));
        for (k, b) in blurred.iter().enumerate() {
            let c = cost(b, &p).0;
            if c < best.0 {
                best = (c, k, (0.0, 0.0));
            }
        }
        let steps = [-1.0f32, -0.5, 0.0, 0.5, 1.0];
        for dy in steps {
            for dx in steps {
                let c = cost(&blurred[best.1], &p.shifted(dx, dy)).0;
                if c < best.0 {
                    best = (c, best.1, (dx, dy));
                }
            }
        }
        let ps = p.shifted(best.2 .0, best.2 .1);
        for (k, b) in blurred.iter().enumerate() {
            let c = cost(b, &ps).0;
            if c < best.0 {
                best = (c, k, best.2);
            }
        }
        let pred = &blurred[best.1];
        let (_, offset, gain) = cost(pred, &ps);
        if gain < MIN_GAIN {
            return None;
        }
        let residual = (0..w * h)
            .map(|i| ps.v[i] - (offset + gain * pred.v[i]))
            .collect();
        let sigma = sigmas.start + best.1;
        Some(Capture {
            w,
            h,
            sigma,
            gain,
            residual,
        })
    }
}

/// Whether pixel `i` of a `w × h` window lies inside its [`MARGIN`].
fn inner(i: usize, w: usize, h: usize) -> bool {
    let (x, y) = (i % w, i / w);
    x >= MARGIN && y >= MARGIN && x + MARGIN < w && y + MARGIN < h
}

/// How much better the best other configuration explains the paper over
/// letter `l`'s window than its own marks do (see [`Suspect::score`]), and
/// which of `others` it is; `None` when no other configuration differs
/// from its own there.
fn judge(c: &Capture, l: &Letter, others: &[&Letter]) -> Option<(f32, usize)> {
    let (w, h, gain, sigma) = (c.w, c.h, c.gain, SIGMAS[c.sigma]);
    let reach = (3.0 * sigma).ceil() as usize;
    let widen = |(x0, y0, x1, y1): Box4| {
        (
            x0.saturating_sub(reach),
            y0.saturating_sub(reach),
            (x1 + reach).min(w),
            (y1 + reach).min(h),
        )
    };
    // Another configuration changes the prediction by Δ (its marks less the
    // letter's own, blurred alike), so it leaves the residual r − gain·Δ: it
    // explains the paper better by 2·gain·r·Δ − gain²·Δ² a pixel.
    let gained = |x0: usize, y0: usize, delta: &Plane| {
        let (mut s, mut n) = (0f32, 0usize);
        for y in 0..delta.h {
            for x in 0..delta.w {
                let dv = delta.v[y * delta.w + x];
                let i = (y0 + y) * w + x0 + x;
                if dv.abs() > DIFFERS && inner(i, w, h) {
                    s += 2.0 * c.residual[i] * dv / gain - dv * dv;
                    n += 1;
                }
            }
        }
        (s, n)
    };
    // A box with room for marks a pixel over, and for their blur.
    let room = |(x0, y0, x1, y1): Box4| {
        widen((
            x0.saturating_sub(1),
            y0.saturating_sub(1),
            (x1 + 1).min(w),
            (y1 + 1).min(h),
        ))
    };
    let own_blurred = l.layer.blurred(sigma);
    // The letter's own marks a pixel over.
    let mut moved = 0f32;
    if let Some(support) = l.support {
        let region = room(support);
        for &(dx, dy) in &NUDGES[1..] {
            let m = l.layer.shifted(dx as f32, dy as f32);
            let d = cut(region, w, |i| m.v[i] - l.layer.v[i]);
            moved = moved.max(gained(region.0, region.1, &d.blurred(sigma)).0);
        }
    }
    // How much better letter `l`'s window is explained with configuration
    // `o` nudged by `nudge` pixels over `region` than with its own marks:
    // the gain itself, and the score (see [`Suspect::score`]).
    let score_of = |o: &Letter, region: Box4, nudge: (i32, i32)| -> Option<(f32, f32)> {
        let mut d = cut(region, w, |i| -l.layer.v[i]);
        place_into(o, l, region, &mut d, nudge);
        let delta = d.blurred(sigma);
        let (s, n) = gained(region.0, region.1, &delta);
        if n < 3 {
            return None;
        }
        // The same with the own marks free in strength: own ink a·B_own
        // more (|a| ≤ 0.3 gain) against the other configuration at the
        // fitted gain, over the pixels either covers.
        let (mut rr, mut rbo, mut bobo, mut other) = (0f32, 0f32, 0f32, 0f32);
        for y in 0..delta.h {
            for x in 0..delta.w {
                let i = (region.1 + y) * w + region.0 + x;
                if !inner(i, w, h) {
                    continue;
                }
                let bo = own_blurred.v[i];
                let bv = delta.v[y * delta.w + x] + bo;
                if bo.abs() > DIFFERS || bv.abs() > DIFFERS {
                    let r = c.residual[i];
                    rr += r * r;
                    rbo += r * bo;
                    bobo += bo * bo;
                    let rv = r + gain * bo - gain * bv;
                    other += rv * rv;
                }
            }
        }
        let a = if bobo > 0.0 {
            (rbo / bobo).clamp(-0.3 * gain, 0.3 * gain)
        } else {
            0.0
        };
        let free = (rr - 2.0 * a * rbo + a * a * bobo - other) / (gain * gain);
        Some((s, (s - moved).min(free)))
    };
    let mut best: Option<(f32, usize)> = None;
    for (k, o) in others.iter().enumerate() {
        let Some(region) = union(reach_of(o, l), l.support).map(room) else {
            continue;
        };
        // The configuration where its anchor puts it and, when that already
        // explains the paper better than the own marks, a pixel over each
        // way: the own marks are allowed that much (`moved`), and so is the
        // other configuration, which two renderers place a little
        // differently too.
        for nudge in NUDGES {
            let scored = score_of(o, region, nudge);
            if let Some((_, score)) = scored {
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, k));
                }
            }
            if nudge == (0, 0) && scored.is_none_or(|(explains, _)| explains <= 0.0) {
                break;
            }
        }
    }
    best
}

/// Where a configuration is tried: as placed, then a pixel over each way
/// (the last four are also where the own marks are moved to).
const NUDGES: [(i32, i32); 5] = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)];

/// The part `region` of a `w`-wide window, each pixel given by `value` of
/// its index in the window.
fn cut(region: Box4, w: usize, value: impl Fn(usize) -> f32) -> Plane {
    let (x0, y0, x1, y1) = region;
    let mut v = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            v.push(value(y * w + x));
        }
    }
    Plane {
        w: x1 - x0,
        h: y1 - y0,
        v,
    }
}

type Box4 = (usize, usize, usize, usize);

/// The box around two boxes, either of which may be missing.
fn union(a: Option<Box4>, b: Option<Box4>) -> Option<Box4> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3))),
        (a, b) => a.or(b),
    }
}

/// The box around a plane's non-zero pixels.
fn support(p: &Plane) -> Option<Box4> {
    let mut b: Option<Box4> = None;
    for (i, v) in p.v.iter().enumerate() {
        if *v > 0.0 {
            let (x, y) = (i % p.w, i / p.w);
            b = union(b, Some((x, y, x + 1, y + 1)));
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::photographed;

    /// Mark shapes over a ring: an acute, a grave, a dot below.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Mark {
        Acute,
        Grave,
        DotBelow,
        Circumflex,
        Breve,
        /// A circumflex with an acute or a grave over its right end, as
        /// in "ố" and "ồ".
        CircumflexAcute,
        CircumflexGrave,
    }

    /// A line of ring-shaped letters (an "o") with `marks[k]` on the k-th,
    /// and bars (a letter that never carries marks) between, at 200 dpi.
    fn page(marks: &[Mark]) -> GrayImage {
        let placed: Vec<(Mark, (i32, i32))> = marks.iter().map(|&m| (m, (0, 0))).collect();
        page_with(&placed)
    }

    /// [`page`] with each mark moved by so many pixels from its place.
    fn page_with(marks: &[(Mark, (i32, i32))]) -> GrayImage {
        let mut img = GrayImage::from_pixel(40 + 38 * marks.len() as u32, 120, image::Luma([250]));
        let mut put = |x: i32, y: i32| img.put_pixel(x as u32, y as u32, image::Luma([30]));
        for (k, &(mark, (mx, my))) in marks.iter().enumerate() {
            let (cx, cy) = (24 + 38 * k as i32, 60);
            for y in cy - 8..=cy + 8 {
                for x in cx - 8..=cx + 8 {
                    let r = (((x - cx) * (x - cx) + (y - cy) * (y - cy)) as f32).sqrt();
                    if (4.5..=6.8).contains(&r) {
                        put(x, y);
                    }
                }
            }
            // a bar between letters
            for y in cy - 14..=cy + 7 {
                for x in cx + 17..=cx + 18 {
                    put(x, y);
                }
            }
            let (cx, cy) = (cx + mx, cy + my);
            // A stacked tone mark stands right of the circumflex, which
            // moves left to make room, and apart from it.
            let parts = match mark {
                Mark::CircumflexAcute => vec![(Mark::Circumflex, (-3, 0)), (Mark::Acute, (4, -2))],
                Mark::CircumflexGrave => vec![(Mark::Circumflex, (-3, 0)), (Mark::Grave, (7, -2))],
                _ => vec![(mark, (0, 0))],
            };
            for (part, (sx, sy)) in parts {
                let (cx, cy) = (cx + sx, cy + sy);
                for i in 0..9i32 {
                    for t in 0..2 {
                        let arch = (4 - i).abs();
                        match part {
                            Mark::Acute if i < 5 => put(cx - 1 + i + t, cy - 10 - i),
                            Mark::Grave if i < 5 => put(cx + 1 - i - t, cy - 10 - i),
                            Mark::DotBelow if i < 3 && t == 0 => {
                                for x in cx - 1..=cx + 1 {
                                    put(x, cy + 10 + i);
                                }
                            }
                            Mark::Circumflex => put(cx - 4 + i, cy - 14 + arch - t),
                            Mark::Breve => put(cx - 4 + i, cy - 10 - arch - t),
                            _ => {}
                        }
                    }
                }
            }
        }
        img
    }

    #[test]
    fn a_mark_changed_and_printed_a_pixel_off_stands_out_where_its_own_moved_does_not() {
        use Mark::*;
        // "Ă" and "Â": a breve and a circumflex over one letter.
        let marks = [
            Breve, DotBelow, Circumflex, Grave, DotBelow, Circumflex, DotBelow, Grave,
        ];
        let electronic = page(&marks);
        let ignore = Bitmap::new(electronic.width(), electronic.height());
        let on_paper = |k: usize, mark: Mark, nudge: (i32, i32)| {
            let mut placed: Vec<(Mark, (i32, i32))> = marks.iter().map(|&m| (m, (0, 0))).collect();
            placed[k] = (mark, nudge);
            let paper = photographed(&page_with(&placed), 11);
            standout(strongest(
                &suspects(&electronic, &paper, &ignore, 200.0).configs,
                200.0,
            ))
        };
        let x = 24 + 38 * 5;
        for nudge in [(0, 1), (0, -1)] {
            // The paper's renderer puts its own circumflex a pixel off: the
            // same letter.
            assert_eq!(on_paper(5, Circumflex, nudge), None, "{nudge:?}");
            // On paper the circumflex became a breve, a pixel off too.
            let c = on_paper(5, Breve, nudge).expect("the changed letter stands out");
            assert!(
                c.x0 <= x && x < c.x1 && c.y0 <= 60 && 60 < c.y1,
                "{nudge:?}: {c:?}"
            );
        }
    }

    /// The letters of the page with `marks`, judged on a photo of the page
    /// with `on_paper`.
    fn judged(marks: &[Mark], on_paper: &[Mark]) -> Suspects {
        let electronic = page(marks);
        let ignore = Bitmap::new(electronic.width(), electronic.height());
        suspects(
            &electronic,
            &photographed(&page(on_paper), 11),
            &ignore,
            200.0,
        )
    }

    #[test]
    fn a_mark_with_no_sibling_changed_for_one_the_page_carries_elsewhere_stands_out() {
        use Mark::*;
        // The acute stands on one letter only: no sibling to compare it with.
        let marks = [Grave, DotBelow, Grave, Acute, DotBelow, Grave, DotBelow];
        let same = judged(&marks, &marks).configs;
        assert!(same.len() >= marks.len(), "every ring is judged: {same:?}");
        assert_eq!(standout(strongest(&same, 200.0)), None, "{:?}", &same[..3]);
        // On paper the acute became a grave.
        let mut changed_marks = marks;
        changed_marks[3] = Grave;
        let changed = judged(&marks, &changed_marks).configs;
        let c = standout(strongest(&changed, 200.0)).expect("the changed letter stands out");
        let x = 24 + 38 * 3;
        assert!(c.x0 <= x && x < c.x1 && c.y0 <= 60 && 60 < c.y1, "{c:?}");
    }

    #[test]
    fn a_stacked_tone_mark_changed_for_one_the_page_carries_alone_stands_out() {
        use Mark::*;
        // "ố" once on the page; graves stand alone, over other letters,
        // and no letter carries a grave over a circumflex.
        let marks = [
            Grave,
            DotBelow,
            Grave,
            CircumflexAcute,
            DotBelow,
            Grave,
            DotBelow,
        ];
        let same = judged(&marks, &marks);
        assert_eq!(swap_standout(&same, 200.0), None, "{:?}", &same.swaps[..3]);
        assert_eq!(standout(strongest(&same.configs, 200.0)), None);
        // On paper "ố" became "ồ": the page's whole configurations do not
        // explain it, its acute swapped for a grave does.
        let mut changed_marks = marks;
        changed_marks[3] = CircumflexGrave;
        let changed = judged(&marks, &changed_marks);
        assert_eq!(standout(strongest(&changed.configs, 200.0)), None);
        let c = swap_standout(&changed, 200.0).expect("the changed letter stands out");
        let x = 24 + 38 * 3;
        assert!(c.x0 <= x && x < c.x1 && c.y0 <= 60 && 60 < c.y1, "{c:?}");
    }

    /// A letter's window at `x` on one line, scored `score`.
    fn at(x: u32, score: f32) -> Suspect {
        Suspect {
            x0: x,
            y0: 100,
            x1: x + 20,
            y1: 140,
            score,
            from: (0, 0),
        }
    }

    #[test]
    fn a_swap_is_kept_only_at_the_stricter_bar_above_every_other_letter() {
        let [(strong, above), (weaker, _)] = STANDOUT;
        let with = |swap: f32, config: f32| Suspects {
            configs: vec![at(100, config * 0.5), at(500, config)],
            swaps: vec![at(100, swap)],
        };
        assert!(swap_standout(&with(strong, 0.0), 200.0).is_some());
        // the weaker pair does not apply to swaps
        assert_eq!(
            swap_standout(&with((weaker + strong) / 2.0, 0.0), 200.0),
            None
        );
        // another letter's configuration is a next place too; the
        // letter's own is not
        assert_eq!(
            swap_standout(&with(strong, strong / above * 1.1), 200.0),
            None
        );
        assert!(swap_standout(&with(strong, strong / above * 0.9), 200.0).is_some());
    }

    #[test]
    fn the_strongest_letter_is_kept_only_well_above_every_other_place() {
        let [(strong, above), (weaker, far_above)] = STANDOUT;
        assert!(standout(strongest(&[at(100, 2.5), at(500, 0.5)], 200.0)).is_some());
        assert_eq!(
            standout(strongest(&[at(100, weaker * 0.9), at(500, 0.0)], 200.0)),
            None
        );
        assert_eq!(
            standout(strongest(
                &[at(100, 2.5), at(500, 2.5 / above * 1.1)],
                200.0
            )),
            None
        );
        // a weaker letter is kept only far above every other place
        let score = (weaker + strong) / 2.0;
        assert!(standout(strongest(
            &[at(100, score), at(500, score / far_above * 0.9)],
            200.0
        ))
        .is_some());
        assert_eq!(
            standout(strongest(
                &[at(100, score), at(500, score / far_above * 1.1)],
                200.0
            )),
            None
        );
        // a letter beside the top one is the same place
        assert!(standout(strongest(
            &[at(100, 2.5), at(108, 2.4), at(500, 0.2)],
            200.0
        ))
        .is_some());
    }
}
