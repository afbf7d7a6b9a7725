//! Compares a paper copy of a dossier with its electronic copy, page by page.
//!
//! The engine answers three questions:
//! 1. **Which pages pair up?** Every page gets a rotation-aware ink signature
//!    ([`signature`]); the two page sequences are then aligned like a diff
//!    ([`pairing`]), so missing, extra, reordered and substituted pages come out.
//! 2. **Is a pair the same content?** The paper page is registered onto the
//!    electronic page (orientation, scale, shift, perspective: [`register`]),
//!    coloured ink (red stamps, blue pen) is dropped ([`ink`]), and binarised
//!    ink maps are compared with a small local search ([`diff`]); a tone
//!    mark swapped for another, which the ink maps absorb, is looked for in
//!    grey ([`marks`]). Scan noise stays below the thresholds; a changed
//!    digit or diacritic does not. With [`Options::ocr`], a scanned pair
//!    that showed no change has its weakest suspects read ([`probe`]): a
//!    tone mark swapped for another in its place is settled by the reading.
//! 3. **What changed, and where?** Regions are reported normalised to the
//!    electronic page; with [`Options::ocr`], the text change is named
//!    ([`ocr`]): a born-digital electronic page's text layer gives its words
//!    exactly and only the paper is read by tesseract ([`text_layer`]); a
//!    scanned one is read on both sides.
//!
//! Invariants: this crate knows nothing about Tauri, the database or the CLI.
//! It never reads the clock or a random source: tunables and the RANSAC seed
//! arrive in [`Options`].

// Pixel loops read clearer with explicit indices into several planes at once.
#![allow(clippy::needless_range_loop)]

pub mod confirm;
pub mod diff;
pub mod explain;
pub mod geometry;
pub mod ink;
pub mod marks;
#[cfg(feature = "ocr")]
pub mod ocr;
pub mod pairing;
pub mod probe;
pub mod qr;
pub mod register;
pub mod residue;
pub mod siblings;
pub mod signature;
pub mod text_layer;
pub mod tones;

mod engine;

use doisoat_pages::{Page, PagesError};
use serde::{Deserialize, Serialize};

pub use engine::{compare, compare_with};

/// Resolution (dots per inch) the engine works at. Born-digital pages are
/// rendered at it; scans above it are downscaled to it.
pub const WORKING_DPI: f32 = 200.0;

/// Something that yields page images: a [`doisoat_pages::Document`], or
/// images held in memory (tests, the app's camera import).
pub trait PageSource: Sync {
    /// Number of pages.
    fn page_count(&self) -> usize;
    /// Page `index` (0-based), rendered or decoded at about [`WORKING_DPI`].
    fn load(&self, index: usize) -> Result<Page, PagesError>;
}

impl PageSource for doisoat_pages::Document {
    fn page_count(&self) -> usize {
        doisoat_pages::Document::page_count(self)
    }

    fn load(&self, index: usize) -> Result<Page, PagesError> {
        self.render(index, WORKING_DPI)
    }
}

/// Pages already in memory. Handy for tests and for callers that decode
/// images themselves.
pub struct PagesInMemory(pub Vec<Page>);

impl PageSource for PagesInMemory {
    fn page_count(&self) -> usize {
        self.0.len()
    }

    fn load(&self, index: usize) -> Result<Page, PagesError> {
        Ok(self.0[index].clone())
    }
}

