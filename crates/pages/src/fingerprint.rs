//! Perceptual page fingerprints for pairing pages across copies.
//!
//! A 16 × 16 difference hash (256 bits). Measured on this project's pages
//! (recipes.md): the same page rescanned stays within 23 bits, a different
//! text page is at least 55 bits away. 8 × 8 hashes cannot tell text pages
//! apart and are not used.

use image::{imageops, GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn distance(&self, other: &Fingerprint) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Fingerprint> {
        bytes.try_into().ok().map(Fingerprint)
    }
}

/// dHash over a 17 × 16 grey reduction: each bit says whether a cell is
/// darker than its right-hand neighbour.
pub fn fingerprint(img: &RgbImage) -> Fingerprint {
    // A fast box reduction first, so the final filter sees a small image.
    let small = imageops::thumbnail(
        img,
        272.min(img.width()).max(17),
        256.min(img.height()).max(16),
    );
    let grey: GrayImage = image::DynamicImage::ImageRgb8(small).into_luma8();
    let cells = imageops::resize(&grey, 17, 16, imageops::FilterType::Triangle);
    let mut bits = [0u8; 32];
    for y in 0..16 {
        for x in 0..16 {
            let left = cells.get_pixel(x, y)[0];
            let right = cells.get_pixel(x + 1, y)[0];
            if left < right {
                let i = (y * 16 + x) as usize;
                bits[i / 8] |= 0x80 >> (i % 8);
            }
        }
    }
    Fingerprint(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(shift: u32, text_rows: &[u32]) -> RgbImage {
        RgbImage::from_fn(800, 1100, |x, y| {
            let ink = text_rows.iter().any(|r| y >= *r && y < r + 14)
                && (x + shift) % 37 < 22
                && x > 80
                && x < 700;
            if ink {
                image::Rgb([20, 20, 20])
            } else {
                image::Rgb([245, 245, 240])
            }
        })
    }

    #[test]
    fn same_page_is_near_other_page_is_far() {
        let a = page(0, &[100, 200, 300, 500]);
        let a2 = page(2, &[101, 201, 301, 501]);
        let b = page(0, &[150, 420, 700, 900]);
        let (fa, fa2, fb) = (fingerprint(&a), fingerprint(&a2), fingerprint(&b));
        assert!(fa.distance(&fa2) < 24, "{}", fa.distance(&fa2));
        assert!(fa.distance(&fb) > 40, "{}", fa.distance(&fb));
        assert_eq!(Fingerprint::from_bytes(&fa.0).unwrap(), fa);
    }
}
