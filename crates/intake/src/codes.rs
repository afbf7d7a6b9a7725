//! Reading codes off a page: QR codes (separator sheets, Mẫu 01 receipts) and
//! Code128, with `rxing` and an explicit list of formats (never "try every
//! format": slow, and it invents UPC-E codes on noise).
//!
//! A page is read in cheap passes, stopping at the first that finds a code:
//! 1. QR on the whole page at about 100 dpi (separator QR codes are large);
//! 2. QR in the top-left corner at up to 200 dpi (a receipt's QR is small and
//!    sits there, circular 01/2023/TT-VPCP art. 26);
//! 3. Code128 in the top third at up to 200 dpi, after a Gaussian blur (σ≈1),
//!    which it needs to survive scanner noise.
//!
//! What a decoded text means is [`classify`]'s job: our separator payload, a
//! receipt payload holding a dossier code somewhere, or something else.

use std::collections::HashSet;

use doisoat_domain::code::CodeCheck;
use doisoat_domain::DossierCode;
use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

/// What our separator sheets' QR codes start with; the dossier code follows.
pub const SEPARATOR_PREFIX: &str = "DOISOAT-SEP:";

/// The symbologies doisoat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    Qr,
    Code128,
}

/// A code read off a page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FoundCode {
    pub symbology: Symbology,
    pub text: String,
}

/// What a decoded text is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CodeMeaning {
    /// A doisoat separator sheet for this dossier.
    Separator { code: DossierCode },
    /// A separator payload whose code does not pass the dossier-code check:
    /// never linked to a guess.
    BadSeparator { raw: String },
    /// A receipt (or any paper issued by the provincial system) whose payload
    /// holds this dossier code.
    Receipt { code: DossierCode },
    /// A code that names no dossier.
    Other { text: String },
}

/// The payload of a separator sheet's QR code.
pub fn separator_payload(code: &DossierCode) -> String {
    format!("{SEPARATOR_PREFIX}{code}")
}

/// Reads what a decoded text means, checking codes against the national
/// pattern (shape and a date that exists).
pub fn classify(text: &str) -> CodeMeaning {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix(SEPARATOR_PREFIX) {
        return match DossierCode::new(rest) {
            Some(code) if code.check() == CodeCheck::Valid => CodeMeaning::Separator { code },
            _ => CodeMeaning::BadSeparator {
                raw: rest.to_string(),
            },
        };
    }
    match DossierCode::find_in(text) {
        Some(code) => CodeMeaning::Receipt { code },
        None => CodeMeaning::Other {
            text: text.to_string(),
        },
    }
}

/// Reads the codes on a grey page scanned at `dpi`, in the passes described
/// in the module documentation. Returns every code of the first pass that
/// finds one (empty when none does).
pub fn read_codes(page: &GrayImage, dpi: f32) -> Vec<FoundCode> {
    let dpi = if dpi > 0.0 { dpi } else { 200.0 };
    read_codes_with(page, &scale_to_dpi(page, dpi, 100.0), dpi)
}

/// [`read_codes`] with the page's ~100-dpi copy already made (the quality
/// checks use the same one).
pub fn read_codes_with(page: &GrayImage, coarse: &GrayImage, dpi: f32) -> Vec<FoundCode> {
    // 1. QR, whole page, about 100 dpi: a separator's QR is large, a quick look suffices.
    if let Some(c) = decode(coarse, BarcodeFormat::QR_CODE, false) {
        return vec![c];
    }
    // 2. QR, top-left corner, up to 200 dpi, looked at hard.
    let (w, h) = page.dimensions();
    let fine_corner =
        |wf: u32, hf: u32| into_dpi(top_left(page, (w / wf).max(1), (h / hf).max(1)), dpi, 200.0);
    let corner = fine_corner(2, 3);
    if let Some(c) = decode(&corner, BarcodeFormat::QR_CODE, true) {
        return vec![c];
    }
    // 3. Code128, top third, blurred (σ≈1).
    let top = fine_corner(1, 3);
    if let Some(c) = decode(&binomial_blur(&top), BarcodeFormat::CODE_128, true) {
        return vec![c];
    }
    Vec::new()
}

