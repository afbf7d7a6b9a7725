//! Names what changed: tesseract (Vietnamese, in process through leptess)
//! reads each changed region, and the words that differ are reported, e.g.
//! `120,5` → `126,5`.
//!
//! When the electronic page is born-digital, its text layer gives the
//! electronic words exactly ([`crate::text_layer`]): only the paper is read,
//! over the whole line of the change, and aligned to the layer's words.
//! Otherwise (a scanned electronic copy, or a change where the layer has no
//! words) both sides are read over the change's line, and only the words
//! tesseract places at the change are compared ([`words_at`]): a neighbour
//! read one way on one copy and another way on the other is not the change.
//!
//! Only changed regions are read, never whole pages. Each worker thread
//! keeps its own tesseract instance; tesseract's own OpenMP threads are
//! turned off (`OMP_THREAD_LIMIT=1`) because pairs already run in parallel
//! and two levels of threads on two cores made pages take 10× longer.

use std::cell::RefCell;
use std::sync::Once;

use image::{imageops, GrayImage};
use leptess::{LepTess, Variable};

use doisoat_pages::Word;

use crate::diff::Change;
use crate::text_layer::{named_change, windows};
use crate::{CompareError, TextChange};

thread_local! {
    static ENGINE: RefCell<Option<LepTess>> = const { RefCell::new(None) };
}

static OMP: Once = Once::new();

/// Resolution tesseract reads at: it reads best at about 300 dpi.
pub const READ_DPI: f32 = 300.0;

/// Reads the text of a grey image (one or a few lines) at `dpi`, scaled
/// to `read_dpi` for tesseract.
pub fn read(img: &GrayImage, dpi: f32, read_dpi: f32) -> Result<String, CompareError> {
    recognise(img, dpi, read_dpi, |lt, _| {
        lt.get_utf8_text().map_err(invalid_text)
    })
}

fn invalid_text(e: std::str::Utf8Error) -> CompareError {
    CompareError::Ocr(format!("tesseract returned invalid text: {e}"))
}

/// A word tesseract read, with its box in the pixels of the image read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadWord {
    pub text: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// Reads the words of a grey image (one or a few lines) at `dpi`, scaled
/// to `read_dpi` for tesseract, in reading order, each with its box.
pub fn read_words(img: &GrayImage, dpi: f32, read_dpi: f32) -> Result<Vec<ReadWord>, CompareError> {
    recognise(img, dpi, read_dpi, |lt, scale| {
        let tsv = lt.get_tsv_text(0).map_err(invalid_text)?;
        Ok(tsv_words(&tsv, scale))
    })
}

/// The words of tesseract's TSV output (level 5 rows: level, page, block,
/// paragraph, line, word, left, top, width, height, confidence, text), their
/// boxes divided by `scale`.
fn tsv_words(tsv: &str, scale: f32) -> Vec<ReadWord> {
    tsv.lines()
        .filter_map(|row| {
            let f: Vec<&str> = row.splitn(12, '\t').collect();
            if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
                return None;
            }
            let n = |i: usize| f[i].parse::<f32>().ok().map(|v| v / scale);
            let (x, y, w, h) = (n(6)?, n(7)?, n(8)?, n(9)?);
            Some(ReadWord {
                text: f[11].trim().to_owned(),
                x0: x,
                y0: y,
                x1: x + w,
                y1: y + h,
            })
        })
        .collect()
}

