//! Places too weak to report that deserve a closer look: OCR settles them.
//!
//! A tone mark swapped for another of its size in its place ("DÂN" →
//! "DĂN", "Quốc" → "Quổc"), or a digit turned into another in a small bold
//! face ("791" → "793"), leaves the pixel stages little: the new shape lies
//! within the one-pixel tolerance of the old almost everywhere. What they do
//! leave is ranked, and the strongest few places of a scanned page that had
//! no change are read ([`crate::ocr`]): against the text layer on a
//! born-digital page, on both sides otherwise, at two scales. A place
//! becomes a change only when both readings show the same word changed in
//! its marks or digits alone ([`reads_changed`], [`mark_changes`]). A
//! photo with fewer than 200 pixels to the inch of paper is not probed,
//! nor a 150-dpi scan against a scanned electronic copy: tesseract misreads
//! marks on unchanged text there about as often as a probe finds a real
//! change (the engine's `PROBE_MIN_DPI`).
//!
//! The places, at most [`MAX_PROBES`] a page:
//! - the strongest grey marks ([`crate::marks`]) that fell short of the
//!   rules for reporting one;
//! - the small piece of ink (a diacritic, a dot) whose two copies disagree
//!   most once the capture model ([`crate::explain`]) has had its say.

use image::GrayImage;

use crate::diff::Change;
use crate::explain::unexplained_ink;
use crate::ink::{pieces8, Bitmap, Piece};
use crate::marks::Mark;
use crate::TextChange;

/// Most places read on one page: each costs a reading of its line at each
/// resolution of [`READ_DPIS`] (of both pages' lines when the electronic
/// page is a scan).
pub const MAX_PROBES: usize = 3;
/// Marks taken, strongest first.
const MARK_PROBES: usize = 2;
/// Smallest ink mass of a mark worth reading, pixels of full ink at the
/// working resolution.
const MARK_MIN_MASS: f32 = 1.5;
/// Longest side of a mark worth reading, pixels at the working resolution:
/// a tone mark at 10–13 pt is 3–6 px; a taller blob is the fringe of a
/// letter's stem, which a phone's blur leaves all over a page.
const MARK_MAX_SIDE: f32 = 8.0;
/// Shortest side of a mark worth reading: a one-pixel line is a fringe too.
const MARK_MIN_SIDE: f32 = 2.0;
/// Smallest disagreement of a small piece's binary shapes, pixels at the
/// working resolution, before the capture model is asked about it.
const SPOT_MIN_XOR: f32 = 12.0;
/// Largest share of ink around a small piece: a QR code's modules are small
/// pieces too, but packed.
const SPOT_MAX_DENSITY: f32 = 0.3;
/// Smallest unexplained ink ([`crate::explain`]) of a small piece worth
/// reading, pixels of full ink at the working resolution.
const SPOT_MIN_UNEXPLAINED: f32 = 1.0;

/// The places of a pair to read, strongest first, none within a few
/// pixels of another. `marks` are the pair's grey marks as the engine
/// filtered them (small, near text, strongest first). The planes share the
/// electronic page's grid.
pub fn probes(
    e_grey: &GrayImage,
    p_grey: &GrayImage,
    e_ink: &Bitmap,
    p_ink: &Bitmap,
    ignore: &Bitmap,
    marks: &[Mark],
    dpi: f32,
) -> Vec<Change> {
    let scale = dpi / crate::WORKING_DPI;
    let near = |a: &Change, b: &Change| {
        a.x0 < b.x1 + 4 && b.x0 < a.x1 + 4 && a.y0 < b.y1 + 4 && b.y0 < a.y1 + 4
    };
    let mut out: Vec<Change> = Vec::new();
    let push = |c: Change, out: &mut Vec<Change>| {
        if !out.iter().any(|r| near(r, &c)) {
            out.push(c);
        }
    };
    let min_mass = MARK_MIN_MASS * scale * scale;
    let (longest, thinnest) = (MARK_MAX_SIDE * scale, MARK_MIN_SIDE * scale);
    let mark_shaped = |m: &&Mark| {
        let (w, h) = ((m.x1 - m.x0) as f32, (m.y1 - m.y0) as f32);
        w.max(h) <= longest && w.min(h) >= thinnest
    };
    for m in marks
        .iter()
        .filter(|m| m.mass >= min_mass)
        .filter(mark_shaped)
        .take(MARK_PROBES)
    {
        tracing::debug!(mass = m.mass, x = m.x0, y = m.y0, "probe: mark");
        push(m.as_change(), &mut out);
    }
    let min_xor = (SPOT_MIN_XOR * scale * scale).round() as u32;
    let best = spots(e_ink, p_ink, ignore, dpi)
        .into_iter()
        .filter(|s| {
            let (xor, density) = disagreement(e_ink, p_ink, s);
            xor >= min_xor && density <= SPOT_MAX_DENSITY
        })
        .map(|s| (unexplained_ink(e_grey, p_grey, &s, dpi), s))
        .filter(|(u, _)| *u >= SPOT_MIN_UNEXPLAINED * scale * scale)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((u, s)) = best {
        tracing::debug!(unexplained = u, x = s.x0, y = s.y0, "probe: small piece");
        push(s, &mut out);
    }
    out.truncate(MAX_PROBES);
    out
}

