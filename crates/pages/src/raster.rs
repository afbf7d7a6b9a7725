//! JPEG, PNG and TIFF sources. JPEG and PNG have one page; TIFF has one page
//! per image directory (IFD). Resolution comes from JFIF, pHYs or the TIFF
//! resolution tags.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use tiff::decoder::{Decoder as TiffDecoder, DecodingResult, Limits as TiffLimits};
use tiff::tags::Tag;
use tiff::ColorType;

use crate::{check_size, limits, Page, PagesError, SourceKind};

/// Used when a file states no resolution: the minimum of the digitisation rules.
const ASSUMED_DPI: f32 = 200.0;

pub(crate) struct RasterSource {
    path: PathBuf,
    kind: SourceKind,
    pages: usize,
}

impl RasterSource {
    pub fn open(path: &Path, kind: SourceKind) -> Result<RasterSource, PagesError> {
        let pages = match kind {
            SourceKind::Tiff => count_tiff_pages(path)?,
            SourceKind::Jpeg => {
                check_jpeg_complete(path)?;
                header_size(path)?
            }
            _ => header_size(path)?,
        };
        Ok(RasterSource {
            path: path.to_path_buf(),
            kind,
            pages,
        })
    }

    pub fn page_count(&self) -> usize {
        self.pages
    }

    pub fn render(&self, index: usize) -> Result<Page, PagesError> {
        match self.kind {
            SourceKind::Tiff => render_tiff(&self.path, index),
            _ => render_single(&self.path, self.kind),
        }
    }
}

/// Reads the header now, so that absurd dimensions are refused at open.
fn header_size(path: &Path) -> Result<usize, PagesError> {
    let reader = ImageReader::open(path)?.with_guessed_format()?;
    let (w, h) = reader.into_dimensions()?;
    check_size(u64::from(w), u64::from(h))?;
    Ok(1)
}

/// A JPEG ends with its EOI marker (FF D9). The decoder fills a cut-off
/// scan with grey rather than failing, so a truncated upload would
/// otherwise be stored as if it were whole.
fn check_jpeg_complete(path: &Path) -> Result<(), PagesError> {
    if crate::read_tail(path, 2048)?
        .windows(2)
        .any(|w| w == [0xFF, 0xD9])
    {
        Ok(())
    } else {
        Err(PagesError::Truncated {
            format: SourceKind::Jpeg,
        })
    }
}

fn render_single(path: &Path, kind: SourceKind) -> Result<Page, PagesError> {
    let mut reader = ImageReader::open(path)?.with_guessed_format()?;
    reader.limits(limits());
    let mut decoder = reader.into_decoder()?;
    let (w, h) = decoder.dimensions();
    check_size(u64::from(w), u64::from(h))?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let dpi = match kind {
        SourceKind::Jpeg => jfif_dpi(path)?,
        SourceKind::Png => png_dpi(path)?,
        _ => None,
    };
    Ok(Page {
        image: img.into_rgb8(),
        dpi: dpi.unwrap_or(ASSUMED_DPI),
        dpi_known: dpi.is_some(),
        has_text: false,
        words: Vec::new(),
    })
}

fn tiff_limits() -> TiffLimits {
    let mut l = TiffLimits::default();
    l.decoding_buffer_size = crate::MAX_PAGE_BYTES as usize;
    l.intermediate_buffer_size = crate::MAX_PAGE_BYTES as usize;
    l
}

fn tiff_decoder(path: &Path) -> Result<TiffDecoder<BufReader<File>>, PagesError> {
    TiffDecoder::new(BufReader::new(File::open(path)?))
        .map(|d| d.with_limits(tiff_limits()))
        .map_err(tiff_error)
}

fn tiff_error(e: tiff::TiffError) -> PagesError {
    match e {
        tiff::TiffError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            PagesError::Corrupt {
                reason: "the TIFF data ends too early".into(),
            }
        }
        tiff::TiffError::IoError(io) => PagesError::Io(io),
        tiff::TiffError::LimitsExceeded => PagesError::TooLarge {
            width: 0,
            height: 0,
        },
        other => PagesError::Corrupt {
            reason: other.to_string(),
        },
    }
}

