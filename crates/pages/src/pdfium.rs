//! PDFium, loaded at run time from the `libpdfium.so` shipped in the
//! `pypdfium2` wheel (scripts/setup.sh fetches and checks it). Used to render
//! born-digital and mixed pages, which lopdf cannot rasterise, and to read
//! their text layer with each character's box.
//!
//! The library is looked up, in order: the path given to
//! [`set_pdfium_library`] (the desktop app passes its bundled resource), the
//! `DOISOAT_PDFIUM` environment variable, beside the running executable, and
//! the repository's `vendor/pdfium/` for development builds (found from the
//! package cargo runs, the working folder, or where this crate was built).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::RgbImage;
use pdfium_render::prelude::*;

use crate::text::{words_from_glyphs, Glyph, Word};
use crate::PagesError;

static LIBRARY_PATH: OnceLock<PathBuf> = OnceLock::new();
static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// Tells the renderer where `libpdfium.so` is. Call once, before the first
/// render; later calls are ignored.
pub fn set_pdfium_library(path: impl Into<PathBuf>) {
    let _ = LIBRARY_PATH.set(path.into());
}

fn candidates() -> Vec<PathBuf> {
    let name = Pdfium::pdfium_platform_library_name();
    let mut out = Vec::new();
    if let Some(p) = LIBRARY_PATH.get() {
        out.push(p.clone());
    }
    if let Some(p) = std::env::var_os("DOISOAT_PDFIUM") {
        out.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(dir.join(&name));
        out.push(dir.join("../lib/doisoat").join(&name));
        out.push(dir.join("../lib/Đối soát hồ sơ").join(&name));
    }
    // Development: the repository's vendor/pdfium/, found from where cargo
    // runs us (`CARGO_MANIFEST_DIR` at run time, the package being run or
    // tested) or the working folder, then from where this crate was built.
    // The build-time path alone is not enough: a build folder shared by
    // several clones keeps the path of whichever clone built this crate.
    let run_dirs = [
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        std::env::current_dir().ok(),
    ];
    for dir in run_dirs.iter().flatten() {
        for up in dir.ancestors() {
            let p = up.join("vendor/pdfium").join(&name);
            if p.is_file() {
                out.push(p);
                break;
            }
        }
    }
    out.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../vendor/pdfium")
            .join(&name),
    );
    out
}

fn pdfium() -> Result<&'static Pdfium, PagesError> {
    let bound = PDFIUM.get_or_init(|| {
        let tried = candidates();
        for path in &tried {
            if path.is_file() {
                return Pdfium::bind_to_library(path)
                    .map(Pdfium::new)
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
        }
        Err(format!(
            "libpdfium.so not found (run scripts/setup.sh; looked in {})",
            tried
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    });
    bound.as_ref().map_err(|e| PagesError::Renderer(e.clone()))
}

fn map_err(e: PdfiumError) -> PagesError {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            PagesError::Encrypted
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            PagesError::Corrupt {
                reason: "PDFium cannot parse the file".into(),
            }
        }
        other => PagesError::Renderer(other.to_string()),
    }
}

/// Renders page `index` (0-based) at `dpi`; with `with_words`, also reads
/// the page's text layer as words in the pixel grid of the rendered image.
pub(crate) fn render(
    path: &Path,
    index: usize,
    dpi: f32,
    with_words: bool,
) -> Result<(RgbImage, Vec<Word>), PagesError> {
    let pdfium = pdfium()?;
    let doc = pdfium.load_pdf_from_file(path, None).map_err(map_err)?;
    let page = doc.pages().get(index as PdfPageIndex).map_err(map_err)?;
    let width = (page.width().value / 72.0 * dpi).round().max(1.0);
    let height = (page.height().value / 72.0 * dpi).round().max(1.0);
    crate::check_size(width as u64, height as u64)?;
    let config = PdfRenderConfig::new()
        .set_target_width(width as Pixels)
        .render_form_data(true);
    let bitmap = page.render_with_config(&config).map_err(map_err)?;
    let image = bitmap.as_image().map_err(map_err)?;
    let words = if with_words {
        words(&page, &config)?
    } else {
        Vec::new()
    };
    Ok((image.into_rgb8(), words))
}

/// The page's text layer as words, in the pixels `config` renders to.
/// Characters drawn invisibly (text render mode 3, e.g. an OCR layer laid
/// under a picture) are left out: they are not what the page shows.
fn words(page: &PdfPage, config: &PdfRenderConfig) -> Result<Vec<Word>, PagesError> {
    // Page space to device space is affine (scale, 90° turns, shift): read
    // it off three points far apart, so PDFium's rounding to whole pixels
    // costs under a thousandth of a pixel per point.
    let device = |x: f32, y: f32| -> Result<(f32, f32), PagesError> {
        let (u, v) = page
            .points_to_pixels(PdfPoints::new(x), PdfPoints::new(y), config)
            .map_err(map_err)?;
        Ok((u as f32, v as f32))
    };
    const SPAN: f32 = 10_000.0;
    let (u0, v0) = device(0.0, 0.0)?;
    let (ux, vx) = device(SPAN, 0.0)?;
    let (uy, vy) = device(0.0, SPAN)?;
    let (a, b, c) = ((ux - u0) / SPAN, (uy - u0) / SPAN, u0);
    let (d, e, f) = ((vx - v0) / SPAN, (vy - v0) / SPAN, v0);
    // Words are made in page space, y turned downwards, where a line of
    // text runs along x whatever /Rotate says; then their boxes go to pixels.
    let to_pixels = |[x0, y0, x1, y1]: [f32; 4]| -> [f32; 4] {
        let mut bb = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for (x, y) in [(x0, -y0), (x1, -y0), (x0, -y1), (x1, -y1)] {
            let (u, v) = (a * x + b * y + c, d * x + e * y + f);
            bb = [bb[0].min(u), bb[1].min(v), bb[2].max(u), bb[3].max(v)];
        }
        bb
    };
    let text = page.text().map_err(map_err)?;
    let chars = text.chars();
    let glyphs = chars.iter().filter_map(|ch| {
        let c = ch.unicode_char()?;
        let invisible = ch.text_object().is_ok_and(|o| {
            matches!(
                o.render_mode(),
                PdfPageTextRenderMode::Invisible | PdfPageTextRenderMode::InvisibleClipping
            )
        });
        if invisible {
            // Stands for a space: it must not glue visible words together.
            return Some(Glyph {
                ch: ' ',
                bbox: None,
            });
        }
        let bbox = ch.tight_bounds().ok().map(|r| {
            [
                r.left().value,
                -r.top().value,
                r.right().value,
                -r.bottom().value,
            ]
        });
        Some(Glyph { ch: c, bbox })
    });
    Ok(words_from_glyphs(glyphs)
        .into_iter()
        .map(|w| {
            let [x0, y0, x1, y1] = to_pixels([w.x0, w.y0, w.x1, w.y1]);
            Word {
                x0,
                y0,
                x1,
                y1,
                ..w
            }
        })
        .collect())
}