/// The top-left `cw` × `ch` pixels of `page`, copied row by row.
fn top_left(page: &GrayImage, cw: u32, ch: u32) -> GrayImage {
    let (w, h) = page.dimensions();
    let (cw, ch) = (cw.min(w), ch.min(h));
    let mut buf = Vec::with_capacity(cw as usize * ch as usize);
    for row in page.as_raw().chunks_exact(w as usize).take(ch as usize) {
        buf.extend_from_slice(&row[..cw as usize]);
    }
    GrayImage::from_raw(cw, ch, buf).expect("buffer has the crop's size")
}

/// A Gaussian blur of σ = 1 approximated by the binomial kernel
/// [1 4 6 4 1]/16 along each axis, in integers (edges repeat the border
/// pixel): cheap enough for every page.
pub fn binomial_blur(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    if wu < 5 || hu < 5 {
        return img.clone();
    }
    let src = img.as_raw();
    // Along rows: at most 16 × 255, so u16 holds it.
    let mut tmp = vec![0u16; wu * hu];
    for (row, out) in src.chunks_exact(wu).zip(tmp.chunks_exact_mut(wu)) {
        let at = |x: isize| u16::from(row[x.clamp(0, wu as isize - 1) as usize]);
        for x in [0, 1, wu - 2, wu - 1] {
            let x = x as isize;
            out[x as usize] = at(x - 2) + 4 * at(x - 1) + 6 * at(x) + 4 * at(x + 1) + at(x + 2);
        }
        for (o, win) in out[2..wu - 2].iter_mut().zip(row.windows(5)) {
            let v = |i: usize| u16::from(win[i]);
            *o = v(0) + 4 * v(1) + 6 * v(2) + 4 * v(3) + v(4);
        }
    }
    // Along columns: at most 16 × 16 × 255 + 128 = 65,408, still u16.
    let mut out = vec![0u8; wu * hu];
    for y in 0..hu {
        let r = |d: isize| {
            let yy = (y as isize + d).clamp(0, hu as isize - 1) as usize;
            &tmp[yy * wu..(yy + 1) * wu]
        };
        let rows = r(-2).iter().zip(r(-1)).zip(r(0)).zip(r(1)).zip(r(2));
        for (o, ((((a, b), c), d), e)) in out[y * wu..(y + 1) * wu].iter_mut().zip(rows) {
            let acc = a + 4 * b + 6 * c + 4 * d + e + 128;
            *o = (acc >> 8) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("buffer has the image's size")
}

/// Reads one code of `format` anywhere in `img`; `hard` looks at every row.
pub fn decode(img: &GrayImage, format: BarcodeFormat, hard: bool) -> Option<FoundCode> {
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let mut hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([format])),
        TryHarder: Some(hard),
        ..Default::default()
    };
    let r = rxing::helpers::detect_in_luma_slice_with_hints(img.as_raw(), w, h, None, &mut hints)
        .ok()?;
    let symbology = match r.getBarcodeFormat() {
        BarcodeFormat::QR_CODE => Symbology::Qr,
        BarcodeFormat::CODE_128 => Symbology::Code128,
        // Only the formats asked for can come back; anything else is not trusted.
        _ => return None,
    };
    Some(FoundCode {
        symbology,
        text: r.getText().to_string(),
    })
}

/// `img` (at `dpi`) resampled to `target` dpi when it is finer than that.
/// A whole-number ratio (200 → 100, 300 → 100 dpi) averages k × k blocks
/// and 3 : 2 (300 → 200 dpi) averages each 3 × 3 block into 2 × 2 by area,
/// in integers; any other ratio is resampled with a triangle filter.
pub fn scale_to_dpi(img: &GrayImage, dpi: f32, target: f32) -> GrayImage {
    if dpi <= target * 1.05 {
        return img.clone();
    }
    let ratio = dpi / target;
    let k = ratio.round();
    if k >= 2.0 && (ratio - k).abs() <= 0.05 * k {
        return box_shrink(img, k as u32);
    }
    if (ratio - 1.5).abs() <= 0.05 * 1.5 {
        return shrink_three_to_two(img);
    }
    let f = target / dpi;
    let w = ((img.width() as f32 * f).round() as u32).max(1);
    let h = ((img.height() as f32 * f).round() as u32).max(1);
    image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle)
}

