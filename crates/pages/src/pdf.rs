//! PDF sources. lopdf reads the structure; each page is classified once:
//! - a *scanned* page draws exactly one image that covers it, so the image's
//!   own bytes are decoded (JPEG via `image`, Flate by interpreting the samples);
//! - anything else (born-digital text, vector drawings, mixed pages, or image
//!   encodings we don't decode) is rendered by PDFium.

use std::path::{Path, PathBuf};

use image::{DynamicImage, GrayImage, ImageReader, RgbImage};
use lopdf::{Dictionary, Document as LoDocument, LoadOptions, Object, ObjectId};

use crate::{check_size, limits, Page, PageInfo, PagesError};

/// Born-digital pages are rendered at this resolution unless asked for less.
const RENDER_DPI: f32 = 200.0;

pub(crate) struct PdfSource {
    path: PathBuf,
    pages: Vec<PdfPage>,
}

struct PdfPage {
    info: PageInfo,
    /// The image that makes up a scanned page.
    image: Option<ScanImage>,
    width_pt: f32,
    height_pt: f32,
    /// /Rotate, normalised to 0, 90, 180 or 270.
    rotate: u32,
}

struct ScanImage {
    width: u32,
    height: u32,
    encoding: ImageEncoding,
}

enum ImageEncoding {
    Jpeg(Vec<u8>),
    /// Decoded samples with `channels` per pixel at 8 bits, or 1 bit grey.
    Raw {
        samples: Vec<u8>,
        channels: u8,
        bits: u8,
        invert: bool,
    },
}

impl PdfSource {
    pub fn open(path: &Path) -> Result<PdfSource, PagesError> {
        check_complete(path)?;
        let options = LoadOptions {
            max_decompressed_size: Some(crate::MAX_PAGE_BYTES as usize),
            ..Default::default()
        };
        let doc = match LoDocument::load_with_options(path, options) {
            Ok(doc) => doc,
            Err(e) if is_encryption_error(&e) || trailer_mentions_encrypt(path)? => {
                return Err(PagesError::Encrypted)
            }
            Err(e) => {
                return Err(PagesError::Corrupt {
                    reason: e.to_string(),
                })
            }
        };
        if doc.is_encrypted() || doc.was_encrypted() {
            return Err(PagesError::Encrypted);
        }
        let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if ids.is_empty() {
            return Err(PagesError::NoPages);
        }
        let mut pages = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let page = analyse_page(&doc, *id).map_err(|reason| PagesError::Corrupt {
                reason: format!("page {}: {reason}", i + 1),
            })?;
            pages.push(page);
        }
        Ok(PdfSource {
            path: path.to_path_buf(),
            pages,
        })
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn page_info(&self, index: usize) -> Result<PageInfo, PagesError> {
        self.pages
            .get(index)
            .map(|p| p.info)
            .ok_or(PagesError::NoSuchPage {
                index,
                count: self.pages.len(),
            })
    }

    /// Page `index`; a page PDFium renders also brings its text layer's
    /// words when `with_words` (a scanned page's hidden OCR text is not read:
    /// it says what a program guessed, not what the page shows).
    pub fn render(&self, index: usize, max_dpi: f32, with_words: bool) -> Result<Page, PagesError> {
        let page = &self.pages[index];
        if let Some(native) = self.scan_native(index)? {
            return Ok(Page {
                image: native.image.into_rgb8(),
                dpi: native.dpi,
                dpi_known: native.dpi_known,
                has_text: native.has_text,
                words: Vec::new(),
            });
        }
        let dpi = if max_dpi > 0.0 {
            max_dpi.min(RENDER_DPI * 1.5)
        } else {
            RENDER_DPI
        };
        // Only a page with text operators has words to read.
        let with_words = with_words && page.info.has_text;
        let (image, words) = crate::pdfium::render(&self.path, index, dpi, with_words)?;
        Ok(Page {
            image,
            dpi,
            dpi_known: true,
            has_text: page.info.has_text,
            words,
        })
    }
}

