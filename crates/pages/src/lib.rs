//! Pages: open a PDF, JPEG, PNG or TIFF and hand out its pages as pixels.
//!
//! Responsibilities:
//! - sniff the format from the bytes and refuse a wrong extension ([`open`]);
//! - split PDFs into pages: a scanned page's image is decoded directly
//!   (JPEG or Flate), born-digital and mixed pages are rendered by PDFium;
//! - split single- and multi-page TIFF, and JPEG/PNG;
//! - report each page's size, dpi when known and whether it has a text layer;
//! - read a born-digital page's text layer as words with boxes on the
//!   rendered image ([`text`]);
//! - compute the perceptual fingerprint and the thumbnail of a page.
//!
//! Every decode runs under explicit limits, so a file that declares
//! 50,000 × 50,000 px is refused before anything is allocated.

mod detect;
mod error;
pub mod fingerprint;
mod pdf;
mod pdfium;
mod raster;
pub mod resample;
pub mod text;
pub mod thumbnail;

use std::path::{Path, PathBuf};

pub use detect::{sniff, SourceKind};
pub use error::PagesError;
pub use fingerprint::{fingerprint, Fingerprint};
pub use pdfium::set_pdfium_library;
pub use text::Word;

/// The largest image side doisoat decodes. A4 at 600 dpi is 4961 × 7016 px;
/// an A0 plan at 300 dpi is about 9933 × 14043 px.
pub const MAX_SIDE_PX: u32 = 20_000;
/// The most memory one decoded page may take.
pub const MAX_PAGE_BYTES: u64 = 600 * 1024 * 1024;

/// One page, decoded to pixels.
#[derive(Debug, Clone)]
pub struct Page {
    pub image: image::RgbImage,
    /// Pixels per inch of `image`: the scan's own resolution when the file
    /// states it, else what the page size implies, else 200.
    pub dpi: f32,
    /// Whether `dpi` came from the file (JFIF/pHYs/TIFF tags or the PDF page size).
    pub dpi_known: bool,
    /// Whether the page carries a text layer (PDF text operators).
    pub has_text: bool,
    /// The words of the text layer of a page PDFium renders (born-digital
    /// or mixed), in the pixel grid of `image`, in content order. Empty for
    /// scans, images and pages without text.
    pub words: Vec<Word>,
}

/// What is known about a page without decoding it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageInfo {
    pub has_text: bool,
    /// `true` when the page is one image covering the page (a scan).
    pub scanned: bool,
}

/// An opened source file. Cheap to keep: pixel data is decoded per page.
pub struct Document {
    path: PathBuf,
    kind: SourceKind,
    inner: Inner,
}

enum Inner {
    Pdf(pdf::PdfSource),
    Raster(raster::RasterSource),
}

/// Opens `path`, checks that its extension agrees with its content, and
/// counts its pages. Nothing is decoded yet.
pub fn open(path: &Path) -> Result<Document, PagesError> {
    let kind = detect::sniff(path)?;
    let inner = match kind {
        SourceKind::Pdf => Inner::Pdf(pdf::PdfSource::open(path)?),
        SourceKind::Jpeg | SourceKind::Png | SourceKind::Tiff => {
            Inner::Raster(raster::RasterSource::open(path, kind)?)
        }
    };
    Ok(Document {
        path: path.to_path_buf(),
        kind,
        inner,
    })
}

impl Document {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    pub fn page_count(&self) -> usize {
        match &self.inner {
            Inner::Pdf(p) => p.page_count(),
            Inner::Raster(r) => r.page_count(),
        }
    }

    pub fn page_info(&self, index: usize) -> Result<PageInfo, PagesError> {
        match &self.inner {
            Inner::Pdf(p) => p.page_info(index),
            Inner::Raster(_) => Ok(PageInfo {
                has_text: false,
                scanned: true,
            }),
        }
    }

    /// Page `index` (0-based). Scanned pages and images come at their native
    /// resolution, downscaled when above `max_dpi`; born-digital PDF pages are
    /// rendered by PDFium at `max_dpi`, with the words of their text layer.
    pub fn render(&self, index: usize, max_dpi: f32) -> Result<Page, PagesError> {
        self.render_page(index, max_dpi, true)
    }

    /// [`Document::render`]; the text layer is read only `with_words`.
    fn render_page(
        &self,
        index: usize,
        max_dpi: f32,
        with_words: bool,
    ) -> Result<Page, PagesError> {
        if index >= self.page_count() {
            return Err(PagesError::NoSuchPage {
                index,
                count: self.page_count(),
            });
        }
        let page = match &self.inner {
            Inner::Pdf(p) => p.render(index, max_dpi, with_words)?,
            Inner::Raster(r) => r.render(index)?,
        };
        Ok(downscale_to(page, max_dpi))
    }
}

/// One page in its own colour model: a grey scan stays one byte per pixel,
/// anything else is RGB. Cheaper than [`Page`] for work that wants grey.
#[derive(Debug, Clone)]
pub struct NativePage {
    /// `ImageLuma8` or `ImageRgb8`.
    pub image: image::DynamicImage,
    pub dpi: f32,
    pub dpi_known: bool,
    pub has_text: bool,
}

/// A scanned PDF page's JPEG exactly as the file holds it, and where it
/// sits: enough to put the same bytes on a page of another PDF without
/// decoding or re-encoding them.
#[derive(Debug, Clone, Copy)]
pub struct ScanJpeg<'a> {
    pub bytes: &'a [u8],
    pub width: u32,
    pub height: u32,
    /// One component (grey); otherwise three (YCbCr or RGB).
    pub grey: bool,
    /// The page's MediaBox size, before /Rotate.
    pub width_pt: f32,
    pub height_pt: f32,
    /// /Rotate: 0, 90, 180 or 270.
    pub rotate: u32,
    /// The page also carries a text layer (which the bytes alone do not).
    pub has_text: bool,
}