/// [`scale_to_dpi`] that hands `img` back untouched instead of copying it.
fn into_dpi(img: GrayImage, dpi: f32, target: f32) -> GrayImage {
    if dpi <= target * 1.05 {
        img
    } else {
        scale_to_dpi(&img, dpi, target)
    }
}

/// Each 3 × 3 block into 2 × 2 by area: along each axis, pixels a b c
/// become (2a + b)/3 and (b + 2c)/3 (a partial block at an edge is dropped).
fn shrink_three_to_two(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let (bw, bh) = ((w / 3) as usize, (h / 3) as usize);
    if bw == 0 || bh == 0 {
        let (ow, oh) = ((w * 2 / 3).max(1), (h * 2 / 3).max(1));
        return image::imageops::resize(img, ow, oh, image::imageops::FilterType::Triangle);
    }
    let (ow, wu) = (2 * bw, w as usize);
    let across = |row: &[u8], out: &mut [u16]| {
        for (o, p) in out.chunks_exact_mut(2).zip(row.chunks_exact(3)) {
            let (a, b, c) = (u16::from(p[0]), u16::from(p[1]), u16::from(p[2]));
            o[0] = 2 * a + b;
            o[1] = b + 2 * c;
        }
    };
    let src = img.as_raw();
    let mut out = vec![0u8; ow * 2 * bh];
    let (mut r0, mut r1, mut r2) = (vec![0u16; ow], vec![0u16; ow], vec![0u16; ow]);
    for (by, pair) in out.chunks_exact_mut(2 * ow).enumerate() {
        let y = 3 * by * wu;
        across(&src[y..y + wu], &mut r0);
        across(&src[y + wu..y + 2 * wu], &mut r1);
        across(&src[y + 2 * wu..y + 3 * wu], &mut r2);
        let (top, bottom) = pair.split_at_mut(ow);
        for (x, (t, b)) in top.iter_mut().zip(bottom.iter_mut()).enumerate() {
            // Both passes weigh by 3: at most 9 × 255, so u16 holds it.
            *t = ((2 * r0[x] + r1[x] + 4) / 9) as u8;
            *b = ((r1[x] + 2 * r2[x] + 4) / 9) as u8;
        }
    }
    GrayImage::from_raw(ow as u32, 2 * bh as u32, out).expect("buffer has the image's size")
}