impl PdfSource {
    /// A scanned page's own image in its own colour model (a grey scan stays
    /// grey); `None` for pages PDFium has to render.
    pub fn scan_native(&self, index: usize) -> Result<Option<crate::NativePage>, PagesError> {
        let page = &self.pages[index];
        let Some(scan) = &page.image else {
            return Ok(None);
        };
        let img = rotate_native(decode_scan(scan)?, page.rotate);
        // The image covers the page, so its resolution follows from the page size.
        let (w_pt, _) = page.display_size();
        let dpi = img.width() as f32 / (w_pt / 72.0);
        Ok(Some(crate::NativePage {
            image: img,
            dpi,
            dpi_known: true,
            has_text: page.info.has_text,
        }))
    }

    /// The JPEG bytes of a scanned page as the file holds them, with what a
    /// writer needs to place them on a page again; `None` for other pages
    /// and for JPEGs that are neither grey nor YCbCr/RGB (CMYK, 16-bit).
    pub fn scan_jpeg(&self, index: usize) -> Option<crate::ScanJpeg<'_>> {
        let page = self.pages.get(index)?;
        let (bytes, width, height) = page.jpeg()?;
        let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
        decoder.read_info().ok()?;
        let grey = match decoder.info()?.pixel_format {
            jpeg_decoder::PixelFormat::L8 => true,
            jpeg_decoder::PixelFormat::RGB24 => false,
            _ => return None,
        };
        Some(crate::ScanJpeg {
            bytes,
            width,
            height,
            grey,
            width_pt: page.width_pt,
            height_pt: page.height_pt,
            rotate: page.rotate,
            has_text: page.info.has_text,
        })
    }
}

impl PdfPage {
    /// A scanned page's JPEG bytes and pixel size; `None` for other pages.
    fn jpeg(&self) -> Option<(&[u8], u32, u32)> {
        match &self.image {
            Some(ScanImage {
                width,
                height,
                encoding: ImageEncoding::Jpeg(bytes),
            }) => Some((bytes, *width, *height)),
            _ => None,
        }
    }
}

impl PdfSource {
    /// A scaled-down decode of a scanned JPEG page; `None` for other pages.
    pub fn preview(&self, index: usize, side: u32) -> Result<Option<crate::Preview>, PagesError> {
        let page = &self.pages[index];
        let Some((bytes, width, height)) = page.jpeg() else {
            return Ok(None);
        };
        let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
        // The smallest DCT scale (1/8 … 1) whose output is at least side/2 on the longer side.
        let longer = width.max(height).max(1);
        let want = (side / 2).max(1) as f32 / longer as f32;
        let req = |n: u32| ((n as f32 * want).ceil() as u16).max(1);
        let (w, h) = decoder.scale(req(width), req(height)).map_err(jpeg_error)?;
        let pixels = decoder.decode().map_err(jpeg_error)?;
        let info = decoder.info().ok_or_else(|| PagesError::Corrupt {
            reason: "JPEG without a frame header".into(),
        })?;
        let (w, h) = (u32::from(w), u32::from(h));
        let rgb: Vec<u8> = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
            jpeg_decoder::PixelFormat::RGB24 => pixels,
            jpeg_decoder::PixelFormat::CMYK32 => pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    let k = u16::from(p[3]);
                    let f = |c: u8| ((u16::from(c) * k) / 255) as u8;
                    [f(p[0]), f(p[1]), f(p[2])]
                })
                .collect(),
            jpeg_decoder::PixelFormat::L16 => pixels
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0]])
                .collect(),
        };
        let img = RgbImage::from_raw(w, h, rgb).ok_or_else(|| PagesError::Corrupt {
            reason: "JPEG data shorter than declared".into(),
        })?;
        let img = rotate_native(DynamicImage::ImageRgb8(img), page.rotate).into_rgb8();
        let (tw, th) = img.dimensions();
        let scale = (side as f32 / tw.max(th) as f32).min(1.0);
        let img = if scale < 1.0 {
            image::imageops::thumbnail(
                &img,
                ((tw as f32 * scale) as u32).max(1),
                ((th as f32 * scale) as u32).max(1),
            )
        } else {
            img
        };
        let (full_w, full_h) = if page.rotate % 180 == 90 {
            (height, width)
        } else {
            (width, height)
        };
        let (w_pt, _) = page.display_size();
        Ok(Some(crate::Preview {
            image: img,
            width_px: full_w,
            height_px: full_h,
            dpi: full_w as f32 / (w_pt / 72.0),
            dpi_known: true,
            has_text: page.info.has_text,
        }))
    }
}

