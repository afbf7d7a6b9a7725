//! The one API of doisoat. The command line and the desktop shell are thin
//! fronts over [`Office`]: they unpack arguments, call a method here, and
//! show the result or the [`CoreError`]'s `{code, message}`.
//!
//! An `Office` is one data folder: `doisoat.sqlite` plus the content-addressed
//! `store/`. All methods block (SQLite, hashing, image work); callers on an
//! async runtime must run them on a blocking thread.

pub mod archive;
mod audit;
pub mod auth;
pub mod dates;
mod demo;
mod error;
mod import;
pub mod intake;
mod job;
pub mod lifecycle;
mod reconcile;
pub mod report;
pub mod ui_queries;
pub mod upkeep;
mod views;
pub mod xlsx;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use doisoat_db::{copies, dossiers, files, findings, reconciliations, Connection};
use doisoat_domain::{FindingStatus, Side};
use doisoat_hashing::Sha256Digest;
use doisoat_ingest::{Context, Request};
use doisoat_store::Store;

pub use archive::{BagExportOptions, BagExportReport, BagImportReport, FixityOptions};
pub use audit::{AuditEvent, AuditReport, HistoryChange, HistoryEntry};
pub use auth::{Actor, Credential, Role};
pub use doisoat_domain::{DossierCode, FindingKind};
pub use error::{pages_message_vi, CoreError, ErrorInfo, Lang};
pub use job::{CancelToken, Job, Progress};
pub use reconcile::{compare_files, CompareFile, CompareReport};
pub use upkeep::{FixityRound, FixitySchedule};
pub use views::*;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The environment variable naming the data folder.
pub const DATA_DIR_ENV: &str = "DOISOAT_DATA_DIR";

/// The data folder to use: the flag, else `DOISOAT_DATA_DIR`, else the OS's
/// per-user data folder (e.g. `~/.local/share/doisoat` on Linux).
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("vn", "doisoat", "doisoat")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            CoreError::InvalidArgument("no home folder to keep data in; pass --data-dir".into())
        })
}

/// Where "now" comes from; tests pass a fixed clock.
pub type Clock = Arc<dyn Fn() -> time::OffsetDateTime + Send + Sync>;

/// An opened data folder.
pub struct Office {
    dir: PathBuf,
    store: Store,
    db: Mutex<Connection>,
    clock: Clock,
    /// Language of messages stored in reports (per-file errors, bad rows).
    english: AtomicBool,
    /// The signed-in account; `None` until someone signs in (see [`auth`]).
    session: Mutex<Option<auth::Actor>>,
}

