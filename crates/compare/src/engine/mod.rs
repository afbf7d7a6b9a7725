//! The comparison pipeline, in order: load and prepare every page (both
//! sides at once) → sign and pair the pages (an alignment, like a diff) →
//! compare each pair ([`pair`], which lists its own stages) → pair the
//! pages left over with each other → the notes and the verdict. Pages and
//! pairs run in parallel on rayon; the progress callback can stop the run
//! between any two steps.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use image::{imageops, GrayImage, RgbImage};
use rayon::prelude::*;
use tracing::{debug, debug_span};

use crate::ink::{prepare, Bitmap, PreparedPage};
use crate::pairing::{align, Link};
use crate::signature::{distance, signature, Signature};
use crate::{
    CompareError, Comparison, Note, NoteKind, Options, PageSource, PairResult, PairStatus, Side,
    Verdict, WORKING_DPI,
};

mod pair;

use pair::compare_pair;

/// Compares the two copies. See the crate documentation.
pub fn compare(
    paper: &dyn PageSource,
    electronic: &dyn PageSource,
    opts: &Options,
) -> Result<Comparison, CompareError> {
    compare_with(paper, electronic, opts, &|_, _| true)
}

/// [`compare`] with a progress callback: it gets `(done, total)` steps and
/// returns `false` to cancel, which ends the run with [`CompareError::Cancelled`].
pub fn compare_with(
    paper: &dyn PageSource,
    electronic: &dyn PageSource,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Result<Comparison, CompareError> {
    if opts.threads > 0 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| CompareError::Ocr(format!("cannot start worker threads: {e}")))?;
        // The caller's span (a case in the evaluation, say) carries over to
        // the pool's threads, so the engine's logs say what they belong to.
        let caller = tracing::Span::current();
        pool.install(|| caller.in_scope(|| run(paper, electronic, opts, progress)))
    } else {
        run(paper, electronic, opts, progress)
    }
}

/// Counts finished steps and asks the callback whether to go on.
struct Steps<'a> {
    done: AtomicUsize,
    total: AtomicUsize,
    cancelled: AtomicBool,
    callback: &'a (dyn Fn(usize, usize) -> bool + Sync),
}

