//! The text layer of a born-digital PDF page as words with boxes, in the
//! pixel grid of the page as rendered (top-left origin, same scale and
//! rotation as the image), so that a region of the image can be named by
//! the exact words drawn there instead of by OCR.
//!
//! PDFium hands out characters ([`crate::pdfium`]); this module groups them
//! into words: whitespace ends a word, and so does a character that starts
//! a new line or jumps back. Combining marks (a tone mark stored apart from
//! its letter) always stay with their word. Each word's text is NFC.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One word of a page's text layer. The box is the union of its glyphs'
/// ink boxes, in pixels of the rendered page (`x1`, `y1` exclusive edges).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// NFC-normalised.
    pub text: String,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Word {
    /// The same word on a page scaled by `factor` (a page downscaled after rendering).
    pub fn scaled(&self, factor: f32) -> Word {
        Word {
            text: self.text.clone(),
            x0: self.x0 * factor,
            y0: self.y0 * factor,
            x1: self.x1 * factor,
            y1: self.y1 * factor,
        }
    }

    /// Vertical centre, in pixels.
    pub fn centre_y(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
}

/// One character of the text layer: its Unicode value and, when it has
/// one, its ink box (`[x0, y0, x1, y1]`) in a space where lines of text run
/// along x and y grows downwards (the PDF page's own space, y negated).
/// PDFium's generated spaces and line breaks have no box.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub ch: char,
    pub bbox: Option<[f32; 4]>,
}

/// Words under construction.
struct Builder {
    words: Vec<Word>,
    text: String,
    bbox: Option<[f32; 4]>,
}

impl Builder {
    fn finish(&mut self) {
        let text: String = self.text.nfc().collect();
        self.text.clear();
        let bbox = self.bbox.take();
        if text.trim().is_empty() {
            return;
        }
        if let Some([x0, y0, x1, y1]) = bbox {
            self.words.push(Word {
                text,
                x0,
                y0,
                x1,
                y1,
            });
        }
    }

    /// Whether a glyph at `b` cannot continue the current word: it does
    /// not share the word's line, or it lies back before the word's start.
    fn breaks(&self, b: [f32; 4]) -> bool {
        let Some([x0, y0, _, y1]) = self.bbox else {
            return false;
        };
        let centre = (b[1] + b[3]) / 2.0;
        let height = (y1 - y0).max(b[3] - b[1]).max(1.0);
        let off_line = centre < y0 - 0.25 * height || centre > y1 + 0.25 * height;
        off_line || b[2] < x0
    }
}