/// Where ingested files are linked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkTarget {
    pub dossier: Option<String>,
    pub component: Option<String>,
    /// Paper unless stated.
    pub side: Option<Side>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportOptions {
    /// Import the good rows even when some rows are bad.
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DossierQuery {
    pub text: Option<String>,
    pub status: Option<String>,
    pub has_open_findings: Option<bool>,
    /// dd/mm/yyyy or yyyy-mm-dd, inclusive.
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub offset: u32,
    /// At most 1000; 100 when 0.
    pub limit: u32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FindingFilter {
    pub dossier: Option<String>,
    pub status: Option<FindingStatus>,
    pub kind: Option<FindingKind>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FindingUpdate {
    pub status: FindingStatus,
    pub note: Option<String>,
    /// Who decided. Recorded with the time.
    pub actor: String,
}

impl Office {
    /// Opens (creating if needed) the data folder at `dir`.
    pub fn open(dir: &Path) -> Result<Office> {
        Office::open_with_clock(dir, Arc::new(time::OffsetDateTime::now_utc))
    }

    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Office> {
        std::fs::create_dir_all(dir).map_err(|source| CoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let store = Store::open(&dir.join("store"))?;
        let db = doisoat_db::open(&dir.join("doisoat.sqlite"))?;
        tracing::debug!(dir = %dir.display(), "opened data folder");
        Ok(Office {
            dir: dir.to_path_buf(),
            store,
            db: Mutex::new(db),
            clock,
            english: AtomicBool::new(false),
            session: Mutex::new(None),
        })
    }

    /// Sets the language of messages inside reports. Vietnamese by default.
    pub fn set_lang(&self, lang: Lang) {
        self.english.store(lang == Lang::En, Ordering::Relaxed);
    }

    pub fn lang(&self) -> Lang {
        if self.english.load(Ordering::Relaxed) {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // SQLite rolls back an unfinished transaction, so a poisoned lock is safe to reuse.
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn now(&self) -> String {
        dates::iso_utc((self.clock)())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Takes back the link `copy_id` (a file linked to the wrong dossier or
    /// component). The file stays in the store, and any other link to it
    /// stays. The link and its `unlink` event (who, when, and the link as it
    /// was) go in one transaction, so neither is ever without the other.
    pub fn unlink_copy(&self, copy_id: i64) -> Result<CopyView> {
        let (row, code) = {
            let conn = self.conn();
            let row = copies::get(&conn, copy_id)?.ok_or(CoreError::CopyNotFound(copy_id))?;
            let code = match row.dossier_id {
                Some(id) => dossiers::code_of(&conn, id)?,
                None => None,
            };
            (row, code)
        };
        let subject = code.clone().unwrap_or_else(|| row.sha256.clone());
        let actor = self.require(auth::Action::Unlink, &subject)?;
        let before = serde_json::json!({"copy": row.id, "sha256": row.sha256, "name": row.original_name,
            "dossier": code, "component": row.component_code, "side": row.side.as_str()});
        self.audited(&actor.name, "unlink", &subject, Some(before), None, |tx| {
            if copies::unlink(tx, copy_id)? {
                Ok(())
            } else {
                Err(CoreError::CopyNotFound(copy_id))
            }
        })?;
        Ok(CopyView::new(&row, Vec::new()))
    }

    /// Stores scans and links them (to the dossier and component given, or
    /// found in each file's name). A bad file fails alone; the rest go in.
    pub fn ingest(
        &self,
        paths: &[PathBuf],
        target: &LinkTarget,
        job: &Job,
    ) -> Result<IngestReport> {
        self.require(
            auth::Action::Ingest,
            target.dossier.as_deref().unwrap_or("ingest"),
        )?;
        let dossier =
            match &target.dossier {
                Some(code) => Some(DossierCode::new(code).ok_or_else(|| {
                    CoreError::InvalidArgument("the dossier code is empty".into())
                })?),
                None => None,
            };
        let mut report = IngestReport {
            files: Vec::new(),
            stored: 0,
            duplicates: 0,
            failed: 0,
            pages: 0,
            cancelled: false,
        };
        let total = paths.len() as u64;
        for (i, path) in paths.iter().enumerate() {
            if job.is_cancelled() {
                report.cancelled = true;
                break;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let pages_before = report.pages;
            let progress = |page: u32, _count: u32| {
                job.report(&Progress {
                    stage: "ingest".into(),
                    done: i as u64,
                    total,
                    item: Some(name.clone()),
                    pages: pages_before + u64::from(page),
                });
            };
            let cancelled = || job.is_cancelled();
            let side = target.side.unwrap_or(Side::Paper);
            let event = self.ingest_event(&doisoat_domain::text::nfc(&name), side);
            let on_record = |c: &Connection, o: &doisoat_ingest::Outcome| event.append(c, o);
            let ctx = Context {
                store: &self.store,
                db: &self.db,
                now: self.now(),
                cancelled: &cancelled,
                on_page: &progress,
                on_record: Some(&on_record),
            };
            let req = Request {
                path: path.clone(),
                side: target.side.unwrap_or(Side::Paper),
                dossier: dossier.clone(),
                component: target.component.clone(),
                portal_file_id: None,
                name: None,
            };
            let outcome = doisoat_ingest::ingest_one(&ctx, &req);
            self.ingest_event_done(event, outcome.is_ok());
            let mut row = FileOutcome {
                path: path.display().to_string(),
                name: doisoat_domain::text::nfc(&name),
                status: String::new(),
                sha256: None,
                size: None,
                pages: None,
                dossier: None,
                component: None,
                error: None,
            };
            match outcome {
                Ok(o) => {
                    row.status = if o.duplicate { "duplicate" } else { "stored" }.into();
                    if o.duplicate {
                        report.duplicates += 1;
                    } else {
                        report.stored += 1;
                        report.pages += u64::from(o.pages);
                    }
                    row.sha256 = Some(o.sha256);
                    row.size = Some(o.size);
                    row.pages = Some(o.pages);
                    row.dossier = o.dossier;
                    row.component = o.component;
                }
                Err(doisoat_ingest::IngestError::Cancelled) => {
                    report.cancelled = true;
                    break;
                }
                Err(e) => {
                    let e = CoreError::from_ingest(path, e);
                    tracing::warn!(file = %path.display(), error = %e, "not ingested");
                    report.failed += 1;
                    row.status = "failed".into();
                    row.error = Some(e.info(self.lang()));
                }
            }
            report.files.push(row);
            job.report(&Progress {
                stage: "ingest".into(),
                done: i as u64 + 1,
                total,
                item: Some(name.clone()),
                pages: report.pages,
            });
        }
        Ok(report)
    }

    /// Imports a portal JSON export, a CSV dossier list or an XLSX export
    /// (its columns found by the first saved preset or built-in mapping that fits).
    pub fn import(&self, path: &Path, opts: &ImportOptions, job: &Job) -> Result<ImportReport> {
        self.import_with_preset(path, opts, None, job)
    }

    /// [`Office::import`], reading an XLSX export's columns with the named
    /// column-mapping preset only (`None`: the first that fits).
    pub fn import_with_preset(
        &self,
        path: &Path,
        opts: &ImportOptions,
        preset: Option<&str>,
        job: &Job,
    ) -> Result<ImportReport> {
        self.require(auth::Action::Import, &path.display().to_string())?;
        let r = import::run(self, path, opts, preset, job)?;
        if r.imported {
            self.audit(
                "import",
                &path.display().to_string(),
                None,
                serde_json::to_value(&r).ok(),
            )?;
        }
        Ok(r)
    }

    /// Compares paper against electronic copies of each component of one
    /// dossier (or all) and stores what it finds.
    pub fn reconcile(&self, dossier: Option<&str>, job: &Job) -> Result<ReconcileReport> {
        self.require(auth::Action::Reconcile, dossier.unwrap_or("all"))?;
        reconcile::run(self, dossier, job)
    }

    pub fn findings(&self, filter: &FindingFilter) -> Result<Vec<Finding>> {
        let rows = findings::list(
            &self.conn(),
            &findings::Filter {
                dossier_code: filter.dossier.clone(),
                status: filter.status,
                kind: filter.kind,
            },
        )?;
        Ok(rows.iter().map(Finding::from).collect())
    }

    /// Records an archivist's decision on a finding: who, when, and a note.
    pub fn update_finding(&self, id: i64, update: &FindingUpdate) -> Result<Finding> {
        let subject = self.finding_subject(id)?;
        let signed_in = self.require(auth::Action::ResolveFinding, &subject)?;
        // A signed-in account decides as itself; the local administrator names who decided.
        let actor = if signed_in.role.is_some() {
            signed_in.name
        } else {
            update.actor.trim().to_string()
        };
        if actor.is_empty() {
            return Err(CoreError::InvalidArgument(
                "who made the decision must be recorded".into(),
            ));
        }
        let conn = self.conn();
        let note = update.note.as_deref().map(doisoat_domain::text::nfc);
        let before = findings::get(&conn, id)?.ok_or(CoreError::FindingNotFound(id))?;
        if !findings::set_status(
            &conn,
            id,
            update.status,
            note.as_deref(),
            &actor,
            &self.now(),
        )? {
            return Err(CoreError::FindingNotFound(id));
        }
        let row = findings::get(&conn, id)?.ok_or(CoreError::FindingNotFound(id))?;
        drop(conn);
        self.audit(
            "resolve",
            &subject,
            Some(serde_json::json!({"finding": id, "status": before.status.as_str(), "note": before.note})),
            Some(serde_json::json!({"finding": id, "status": row.status.as_str(), "note": row.note, "decided_by": actor})),
        )?;
        Ok(Finding::from(&row))
    }

    pub fn list_dossiers(&self, q: &DossierQuery) -> Result<DossierPage> {
        let day = |s: &Option<String>, what: &str| -> Result<Option<String>> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => dates::parse_day(s).map(Some).ok_or_else(|| {
                    CoreError::InvalidArgument(format!("{what}: '{s}' is not a date (dd/mm/yyyy)"))
                }),
            }
        };
        let query = dossiers::Query {
            text: q.text.clone().filter(|t| !t.trim().is_empty()),
            status: q.status.clone().filter(|t| !t.is_empty()),
            has_open_findings: q.has_open_findings,
            received_from: day(&q.received_from, "from")?,
            received_to: day(&q.received_to, "to")?,
            offset: q.offset,
            limit: q.limit,
        };
        let (total, rows) = dossiers::search(&self.conn(), &query)?;
        Ok(DossierPage {
            total,
            offset: q.offset,
            rows: rows.iter().map(DossierSummary::from).collect(),
        })
    }

    /// Everything about one dossier, for its screen.
    pub fn dossier(&self, code: &str) -> Result<DossierView> {
        let conn = self.conn();
        let code = code.trim();
        let row = dossiers::find(&conn, code)?
            .ok_or_else(|| CoreError::DossierNotFound(code.to_string()))?;
        let comps = dossiers::components(&conn, row.id)?;
        let all_copies = copies::of_dossier(&conn, row.id)?;
        let last = reconciliations::of_dossier(&conn, row.id)?;
        let found = findings::list(
            &conn,
            &findings::Filter {
                dossier_code: Some(row.record.code.clone()),
                ..Default::default()
            },
        )?;
        let view_of = |c: &copies::CopyRow| -> Result<CopyView> {
            let pages = files::pages(&conn, &c.sha256)?
                .iter()
                .map(PageView::from)
                .collect();
            Ok(CopyView::new(c, pages))
        };
        let mut components = Vec::new();
        for (ccode, name) in &comps {
            let mine: Vec<_> = all_copies
                .iter()
                .filter(|c| c.component_code.as_deref() == Some(ccode))
                .collect();
            let paper = mine
                .iter()
                .filter(|c| c.side == Side::Paper)
                .map(|c| view_of(c))
                .collect::<Result<Vec<_>>>()?;
            let electronic = mine
                .iter()
                .filter(|c| c.side == Side::Electronic)
                .map(|c| view_of(c))
                .collect::<Result<Vec<_>>>()?;
            let comp_findings: Vec<_> = found
                .iter()
                .filter(|f| &f.finding.component_code == ccode)
                .collect();
            let rec = last.iter().find(|r| &r.component_code == ccode);
            let status = reconcile::component_status(&paper, &electronic, &comp_findings, rec);
            components.push(ComponentView {
                code: ccode.clone(),
                name: name.clone(),
                status,
                paper,
                electronic,
                notes: rec.map(|r| r.notes.clone()).unwrap_or_default(),
            });
        }
        let unassigned = all_copies
            .iter()
            .filter(|c| c.component_code.is_none())
            .map(view_of)
            .collect::<Result<Vec<_>>>()?;
        Ok(DossierView {
            dossier: DossierSummary::from(&row),
            extra_json: serde_json::to_string(&row.record.extra).unwrap_or_else(|_| "{}".into()),
            components,
            unassigned,
            findings: found.iter().map(Finding::from).collect(),
        })
    }

    /// The stored thumbnail (JPEG) of a page.
    pub fn thumbnail(&self, sha256: &str, page: u32) -> Result<Vec<u8>> {
        files::thumbnail(&self.conn(), sha256, page)?.ok_or_else(|| CoreError::PageNotFound {
            sha256: sha256.to_string(),
            page,
        })
    }

    /// A page of a stored file as JPEG, at most `max_dpi`, for the viewer.
    pub fn page_image(&self, sha256: &str, page: u32, max_dpi: f32) -> Result<Vec<u8>> {
        let digest: Sha256Digest = sha256
            .parse()
            .map_err(|_| CoreError::InvalidArgument(format!("'{sha256}' is not a SHA-256")))?;
        if !files::exists(&self.conn(), sha256)? {
            return Err(CoreError::PageNotFound {
                sha256: sha256.to_string(),
                page,
            });
        }
        let path = self.store.path_of(&digest);
        let doc = doisoat_pages::open(&path).map_err(|e| CoreError::file(&path, e))?;
        if page == 0 || page as usize > doc.page_count() {
            return Err(CoreError::PageNotFound {
                sha256: sha256.to_string(),
                page,
            });
        }
        let p = doc
            .render(page as usize - 1, max_dpi.clamp(30.0, 300.0))
            .map_err(|e| CoreError::file(&path, e))?;
        Ok(doisoat_pages::thumbnail::jpeg(&p.image, 85))
    }

    /// Re-hashes every recorded file and lists missing, changed and untracked ones.
    pub fn verify(&self, job: &Job) -> Result<VerifyReport> {
        self.fixity_pass(&FixityOptions::default(), job)
    }

    /// The dossier code a finding belongs to (what its audit events are about).
    fn finding_subject(&self, id: i64) -> Result<String> {
        Ok(findings::get(&self.conn(), id)?
            .ok_or(CoreError::FindingNotFound(id))?
            .dossier_code)
    }

    /// Imports the demo set from `fixtures/` (the portal export and the paper
    /// scans) and reconciles it, so a new user sees a mismatch at once.
    pub fn load_demo(&self, fixtures: &Path, job: &Job) -> Result<DemoReport> {
        demo::load(self, fixtures, job)
    }
}

/// What loading the demo set did.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DemoReport {
    pub import: ImportReport,
    pub ingest: IngestReport,
    pub reconcile: ReconcileReport,
}
