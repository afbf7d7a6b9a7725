//! Change detection between two registered ink maps on the same pixel grid.
//!
//! Ink on one side counts as present on the other if the other side has ink
//! within a small tolerance (stroke width, blur and binarisation differ
//! between a render and a scan). Each tile where ink is left over gets a
//! small local search (±2 px) that absorbs what registration missed. What is
//! still left is grouped into clusters; a cluster big enough is a change.

use crate::ink::Bitmap;

/// Side of a local-search tile, pixels.
const TILE: usize = 32;
/// Local search radius, pixels.
const SEARCH: i32 = 2;
/// Margin around a tile over which its shift is judged, pixels.
const MARGIN: usize = 8;
/// Side of a clustering cell, pixels.
const CELL: usize = 6;

/// A cluster of differing ink, in electronic-page pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Differing ink pixels in the cluster.
    pub weight: u32,
}

impl Change {
    /// A place judged as a whole (a glyph's window), weighted by its area.
    pub fn over(x0: u32, y0: u32, x1: u32, y1: u32) -> Change {
        Change {
            x0,
            y0,
            x1,
            y1,
            weight: (x1 - x0) * (y1 - y0),
        }
    }

    /// Whether `other`'s centre lies more than `apart` pixels (city block)
    /// from this one's: another place of the page, not this one.
    pub fn apart_from(&self, other: &Change, apart: f32) -> bool {
        let centre = |c: &Change| ((c.x0 + c.x1) as f32 / 2.0, (c.y0 + c.y1) as f32 / 2.0);
        let ((x, y), (ox, oy)) = (centre(self), centre(other));
        (x - ox).abs() + (y - oy).abs() > apart
    }
}

/// A stage's strongest place on a page, and how far it stands out: its
/// value, and the highest value of any other place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub place: Change,
    pub value: f32,
    pub next: f32,
}

/// What the comparison of two ink maps found.
#[derive(Debug, Clone, PartialEq)]
pub struct InkDiff {
    /// Clusters of differing ink, strongest first. Includes weak ones; the
    /// caller decides which count as changes.
    pub clusters: Vec<Change>,
    /// Differing ink over all ink, turned into a similarity in [0, 1].
    pub similarity: f32,
}