/// A place to look: the box of a small piece of ink on either page.
type Spot = Change;

/// Small pieces of ink of `ink` (8-connected), as boxes: at most
/// `max_side` pixels on their longer side and `min_area` pixels in all,
/// with a larger piece of ink within `near` pixels above or below (the
/// letter a diacritic sits on). Pixels set in `ignore` end a piece.
fn small_pieces(
    ink: &Bitmap,
    ignore: &Bitmap,
    max_side: u32,
    min_area: u32,
    near: u32,
) -> Vec<Spot> {
    let (w, h) = (ink.width as usize, ink.height as usize);
    let on = |i: usize| ink.data[i] != 0;
    let (label, pieces) = pieces8(w, h, on, |_, n| on(n), |_, _| {});
    let longest = |p: &Piece| (p.x1 - p.x0).max(p.y1 - p.y0);
    let mut out = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        if longest(p) > max_side || p.area < min_area {
            continue;
        }
        let (x0, y0, x1, y1) = (p.x0, p.y0, p.x1, p.y1);
        if ignore.any_in(x0, y0, x1, y1) {
            continue;
        }
        // A letter right below or above (a diacritic's base), not a speck
        // on an empty margin.
        let own = k as u32 + 1;
        let (ya, yb) = (y0.saturating_sub(near), (y1 + near).min(h as u32));
        let on_letter = (ya..yb).any(|y| {
            (x0..x1).any(|x| {
                let l = label[y as usize * w + x as usize];
                l != 0 && l != own && longest(&pieces[l as usize - 1]) > max_side
            })
        });
        if on_letter {
            out.push(Change {
                x0,
                y0,
                x1,
                y1,
                weight: p.area,
            });
        }
    }
    out
}

/// Places to compare closely: the small pieces of ink of either page, one
/// box where a piece of each page overlaps (the old mark and its
/// replacement). `electronic` and `paper` share one pixel grid.
fn spots(electronic: &Bitmap, paper: &Bitmap, ignore: &Bitmap, dpi: f32) -> Vec<Spot> {
    let scale = dpi / crate::WORKING_DPI;
    let max_side = ((MAX_SIDE * scale).round() as u32).max(4);
    let min_area = ((MIN_AREA * scale * scale).round() as u32).max(2);
    let near = ((NEAR * scale).round() as u32).max(2);
    let mut all = small_pieces(electronic, ignore, max_side, min_area, near);
    all.extend(small_pieces(paper, ignore, max_side, min_area, near));
    // Overlapping pieces (with a pixel to spare) are one spot.
    let mut merged: Vec<Spot> = Vec::new();
    for s in all {
        if let Some(m) = merged
            .iter_mut()
            .find(|m| s.x0 <= m.x1 + 1 && m.x0 <= s.x1 + 1 && s.y0 <= m.y1 + 1 && m.y0 <= s.y1 + 1)
        {
            m.x0 = m.x0.min(s.x0);
            m.y0 = m.y0.min(s.y0);
            m.x1 = m.x1.max(s.x1);
            m.y1 = m.y1.max(s.y1);
            m.weight = m.weight.max(s.weight);
        } else {
            merged.push(s);
        }
    }
    merged
}

/// Resolutions a place is read at: a slip of tesseract's on noise seldom
/// survives a second reading at another scale, a changed mark does.
pub const READ_DPIS: [f32; 2] = [300.0, 400.0];

