//! The ingest pipeline: one incoming file becomes a stored, hashed,
//! page-analysed, linked record, or nothing at all.
//!
//! The stages, in order (see [`ingest_one`]):
//! 1. **preflight**: the path is a readable, non-empty file whose content
//!    matches its extension;
//! 2. **stage**: stream it into the store's `tmp/` while hashing, fsync;
//! 3. **dedupe**: bytes the database already knows skip page analysis;
//! 4. **pages**: split into pages; size, dpi, text layer, fingerprint, thumbnail
//!    (or taken from the caller, for pages copied byte for byte out of a
//!    file analysed before: [`ingest_one_with_pages`]);
//! 5. **store**: rename the staged file into place, read-only;
//! 6. **record**: one transaction writes the file, its pages and its link.
//!
//! A failure or a cancellation before stage 5 drops the staged copy, so the
//! store and the database are untouched. A crash between 5 and 6 leaves an
//! intact object that no row names yet; running the same ingest again
//! records it, and `verify` lists it as untracked meanwhile.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use doisoat_db::{copies, dossiers, files, Connection};
use doisoat_domain::{DossierCode, Side};
use doisoat_pages::{thumbnail, PagesError};
use doisoat_store::{Store, StoreError};

/// What to ingest and where to link it.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: PathBuf,
    pub side: Side,
    /// Dossier to link to. When absent, a dossier code in the file name is used.
    pub dossier: Option<DossierCode>,
    /// Component to link to. When absent, a component code of the dossier
    /// that appears in the file name is used.
    pub component: Option<String>,
    /// The portal's id for an electronic file.
    pub portal_file_id: Option<String>,
    /// The name to record; defaults to the file name.
    pub name: Option<String>,
}

/// How a file went in.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub sha256: String,
    pub size: u64,
    pub pages: u32,
    /// The database already had these bytes.
    pub duplicate: bool,
    pub dossier: Option<String>,
    pub component: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Pages(#[from] PagesError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Db(#[from] doisoat_db::DbError),
    #[error("cancelled")]
    Cancelled,
}

/// What every stage shares.
pub struct Context<'a> {
    pub store: &'a Store,
    pub db: &'a Mutex<Connection>,
    /// The time to record, passed in so tests are deterministic.
    pub now: String,
    /// Asked between pages; `true` stops the ingest with nothing written.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// Told after each analysed page: (pages analysed so far, page count).
    /// Pages are analysed in parallel, so this is called from several threads.
    pub on_page: &'a (dyn Fn(u32, u32) + Sync),
    /// Called by [`ingest_one`]'s record stage inside its transaction, just
    /// before the commit, with what is being recorded: the core appends the
    /// ingest's audit event here, so the file, its link and its event commit
    /// together or not at all. An error rolls the record back. [`store_only`]
    /// links nothing and does not call it (imports record one event each).
    pub on_record: Option<OnRecord<'a>>,
}

/// See [`Context::on_record`].
pub type OnRecord<'a> =
    &'a (dyn Fn(&Connection, &Outcome) -> Result<(), doisoat_db::DbError> + Sync);

/// Side of the page preview that fingerprints and thumbnails are made from.
const PREVIEW_SIDE: u32 = 480;

/// The page analysis of stage 4, ready to record.
struct Analysis {
    kind: &'static str,
    pages: Vec<files::PageRow>,
}

/// Runs the six stages for one file.
pub fn ingest_one(ctx: &Context<'_>, req: &Request) -> Result<Outcome, IngestError> {
    ingest_one_with_pages(ctx, req, None)
}

