//! Names a change on a born-digital electronic page from its text layer:
//! the layer's words on the change's line are exact, so only the paper is
//! read (by OCR), and the paper's reading is aligned word by word to them.
//!
//! For each change this module finds the layer words it touches, the line
//! they sit on and a few words of context either side ([`windows`]), which
//! also gives the box to read on the registered paper page: the whole line
//! height (a changed tone mark alone is a few pixels tall, and a crop of it
//! reads as nothing), cut in the gaps between words so no letter is halved.
//! [`named_change`] then aligns the paper's words to the layer's and keeps
//! only the differences that touch the change, so an OCR slip elsewhere on
//! the line is not reported.

use doisoat_domain::text::nfc;
use doisoat_pages::Word;

use crate::diff::Change;
use crate::TextChange;

/// Words of context kept on each side of the touched words.
const CONTEXT_WORDS: usize = 3;
/// Largest gap, in line heights, between two words of the same phrase (a
/// wider gap separates a form's columns).
const PHRASE_GAP: f32 = 2.5;

/// The layer words around one change on one line, and where to read the paper.
#[derive(Debug, Clone, PartialEq)]
pub struct LineWindow {
    /// The layer's words, in reading order.
    pub words: Vec<String>,
    /// Which of `words` the change touches (at least one).
    pub touched: Vec<bool>,
    /// Box to read on the paper page registered to the electronic grid
    /// (pixels; `x1`, `y1` exclusive).
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

fn vertical_overlap(a: &Word, b: &Word) -> f32 {
    (a.y1.min(b.y1) - a.y0.max(b.y0)).max(0.0)
}

/// Whether two words sit on the same line: they share at least half of
/// the shorter one's height (a word of small letters lies inside a word
/// with capitals and tone marks).
fn same_line(a: &Word, b: &Word) -> bool {
    let shorter = (a.y1 - a.y0).min(b.y1 - b.y0).max(1.0);
    vertical_overlap(a, b) >= 0.5 * shorter
}

/// Gap between a box and a word along one axis (0 when they overlap).
fn gap(a0: f32, a1: f32, b0: f32, b1: f32) -> f32 {
    (b0 - a1).max(a0 - b1).max(0.0)
}

/// The layer words a change touches: those its box overlaps, widened
/// sideways by `side` pixels (a longer word on paper leaves its extra ink in
/// the gap beside the original); else those within `reach` pixels above or
/// below, on the nearest line (a tone mark added above a word whose ink box
/// stops at the x-height).
fn touched_words(words: &[Word], c: &Change, side: f32, reach: f32) -> Vec<usize> {
    let (cx0, cy0, cx1, cy1) = (c.x0 as f32, c.y0 as f32, c.x1 as f32, c.y1 as f32);
    let distance = |w: &Word, side: f32| {
        gap(cx0 - side, cx1 + side, w.x0, w.x1).max(gap(cy0, cy1, w.y0, w.y1))
    };
    let overlapping: Vec<usize> = (0..words.len())
        .filter(|&i| distance(&words[i], side) == 0.0)
        .collect();
    if !overlapping.is_empty() {
        return overlapping;
    }
    let mut near: Vec<(f32, usize)> = (0..words.len())
        .map(|i| (distance(&words[i], 0.0), i))
        .filter(|(d, _)| *d <= reach)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    let Some(&(_, nearest)) = near.first() else {
        return Vec::new();
    };
    near.into_iter()
        .map(|(_, i)| i)
        .filter(|&i| same_line(&words[i], &words[nearest]))
        .collect()
}

/// The windows to read for a page's changes: one per line of the layer
/// that some change touches (changes on the same line share one reading,
/// so a longer name that pushes the rest of the line over is read whole),
/// and the indices of the changes that touch no word of the layer (a
/// drawing, a stamp, text added where the electronic page has none).
/// `width` and `height` bound the boxes.
pub fn windows(
    words: &[Word],
    changes: &[Change],
    dpi: f32,
    width: u32,
    height: u32,
) -> (Vec<LineWindow>, Vec<usize>) {
    // (word, change) for every word a change touches.
    let mut touches: Vec<(usize, usize)> = Vec::new();
    let mut unplaced = Vec::new();
    for (ci, c) in changes.iter().enumerate() {
        let t = touched_words(words, c, 0.1 * dpi, 0.03 * dpi);
        if t.is_empty() {
            unplaced.push(ci);
        }
        touches.extend(t.into_iter().map(|w| (w, ci)));
    }
    let mut out: Vec<LineWindow> = Vec::new();
    let mut done = vec![false; touches.len()];
    for k in 0..touches.len() {
        if done[k] {
            continue;
        }
        let anchor = &words[touches[k].0];
        // The whole line, in reading order.
        let mut line: Vec<usize> = (0..words.len())
            .filter(|&i| same_line(&words[i], anchor))
            .collect();
        line.sort_by(|&a, &b| words[a].x0.total_cmp(&words[b].x0));
        let mut hit = vec![false; line.len()];
        // The union of the boxes of the changes that touch this line.
        let mut area = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for (j, &(w, ci)) in touches.iter().enumerate() {
            if let Some(pos) = line.iter().position(|&i| i == w) {
                hit[pos] = true;
                done[j] = true;
                let c = &changes[ci];
                area = [
                    area[0].min(c.x0 as f32),
                    area[1].min(c.y0 as f32),
                    area[2].max(c.x1 as f32),
                    area[3].max(c.y1 as f32),
                ];
            }
        }
        out.extend(line_window(words, &line, &hit, area, dpi, width, height));
    }
    (out, unplaced)
}

/// The window of one line: the touched words (`hit`) and a few words of the
/// same phrase either side, and the box to read, which takes in `area`
/// (where the changes are: paper-only ink may reach past the layer's words)
/// but stops halfway to the next word outside.
fn line_window(
    words: &[Word],
    line: &[usize],
    hit: &[bool],
    area: [f32; 4],
    dpi: f32,
    width: u32,
    height: u32,
) -> Option<LineWindow> {
    let first = hit.iter().position(|&h| h)?;
    let last = hit.iter().rposition(|&h| h).unwrap_or(first);
    let line_height = line[first..=last]
        .iter()
        .map(|&i| words[i].y1 - words[i].y0)
        .fold(1.0f32, f32::max);
    let joined =
        |a: usize, b: usize| words[line[b]].x0 - words[line[a]].x1 <= PHRASE_GAP * line_height;
    let (mut lo, mut hi) = (first, last);
    while lo > 0 && first - lo < CONTEXT_WORDS && joined(lo - 1, lo) {
        lo -= 1;
    }
    while hi + 1 < line.len() && hi - last < CONTEXT_WORDS && joined(hi, hi + 1) {
        hi += 1;
    }
    let span = &line[lo..=hi];
    let (pad_x, pad_y) = (0.1 * dpi, 0.04 * dpi);
    let mut x0 = span.iter().map(|&i| words[i].x0).fold(area[0], f32::min) - pad_x;
    let mut x1 = span.iter().map(|&i| words[i].x1).fold(area[2], f32::max) + pad_x;
    if lo > 0 {
        x0 = x0.max((words[line[lo - 1]].x1 + words[line[lo]].x0) / 2.0);
    }
    if hi + 1 < line.len() {
        x1 = x1.min((words[line[hi]].x1 + words[line[hi + 1]].x0) / 2.0);
    }
    let y0 = span.iter().map(|&i| words[i].y0).fold(f32::MAX, f32::min) - pad_y;
    let y1 = span.iter().map(|&i| words[i].y1).fold(f32::MIN, f32::max) + pad_y;
    let clamp = |v: f32, max: u32| (v.round().max(0.0) as u32).min(max);
    let window = LineWindow {
        words: span.iter().map(|&i| words[i].text.clone()).collect(),
        touched: hit[lo..=hi].to_vec(),
        x0: clamp(x0, width),
        y0: clamp(y0, height),
        x1: clamp(x1, width),
        y1: clamp(y1, height),
    };
    (window.x1 > window.x0 && window.y1 > window.y0).then_some(window)
}

/// A word as compared: NFC, with the forms OCR gives for a few signs
/// folded onto the layer's (curly quotes, superscript two).
fn comparable(word: &str) -> String {
    nfc(word)
        .chars()
        .map(|ch| match ch {
            '“' | '”' | '„' => '"',
            '‘' | '’' => '\'',
            '²' => '2',
            '–' | '—' => '-',
            other => other,
        })
        .collect()
}

/// Character edit distance between two words over the longer one's length, in [0, 1].
fn word_distance(a: &str, b: &str) -> f32 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 0.0;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut diagonal = row[0];
        row[0] = i;
        for j in 1..=b.len() {
            let above = row[j];
            row[j] = (diagonal + usize::from(a[i - 1] != b[j - 1]))
                .min(row[j - 1] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()] as f32 / longer as f32
}

/// One step of an alignment of layer words (`e`) and paper words (`p`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Same(usize, usize),
    Replaced(usize, usize),
    /// A layer word with nothing on paper.
    Dropped(usize),
    /// A paper word with nothing in the layer.
    Added(usize),
}

