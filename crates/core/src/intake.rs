//! Reception-desk intake in the core: separator sheets for known dossiers,
//! splitting a scanned batch into dossier parts and linking each through
//! the ordinary ingest path, intake flags for what a person must decide,
//! derived versions (straightened, rotated, pages deleted, reordered or
//! replaced: the original never changes), the hot folder's exactly-once
//! ledger, and storing a batch that came from a scanner.
//!
//! A part's pages are the batch's own JPEG bytes when the batch is a PDF of
//! JPEG scans (nothing is decoded or re-encoded for it), and the page facts
//! the batch got when it was stored go with them, so the ingest does not
//! analyse those pages a second time. Any other page is rendered and
//! encoded as JPEG.
//!
//! Every part of a batch goes through `doisoat_ingest` like any other file:
//! a part whose code names a known dossier is ingested and linked; any
//! other part is stored unlinked and flagged (an unreadable separator is
//! never linked to a guess; an unknown but valid code is offered to the
//! clerk, who accepts it with [`Office::accept_intake_flag`]).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use doisoat_db::{copies, dossiers, intake as db, Connection};
use doisoat_domain::code::CodeCheck;
use doisoat_domain::{DossierCode, Side};
use doisoat_hashing::Sha256Digest;
use doisoat_ingest::{Context, Request};
use doisoat_intake::hotfolder::{FileKey, HotFolder};
use doisoat_intake::pdfout::{image_pdf, JpegPage};
use doisoat_intake::quality::{self, PageQuality};
use doisoat_intake::sheet::{separator_sheets, SheetInfo};
use doisoat_intake::split::{self, PageLook, PartMarker};

use crate::{auth, dates, CoreError, Job, LinkTarget, Office, Progress, Result};

/// Pages of a batch are looked at and stored at up to this resolution.
const WORK_DPI: f32 = 300.0;
/// JPEG quality of the pages of parts and derived versions.
const JPEG_QUALITY: u8 = 90;

/// What happened to one part of a batch.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartOutcome {
    /// `linked`, `unknown_dossier`, `unreadable_separator`, `no_code` or `empty`.
    pub status: String,
    /// The dossier code read (linked or offered).
    pub code: Option<String>,
    /// Batch pages (1-based) in the part.
    pub pages: Vec<u32>,
    /// The separator page (1-based) that started the part, kept aside.
    pub separator_page: Option<u32>,
    /// The stored part.
    pub sha256: Option<String>,
    /// The intake flag raised for it.
    pub flag: Option<i64>,
}

/// A page-level warning of the quality checks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PageWarning {
    /// Batch page, 1-based.
    pub page: u32,
    /// `low_dpi`, `not_colour`, `blank_page`, `dark_page`, `skewed`, `upside_down`.
    pub warnings: Vec<String>,
    pub dpi: f32,
    pub skew_deg: f32,
}

/// What `ingest --split` did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SplitReport {
    pub file: String,
    pub sha256: String,
    pub pages: u32,
    /// The batch was split before: nothing new was done.
    pub duplicate: bool,
    pub parts: Vec<PartOutcome>,
    pub linked: u32,
    pub flagged: u32,
    pub separators: Vec<u32>,
    pub warnings: Vec<PageWarning>,
    pub cancelled: bool,
}

/// An intake flag, as the fronts show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntakeFlag {
    pub id: i64,
    pub kind: String,
    pub code: Option<String>,
    pub batch_sha256: String,
    pub sha256: Option<String>,
    pub pages: Vec<u32>,
    pub detail: String,
    pub status: String,
    pub created_at: String,
}

impl From<db::Flag> for IntakeFlag {
    fn from(f: db::Flag) -> Self {
        IntakeFlag {
            id: f.id,
            kind: f.kind,
            code: f.code,
            batch_sha256: f.batch_sha256,
            sha256: f.sha256,
            pages: f.pages,
            detail: f.detail,
            status: f.status,
            created_at: f.created_at,
        }
    }
}