/// [`ingest_one`] for a file whose page facts the caller already holds:
/// pages it copied byte for byte, with their page size, out of a file that
/// was analysed before (the parts of a split batch). Stage 4 then only opens
/// the file to check its page count and read each page's text-layer and
/// scan flags; a count that disagrees falls back to the full analysis.
pub fn ingest_one_with_pages(
    ctx: &Context<'_>,
    req: &Request,
    known: Option<&[files::PageRow]>,
) -> Result<Outcome, IngestError> {
    let _span = tracing::info_span!("ingest", file = %req.path.display()).entered();
    let (sha, size, analysis) = store_stages(ctx, &req.path, known)?;
    let outcome = record(ctx, req, &sha, size, analysis)?;
    tracing::info!(sha256 = %sha, pages = outcome.pages, duplicate = outcome.duplicate, "ingested");
    Ok(outcome)
}

/// Stages 1 to 5, then records the file and its pages without linking them:
/// for imports, which link everything in one transaction of their own.
/// Returns the file's SHA-256.
pub fn store_only(ctx: &Context<'_>, req: &Request) -> Result<String, IngestError> {
    store_only_with_pages(ctx, req, None)
}

/// [`store_only`] with page facts the caller already holds (see
/// [`ingest_one_with_pages`]).
pub fn store_only_with_pages(
    ctx: &Context<'_>,
    req: &Request,
    known: Option<&[files::PageRow]>,
) -> Result<String, IngestError> {
    let _span = tracing::info_span!("store", file = %req.path.display()).entered();
    let (sha, size, analysis) = store_stages(ctx, &req.path, known)?;
    if let Some(a) = analysis {
        let mut conn = lock(ctx.db);
        let tx = conn.transaction().map_err(doisoat_db::DbError::from)?;
        record_file(&tx, ctx, req, &sha, size, &a)?;
        tx.commit().map_err(doisoat_db::DbError::from)?;
    }
    Ok(sha)
}

/// Stages 1 to 5: preflight, stage, dedupe, pages, store.
fn store_stages(
    ctx: &Context<'_>,
    path: &Path,
    known_pages: Option<&[files::PageRow]>,
) -> Result<(String, u64, Option<Analysis>), IngestError> {
    preflight(path)?;
    let staged = ctx.store.stage(path)?;
    let sha = staged.digest.to_hex();
    let known = files::exists(&lock(ctx.db), &sha)?;
    let analysis = if known {
        None
    } else {
        let held = match known_pages {
            Some(pages) => with_known_pages(ctx, staged.path(), pages)?,
            None => None,
        };
        match held {
            Some(a) => Some(a),
            None => Some(analyse(ctx, staged.path())?),
        }
    };
    let stored = ctx.store.commit(staged)?;
    Ok((sha, stored.size, analysis))
}

fn record_file(
    tx: &Connection,
    ctx: &Context<'_>,
    req: &Request,
    sha: &str,
    size: u64,
    a: &Analysis,
) -> Result<(), IngestError> {
    let row = files::FileRow {
        sha256: sha.to_string(),
        size,
        kind: a.kind.to_string(),
        page_count: a.pages.len() as u32,
        first_name: display_name(req),
        stored_at: ctx.now.clone(),
    };
    files::insert(tx, &row, &a.pages)?;
    Ok(())
}

fn display_name(req: &Request) -> String {
    doisoat_domain::text::nfc(&req.name.clone().unwrap_or_else(|| file_name(&req.path)))
}

fn lock(db: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite half-written (the
    // transaction rolls back), so a poisoned lock is still usable.
    db.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stage 1: refuse what cannot be a document before copying anything.
fn preflight(path: &Path) -> Result<(), IngestError> {
    let meta = std::fs::metadata(path).map_err(PagesError::Io)?;
    if meta.is_dir() {
        return Err(PagesError::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder",
        ))
        .into());
    }
    if meta.len() == 0 {
        return Err(PagesError::Empty.into());
    }
    doisoat_pages::sniff(path)?;
    Ok(())
}