/// Word alignment of least cost: a shared word costs 0, a replaced word its
/// character distance (so a misread word pairs with its original rather
/// than shifting the rest), a dropped or added word 1.
fn align(e: &[String], p: &[String]) -> Vec<Step> {
    let (n, m) = (e.len(), p.len());
    // The cost of pairing layer word `i` with paper word `j`.
    let pair_cost = |i: usize, j: usize| {
        if e[i] == p[j] {
            0.0
        } else {
            word_distance(&e[i], &p[j]).max(0.01)
        }
    };
    let mut cost = vec![vec![0.0f32; m + 1]; n + 1];
    for i in 0..=n {
        for j in 0..=m {
            cost[i][j] = match (i, j) {
                (0, _) => j as f32,
                (_, 0) => i as f32,
                _ => (cost[i - 1][j - 1] + pair_cost(i - 1, j - 1))
                    .min(cost[i - 1][j] + 1.0)
                    .min(cost[i][j - 1] + 1.0),
            };
        }
    }
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0
            && j > 0
            && (cost[i][j] - (cost[i - 1][j - 1] + pair_cost(i - 1, j - 1))).abs() < 1e-4
        {
            steps.push(if e[i - 1] == p[j - 1] {
                Step::Same(i - 1, j - 1)
            } else {
                Step::Replaced(i - 1, j - 1)
            });
            i -= 1;
            j -= 1;
            continue;
        }
        if i > 0 && (j == 0 || (cost[i][j] - (cost[i - 1][j] + 1.0)).abs() < 1e-4) {
            steps.push(Step::Dropped(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Added(j - 1));
            j -= 1;
        }
    }
    steps.reverse();
    steps
}

