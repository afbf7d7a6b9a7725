//! Triangle-filter (bilinear) resizing of 8-bit images, row by row.
//!
//! Gives the same pixels as `image::imageops::resize(.., FilterType::Triangle)`
//! to the bit: the same weights, summed in the same order. That function
//! walks its intermediate image a column at a time and keeps all of it, as
//! four `f32` channels: for a 12-megapixel phone photo, about 190 MB visited
//! across the grain. Here each output row is sampled down the columns into
//! one row of sums, then along it, so the work stays in cache and nothing
//! page-sized is kept but the result.

use image::{GrayImage, ImageBuffer, Pixel, RgbImage};

/// The largest `f32` below 0.5.
const HALF_BELOW: f32 = 0.5 - f32::EPSILON / 4.0;

/// `img` resized to `width × height` with a triangle filter.
pub fn resize_rgb(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    resize(img, width, height)
}

/// `img` resized to `width × height` with a triangle filter.
pub fn resize_grey(img: &GrayImage, width: u32, height: u32) -> GrayImage {
    resize(img, width, height)
}

fn resize<P: Pixel<Subpixel = u8>>(
    img: &ImageBuffer<P, Vec<u8>>,
    width: u32,
    height: u32,
) -> ImageBuffer<P, Vec<u8>> {
    let (sw, sh) = img.dimensions();
    if sw == 0 || sh == 0 || (sw, sh) == (width, height) {
        return if (sw, sh) == (width, height) {
            img.clone()
        } else {
            ImageBuffer::new(width, height)
        };
    }
    let n = usize::from(P::CHANNEL_COUNT);
    let (rows, columns) = (taps(sh, height), taps(sw, width));
    let src = img.as_raw();
    let stride = sw as usize * n;
    let mut out = vec![0u8; width as usize * height as usize * n];
    let mut sums = vec![0f32; stride];
    for (o, row_taps) in out.chunks_exact_mut(width as usize * n).zip(&rows) {
        // Down the columns: each source row's share, tap by tap.
        sums.fill(0.0);
        for (i, &w) in row_taps.weights.iter().enumerate() {
            let at = (row_taps.first + i) * stride;
            for (s, &v) in sums.iter_mut().zip(&src[at..at + stride]) {
                *s += f32::from(v) * w;
            }
        }
        // Along the row.
        for (px, column) in o.chunks_exact_mut(n).zip(&columns) {
            for (c, out) in px.iter_mut().enumerate() {
                let mut t = 0.0f32;
                for (i, &w) in column.weights.iter().enumerate() {
                    t += sums[(column.first + i) * n + c] * w;
                }
                // `round` (half away from zero) of a value in 0..=255,
                // without a call to libm: adding the float just below
                // one half and truncating gives the same integer, halves
                // included.
                *out = (t.clamp(0.0, 255.0) + HALF_BELOW) as u8;
            }
        }
    }
    ImageBuffer::from_raw(width, height, out).expect("resized buffer size")
}

/// The source pixels one output pixel draws on, and their weights.
struct Taps {
    first: usize,
    weights: Vec<f32>,
}

/// For each of `to` output positions along an axis of `from` pixels, the
/// triangle filter's taps, widened by the ratio when shrinking.
fn taps(from: u32, to: u32) -> Vec<Taps> {
    let ratio = from as f32 / to as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let support = sratio;
    (0..to)
        .map(|out| {
            let centre = (out as f32 + 0.5) * ratio;
            let first = ((centre - support).floor() as i64).clamp(0, i64::from(from) - 1);
            let end = ((centre + support).ceil() as i64).clamp(first + 1, i64::from(from));
            // The kernel puts a pixel's centre at 0.
            let centre = centre - 0.5;
            let mut weights: Vec<f32> = (first..end)
                .map(|i| {
                    let x = ((i as f32 - centre) / sratio).abs();
                    if x < 1.0 {
                        1.0 - x
                    } else {
                        0.0
                    }
                })
                .collect();
            let sum: f32 = weights.iter().fold(0.0, |s, w| s + w);
            for w in weights.iter_mut() {
                *w /= sum;
            }
            Taps {
                first: first as usize,
                weights,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::imageops::{self, FilterType};

    fn noisy_rgb(w: u32, h: u32) -> RgbImage {
        let mut seed = 11u32;
        RgbImage::from_fn(w, h, |x, y| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let n = (seed >> 16) as u8;
            image::Rgb([
                (x * 7 + y * 3) as u8 ^ n,
                n,
                ((x * y) as u8).wrapping_add(n / 2),
            ])
        })
    }

    #[test]
    fn adding_just_under_a_half_and_truncating_rounds_like_round() {
        // Every half and its two neighbouring floats, and a dense sweep.
        let halves = (0..=510).map(|k| k as f32 / 2.0).flat_map(|h| {
            let b = h.to_bits();
            [
                h,
                f32::from_bits(b.saturating_sub(1)),
                f32::from_bits(b + 1),
            ]
        });
        let sweep = (0..=255 * 4096).map(|k| k as f32 / 4096.0);
        for v in halves.chain(sweep).filter(|v| (0.0..=255.0).contains(v)) {
            assert_eq!((v + HALF_BELOW) as u8, v.round() as u8, "{v}");
        }
    }

    #[test]
    fn resizing_gives_the_image_crates_triangle_filter_pixels_exactly() {
        for (sw, sh, w, h) in [
            (300, 200, 200, 133),
            (97, 61, 40, 25),
            (64, 48, 64, 31),
            (50, 40, 91, 77),
            (5, 3, 1, 1),
            (1, 1, 3, 2),
        ] {
            let img = noisy_rgb(sw, sh);
            let want = imageops::resize(&img, w, h, FilterType::Triangle);
            assert_eq!(resize_rgb(&img, w, h), want, "{sw}x{sh} to {w}x{h}");
            let grey = image::DynamicImage::ImageRgb8(img).to_luma8();
            let want = imageops::resize(&grey, w, h, FilterType::Triangle);
            assert_eq!(resize_grey(&grey, w, h), want, "grey {sw}x{sh} to {w}x{h}");
        }
    }
}