/// Hands `img` (at `dpi`) to this thread's tesseract, scaled to
/// `read_dpi`, and calls `then` with the engine and the scale applied.
fn recognise<T>(
    img: &GrayImage,
    dpi: f32,
    read_dpi: f32,
    then: impl FnOnce(&mut LepTess, f32) -> Result<T, CompareError>,
) -> Result<T, CompareError> {
    OMP.call_once(|| {
        if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
            std::env::set_var("OMP_THREAD_LIMIT", "1");
        }
    });
    let mut scale = read_dpi / dpi.max(50.0);
    let img = if (scale - 1.0).abs() > 0.1 {
        let (w, h) = (
            ((img.width() as f32 * scale).round() as u32).max(1),
            ((img.height() as f32 * scale).round() as u32).max(1),
        );
        doisoat_pages::resample::resize_grey(img, w, h)
    } else {
        scale = 1.0;
        img.clone()
    };
    let mut pnm = format!("P5\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    pnm.extend_from_slice(img.as_raw());
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut lt = LepTess::new(None, "vie").map_err(|e| {
                CompareError::Ocr(format!("cannot start tesseract with Vietnamese: {e}"))
            })?;
            lt.set_variable(Variable::TesseditPagesegMode, "6")
                .map_err(|_| CompareError::Ocr("cannot set the page segmentation mode".into()))?;
            *slot = Some(lt);
        }
        let lt = slot.as_mut().expect("engine just set");
        lt.set_image_from_mem(&pnm)
            .map_err(|e| CompareError::Ocr(format!("cannot hand the image to tesseract: {e}")))?;
        lt.set_source_resolution(read_dpi.round() as i32);
        then(lt, scale)
    })
}

/// Writes separators inside numbers the Vietnamese way, whatever tesseract
/// read (at 10–11 pt a comma and a point are a few pixels apart): a
/// separator between digits followed by one or two digits is the decimal
/// comma (`126.5` → `126,5`), one followed by three digits groups thousands
/// with a point (`1,500` → `1.500`). Dates (`12.05.2022`) and codes with
/// longer groups are left alone.
pub fn vietnamese_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if (c == ',' || c == '.') && i > 0 && chars[i - 1].is_ascii_digit() {
            let digits = chars[i + 1..]
                .iter()
                .take_while(|d| d.is_ascii_digit())
                .count();
            let j = i + 1 + digits;
            let separator = |k: usize| {
                chars
                    .get(k)
                    .is_some_and(|c| matches!(c, '.' | ',' | '/' | '-'))
            };
            let digit = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
            // A date or a dotted code carries another separator and digits after the group.
            let ends = !(separator(j) && digit(j + 1));
            let before_sep = chars[..i - 1]
                .iter()
                .rev()
                .take_while(|d| d.is_ascii_digit())
                .count();
            // The digits before the separator run from i - 1 - before_sep to
            // i - 1; what precedes them is another separator after a digit?
            let after_other_sep = i >= 3 + before_sep
                && matches!(chars[i - 2 - before_sep], '.' | ',' | '/' | '-')
                && chars[i - 3 - before_sep].is_ascii_digit();
            if ends && !after_other_sep {
                match digits {
                    1 | 2 => {
                        out.push(',');
                        continue;
                    }
                    3 => {
                        out.push('.');
                        continue;
                    }
                    _ => {}
                }
            }
        }
        out.push(c);
    }
    out
}

/// The words in which two readings differ: the common leading and trailing
/// words are dropped. `None` when the readings agree.
pub fn differing_words(electronic: &str, paper: &str) -> Option<TextChange> {
    let a: Vec<&str> = electronic.split_whitespace().collect();
    let b: Vec<&str> = paper.split_whitespace().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let ea = &a[prefix..a.len() - suffix];
    let pb = &b[prefix..b.len() - suffix];
    if ea.is_empty() && pb.is_empty() {
        return None;
    }
    Some(TextChange {
        electronic: ea.join(" "),
        paper: pb.join(" "),
    })
}

