//! Writing PDFs: a document of scanned pages (each page one JPEG image at
//! its own resolution, so doisoat-pages reads it back as a scan with its
//! dpi), and the JPEG encoding of pages. Used for the parts of a split batch,
//! derived (straightened, edited) versions and scanned batches.

use image::{GrayImage, RgbImage};
use std::collections::BTreeMap;

use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// A page ready to be written: JPEG bytes and their pixel size and dpi.
#[derive(Debug, Clone)]
pub struct JpegPage {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub grey: bool,
    pub dpi: f32,
    /// The page size in points, when it must be exactly that of the page
    /// the JPEG came from; otherwise the size follows from `dpi`.
    pub page_pt: Option<(f32, f32)>,
}

impl JpegPage {
    /// Encodes a colour page; a page whose channels agree is stored grey.
    pub fn from_rgb(img: &RgbImage, dpi: f32, quality: u8) -> JpegPage {
        if crate::quality::is_grey(img) {
            let g = image::DynamicImage::ImageRgb8(img.clone()).to_luma8();
            return JpegPage::from_gray(&g, dpi, quality);
        }
        let mut jpeg = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality);
        // Encoding into memory cannot fail for an RGB8 buffer of valid size.
        let _ = img.write_with_encoder(enc);
        JpegPage {
            jpeg,
            width: img.width(),
            height: img.height(),
            grey: false,
            dpi,
            page_pt: None,
        }
    }

    pub fn from_gray(img: &GrayImage, dpi: f32, quality: u8) -> JpegPage {
        JpegPage {
            jpeg: jpeg_gray(img, quality),
            width: img.width(),
            height: img.height(),
            grey: true,
            dpi,
            page_pt: None,
        }
    }

    /// A scanned page's JPEG exactly as its PDF holds it: no decode, no
    /// re-encode, the same page size. `None` for a page turned by /Rotate
    /// (the bytes alone would lose the turn).
    pub fn from_scan(scan: &doisoat_pages::ScanJpeg<'_>) -> Option<JpegPage> {
        if scan.rotate != 0 || scan.width_pt <= 0.0 {
            return None;
        }
        Some(JpegPage {
            jpeg: scan.bytes.to_vec(),
            width: scan.width,
            height: scan.height,
            grey: scan.grey,
            dpi: scan.width as f32 / (scan.width_pt / 72.0),
            page_pt: Some((scan.width_pt, scan.height_pt)),
        })
    }
}

/// A grey page as JPEG bytes.
pub fn jpeg_gray(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality);
    let _ = img.write_with_encoder(enc);
    jpeg
}

/// A PDF whose pages are the given scans, each filling its page at its dpi.
pub fn image_pdf(pages: &[JpegPage]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for p in pages {
        let dpi = if p.dpi > 0.0 { p.dpi } else { 200.0 };
        let (wpt, hpt) = p
            .page_pt
            .unwrap_or((p.width as f32 * 72.0 / dpi, p.height as f32 * 72.0 / dpi));
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => p.width as i64,
                "Height" => p.height as i64,
                "ColorSpace" => if p.grey { "DeviceGray" } else { "DeviceRGB" },
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            p.jpeg.clone(),
        );
        let img_id = doc.add_object(img);
        let content = format!("q {wpt:.3} 0 0 {hpt:.3} 0 0 cm /Im0 Do Q");
        kids.push(add_page(
            &mut doc,
            pages_id,
            (wpt, hpt),
            content.into_bytes(),
            dictionary! { "XObject" => dictionary! { "Im0" => img_id } },
        ));
    }
    finish(doc, pages_id, kids)
}

/// Adds a page with its content stream and resources; returns its id.
pub(crate) fn add_page(
    doc: &mut Document,
    parent: ObjectId,
    (wpt, hpt): (f32, f32),
    content: Vec<u8>,
    resources: lopdf::Dictionary,
) -> ObjectId {
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => parent,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(wpt), Object::Real(hpt)],
        "Contents" => content_id,
        "Resources" => resources,
    })
}