/// Groups characters, in content order, into words (boxes in the glyphs' space).
pub(crate) fn words_from_glyphs(glyphs: impl IntoIterator<Item = Glyph>) -> Vec<Word> {
    let mut b = Builder {
        words: Vec::new(),
        text: String::new(),
        bbox: None,
    };
    for g in glyphs {
        if g.ch.is_whitespace() || g.ch.is_control() {
            b.finish();
            continue;
        }
        let mark = is_combining_mark(g.ch);
        if let Some(bb) = g.bbox.filter(|bb| bb[2] > bb[0] && bb[3] > bb[1]) {
            if !mark && b.breaks(bb) {
                b.finish();
            }
            b.bbox = Some(match b.bbox {
                Some(w) => [
                    w[0].min(bb[0]),
                    w[1].min(bb[1]),
                    w[2].max(bb[2]),
                    w[3].max(bb[3]),
                ],
                None => bb,
            });
        }
        b.text.push(g.ch);
    }
    b.finish();
    b.words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f32, y: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                let x0 = x + i as f32 * 10.0;
                Glyph {
                    ch,
                    bbox: (!ch.is_whitespace()).then_some([x0, y, x0 + 8.0, y + 12.0]),
                }
            })
            .collect()
    }

    #[test]
    fn spaces_lines_and_jumps_end_words() {
        let mut g = glyphs("Diện tích: 120,5", 100.0, 50.0);
        // The next line follows with no space or line break in between.
        g.extend(glyphs("m²", 100.0, 80.0));
        let words = words_from_glyphs(g);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Diện", "tích:", "120,5", "m²"]);
        assert_eq!(
            (words[2].x0, words[2].y0, words[2].x1, words[2].y1),
            (210.0, 50.0, 258.0, 62.0)
        );
        assert_eq!((words[3].x0, words[3].y0), (100.0, 80.0));
    }

    #[test]
    fn a_separate_tone_mark_joins_its_letter_and_the_word_is_nfc() {
        // "Vân" stored decomposed: a, then the circumflex drawn above it.
        let g = vec![
            Glyph {
                ch: 'V',
                bbox: Some([0.0, 10.0, 8.0, 22.0]),
            },
            Glyph {
                ch: 'a',
                bbox: Some([9.0, 14.0, 16.0, 22.0]),
            },
            Glyph {
                ch: '\u{302}',
                bbox: Some([10.0, 2.0, 15.0, 6.0]),
            },
            Glyph {
                ch: 'n',
                bbox: Some([17.0, 14.0, 24.0, 22.0]),
            },
        ];
        let words = words_from_glyphs(g);
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].text, "V\u{e2}n");
        assert_eq!(
            (words[0].x0, words[0].y0, words[0].x1, words[0].y1),
            (0.0, 2.0, 24.0, 22.0)
        );
    }

    /// A PDF with Helvetica text at known places: one upright A4 page and
    /// the same page turned by /Rotate 90.
    fn text_pdf(path: &std::path::Path) {
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let content = b"BT /F1 20 Tf 72 700 Td (Dien tich: 120,5) Tj ET \
                        BT /F1 20 Tf 300 400 Td (HUONG) Tj ET"
            .to_vec();
        let mut kids = Vec::new();
        for rotate in [0, 90] {
            let content_id = doc.add_object(Stream::new(dictionary! {}, content.clone()));
            kids.push(Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Rotate" => rotate,
                "Contents" => content_id,
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            })));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc.save(path).expect("write the test PDF");
    }

    /// Every dark pixel of `img` lies in some word's box (grown by `slack`),
    /// and every word's box holds dark pixels.
    fn ink_matches_words(img: &image::RgbImage, words: &[Word], slack: f32) {
        for w in words {
            let mut dark = 0;
            for y in w.y0.max(0.0) as u32..(w.y1 as u32).min(img.height()) {
                for x in w.x0.max(0.0) as u32..(w.x1 as u32).min(img.width()) {
                    dark += usize::from(img.get_pixel(x, y)[1] < 128);
                }
            }
            assert!(dark > 20, "no ink in the box of {w:?}");
        }
        for (x, y, p) in img.enumerate_pixels() {
            if p[1] < 128 {
                let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
                assert!(
                    words.iter().any(|w| x >= w.x0 - slack
                        && x <= w.x1 + slack
                        && y >= w.y0 - slack
                        && y <= w.y1 + slack),
                    "ink at ({x}, {y}) outside every word"
                );
            }
        }
    }

    #[test]
    fn words_come_back_where_they_were_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("text.pdf");
        text_pdf(&path);
        let doc = crate::open(&path).unwrap();

        let page = doc.render(0, 200.0).unwrap();
        assert_eq!(page.image.dimensions(), (1653, 2339));
        let texts: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Dien", "tich:", "120,5", "HUONG"]);
        // "Dien" starts at x = 72 pt and sits on the baseline y = 700 pt
        // (from the bottom): 200 px and (842 - 700) / 72 × 200 = 394.4 px.
        // Its ink starts a side bearing (under 2 pt) right of the pen.
        let px = |pt: f32| pt / 72.0 * 200.0;
        let right_of = |ink: f32, pen: f32| (0.0..px(2.0)).contains(&(ink - pen));
        let dien = &page.words[0];
        assert!(right_of(dien.x0, px(72.0)), "{dien:?}");
        assert!((dien.y1 - px(142.0)).abs() < 2.0, "{dien:?}");
        // Capitals of 20 pt Helvetica are about 14.3 pt tall.
        assert!((dien.y1 - dien.y0 - px(14.3)).abs() < 3.0, "{dien:?}");
        let huong = &page.words[3];
        assert!(right_of(huong.x0, px(300.0)), "{huong:?}");
        assert!((huong.y1 - px(442.0)).abs() < 2.0, "{huong:?}");
        assert!(page.words[2].x0 > page.words[1].x1);
        ink_matches_words(&page.image, &page.words, 2.0);

        // Turned a quarter clockwise: the page is landscape and the words
        // turn with it: what was near the top-left is now near the top-right.
        let turned = doc.render(1, 200.0).unwrap();
        assert_eq!(turned.image.dimensions(), (2339, 1653));
        let dien = &turned.words[0];
        assert_eq!(dien.text, "Dien");
        assert!(right_of(dien.y0, px(72.0)), "{dien:?}");
        assert!((dien.x0 - (2339.0 - px(142.0))).abs() < 2.0, "{dien:?}");
        ink_matches_words(&turned.image, &turned.words, 2.0);

        // A smaller render scales the boxes with the image; a preview and
        // an image source have no words.
        let small = doc.render(0, 100.0).unwrap();
        assert!(right_of(small.words[0].x0 * 2.0, px(72.0)));
        ink_matches_words(&small.image, &small.words, 2.0);
        assert!(doc.render_native(0, 200.0).is_ok());
    }

    #[test]
    fn vietnamese_text_layer_reads_back_nfc() {
        let fixture = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("../../fixtures/portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
        let doc = crate::open(&fixture).unwrap();
        let page = doc.render(0, 200.0).unwrap();
        let text: Vec<&str> = page.words.iter().map(|w| w.text.as_str()).collect();
        let line = text.join(" ");
        assert!(line.contains("Nguyễn Văn Đức"), "{line}");
        for w in &page.words {
            assert!(w.text.nfc().eq(w.text.chars()), "{:?} is not NFC", w.text);
            assert!(w.x0 < w.x1 && w.y0 < w.y1 && w.x1 <= page.image.width() as f32 + 1.0);
        }
        // Each word's box holds ink.
        for w in &page.words {
            let mut dark = 0;
            for y in w.y0 as u32..(w.y1 as u32).min(page.image.height()) {
                for x in w.x0 as u32..(w.x1 as u32).min(page.image.width()) {
                    dark += usize::from(page.image.get_pixel(x, y)[1] < 160);
                }
            }
            assert!(dark > 0, "no ink in the box of {w:?}");
        }
    }
}