/// Compares `e` (electronic ink) with `p` (paper ink warped onto the same
/// grid). Pixels set in `ignore` (coloured ink on either side) never count.
pub fn compare_ink(e: &Bitmap, p: &Bitmap, ignore: Option<&Bitmap>, tolerance: u32) -> InkDiff {
    let (w, h) = (e.width as usize, e.height as usize);
    assert_eq!((e.width, e.height), (p.width, p.height));
    let e_near = e.dilate(tolerance);
    let p_near = p.dilate(tolerance);
    let mut diff = vec![0u8; w * h];
    // Stands in for a row of `ignore` when there is none.
    let unignored = [0u8; TILE + 2 * MARGIN];
    // The page's own edge (a scanner lid, a desk) shows up as ink along the
    // border on one side or the other; no form prints there.
    let border = w.min(h) / 60;
    let tiles_x = w.div_ceil(TILE);
    let tiles_y = h.div_ceil(TILE);
    for ty in 0..tiles_y {
        for tx in 0..tiles_x {
            let (x0, y0) = (tx * TILE, ty * TILE);
            let (x1, y1) = ((x0 + TILE).min(w), (y0 + TILE).min(h));
            // The shift is judged on the tile plus a margin, so that ink near
            // the tile's edge cannot hide by moving out of it.
            let window = (
                x0.saturating_sub(MARGIN),
                y0.saturating_sub(MARGIN),
                (x1 + MARGIN).min(w),
                (y1 + MARGIN).min(h),
            );
            let count_at = |dx: i32,
                            dy: i32,
                            area: (usize, usize, usize, usize),
                            out: Option<&mut [u8]>|
             -> u32 {
                let (ax0, ay0, ax1, ay1) = area;
                // Only pixels off the page's border count.
                let (cx0, cx1) = (ax0.max(border), ax1.min(w.saturating_sub(border)));
                let (cy0, cy1) = (ay0.max(border), ay1.min(h.saturating_sub(border)));
                if cx0 >= cx1 {
                    return 0;
                }
                // The columns whose shifted pixel lies on the page.
                let (sx0, sx1) = (
                    (cx0 as i32).max(-dx).max(0) as usize,
                    (cx1 as i32).min(w as i32 - dx).max(0) as usize,
                );
                let mut n = 0;
                let mut out = out;
                let mut row = [0u8; TILE + 2 * MARGIN];
                for y in cy0..cy1 {
                    let sy = y as i32 + dy;
                    let row_on_page = sy >= 0 && (sy as usize) < h;
                    let at = y * w + cx0..y * w + cx1;
                    let (er, enr) = (&e.data[at.clone()], &e_near.data[at.clone()]);
                    let ir = match ignore {
                        Some(m) => &m.data[at],
                        None => &unignored[..cx1 - cx0],
                    };
                    let d = &mut row[..cx1 - cx0];
                    // Where the shifted pixel is off the page, only the
                    // electronic ink differs.
                    for ((d, &ev), &iv) in d.iter_mut().zip(er).zip(ir) {
                        *d = u8::from((ev != 0) & (iv == 0));
                    }
                    let (lo, hi) = (sx0.clamp(cx0, cx1), sx1.clamp(cx0, cx1));
                    if row_on_page && lo < hi {
                        let s = (sy as usize * w + lo).wrapping_add_signed(dx as isize);
                        let (pr, pnr) = (&p.data[s..s + (hi - lo)], &p_near.data[s..s + (hi - lo)]);
                        let k = lo - cx0..hi - cx0;
                        let here = d[k.clone()]
                            .iter_mut()
                            .zip(er[k.clone()].iter().zip(&enr[k.clone()]))
                            .zip(ir[k].iter().zip(pr.iter().zip(pnr)));
                        for ((d, (&ev, &env)), (&iv, (&pv, &pnv))) in here {
                            let differs = ((ev != 0) & (pnv == 0)) | ((pv != 0) & (env == 0));
                            *d = u8::from(differs & (iv == 0));
                        }
                    }
                    n += d.iter().map(|&v| u32::from(v)).sum::<u32>();
                    if let Some(o) = out.as_deref_mut() {
                        let o = &mut o[(y - ay0) * TILE + (cx0 - ax0)..][..cx1 - cx0];
                        for (o, &v) in o.iter_mut().zip(d.iter()) {
                            if v != 0 {
                                *o = 1;
                            }
                        }
                    }
                }
                n
            };
            let tile_area = (x0, y0, x1, y1);
            if count_at(0, 0, tile_area, None) == 0 {
                continue;
            }
            let at_zero = count_at(0, 0, window, None);
            let mut best = (at_zero, 0, 0);
            if at_zero >= 3 {
                for dy in -SEARCH..=SEARCH {
                    for dx in -SEARCH..=SEARCH {
                        if dx == 0 && dy == 0 {
                            continue;
                        }
                        let n = count_at(dx, dy, window, None);
                        // Prefer no shift on ties.
                        if n < best.0 {
                            best = (n, dx, dy);
                        }
                    }
                }
            }
            let mut tile = vec![0u8; TILE * TILE];
            count_at(best.1, best.2, tile_area, Some(&mut tile));
            for y in y0..y1 {
                for x in x0..x1 {
                    diff[y * w + x] = tile[(y - y0) * TILE + (x - x0)];
                }
            }
        }
    }
    let total_diff: u64 = diff.iter().map(|&v| u64::from(v)).sum();
    let ink = e.count() + p.count();
    let similarity = if ink == 0 {
        1.0
    } else {
        (1.0 - 2.0 * total_diff as f64 / ink as f64).clamp(0.0, 1.0) as f32
    };
    // Keep only differing pixels that are part of something at least two
    // pixels thick: a missing or extra stroke. A one-pixel fringe along a
    // stroke is a change of stroke width, not of content.
    let mut solid = vec![0u8; w * h];
    for y in 0..h.saturating_sub(1) {
        for x in 0..w.saturating_sub(1) {
            let i = y * w + x;
            if diff[i] != 0 && diff[i + 1] != 0 && diff[i + w] != 0 && diff[i + w + 1] != 0 {
                solid[i] = 1;
                solid[i + 1] = 1;
                solid[i + w] = 1;
                solid[i + w + 1] = 1;
            }
        }
    }
    InkDiff {
        clusters: clusters(&solid, w, h),
        similarity,
    }
}

