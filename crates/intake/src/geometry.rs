//! Page geometry: rotation by any angle (bilinear, a fill colour behind) and
//! by quarter turns. Used to straighten pages into derived copies; the
//! original is never touched.

use image::{ImageBuffer, Pixel};

/// `img` rotated counter-clockwise by `degrees` about its centre, same size,
/// `fill` where nothing of the source lands.
pub fn rotate_degrees<P>(
    img: &ImageBuffer<P, Vec<u8>>,
    degrees: f32,
    fill: P,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    if degrees.abs() < 1e-3 {
        return img.clone();
    }
    let (w, h) = img.dimensions();
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let n = P::CHANNEL_COUNT as usize;
    let src = img.as_raw();
    let mut out = ImageBuffer::from_pixel(w, h, fill);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            // Inverse mapping: where in the source this output pixel comes from.
            let sx = c * dx - s * dy + cx - 0.5;
            let sy = s * dx + c * dy + cy - 0.5;
            if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx as u32, sy as u32);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let at =
                |xx: u32, yy: u32, ch: usize| f32::from(src[((yy * w + xx) as usize) * n + ch]);
            let px = out.get_pixel_mut(x, y);
            for (ch, v) in px.channels_mut().iter_mut().enumerate() {
                let top = at(x0, y0, ch) * (1.0 - fx) + at(x0 + 1, y0, ch) * fx;
                let bottom = at(x0, y0 + 1, ch) * (1.0 - fx) + at(x0 + 1, y0 + 1, ch) * fx;
                *v = (top * (1.0 - fy) + bottom * fy).round() as u8;
            }
        }
    }
    out
}

/// `img` turned by `quarter_turns` × 90° clockwise.
pub fn rotate_quarter<P>(
    img: &ImageBuffer<P, Vec<u8>>,
    quarter_turns: i32,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    match quarter_turns.rem_euclid(4) {
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        3 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}