impl Steps<'_> {
    fn tick(&self) -> Result<(), CompareError> {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if !(self.callback)(done, self.total.load(Ordering::SeqCst)) {
            self.cancelled.store(true, Ordering::SeqCst);
        }
        self.check()
    }

    fn check(&self) -> Result<(), CompareError> {
        if self.cancelled.load(Ordering::SeqCst) {
            Err(CompareError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A prepared page and its signature.
struct SidePage {
    page: PreparedPage,
    signature: Signature,
    /// The page's text layer in the grid of `page` (born-digital pages only).
    words: Vec<doisoat_pages::Word>,
    /// Whether the file stated the page's resolution (else it was assumed
    /// from an A4 page's size, [`to_working_resolution`]).
    dpi_known: bool,
}

fn load_side(
    source: &dyn PageSource,
    side: Side,
    steps: &Steps,
) -> Result<Vec<SidePage>, CompareError> {
    (0..source.page_count())
        .into_par_iter()
        .map(|i| {
            steps.check()?;
            let _span = debug_span!("prepare", %side, page = i + 1).entered();
            let page = source.load(i).map_err(|source| CompareError::Page {
                side,
                page: i as u32 + 1,
                source,
            })?;
            let loaded_width = page.image.width().max(1) as f32;
            let dpi_known = page.dpi_known;
            let (image, dpi) = to_working_resolution(page.image, page.dpi, dpi_known);
            let factor = image.width() as f32 / loaded_width;
            let words = page.words.iter().map(|w| w.scaled(factor)).collect();
            let page = prepare(&image, dpi);
            let signature = signature(&page.ink);
            steps.tick()?;
            Ok(SidePage {
                page,
                signature,
                words,
                dpi_known,
            })
        })
        .collect()
}

/// Scans above the working resolution are scaled down to it. An image of
/// unknown resolution (a phone photo) is taken to span an A4 page's long side.
fn to_working_resolution(image: RgbImage, dpi: f32, dpi_known: bool) -> (RgbImage, f32) {
    let long_side = image.width().max(image.height()) as f32;
    let dpi = if dpi_known && dpi > 10.0 {
        dpi
    } else {
        long_side / 11.69
    };
    if dpi <= WORKING_DPI * 1.15 {
        return (image, dpi);
    }
    let f = WORKING_DPI / dpi;
    let (w, h) = (
        ((image.width() as f32 * f).round() as u32).max(1),
        ((image.height() as f32 * f).round() as u32).max(1),
    );
    (
        doisoat_pages::resample::resize_rgb(&image, w, h),
        WORKING_DPI,
    )
}

fn run(
    paper: &dyn PageSource,
    electronic: &dyn PageSource,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Result<Comparison, CompareError> {
    let (np, ne) = (paper.page_count(), electronic.page_count());
    let steps = Steps {
        done: AtomicUsize::new(0),
        // Loading both sides, then one step per pair (at most max(np, ne)).
        total: AtomicUsize::new(np + ne + np.max(ne)),
        cancelled: AtomicBool::new(false),
        callback: progress,
    };
    let (paper_pages, electronic_pages) = rayon::join(
        || load_side(paper, Side::Paper, &steps),
        || load_side(electronic, Side::Electronic, &steps),
    );
    let (paper_pages, electronic_pages) = (paper_pages?, electronic_pages?);

    let distances = signature_distances(&paper_pages, &electronic_pages);
    let links = align(&distances, ne, opts.pair_distance);
    debug!(?links, "pages aligned");
    let pairs = links
        .iter()
        .filter(|l| matches!(l, Link::Pair { .. }))
        .count();
    steps.total.store(np + ne + pairs, Ordering::SeqCst);

    let results: Vec<(Vec<PairResult>, Vec<Note>)> = links
        .par_iter()
        .map(
            |link| -> Result<(Vec<PairResult>, Vec<Note>), CompareError> {
                steps.check()?;
                let out = match *link {
                    Link::OnlyElectronic(e) => (vec![lone(None, Some(e))], Vec::new()),
                    Link::OnlyPaper(p) => (vec![lone(Some(p), None)], Vec::new()),
                    Link::Pair {
                        paper: p,
                        electronic: e,
                        turns,
                        ..
                    } => {
                        let r =
                            compare_pair(&paper_pages[p], &electronic_pages[e], turns, opts, p, e)?;
                        steps.tick()?;
                        r
                    }
                };
                Ok(out)
            },
        )
        .collect::<Result<_, _>>()?;

    let mut notes = Vec::new();
    for (side, pages) in [
        (Side::Paper, &paper_pages),
        (Side::Electronic, &electronic_pages),
    ] {
        for (i, sp) in pages.iter().enumerate() {
            let page = i as u32 + 1;
            if sp.page.colour.red_significant() {
                notes.push(Note {
                    kind: NoteKind::RedInkIgnored,
                    side,
                    page,
                });
            }
            if sp.page.colour.blue_significant() {
                notes.push(Note {
                    kind: NoteKind::BlueInkIgnored,
                    side,
                    page,
                });
            }
            if sp.signature == Signature::Blank {
                notes.push(Note {
                    kind: NoteKind::BlankPage,
                    side,
                    page,
                });
            }
        }
    }
    let mut pages = Vec::with_capacity(results.len());
    for (r, n) in results {
        pages.extend(r);
        notes.extend(n);
    }
    pair_leftovers(
        &mut pages,
        &mut notes,
        &links,
        &distances,
        (&paper_pages, &electronic_pages),
        opts,
        &steps,
    )?;

    let verdict = if pages.iter().all(|p| p.status == PairStatus::Same) {
        Verdict::Match
    } else {
        Verdict::Mismatch
    };
    Ok(Comparison {
        verdict,
        pages,
        notes,
    })
}

/// `[p][e]`: the distance (and the paper page's turns) between the
/// signatures of paper page `p` and electronic page `e`.
fn signature_distances(paper: &[SidePage], electronic: &[SidePage]) -> Vec<Vec<(f32, u8)>> {
    paper
        .iter()
        .map(|p| {
            electronic
                .iter()
                .map(|e| distance(&p.signature, &e.signature))
                .collect()
        })
        .collect()
}

/// Pages left without a partner are tried against each other, closest
/// fingerprints first, and a pair that compares as one page (not as a
/// substitute) replaces the two lone pages. Two copies of one form filled
/// for two people (an ID card copy for each party) have fingerprints too
/// alike for the alignment to order: when the paper holds them the other
/// way round, both pairs compare as substitutes (seed 9 c0038). Pairs the
/// alignment already compared are not tried again.
fn pair_leftovers(
    pages: &mut Vec<PairResult>,
    notes: &mut Vec<Note>,
    links: &[Link],
    distances: &[Vec<(f32, u8)>],
    (paper_pages, electronic_pages): (&[SidePage], &[SidePage]),
    opts: &Options,
    steps: &Steps,
) -> Result<(), CompareError> {
    let compared = |p: usize, e: usize| {
        links.iter().any(
            |l| matches!(*l, Link::Pair { paper, electronic, .. } if paper == p && electronic == e),
        )
    };
    let (mut lone_paper, mut lone_electronic) = (Vec::new(), Vec::new());
    for r in pages.iter() {
        match (r.paper_page, r.electronic_page) {
            (Some(p), None) => lone_paper.push(p as usize - 1),
            (None, Some(e)) => lone_electronic.push(e as usize - 1),
            _ => {}
        }
    }
    let mut tries: Vec<(f32, usize, usize, u8)> = lone_paper
        .iter()
        .flat_map(|&p| lone_electronic.iter().map(move |&e| (p, e)))
        .filter(|&(p, e)| !compared(p, e))
        .map(|(p, e)| (distances[p][e].0, p, e, distances[p][e].1))
        .filter(|t| t.0 <= opts.pair_distance)
        .collect();
    tries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut paired_p, mut paired_e) = (Vec::new(), Vec::new());
    for (distance, p, e, turns) in tries {
        if paired_p.contains(&p) || paired_e.contains(&e) {
            continue;
        }
        steps.total.fetch_add(1, Ordering::SeqCst);
        let (result, more) =
            compare_pair(&paper_pages[p], &electronic_pages[e], turns, opts, p, e)?;
        steps.tick()?;
        // A substitute again comes back as a lone page of each side.
        let Ok([result]) = <[PairResult; 1]>::try_from(result) else {
            continue;
        };
        debug!(
            paper = p + 1,
            electronic = e + 1,
            distance,
            "left-over pages paired"
        );
        paired_p.push(p);
        paired_e.push(e);
        let at = pages
            .iter()
            .position(|r| r.paper_page == Some(p as u32 + 1) && r.electronic_page.is_none())
            .expect("a lone paper page");
        pages[at] = result;
        pages.retain(|r| !(r.paper_page.is_none() && r.electronic_page == Some(e as u32 + 1)));
        for n in more {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    Ok(())
}

fn lone(paper: Option<usize>, electronic: Option<usize>) -> PairResult {
    PairResult {
        paper_page: paper.map(|p| p as u32 + 1),
        electronic_page: electronic.map(|e| e as u32 + 1),
        status: if paper.is_none() {
            PairStatus::MissingFromPaper
        } else {
            PairStatus::MissingFromElectronic
        },
        similarity: None,
        regions: Vec::new(),
        text: Vec::new(),
        paper_rotation: 0,
    }
}

/// Turns a grey plane clockwise by `turns` quarter turns.
fn turn_grey(img: &GrayImage, turns: u8) -> GrayImage {
    match turns % 4 {
        1 => imageops::rotate90(img),
        2 => imageops::rotate180(img),
        3 => imageops::rotate270(img),
        _ => img.clone(),
    }
}

fn turn_bitmap(b: &Bitmap, turns: u8) -> Bitmap {
    if turns.is_multiple_of(4) {
        return b.clone();
    }
    let img = GrayImage::from_raw(b.width, b.height, b.data.clone()).expect("bitmap size");
    let t = turn_grey(&img, turns);
    Bitmap {
        width: t.width(),
        height: t.height(),
        data: t.into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Page 1 of one document for each entry, in this order.
    struct FirstPages(Vec<doisoat_pages::Document>);

    impl PageSource for FirstPages {
        fn page_count(&self) -> usize {
            self.0.len()
        }

        fn load(&self, index: usize) -> Result<doisoat_pages::Page, doisoat_pages::PagesError> {
            self.0[index].load(0)
        }
    }

    /// Progress that nobody watches.
    fn unwatched() -> Steps<'static> {
        Steps {
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            callback: &|_, _| true,
        }
    }

    fn first_pages(files: &[&str], side: Side) -> Vec<SidePage> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let docs = files
            .iter()
            .map(|f| doisoat_pages::open(&root.join(f)).expect("fixture"))
            .collect();
        load_side(&FirstPages(docs), side, &unwatched()).expect("pages")
    }

    #[test]
    fn pages_left_by_two_substitutes_are_paired_across() {
        // Page 1 of one application form filled for two dossiers, the
        // paper holding them the other way round. Say the alignment paired
        // them in order and both pairs came out as substitutes (seed 9
        // c0038, two ID card copies): the left-over pages pair across.
        let paper = first_pages(
            &[
                "paper/000.00.38.H38-221125-0002_TP1_scan.pdf",
                "paper/000.00.38.H38-221125-0001_TP1_scan.pdf",
            ],
            Side::Paper,
        );
        let electronic = first_pages(
            &[
                "portal/electronic/000.00.38.H38-221125-0001_TP1.pdf",
                "portal/electronic/000.00.38.H38-221125-0002_TP1.pdf",
            ],
            Side::Electronic,
        );
        let distances = signature_distances(&paper, &electronic);
        let in_order = |i: usize| Link::Pair {
            paper: i,
            electronic: i,
            distance: distances[i][i].0,
            turns: distances[i][i].1,
        };
        let links = [in_order(0), in_order(1)];
        let mut pages = vec![
            lone(None, Some(0)),
            lone(Some(0), None),
            lone(None, Some(1)),
            lone(Some(1), None),
        ];
        let mut notes = Vec::new();
        let steps = unwatched();
        pair_leftovers(
            &mut pages,
            &mut notes,
            &links,
            &distances,
            (&paper, &electronic),
            &Options::default(),
            &steps,
        )
        .unwrap();
        let pairs: Vec<_> = pages
            .iter()
            .map(|p| (p.paper_page, p.electronic_page, p.status))
            .collect();
        assert_eq!(
            pairs,
            [
                (Some(1), Some(2), PairStatus::Same),
                (Some(2), Some(1), PairStatus::Same)
            ]
        );
        assert_eq!(steps.done.load(Ordering::SeqCst), 2);
    }
}
