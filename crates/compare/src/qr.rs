//! QR codes are compared by what they say, not by their pixels.
//!
//! A receipt's QR code (version 9 in the corpus: 53 modules in 22 mm) has
//! modules 3.3 px wide at the working resolution and 2.5 px in a 150-dpi
//! scan. With a little blur the paper's modules run together into grey,
//! the ink maps disagree over the whole symbol and the capture model
//! cannot explain it, so a rescan looked altered. Where a candidate change lies on a QR code of the
//! electronic page, the paper's code at the same place is read:
//! - it says the same: the code is the same, the candidate is dropped;
//! - it says something else: the candidate stands (a changed code);
//! - it cannot be read and its modules are finer than [`MIN_MODULE_PX`]
//!   paper pixels: the pixels cannot tell, the candidate is dropped and
//!   the pair gets a note that its QR code was not compared;
//! - it cannot be read although the scan resolves it: the candidate stands.

use std::collections::HashSet;

use image::{imageops, GrayImage};
use rxing::{BarcodeFormat, DecodeHints};

use crate::diff::Change;
use crate::ink::Bitmap;

/// Finest module, in paper pixels, that a scan still resolves: two pixels
/// a module is the sampling limit, blur and JPEG take the rest.
pub const MIN_MODULE_PX: f32 = 2.5;

/// A QR code found on the electronic page.
#[derive(Debug, Clone, PartialEq)]
pub struct QrCode {
    /// The symbol's box, pixels of the page.
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Module size, pixels of the page.
    pub module: f32,
    pub text: String,
}

impl QrCode {
    /// Whether `c` lies on the symbol (within two modules of it, for the
    /// fringe of its edge): a change that reaches beyond it, onto text
    /// beside the code, is not the code's to judge.
    pub fn covers(&self, c: &Change) -> bool {
        let m = (2.0 * self.module).ceil() as u32;
        c.x0 + m >= self.x0 && c.y0 + m >= self.y0 && c.x1 <= self.x1 + m && c.y1 <= self.y1 + m
    }
}

/// Reads one QR code in `img`.
fn decode(img: &GrayImage) -> Option<rxing::RXingResult> {
    let (w, h) = img.dimensions();
    if w < 21 || h < 21 {
        return None;
    }
    let mut hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(true),
        ..Default::default()
    };
    rxing::helpers::detect_in_luma_slice_with_hints(img.as_raw(), w, h, None, &mut hints).ok()
}

/// `(x0, y0, x1, y1)` of `c` widened by `pad` pixels, inside `w × h`.
fn around(c: &Change, pad: u32, w: u32, h: u32) -> (u32, u32, u32, u32) {
    (
        c.x0.saturating_sub(pad),
        c.y0.saturating_sub(pad),
        (c.x1 + pad).min(w),
        (c.y1 + pad).min(h),
    )
}

/// The QR code of the electronic page (`grey`, its ink map `ink`) within
/// `pad` pixels of `c`, if there is one.
pub fn find(grey: &GrayImage, ink: &Bitmap, c: &Change, pad: u32) -> Option<QrCode> {
    let (w, h) = grey.dimensions();
    let (x0, y0, x1, y1) = around(c, pad, w, h);
    let crop = imageops::crop_imm(grey, x0, y0, x1 - x0, y1 - y0).to_image();
    let found = decode(&crop)?;
    // rxing gives three corners of the symbol; their box is the symbol's.
    let points: Vec<(f32, f32)> = found
        .getPoints()
        .iter()
        .take(3)
        .map(|p| (p.x + x0 as f32, p.y + y0 as f32))
        .collect();
    if points.len() < 3 {
        return None;
    }
    let (mut fx0, mut fy0, mut fx1, mut fy1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for &(x, y) in &points {
        fx0 = fx0.min(x);
        fy0 = fy0.min(y);
        fx1 = fx1.max(x);
        fy1 = fy1.max(y);
    }
    let (qx0, qy0) = (fx0.max(0.0) as u32, fy0.max(0.0) as u32);
    let (qx1, qy1) = ((fx1.ceil() as u32).min(w), (fy1.ceil() as u32).min(h));
    let module = finder_module(ink, qx0, qy0, qx1)?;
    Some(QrCode {
        x0: qx0,
        y0: qy0,
        x1: qx1,
        y1: qy1,
        module,
        text: found.getText().to_string(),
    })
}

/// Module size from the top-left finder pattern (the electronic page is
/// upright): its top bar, just inside the symbol's top edge, is one dark
/// run 7 modules long (the median over the rows of its first module, so
/// one ragged row does not matter).
fn finder_module(ink: &Bitmap, x0: u32, y0: u32, x1: u32) -> Option<f32> {
    let mut runs: Vec<u32> = (y0 + 1..(y0 + 3).min(ink.height))
        .filter_map(|y| {
            // The first dark pixel from the corner, then the run.
            let start = (x0..x1.min(x0 + 4)).find(|&x| ink.get(x, y))?;
            let end = (start..x1).find(|&x| !ink.get(x, y)).unwrap_or(x1);
            Some(end - start)
        })
        .collect();
    runs.sort_unstable();
    let run = *runs.get(runs.len() / 2)?;
    (run >= 7).then(|| run as f32 / 7.0)
}

/// What the paper's code at the place of `code` says: `Some(text)` when it
/// reads. `paper` is registered onto the electronic page's grid.
pub fn read_paper(paper: &GrayImage, code: &QrCode) -> Option<String> {
    let (w, h) = paper.dimensions();
    let quiet = (4.0 * code.module).ceil() as u32;
    let c = Change {
        x0: code.x0,
        y0: code.y0,
        x1: code.x1,
        y1: code.y1,
        weight: 0,
    };
    let (x0, y0, x1, y1) = around(&c, quiet, w, h);
    let crop = imageops::crop_imm(paper, x0, y0, x1 - x0, y1 - y0).to_image();
    decode(&crop).map(|r| r.getText().to_string())
}

/// How the paper's code compares with the electronic page's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrCheck {
    /// It reads, and says the same.
    Same,
    /// It says something else, or cannot be read although the scan
    /// resolves its modules.
    NotSame,
    /// It cannot be read and its modules are finer than the scan resolves.
    TooFine,
}

