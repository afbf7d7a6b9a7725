//! Page thumbnails: small JPEGs for lists and page strips.

use image::{codecs::jpeg::JpegEncoder, imageops, RgbImage};

/// Longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 240;

/// Encodes a thumbnail of `img` no larger than `side` × `side`, as JPEG.
pub fn thumbnail_jpeg(img: &RgbImage, side: u32) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let scale = (side as f32 / w.max(h) as f32).min(1.0);
    let tw = ((w as f32 * scale).round() as u32).max(1);
    let th = ((h as f32 * scale).round() as u32).max(1);
    jpeg(&imageops::thumbnail(img, tw, th), 80)
}

/// Encodes an image as JPEG at `quality`.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("encoding an in-memory RGB image to JPEG cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_aspect_and_decodes() {
        let img = RgbImage::from_pixel(1654, 2339, image::Rgb([250, 250, 250]));
        let t = thumbnail_jpeg(&img, THUMB_SIDE);
        let back = image::load_from_memory(&t).unwrap();
        assert_eq!(back.height(), 240);
        assert_eq!(back.width(), 170);
    }
}
