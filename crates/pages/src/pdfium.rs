//! PDFium, loaded at run time from the `libpdfium.so` shipped in the
//! `pypdfium2` wheel (scripts/setup.sh fetches and checks it). Used to render
//! born-digital and mixed pages, which lopdf cannot rasterise.
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

/// Renders page `index` (0-based) at `dpi`.
pub(crate) fn render(path: &Path, index: usize, dpi: f32) -> Result<RgbImage, PagesError> {
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
    Ok(image.into_rgb8())
}