/// Tunables of the engine. `Options::default()` is what the CLI and the app use.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read changed regions with tesseract (Vietnamese) and report the text
    /// that changed. Also used to settle pairs whose ink difference is
    /// borderline, when the paper reads the same as the text layer, and to
    /// read the weakest suspects of a scanned pair with no change
    /// ([`probe`]).
    pub ocr: bool,
    /// Largest signature distance (0 = identical layout, 1 = unrelated) at
    /// which two pages are still taken to be versions of the same page.
    pub pair_distance: f32,
    /// Smallest cluster of differing ink, in pixels at [`WORKING_DPI`],
    /// that makes a pair `different`.
    pub min_change_px: u32,
    /// Smallest weight, in pixels at [`WORKING_DPI`], that a candidate change
    /// keeps when looked at again in grey ([`confirm`]) for it to be reported.
    pub confirm_min_px: u32,
    /// Smallest ink mass, in pixels of full ink at [`WORKING_DPI`], of a
    /// small mark on one side only ([`marks`]) for it to be reported. 4:
    /// the stroke a digit changed ("0045" → "0049") in 9 pt on a 150-dpi
    /// scan left 4.9; on the five corpus seeds 4 rather than 5 found two
    /// more changed pages and no unchanged one.
    pub mark_min_mass: f32,
    /// Look for a scanned page's one unexplained place when nothing else was
    /// found and the electronic page has no text layer ([`residue`]): a
    /// tone mark swapped in place.
    pub residue: bool,
    /// On a phone photo with nothing found, look for the one paper glyph
    /// unlike the same photo's other copies of its electronic glyph
    /// ([`siblings`]): a tone mark changed where renderer and blur hide it
    /// from the other stages.
    pub siblings: bool,
    /// On a phone photo with still nothing found, look for the one letter
    /// whose marks the page's other marks explain better than its own
    /// ([`tones`]): a tone mark changed on a glyph with no sibling.
    pub tones: bool,
    /// Tolerance, in pixels at [`WORKING_DPI`], within which ink on one side
    /// counts as present on the other (absorbs stroke-width and blur changes).
    pub ink_tolerance_px: u32,
    /// A pair with at least this many separate changes is not one page
    /// altered but another page put in its place: it is split into a page
    /// missing from the paper and a page missing from the electronic copy.
    pub substitute_min_changes: usize,
    /// Seed of the RANSAC sampler, so results are reproducible.
    pub seed: u64,
    /// Number of worker threads (0 = rayon's default pool).
    pub threads: usize,
    /// When set, each compared pair leaves a picture of its ink difference
    /// here (`pair-P-E.png`: electronic ink grey, ink only on paper red, ink
    /// only on the electronic copy blue, reported changes boxed green).
    pub debug_dir: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ocr: false,
            pair_distance: 0.45,
            min_change_px: 14,
            confirm_min_px: 10,
            mark_min_mass: 4.0,
            residue: true,
            siblings: true,
            tones: true,
            ink_tolerance_px: 1,
            substitute_min_changes: 5,
            seed: 0x05ee_dd01_50a7,
            threads: 0,
            debug_dir: None,
        }
    }
}

/// Which copy a page or an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Paper,
    Electronic,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Paper => "paper",
            Side::Electronic => "electronic",
        })
    }
}

/// Overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Match,
    Mismatch,
}

/// What happened to one page (or pair of pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairStatus {
    Same,
    Different,
    MissingFromPaper,
    MissingFromElectronic,
}

/// A rectangle normalised to the electronic page: `x`, `y` from the top-left
/// corner, `w`, `h` as fractions of the page's width and height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Region {
    /// True when the two rectangles share some area.
    pub fn overlaps(&self, other: &Region) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Text that reads differently on the two copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextChange {
    pub electronic: String,
    pub paper: String,
}

/// Something the engine did that the user should know about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Red ink (a stamp or seal) was removed before comparing.
    RedInkIgnored,
    /// Blue ink (a pen signature or handwriting) was removed before comparing.
    BlueInkIgnored,
    /// The page was turned by a multiple of 90° to face the same way as its partner.
    Rotated,
    /// The page carries no ink at all.
    BlankPage,
    /// Registration was poor; the comparison of this pair is less certain.
    WeakRegistration,
    /// The paper's QR code could not be read and its modules are finer than
    /// the scan resolves: the code was not compared.
    QrCodeNotCompared,
    /// The paper page resolves fewer pixels to the inch of paper than the
    /// 200 dpi asked of an electronic copy (decree 30/2020): a changed tone
    /// mark or digit may leave too little to see, so "same" is less sure.
    CoarsePaper,
}

/// A note about one page of one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub kind: NoteKind,
    pub side: Side,
    /// 1-based page number on that side.
    pub page: u32,
}

/// The comparison of one pair of pages, or one page without a partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairResult {
    /// 1-based; `null` when the page is missing from the paper copy.
    pub paper_page: Option<u32>,
    /// 1-based; `null` when the page is missing from the electronic copy.
    pub electronic_page: Option<u32>,
    pub status: PairStatus,
    /// In [0, 1]; present for `same` and `different`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub similarity: Option<f32>,
    /// Where the pages differ, normalised to the electronic page.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub regions: Vec<Region>,
    /// Text that changed, when OCR ran.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub text: Vec<TextChange>,
    /// Clockwise turn, in degrees, applied to the paper page to face its partner.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub paper_rotation: u16,
}

fn is_zero(v: &u16) -> bool {
    *v == 0
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub verdict: Verdict,
    /// In electronic page order; paper pages without a partner follow the
    /// page they came after.
    pub pages: Vec<PairResult>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<Note>,
}

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{side} copy, page {page}: {source}")]
    Page {
        side: Side,
        /// 1-based page number, 0 when the document itself is bad.
        page: u32,
        #[source]
        source: PagesError,
    },
    #[error("OCR failed: {0}")]
    Ocr(String),
    #[error("the comparison was cancelled")]
    Cancelled,
}
