//! Separator sheets: one A4 page per dossier with a QR code of the dossier
//! code (our [`crate::codes::SEPARATOR_PREFIX`] payload), the code in large
//! type, the applicant and the date (dd/mm/yyyy), in Noto Sans (it carries
//! every Vietnamese glyph; the PDF holds only the glyphs used), with a text
//! layer.
//!
//! Two solid bars, at the top and at the bottom, mark the page as a
//! separator even when its QR code cannot be read ([`crate::split`] flags
//! such a sheet instead of guessing its dossier).

use doisoat_domain::DossierCode;
use lopdf::{dictionary, Document};

use crate::codes::{qr_matrix, separator_payload};
use crate::pdfout::PdfFont;
use crate::IntakeError;

/// Noto Sans Regular, the UI's bundled font (SIL OFL 1.1).
const FONT: &[u8] = include_bytes!("../../../ui/src/assets/fonts/NotoSans-Regular.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// The separator bars: 10 mm tall, 15 mm from the page's edge, 20 mm side margins.
pub const BAR_MM: f32 = 10.0;
const BAR_FROM_EDGE_MM: f32 = 15.0;
const MARGIN_MM: f32 = 20.0;
/// The QR code's side.
const QR_MM: f32 = 70.0;

const MM: f32 = 72.0 / 25.4;

/// What one sheet shows besides the code.
#[derive(Debug, Clone)]
pub struct SheetInfo {
    pub code: DossierCode,
    pub applicant: Option<String>,
    /// dd/mm/yyyy.
    pub date: Option<String>,
    pub procedure: Option<String>,
}

/// The sheets for `infos`, one page each, as PDF bytes.
pub fn separator_sheets(infos: &[SheetInfo]) -> Result<Vec<u8>, IntakeError> {
    if infos.is_empty() {
        return Err(IntakeError::Invalid("no dossier code given".into()));
    }
    let mut font = PdfFont::load("NotoSans-Regular", FONT)?;
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let contents = infos
        .iter()
        .map(|info| page_content(&mut font, info))
        .collect::<Result<Vec<_>, _>>()?;
    let font_id = font.embed(&mut doc);
    let mut kids = Vec::new();
    for content in contents {
        kids.push(crate::pdfout::add_page(
            &mut doc,
            pages_id,
            (PAGE_W, PAGE_H),
            content.into_bytes(),
            dictionary! { "Font" => dictionary! { "F1" => font_id } },
        ));
    }
    Ok(crate::pdfout::finish(doc, pages_id, kids))
}

fn page_content(font: &mut PdfFont, info: &SheetInfo) -> Result<String, IntakeError> {
    let mut c = String::new();
    let bar_w = PAGE_W - 2.0 * MARGIN_MM * MM;
    // The two separator bars.
    c.push_str("0 g\n");
    for y in [
        PAGE_H - (BAR_FROM_EDGE_MM + BAR_MM) * MM,
        BAR_FROM_EDGE_MM * MM,
    ] {
        c.push_str(&format!(
            "{:.2} {:.2} {:.2} {:.2} re f\n",
            MARGIN_MM * MM,
            y,
            bar_w,
            BAR_MM * MM
        ));
    }
    let mut line = |text: &str, size: f32, y: f32| {
        let x = (PAGE_W - font.width(text, size)) / 2.0;
        let hex = font.encode(text);
        c.push_str(&format!(
            "BT /F1 {size} Tf {x:.2} {y:.2} Td <{hex}> Tj ET\n"
        ));
    };
    line("TỜ PHÂN CÁCH HỒ SƠ", 22.0, PAGE_H - 55.0 * MM);
    line(
        "Separator sheet: place it before the dossier's pages",
        10.0,
        PAGE_H - 62.0 * MM,
    );
    let code_y = PAGE_H - 160.0 * MM;
    line(info.code.as_str(), 26.0, code_y);
    let mut y = code_y - 16.0 * MM;
    if let Some(a) = info.applicant.as_deref().filter(|a| !a.trim().is_empty()) {
        line(&format!("Người nộp: {}", a.trim()), 16.0, y);
        y -= 10.0 * MM;
    }
    if let Some(d) = info.date.as_deref().filter(|d| !d.trim().is_empty()) {
        line(&format!("Ngày tiếp nhận: {}", d.trim()), 16.0, y);
        y -= 10.0 * MM;
    }
    if let Some(p) = info.procedure.as_deref().filter(|p| !p.trim().is_empty()) {
        line(&format!("Thủ tục: {}", p.trim()), 14.0, y);
    }
    // The QR code, centred under the title.
    let m = qr_matrix(&separator_payload(&info.code))
        .ok_or_else(|| IntakeError::Invalid(format!("cannot encode {} as QR", info.code)))?;
    let module = QR_MM * MM / m.len() as f32;
    let x0 = (PAGE_W - QR_MM * MM) / 2.0;
    let y_top = PAGE_H - 70.0 * MM;
    for (r, row) in m.iter().enumerate() {
        for (col, dark) in row.iter().enumerate() {
            if *dark {
                c.push_str(&format!(
                    "{:.3} {:.3} {:.3} {:.3} re\n",
                    x0 + col as f32 * module,
                    y_top - (r + 1) as f32 * module,
                    module,
                    module
                ));
            }
        }
    }
    c.push_str("f\n");
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{classify, read_codes, CodeMeaning};

    #[test]
    fn sheet_round_trips_through_pdfium_and_the_qr_reader() {
        let code = DossierCode::new("000.00.38.H38-221125-0001").unwrap();
        let pdf = separator_sheets(&[
            SheetInfo {
                code: code.clone(),
                applicant: Some("Nguyễn Văn Đức".into()),
                date: Some("25/11/2022".into()),
                procedure: Some("1.004227".into()),
            },
            SheetInfo {
                code: DossierCode::new("000.00.38.H38-221125-0002").unwrap(),
                applicant: None,
                date: None,
                procedure: None,
            },
        ])
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheets.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let doc = doisoat_pages::open(&path).unwrap();
        assert_eq!(doc.page_count(), 2);
        let page = doc.render(0, 200.0).unwrap();
        assert!(page.has_text, "the sheet carries a text layer");
        let grey = image::DynamicImage::ImageRgb8(page.image).to_luma8();
        let found = read_codes(&grey, page.dpi);
        assert_eq!(found.len(), 1);
        assert_eq!(classify(&found[0].text), CodeMeaning::Separator { code });
        assert!(crate::split::has_separator_bars(&grey));
        // The font is embedded and the Vietnamese text is in the file.
        let lo = lopdf::Document::load_mem(&pdf).unwrap();
        let text = lo.extract_text(&[1]).unwrap();
        assert!(text.contains("Nguyễn Văn Đức"), "{text}");
        assert!(text.contains("25/11/2022"), "{text}");
        assert!(pdf.windows(8).any(|w| w == b"FontFile"));
    }
}