/// Writes the page tree and catalog, and serialises the document.
pub(crate) fn finish(mut doc: Document, pages_id: ObjectId, kids: Vec<ObjectId>) -> Vec<u8> {
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids.into_iter().map(Object::Reference).collect::<Vec<_>>(),
            "Count" => count,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

/// Width of glyph `gid` in thousandths of the font size.
fn glyph_advance(face: &ttf_parser::Face<'_>, gid: u16) -> f32 {
    let upem = f32::from(face.units_per_em());
    f32::from(
        face.glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0),
    ) * 1000.0
        / upem
}

/// A TrueType font being set into a PDF as a Type0 font (Identity-H).
/// Glyphs get subset ids in the order they are first used, and
/// [`PdfFont::embed`] embeds only those glyphs (with `subsetter`), their
/// widths and a ToUnicode map back to their characters, so the text layer
/// reads back exactly. Noto Sans, which carries every Vietnamese glyph, is
/// about 500 KB whole; a page of text needs a few dozen of its glyphs.
/// Used by the separator sheets and by the office's report.
pub struct PdfFont {
    name: &'static str,
    bytes: &'static [u8],
    face: ttf_parser::Face<'static>,
    glyphs: subsetter::GlyphRemapper,
    /// Subset glyph id → the font's glyph id and the character it shows.
    used: BTreeMap<u16, (u16, char)>,
}