/// Groups differing pixels: cells with at least two of them, joined when
/// they touch or sit one cell apart.
fn clusters(diff: &[u8], w: usize, h: usize) -> Vec<Change> {
    let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut counts = vec![0u32; cw * ch];
    for y in 0..h {
        for x in 0..w {
            if diff[y * w + x] != 0 {
                counts[(y / CELL) * cw + x / CELL] += 1;
            }
        }
    }
    let mut label = vec![u32::MAX; cw * ch];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cw * ch {
        if counts[start] < 2 || label[start] != u32::MAX {
            continue;
        }
        let id = out.len() as u32;
        label[start] = id;
        stack.push(start);
        let (mut cx0, mut cy0, mut cx1, mut cy1, mut weight) = (usize::MAX, usize::MAX, 0, 0, 0u32);
        while let Some(c) = stack.pop() {
            let (cx, cy) = (c % cw, c / cw);
            cx0 = cx0.min(cx);
            cy0 = cy0.min(cy);
            cx1 = cx1.max(cx);
            cy1 = cy1.max(cy);
            weight += counts[c];
            for ny in cy.saturating_sub(2)..=(cy + 2).min(ch - 1) {
                for nx in cx.saturating_sub(2)..=(cx + 2).min(cw - 1) {
                    let n = ny * cw + nx;
                    if counts[n] >= 2 && label[n] == u32::MAX {
                        label[n] = id;
                        stack.push(n);
                    }
                }
            }
        }
        out.push(Change {
            x0: (cx0 * CELL) as u32,
            y0: (cy0 * CELL) as u32,
            x1: ((cx1 + 1) * CELL).min(w) as u32,
            y1: ((cy1 + 1) * CELL).min(h) as u32,
            weight,
        });
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.weight));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitmap_with(w: u32, h: u32, rects: &[(u32, u32, u32, u32)]) -> Bitmap {
        let mut b = Bitmap::new(w, h);
        for &(x0, y0, rw, rh) in rects {
            for y in y0..y0 + rh {
                for x in x0..x0 + rw {
                    b.data[(y * w + x) as usize] = 1;
                }
            }
        }
        b
    }

    #[test]
    fn a_shifted_thicker_copy_is_the_same() {
        let e = bitmap_with(200, 100, &[(20, 20, 60, 3), (100, 50, 3, 30)]);
        // One pixel off and one pixel thicker.
        let p = bitmap_with(200, 100, &[(21, 21, 60, 4), (101, 51, 4, 30)]);
        let d = compare_ink(&e, &p, None, 2);
        assert!(d.clusters.iter().all(|c| c.weight < 4), "{:?}", d.clusters);
        assert!(d.similarity > 0.95);
    }

    #[test]
    fn an_added_stroke_is_one_cluster_where_it_was_added() {
        let e = bitmap_with(200, 100, &[(20, 20, 60, 3)]);
        let p = bitmap_with(200, 100, &[(20, 20, 60, 3), (150, 60, 3, 12)]);
        let d = compare_ink(&e, &p, None, 2);
        let c = d.clusters[0];
        assert!(c.weight >= 30, "{c:?}");
        assert!(
            c.x0 <= 150 && c.x1 >= 153 && c.y0 <= 60 && c.y1 >= 72,
            "{c:?}"
        );
        // Ignoring the place hides it.
        let ignore = bitmap_with(200, 100, &[(140, 50, 30, 30)]);
        let d = compare_ink(&e, &p, Some(&ignore), 2);
        assert!(d.clusters.is_empty());
    }
}