/// An edit of a stored file; each makes a new derived version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PageEdit {
    /// Deskew every page, and turn over those upside down.
    Straighten,
    /// Turn page `page` (1-based) by quarter turns clockwise.
    Rotate {
        page: u32,
        quarter_turns: i32,
    },
    Delete {
        page: u32,
    },
    /// The new order, as 1-based page numbers of the current file.
    Reorder {
        order: Vec<u32>,
    },
    /// Replace page `page` with page `with_page` of the file at `with`.
    Replace {
        page: u32,
        with: String,
        with_page: u32,
    },
}

impl PageEdit {
    fn name(&self) -> &'static str {
        match self {
            PageEdit::Straighten => "straighten",
            PageEdit::Rotate { .. } => "rotate",
            PageEdit::Delete { .. } => "delete",
            PageEdit::Reorder { .. } => "reorder",
            PageEdit::Replace { .. } => "replace",
        }
    }
}

/// A derived version made by an edit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DerivedVersion {
    pub source_sha256: String,
    pub sha256: String,
    pub operation: String,
    /// Source pages (1-based) in the new file's order (0 for a replacement page).
    pub pages: Vec<u32>,
    /// Links of the source copied to the new version.
    pub links: u32,
}

/// How the hot folder runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WatchOptions {
    /// Split each file on separator sheets and receipts.
    pub split: bool,
    /// Delete each original once it is safely stored (off unless the user says so).
    pub delete_originals: bool,
    /// Quiet time before a file counts as complete.
    pub debounce_ms: u64,
    /// Take what is there and complete, then stop.
    pub once: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            split: false,
            delete_originals: false,
            debounce_ms: 1000,
            once: false,
        }
    }
}

/// One file the hot folder took (or skipped).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WatchedFile {
    pub path: String,
    /// `stored`, `duplicate`, `failed`, or `already` (in the ledger).
    pub status: String,
    pub sha256: Option<String>,
    pub dossier: Option<String>,
    pub error: Option<crate::ErrorInfo>,
}

/// What a hot-folder run did.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WatchReport {
    pub stored: u32,
    pub duplicates: u32,
    pub failed: u32,
    pub already: u32,
}

/// A part's pages, ready to store.
struct PartFile {
    path: PathBuf,
    name: String,
    /// The page facts of the batch's pages, when every page went in byte
    /// for byte (so the ingest need not analyse them again).
    known_pages: Option<Vec<doisoat_db::files::PageRow>>,
}