impl Document {
    /// Like [`Document::render`], but a grey scan comes back grey (no RGB
    /// copy is made) and a scanned PDF page's image is decoded as it is.
    pub fn render_native(&self, index: usize, max_dpi: f32) -> Result<NativePage, PagesError> {
        if let Inner::Pdf(p) = &self.inner {
            if index < p.page_count() {
                if let Some(page) = p.scan_native(index)? {
                    return Ok(downscale_native(page, max_dpi));
                }
            }
        }
        let page = self.render_page(index, max_dpi, false)?;
        Ok(NativePage {
            image: image::DynamicImage::ImageRgb8(page.image),
            dpi: page.dpi,
            dpi_known: page.dpi_known,
            has_text: page.has_text,
        })
    }

    /// The JPEG bytes of page `index` when it is a scanned PDF page stored
    /// as one grey or colour JPEG; `None` otherwise.
    pub fn scan_jpeg(&self, index: usize) -> Option<ScanJpeg<'_>> {
        match &self.inner {
            Inner::Pdf(p) => p.scan_jpeg(index),
            Inner::Raster(_) => None,
        }
    }
}

/// A small picture of a page with the page's true facts, for fingerprints
/// and thumbnails at ingest.
#[derive(Debug, Clone)]
pub struct Preview {
    /// At most about `side` pixels on its longer side (never smaller than
    /// half of that, so fingerprints stay comparable).
    pub image: image::RgbImage,
    /// The page's full size in pixels at `dpi`.
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: f32,
    pub dpi_known: bool,
    pub has_text: bool,
}

impl Document {
    /// A preview of page `index`, cheaper than [`Document::render`]: scanned
    /// JPEG pages in PDFs are decoded with DCT scaling (every coefficient is
    /// still read, so damaged data is still caught), born-digital pages are
    /// rendered at low resolution.
    pub fn preview(&self, index: usize, side: u32) -> Result<Preview, PagesError> {
        if index >= self.page_count() {
            return Err(PagesError::NoSuchPage {
                index,
                count: self.page_count(),
            });
        }
        if let Inner::Pdf(p) = &self.inner {
            if let Some(preview) = p.preview(index, side)? {
                return Ok(preview);
            }
        }
        let info = self.page_info(index)?;
        // Born-digital pages: render at a resolution that gives about `side` px.
        let page = self.render_page(index, if info.scanned { 0.0 } else { 100.0 }, false)?;
        let (w, h) = page.image.dimensions();
        let scale = (side as f32 / w.max(h) as f32).min(1.0);
        let small = image::imageops::thumbnail(
            &page.image,
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        Ok(Preview {
            image: small,
            width_px: w,
            height_px: h,
            dpi: page.dpi,
            dpi_known: page.dpi_known && info.scanned,
            has_text: page.has_text,
        })
    }
}

/// The pixel size a `width`×`height` page at `dpi` takes at `max_dpi`
/// (aspect kept), or `None` when it is not above `max_dpi`.
fn shrunk_size(width: u32, height: u32, dpi: f32, max_dpi: f32) -> Option<(u32, u32)> {
    if dpi <= max_dpi * 1.05 || max_dpi <= 0.0 {
        return None;
    }
    let f = max_dpi / dpi;
    let scale = |n: u32| ((n as f32 * f).round() as u32).max(1);
    Some((scale(width), scale(height)))
}

/// Shrinks a page whose resolution exceeds `max_dpi`, keeping its aspect.
fn downscale_to(page: Page, max_dpi: f32) -> Page {
    let Some((w, h)) = shrunk_size(page.image.width(), page.image.height(), page.dpi, max_dpi)
    else {
        return page;
    };
    let factor = w as f32 / page.image.width() as f32;
    let image = resample::resize_rgb(&page.image, w, h);
    Page {
        image,
        dpi: max_dpi,
        words: page.words.iter().map(|word| word.scaled(factor)).collect(),
        ..page
    }
}

/// [`downscale_to`] for a [`NativePage`].
fn downscale_native(page: NativePage, max_dpi: f32) -> NativePage {
    let Some((w, h)) = shrunk_size(page.image.width(), page.image.height(), page.dpi, max_dpi)
    else {
        return page;
    };
    let image = page
        .image
        .resize_exact(w, h, image::imageops::FilterType::Triangle);
    NativePage {
        image,
        dpi: max_dpi,
        ..page
    }
}

/// Decoding limits shared by every decoder.
pub(crate) fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE_PX);
    l.max_image_height = Some(MAX_SIDE_PX);
    l.max_alloc = Some(MAX_PAGE_BYTES);
    l
}

/// The last `n` bytes of a file (all of it when shorter): where PDFs keep
/// their trailer and end marker, and JPEGs their end-of-image marker.
pub(crate) fn read_tail(path: &Path, n: u64) -> Result<Vec<u8>, PagesError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let tail = len.min(n);
    f.seek(SeekFrom::Start(len - tail))?;
    let mut buf = Vec::with_capacity(tail as usize);
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// Checks declared dimensions before anything is allocated.
pub(crate) fn check_size(width: u64, height: u64) -> Result<(), PagesError> {
    if width == 0 || height == 0 {
        return Err(PagesError::Corrupt {
            reason: "image has no pixels".into(),
        });
    }
    if width > u64::from(MAX_SIDE_PX)
        || height > u64::from(MAX_SIDE_PX)
        || width * height * 3 > MAX_PAGE_BYTES
    {
        return Err(PagesError::TooLarge { width, height });
    }
    Ok(())
}
