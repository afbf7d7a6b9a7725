//! Synthetic scan conditions for tests, examples and benches: blank A4
//! pages, QR matrices drawn as modules, rotation, sensor noise and JPEG
//! round trips. Deterministic: the noise comes from a seeded generator
//! passed in by the caller, never from the system.

use image::{GrayImage, Luma};

use crate::geometry::rotate_degrees;

/// A white A4 page (210 × 297 mm) at `dpi`.
pub fn blank_a4(dpi: f32) -> GrayImage {
    let w = (210.0 / 25.4 * dpi).round() as u32;
    let h = (297.0 / 25.4 * dpi).round() as u32;
    GrayImage::from_pixel(w, h, Luma([245]))
}

/// Draws a module matrix (`true` = dark) with its top-left corner at
/// (`x`, `y`), `module` pixels per module.
pub fn draw_matrix(page: &mut GrayImage, m: &[Vec<bool>], x: u32, y: u32, module: u32) {
    for (r, row) in m.iter().enumerate() {
        for (c, dark) in row.iter().enumerate() {
            if !dark {
                continue;
            }
            for dy in 0..module {
                for dx in 0..module {
                    let (px, py) = (x + c as u32 * module + dx, y + r as u32 * module + dy);
                    if px < page.width() && py < page.height() {
                        page.put_pixel(px, py, Luma([25]));
                    }
                }
            }
        }
    }
}

/// Rotates a page by `degrees` (counter-clockwise), white behind.
pub fn rotate(page: &GrayImage, degrees: f32) -> GrayImage {
    rotate_degrees(page, degrees, Luma([245]))
}

/// A small deterministic generator (xorshift64*), seeded by the caller.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// Uniform in [-1, 1].
    pub fn unit(&mut self) -> f32 {
        self.next_u32() as f32 / u32::MAX as f32 * 2.0 - 1.0
    }
}

/// Adds uniform sensor noise of ± `amplitude` grey levels.
pub fn noise(page: &GrayImage, amplitude: u8, seed: u64) -> GrayImage {
    let mut rng = Noise::new(seed);
    let mut out = page.clone();
    for p in out.pixels_mut() {
        let v = f32::from(p.0[0]) + rng.unit() * f32::from(amplitude);
        p.0[0] = v.clamp(0.0, 255.0) as u8;
    }
    out
}

/// Encodes as JPEG at `quality` and decodes again: the artefacts a scanner's
/// JPEG leaves.
pub fn jpeg_roundtrip(page: &GrayImage, quality: u8) -> GrayImage {
    let bytes = crate::pdfout::jpeg_gray(page, quality);
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .map(|i| i.to_luma8())
        .unwrap_or_else(|_| page.clone())
}

/// One page of a synthetic batch.
#[derive(Debug, Clone)]
pub enum SynthPage {
    /// Our separator sheet for this code.
    Sheet(doisoat_domain::DossierCode),
    /// A separator sheet whose QR code is smudged beyond reading.
    SmudgedSheet(doisoat_domain::DossierCode),
    /// Content page `i` of the pages handed in.
    Content(usize),
}

/// How the batch is "scanned".
#[derive(Debug, Clone)]
pub struct ScanConditions {
    pub dpi: f32,
    /// Each page is rotated by up to ± this, in degrees.
    pub max_rotation_deg: f32,
    /// ± grey levels.
    pub noise: u8,
    pub jpeg_quality: u8,
    pub seed: u64,
}

/// A separator sheet as it looks on paper: our PDF rendered at `dpi`.
pub fn sheet_page(
    code: &doisoat_domain::DossierCode,
    dpi: f32,
) -> Result<GrayImage, crate::IntakeError> {
    let pdf = crate::sheet::separator_sheets(&[crate::sheet::SheetInfo {
        code: code.clone(),
        applicant: Some("Nguyễn Văn Đức".into()),
        date: Some("25/11/2022".into()),
        procedure: Some("1.004227".into()),
    }])?;
    let dir = tempfile::tempdir().map_err(|source| crate::IntakeError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).map_err(|source| crate::IntakeError::Io {
        path: path.clone(),
        source,
    })?;
    let doc = doisoat_pages::open(&path).map_err(|e| crate::IntakeError::Invalid(e.to_string()))?;
    let page = doc
        .render(0, dpi)
        .map_err(|e| crate::IntakeError::Invalid(e.to_string()))?;
    Ok(image::DynamicImage::ImageRgb8(page.image).to_luma8())
}

/// Content pages for a batch: every page of the documents at `paths` (the
/// committed paper scans), in grey, brought to `dpi`.
pub fn content_pages(
    paths: &[std::path::PathBuf],
    dpi: f32,
) -> Result<Vec<GrayImage>, crate::IntakeError> {
    let bad = |e: doisoat_pages::PagesError| crate::IntakeError::Invalid(e.to_string());
    let mut out = Vec::new();
    for path in paths {
        let doc = doisoat_pages::open(path).map_err(bad)?;
        for i in 0..doc.page_count() {
            let p = doc.render(i, dpi).map_err(bad)?;
            // A 150-dpi scan is resized to the batch's resolution.
            let k = dpi / p.dpi;
            let (w, h) = p.image.dimensions();
            let g = image::DynamicImage::ImageRgb8(p.image).to_luma8();
            out.push(image::imageops::resize(
                &g,
                (w as f32 * k) as u32,
                (h as f32 * k) as u32,
                image::imageops::FilterType::Triangle,
            ));
        }
    }
    Ok(out)
}

/// A scanned batch as a PDF of JPEG pages: each page rotated, noisy and
/// JPEG-compressed under `cond`. `content` pages are at `cond.dpi`.
pub fn batch_pdf(
    pages: &[SynthPage],
    content: &[GrayImage],
    cond: &ScanConditions,
) -> Result<Vec<u8>, crate::IntakeError> {
    let mut rng = Noise::new(cond.seed);
    let mut out = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        let img = match p {
            SynthPage::Sheet(code) => sheet_page(code, cond.dpi)?,
            SynthPage::SmudgedSheet(code) => {
                let mut img = sheet_page(code, cond.dpi)?;
                // A grey smear across the middle of the QR code.
                let (w, h) = img.dimensions();
                let (x0, x1) = (w * 40 / 100, w * 60 / 100);
                let (y0, y1) = (h * 12 / 100, h * 30 / 100);
                for y in y0..y1 {
                    for x in x0..x1 {
                        img.put_pixel(x, y, Luma([150]));
                    }
                }
                img
            }
            SynthPage::Content(k) => content
                .get(*k)
                .cloned()
                .ok_or_else(|| crate::IntakeError::Invalid(format!("no content page {k}")))?,
        };
        let angle = rng.unit() * cond.max_rotation_deg;
        let img = noise(
            &rotate(&img, angle),
            cond.noise,
            cond.seed.wrapping_add(i as u64),
        );
        out.push(crate::pdfout::JpegPage::from_gray(
            &img,
            cond.dpi,
            cond.jpeg_quality,
        ));
    }
    Ok(crate::pdfout::image_pdf(&out))
}
