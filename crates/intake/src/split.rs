//! Cutting a scanned batch into dossiers. Each page is looked at once
//! ([`look_at`]): its codes, whether it carries our separator bars, its
//! quality. [`plan`] then cuts the batch:
//!
//! - a **separator sheet** (our QR payload, valid code) starts a part for
//!   its dossier; the sheet itself is kept aside, not part of the document;
//! - a page with the separator **bars but no readable separator code**
//!   starts a part that is flagged for review and linked to nothing (never
//!   to a guess);
//! - a **receipt** (a QR holding a dossier code) for another dossier than
//!   the current part's starts a new part; the receipt belongs to it;
//! - pages before any marker form a part with no code, flagged.
//!
//! Whether a code names a known dossier is the caller's question (the
//! database's): an unknown one is offered to the clerk.

use doisoat_domain::DossierCode;
use image::GrayImage;
use serde::Serialize;

use crate::codes::{classify, read_codes_with, CodeMeaning, FoundCode};
use crate::quality::{assess_coarse, DigitisationRules, PageQuality};

/// What one page of a batch is.
#[derive(Debug, Clone, Serialize)]
pub struct PageLook {
    /// 0-based page index in the batch.
    pub index: usize,
    pub codes: Vec<FoundCode>,
    pub meaning: Option<CodeMeaning>,
    /// The page carries the separator bars of our sheets.
    pub separator_bars: bool,
    pub quality: PageQuality,
}

impl PageLook {
    pub fn is_separator(&self) -> bool {
        matches!(
            self.meaning,
            Some(CodeMeaning::Separator { .. }) | Some(CodeMeaning::BadSeparator { .. })
        ) || self.separator_bars
    }
}

/// Why a part is (or is not) linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartMarker {
    /// Started by a separator sheet for this code.
    Separator { code: DossierCode },
    /// Started by a receipt for this code.
    Receipt { code: DossierCode },
    /// Started by a separator whose code could not be read or failed the check.
    UnreadableSeparator { raw: Option<String> },
    /// Pages before the first separator or receipt.
    NoCode,
}

impl PartMarker {
    /// The dossier code a part may be linked to (after the caller checks it exists).
    pub fn code(&self) -> Option<&DossierCode> {
        match self {
            PartMarker::Separator { code } | PartMarker::Receipt { code } => Some(code),
            _ => None,
        }
    }
}

/// A run of pages of the batch that belong together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub marker: PartMarker,
    /// 0-based page indices, in batch order.
    pub pages: Vec<usize>,
    /// The separator page that started the part, kept aside.
    pub separator_page: Option<usize>,
}

/// Looks at one page (grey, at `dpi`): codes, bars and quality.
pub fn look_at(
    index: usize,
    page: &GrayImage,
    grey_scan: bool,
    dpi: f32,
    rules: &DigitisationRules,
) -> PageLook {
    let dpi = if dpi > 0.0 { dpi } else { 200.0 };
    // One ~100-dpi copy serves the first code pass, the bars and the quality checks.
    let coarse = crate::codes::scale_to_dpi(page, dpi, 100.0);
    let codes = read_codes_with(page, &coarse, dpi);
    let meaning = codes.first().map(|c| classify(&c.text));
    PageLook {
        index,
        separator_bars: has_separator_bars(&coarse),
        quality: assess_coarse(&coarse, grey_scan, dpi, rules),
        codes,
        meaning,
    }
}

/// A page decoded for looking at: grey, at its scan's resolution.
#[derive(Debug, Clone)]
pub struct GreyPage {
    pub image: GrayImage,
    /// The scan itself had no colour.
    pub grey_scan: bool,
    pub dpi: f32,
}

/// Page `index` of a document in grey, at up to `max_dpi`: decoded once, a
/// grey scan never widened to RGB.
pub fn grey_page(
    doc: &doisoat_pages::Document,
    index: usize,
    max_dpi: f32,
) -> Result<GreyPage, doisoat_pages::PagesError> {
    let page = doc.render_native(index, max_dpi)?;
    let (image, grey_scan) = match page.image {
        image::DynamicImage::ImageLuma8(g) => (g, true),
        other => {
            let rgb = other.into_rgb8();
            (luma(&rgb), crate::quality::is_grey(&rgb))
        }
    };
    Ok(GreyPage {
        image,
        grey_scan,
        dpi: page.dpi,
    })
}

/// Looks at page `index` of a document ([`grey_page`], then [`look_at`]).
pub fn look_at_page(
    doc: &doisoat_pages::Document,
    index: usize,
    max_dpi: f32,
    rules: &DigitisationRules,
) -> Result<PageLook, doisoat_pages::PagesError> {
    let page = grey_page(doc, index, max_dpi)?;
    Ok(look_at(index, &page.image, page.grey_scan, page.dpi, rules))
}

/// The luma of a colour page (Rec. 709 weights, as `image` uses), in integers.
pub fn luma(rgb: &image::RgbImage) -> GrayImage {
    let grey = rgb
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            let v = 54 * u32::from(p[0]) + 183 * u32::from(p[1]) + 19 * u32::from(p[2]);
            ((v + 128) >> 8) as u8
        })
        .collect();
    GrayImage::from_raw(rgb.width(), rgb.height(), grey).expect("buffer has the image's size")
}

