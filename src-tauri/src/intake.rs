//! The scanning panel's commands: list scanners, scan a batch (a live page
//! counter through `job-progress` events, cancel through `cancel_job`),
//! rescan a page, insert a page, show a page's thumbnail, then store the
//! batch (split on its separator sheets, or linked to one dossier) or
//! discard it. Thin: the scanner is `doisoat_intake::scan`, storing is
//! `Office::ingest_scanned`.
//!
//! A SANE handle belongs to the thread that opened it, and SANE itself is
//! one library-wide state, so every scanner operation opens the device on
//! its own blocking thread and only one runs at a time ([`ScannerClaim`]).
//! The batch on the desk lives in [`ScanSession`] between commands; a new
//! scan adds to it (after a jam or a lost scanner the clerk carries on),
//! and only storing or discarding ends it.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use doisoat_core::intake::SplitReport;
use doisoat_core::{CoreError, IngestReport, Lang, LinkTarget, Progress};
use doisoat_domain::Side;
use doisoat_intake::scan::{self, Batch, Flow, ScanDevice, ScanSettings, Scanner, Stopped};
use serde::{Deserialize, Serialize};
use tauri::ipc::Response;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::jobs::run_job;
use crate::state::AppState;

/// The batch on the desk and the scanner's claim; app state.
#[derive(Default)]
pub struct ScanSession {
    /// Shared with the blocking thread that stores the batch, which puts it
    /// back when storing fails or is cancelled.
    desk: Arc<Mutex<Option<DeskBatch>>>,
    scanner_busy: Arc<AtomicBool>,
    /// Page ids, new for every scanned page (a rescanned page gets a new
    /// one, so the page's thumbnail is fetched again).
    next_page_id: AtomicU32,
}

/// A batch taken off the desk to be stored. Unless storing succeeded it
/// goes back when dropped, however the job ended (failed, cancelled, never
/// started, panicked); a batch scanned meanwhile is not overwritten.
struct LentBatch {
    desk: Option<DeskBatch>,
    slot: Arc<Mutex<Option<DeskBatch>>>,
}

impl Drop for LentBatch {
    fn drop(&mut self) {
        if let Some(d) = self.desk.take() {
            lock(&self.slot).get_or_insert(d);
        }
    }
}

/// Scanned pages not stored yet, and how they were scanned.
struct DeskBatch {
    device: String,
    settings: ScanSettings,
    batch: Batch,
    /// One per page of `batch`, in the same order.
    ids: Vec<u32>,
    /// How the last scanning run ended.
    stopped: Stopped,
}

impl DeskBatch {
    fn state(&self) -> ScanState {
        ScanState {
            pages: self
                .batch
                .pages
                .iter()
                .zip(&self.ids)
                .map(|(p, &id)| ScanPage {
                    id,
                    width: p.jpeg.width,
                    height: p.jpeg.height,
                    dpi: p.dpi(),
                })
                .collect(),
            stopped: self.stopped.clone(),
        }
    }
}

/// The right to use the scanner, released on drop (on whichever thread
/// the work ended).
struct ScannerClaim(Arc<AtomicBool>);

impl Drop for ScannerClaim {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl ScanSession {
    fn desk(&self) -> MutexGuard<'_, Option<DeskBatch>> {
        lock(&self.desk)
    }

    fn claim_scanner(&self, lang: Lang) -> Result<ScannerClaim, IpcError> {
        if self
            .scanner_busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(IpcError::new(
                "scanner_busy",
                match lang {
                    Lang::Vi => "Máy quét đang bận, chờ lệnh trước xong",
                    Lang::En => "The scanner is busy; wait for the current task to finish",
                },
            ));
        }
        Ok(ScannerClaim(Arc::clone(&self.scanner_busy)))
    }

    fn page_id(&self) -> u32 {
        self.next_page_id.fetch_add(1, Ordering::SeqCst) + 1
    }
}

fn lock(desk: &Mutex<Option<DeskBatch>>) -> MutexGuard<'_, Option<DeskBatch>> {
    desk.lock().unwrap_or_else(|e| e.into_inner())
}

/// The batch on the desk, as the panel shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScanState {
    pub pages: Vec<ScanPage>,
    /// How the last scanning run ended (`device_lost` keeps its pages).
    pub stopped: Stopped,
}

/// One scanned page, not stored yet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScanPage {
    /// Asks `scan_thumbnail` for the page; a rescan gives a new id.
    pub id: u32,
    pub width: u32,
    pub height: u32,
    pub dpi: f32,
}