fn jpeg_error(e: jpeg_decoder::Error) -> PagesError {
    match e {
        jpeg_decoder::Error::Io(io) => PagesError::Io(io),
        other => PagesError::Corrupt {
            reason: format!("JPEG: {other}"),
        },
    }
}

impl PdfPage {
    fn display_size(&self) -> (f32, f32) {
        if self.rotate % 180 == 90 {
            (self.height_pt, self.width_pt)
        } else {
            (self.width_pt, self.height_pt)
        }
    }
}

/// A PDF ends with `%%EOF`. A file cut short in transfer does not, and lopdf's
/// lenient parser would otherwise quietly recover what pages it could.
fn check_complete(path: &Path) -> Result<(), PagesError> {
    if !crate::read_tail(path, 2048)?
        .windows(5)
        .any(|w| w == b"%%EOF")
    {
        return Err(PagesError::Truncated {
            format: crate::SourceKind::Pdf,
        });
    }
    Ok(())
}

fn is_encryption_error(e: &lopdf::Error) -> bool {
    matches!(
        e,
        lopdf::Error::Decryption(_)
            | lopdf::Error::InvalidPassword
            | lopdf::Error::AlreadyEncrypted
    )
}

fn trailer_mentions_encrypt(path: &Path) -> Result<bool, PagesError> {
    Ok(crate::read_tail(path, 64 * 1024)?
        .windows(8)
        .any(|w| w == b"/Encrypt"))
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn page_box(doc: &LoDocument, page: &Dictionary) -> Option<[f32; 4]> {
    // MediaBox may be inherited from the page tree.
    let mut dict = page;
    loop {
        if let Ok(obj) = dict.get(b"MediaBox") {
            let arr = match obj {
                Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok()?,
                o => o.as_array().ok()?,
            };
            let v: Vec<f32> = arr.iter().filter_map(number).collect();
            return (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]]);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
}

fn analyse_page(doc: &LoDocument, id: ObjectId) -> Result<PdfPage, String> {
    let dict = doc.get_dictionary(id).map_err(|e| e.to_string())?;
    let [x0, y0, x1, y1] = page_box(doc, dict).unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let (width_pt, height_pt) = ((x1 - x0).abs().max(1.0), (y1 - y0).abs().max(1.0));
    let rotate = dict
        .get(b"Rotate")
        .ok()
        .and_then(number)
        .map(|r| (r as i64).rem_euclid(360) as u32)
        .unwrap_or(0);
    let rotate = rotate - rotate % 90;

    let content = doc
        .get_and_decode_page_content(id)
        .map_err(|e| format!("content stream: {e}"))?;
    let mut has_text = false;
    let mut draws = 0usize;
    let mut paths = 0usize;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tj" | "TJ" | "'" | "\"" => has_text = true,
            "Do" => draws += 1,
            "m" | "l" | "c" | "v" | "y" | "re" => paths += 1,
            _ => {}
        }
    }
    let images = doc.get_page_images(id).unwrap_or_default();
    // One image drawn once, and at most a clipping rectangle: a scan.
    let image = if draws == 1 && images.len() == 1 && paths <= 2 {
        let img = &images[0];
        let aspect_img = img.width as f32 / img.height.max(1) as f32;
        let (w, h) = if rotate % 180 == 90 {
            (height_pt, width_pt)
        } else {
            (width_pt, height_pt)
        };
        let aspect_page = if rotate % 180 == 90 { h / w } else { w / h };
        let covers = (aspect_img / aspect_page - 1.0).abs() < 0.03;
        if covers {
            scan_image(doc, img)?
        } else {
            None
        }
    } else {
        None
    };
    let scanned = image.is_some();
    Ok(PdfPage {
        info: PageInfo { has_text, scanned },
        image,
        width_pt,
        height_pt,
        rotate,
    })
}

