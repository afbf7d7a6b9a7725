//! The engine on the committed fixtures (fixtures/README.md states their
//! truth): rescans match, a changed number is found where it is, missing,
//! reordered and turned pages come out right, and a bad file names its side.

use std::path::PathBuf;

use doisoat_compare::{
    compare, compare_with, CompareError, Comparison, NoteKind, Options, PageSource, PairResult,
    PairStatus, Region, Side, Verdict,
};
use doisoat_pages::{Document, Page, PagesError};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../fixtures")
        .join(rel)
}

fn open(rel: &str) -> Document {
    doisoat_pages::open(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A document seen through a page order and per-page edits, to make
/// reordered, turned or stamped copies from a committed scan.
struct Edited<'a> {
    doc: &'a Document,
    order: Vec<usize>,
    edit: fn(usize, &mut Page),
}

impl PageSource for Edited<'_> {
    fn page_count(&self) -> usize {
        self.order.len()
    }

    fn load(&self, index: usize) -> Result<Page, PagesError> {
        let mut page = self.doc.load(self.order[index])?;
        (self.edit)(index, &mut page);
        Ok(page)
    }
}

/// A corpus case committed under `fixtures/compare/<dir>`, compared.
fn compare_case(dir: &str, ocr: bool) -> Comparison {
    compare_case_with(
        dir,
        &Options {
            ocr,
            ..Options::default()
        },
    )
}

/// [`compare_case`] with other options.
fn compare_case_with(dir: &str, opts: &Options) -> Comparison {
    let paper = open(&format!("compare/{dir}/paper.pdf"));
    let electronic = open(&format!("compare/{dir}/electronic.pdf"));
    compare(&paper, &electronic, opts).unwrap()
}

/// Whether a region reported on `changed` overlaps the true one, `[x, y,
/// w, h]` in fractions of the electronic page as fixtures/README.md gives
/// it.
fn found_at(changed: &PairResult, [x, y, w, h]: [f32; 4]) -> bool {
    let truth = Region { x, y, w, h };
    changed.regions.iter().any(|r| r.overlaps(&truth))
}

/// Asserts that `c` is a mismatch whose first pair is `different` with a
/// region over `truth` (as for [`found_at`]), and returns that pair; `what`
/// names the run in the failure messages.
fn first_pair_changed_at<'a>(c: &'a Comparison, truth: [f32; 4], what: &str) -> &'a PairResult {
    assert_eq!(c.verdict, Verdict::Mismatch, "{what}: {c:#?}");
    let changed = &c.pages[0];
    assert_eq!(changed.status, PairStatus::Different, "{what}: {c:#?}");
    assert!(found_at(changed, truth), "{what}: {changed:#?}");
    changed
}

/// Asserts that the fixture `dir` is a mismatch whose first pair changed
/// at `truth` ([`first_pair_changed_at`]), with OCR and without, and a
/// match under `without`: the options with the one stage that finds it
/// switched off.
fn found_by_one_stage(dir: &str, truth: [f32; 4], without: &Options) {
    for ocr in [false, true] {
        let c = compare_case(dir, ocr);
        first_pair_changed_at(&c, truth, &format!("{dir}, ocr {ocr}"));
    }
    let c = compare_case_with(dir, without);
    assert_eq!(c.verdict, Verdict::Match, "{dir} without the stage: {c:#?}");
}

/// Whether `c` carries a note of `kind` about `page` of `side`.
fn noted(c: &Comparison, kind: NoteKind, side: Side, page: u32) -> bool {
    c.notes
        .iter()
        .any(|n| n.kind == kind && n.side == side && n.page == page)
}