/// Where the stored batch goes: split on its separator sheets and receipt
/// codes, or linked as one paper copy to a dossier (and component).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScanFinish {
    pub split: bool,
    pub dossier: Option<String>,
    pub component: Option<String>,
}

/// What storing the batch did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ScanStored {
    pub split: Option<SplitReport>,
    pub ingest: Option<IngestReport>,
    /// The batch stayed on the desk (storing failed or was cancelled).
    pub kept: bool,
}

fn core(e: CoreError, lang: Lang) -> IpcError {
    IpcError::from_core(&e, lang)
}

fn no_batch(lang: Lang) -> IpcError {
    IpcError::new(
        "no_batch",
        match lang {
            Lang::Vi => "Chưa có trang nào được quét",
            Lang::En => "No page has been scanned",
        },
    )
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The scanners SANE can see (USB, and network scanners through airscan).
#[tauri::command]
pub async fn scan_devices(
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
) -> Result<Vec<ScanDevice>, IpcError> {
    let lang = state.lang();
    let claim = session.claim_scanner(lang)?;
    tauri::async_runtime::spawn_blocking(move || {
        let _claim = claim;
        scan::list_devices()
    })
    .await
    .map_err(|e| IpcError::new("internal", e.to_string()))?
    .map_err(|e| core(CoreError::Intake(e), lang))
}

/// Scans until the feeder is empty (one page from the glass), the job is
/// cancelled or the scanner fails; the pages are added to the batch on the
/// desk. Progress: stage `scan`, `done` = pages on the desk.
#[tauri::command]
pub async fn scan_batch<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
    job: String,
    device: String,
    settings: ScanSettings,
) -> Result<ScanState, IpcError> {
    let claim = session.claim_scanner(state.lang())?;
    let before = session.desk().as_ref().map_or(0, |d| d.batch.pages.len()) as u64;
    let (dev, set) = (device.clone(), settings.clone());
    let (batch, stopped) = run_job(app, &state, job, move |_, job| {
        let _claim = claim;
        let mut scanner = Scanner::open(&dev, &set).map_err(CoreError::Intake)?;
        let mut batch = Batch::default();
        let stopped = scanner.scan_batch(&mut batch, &mut |_, n, _| {
            let pages = before + u64::from(n);
            job.report(&Progress {
                stage: "scan".into(),
                done: pages,
                total: 0,
                item: None,
                pages,
            });
            if job.is_cancelled() {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        Ok((batch, stopped))
    })
    .await?;
    if let Stopped::DeviceLost { reason } = &stopped {
        tracing::warn!(%reason, kept = batch.pages.len(), "scanner lost mid-batch");
    }
    let ids: Vec<u32> = batch.pages.iter().map(|_| session.page_id()).collect();
    let mut desk = session.desk();
    let desk = desk.get_or_insert_with(|| DeskBatch {
        device: device.clone(),
        settings: settings.clone(),
        batch: Batch::default(),
        ids: Vec::new(),
        stopped: Stopped::Finished,
    });
    desk.device = device;
    desk.settings = settings;
    desk.batch.pages.extend(batch.pages);
    desk.ids.extend(ids);
    desk.stopped = stopped;
    Ok(desk.state())
}

/// Scans one page with the batch's scanner and settings and puts it in
/// place of page `index` (rescan) or before it (insert); 0-based, and an
/// insert at the page count appends.
async fn one_page(
    state: &AppState,
    session: &ScanSession,
    index: u32,
    insert: bool,
) -> Result<ScanState, IpcError> {
    let lang = state.lang();
    let (device, settings, len) = match session.desk().as_ref() {
        Some(d) => (d.device.clone(), d.settings.clone(), d.batch.pages.len()),
        None => return Err(no_batch(lang)),
    };
    let index = index as usize;
    if index > len || (!insert && index == len) {
        return Err(IpcError::new(
            "page_not_found",
            match lang {
                Lang::Vi => format!("Lô quét không có trang {}", index + 1),
                Lang::En => format!("The batch has no page {}", index + 1),
            },
        ));
    }
    let claim = session.claim_scanner(lang)?;
    let page = tauri::async_runtime::spawn_blocking(move || {
        let _claim = claim;
        Scanner::open(&device, &settings)?.scan_one()
    })
    .await
    .map_err(|e| IpcError::new("internal", e.to_string()))?
    .map_err(|e| core(CoreError::Intake(e), lang))?
    .ok_or_else(|| {
        IpcError::new(
            "no_paper",
            match lang {
                Lang::Vi => "Máy quét không có giấy",
                Lang::En => "The scanner has no paper",
            },
        )
    })?;
    let id = session.page_id();
    let mut guard = session.desk();
    let desk = guard.as_mut().ok_or_else(|| no_batch(lang))?;
    let placed = if insert {
        desk.batch.insert(index, page)
    } else {
        desk.batch.replace(index, page)
    };
    placed.map_err(|e| core(CoreError::Intake(e), lang))?;
    if insert {
        desk.ids.insert(index, id);
    } else {
        desk.ids[index] = id;
    }
    Ok(desk.state())
}

/// Rescans page `index` (0-based).
#[tauri::command]
pub async fn scan_rescan(
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
    index: u32,
) -> Result<ScanState, IpcError> {
    one_page(&state, &session, index, false).await
}

/// Scans a page and inserts it before page `index` (0-based).
#[tauri::command]
pub async fn scan_insert(
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
    index: u32,
) -> Result<ScanState, IpcError> {
    one_page(&state, &session, index, true).await
}

/// The batch on the desk, if any (the panel shows it again when reopened).
#[tauri::command]
pub fn scan_state(session: State<'_, ScanSession>) -> Option<ScanState> {
    session.desk().as_ref().map(DeskBatch::state)
}

/// A JPEG thumbnail of the page with this id.
#[tauri::command]
pub async fn scan_thumbnail(
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
    id: u32,
) -> Result<Response, IpcError> {
    let lang = state.lang();
    let desk = Arc::clone(&session.desk);
    let jpeg = tauri::async_runtime::spawn_blocking(move || {
        let guard = lock(&desk);
        let d = guard.as_ref()?;
        let i = d.ids.iter().position(|&x| x == id)?;
        let page = d.batch.pages[i].clone();
        drop(guard);
        let image = page.decode().ok()?.to_rgb8();
        Some(doisoat_pages::thumbnail::thumbnail_jpeg(
            &image,
            doisoat_pages::thumbnail::THUMB_SIDE,
        ))
    })
    .await
    .map_err(|e| IpcError::new("internal", e.to_string()))?
    .ok_or_else(|| {
        IpcError::new(
            "page_not_found",
            match lang {
                Lang::Vi => "Trang này không còn trong lô quét",
                Lang::En => "This page is no longer in the batch",
            },
        )
    })?;
    Ok(Response::new(jpeg))
}

/// Drops the batch on the desk without storing anything.
#[tauri::command]
pub fn scan_discard(session: State<'_, ScanSession>) {
    if let Some(d) = session.desk().take() {
        tracing::info!(pages = d.batch.pages.len(), "scanned batch discarded");
    }
}

/// Stores the batch on the desk as one PDF of JPEG pages and ingests it
/// (split, or linked to the dossier given). The desk is cleared only when
/// everything went in; otherwise the batch stays for another try.
#[tauri::command]
pub async fn scan_store<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    session: State<'_, ScanSession>,
    job: String,
    finish: ScanFinish,
) -> Result<ScanStored, IpcError> {
    let lang = state.lang();
    let dossier = trimmed(finish.dossier);
    if !finish.split && dossier.is_none() {
        return Err(IpcError::new(
            "dossier_required",
            match lang {
                Lang::Vi => "Nhập mã hồ sơ, hoặc chọn tách lô theo tờ phân cách",
                Lang::En => "Give a dossier code, or split the batch on separator sheets",
            },
        ));
    }
    let desk = match session.desk().take() {
        Some(d) if !d.batch.pages.is_empty() => d,
        Some(empty) => {
            *session.desk() = Some(empty);
            return Err(no_batch(lang));
        }
        None => return Err(no_batch(lang)),
    };
    let target = LinkTarget {
        dossier: if finish.split { None } else { dossier },
        component: if finish.split {
            None
        } else {
            trimmed(finish.component)
        },
        side: Some(Side::Paper),
    };
    let mut lent = LentBatch {
        desk: Some(desk),
        slot: Arc::clone(&session.desk),
    };
    let split = finish.split;
    let stored = run_job(app, &state, job, move |office, job| {
        let pdf = lent
            .desk
            .as_ref()
            .map(|d| d.batch.to_pdf())
            .unwrap_or_default();
        let outcome = office.ingest_scanned(&pdf, split, &target, job);
        let complete = match &outcome {
            Ok((Some(s), _)) => !s.cancelled,
            Ok((None, Some(i))) => !i.cancelled && i.failed == 0,
            Ok((None, None)) | Err(_) => false,
        };
        if complete {
            // Stored: the batch leaves the desk for good.
            drop(lent.desk.take());
        }
        outcome.map(|(split, ingest)| ScanStored {
            split,
            ingest,
            kept: !complete,
        })
    })
    .await;
    if let Err(e) = &stored {
        tracing::warn!(code = %e.code, "scanned batch not stored; kept on the desk");
    }
    stored
}