/// Reads a scan's image bytes when we can decode them ourselves.
fn scan_image(
    doc: &LoDocument,
    img: &lopdf::xobject::PdfImage<'_>,
) -> Result<Option<ScanImage>, String> {
    let (width, height) = (img.width.max(0) as u32, img.height.max(0) as u32);
    check_size(u64::from(width), u64::from(height)).map_err(|e| e.to_string())?;
    let filters: Vec<&str> = img.filters.iter().flatten().map(String::as_str).collect();
    if img
        .origin_dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false)
    {
        return Ok(None);
    }
    match filters.as_slice() {
        ["DCTDecode"] => Ok(Some(ScanImage {
            width,
            height,
            encoding: ImageEncoding::Jpeg(img.content.to_vec()),
        })),
        [] | ["FlateDecode"] => {
            let channels = match img.color_space.as_deref() {
                Some("DeviceGray") | Some("CalGray") => 1,
                Some("DeviceRGB") | Some("CalRGB") => 3,
                Some("ICCBased") => icc_components(doc, img.origin_dict).unwrap_or(0),
                _ => 0,
            };
            let bits = img.bits_per_component.unwrap_or(8) as u8;
            if channels == 0 || !(bits == 8 || (bits == 1 && channels == 1)) {
                return Ok(None);
            }
            let stream = doc
                .get_object(img.id)
                .and_then(Object::as_stream)
                .map_err(|e| e.to_string())?;
            let samples = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream
                    .decompressed_content_with_limit(crate::MAX_PAGE_BYTES as usize)
                    .map_err(|e| format!("image data: {e}"))?
            };
            let invert = decode_inverted(img.origin_dict);
            Ok(Some(ScanImage {
                width,
                height,
                encoding: ImageEncoding::Raw {
                    samples,
                    channels,
                    bits,
                    invert,
                },
            }))
        }
        _ => Ok(None),
    }
}

fn icc_components(doc: &LoDocument, dict: &Dictionary) -> Option<u8> {
    let arr = dict.get(b"ColorSpace").ok()?.as_array().ok()?;
    let stream = doc
        .get_object(arr.get(1)?.as_reference().ok()?)
        .ok()?
        .as_stream()
        .ok()?;
    match stream.dict.get(b"N").ok()?.as_i64().ok()? {
        1 => Some(1),
        3 => Some(3),
        _ => None,
    }
}

fn decode_inverted(dict: &Dictionary) -> bool {
    let Ok(arr) = dict.get(b"Decode").and_then(Object::as_array) else {
        return false;
    };
    matches!((arr.first().and_then(number), arr.get(1).and_then(number)), (Some(a), Some(b)) if a > b)
}

/// Decodes a scan's image: grey stays grey, anything else comes as RGB.
fn decode_scan(scan: &ScanImage) -> Result<DynamicImage, PagesError> {
    match &scan.encoding {
        ImageEncoding::Jpeg(bytes) => {
            let mut reader =
                ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg);
            reader.limits(limits());
            let img: DynamicImage = reader.decode()?;
            Ok(match img {
                DynamicImage::ImageLuma8(_) => img,
                other => DynamicImage::ImageRgb8(other.into_rgb8()),
            })
        }
        ImageEncoding::Raw {
            samples,
            channels,
            bits,
            invert,
        } => {
            let (w, h) = (scan.width as usize, scan.height as usize);
            let short = || PagesError::Corrupt {
                reason: "the image data is shorter than declared".into(),
            };
            let mut rgb = Vec::with_capacity(w * h * 3);
            match (channels, bits) {
                (1, 8) => {
                    let g = samples.get(..w * h).ok_or_else(short)?;
                    let grey = g
                        .iter()
                        .map(|&v| if *invert { 255 - v } else { v })
                        .collect();
                    let img =
                        GrayImage::from_raw(scan.width, scan.height, grey).ok_or_else(short)?;
                    return Ok(DynamicImage::ImageLuma8(img));
                }
                (3, 8) => rgb.extend_from_slice(samples.get(..w * h * 3).ok_or_else(short)?),
                (1, 1) => {
                    let stride = w.div_ceil(8);
                    let rows = samples.get(..stride * h).ok_or_else(short)?;
                    for row in rows.chunks(stride) {
                        for x in 0..w {
                            let bit = row[x / 8] & (0x80 >> (x % 8)) != 0;
                            let v = if bit != *invert { 255 } else { 0 };
                            rgb.extend_from_slice(&[v, v, v]);
                        }
                    }
                }
                _ => {
                    return Err(PagesError::Corrupt {
                        reason: "unsupported image sample layout".into(),
                    })
                }
            }
            RgbImage::from_raw(scan.width, scan.height, rgb)
                .map(DynamicImage::ImageRgb8)
                .ok_or_else(short)
        }
    }
}

fn rotate_native(img: DynamicImage, degrees: u32) -> DynamicImage {
    match degrees {
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        _ => img,
    }
}