/// What the paper says against the layer's words of a window: the text
/// that differs where the change is, or `None` when the paper reads the
/// same there. Differences that touch none of the change's words (an OCR
/// slip elsewhere on the line, a letter cut at the crop's edge) are left
/// out, and so are misread words at either end of a run of differences
/// (`m²` read as `m?` right after the changed `120,5`); a word added on paper
/// counts when it sits next to a touched word. When the touched words read
/// the same, the differences right beside them are taken instead.
pub fn named_change(window: &LineWindow, paper: &str) -> Option<TextChange> {
    let e: Vec<String> = window.words.iter().map(|w| comparable(w)).collect();
    let p_raw: Vec<&str> = paper.split_whitespace().collect();
    let p: Vec<String> = p_raw.iter().map(|w| comparable(w)).collect();
    let steps = align(&e, &p);
    let touched = |i: usize| window.touched.get(i).copied().unwrap_or(false);
    // Runs of consecutive differing steps.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < steps.len() {
        if matches!(steps[k], Step::Same(..)) {
            k += 1;
            continue;
        }
        let start = k;
        while k < steps.len() && !matches!(steps[k], Step::Same(..)) {
            k += 1;
        }
        runs.push((start, k));
    }
    // The layer word before and after a step position (for added words).
    let e_at = |s: &Step| match *s {
        Step::Same(i, _) | Step::Replaced(i, _) | Step::Dropped(i) => Some(i),
        Step::Added(_) => None,
    };
    // Within each run, the steps from the first to the last that `keep`
    // accepts, with the paper words added right beside them.
    let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<&[Step]> {
        let mut chosen = Vec::new();
        for &(start, end) in &runs {
            let run = &steps[start..end];
            let kept = |s: &Step| e_at(s).is_some_and(keep);
            let (Some(mut a), Some(mut b)) =
                (run.iter().position(kept), run.iter().rposition(kept))
            else {
                // Only paper words added, right beside a kept word.
                let beside = steps[..start].iter().rev().find_map(e_at).is_some_and(keep)
                    || steps[end..].iter().find_map(e_at).is_some_and(keep);
                if beside && run.iter().all(|s| matches!(s, Step::Added(_))) {
                    chosen.push(run);
                }
                continue;
            };
            while a > 0 && matches!(run[a - 1], Step::Added(_)) {
                a -= 1;
            }
            while b + 1 < run.len() && matches!(run[b + 1], Step::Added(_)) {
                b += 1;
            }
            chosen.push(&run[a..=b]);
        }
        chosen
    };
    let mut chosen = pick(&touched);
    if chosen.is_empty() {
        // The touched words read the same, but a word next to them does
        // not: on a centred or right-aligned line a longer or shorter word
        // moves its neighbours, and the change's ink lands beside it.
        chosen = pick(&|i: usize| (i > 0 && touched(i - 1)) || touched(i + 1));
    }
    let mut e_words: Vec<&str> = Vec::new();
    let mut p_words: Vec<&str> = Vec::new();
    for run in chosen {
        for s in run {
            match *s {
                Step::Replaced(i, j) => {
                    e_words.push(&window.words[i]);
                    p_words.push(p_raw[j]);
                }
                Step::Dropped(i) => e_words.push(&window.words[i]),
                Step::Added(j) => p_words.push(p_raw[j]),
                Step::Same(..) => {}
            }
        }
    }
    if e_words.is_empty() && p_words.is_empty() {
        return None;
    }
    Some(TextChange {
        electronic: e_words.join(" "),
        paper: p_words.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: f32, y0: f32, x1: f32, y1: f32) -> Word {
        Word {
            text: text.into(),
            x0,
            y0,
            x1,
            y1,
        }
    }

    /// "c) Diện tích: 120,5 m²" on one line, a second line below, and a
    /// far column to the right ("Tờ số: 12").
    fn layer() -> Vec<Word> {
        vec![
            word("c)", 100.0, 100.0, 115.0, 130.0),
            word("Diện", 125.0, 96.0, 180.0, 130.0),
            word("tích:", 190.0, 97.0, 240.0, 130.0),
            word("120,5", 252.0, 100.0, 310.0, 133.0),
            word("m²", 320.0, 104.0, 350.0, 130.0),
            word("Tờ", 900.0, 98.0, 930.0, 130.0),
            word("số:", 940.0, 104.0, 970.0, 130.0),
            word("Nguyễn", 100.0, 150.0, 190.0, 182.0),
            word("Văn", 200.0, 150.0, 240.0, 180.0),
            word("An", 250.0, 150.0, 280.0, 180.0),
        ]
    }

    fn change(x0: u32, y0: u32, x1: u32, y1: u32) -> Change {
        Change {
            x0,
            y0,
            x1,
            y1,
            weight: 40,
        }
    }

    #[test]
    fn a_digit_change_reads_its_line_without_the_far_column() {
        let (w, unplaced) = windows(&layer(), &[change(275, 104, 285, 128)], 200.0, 2000, 3000);
        assert_eq!((w.len(), unplaced.len()), (1, 0));
        let w = &w[0];
        assert_eq!(w.words, ["c)", "Diện", "tích:", "120,5", "m²"]);
        assert_eq!(w.touched, [false, false, false, true, false]);
        // Full line height plus a margin, stopping short of the next line.
        assert!(w.y0 <= 96 && w.y0 >= 80, "{w:?}");
        assert!(w.y1 >= 133 && w.y1 < 150, "{w:?}");
        assert!(w.x1 < 900, "{w:?}");
        let named = named_change(w, "c) Diện tích: 126,5 m2").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("120,5", "126,5")
        );
        assert_eq!(named_change(w, "c) Diện tích: 120,5 m²"), None);
    }

    #[test]
    fn a_tone_mark_above_a_word_touches_that_word_not_the_line_above() {
        // Paper-only ink 2 px above the top of "Văn"'s ink box.
        let (w, _) = windows(&layer(), &[change(212, 144, 222, 148)], 200.0, 2000, 3000);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].words, ["Nguyễn", "Văn", "An"]);
        assert_eq!(w[0].touched, [false, true, false]);
        let named = named_change(&w[0], "Nguyễn Vân An").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("Văn", "Vân")
        );
    }

    #[test]
    fn ocr_slips_away_from_the_change_are_not_reported() {
        let w = &windows(&layer(), &[change(275, 104, 285, 128)], 200.0, 2000, 3000).0[0];
        // "Diện" misread and a cut letter at the edge: only 120,5 counts.
        let named = named_change(w, "c) Dien tích: 126,5 m2 |").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("120,5", "126,5")
        );
        // The paper misreads only the far word: nothing changed where the change is.
        assert_eq!(named_change(w, "c) Dlện tích: 120,5 m²"), None);
        // A centred line: the change's ink fell on "tích:", which reads the
        // same; the word beside it did change.
        let centred = LineWindow {
            touched: vec![false, false, true, false, false],
            ..w.clone()
        };
        let named = named_change(&centred, "c) Dien tích: 120,5 m²").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("Diện", "Dien")
        );
        assert_eq!(named_change(&centred, "c) Diện tích: 120,5 n²"), None);
        // A misread word right after the changed one is not part of the change.
        let named = named_change(w, "c) Diện tích: 126,5 m?").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("120,5", "126,5")
        );
        // A word added on paper right after the changed one is.
        let named = named_change(w, "c) Diện tích: 126,5 ha m²").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("120,5", "126,5 ha")
        );
        // A word dropped on paper where the change is.
        let named = named_change(w, "c) Diện tích: m²").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("120,5", "")
        );
    }

    #[test]
    fn nothing_near_the_change_gives_no_window() {
        let far = [change(275, 104, 285, 128), change(600, 400, 640, 420)];
        let (w, unplaced) = windows(&layer(), &far, 200.0, 2000, 3000);
        assert_eq!((w.len(), unplaced), (1, vec![1]));
        let (w, unplaced) = windows(&[], &far, 200.0, 2000, 3000);
        assert_eq!((w.len(), unplaced), (0, vec![0, 1]));
    }

    #[test]
    fn changes_on_one_line_share_one_reading() {
        // "Lý Hồng Huệ" became "Nguyễn Hồng Huệ": one change where the name
        // is, another where the shifted words no longer meet their originals.
        let layer = vec![
            word("Lý", 100.0, 100.0, 130.0, 130.0),
            word("Hồng", 140.0, 96.0, 200.0, 133.0),
            word("Huệ", 210.0, 98.0, 250.0, 133.0),
        ];
        let changes = [change(100, 100, 135, 130), change(175, 96, 290, 133)];
        let (w, _) = windows(&layer, &changes, 200.0, 2000, 3000);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].touched, [true, true, true]);
        // The read box reaches past "Huệ" to where the paper's ink ends.
        assert!(w[0].x1 >= 290, "{:?}", w[0]);
        let named = named_change(&w[0], "Nguyễn Hồng Huệ").unwrap();
        assert_eq!(
            (named.electronic.as_str(), named.paper.as_str()),
            ("Lý", "Nguyễn")
        );
    }

    #[test]
    fn replaced_words_pair_with_their_originals() {
        let e: Vec<String> = ["Lê", "Thành", "Định"].map(String::from).to_vec();
        let p: Vec<String> = ["Lê", "Thành", "Trí"].map(String::from).to_vec();
        assert_eq!(
            align(&e, &p),
            [Step::Same(0, 0), Step::Same(1, 1), Step::Replaced(2, 2)]
        );
        let p: Vec<String> = ["Lê", "Định"].map(String::from).to_vec();
        assert_eq!(
            align(&e, &p),
            [Step::Same(0, 0), Step::Dropped(1), Step::Same(2, 1)]
        );
    }
}
