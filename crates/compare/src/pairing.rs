//! Pairs the pages of the paper copy with those of the electronic copy, like
//! a diff over two sequences whose elements are page signatures.
//!
//! Pages pair by signature distance, closest first, with ties broken toward
//! keeping the original order (so two blank pages pair in order). Pages left
//! over are insertions or deletions. This finds reordered pages too, which a
//! strict order-keeping alignment would report as a deletion plus an insertion.

/// One entry of the alignment. Indices are 0-based.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    /// Paper page `paper` and electronic page `electronic` show the same page;
    /// the paper page must be turned clockwise by `turns` × 90°.
    Pair {
        paper: usize,
        electronic: usize,
        distance: f32,
        turns: u8,
    },
    /// An electronic page with no paper partner.
    OnlyElectronic(usize),
    /// A paper page with no electronic partner.
    OnlyPaper(usize),
}

/// Aligns the two sequences. `distance[p][e]` is `(distance, turns)` between
/// paper page `p` and electronic page `e`; pairs at or above `max_distance`
/// are never made. The result lists electronic pages in order, each paper
/// page without a partner right after the page it followed on paper.
pub fn align(distance: &[Vec<(f32, u8)>], electronic_pages: usize, max_distance: f32) -> Vec<Link> {
    let paper_pages = distance.len();
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (p, row) in distance.iter().enumerate() {
        for (e, &(d, _)) in row.iter().enumerate().take(electronic_pages) {
            if d < max_distance {
                // Same distance: prefer pages at the same position.
                let order_bias = 1e-4 * (p as f32 - e as f32).abs();
                candidates.push((d + order_bias, p, e));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut paper_partner: Vec<Option<usize>> = vec![None; paper_pages];
    let mut electronic_partner: Vec<Option<usize>> = vec![None; electronic_pages];
    for &(_, p, e) in &candidates {
        if paper_partner[p].is_none() && electronic_partner[e].is_none() {
            paper_partner[p] = Some(e);
            electronic_partner[e] = Some(p);
        }
    }

    // Electronic order, with lone paper pages placed after the electronic
    // page that their nearest earlier paired paper page went to.
    let mut lone_after: Vec<Vec<usize>> = vec![Vec::new(); electronic_pages + 1];
    for p in 0..paper_pages {
        if paper_partner[p].is_some() {
            continue;
        }
        let anchor = (0..p).rev().find_map(|q| paper_partner[q]);
        let slot = anchor.map_or(0, |e| e + 1);
        lone_after[slot].push(p);
    }
    let mut links = Vec::with_capacity(paper_pages.max(electronic_pages));
    for p in &lone_after[0] {
        links.push(Link::OnlyPaper(*p));
    }
    for e in 0..electronic_pages {
        match electronic_partner[e] {
            Some(p) => links.push(Link::Pair {
                paper: p,
                electronic: e,
                distance: distance[p][e].0,
                turns: distance[p][e].1,
            }),
            None => links.push(Link::OnlyElectronic(e)),
        }
        for p in &lone_after[e + 1] {
            links.push(Link::OnlyPaper(*p));
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&[f32]]) -> Vec<Vec<(f32, u8)>> {
        rows.iter()
            .map(|r| r.iter().map(|&d| (d, 0)).collect())
            .collect()
    }

    #[test]
    fn reordered_pages_pair_across_positions() {
        let d = matrix(&[&[0.9, 0.1, 0.8], &[0.1, 0.9, 0.8], &[0.8, 0.8, 0.05]]);
        let links = align(&d, 3, 0.4);
        let pairs: Vec<(usize, usize)> = links
            .iter()
            .filter_map(|l| match l {
                Link::Pair {
                    paper, electronic, ..
                } => Some((*paper, *electronic)),
                _ => None,
            })
            .collect();
        assert_eq!(pairs, vec![(1, 0), (0, 1), (2, 2)]);
    }

    #[test]
    fn a_missing_and_an_extra_page_are_reported_in_place() {
        // Paper: A, X, C. Electronic: A, B, C.
        let d = matrix(&[&[0.05, 0.7, 0.8], &[0.7, 0.8, 0.75], &[0.8, 0.7, 0.05]]);
        let links = align(&d, 3, 0.4);
        assert_eq!(links.len(), 4);
        assert!(matches!(
            links[0],
            Link::Pair {
                paper: 0,
                electronic: 0,
                ..
            }
        ));
        assert_eq!(links[1], Link::OnlyPaper(1));
        assert_eq!(links[2], Link::OnlyElectronic(1));
        assert!(matches!(
            links[3],
            Link::Pair {
                paper: 2,
                electronic: 2,
                ..
            }
        ));
    }

    #[test]
    fn identical_blank_pages_pair_in_order() {
        let d = matrix(&[&[0.0, 0.0], &[0.0, 0.0]]);
        let links = align(&d, 2, 0.4);
        assert!(matches!(
            links[0],
            Link::Pair {
                paper: 0,
                electronic: 0,
                ..
            }
        ));
        assert!(matches!(
            links[1],
            Link::Pair {
                paper: 1,
                electronic: 1,
                ..
            }
        ));
    }
}