fn count_tiff_pages(path: &Path) -> Result<usize, PagesError> {
    let mut d = tiff_decoder(path)?;
    let mut n = 0;
    loop {
        let (w, h) = d.dimensions().map_err(tiff_error)?;
        check_size(u64::from(w), u64::from(h))?;
        n += 1;
        if !d.more_images() {
            break;
        }
        d.next_image().map_err(tiff_error)?;
    }
    Ok(n)
}

fn render_tiff(path: &Path, index: usize) -> Result<Page, PagesError> {
    let mut d = tiff_decoder(path)?;
    for _ in 0..index {
        d.next_image().map_err(tiff_error)?;
    }
    let (w, h) = d.dimensions().map_err(tiff_error)?;
    check_size(u64::from(w), u64::from(h))?;
    let colour = d.colortype().map_err(tiff_error)?;
    let dpi = tiff_dpi(&mut d);
    let data = match d.read_image().map_err(tiff_error)? {
        DecodingResult::U8(v) => v,
        DecodingResult::U16(v) => v.into_iter().map(|x| (x >> 8) as u8).collect(),
        _ => {
            return Err(PagesError::Corrupt {
                reason: format!("unsupported TIFF sample format {colour:?}"),
            })
        }
    };
    let image = tiff_to_rgb(w, h, colour, &data)?;
    Ok(Page {
        image,
        dpi: dpi.unwrap_or(ASSUMED_DPI),
        dpi_known: dpi.is_some(),
        has_text: false,
        words: Vec::new(),
    })
}

fn tiff_to_rgb(w: u32, h: u32, colour: ColorType, data: &[u8]) -> Result<RgbImage, PagesError> {
    let n = w as usize * h as usize;
    let short = || PagesError::Corrupt {
        reason: "the TIFF image data is shorter than declared".into(),
    };
    let rgb = match colour {
        ColorType::Gray(8) => {
            let g = data.get(..n).ok_or_else(short)?;
            g.iter().flat_map(|&v| [v, v, v]).collect()
        }
        ColorType::Gray(1) => {
            let stride = (w as usize).div_ceil(8);
            let rows = data.get(..stride * h as usize).ok_or_else(short)?;
            let mut out = Vec::with_capacity(n * 3);
            for row in rows.chunks(stride) {
                for x in 0..w as usize {
                    // TIFF bilevel with PhotometricInterpretation BlackIsZero: 1 is white.
                    let v = if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    };
                    out.extend_from_slice(&[v, v, v]);
                }
            }
            out
        }
        ColorType::RGB(8) => data.get(..n * 3).ok_or_else(short)?.to_vec(),
        // JPEG-compressed pages of office copiers and scanners are usually
        // stored as YCbCr; the JPEG decoder hands the samples over unconverted.
        ColorType::YCbCr(8) => {
            let d = data.get(..n * 3).ok_or_else(short)?;
            d.chunks_exact(3)
                .flat_map(|p| ycbcr_to_rgb(p[0], p[1], p[2]))
                .collect()
        }
        ColorType::RGBA(8) => {
            let d = data.get(..n * 4).ok_or_else(short)?;
            d.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        }
        ColorType::GrayA(8) => {
            let d = data.get(..n * 2).ok_or_else(short)?;
            d.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect()
        }
        other => {
            return Err(PagesError::Corrupt {
                reason: format!("unsupported TIFF colour type {other:?}"),
            })
        }
    };
    RgbImage::from_raw(w, h, rgb).ok_or_else(short)
}

/// Full-range YCbCr (ITU-R BT.601, as JPEG uses it) to RGB.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [
        clamp(y + 1.402 * cr),
        clamp(y - 0.344_136 * cb - 0.714_136 * cr),
        clamp(y + 1.772 * cb),
    ]
}

fn tiff_dpi<R: Read + Seek>(d: &mut TiffDecoder<R>) -> Option<f32> {
    let x = match d.get_tag(Tag::XResolution).ok()? {
        tiff::decoder::ifd::Value::Rational(n, den) if den != 0 => n as f32 / den as f32,
        tiff::decoder::ifd::Value::Float(f) => f,
        other => other.into_f32().ok()?,
    };
    // ResolutionUnit: 1 = none, 2 = inch (the default), 3 = centimetre.
    match d.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2) {
        3 => Some(x * 2.54),
        2 if x > 1.0 => Some(x),
        _ => None,
    }
}