/// Stage 4: every page decoded once, for its facts, fingerprint and
/// thumbnail; pages are analysed on every core.
fn analyse(ctx: &Context<'_>, staged: &Path) -> Result<Analysis, IngestError> {
    let doc = doisoat_pages::open(staged)?;
    let count = doc.page_count() as u32;
    let done = AtomicU32::new(0);
    let pages = (0..doc.page_count())
        .into_par_iter()
        .map(|i| {
            if (ctx.cancelled)() {
                return Err(IngestError::Cancelled);
            }
            let info = doc.page_info(i)?;
            let page = doc.preview(i, PREVIEW_SIDE)?;
            let row = files::PageRow {
                page_no: i as u32 + 1,
                width_px: page.width_px,
                height_px: page.height_px,
                dpi: page.dpi,
                dpi_known: page.dpi_known,
                has_text: page.has_text,
                scanned: info.scanned,
                fingerprint: doisoat_pages::fingerprint(&page.image).0.to_vec(),
                thumbnail: thumbnail::thumbnail_jpeg(&page.image, thumbnail::THUMB_SIDE),
            };
            (ctx.on_page)(done.fetch_add(1, Ordering::Relaxed) + 1, count);
            Ok(row)
        })
        .collect::<Result<Vec<_>, IngestError>>()?;
    Ok(Analysis {
        kind: doc.kind().as_str(),
        pages,
    })
}

/// Stage 4 with the page facts held by the caller: the file is opened (no
/// page is decoded) to check the count and take each page's own text-layer
/// and scan flags. `None` when the count disagrees.
fn with_known_pages(
    ctx: &Context<'_>,
    staged: &Path,
    known: &[files::PageRow],
) -> Result<Option<Analysis>, IngestError> {
    let doc = doisoat_pages::open(staged)?;
    let count = doc.page_count();
    if count != known.len() {
        tracing::warn!(
            pages = count,
            known = known.len(),
            "page facts do not match; analysing"
        );
        return Ok(None);
    }
    let mut pages = Vec::with_capacity(count);
    for (i, k) in known.iter().enumerate() {
        if (ctx.cancelled)() {
            return Err(IngestError::Cancelled);
        }
        let info = doc.page_info(i)?;
        pages.push(files::PageRow {
            page_no: i as u32 + 1,
            has_text: info.has_text,
            scanned: info.scanned,
            ..k.clone()
        });
        (ctx.on_page)(i as u32 + 1, count as u32);
    }
    Ok(Some(Analysis {
        kind: doc.kind().as_str(),
        pages,
    }))
}