#[test]
fn a_rescan_matches_page_for_page() {
    let paper = open("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    let electronic = open("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
    let c = compare(&paper, &electronic, &Options::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Match, "{c:#?}");
    assert_eq!(c.pages.len(), 2);
    for (i, p) in c.pages.iter().enumerate() {
        assert_eq!(p.status, PairStatus::Same);
        assert_eq!(
            (p.paper_page, p.electronic_page),
            (Some(i as u32 + 1), Some(i as u32 + 1))
        );
        assert!(p.similarity.unwrap() > 0.8, "{p:?}");
    }
    // A 150-dpi scan: under the 200 dpi asked of an electronic copy.
    for page in [1, 2] {
        assert!(
            noted(&c, NoteKind::CoarsePaper, Side::Paper, page),
            "page {page}: {:?}",
            c.notes
        );
    }
}

#[test]
fn a_changed_area_figure_is_found_where_it_was_changed_and_read() {
    let paper = open("paper/000.00.38.H38-221125-0001_TP2_scan.pdf");
    let electronic = open("portal/electronic/000.00.38.H38-221125-0001_TP2.pdf");
    let opts = Options {
        ocr: true,
        ..Options::default()
    };
    let c = compare(&paper, &electronic, &opts).unwrap();
    assert_eq!(c.verdict, Verdict::Mismatch);
    let statuses: Vec<PairStatus> = c.pages.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [PairStatus::Same, PairStatus::Different, PairStatus::Same],
        "{c:#?}"
    );
    let changed = &c.pages[1];
    assert!(
        found_at(changed, [0.256, 0.215, 0.0459, 0.0178]),
        "{changed:#?}"
    );
    // The regions are small: the change, not the page.
    assert!(
        changed.regions.iter().all(|r| r.w < 0.3 && r.h < 0.1),
        "{changed:#?}"
    );
    // Tesseract may read the decimal comma as a point; the digits must be right.
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    assert!(
        changed
            .text
            .iter()
            .any(|t| digits(&t.electronic) == "1205" && digits(&t.paper) == "1265"),
        "{:?}",
        changed.text
    );
}

#[test]
fn a_page_missing_from_the_paper_copy_is_reported() {
    let paper = open("paper/000.00.38.H38-221125-0002_TP1_scan.pdf");
    let electronic = open("portal/electronic/000.00.38.H38-221125-0002_TP1.pdf");
    let c = compare(&paper, &electronic, &Options::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Mismatch);
    assert_eq!(c.pages.len(), 2, "{c:#?}");
    assert_eq!(
        (
            c.pages[0].paper_page,
            c.pages[0].electronic_page,
            c.pages[0].status
        ),
        (Some(1), Some(1), PairStatus::Same)
    );
    assert_eq!(
        (
            c.pages[1].paper_page,
            c.pages[1].electronic_page,
            c.pages[1].status
        ),
        (None, Some(2), PairStatus::MissingFromPaper)
    );
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["pages"][1]["paper_page"], serde_json::Value::Null);
    assert_eq!(json["pages"][1]["status"], "missing_from_paper");
    assert!(json["pages"][1].get("similarity").is_none());
}

fn turn_second_page_and_stamp_first(index: usize, page: &mut Page) {
    if index == 1 {
        page.image = image::imageops::rotate180(&page.image);
    }
    if index == 0 {
        // A red round stamp in the lower right, over blank paper and print alike.
        let (w, h) = page.image.dimensions();
        let (cx, cy, r) = (w as f32 * 0.7, h as f32 * 0.8, w as f32 * 0.09);
        for (x, y, px) in page.image.enumerate_pixels_mut() {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if (d - r).abs() < 4.0 || (d < r * 0.6 && (x + y) % 9 < 3) {
                let [pr, pg, pb] = px.0;
                px.0 = [pr.min(200), pg.min(40), pb.min(50)];
            }
        }
    }
}