/// Compares the paper's code at the place of `code` with it. `paper_scale`
/// is paper pixels per electronic pixel (the paper's resolution over the
/// electronic page's), before the paper was registered onto this grid.
pub fn check(paper: &GrayImage, code: &QrCode, paper_scale: f32) -> QrCheck {
    match read_paper(paper, code) {
        Some(text) if text == code.text => QrCheck::Same,
        Some(_) => QrCheck::NotSame,
        None if code.module * paper_scale < MIN_MODULE_PX => QrCheck::TooFine,
        None => QrCheck::NotSame,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A QR code of `text` drawn at `module` px a module with a 4-module
    /// quiet zone, on a white page of `side` px, at (`x`, `y`).
    fn page_with_code(text: &str, module: u32, side: u32, x: u32, y: u32) -> GrayImage {
        use rxing::Writer;
        let m = rxing::qrcode::QRCodeWriter
            .encode(text, &BarcodeFormat::QR_CODE, 0, 0)
            .expect("encodes");
        let mut img = GrayImage::from_pixel(side, side, image::Luma([255]));
        for my in 0..m.getHeight() {
            for mx in 0..m.getWidth() {
                if m.get(mx, my) {
                    for dy in 0..module {
                        for dx in 0..module {
                            img.put_pixel(
                                x + mx * module + dx,
                                y + my * module + dy,
                                image::Luma([0]),
                            );
                        }
                    }
                }
            }
        }
        img
    }

    fn ink(img: &GrayImage) -> Bitmap {
        Bitmap {
            width: img.width(),
            height: img.height(),
            data: img.as_raw().iter().map(|&v| u8::from(v < 128)).collect(),
        }
    }

    #[test]
    fn a_code_is_found_with_its_module_and_read_on_the_other_page() {
        let text = "MaHoSo:000.00.38.H38-221011-0017";
        let e = page_with_code(text, 3, 300, 40, 50);
        let c = Change {
            x0: 100,
            y0: 100,
            x1: 110,
            y1: 110,
            weight: 10,
        };
        let code = find(&e, &ink(&e), &c, 150).expect("a code");
        assert_eq!(code.text, text);
        assert!((code.module - 3.0).abs() < 0.5, "{code:?}");
        assert!(code.covers(&c));
        // A change reaching from the code onto the page beside it is not the code's.
        let wider = Change { x1: 250, ..c };
        assert!(!code.covers(&wider));
        // The symbol's box: inside the drawn code and its quiet zone.
        assert!(code.x0 >= 40 && code.y0 >= 50 && code.x1 <= 300 && code.y1 <= 300);
        // The same code on the paper reads the same; another code reads otherwise.
        assert_eq!(read_paper(&e, &code).as_deref(), Some(text));
        let other = page_with_code("MaHoSo:000.00.38.H38-221011-0018", 3, 300, 40, 50);
        assert_eq!(
            read_paper(&other, &code).as_deref(),
            Some("MaHoSo:000.00.38.H38-221011-0018")
        );
        assert_eq!(check(&e, &code, 1.0), QrCheck::Same);
        assert_eq!(check(&other, &code, 1.0), QrCheck::NotSame);
        // A paper too coarse to read: too fine at 2 paper px a module, a
        // defaced code where the scan resolves it.
        let grey = GrayImage::from_pixel(300, 300, image::Luma([128]));
        assert_eq!(check(&grey, &code, 0.66), QrCheck::TooFine);
        assert_eq!(check(&grey, &code, 1.0), QrCheck::NotSame);
        // A page with no code has none.
        let blank = GrayImage::from_pixel(300, 300, image::Luma([255]));
        assert!(find(&blank, &ink(&blank), &c, 150).is_none());
    }
}