/// Whether a place reads changed: at every resolution of [`READ_DPIS`],
/// `read` (the named changes at that resolution) gives the same change of
/// marks or digits in a word ([`mark_changes`]).
pub fn reads_changed<E>(
    place: &Change,
    mut read: impl FnMut(f32) -> Result<Vec<TextChange>, E>,
) -> Result<bool, E> {
    let mut agreed: Option<Vec<TextChange>> = None;
    for dpi in READ_DPIS {
        let found: Vec<TextChange> = read(dpi)?.iter().flat_map(mark_changes).collect();
        tracing::debug!(
            x = place.x0,
            y = place.y0,
            w = place.x1 - place.x0,
            h = place.y1 - place.y0,
            dpi,
            read = ?found,
            "probe read"
        );
        agreed = Some(match agreed {
            None => found,
            Some(before) => before.into_iter().filter(|t| found.contains(t)).collect(),
        });
        if agreed.as_ref().is_some_and(Vec::is_empty) {
            return Ok(false);
        }
    }
    Ok(agreed.is_some_and(|a| !a.is_empty()))
}

/// The words in which two readings of a place differ the way a probe
/// looks for: letter for letter, with only marks (tone, vowel, đ) or digits
/// changed. Words are paired by what is left without their marks and
/// digits, in order, so a neighbour read differently on one side ("NG DÂN"
/// against "ÌNG DĂN") does not hide the pair that matters ("DÂN" → "DĂN").
/// OCR slips on unchanged text are mostly of other kinds (a colon read as a
/// semicolon, "I" as "l", a word split or run together, a heading read as
/// noise) and give nothing here. The electronic word must have a tone
/// Vietnamese allows ([`doisoat_domain::text::plausible_tone`]): a scanned
/// electronic copy is read by tesseract too, and a misreading there ("câp"
/// for "cấp") is not the paper's change. The paper's word is not judged:
/// an altered word need not be good Vietnamese ("Đất" → "Đẫt").
pub fn mark_changes(t: &TextChange) -> Vec<TextChange> {
    let (a, b): (Vec<String>, Vec<String>) = (
        t.electronic
            .split_whitespace()
            .map(doisoat_domain::text::nfc)
            .collect(),
        t.paper
            .split_whitespace()
            .map(doisoat_domain::text::nfc)
            .collect(),
    );
    // A word's shape: folded, every digit alike.
    let shape = |w: &str| -> String {
        doisoat_domain::text::fold(w)
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let (sa, sb): (Vec<String>, Vec<String>) = (
        a.iter().map(|w| shape(w)).collect(),
        b.iter().map(|w| shape(w)).collect(),
    );
    // Longest common subsequence of shapes, then walked back.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if sa[i] == sb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if sa[i] == sb[j] {
            if a[i] != b[j]
                && marks_or_digits(&a[i], &b[j])
                && doisoat_domain::text::plausible_tone(&a[i])
            {
                out.push(TextChange {
                    electronic: a[i].clone(),
                    paper: b[j].clone(),
                });
            }
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Whether two words of one shape differ, letter for letter, only in marks
/// or digits (not in case, and not an i's dot against a tone mark).
fn marks_or_digits(a: &str, b: &str) -> bool {
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() != cb.len() {
        return false;
    }
    let fold = |c: char| doisoat_domain::text::fold(&c.to_string());
    // A small i's dot sits where its tone mark would: at scan resolutions
    // tesseract reads a dot as a hook or an acute and back ("ghi" ↔ "ghỉ"),
    // so such a pair proves nothing.
    let dot = |c: char| matches!(c, 'i' | 'ì' | 'í' | 'ỉ' | 'ĩ');
    let mut changed = false;
    for (&x, &y) in ca.iter().zip(&cb) {
        if x == y {
            continue;
        }
        let digits = x.is_ascii_digit() && y.is_ascii_digit();
        let marks =
            x.is_alphabetic() && fold(x) == fold(y) && x.to_lowercase().ne(y.to_lowercase());
        if (dot(x) && dot(y) && (x == 'i' || y == 'i')) || !(digits || marks) {
            return false;
        }
        changed = true;
    }
    changed
}

/// Longest side of a piece of ink taken as a mark, pixels at the working
/// resolution: a tone mark, a breve or a dot (a letter is taller).
const MAX_SIDE: f32 = 12.0;
/// Fewest pixels of a piece: smaller is noise.
const MIN_AREA: f32 = 5.0;
/// Distance within which a mark has its letter above or below, pixels.
const NEAR: f32 = 6.0;

/// Pixels where the two ink maps disagree inside `s` (padded by one pixel)
/// at the best of the nine one-pixel shifts of the paper, and the share of
/// ink in a window three times the spot's size around it (a QR code's
/// modules are small pieces too, but packed, not on open paper).
fn disagreement(electronic: &Bitmap, paper: &Bitmap, s: &Spot) -> (u32, f32) {
    let (w, h) = (electronic.width as i32, electronic.height as i32);
    let (x0, y0, x1, y1) = (
        s.x0 as i32 - 1,
        s.y0 as i32 - 1,
        s.x1 as i32 + 1,
        s.y1 as i32 + 1,
    );
    let at = |b: &Bitmap, x: i32, y: i32| -> bool {
        x >= 0 && y >= 0 && x < w && y < h && b.data[(y * w + x) as usize] != 0
    };
    let mut best = u32::MAX;
    for dy in -1..=1 {
        for dx in -1..=1 {
            let mut n = 0;
            for y in y0..y1 {
                for x in x0..x1 {
                    if at(electronic, x, y) != at(paper, x + dx, y + dy) {
                        n += 1;
                    }
                }
            }
            best = best.min(n);
        }
    }
    let (bw, bh) = (x1 - x0, y1 - y0);
    let (mut ink, mut all) = (0u32, 0u32);
    for y in y0 - bh..y1 + bh {
        for x in x0 - bw..x1 + bw {
            all += 1;
            if at(electronic, x, y) {
                ink += 1;
            }
        }
    }
    (best, ink as f32 / all.max(1) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(e: &str, p: &str) -> TextChange {
        TextChange {
            electronic: e.into(),
            paper: p.into(),
        }
    }

    #[test]
    fn only_mark_and_digit_changes_count() {
        let words = |e: &str, p: &str| -> Vec<(String, String)> {
            mark_changes(&change(e, p))
                .into_iter()
                .map(|t| (t.electronic, t.paper))
                .collect()
        };
        let one = |e: &str, p: &str| vec![(e.to_string(), p.to_string())];
        for (e, p) in [
            ("DÂN", "DĂN"),
            ("Quốc", "Quổc"),
            ("đất", "dất"),
            ("2081,6", "2081,8"),
            ("080088454791", "080088454793"),
            ("tỉnh", "tịnh"),
            ("HỈ", "HI"),
        ] {
            assert_eq!(words(e, p), one(e, p), "{e} → {p}");
        }
        // Only the word that differs in its marks, whatever the neighbours.
        assert_eq!(words("Văn An", "Vân An"), one("Văn", "Vân"));
        assert_eq!(words("NG DÂN", "ÌNG DĂN"), one("DÂN", "DĂN"));
        assert_eq!(words("Võ Văn Tần,", "Võ Văn Tấn, |"), one("Tần,", "Tấn,"));
        for (e, p) in [
            ("Se:", "Se;"),
            ("I", "l"),
            ("Nationality:", "Nabonalíty:"),
            ("đến:", "đến"),
            ("Tờ khai", "Tờkhai"),
            ("CHỢ", ""),
            ("An", "AN"),
            ("Nguyễn", "Nguyễn"),
            ("ghi", "ghỉ"),
            ("tính", "tinh"),
            ("15/08/24", "15/08/2"),
            // Misreadings of a scanned electronic copy (corpus seeds 4
            // and 7): no Vietnamese word is toneless before a final p, or
            // has an f.
            ("câp:", "cấp:"),
            ("FÓC", "FỚC"),
        ] {
            assert_eq!(words(e, p), vec![], "{e} → {p}");
        }
        // The same change in NFD reads as one.
        assert_eq!(words("Quo\u{302}\u{301}c", "Quổc"), one("Quốc", "Quổc"));
    }

    #[test]
    fn a_place_reads_changed_only_when_both_readings_agree() {
        let place = Change {
            x0: 10,
            y0: 10,
            x1: 16,
            y1: 14,
            weight: 5,
        };
        let reading = |texts: [&'static [(&'static str, &'static str)]; 2]| {
            move |dpi: f32| -> Result<Vec<TextChange>, ()> {
                let k = usize::from(dpi > READ_DPIS[0]);
                Ok(texts[k].iter().map(|(e, p)| change(e, p)).collect())
            }
        };
        assert_eq!(
            reads_changed(&place, reading([&[("Tần,", "Tấn,")], &[("Tần,", "Tấn,")]])),
            Ok(true)
        );
        // Another reading at the second scale: a slip, not a change.
        assert_eq!(
            reads_changed(&place, reading([&[("Tần,", "Tấn,")], &[("Tần,", "Tẩn,")]])),
            Ok(false)
        );
        // Same both times, but not a change of marks or digits.
        assert_eq!(
            reads_changed(&place, reading([&[("Se:", "Se;")], &[("Se:", "Se;")]])),
            Ok(false)
        );
        assert_eq!(reads_changed(&place, reading([&[], &[]])), Ok(false));
        // An OCR error is passed on.
        assert_eq!(
            reads_changed(&place, |_| Err::<Vec<TextChange>, _>("no tesseract")),
            Err("no tesseract")
        );
    }
}