/// Cuts a batch into parts (see the module documentation).
pub fn plan(looks: &[PageLook]) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for look in looks {
        let start = match &look.meaning {
            Some(CodeMeaning::Separator { code }) => {
                Some((PartMarker::Separator { code: code.clone() }, true))
            }
            Some(CodeMeaning::BadSeparator { raw }) => Some((
                PartMarker::UnreadableSeparator {
                    raw: Some(raw.clone()),
                },
                true,
            )),
            _ if look.separator_bars => Some((PartMarker::UnreadableSeparator { raw: None }, true)),
            Some(CodeMeaning::Receipt { code }) => {
                let same = parts
                    .last()
                    .and_then(|p| p.marker.code())
                    .is_some_and(|c| c == code);
                (!same).then(|| (PartMarker::Receipt { code: code.clone() }, false))
            }
            _ => None,
        };
        match start {
            Some((marker, is_sheet)) => parts.push(Part {
                marker,
                pages: if is_sheet {
                    Vec::new()
                } else {
                    vec![look.index]
                },
                separator_page: is_sheet.then_some(look.index),
            }),
            None => match parts.last_mut() {
                Some(p) => p.pages.push(look.index),
                None => parts.push(Part {
                    marker: PartMarker::NoCode,
                    pages: vec![look.index],
                    separator_page: None,
                }),
            },
        }
    }
    parts
}

/// Whether a grey page (any resolution; ~50 dpi is plenty) has a solid dark
/// bar across most of its width near the top and another near the bottom,
/// as our separator sheets do.
pub fn has_separator_bars(page: &GrayImage) -> bool {
    let (w, h) = page.dimensions();
    if w < 20 || h < 20 {
        return false;
    }
    let raw = page.as_raw();
    let dark_rows: Vec<bool> = (0..h as usize)
        .map(|y| {
            let row = &raw[y * w as usize..(y + 1) * w as usize];
            let dark = row.iter().filter(|v| **v < 100).count();
            dark as f32 >= w as f32 * 0.6
        })
        .collect();
    // A bar is 10 mm tall: a run of at least 4 mm and at most 20 mm of
    // consecutive dark rows, with light rows on both sides inside the band,
    // so a solid dark page (a scanner's black test page, a closed lid) is
    // not taken for a sheet.
    let mm = h as f32 / 297.0;
    let min_run = (mm * 4.0).max(2.0) as usize;
    let max_run = (mm * 20.0).max(min_run as f32 + 1.0) as usize;
    let band = |from: u32, to: u32| {
        let rows = &dark_rows[from as usize..to as usize];
        let mut y = 0;
        while y < rows.len() {
            if !rows[y] {
                y += 1;
                continue;
            }
            let start = y;
            while y < rows.len() && rows[y] {
                y += 1;
            }
            let closed = start > 0 && y < rows.len();
            if closed && (min_run..=max_run).contains(&(y - start)) {
                return true;
            }
        }
        false
    };
    let dark_share = dark_rows.iter().filter(|d| **d).count() as f32 / h as f32;
    dark_share < 0.5 && band(0, h / 7) && band(h - h / 7, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::rules_on;

    fn look(index: usize, meaning: Option<CodeMeaning>, bars: bool) -> PageLook {
        let rules = rules_on("2026-01-01");
        let blank = crate::synth::blank_a4(50.0);
        let mut q = crate::quality::assess_grey(&blank, false, 200.0, &rules);
        q.blank = false;
        PageLook {
            index,
            codes: Vec::new(),
            meaning,
            separator_bars: bars,
            quality: q,
        }
    }

    fn code(n: u32) -> DossierCode {
        DossierCode::new(&format!("000.00.38.H38-221125-{n:04}")).unwrap()
    }

    #[test]
    fn batch_is_cut_on_sheets_and_receipts() {
        let sep = |c| Some(CodeMeaning::Separator { code: c });
        let rec = |c| Some(CodeMeaning::Receipt { code: c });
        let looks = vec![
            look(0, None, false),
            look(1, sep(code(1)), true),
            look(2, rec(code(1)), false),
            look(3, None, false),
            look(4, None, true),
            look(5, None, false),
            look(6, rec(code(7)), false),
            look(7, None, false),
        ];
        let parts = plan(&looks);
        assert_eq!(
            parts,
            vec![
                Part {
                    marker: PartMarker::NoCode,
                    pages: vec![0],
                    separator_page: None
                },
                Part {
                    marker: PartMarker::Separator { code: code(1) },
                    pages: vec![2, 3],
                    separator_page: Some(1)
                },
                Part {
                    marker: PartMarker::UnreadableSeparator { raw: None },
                    pages: vec![5],
                    separator_page: Some(4)
                },
                Part {
                    marker: PartMarker::Receipt { code: code(7) },
                    pages: vec![6, 7],
                    separator_page: None
                },
            ]
        );
    }

    #[test]
    fn separator_bars_are_bars_not_a_dark_page() {
        // An A4 page at 25 dpi: 207 × 292 px, bars of 10 mm ≈ 10 rows.
        let (w, h) = (207u32, 292u32);
        let with_bars = GrayImage::from_fn(w, h, |_, y| {
            let bar = (12..22).contains(&y) || (h - 22..h - 12).contains(&y);
            image::Luma([if bar { 20 } else { 235 }])
        });
        assert!(has_separator_bars(&with_bars));
        let black = GrayImage::from_pixel(w, h, image::Luma([0]));
        assert!(!has_separator_bars(&black), "a solid dark page is no sheet");
        let white = GrayImage::from_pixel(w, h, image::Luma([250]));
        assert!(!has_separator_bars(&white));
        // Dark from the top edge down to the middle: no closed bar at the top.
        let half = GrayImage::from_fn(w, h, |_, y| image::Luma([if y < h / 2 { 10 } else { 240 }]));
        assert!(!has_separator_bars(&half));
    }
}
