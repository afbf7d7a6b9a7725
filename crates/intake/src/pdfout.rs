//! Writing PDFs: a document of scanned pages (each page one JPEG image at
//! its own resolution, so doisoat-pages reads it back as a scan with its
//! dpi), and the JPEG encoding of pages. Used for the parts of a split batch,
//! derived (straightened, edited) versions and scanned batches.

use image::{GrayImage, RgbImage};
use lopdf::{dictionary, Document, Object, ObjectId, Stream};

/// A page ready to be written: JPEG bytes and their pixel size and dpi.
#[derive(Debug, Clone)]
pub struct JpegPage {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub grey: bool,
    pub dpi: f32,
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
        }
    }

    pub fn from_gray(img: &GrayImage, dpi: f32, quality: u8) -> JpegPage {
        JpegPage {
            jpeg: jpeg_gray(img, quality),
            width: img.width(),
            height: img.height(),
            grey: true,
            dpi,
        }
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
        let (wpt, hpt) = (p.width as f32 * 72.0 / dpi, p.height as f32 * 72.0 / dpi);
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
