//! The Tauri commands. Each one unpacks its input, calls `doisoat-core` and
//! maps the error to `{code, message}`. Database and file work leaves the
//! async runtime (`spawn_blocking`); long work goes through [`run_job`] so it
//! reports progress and can be cancelled.

use std::path::PathBuf;
use std::sync::Arc;

use doisoat_core::{
    CopyView, DemoReport, DossierPage, DossierQuery, DossierView, Finding, FindingUpdate,
    ImportOptions, ImportReport, IngestReport, Lang, LinkTarget, Office, ReconcileReport,
};
use doisoat_domain::{FindingStatus, Side};
use serde::{Deserialize, Serialize};
use tauri::ipc::Response;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::jobs::run_job;
use crate::paths::{checked_file, EXPORT_EXTENSIONS, SCAN_EXTENSIONS};
use crate::state::AppState;

/// What the page needs to know at start-up.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppInfo {
    pub version: String,
    pub data_dir: Option<String>,
    /// Set when the data folder could not be opened; every other command
    /// then fails with the same error.
    pub office_error: Option<IpcError>,
    /// The app was started with `--demo`: the list loads the demo set when
    /// it finds the database empty.
    pub demo_requested: bool,
}

/// Where scans go, as the page sends it. Without it, ingest finds the
/// dossier from the file name or a QR code.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TargetInput {
    pub dossier: String,
    pub component: Option<String>,
}

/// A clerk's decision on a finding. `when` is the app's clock.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FindingUpdateInput {
    pub status: FindingStatus,
    pub note: Option<String>,
    pub actor: String,
}

/// Runs `work` with the office on a blocking thread, off the async runtime.
pub(crate) async fn blocking<T, F>(state: &AppState, work: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(&Office) -> Result<T, doisoat_core::CoreError> + Send + 'static,
{
    let office: Arc<Office> = state.office()?;
    let lang = state.lang();
    tauri::async_runtime::spawn_blocking(move || work(&office))
        .await
        .map_err(|e| IpcError::new("internal", e.to_string()))?
        .map_err(|e| IpcError::from_core(&e, lang))
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.as_ref().map(|d| d.display().to_string()),
        office_error: state.office().err(),
        demo_requested: state.take_demo_request(),
    }
}

#[tauri::command]
pub fn set_language(state: State<'_, AppState>, lang: Lang) {
    state.set_lang(lang);
}

#[tauri::command]
pub async fn list_dossiers(
    state: State<'_, AppState>,
    query: DossierQuery,
) -> Result<DossierPage, IpcError> {
    blocking(&state, move |office| office.list_dossiers(&query)).await
}

#[tauri::command]
pub async fn dossier_statuses(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    blocking(&state, |office| office.dossier_statuses()).await
}

#[tauri::command]
pub async fn open_dossier(
    state: State<'_, AppState>,
    code: String,
) -> Result<DossierView, IpcError> {
    blocking(&state, move |office| office.dossier(&code)).await
}

#[tauri::command]
pub async fn update_finding(
    state: State<'_, AppState>,
    id: i64,
    update: FindingUpdateInput,
) -> Result<Finding, IpcError> {
    let actor = update.actor.trim();
    if actor.is_empty() {
        let message = match state.lang() {
            Lang::Vi => "Cần ghi tên người xử lý",
            Lang::En => "Who handled the finding is required",
        };
        return Err(IpcError::new("actor_required", message));
    }
    let update = FindingUpdate {
        status: update.status,
        note: update
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        actor: actor.to_owned(),
    };
    blocking(&state, move |office| office.update_finding(id, &update)).await
}

/// Takes back a copy's link to its dossier (the file stays stored; the
/// core checks the role and audits it).
#[tauri::command]
pub async fn unlink_copy(state: State<'_, AppState>, copy_id: i64) -> Result<CopyView, IpcError> {
    blocking(&state, move |office| office.unlink_copy(copy_id)).await
}

#[tauri::command]
pub async fn thumbnail(
    state: State<'_, AppState>,
    sha256: String,
    page: u32,
) -> Result<Response, IpcError> {
    let bytes = blocking(&state, move |office| office.thumbnail(&sha256, page)).await?;
    Ok(Response::new(bytes))
}

#[tauri::command]
pub async fn page_image(
    state: State<'_, AppState>,
    sha256: String,
    page: u32,
    max_dpi: f32,
) -> Result<Response, IpcError> {
    let max_dpi = max_dpi.clamp(50.0, 300.0);
    let bytes = blocking(&state, move |office| {
        office.page_image(&sha256, page, max_dpi)
    })
    .await?;
    Ok(Response::new(bytes))
}

#[tauri::command]
pub async fn import_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job: String,
    file: String,
    skip_invalid: bool,
    preset: Option<String>,
) -> Result<ImportReport, IpcError> {
    let path = checked_file(&file, EXPORT_EXTENSIONS)
        .map_err(|e| IpcError::from_path(&e, state.lang()))?;
    let options = ImportOptions { skip_invalid };
    run_job(app, &state, job, move |office, job| {
        office.import_with_preset(&path, &options, preset.as_deref(), job)
    })
    .await
}

/// Names of the saved XLSX column-mapping presets, for the Import screen.
#[tauri::command]
pub async fn import_presets(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    let presets = blocking(&state, |office| office.import_presets()).await?;
    Ok(presets.into_iter().map(|(name, _)| name).collect())
}

#[tauri::command]
pub async fn ingest<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job: String,
    files: Vec<String>,
    target: Option<TargetInput>,
) -> Result<IngestReport, IpcError> {
    let lang = state.lang();
    let paths = files
        .iter()
        .map(|f| checked_file(f, SCAN_EXTENSIONS).map_err(|e| IpcError::from_path(&e, lang)))
        .collect::<Result<Vec<PathBuf>, IpcError>>()?;
    if paths.is_empty() {
        return Err(IpcError::new(
            "no_files",
            match lang {
                Lang::Vi => "Chưa chọn tệp nào",
                Lang::En => "No file was chosen",
            },
        ));
    }
    // Scans taken in at the desk are paper copies.
    let target = match target {
        Some(t) => LinkTarget {
            dossier: Some(t.dossier.trim().to_owned()).filter(|d| !d.is_empty()),
            component: t
                .component
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            side: Some(Side::Paper),
        },
        None => LinkTarget {
            side: Some(Side::Paper),
            ..LinkTarget::default()
        },
    };
    run_job(app, &state, job, move |office, job| {
        office.ingest(&paths, &target, job)
    })
    .await
}

#[tauri::command]
pub async fn reconcile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job: String,
    dossier: Option<String>,
) -> Result<ReconcileReport, IpcError> {
    run_job(app, &state, job, move |office, job| {
        office.reconcile(dossier.as_deref(), job)
    })
    .await
}

#[tauri::command]
pub async fn load_demo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    job: String,
) -> Result<DemoReport, IpcError> {
    let fixtures = state.fixtures_dir();
    run_job(app, &state, job, move |office, job| {
        office.load_demo(&fixtures, job)
    })
    .await
}

/// The page calls this once its first rows are on screen. The time since the
/// process started is logged (`benches/app.sh` reads it for the start-up figure).
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) -> u64 {
    let ms = state.started.elapsed().as_millis() as u64;
    tracing::info!(ms, "list interactive");
    ms
}

#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, job: String) -> bool {
    state.jobs.cancel(&job)
}