impl Office {
    /// Separator sheets (one A4 page each) for dossier codes, with the
    /// applicant and date of known dossiers. Codes must pass the national
    /// pattern check: a sheet is never printed for a code it could not link.
    pub fn separator_sheets(&self, codes: &[String]) -> Result<Vec<u8>> {
        if codes.is_empty() {
            return Err(CoreError::InvalidArgument(
                "give at least one dossier code".into(),
            ));
        }
        let conn = self.conn();
        let mut infos = Vec::new();
        for raw in codes {
            let code = DossierCode::new(raw)
                .filter(|c| c.check() == CodeCheck::Valid)
                .ok_or_else(|| {
                    CoreError::InvalidArgument(format!(
                        "'{raw}' is not a dossier code (NNN.NN.NN.XNN-YYMMDD-NNNN with a real date)"
                    ))
                })?;
            let row = dossiers::find(&conn, code.as_str())?;
            let date = row
                .as_ref()
                .and_then(|r| r.record.received_at.as_deref())
                .and_then(dates::display_date)
                .or_else(|| {
                    code.received_date()
                        .map(|d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()))
                });
            infos.push(SheetInfo {
                applicant: row.as_ref().and_then(|r| r.record.applicant_name.clone()),
                procedure: row.as_ref().and_then(|r| r.record.procedure_code.clone()),
                date,
                code,
            });
        }
        drop(conn);
        separator_sheets(&infos).map_err(CoreError::Intake)
    }

    /// Stores a scanned batch, cuts it on separator sheets and receipt codes,
    /// and links each part to its dossier (see the module documentation).
    pub fn ingest_split(&self, path: &Path, job: &Job) -> Result<SplitReport> {
        self.require(auth::Action::Ingest, &path.display().to_string())?;
        let name = file_name(path);
        // The batch itself is stored as it came: the original.
        let batch_sha = self.store_unlinked(path, &name, job)?;
        let mut report = SplitReport {
            file: path.display().to_string(),
            sha256: batch_sha.clone(),
            pages: 0,
            duplicate: false,
            parts: Vec::new(),
            linked: 0,
            flagged: 0,
            separators: Vec::new(),
            warnings: Vec::new(),
            cancelled: false,
        };
        if db::derived_from(&self.conn(), &batch_sha)?
            .iter()
            .any(|d| d.operation == "split" || d.operation == "separator")
        {
            report.duplicate = true;
            return Ok(report);
        }
        let object = self.object_path(&batch_sha)?;
        let doc = doisoat_pages::open(&object).map_err(|e| CoreError::file(path, e))?;
        let count = doc.page_count();
        report.pages = count as u32;
        let rules = quality::rules_on(&self.now()[..10]);
        // Pages are looked at on every core; each is decoded once, in grey.
        let done = std::sync::atomic::AtomicU64::new(0);
        let looked: Vec<Option<PageLook>> = (0..count)
            .into_par_iter()
            .map(|i| {
                if job.is_cancelled() {
                    return Ok(None);
                }
                let look = split::look_at_page(&doc, i, WORK_DPI, &rules)
                    .map_err(|e| CoreError::file(path, e))?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                job.report(&Progress {
                    stage: "split".into(),
                    done: n,
                    total: count as u64,
                    item: Some(name.clone()),
                    pages: n,
                });
                Ok(Some(look))
            })
            .collect::<Result<_>>()?;
        if job.is_cancelled() || looked.iter().any(Option::is_none) {
            report.cancelled = true;
            return Ok(report);
        }
        let looks: Vec<PageLook> = looked.into_iter().flatten().collect();
        for l in &looks {
            let w = l.quality.warnings();
            if !w.is_empty() {
                report.warnings.push(PageWarning {
                    page: l.index as u32 + 1,
                    warnings: w.iter().map(|s| s.to_string()).collect(),
                    dpi: l.quality.dpi,
                    skew_deg: l.quality.skew_deg,
                });
            }
        }
        let parts = split::plan(&looks);
        // The batch's pages were analysed when it was stored; parts made of
        // the same bytes reuse those facts.
        let batch_facts = {
            let conn = self.conn();
            let mut facts = doisoat_db::files::pages(&conn, &batch_sha)?;
            for p in &mut facts {
                p.thumbnail =
                    doisoat_db::files::thumbnail(&conn, &batch_sha, p.page_no)?.unwrap_or_default();
            }
            facts
        };
        let work = tempfile::Builder::new()
            .prefix("intake-")
            .tempdir_in(self.dir())
            .map_err(|source| CoreError::DataDir {
                path: self.dir().to_path_buf(),
                source,
            })?;
        let stem = name
            .rsplit_once('.')
            .map(|(s, _)| s)
            .unwrap_or(&name)
            .to_string();
        for (n, part) in parts.iter().enumerate() {
            let pages1: Vec<u32> = part.pages.iter().map(|p| *p as u32 + 1).collect();
            if let Some(sep) = part.separator_page {
                report.separators.push(sep as u32 + 1);
                let f = write_part(
                    work.path(),
                    &format!("{stem}_tach_{}", sep + 1),
                    &doc,
                    &batch_facts,
                    &[sep],
                )?;
                let sha = self.store_part(&f, job)?;
                self.record_derived(
                    &sha,
                    &batch_sha,
                    "separator",
                    &[sep as u32 + 1],
                    serde_json::json!({"marker": part.marker}),
                )?;
            }
            let mut out = PartOutcome {
                status: String::new(),
                code: part.marker.code().map(|c| c.to_string()),
                pages: pages1.clone(),
                separator_page: part.separator_page.map(|s| s as u32 + 1),
                sha256: None,
                flag: None,
            };
            if part.pages.is_empty() {
                out.status = "empty".into();
                report.parts.push(out);
                continue;
            }
            let label = part
                .marker
                .code()
                .map(|c| c.to_string())
                .unwrap_or_else(|| format!("phan{}", n + 1));
            let f = write_part(
                work.path(),
                &format!("{stem}_{label}"),
                &doc,
                &batch_facts,
                &part.pages,
            )?;
            let known = match part.marker.code() {
                Some(c) => dossiers::find(&self.conn(), c.as_str())?.map(|r| r.record.code),
                None => None,
            };
            let (sha, flag_kind) = match &known {
                Some(code) => {
                    let sha = self.ingest_linked(&f, code, job)?;
                    out.status = "linked".into();
                    report.linked += 1;
                    (sha, None)
                }
                None => {
                    let sha = self.store_part(&f, job)?;
                    let kind = match &part.marker {
                        PartMarker::Separator { .. } | PartMarker::Receipt { .. } => {
                            "unknown_dossier"
                        }
                        PartMarker::UnreadableSeparator { .. } => "unreadable_separator",
                        PartMarker::NoCode => "no_code",
                    };
                    out.status = kind.into();
                    (sha, Some(kind))
                }
            };
            self.record_derived(
                &sha,
                &batch_sha,
                "split",
                &pages1,
                serde_json::json!({"marker": part.marker}),
            )?;
            if let Some(kind) = flag_kind {
                let detail = match &part.marker {
                    PartMarker::UnreadableSeparator { raw } => serde_json::json!({"raw": raw}),
                    _ => serde_json::json!({}),
                };
                out.flag = Some(self.flag(
                    &batch_sha,
                    Some(&sha),
                    &pages1,
                    kind,
                    out.code.as_deref(),
                    detail,
                )?);
                report.flagged += 1;
            }
            // Pages a person should look at: blank (never dropped), dark,
            // skewed, upside down.
            for p in &part.pages {
                let q: &PageQuality = &looks[*p].quality;
                for kind in q.warnings() {
                    if matches!(kind, "blank_page" | "dark_page" | "skewed" | "upside_down") {
                        self.flag(
                            &batch_sha,
                            Some(&sha),
                            &[*p as u32 + 1],
                            kind,
                            out.code.as_deref(),
                            serde_json::json!({"skew_deg": q.skew_deg, "dpi": q.dpi}),
                        )?;
                    }
                }
            }
            out.sha256 = Some(sha);
            report.parts.push(out);
        }
        self.audit(
            "intake_split",
            &batch_sha,
            None,
            Some(
                serde_json::json!({"file": name, "pages": report.pages, "linked": report.linked,
                "flagged": report.flagged, "separators": report.separators}),
            ),
        )?;
        Ok(report)
    }

    /// Intake flags: open ones, or all.
    pub fn intake_flags(&self, all: bool) -> Result<Vec<IntakeFlag>> {
        Ok(db::flags(&self.conn(), all)?
            .into_iter()
            .map(IntakeFlag::from)
            .collect())
    }

    /// The clerk links a flagged part to a dossier (the code offered, or
    /// another one) and the flag is resolved.
    pub fn accept_intake_flag(&self, id: i64, code: Option<&str>) -> Result<IntakeFlag> {
        let flag = db::flag_get(&self.conn(), id)?.ok_or(CoreError::FlagNotFound(id))?;
        let code = code
            .map(str::to_string)
            .or(flag.code.clone())
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!("flag {id} has no code: name the dossier"))
            })?;
        self.require(auth::Action::Ingest, &code)?;
        let sha = flag
            .sha256
            .clone()
            .ok_or_else(|| CoreError::InvalidArgument(format!("flag {id} names no stored part")))?;
        if flag.status != "open" {
            return Err(CoreError::InvalidArgument(format!(
                "flag {id} is already resolved"
            )));
        }
        let path = self.object_path(&sha)?;
        let f = PartFile {
            path,
            name: format!("{code}_{}.pdf", &sha[..12]),
            known_pages: None,
        };
        self.ingest_linked(&f, &code, &Job::quiet())?;
        db::flag_resolve(&self.conn(), id)?;
        self.audit(
            "intake_accept",
            &code,
            Some(serde_json::json!({"flag": id, "kind": flag.kind, "code": flag.code})),
            Some(serde_json::json!({"flag": id, "sha256": sha, "dossier": code})),
        )?;
        let f = db::flag_get(&self.conn(), id)?.ok_or(CoreError::FlagNotFound(id))?;
        Ok(f.into())
    }

    /// Makes a derived version of a stored file by `edit`, records it, and
    /// links it wherever the source is linked. The source never changes.
    pub fn edit_file(&self, sha256: &str, edit: &PageEdit) -> Result<DerivedVersion> {
        self.require(auth::Action::Ingest, sha256)?;
        let source = self.object_path(sha256)?;
        let doc = doisoat_pages::open(&source).map_err(|e| CoreError::file(&source, e))?;
        let count = doc.page_count() as u32;
        let check = |p: u32| {
            if p == 0 || p > count {
                Err(CoreError::PageNotFound {
                    sha256: sha256.to_string(),
                    page: p,
                })
            } else {
                Ok(())
            }
        };
        // (source page 1-based or 0 for a replacement, quarter turns)
        let mut plan: Vec<(u32, i32)> = (1..=count).map(|p| (p, 0)).collect();
        let mut replacement: Option<(u32, PathBuf, u32)> = None;
        match edit {
            PageEdit::Straighten => {}
            PageEdit::Rotate {
                page,
                quarter_turns,
            } => {
                check(*page)?;
                plan[*page as usize - 1].1 = *quarter_turns;
            }
            PageEdit::Delete { page } => {
                check(*page)?;
                if count == 1 {
                    return Err(CoreError::InvalidArgument(
                        "cannot delete the only page".into(),
                    ));
                }
                plan.remove(*page as usize - 1);
            }
            PageEdit::Reorder { order } => {
                let mut sorted = order.clone();
                sorted.sort_unstable();
                if sorted != (1..=count).collect::<Vec<_>>() {
                    return Err(CoreError::InvalidArgument(format!(
                        "the new order must list each of the {count} pages once"
                    )));
                }
                plan = order.iter().map(|p| (*p, 0)).collect();
            }
            PageEdit::Replace {
                page,
                with,
                with_page,
            } => {
                check(*page)?;
                plan[*page as usize - 1] = (0, 0);
                replacement = Some((*page, PathBuf::from(with), *with_page));
            }
        }
        let rules = quality::rules_on(&self.now()[..10]);
        let mut pages = Vec::with_capacity(plan.len());
        for (src, turns) in &plan {
            let page = if *src == 0 {
                let (_, with, with_page) = replacement.as_ref().expect("a replacement was planned");
                let other = doisoat_pages::open(with).map_err(|e| CoreError::file(with, e))?;
                if *with_page == 0 || *with_page as usize > other.page_count() {
                    return Err(CoreError::InvalidArgument(format!(
                        "{} has no page {with_page}",
                        with.display()
                    )));
                }
                other
                    .render(*with_page as usize - 1, WORK_DPI)
                    .map_err(|e| CoreError::file(with, e))?
            } else {
                doc.render(*src as usize - 1, WORK_DPI)
                    .map_err(|e| CoreError::file(&source, e))?
            };
            let mut img = doisoat_intake::geometry::rotate_quarter(&page.image, *turns);
            if matches!(edit, PageEdit::Straighten) {
                let q = quality::assess(&img, page.dpi, &rules);
                if q.needs_straightening() {
                    img = quality::straighten(&img, &q);
                }
            }
            pages.push(JpegPage::from_rgb(&img, page.dpi, JPEG_QUALITY));
        }
        let work = tempfile::Builder::new()
            .prefix("edit-")
            .tempdir_in(self.dir())
            .map_err(|source| CoreError::DataDir {
                path: self.dir().to_path_buf(),
                source,
            })?;
        let name = format!("{}_{}.pdf", &sha256[..12], edit.name());
        let path = work.path().join(&name);
        std::fs::write(&path, image_pdf(&pages)).map_err(|source| CoreError::DataDir {
            path: path.clone(),
            source,
        })?;
        let new_sha = self.store_unlinked(&path, &name, &Job::quiet())?;
        let src_pages: Vec<u32> = plan.iter().map(|(p, _)| *p).collect();
        self.record_derived(
            &new_sha,
            sha256,
            edit.name(),
            &src_pages,
            serde_json::to_value(edit).unwrap_or_default(),
        )?;
        // The new version stands wherever the source stood.
        let links = {
            let conn = self.conn();
            let mut n = 0;
            for c in copies::of_file(&conn, sha256)? {
                if copies::link(
                    &conn,
                    &copies::NewCopy {
                        sha256: new_sha.clone(),
                        side: c.side,
                        dossier_id: c.dossier_id,
                        component_code: c.component_code.clone(),
                        original_name: name.clone(),
                        portal_file_id: None,
                        created_at: self.now(),
                    },
                )? {
                    n += 1;
                }
            }
            n
        };
        self.audit(
            "derive",
            sha256,
            Some(serde_json::json!({"sha256": sha256})),
            Some(serde_json::json!({"sha256": new_sha, "operation": edit.name(), "pages": src_pages})),
        )?;
        Ok(DerivedVersion {
            source_sha256: sha256.to_string(),
            sha256: new_sha,
            operation: edit.name().into(),
            pages: src_pages,
            links,
        })
    }

    /// Stores a scanned batch (PDF bytes) and ingests it: split on its
    /// separator sheets, or linked to `target`.
    pub fn ingest_scanned(
        &self,
        pdf: &[u8],
        split: bool,
        target: &LinkTarget,
        job: &Job,
    ) -> Result<(Option<SplitReport>, Option<crate::IngestReport>)> {
        let work = tempfile::Builder::new()
            .prefix("scan-")
            .tempdir_in(self.dir())
            .map_err(|source| CoreError::DataDir {
                path: self.dir().to_path_buf(),
                source,
            })?;
        let stamp: String = self.now().chars().filter(|c| c.is_ascii_digit()).collect();
        let path = work.path().join(format!("scan_{stamp}.pdf"));
        std::fs::write(&path, pdf).map_err(|source| CoreError::DataDir {
            path: path.clone(),
            source,
        })?;
        if split {
            Ok((Some(self.ingest_split(&path, job)?), None))
        } else {
            Ok((None, Some(self.ingest(&[path], target, job)?)))
        }
    }

    /// Runs the hot folder on `dir` until the job is cancelled (or, with
    /// `once`, until everything there is taken). Each file is ingested once,
    /// across restarts: the ledger is checked before and written after, and
    /// a file stored but not yet in the ledger (a crash in between) comes
    /// back as a duplicate of the same bytes, linked nowhere new.
    pub fn watch_folder(
        &self,
        dir: &Path,
        opts: &WatchOptions,
        job: &Job,
        on_file: &dyn Fn(&WatchedFile),
    ) -> Result<WatchReport> {
        self.require(auth::Action::Ingest, &dir.display().to_string())?;
        let dir = dir.canonicalize().map_err(|source| {
            CoreError::Intake(doisoat_intake::IntakeError::Io {
                path: dir.to_path_buf(),
                source,
            })
        })?;
        let debounce = std::time::Duration::from_millis(opts.debounce_ms.max(50));
        let mut hf = HotFolder::watch(&dir, debounce).map_err(CoreError::Intake)?;
        let mut report = WatchReport::default();
        let started = std::time::Instant::now();
        loop {
            if job.is_cancelled() {
                break;
            }
            let ready = hf
                .ready(std::time::Duration::from_millis(200))
                .map_err(CoreError::Intake)?;
            for key in ready {
                let w = self.take_file(&key, opts)?;
                match w.status.as_str() {
                    "stored" => report.stored += 1,
                    "duplicate" => report.duplicates += 1,
                    "failed" => report.failed += 1,
                    _ => report.already += 1,
                }
                on_file(&w);
                job.report(&Progress {
                    stage: "watch".into(),
                    done: u64::from(
                        report.stored + report.duplicates + report.failed + report.already,
                    ),
                    total: 0,
                    item: Some(w.path.clone()),
                    pages: 0,
                });
            }
            if opts.once && hf.pending() == 0 && started.elapsed() > debounce * 2 {
                break;
            }
        }
        Ok(report)
    }

    /// One complete file from the hot folder, through the ledger.
    fn take_file(&self, key: &FileKey, opts: &WatchOptions) -> Result<WatchedFile> {
        let path_s = key.path.display().to_string();
        if let Some(row) = db::ledger_get(&self.conn(), &path_s, key.size, key.mtime_ns)? {
            if row.status != "failed" {
                return Ok(WatchedFile {
                    path: path_s,
                    status: "already".into(),
                    sha256: row.sha256,
                    dossier: None,
                    error: None,
                });
            }
        }
        let mut w = WatchedFile {
            path: path_s.clone(),
            status: "failed".into(),
            sha256: None,
            dossier: None,
            error: None,
        };
        if opts.split {
            match self.ingest_split(&key.path, &Job::quiet()) {
                Ok(r) => {
                    w.status = if r.duplicate { "duplicate" } else { "stored" }.into();
                    w.sha256 = Some(r.sha256);
                    w.dossier = r.parts.iter().find_map(|p| p.code.clone());
                }
                Err(e) => w.error = Some(e.info(self.lang())),
            }
        } else {
            let r = self.ingest(
                std::slice::from_ref(&key.path),
                &LinkTarget::default(),
                &Job::quiet(),
            )?;
            if let Some(f) = r.files.into_iter().next() {
                w.status = f.status;
                w.sha256 = f.sha256;
                w.dossier = f.dossier;
                w.error = f.error;
            }
        }
        db::ledger_record(
            &self.conn(),
            &db::LedgerRow {
                path: path_s,
                size: key.size,
                mtime_ns: key.mtime_ns,
                sha256: w.sha256.clone(),
                status: w.status.clone(),
                error: w.error.as_ref().map(|e| e.message.clone()),
                taken_at: self.now(),
            },
        )?;
        if opts.delete_originals && w.status != "failed" {
            if let Err(e) = std::fs::remove_file(&key.path) {
                tracing::warn!(file = %key.path.display(), error = %e, "original not deleted");
            }
        }
        Ok(w)
    }

    /// The hot folder's ledger, for `watch --json` and tests.
    pub fn hotfolder_ledger(&self) -> Result<Vec<(String, String, Option<String>)>> {
        Ok(db::ledger_all(&self.conn())?
            .into_iter()
            .map(|r| (r.path, r.status, r.sha256))
            .collect())
    }

    fn object_path(&self, sha256: &str) -> Result<PathBuf> {
        let digest: Sha256Digest = sha256
            .parse()
            .map_err(|_| CoreError::InvalidArgument(format!("'{sha256}' is not a SHA-256")))?;
        if !doisoat_db::files::exists(&self.conn(), sha256)? {
            return Err(CoreError::PageNotFound {
                sha256: sha256.to_string(),
                page: 0,
            });
        }
        Ok(self.store().path_of(&digest))
    }

    fn context<'a>(
        &'a self,
        cancelled: &'a (dyn Fn() -> bool + Sync),
        on_page: &'a (dyn Fn(u32, u32) + Sync),
    ) -> Context<'a> {
        Context {
            store: self.store(),
            db: &self.db,
            now: self.now(),
            cancelled,
            on_page,
            on_record: None,
        }
    }

    /// Stores a file and records it without linking it; returns its SHA-256.
    fn store_unlinked(&self, path: &Path, name: &str, job: &Job) -> Result<String> {
        let cancelled = || job.is_cancelled();
        let ctx = self.context(&cancelled, &|_, _| {});
        let req = Request {
            path: path.to_path_buf(),
            side: Side::Paper,
            dossier: None,
            component: None,
            portal_file_id: None,
            name: Some(name.to_string()),
        };
        let sha =
            doisoat_ingest::store_only(&ctx, &req).map_err(|e| CoreError::from_ingest(path, e))?;
        Ok(sha)
    }

    /// Stores a part without linking it, with the page facts it carries.
    fn store_part(&self, f: &PartFile, job: &Job) -> Result<String> {
        let cancelled = || job.is_cancelled();
        let ctx = self.context(&cancelled, &|_, _| {});
        let req = Request {
            path: f.path.clone(),
            side: Side::Paper,
            dossier: None,
            component: None,
            portal_file_id: None,
            name: Some(f.name.clone()),
        };
        doisoat_ingest::store_only_with_pages(&ctx, &req, f.known_pages.as_deref())
            .map_err(|e| CoreError::from_ingest(&f.path, e))
    }

    /// Ingests a part through the ordinary pipeline, linked to `code`.
    fn ingest_linked(&self, f: &PartFile, code: &str, job: &Job) -> Result<String> {
        let cancelled = || job.is_cancelled();
        let event = self.ingest_event(&f.name, Side::Paper);
        let on_record = |c: &Connection, o: &doisoat_ingest::Outcome| event.append(c, o);
        let ctx = Context {
            on_record: Some(&on_record),
            ..self.context(&cancelled, &|_, _| {})
        };
        let req = Request {
            path: f.path.clone(),
            side: Side::Paper,
            dossier: DossierCode::new(code),
            component: None,
            portal_file_id: None,
            name: Some(f.name.clone()),
        };
        let o = doisoat_ingest::ingest_one_with_pages(&ctx, &req, f.known_pages.as_deref());
        self.ingest_event_done(event, o.is_ok());
        Ok(o.map_err(|e| CoreError::from_ingest(&f.path, e))?.sha256)
    }

    fn record_derived(
        &self,
        sha: &str,
        source: &str,
        operation: &str,
        pages: &[u32],
        detail: serde_json::Value,
    ) -> Result<()> {
        let actor = self.actor().map(|a| a.name).unwrap_or_else(|_| "?".into());
        db::derived_insert(
            &self.conn(),
            &db::Derived {
                sha256: sha.to_string(),
                source_sha256: source.to_string(),
                operation: operation.to_string(),
                pages: pages.to_vec(),
                detail: detail.to_string(),
                actor,
                created_at: self.now(),
            },
        )?;
        Ok(())
    }

    fn flag(
        &self,
        batch: &str,
        sha: Option<&str>,
        pages: &[u32],
        kind: &str,
        code: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<i64> {
        Ok(db::flag_insert(
            &self.conn(),
            &db::Flag {
                id: 0,
                batch_sha256: batch.to_string(),
                sha256: sha.map(str::to_string),
                pages: pages.to_vec(),
                kind: kind.to_string(),
                code: code.map(str::to_string),
                detail: detail.to_string(),
                status: "open".into(),
                created_at: self.now(),
            },
        )?)
    }
}

