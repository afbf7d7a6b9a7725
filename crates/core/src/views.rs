//! What the fronts receive: plain, serialisable views of the database,
//! shaped for showing (dates as dd/mm/yyyy beside their ISO form). They are
//! the transport types of the CLI's `--json` and of the desktop IPC, and get
//! TypeScript twins under the `ts` feature.

use serde::Serialize;

use doisoat_db::{copies::CopyRow, dossiers::DossierRow, files::PageRow, findings::FindingRow};
use doisoat_domain::{FindingKind, FindingStatus, Region, Side, TextChange};

use crate::dates::display_date;
use crate::ErrorInfo;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DossierSummary {
    pub code: String,
    /// `valid`, `odd_shape` or `bad_date`: odd codes are flagged, not refused.
    pub code_check: String,
    pub procedure_code: Option<String>,
    pub receipt_no: Option<String>,
    /// ISO 8601 with offset, e.g. `2022-11-25T08:30:00+07:00`.
    pub received_at: Option<String>,
    /// The same day as dd/mm/yyyy.
    pub received_date: Option<String>,
    pub applicant_name: Option<String>,
    pub applicant_id: Option<String>,
    pub status: Option<String>,
    pub open_findings: u32,
}

impl From<&DossierRow> for DossierSummary {
    fn from(d: &DossierRow) -> Self {
        let r = &d.record;
        DossierSummary {
            code: r.code.clone(),
            code_check: r.code_check.clone(),
            procedure_code: r.procedure_code.clone(),
            receipt_no: r.receipt_no.clone(),
            received_at: r.received_at.clone(),
            received_date: r.received_at.as_deref().and_then(display_date),
            applicant_name: r.applicant_name.clone(),
            applicant_id: r.applicant_id.clone(),
            status: r.status.clone(),
            open_findings: d.open_findings,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DossierPage {
    pub total: u64,
    pub offset: u32,
    pub rows: Vec<DossierSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PageView {
    pub page_no: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: f32,
    pub dpi_known: bool,
    pub has_text: bool,
    pub scanned: bool,
}

impl From<&PageRow> for PageView {
    fn from(p: &PageRow) -> Self {
        PageView {
            page_no: p.page_no,
            width_px: p.width_px,
            height_px: p.height_px,
            dpi: p.dpi,
            dpi_known: p.dpi_known,
            has_text: p.has_text,
            scanned: p.scanned,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CopyView {
    /// The link's id (`unlink` takes it).
    pub id: i64,
    pub sha256: String,
    pub side: Side,
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub page_count: u32,
    pub added_at: String,
    pub pages: Vec<PageView>,
}

impl CopyView {
    pub(crate) fn new(c: &CopyRow, pages: Vec<PageView>) -> CopyView {
        CopyView {
            id: c.id,
            sha256: c.sha256.clone(),
            side: c.side,
            name: c.original_name.clone(),
            kind: c.kind.clone(),
            size: c.size,
            page_count: c.page_count,
            added_at: c.created_at.clone(),
            pages,
        }
    }
}

/// Where a component stands, for its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    /// Neither copy yet.
    Empty,
    PaperMissing,
    ElectronicMissing,
    /// Both copies present, not reconciled since.
    Unchecked,
    /// Reconciled and in agreement.
    Agrees,
    /// Reconciled with open findings.
    Differs,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentView {
    pub code: String,
    pub name: Option<String>,
    pub status: ComponentStatus,
    pub paper: Vec<CopyView>,
    pub electronic: Vec<CopyView>,
    /// What the last comparison of its copies set aside or could not
    /// compare (note kinds: `red_ink_ignored`, …), whatever its verdict.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DossierView {
    pub dossier: DossierSummary,
    /// Fields of the portal record doisoat does not model, as JSON.
    pub extra_json: String,
    pub components: Vec<ComponentView>,
    /// Copies linked to the dossier but to no component.
    pub unassigned: Vec<CopyView>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    pub id: i64,
    pub dossier: String,
    pub component: String,
    pub kind: FindingKind,
    pub status: FindingStatus,
    pub paper_sha256: Option<String>,
    pub electronic_sha256: Option<String>,
    pub paper_page: Option<u32>,
    pub electronic_page: Option<u32>,
    pub similarity: Option<f32>,
    /// Where the pages differ, on the electronic page.
    pub regions: Vec<Region>,
    pub text: Vec<TextChange>,
    /// Notes from the comparison, e.g. that a red stamp was set aside.
    pub notes: Vec<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub status_at: Option<String>,
    pub created_at: String,
}

impl From<&FindingRow> for Finding {
    fn from(r: &FindingRow) -> Self {
        fn parse<T: serde::de::DeserializeOwned + Default>(d: &serde_json::Value, key: &str) -> T {
            d.get(key)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default()
        }
        let d = &r.finding.detail;
        Finding {
            id: r.id,
            dossier: r.dossier_code.clone(),
            component: r.finding.component_code.clone(),
            kind: r.finding.kind,
            status: r.status,
            paper_sha256: r.finding.paper_sha256.clone(),
            electronic_sha256: r.finding.electronic_sha256.clone(),
            paper_page: r.finding.paper_page,
            electronic_page: r.finding.electronic_page,
            similarity: r.finding.similarity,
            regions: parse(d, "regions"),
            text: parse(d, "text"),
            notes: parse(d, "notes"),
            note: r.note.clone(),
            actor: r.actor.clone(),
            status_at: r.status_at.clone(),
            created_at: r.created_at.clone(),
        }
    }
}

/// The result of ingesting one file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileOutcome {
    pub path: String,
    pub name: String,
    /// `stored`, `duplicate` or `failed`.
    pub status: String,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub pages: Option<u32>,
    pub dossier: Option<String>,
    pub component: Option<String>,
    pub error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IngestReport {
    pub files: Vec<FileOutcome>,
    pub stored: u32,
    pub duplicates: u32,
    pub failed: u32,
    pub pages: u64,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BadRow {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    pub code: Option<String>,
    pub reason: ErrorInfo,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlaggedCode {
    pub line: u64,
    pub code: String,
    /// `odd_shape` or `bad_date`.
    pub check: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub file: String,
    pub sha256: String,
    /// `portal_json` or `csv`.
    pub format: String,
    pub rows: u64,
    /// Whether anything was written. `false` when rows were invalid and
    /// `--skip-invalid` was not given.
    pub imported: bool,
    /// The very same file was imported before; nothing changed.
    pub already_imported: bool,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub files_linked: u64,
    pub bad_rows: Vec<BadRow>,
    pub flagged: Vec<FlaggedCode>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReconcileReport {
    pub dossiers: u32,
    pub components: u32,
    /// Findings current after this run, problems and agreements alike.
    pub findings: Vec<Finding>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    pub checked: u64,
    pub intact: u64,
    pub bytes: u64,
    /// Recorded but absent from the store.
    pub missing: Vec<String>,
    /// Present but no longer hashing to their name.
    pub changed: Vec<String>,
    /// In the store but recorded nowhere (e.g. after a crash mid-ingest).
    pub untracked: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}