#[test]
fn swapped_turned_and_stamped_pages_still_match() {
    let doc = open("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    let paper = Edited {
        doc: &doc,
        order: vec![1, 0],
        edit: turn_second_page_and_stamp_first,
    };
    let electronic = open("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
    let c = compare(&paper, &electronic, &Options::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Match, "{c:#?}");
    assert_eq!(
        (c.pages[0].paper_page, c.pages[0].electronic_page),
        (Some(2), Some(1))
    );
    assert_eq!(c.pages[0].paper_rotation, 180);
    assert_eq!(
        (c.pages[1].paper_page, c.pages[1].electronic_page),
        (Some(1), Some(2))
    );
    assert!(
        noted(&c, NoteKind::RedInkIgnored, Side::Paper, 1),
        "{:?}",
        c.notes
    );
    assert!(
        c.notes
            .iter()
            .any(|n| n.kind == NoteKind::Rotated && n.page == 2),
        "{:?}",
        c.notes
    );
}

/// The last digit of "Năm sinh: 1992" on page 1 of the committed scan, in
/// its pixels (150 dpi): x, y, width, height.
const BIRTH_YEAR_LAST_DIGIT: [u32; 4] = [376, 462, 14, 32];

/// A solid red stamp 15 mm across (multiplied in, as ink over paper) on
/// page 1's birth year, print under it showing through.
fn stamp_birth_year(index: usize, page: &mut Page) {
    if index != 0 {
        return;
    }
    let [x0, y0, w, h] = BIRTH_YEAR_LAST_DIGIT;
    let (cx, cy) = ((x0 + w / 2) as f32, (y0 + h / 2) as f32);
    for (x, y, px) in page.image.enumerate_pixels_mut() {
        if ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() < 45.0 {
            let [r, g, b] = px.0;
            let ink = |v: u8, k: u16| (u16::from(v) * k / 255) as u8;
            px.0 = [ink(r, 200), ink(g, 40), ink(b, 50)];
        }
    }
}

/// [`stamp_birth_year`] after the year's last digit was scraped off.
fn scrape_and_stamp_birth_year(index: usize, page: &mut Page) {
    if index == 0 {
        let [x0, y0, w, h] = BIRTH_YEAR_LAST_DIGIT;
        let paper = *page.image.get_pixel(x0 + w + 6, y0 + h / 2);
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                page.image.put_pixel(x, y, paper);
            }
        }
    }
    stamp_birth_year(index, page);
}