/// Writes the given pages of the batch as one PDF in `dir`. A scanned
/// page stored as a JPEG goes in byte for byte; any other page is rendered
/// and encoded as JPEG.
fn write_part(
    dir: &Path,
    stem: &str,
    batch: &doisoat_pages::Document,
    batch_facts: &[doisoat_db::files::PageRow],
    pages: &[usize],
) -> Result<PartFile> {
    let mut chosen = Vec::with_capacity(pages.len());
    let mut known_pages = (batch_facts.len() == batch.page_count()).then(Vec::new);
    for &i in pages {
        if let Some(page) = batch.scan_jpeg(i).as_ref().and_then(JpegPage::from_scan) {
            chosen.push(page);
            if let Some(k) = known_pages.as_mut() {
                k.push(batch_facts[i].clone());
            }
            continue;
        }
        known_pages = None;
        let page = batch
            .render(i, WORK_DPI)
            .map_err(|e| CoreError::file(batch.path(), e))?;
        chosen.push(JpegPage::from_rgb(&page.image, page.dpi, JPEG_QUALITY));
    }
    let name = format!("{stem}.pdf");
    let path = dir.join(&name);
    std::fs::write(&path, image_pdf(&chosen)).map_err(|source| CoreError::DataDir {
        path: path.clone(),
        source,
    })?;
    Ok(PartFile {
        path,
        name,
        known_pages,
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
