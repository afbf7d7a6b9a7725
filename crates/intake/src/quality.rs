//! Quality checks at intake, against the digitisation rules (kept as data
//! with an effective date in `data/digitisation.json`, never as constants):
//! resolution below the minimum, non-colour scans where colour is required,
//! blank pages (flagged for review, never dropped), skew and upside-down
//! pages.
//!
//! Skew comes from the projection profile of the ink: the angle at which
//! the ink's rows are sharpest. Upside-down comes from the text lines found
//! at that angle: Vietnamese and Latin text has far more ink above its
//! x-height band (capitals, ascenders, tone marks) than below it
//! (descenders); a page turned over has it the other way round.
//!
//! A page that needs straightening gets a derived copy (see
//! [`straighten`]); the original is never changed.

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

/// One version of the digitisation rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigitisationRules {
    /// First day (yyyy-mm-dd) these rules apply.
    pub from: String,
    pub min_dpi: f32,
    pub colour_required: bool,
    pub source: String,
}

const RULES_JSON: &str = include_str!("../data/digitisation.json");

/// The rules in force on `day` (yyyy-mm-dd): the latest version that began
/// on or before it, else the earliest.
pub fn rules_on(day: &str) -> DigitisationRules {
    let mut all: Vec<DigitisationRules> =
        serde_json::from_str(RULES_JSON).expect("bundled digitisation rules are valid JSON");
    all.sort_by(|a, b| a.from.cmp(&b.from));
    let pick = all
        .iter()
        .rev()
        .find(|r| r.from.as_str() <= day)
        .or(all.first())
        .cloned();
    pick.expect("bundled digitisation rules are not empty")
}

/// What the checks found on one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageQuality {
    pub dpi: f32,
    pub low_dpi: bool,
    /// The page has no colour (a grey or black-and-white scan).
    pub grey: bool,
    /// Grey where the rules require colour.
    pub not_colour: bool,
    pub blank: bool,
    /// Mostly dark: a scan with the lid open or closed wrong, a badly
    /// exposed page, a scanner's black test page. Flagged for review.
    pub dark: bool,
    /// Counter-clockwise rotation of the content, in degrees (0 when unknown).
    pub skew_deg: f32,
    pub upside_down: bool,
}

impl PageQuality {
    /// The warning codes this page raises, for flags and reports.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut w = Vec::new();
        if self.low_dpi {
            w.push("low_dpi");
        }
        if self.not_colour {
            w.push("not_colour");
        }
        if self.blank {
            w.push("blank_page");
        }
        if self.dark {
            w.push("dark_page");
        }
        if self.needs_straightening() {
            w.push("skewed");
        }
        if self.upside_down {
            w.push("upside_down");
        }
        w
    }

    /// Skewed by more than half a degree, or upside down.
    pub fn needs_straightening(&self) -> bool {
        self.skew_deg.abs() > SKEW_TOLERANCE_DEG || self.upside_down
    }
}

/// Skew up to this is left alone.
pub const SKEW_TOLERANCE_DEG: f32 = 0.5;
/// Skew is searched within ± this.
const SKEW_RANGE_DEG: f32 = 5.0;
/// Ink fraction below which a page is blank.
const BLANK_INK: f32 = 0.0015;
/// Ink fraction above which a page is dark (a dense form has ~0.15).
const DARK_INK: f32 = 0.6;

/// Runs every check on a page scanned at `dpi`.
pub fn assess(page: &RgbImage, dpi: f32, rules: &DigitisationRules) -> PageQuality {
    let grey_img = image::DynamicImage::ImageRgb8(page.clone()).to_luma8();
    assess_grey(&grey_img, is_grey(page), dpi, rules)
}

/// [`assess`] for a page already in grey; `grey` says whether the scan had no colour.
pub fn assess_grey(
    page: &GrayImage,
    grey: bool,
    dpi: f32,
    rules: &DigitisationRules,
) -> PageQuality {
    assess_coarse(
        &crate::codes::scale_to_dpi(page, dpi, 100.0),
        grey,
        dpi,
        rules,
    )
}