/// Stage 6: the file, its pages, its dossier and its link, in one transaction.
fn record(
    ctx: &Context<'_>,
    req: &Request,
    sha: &str,
    size: u64,
    analysis: Option<Analysis>,
) -> Result<Outcome, IngestError> {
    let name = display_name(req);
    let mut conn = lock(ctx.db);
    // Immediate: the write lock is taken up front, so the audit event
    // appended by `on_record` extends the chain's current head.
    let tx = conn
        .transaction_with_behavior(doisoat_db::TransactionBehavior::Immediate)
        .map_err(doisoat_db::DbError::from)?;
    let duplicate = analysis.is_none();
    if let Some(a) = &analysis {
        record_file(&tx, ctx, req, sha, size, a)?;
    }
    let pages = files::get(&tx, sha)?.map(|f| f.page_count).unwrap_or(0);

    let dossier = req.dossier.clone().or_else(|| DossierCode::find_in(&name));
    let (dossier_id, component) = match &dossier {
        Some(code) => {
            let id = dossiers::ensure(&tx, code.as_str(), code.check().as_str(), &ctx.now)?;
            let component = match &req.component {
                Some(c) => Some(c.clone()),
                None => component_in_name(&name, &dossiers::components(&tx, id)?),
            };
            if let Some(c) = &component {
                dossiers::upsert_component(&tx, id, c, None)?;
            }
            (Some(id), component)
        }
        None => (None, req.component.clone()),
    };
    copies::link(
        &tx,
        &copies::NewCopy {
            sha256: sha.to_string(),
            side: req.side,
            dossier_id,
            component_code: component.clone(),
            original_name: name,
            portal_file_id: req.portal_file_id.clone(),
            created_at: ctx.now.clone(),
        },
    )?;
    let outcome = Outcome {
        sha256: sha.to_string(),
        size,
        pages,
        duplicate,
        dossier: dossier.map(|d| d.to_string()),
        component,
    };
    if let Some(hook) = ctx.on_record {
        hook(&tx, &outcome)?;
    }
    tx.commit().map_err(doisoat_db::DbError::from)?;
    Ok(outcome)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A component code of the dossier that appears as a whole word in the name,
/// e.g. `TP2` in `000.00.38.H38-221125-0001_TP2_scan.pdf`.
fn component_in_name(name: &str, components: &[(String, Option<String>)]) -> Option<String> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    components
        .iter()
        .map(|(c, _)| c)
        .find(|c| words.iter().any(|w| w == &c.to_uppercase()))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_found_as_whole_word() {
        let comps = vec![("TP1".to_string(), None), ("TP2".to_string(), None)];
        assert_eq!(
            component_in_name("000.00.38.H38-221125-0001_TP2_scan.pdf", &comps).as_deref(),
            Some("TP2")
        );
        assert_eq!(
            component_in_name("tp1 quet.pdf", &comps).as_deref(),
            Some("TP1")
        );
        assert_eq!(component_in_name("TP12.pdf", &comps), None);
    }

    /// The record stage's hook runs inside its transaction: when it fails,
    /// nothing of the file is recorded; when it succeeds, it saw the outcome
    /// and its own write commits with the file.
    #[test]
    fn the_record_hook_commits_or_rolls_back_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        let db = Mutex::new(doisoat_db::open_in_memory().unwrap());
        let path = dir.path().join("000.00.38.H38-221125-0001_TP2.png");
        image::GrayImage::from_fn(210, 297, |x, y| {
            image::Luma([if (x / 7 + y / 9) % 5 == 0 { 30 } else { 240 }])
        })
        .save(&path)
        .unwrap();
        let req = Request {
            path: path.clone(),
            side: Side::Paper,
            dossier: None,
            component: None,
            portal_file_id: None,
            name: None,
        };
        let count = |sql: &str| -> i64 { lock(&db).query_row(sql, [], |r| r.get(0)).unwrap() };
        let never = || false;
        let quiet = |_: u32, _: u32| {};

        let failing = |c: &Connection, _: &Outcome| -> Result<(), doisoat_db::DbError> {
            c.execute("INSERT INTO no_such_table VALUES (1)", [])?;
            Ok(())
        };
        let ctx = Context {
            store: &store,
            db: &db,
            now: "2026-11-27T00:00:00Z".into(),
            cancelled: &never,
            on_page: &quiet,
            on_record: Some(&failing),
        };
        assert!(matches!(ingest_one(&ctx, &req), Err(IngestError::Db(_))));
        assert_eq!(count("SELECT COUNT(*) FROM files"), 0);
        assert_eq!(count("SELECT COUNT(*) FROM copies"), 0);
        assert_eq!(count("SELECT COUNT(*) FROM dossiers"), 0);

        let seen = Mutex::new(None);
        let noting = |c: &Connection, o: &Outcome| -> Result<(), doisoat_db::DbError> {
            c.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('hook', ?1, 'now')",
                [&o.sha256],
            )?;
            *seen.lock().unwrap() = Some((o.duplicate, o.dossier.clone(), o.pages));
            Ok(())
        };
        let ctx = Context {
            on_record: Some(&noting),
            ..ctx
        };
        let o = ingest_one(&ctx, &req).unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            Some((false, Some("000.00.38.H38-221125-0001".to_string()), 1))
        );
        assert_eq!(count("SELECT COUNT(*) FROM files"), 1);
        let held: String = lock(&db)
            .query_row("SELECT value FROM settings WHERE key = 'hook'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(held, o.sha256);
    }
}