#[test]
fn print_under_a_stamp_is_compared_on_a_scan() {
    let doc = open("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    let electronic = open("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
    let stamped = |edit| Edited {
        doc: &doc,
        order: vec![0, 1],
        edit,
    };
    // The stamp alone, over print: the same.
    let c = compare(&stamped(stamp_birth_year), &electronic, &Options::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Match, "{c:#?}");
    assert!(
        noted(&c, NoteKind::RedInkIgnored, Side::Paper, 1),
        "{:?}",
        c.notes
    );
    // A digit gone under the stamp: found there.
    let c = compare(
        &stamped(scrape_and_stamp_birth_year),
        &electronic,
        &Options::default(),
    )
    .unwrap();
    let [x, y, w, h] = BIRTH_YEAR_LAST_DIGIT.map(|v| v as f32);
    first_pair_changed_at(
        &c,
        [x / 1240.0, y / 1754.0, w / 1240.0, h / 1754.0],
        "under the stamp",
    );
}

#[test]
fn an_a5_receipt_scan_matches_its_born_digital_copy() {
    let paper = open("receipts/bien_nhan_mau01_200dpi.jpg");
    let electronic = open("receipts/bien_nhan_mau01.pdf");
    let c = compare(&paper, &electronic, &Options::default()).unwrap();
    assert_eq!(c.verdict, Verdict::Match, "{c:#?}");
}

#[test]
fn an_encrypted_file_is_an_error_that_names_its_side() {
    let paper = open("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    // Opening may already refuse it; if not, loading its pages must.
    let Ok(electronic) = doisoat_pages::open(&fixture("bad/encrypted.pdf")) else {
        return assert!(matches!(
            doisoat_pages::open(&fixture("bad/encrypted.pdf")),
            Err(PagesError::Encrypted)
        ));
    };
    match compare(&paper, &electronic, &Options::default()) {
        Err(CompareError::Page { side, .. }) => assert_eq!(side, Side::Electronic),
        other => panic!("expected an electronic-side error, got {other:?}"),
    }
}

#[test]
fn cancelling_stops_the_comparison() {
    let paper = open("paper/000.00.38.H38-221125-0001_TP1_scan.pdf");
    let electronic = open("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf");
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let r = compare_with(&paper, &electronic, &Options::default(), &|done, total| {
        assert!(done <= total);
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        done < 2
    });
    assert!(matches!(r, Err(CompareError::Cancelled)), "{r:?}");
    assert!(seen.load(std::sync::atomic::Ordering::SeqCst) >= 2);
}

/// The receipt's scan resampled to `DPI` with a triangle filter: a coarse,
/// soft scan whose QR modules run together.
fn coarse_scan(_: usize, page: &mut Page) {
    const DPI: f32 = 90.0;
    let f = DPI / page.dpi;
    let (w, h) = (
        (page.image.width() as f32 * f).round() as u32,
        (page.image.height() as f32 * f).round() as u32,
    );
    page.image = image::imageops::resize(&page.image, w, h, image::imageops::FilterType::Triangle);
    page.dpi = DPI;
}

#[test]
fn a_qr_code_too_fine_for_the_scan_is_noted_not_reported() {
    let scan = open("receipts/bien_nhan_mau01_200dpi.jpg");
    let paper = Edited {
        doc: &scan,
        order: vec![0],
        edit: coarse_scan,
    };
    let electronic = open("receipts/bien_nhan_mau01.pdf");
    let c = compare(&paper, &electronic, &Options::default()).unwrap();
    // At 90 dpi the receipt's QR modules are under 2.5 paper pixels: the
    // pixels there disagree, the code cannot be read, and it is not
    // compared (said in a note) rather than reported as altered.
    assert_eq!(c.verdict, Verdict::Match, "{c:#?}");
    assert!(
        noted(&c, NoteKind::QrCodeNotCompared, Side::Paper, 1),
        "{:?}",
        c.notes
    );
}

#[test]
fn a_tone_mark_swapped_in_its_place_is_found_by_reading_it() {
    // "Võ Văn Tần" → "Võ Văn Tấn" on page 1 of a 150-dpi scan: the acute
    // lies where the grave was, within the pixel stages' tolerance; the
    // place is read and the reading settles it (fixtures/README.md).
    let c = compare_case("mark_swap", true);
    assert_eq!(c.verdict, Verdict::Mismatch, "{c:#?}");
    let statuses: Vec<PairStatus> = c.pages.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses,
        [PairStatus::Different, PairStatus::Same],
        "{c:#?}"
    );
    let changed = &c.pages[0];
    assert!(
        found_at(changed, [0.4322, 0.3443, 0.0336, 0.0178]),
        "{changed:#?}"
    );
    assert!(
        changed
            .text
            .iter()
            .any(|t| t.electronic.trim_end_matches(',') == "Tần"
                && t.paper.trim_end_matches(',') == "Tấn"),
        "{:?}",
        changed.text
    );
}

#[test]
fn a_tone_mark_changed_on_a_coarse_scan_is_not_read_away() {
    // "Đất" → "Đẫt" on a 150-dpi scan of page 1: the grey-mark stage finds
    // it, and tesseract reads the paper as the electronic text there, which
    // must not settle the pair as the same (fixtures/README.md; the
    // electronic copy's page 2 is missing on paper). Without OCR the mark
    // stands alone.
    for ocr in [false, true] {
        let c = compare_case("coarse_scan_mark", ocr);
        let changed = c
            .pages
            .iter()
            .find(|p| (p.paper_page, p.electronic_page) == (Some(1), Some(1)))
            .unwrap_or_else(|| panic!("ocr {ocr}: pages 1 and 1 not paired: {c:#?}"));
        assert_eq!(changed.status, PairStatus::Different, "ocr {ocr}: {c:#?}");
        assert!(
            found_at(changed, [0.3488, 0.5867, 0.0303, 0.0178]),
            "ocr {ocr}: {changed:#?}"
        );
    }
}

#[test]
fn a_tone_mark_swapped_in_its_place_on_a_scan_is_the_page_s_one_unexplained_spot() {
    // "Tuấn" → "Tuẩn" on a 200-dpi scan against a scanned electronic copy
    // (fixtures/README.md): the ink maps and the grey marks absorb it and
    // tesseract reads both alike; the residue map finds it, with OCR or
    // without. Without the residue map the page is the same.
    let without = Options {
        residue: false,
        ..Options::default()
    };
    found_by_one_stage(
        "scan_mark_in_place",
        [0.2801, 0.2814, 0.0479, 0.0179],
        &without,
    );
    let c = compare_case("scan_mark_in_place", false);
    assert!(
        !c.notes.iter().any(|n| n.kind == NoteKind::CoarsePaper),
        "a 200-dpi scan is not coarse: {:?}",
        c.notes
    );
}

#[test]
fn a_tone_mark_changed_on_a_phone_photo_is_the_glyph_unlike_its_siblings() {
    // "gốc" → "gộc" on a phone photo with about 110 dpi of real detail,
    // against a scanned electronic copy (fixtures/README.md): the capture
    // model leaves as much on unchanged text, and tesseract is not asked at
    // that resolution. The photo's other copies of the glyph find it, with
    // OCR or without, and so does the mark another letter of the page
    // carries (the tones stage) on its own; without both the page is the
    // same.
    let truth = [0.2337, 0.5557, 0.0299, 0.018];
    let without = Options {
        siblings: false,
        tones: false,
        ..Options::default()
    };
    found_by_one_stage("photo_mark_sibling", truth, &without);
    for (siblings, tones) in [(true, false), (false, true)] {
        let c = compare_case_with(
            "photo_mark_sibling",
            &Options {
                siblings,
                tones,
                ..Options::default()
            },
        );
        first_pair_changed_at(&c, truth, &format!("siblings {siblings}, tones {tones}"));
    }
}

#[test]
fn a_digit_changed_on_a_phone_photo_is_found_and_the_unchanged_page_stays_same() {
    // "…7771" → "…7271" on page 2 of a phone photo with about 100 dpi of
    // real detail: the changed stroke is a faint grey mark among the blur's
    // residue along the line; page 1 is the same photographed page
    // (fixtures/README.md). Both without and with OCR (how the CLI runs).
    for ocr in [false, true] {
        let c = compare_case("photo_digit", ocr);
        assert_eq!(c.verdict, Verdict::Mismatch, "ocr {ocr}: {c:#?}");
        let statuses: Vec<PairStatus> = c.pages.iter().map(|p| p.status).collect();
        assert_eq!(
            statuses,
            [PairStatus::Same, PairStatus::Different],
            "ocr {ocr}: {c:#?}"
        );
        let changed = &c.pages[1];
        assert!(
            found_at(changed, [0.4402, 0.1988, 0.1265, 0.013]),
            "ocr {ocr}: {changed:#?}"
        );
        // Under 200 pixels to the inch of paper, each page says that a
        // "same" is less sure there.
        for page in [1, 2] {
            assert!(
                noted(&c, NoteKind::CoarsePaper, Side::Paper, page),
                "ocr {ocr}: page {page}: {:?}",
                c.notes
            );
        }
    }
}

#[test]
fn a_tone_mark_swapped_on_a_sharp_phone_photo_is_found_by_reading_it() {
    // "Bích" → "Bĩch" in 9 pt on an A5 receipt photographed at about 240
    // pixels to the inch of paper (the PDF says 72; fixtures/README.md):
    // the tilde lies where the acute was. A photo that sharp has its
    // suspects read by OCR like a scan, and the reading settles it.
    let c = compare_case("photo_receipt", true);
    assert!(
        !c.notes.iter().any(|n| n.kind == NoteKind::CoarsePaper),
        "a photo at 240 pixels to the inch is not coarse: {:?}",
        c.notes
    );
    let changed = first_pair_changed_at(&c, [0.7411, 0.79, 0.0476, 0.0206], "photo_receipt");
    assert!(
        changed
            .text
            .iter()
            .any(|t| t.electronic == "Bích" && t.paper == "Bĩch"),
        "{:?}",
        changed.text
    );
}