/// The box to read around a change on a page without a text layer: its
/// own text line, widened to take in the neighbouring words (they read the
/// same on both sides and drop out). The line is found on the electronic
/// page: rows with ink above and below the change, up to a blank gap, so a
/// changed tone mark, a few pixels tall, is read with the letters under it.
fn reading_box(c: &Change, electronic: &GrayImage, dpi: f32) -> (u32, u32, u32, u32) {
    let (width, height) = electronic.dimensions();
    let px = |inches: f32| (inches * dpi).round() as u32;
    let x0 = c.x0.saturating_sub(px(0.5));
    let x1 = (c.x1 + px(0.5)).min(width);
    // A row holds ink when a few of its pixels are dark.
    let inked = |y: u32| {
        (x0..x1)
            .filter(|&x| electronic.get_pixel(x, y)[0] < 110)
            .take(3)
            .count()
            >= 3
    };
    // Blank rows that end a line (the gap between a tone mark and its
    // letter is narrower), and how far a line may reach beyond the change.
    let gap = px(0.015).max(2);
    let reach = px(0.15);
    let grow = |from: u32, up: bool| -> u32 {
        let (mut y, mut edge, mut blank) = (from, from, 0);
        for _ in 0..reach {
            if (up && y == 0) || (!up && y + 1 >= height) {
                break;
            }
            y = if up { y - 1 } else { y + 1 };
            if inked(y) {
                edge = y;
                blank = 0;
            } else {
                blank += 1;
                if blank >= gap {
                    break;
                }
            }
        }
        edge
    };
    let top = grow(c.y0.min(height.saturating_sub(1)), true);
    let bottom = grow(c.y1.saturating_sub(1).min(height.saturating_sub(1)), false);
    let pad = px(0.02);
    (
        x0,
        top.min(c.y0).saturating_sub(pad),
        x1,
        (bottom + 1).max(c.y1).saturating_add(pad).min(height),
    )
}

/// Names each change between the electronic page and the registered paper
/// page (same pixel grid) and returns the text that differs, plus whether
/// every change was read against the text layer and read the same there.
/// `words` is the electronic page's text layer in that grid (empty for a
/// scan): where it has words at a change, they are the electronic text and
/// only the paper is read. Tesseract reads at `read_dpi` ([`READ_DPI`]
/// unless a second reading is wanted).
pub fn text_changes(
    electronic: &GrayImage,
    paper: &GrayImage,
    changes: &[Change],
    words: &[Word],
    dpi: f32,
    read_dpi: f32,
) -> Result<(Vec<TextChange>, bool), CompareError> {
    let (width, height) = electronic.dimensions();
    let changes = &changes[..changes.len().min(8)];
    let (lines, unplaced) = windows(words, changes, dpi, width, height);
    let mut named = Vec::new();
    for line in &lines {
        let crop = imageops::crop_imm(
            paper,
            line.x0,
            line.y0,
            line.x1 - line.x0,
            line.y1 - line.y0,
        )
        .to_image();
        let text = vietnamese_numbers(&read(&crop, dpi, read_dpi)?);
        tracing::debug!(
            layer = line.words.join(" "),
            paper = text.trim(),
            "read a change against the text layer"
        );
        named.extend(named_change(line, &text));
    }
    for &i in &unplaced {
        named.extend(read_both(electronic, paper, &changes[i], dpi, read_dpi)?);
    }
    // Only a reading against the layer can settle a change as noise: two
    // OCR readings that agree are no proof, since tesseract reads a scanned
    // "Diếm" and "Diễm" alike (seed 2 c0034 was lost that way).
    let all_agree = named.is_empty() && unplaced.is_empty() && !lines.is_empty();
    let mut out: Vec<TextChange> = Vec::new();
    for change in named {
        if !out.contains(&change) {
            out.push(change);
        }
    }
    Ok((out, all_agree))
}