/// [`assess_grey`] on the page's copy at about 100 dpi (`dpi` is the scan's).
pub fn assess_coarse(
    small: &GrayImage,
    grey: bool,
    dpi: f32,
    rules: &DigitisationRules,
) -> PageQuality {
    let ink = ink_points(small);
    let area = (small.width() as f32 * 0.9) * (small.height() as f32 * 0.9);
    let blank = (ink.len() as f32) < area * BLANK_INK;
    let dark = (ink.len() as f32) > area * DARK_INK;
    let (skew, upside_down) = if blank || dark || ink.len() < 200 {
        (0.0, false)
    } else {
        let skew = skew_of(&ink);
        (skew, upside_down_at(&ink, skew))
    };
    PageQuality {
        dpi,
        low_dpi: dpi + 0.5 < rules.min_dpi,
        grey,
        not_colour: grey && rules.colour_required,
        blank,
        dark,
        skew_deg: skew,
        upside_down,
    }
}

/// Whether a page has (next to) no colour: its channels agree within a few
/// levels almost everywhere.
pub fn is_grey(img: &RgbImage) -> bool {
    let mut coloured = 0u64;
    let mut seen = 0u64;
    for p in img.pixels().step_by(7) {
        let [r, g, b] = p.0;
        let spread = r.max(g).max(b) - r.min(g).min(b);
        if spread > 12 {
            coloured += 1;
        }
        seen += 1;
    }
    coloured * 1000 <= seen
}

/// Dark pixels (x, y) of a ~100-dpi grey page, margins (5 %) left out.
fn ink_points(img: &GrayImage) -> Vec<(f32, f32)> {
    let (w, h) = img.dimensions();
    let (mx, my) = (w / 20, h / 20);
    let raw = img.as_raw();
    let mut pts = Vec::new();
    for y in my..h.saturating_sub(my) {
        let row = &raw[(y * w) as usize..((y + 1) * w) as usize];
        for x in mx..w.saturating_sub(mx) {
            if row[x as usize] < 128 {
                pts.push((x as f32, y as f32));
            }
        }
    }
    pts
}

/// Sharpness of the row profile of `ink` sheared by `deg`.
fn profile(ink: &[(f32, f32)], deg: f32) -> Vec<f32> {
    let t = deg.to_radians().tan();
    let max_y = ink.iter().map(|p| p.1).fold(0.0, f32::max);
    let max_x = ink.iter().map(|p| p.0).fold(0.0, f32::max);
    let offset = max_x * t.abs() + 2.0;
    let mut hist = vec![0f32; (max_y + 2.0 * offset + 2.0) as usize];
    for &(x, y) in ink {
        let yy = (y + x * t + offset) as usize;
        if let Some(b) = hist.get_mut(yy) {
            *b += 1.0;
        }
    }
    hist
}

fn sharpness(hist: &[f32]) -> f32 {
    hist.iter().map(|v| v * v).sum()
}

/// The content's counter-clockwise rotation in degrees: coarse search in
/// 0.25° steps, then 0.05° around the best.
fn skew_of(ink: &[(f32, f32)]) -> f32 {
    let step = |from: f32, to: f32, by: f32| {
        let mut best = (f32::MIN, 0.0);
        let mut a = from;
        while a <= to + 1e-4 {
            let s = sharpness(&profile(ink, a));
            if s > best.0 {
                best = (s, a);
            }
            a += by;
        }
        best.1
    };
    // Subsample for the coarse pass: every third ink pixel is plenty.
    let coarse_ink: Vec<_> = ink.iter().step_by(3).copied().collect();
    let coarse = {
        let mut best = (f32::MIN, 0.0);
        let mut a = -SKEW_RANGE_DEG;
        while a <= SKEW_RANGE_DEG + 1e-4 {
            let s = sharpness(&profile(&coarse_ink, a));
            if s > best.0 {
                best = (s, a);
            }
            a += 0.25;
        }
        best.1
    };
    let fine = step(coarse - 0.25, coarse + 0.25, 0.05);
    (fine * 100.0).round() / 100.0
}