/// The mean of each `k` × `k` block (a partial block at the right or
/// bottom edge is dropped).
fn box_shrink(img: &GrayImage, k: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (ow, oh) = ((w / k).max(1), (h / k).max(1));
    if w < k || h < k {
        return image::imageops::resize(img, ow, oh, image::imageops::FilterType::Triangle);
    }
    let (wu, ku) = (w as usize, k as usize);
    let src = img.as_raw();
    let mut out = vec![0u8; ow as usize * oh as usize];
    if k == 2 {
        // 200 → 100 dpi, the usual case: two rows at a time, pairs summed in u16.
        for (oy, out_row) in out.chunks_exact_mut(ow as usize).enumerate() {
            let r0 = &src[2 * oy * wu..][..2 * ow as usize];
            let r1 = &src[(2 * oy + 1) * wu..][..2 * ow as usize];
            for ((o, a), b) in out_row
                .iter_mut()
                .zip(r0.chunks_exact(2))
                .zip(r1.chunks_exact(2))
            {
                let sum = u16::from(a[0]) + u16::from(a[1]) + u16::from(b[0]) + u16::from(b[1]);
                *o = ((sum + 2) >> 2) as u8;
            }
        }
        return GrayImage::from_raw(ow, oh, out).expect("buffer has the image's size");
    }
    let mut acc = vec![0u32; ow as usize];
    let area = k * k;
    for (oy, out_row) in out.chunks_exact_mut(ow as usize).enumerate() {
        acc.fill(0);
        for dy in 0..ku {
            let y = oy * ku + dy;
            let row = &src[y * wu..y * wu + ow as usize * ku];
            for (a, block) in acc.iter_mut().zip(row.chunks_exact(ku)) {
                *a += block.iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        for (o, a) in out_row.iter_mut().zip(&acc) {
            *o = ((a + area / 2) / area) as u8;
        }
    }
    GrayImage::from_raw(ow, oh, out).expect("buffer has the image's size")
}

/// A QR code of `text` as a module matrix (`true` = dark), quiet zone
/// included, error correction level M.
pub fn qr_matrix(text: &str) -> Option<Vec<Vec<bool>>> {
    use rxing::Writer;
    let hints = rxing::EncodeHints {
        ErrorCorrection: Some("M".into()),
        ..Default::default()
    };
    let m = rxing::qrcode::QRCodeWriter
        .encode_with_hints(text, &BarcodeFormat::QR_CODE, 0, 0, &hints)
        .ok()?;
    Some(
        (0..m.getHeight())
            .map(|y| (0..m.getWidth()).map(|x| m.get(x, y)).collect())
            .collect(),
    )
}

/// A Code128 bar pattern of `text` (`true` = bar), quiet zones included.
pub fn code128_bars(text: &str) -> Option<Vec<bool>> {
    use rxing::Writer;
    let m = rxing::oned::Code128Writer
        .encode(text, &BarcodeFormat::CODE_128, 0, 0)
        .ok()?;
    Some((0..m.getWidth()).map(|x| m.get(x, 0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testimg;

    const CODE: &str = "000.00.38.H38-221125-0001";

    #[test]
    fn payloads_are_classified_and_checked() {
        let code = DossierCode::new(CODE).unwrap();
        assert_eq!(
            classify(&separator_payload(&code)),
            CodeMeaning::Separator { code: code.clone() }
        );
        assert_eq!(
            classify("DOISOAT-SEP:000.00.38.H38-221399-0001"),
            CodeMeaning::BadSeparator {
                raw: "000.00.38.H38-221399-0001".into()
            }
        );
        assert_eq!(
            classify("MaHoSo:000.00.38.H38-221125-0001|MaTTHC:1.004227|CCCD:080123456789"),
            CodeMeaning::Receipt { code }
        );
        assert_eq!(
            classify("https://dichvucong.gov.vn"),
            CodeMeaning::Other {
                text: "https://dichvucong.gov.vn".into()
            }
        );
    }

    #[test]
    fn qr_in_the_corner_is_read_through_noise_and_rotation() {
        let payload = format!("MaHoSo:{CODE}|MaTTHC:1.004227|CCCD:080123456789|HeThong:DVC");
        let m = qr_matrix(&payload).unwrap();
        // A4 at 200 dpi, QR of 4-px modules at the top left, rotated 1.5°, noisy.
        let mut page = testimg::blank_a4(200.0);
        testimg::draw_matrix(&mut page, &m, 120, 120, 4);
        let page = testimg::rotate(&page, 1.5);
        let page = testimg::noise(&page, 18, 7);
        let found = read_codes(&page, 200.0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].symbology, Symbology::Qr);
        assert_eq!(found[0].text, payload);
    }

    #[test]
    fn codes_on_a_300_dpi_scan_are_read_at_200_dpi() {
        // The receipt QR (6-px modules at 300 dpi) and a Code128 line (5-px
        // modules) go through the 3 : 2 shrink before rxing sees them.
        let payload = format!("MaHoSo:{CODE}|MaTTHC:1.004227");
        let mut page = testimg::blank_a4(300.0);
        testimg::draw_matrix(&mut page, &qr_matrix(&payload).unwrap(), 180, 180, 6);
        let page = testimg::noise(&testimg::rotate(&page, -1.0), 18, 4);
        let found = read_codes(&page, 300.0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, payload);

        let mut page = testimg::blank_a4(300.0);
        for (i, dark) in code128_bars(CODE).unwrap().iter().enumerate() {
            if *dark {
                for dx in 0..5 {
                    for y in 300..480 {
                        page.put_pixel(450 + i as u32 * 5 + dx, y, image::Luma([20]));
                    }
                }
            }
        }
        let found = read_codes(&testimg::noise(&page, 30, 6), 300.0);
        assert_eq!(
            found,
            vec![FoundCode {
                symbology: Symbology::Code128,
                text: CODE.into()
            }]
        );
    }

    #[test]
    fn code128_is_read_after_blur() {
        let bars = code128_bars(CODE).unwrap();
        let mut page = testimg::blank_a4(200.0);
        for (i, dark) in bars.iter().enumerate() {
            if *dark {
                for dx in 0..3 {
                    for y in 200..320 {
                        page.put_pixel(300 + i as u32 * 3 + dx, y, image::Luma([20]));
                    }
                }
            }
        }
        let page = testimg::noise(&page, 30, 3);
        let found = read_codes(&page, 200.0);
        assert_eq!(
            found,
            vec![FoundCode {
                symbology: Symbology::Code128,
                text: CODE.into()
            }]
        );
    }

    #[test]
    fn blur_spreads_a_point_by_the_binomial_kernel() {
        let mut img = GrayImage::from_pixel(9, 9, image::Luma([0]));
        img.put_pixel(4, 4, image::Luma([255]));
        let b = binomial_blur(&img);
        // 255 × (kx·ky)/256, rounded: kernel [1 4 6 4 1] along each axis.
        assert_eq!(b.get_pixel(4, 4)[0], 36);
        assert_eq!(b.get_pixel(4, 3)[0], 24);
        assert_eq!(b.get_pixel(2, 4)[0], 6);
        assert_eq!(b.get_pixel(3, 3)[0], 16);
        assert_eq!(b.get_pixel(2, 2)[0], 1);
        assert_eq!(b.get_pixel(1, 4)[0], 0);
        // Flat areas, borders included, stay flat.
        let flat = binomial_blur(&GrayImage::from_pixel(7, 6, image::Luma([100])));
        assert!(flat.pixels().all(|p| p[0] == 100));
    }

    #[test]
    fn whole_ratios_average_blocks() {
        let img = GrayImage::from_fn(7, 5, |x, y| image::Luma([(x * 10 + y * 3) as u8]));
        let half = scale_to_dpi(&img, 200.0, 100.0);
        assert_eq!(half.dimensions(), (3, 2));
        // Block (0,0): 0, 10, 3, 13 → 6.5 → 7; block (2,1): 46, 56, 49, 59 → 52.5 → 53.
        assert_eq!(half.get_pixel(0, 0)[0], 7);
        assert_eq!(half.get_pixel(2, 1)[0], 53);
        let third = scale_to_dpi(&img, 300.0, 100.0);
        assert_eq!(third.dimensions(), (2, 1));
        // Block (1,0): x 3..6, y 0..3 → mean 40 + 3 = 43.
        assert_eq!(third.get_pixel(1, 0)[0], 43);
        assert_eq!(scale_to_dpi(&img, 100.0, 100.0), img);
        // 300 → 200 dpi: 3 × 3 blocks into 2 × 2 by area.
        let fine = GrayImage::from_fn(7, 4, |x, y| image::Luma([(x * 30 + y * 9) as u8]));
        let two_thirds = scale_to_dpi(&fine, 300.0, 200.0);
        assert_eq!(two_thirds.dimensions(), (4, 2));
        // Row pass: 0 30 60 → 30/3 = 10 and 150/3 = 50 (weights 2:1, 1:2); columns add
        // 9·(2·0 + 1)/3 = 3 and 9·(1 + 2·2)/3 = 15.
        assert_eq!(two_thirds.get_pixel(0, 0)[0], 13);
        assert_eq!(two_thirds.get_pixel(1, 0)[0], 53);
        assert_eq!(two_thirds.get_pixel(0, 1)[0], 25);
        assert_eq!(two_thirds.get_pixel(3, 1)[0], 155);
    }

    #[test]
    fn a_page_without_codes_gives_nothing() {
        let page = testimg::noise(&testimg::blank_a4(200.0), 20, 1);
        assert!(read_codes(&page, 200.0).is_empty());
    }
}