/// Reads one change by OCR on both pages; `None` when they read the same.
/// Only the words at the change count ([`words_at`]): the box read is a
/// whole line, and tesseract reading a neighbour differently on the two
/// copies ("hợp đông" against "hợp đồng" beside a dot that differs under
/// "ợ") is not the change.
fn read_both(
    electronic: &GrayImage,
    paper: &GrayImage,
    c: &Change,
    dpi: f32,
    read_dpi: f32,
) -> Result<Option<TextChange>, CompareError> {
    let (x0, y0, x1, y1) = reading_box(c, electronic, dpi);
    if x1 <= x0 || y1 <= y0 {
        return Ok(None);
    }
    let e = imageops::crop_imm(electronic, x0, y0, x1 - x0, y1 - y0).to_image();
    let p = imageops::crop_imm(paper, x0, y0, x1 - x0, y1 - y0).to_image();
    let place = [
        c.x0 as f32 - x0 as f32,
        c.y0 as f32 - y0 as f32,
        c.x1 as f32 - x0 as f32,
        c.y1 as f32 - y0 as f32,
    ];
    let (we, wp) = (
        read_words(&e, dpi, read_dpi)?,
        read_words(&p, dpi, read_dpi)?,
    );
    let (ke, kp) = words_at(&we, &wp, place, dpi);
    let text = |words: &[ReadWord], keep: &[bool]| -> String {
        words
            .iter()
            .zip(keep)
            .filter(|(_, &k)| k)
            .map(|(w, _)| vietnamese_numbers(&w.text))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (te, tp) = (text(&we, &ke), text(&wp, &kp));
    tracing::debug!(electronic = te, paper = tp, "read a change");
    Ok(differing_words(&te, &tp))
}

/// Which words of two readings of one box lie at a change (`place`: x0, y0,
/// x1, y1 in the box's pixels): those whose box overlaps it sideways (give
/// or take [`WORD_SLACK`] of an inch) and lies within [`WORD_REACH`] of an
/// inch above or below it; then, on each side, the words that overlap the
/// span of those words, so a word cut short on one copy ("An" against
/// "Anh", the change on the "h") is read whole on both.
fn words_at(
    electronic: &[ReadWord],
    paper: &[ReadWord],
    place: [f32; 4],
    dpi: f32,
) -> (Vec<bool>, Vec<bool>) {
    let (slack, reach) = (WORD_SLACK * dpi, WORD_REACH * dpi);
    let near = |w: &ReadWord, x0: f32, x1: f32| {
        w.x1 + slack > x0 && w.x0 - slack < x1 && w.y1 + reach > place[1] && w.y0 - reach < place[3]
    };
    let (mut lo, mut hi) = (place[0], place[2]);
    for w in electronic
        .iter()
        .chain(paper)
        .filter(|w| near(w, place[0], place[2]))
    {
        lo = lo.min(w.x0);
        hi = hi.max(w.x1);
    }
    (
        electronic.iter().map(|w| near(w, lo, hi)).collect(),
        paper.iter().map(|w| near(w, lo, hi)).collect(),
    )
}

/// Sideways slack, in inches, of a word's box against a change's (a word
/// gap at 10–13 pt is about 0.04 inch).
const WORD_SLACK: f32 = 0.01;
/// Reach, in inches, above or below a change within which a word lies at
/// it (a tone mark sits about this far over its letters' box).
const WORD_REACH: f32 = 0.03;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_words_that_differ_are_kept() {
        let c = differing_words("c) Diện tích: 120,5 m²", "c) Diện tích: 126,5 m²").unwrap();
        assert_eq!(c.electronic, "120,5");
        assert_eq!(c.paper, "126,5");
        assert_eq!(differing_words("Nguyễn Văn An", "Nguyễn  Văn An"), None);
        let c = differing_words("Ông Nguyễn Văn An", "Ông Nguyễn Vân An").unwrap();
        assert_eq!((c.electronic.as_str(), c.paper.as_str()), ("Văn", "Vân"));
    }

    #[test]
    fn tesseract_words_come_with_their_boxes_scaled_back() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t90\t40\t91.5\thợp\n\
                   5\t1\t1\t1\t1\t2\t120\t18\t150\t42\t88.0\tđồng\n\
                   5\t1\t1\t1\t1\t3\t280\t20\t10\t40\t10.0\t \n";
        let words = tsv_words(tsv, 2.0);
        assert_eq!(words.len(), 2);
        assert_eq!(words[1].text, "đồng");
        assert_eq!(
            (words[1].x0, words[1].y0, words[1].x1, words[1].y1),
            (60.0, 9.0, 135.0, 30.0)
        );
    }

    #[test]
    fn only_the_words_at_a_change_are_compared() {
        let word = |text: &str, x0: f32, x1: f32| ReadWord {
            text: text.into(),
            x0,
            y0: 10.0,
            x1,
            y1: 30.0,
        };
        // "kết hợp đồng" at 200 dpi: a word gap of 8 px.
        let e = [
            word("kết", 0.0, 30.0),
            word("hợp", 38.0, 70.0),
            word("đông", 78.0, 120.0),
        ];
        let p = [
            word("kết", 0.0, 30.0),
            word("hợp", 38.0, 70.0),
            word("đồng", 78.0, 120.0),
        ];
        // A dot under "ợ": "đồng" beside it is not read as its change.
        let (ke, kp) = words_at(&e, &p, [50.0, 30.0, 55.0, 34.0], 200.0);
        assert_eq!(
            (ke, kp),
            (vec![false, true, false], vec![false, true, false])
        );
        // A mark over "ồ" takes that word.
        let (ke, kp) = words_at(&e, &p, [90.0, 2.0, 96.0, 7.0], 200.0);
        assert_eq!(
            (ke, kp),
            (vec![false, false, true], vec![false, false, true])
        );
        // "An" → "Anh", changed on the "h": the shorter word is taken whole.
        let e = [word("Văn", 0.0, 40.0), word("An", 50.0, 75.0)];
        let p = [word("Văn", 0.0, 40.0), word("Anh", 50.0, 95.0)];
        let (ke, kp) = words_at(&e, &p, [80.0, 10.0, 95.0, 30.0], 200.0);
        assert_eq!((ke, kp), (vec![false, true], vec![false, true]));
    }

    #[test]
    fn a_tone_mark_is_read_with_its_whole_line() {
        // Two text lines (rows 40-60 and 100-120) on white; a tone mark
        // (rows 33-37) above the first, two blank rows above its letters.
        let mut img = GrayImage::from_pixel(400, 200, image::Luma([255]));
        for x in 50..350 {
            for y in (40..60).chain(100..120) {
                if x % 7 < 4 {
                    img.put_pixel(x, y, image::Luma([20]));
                }
            }
        }
        for x in 120..130 {
            for y in 33..38 {
                img.put_pixel(x, y, image::Luma([20]));
            }
        }
        let mark = Change {
            x0: 120,
            y0: 33,
            x1: 130,
            y1: 38,
            weight: 50,
        };
        let (x0, y0, x1, y1) = reading_box(&mark, &img, 200.0);
        assert_eq!((x0, x1), (20, 230));
        // Down to the bottom of the first line, not into the second.
        assert!((60..100).contains(&y1), "{y1}");
        assert!((23..=33).contains(&y0), "{y0}");
    }

    #[test]
    fn numbers_take_the_vietnamese_separators() {
        assert_eq!(
            vietnamese_numbers("Diện tích: 126.5 m²"),
            "Diện tích: 126,5 m²"
        );
        assert_eq!(vietnamese_numbers("giá 1,500 đồng"), "giá 1.500 đồng");
        assert_eq!(vietnamese_numbers("ngày 12.05.2022"), "ngày 12.05.2022");
        assert_eq!(
            vietnamese_numbers("1.004227 và 120,25."),
            "1.004227 và 120,25."
        );
        assert_eq!(vietnamese_numbers("Điều 3. Hiệu lực"), "Điều 3. Hiệu lực");
        // A dossier code's groups are left as they are.
        assert_eq!(
            vietnamese_numbers("Mã hồ sơ: 000.00.38.H38-220202-0089"),
            "Mã hồ sơ: 000.00.38.H38-220202-0089"
        );
        assert_eq!(vietnamese_numbers("1.500,25 đồng"), "1.500,25 đồng");
    }
}
