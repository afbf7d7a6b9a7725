//! The small enums shared by the database, the reconciler and the fronts.

use serde::{Deserialize, Serialize};

/// Which copy of a dossier component a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Scanned or photographed at the desk from the citizen's paper.
    Paper,
    /// The file on the online public-service system.
    Electronic,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Paper => "paper",
            Side::Electronic => "electronic",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "paper" => Some(Side::Paper),
            "electronic" => Some(Side::Electronic),
            _ => None,
        }
    }
}

/// What a reconciliation found about one component of a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The electronic copy exists but no paper scan does.
    PaperMissing,
    /// A paper scan exists but the portal has no electronic file.
    ElectronicMissing,
    /// The two copies have different numbers of pages.
    PageCountDiffers,
    /// A page on one side has no good partner on the other.
    PageUnpaired,
    /// Two paired pages differ in content.
    PageDiffers,
    /// Paper and electronic copies are the very same bytes.
    ByteIdentical,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::PaperMissing,
        FindingKind::ElectronicMissing,
        FindingKind::PageCountDiffers,
        FindingKind::PageUnpaired,
        FindingKind::PageDiffers,
        FindingKind::ByteIdentical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::PaperMissing => "paper_missing",
            FindingKind::ElectronicMissing => "electronic_missing",
            FindingKind::PageCountDiffers => "page_count_differs",
            FindingKind::PageUnpaired => "page_unpaired",
            FindingKind::PageDiffers => "page_differs",
            FindingKind::ByteIdentical => "byte_identical",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the finding asks a person to act. A byte-identical pair is
    /// recorded as evidence of agreement, not as a problem.
    pub fn is_problem(self) -> bool {
        !matches!(self, FindingKind::ByteIdentical)
    }
}

/// Where a finding stands with the archivist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Acknowledged => "acknowledged",
            FindingStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<FindingStatus> {
        [
            FindingStatus::Open,
            FindingStatus::Acknowledged,
            FindingStatus::Resolved,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A rectangle on a page, in fractions of the page's width and height,
/// measured from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Text that reads differently on the two copies, e.g. "120,5" → "126,5".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TextChange {
    pub electronic: String,
    pub paper: String,
}