/// Whether the text lines, seen at `skew`, have more ink below their core
/// band than above it.
fn upside_down_at(ink: &[(f32, f32)], skew: f32) -> bool {
    let hist = profile(ink, skew);
    let peak = hist.iter().cloned().fold(0.0, f32::max);
    if peak <= 0.0 {
        return false;
    }
    let (mut above, mut below, mut lines) = (0f32, 0f32, 0);
    let mut i = 0;
    while i < hist.len() {
        if hist[i] < peak * 0.05 {
            i += 1;
            continue;
        }
        let start = i;
        while i < hist.len() && hist[i] >= peak * 0.05 {
            i += 1;
        }
        let line = &hist[start..i];
        // Lines of text at ~100 dpi are a handful of rows; skip rules and blocks.
        if line.len() < 4 || line.len() > 40 {
            continue;
        }
        let top = line.iter().cloned().fold(0.0, f32::max);
        let core: Vec<usize> = (0..line.len()).filter(|&k| line[k] >= top * 0.5).collect();
        let (c0, c1) = (core[0], core[core.len() - 1]);
        above += line[..c0].iter().sum::<f32>();
        below += line[c1 + 1..].iter().sum::<f32>();
        lines += 1;
    }
    lines >= 3 && below > above * 1.3
}

/// A straightened copy of a page: turned over when upside down, and
/// rotated back by its skew. The original pixels are not touched.
pub fn straighten(page: &RgbImage, q: &PageQuality) -> RgbImage {
    let mut out = page.clone();
    if q.upside_down {
        out = crate::geometry::rotate_quarter(&out, 2);
    }
    // A half turn commutes with the skew, so the same angle takes it back.
    if q.skew_deg.abs() > SKEW_TOLERANCE_DEG {
        out = crate::geometry::rotate_degrees(&out, -q.skew_deg, image::Rgb([255, 255, 255]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{rotate_degrees, rotate_quarter};

    fn fixture_page() -> (RgbImage, f32) {
        let path =
            std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
                .join("../../fixtures/portal/electronic/000.00.38.H38-221125-0001_TP2.pdf");
        let doc = doisoat_pages::open(&path).unwrap();
        let p = doc.render(0, 200.0).unwrap();
        (p.image, p.dpi)
    }

    #[test]
    fn rules_are_dated_data() {
        let r = rules_on("2026-11-27");
        assert_eq!(r.min_dpi, 200.0);
        assert!(r.colour_required);
    }

    #[test]
    fn skew_and_upside_down_are_found_on_a_text_page() {
        let rules = rules_on("2026-11-27");
        let (page, dpi) = fixture_page();
        let upright = assess(&page, dpi, &rules);
        assert!(!upright.blank && !upright.upside_down, "{upright:?}");
        assert!(upright.skew_deg.abs() <= 0.3, "{upright:?}");
        let white = image::Rgb([255, 255, 255]);
        let tilted = rotate_degrees(&page, 2.0, white);
        let q = assess(&tilted, dpi, &rules);
        assert!((q.skew_deg - 2.0).abs() <= 0.3, "{q:?}");
        assert!(!q.upside_down);
        let over = rotate_quarter(&rotate_degrees(&page, -1.5, white), 2);
        let q = assess(&over, dpi, &rules);
        assert!(q.upside_down, "{q:?}");
        assert!(q.needs_straightening());
        // The straightened copy reads upright and level again.
        let fixed = straighten(&over, &q);
        let again = assess(&fixed, dpi, &rules);
        assert!(
            !again.upside_down && again.skew_deg.abs() <= 0.3,
            "{again:?}"
        );
    }

    #[test]
    fn a_dark_page_is_flagged_and_not_searched_for_skew() {
        let rules = rules_on("2026-01-01");
        let black = GrayImage::from_pixel(827, 1170, image::Luma([12]));
        let q = assess_grey(&black, true, 200.0, &rules);
        assert!(
            q.dark && !q.blank && q.skew_deg == 0.0 && !q.upside_down,
            "{q:?}"
        );
        assert!(q.warnings().contains(&"dark_page"), "{:?}", q.warnings());
        let form = crate::synth::noise(&crate::synth::blank_a4(200.0), 20, 5);
        assert!(!assess_grey(&form, true, 200.0, &rules).dark);
    }

    #[test]
    fn blank_grey_and_low_dpi_pages_are_flagged() {
        let rules = rules_on("2026-11-27");
        let blank = crate::synth::noise(&crate::synth::blank_a4(150.0), 20, 5);
        let rgb = image::DynamicImage::ImageLuma8(blank).to_rgb8();
        let q = assess(&rgb, 150.0, &rules);
        assert!(q.blank && q.low_dpi && q.grey && q.not_colour, "{q:?}");
        assert_eq!(q.warnings(), vec!["low_dpi", "not_colour", "blank_page"]);
        let (page, dpi) = fixture_page();
        let q = assess(&page, dpi, &rules);
        assert!(!q.blank && !q.low_dpi, "{q:?}");
    }
}