impl PdfFont {
    /// Parses `bytes` (a TrueType font); `name` is its PostScript name.
    pub fn load(name: &'static str, bytes: &'static [u8]) -> Result<PdfFont, crate::IntakeError> {
        let face = ttf_parser::Face::parse(bytes, 0).map_err(|e| {
            crate::IntakeError::Invalid(format!("the bundled font {name} is unreadable ({e})"))
        })?;
        Ok(PdfFont {
            name,
            bytes,
            face,
            glyphs: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    fn glyph(&self, ch: char) -> u16 {
        self.face.glyph_index(ch).map_or(0, |g| g.0)
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| glyph_advance(&self.face, self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as subset glyph ids in hex, for a `<…> Tj` string; remembers
    /// the glyphs used. A character the font lacks shows as `.notdef`.
    pub fn encode(&mut self, text: &str) -> String {
        let mut hex = String::with_capacity(text.len() * 4);
        for ch in text.chars() {
            let gid = self.glyph(ch);
            let cid = self.glyphs.remap(gid);
            self.used.entry(cid).or_insert((gid, ch));
            hex.push_str(&format!("{cid:04X}"));
        }
        hex
    }

    /// Adds the font, subset to the glyphs [`PdfFont::encode`] used, and
    /// returns the Type0 font to name in a page's resources. Should the
    /// subsetter refuse the font, the whole font is embedded instead, with
    /// a CIDToGIDMap from subset ids to the font's own.
    pub fn embed(&self, doc: &mut Document) -> ObjectId {
        self.embed_as(doc, true)
    }

    fn embed_as(&self, doc: &mut Document, subset: bool) -> ObjectId {
        let subset = if subset {
            subsetter::subset(self.bytes, 0, &self.glyphs).map_err(|e| {
                tracing::warn!(font = self.name, error = %e, "font not subset; embedding it whole");
            })
        } else {
            Err(())
        };
        let (file, base_font, cid_to_gid) = match subset {
            Ok(subset) => (subset, format!("{}+{}", self.subset_tag(), self.name), None),
            Err(()) => {
                let mut map = Vec::with_capacity(2 * self.glyphs.num_gids() as usize);
                for gid in self.glyphs.remapped_gids() {
                    map.extend_from_slice(&gid.to_be_bytes());
                }
                (self.bytes.to_vec(), self.name.to_string(), Some(map))
            }
        };
        let mut file = Stream::new(dictionary! { "Length1" => file.len() as i64 }, file);
        // Deflating a font file is lossless; keep it raw if it does not shrink.
        let _ = file.compress();
        let file_id = doc.add_object(file);
        let face = &self.face;
        let upem = f32::from(face.units_per_em());
        let b = face.global_bounding_box();
        let s = |v: i16| Object::Real(f32::from(v) * 1000.0 / upem);
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => base_font.as_str(),
            "Flags" => 32,
            "FontBBox" => vec![s(b.x_min), s(b.y_min), s(b.x_max), s(b.y_max)],
            "ItalicAngle" => 0,
            "Ascent" => s(face.ascender()),
            "Descent" => s(face.descender()),
            "CapHeight" => s(face.capital_height().unwrap_or(714)),
            "StemV" => 80,
            "FontFile2" => file_id,
        });
        let mut widths = Vec::new();
        for (cid, (gid, _)) in &self.used {
            widths.push(Object::Integer(i64::from(*cid)));
            widths.push(Object::Array(vec![Object::Real(glyph_advance(face, *gid))]));
        }
        let cid_to_gid: Object = match cid_to_gid {
            Some(map) => doc.add_object(Stream::new(dictionary! {}, map)).into(),
            None => "Identity".into(),
        };
        let cid = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => base_font.as_str(),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "CIDToGIDMap" => cid_to_gid,
            "W" => widths,
        });
        let to_unicode =
            doc.add_object(Stream::new(dictionary! {}, self.to_unicode().into_bytes()));
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => base_font.as_str(),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid)],
            "ToUnicode" => to_unicode,
        })
    }

    /// Six capital letters naming this subset (PDF 32000-1 §9.6.4): the
    /// same glyphs give the same tag.
    fn subset_tag(&self) -> String {
        let mut h: u32 = 2_166_136_261;
        for gid in self.glyphs.remapped_gids() {
            for b in gid.to_be_bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
            }
        }
        (0..6)
            .map(|_| {
                let c = char::from(b'A' + (h % 26) as u8);
                h /= 26;
                c
            })
            .collect()
    }

    /// The CMap from subset glyph ids to the characters they show.
    fn to_unicode(&self) -> String {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let used: Vec<_> = self.used.iter().collect();
        for chunk in used.chunks(100) {
            cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (cid, (_, ch)) in chunk {
                let mut units = [0u16; 2];
                let hex: String = ch
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                cmap.push_str(&format!("<{cid:04X}> <{hex}>\n"));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        cmap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One A4 page of Vietnamese text, with the font subset or whole.
    fn text_page(subset: bool) -> Vec<u8> {
        const NOTO: &[u8] = include_bytes!("../../../ui/src/assets/fonts/NotoSans-Regular.ttf");
        let mut font = PdfFont::load("NotoSans-Regular", NOTO).unwrap();
        let mut content = String::new();
        for (i, line) in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Người nộp: Nguyễn Văn Đức, ngày 25/11/2022",
            "Diện tích: 126,5 m² — thửa đất số 975 (ẵ ỹ ợ ự)",
        ]
        .iter()
        .enumerate()
        {
            let hex = font.encode(line);
            content.push_str(&format!(
                "BT /F1 16 Tf 40 {} Td <{hex}> Tj ET\n",
                780 - 40 * i
            ));
        }
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = font.embed_as(&mut doc, subset);
        let page = add_page(
            &mut doc,
            pages_id,
            (595.28, 841.89),
            content.into_bytes(),
            dictionary! { "Font" => dictionary! { "F1" => font_id } },
        );
        finish(doc, pages_id, vec![page])
    }

    #[test]
    fn a_subset_font_draws_and_reads_back_as_the_whole_font_does() {
        let (subset, whole) = (text_page(true), text_page(false));
        assert!(
            subset.len() * 10 < whole.len(),
            "subset {} bytes, whole {} bytes",
            subset.len(),
            whole.len()
        );
        let dir = tempfile::tempdir().unwrap();
        let render = |name: &str, pdf: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, pdf).unwrap();
            let doc = doisoat_pages::open(&path).unwrap();
            let page = doc.render(0, 100.0).unwrap();
            assert!(page.has_text);
            image::DynamicImage::ImageRgb8(page.image).to_luma8()
        };
        let (a, b) = (render("subset.pdf", &subset), render("whole.pdf", &whole));
        let ink = a.pixels().filter(|p| p.0[0] < 128).count();
        assert!(ink > 2000, "the text is drawn ({ink} dark pixels)");
        assert_eq!(a, b, "the subset draws every glyph as the whole font does");
        for pdf in [&subset, &whole] {
            let text = Document::load_mem(pdf).unwrap().extract_text(&[1]).unwrap();
            assert!(text.contains("Nguyễn Văn Đức"), "{text}");
            assert!(text.contains("126,5 m²"), "{text}");
        }
        assert!(subset
            .windows(17)
            .any(|w| w.ends_with(b"+NotoSans-Regular")));
    }

    #[test]
    fn pages_read_back_with_their_size_and_dpi() {
        let dir = tempfile::tempdir().unwrap();
        let grey = crate::synth::blank_a4(200.0);
        let mut colour = RgbImage::from_pixel(827, 1170, image::Rgb([250, 250, 250]));
        colour.put_pixel(5, 5, image::Rgb([255, 0, 0]));
        for x in 100..300 {
            colour.put_pixel(x, 100, image::Rgb([200, 20, 20]));
        }
        let pdf = image_pdf(&[
            JpegPage::from_gray(&grey, 200.0, 85),
            JpegPage::from_rgb(&colour, 100.0, 85),
        ]);
        let path = dir.path().join("batch.pdf");
        std::fs::write(&path, pdf).unwrap();
        let doc = doisoat_pages::open(&path).unwrap();
        assert_eq!(doc.page_count(), 2);
        let p1 = doc.render(0, 300.0).unwrap();
        assert_eq!(p1.image.dimensions(), grey.dimensions());
        assert!((p1.dpi - 200.0).abs() < 1.0, "dpi {}", p1.dpi);
        let p2 = doc.render(1, 300.0).unwrap();
        assert_eq!(p2.image.dimensions(), (827, 1170));
        assert!((p2.dpi - 100.0).abs() < 1.0);
        assert!(doc.page_info(1).unwrap().scanned);
    }

    #[test]
    fn scanned_jpegs_pass_through_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let grey = crate::synth::noise(&crate::synth::blank_a4(100.0), 30, 2);
        let colour = RgbImage::from_fn(300, 420, |x, y| {
            image::Rgb([(x % 256) as u8, 90, (y % 256) as u8])
        });
        let source = [
            JpegPage::from_gray(&grey, 100.0, 80),
            JpegPage::from_rgb(&colour, 150.0, 80),
        ];
        let path = dir.path().join("batch.pdf");
        std::fs::write(&path, image_pdf(&source)).unwrap();
        let doc = doisoat_pages::open(&path).unwrap();
        // Grey stays grey when decoded natively; colour comes as RGB.
        let n0 = doc.render_native(0, 300.0).unwrap();
        assert!(matches!(n0.image, image::DynamicImage::ImageLuma8(_)));
        assert_eq!(
            n0.image.as_luma8().unwrap().as_raw(),
            &image::DynamicImage::ImageRgb8(doc.render(0, 300.0).unwrap().image)
                .to_luma8()
                .into_raw()
        );
        assert!(matches!(
            doc.render_native(1, 300.0).unwrap().image,
            image::DynamicImage::ImageRgb8(_)
        ));
        // Written again from the scan's bytes: the same JPEGs, page sizes and dpi.
        let again: Vec<JpegPage> = (0..2)
            .map(|i| JpegPage::from_scan(&doc.scan_jpeg(i).unwrap()).unwrap())
            .collect();
        for (a, s) in again.iter().zip(&source) {
            assert_eq!(a.jpeg, s.jpeg);
            assert_eq!((a.width, a.height, a.grey), (s.width, s.height, s.grey));
        }
        let copy = dir.path().join("copy.pdf");
        std::fs::write(&copy, image_pdf(&again)).unwrap();
        let doc2 = doisoat_pages::open(&copy).unwrap();
        for i in 0..2 {
            let (a, b) = (doc.preview(i, 480).unwrap(), doc2.preview(i, 480).unwrap());
            assert_eq!(
                (a.width_px, a.height_px, a.dpi),
                (b.width_px, b.height_px, b.dpi)
            );
            assert_eq!(a.image.as_raw(), b.image.as_raw());
        }
    }
}