/// The density in a JPEG's JFIF APP0 segment, if it states one in inches or cm.
fn jfif_dpi(path: &Path) -> Result<Option<f32>, PagesError> {
    let mut head = [0u8; 20];
    let mut f = File::open(path)?;
    let n = f.read(&mut head)?;
    Ok(parse_jfif_density(&head[..n]))
}

pub(crate) fn parse_jfif_density(head: &[u8]) -> Option<f32> {
    // FF D8 FF E0 len(2) "JFIF\0" ver(2) units(1) xdens(2) ydens(2)
    if head.len() < 18 || head[2..4] != [0xFF, 0xE0] || &head[6..11] != b"JFIF\0" {
        return None;
    }
    let units = head[13];
    let x = f32::from(u16::from_be_bytes([head[14], head[15]]));
    match units {
        1 if x > 1.0 => Some(x),
        2 if x > 1.0 => Some(x * 2.54),
        _ => None,
    }
}

/// The density in a PNG's pHYs chunk, if it is stated per metre.
fn png_dpi(path: &Path) -> Result<Option<f32>, PagesError> {
    let mut f = BufReader::new(File::open(path)?);
    f.seek(SeekFrom::Start(8))?;
    let mut hdr = [0u8; 8];
    // pHYs must come before IDAT; stop there.
    while f.read_exact(&mut hdr).is_ok() {
        let len = u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let kind = &hdr[4..8];
        if kind == b"pHYs" && len == 9 {
            let mut body = [0u8; 9];
            f.read_exact(&mut body)?;
            let ppm = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            return Ok((body[8] == 1 && ppm > 0).then_some(ppm as f32 * 0.0254));
        }
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        f.seek(SeekFrom::Current(i64::from(len) + 4))?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiff::tags::ResolutionUnit;

    #[test]
    fn jfif_density() {
        let mut h = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        h.extend_from_slice(b"JFIF\0");
        h.extend_from_slice(&[1, 1, 1, 0, 200, 0, 200, 0, 0]);
        assert_eq!(parse_jfif_density(&h), Some(200.0));
        h[13] = 0;
        assert_eq!(parse_jfif_density(&h), None);
    }

    #[test]
    fn png_and_tiff_round_trip_with_dpi() {
        let dir = tempfile::tempdir().unwrap();
        let img = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 5, y as u8 * 7, 100]));
        let p = dir.path().join("a.png");
        img.save(&p).unwrap();
        let src = RasterSource::open(&p, SourceKind::Png).unwrap();
        assert_eq!(src.page_count(), 1);
        let page = src.render(0).unwrap();
        assert_eq!(page.image.dimensions(), (40, 30));
        assert_eq!(page.image.get_pixel(3, 2), img.get_pixel(3, 2));
        assert!(!page.dpi_known);

        // A three-page TIFF at 300 dpi.
        let t = dir.path().join("b.tiff");
        {
            let mut enc =
                tiff::encoder::TiffEncoder::new(std::fs::File::create(&t).unwrap()).unwrap();
            for i in 0..3u8 {
                let mut im = enc
                    .new_image::<tiff::encoder::colortype::Gray8>(20, 10)
                    .unwrap();
                im.resolution(
                    ResolutionUnit::Inch,
                    tiff::encoder::Rational { n: 300, d: 1 },
                );
                im.write_data(&[i * 50; 200]).unwrap();
            }
        }
        let src = RasterSource::open(&t, SourceKind::Tiff).unwrap();
        assert_eq!(src.page_count(), 3);
        let p2 = src.render(2).unwrap();
        assert_eq!(p2.image.get_pixel(0, 0), &image::Rgb([100, 100, 100]));
        assert_eq!(p2.dpi, 300.0);
        assert!(p2.dpi_known);
    }

    /// A little-endian TIFF whose pages are each one JPEG strip, the way
    /// copiers write colour scans: `(jpeg, width, height, photometric, samples)`.
    fn jpeg_tiff(pages: &[(Vec<u8>, u32, u32, u16, u16)]) -> Vec<u8> {
        let mut buf = b"II*\0\0\0\0\0".to_vec();
        let mut next_ifd_at = 4;
        for (jpeg, w, h, photometric, samples) in pages {
            let strip = buf.len() as u32;
            buf.extend_from_slice(jpeg);
            if buf.len() % 2 == 1 {
                buf.push(0);
            }
            let bits_at = buf.len() as u32;
            for _ in 0..3 {
                buf.extend_from_slice(&8u16.to_le_bytes());
            }
            let res_at = buf.len() as u32;
            buf.extend_from_slice(&200u32.to_le_bytes());
            buf.extend_from_slice(&1u32.to_le_bytes());
            let ifd = buf.len() as u32;
            buf[next_ifd_at..next_ifd_at + 4].copy_from_slice(&ifd.to_le_bytes());
            // (tag, type, count, value): type 3 = SHORT, 4 = LONG, 5 = RATIONAL.
            let bits = if *samples == 3 { (3, bits_at) } else { (1, 8) };
            let entries: [(u16, u16, u32, u32); 12] = [
                (256, 4, 1, *w),
                (257, 4, 1, *h),
                (258, 3, bits.0, bits.1),
                (259, 3, 1, 7), // Compression: JPEG
                (262, 3, 1, u32::from(*photometric)),
                (273, 4, 1, strip),
                (277, 3, 1, u32::from(*samples)),
                (278, 4, 1, *h),
                (279, 4, 1, jpeg.len() as u32),
                (282, 5, 1, res_at),
                (283, 5, 1, res_at),
                (296, 3, 1, 2),
            ];
            buf.extend_from_slice(&(entries.len() as u16).to_le_bytes());
            for (tag, typ, count, value) in entries {
                buf.extend_from_slice(&tag.to_le_bytes());
                buf.extend_from_slice(&typ.to_le_bytes());
                buf.extend_from_slice(&count.to_le_bytes());
                buf.extend_from_slice(&value.to_le_bytes());
            }
            next_ifd_at = buf.len();
            buf.extend_from_slice(&0u32.to_le_bytes());
        }
        buf
    }

    #[test]
    fn a_multi_page_jpeg_tiff_opens_in_colour_and_grey() {
        use image::codecs::jpeg::JpegEncoder;
        use image::ExtendedColorType;
        // Page 1: red left half, blue right half; page 2: a grey ramp.
        let colour = RgbImage::from_fn(64, 48, |x, _| {
            if x < 32 {
                image::Rgb([200, 30, 40])
            } else {
                image::Rgb([30, 40, 190])
            }
        });
        let grey = image::GrayImage::from_fn(40, 30, |x, _| image::Luma([(x * 6) as u8]));
        let mut c = Vec::new();
        JpegEncoder::new_with_quality(&mut c, 95)
            .encode(colour.as_raw(), 64, 48, ExtendedColorType::Rgb8)
            .unwrap();
        let mut g = Vec::new();
        JpegEncoder::new_with_quality(&mut g, 95)
            .encode(grey.as_raw(), 40, 30, ExtendedColorType::L8)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("copier.tiff");
        // Photometric 6 = YCbCr (what copiers write), 1 = black is zero.
        std::fs::write(&t, jpeg_tiff(&[(c, 64, 48, 6, 3), (g, 40, 30, 1, 1)])).unwrap();

        let src = RasterSource::open(&t, SourceKind::Tiff).unwrap();
        assert_eq!(src.page_count(), 2);
        let p1 = src.render(0).unwrap();
        assert_eq!(p1.image.dimensions(), (64, 48));
        assert_eq!((p1.dpi, p1.dpi_known), (200.0, true));
        let near = |a: &image::Rgb<u8>, b: [u8; 3]| {
            a.0.iter()
                .zip(b)
                .all(|(&x, y)| (i32::from(x) - i32::from(y)).abs() <= 12)
        };
        assert!(
            near(p1.image.get_pixel(10, 20), [200, 30, 40]),
            "{:?}",
            p1.image.get_pixel(10, 20)
        );
        assert!(
            near(p1.image.get_pixel(50, 20), [30, 40, 190]),
            "{:?}",
            p1.image.get_pixel(50, 20)
        );
        let p2 = src.render(1).unwrap();
        assert_eq!(p2.image.dimensions(), (40, 30));
        assert!(
            near(p2.image.get_pixel(20, 15), [120, 120, 120]),
            "{:?}",
            p2.image.get_pixel(20, 15)
        );
    }
}
