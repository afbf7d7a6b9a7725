//! The desktop shell: Tauri commands over `doisoat-core`. Each command
//! unpacks its input, calls the core and maps the error to `{code, message}`.
//!
//! Code map: [`args`] reads `--data-dir`/`--demo`; [`commands`] holds the
//! commands; [`jobs`] runs long work off the UI thread with progress and
//! cancellation; [`paths`] checks every path the page sends; [`error`] is the
//! IPC error shape; [`state`] is what the commands share; [`intake`] is the
//! scanning panel (SANE on Linux) and its batch on the desk; [`upkeep`] is
//! the store's background fixity check.

pub mod args;
pub mod commands;
pub mod dashboard;
pub mod error;
pub mod history;
pub mod intake;
pub mod jobs;
pub mod paths;
pub mod state;
pub mod upkeep;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tauri::{Manager, Runtime};

use crate::args::LaunchArgs;
use crate::error::IpcError;
use crate::state::AppState;

/// Registers the commands and the shared state on a builder. Used by the
/// real app and by the IPC tests (over Tauri's mock runtime).
pub fn attach<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .manage(intake::ScanSession::default())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::list_dossiers,
            commands::dossier_statuses,
            commands::open_dossier,
            commands::update_finding,
            commands::unlink_copy,
            commands::thumbnail,
            commands::page_image,
            commands::import_export,
            commands::import_presets,
            commands::ingest,
            commands::reconcile,
            commands::load_demo,
            commands::cancel_job,
            commands::ui_ready,
            dashboard::dashboard,
            dashboard::export_report,
            history::dossier_history,
            intake::scan_devices,
            intake::scan_batch,
            intake::scan_rescan,
            intake::scan_insert,
            intake::scan_state,
            intake::scan_thumbnail,
            intake::scan_discard,
            intake::scan_store,
            upkeep::fixity_status,
            upkeep::set_fixity_schedule,
            upkeep::fixity_check_now,
        ])
}

/// Opens the data folder chosen by flag > `DOISOAT_DATA_DIR` > the OS's
/// per-user data folder. A failure is kept and shown by the page.
pub fn open_office(
    flag: Option<PathBuf>,
) -> (Result<Arc<doisoat_core::Office>, IpcError>, Option<PathBuf>) {
    let lang = doisoat_core::Lang::Vi;
    let dir = match doisoat_core::data_dir(flag) {
        Ok(dir) => dir,
        Err(e) => return (Err(IpcError::from_core(&e, lang)), None),
    };
    let office = doisoat_core::Office::open(&dir)
        .map(Arc::new)
        .map_err(|e| IpcError::from_core(&e, lang));
    (office, Some(dir))
}

/// The first existing candidate: `$DOISOAT_PDFIUM`, the bundled resource,
/// then the repository's `vendor/pdfium/` (for `cargo run`).
fn pdfium_library(resource_dir: Option<&Path>) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("DOISOAT_PDFIUM") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(r) = resource_dir {
        candidates.push(r.join("pdfium").join("libpdfium.so"));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/pdfium/libpdfium.so"));
    candidates.into_iter().find(|p| p.is_file())
}

/// The demo set: `$DOISOAT_FIXTURES_DIR`, else the repository's `fixtures/`
/// (for `cargo run`); an installed app switches to its bundled copy in setup.
fn fixtures_dir() -> PathBuf {
    std::env::var_os("DOISOAT_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
}

/// The demo set bundled with an installed app (`<resources>/demo`).
fn bundled_fixtures(resource_dir: Option<&Path>) -> Option<PathBuf> {
    let dir = resource_dir?.join("demo");
    dir.join("portal/dossiers.json").is_file().then_some(dir)
}

pub fn run() {
    let started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = LaunchArgs::parse(std::env::args_os().skip(1));
    let (office, data_dir) = open_office(args.data_dir.clone());
    if let Err(e) = &office {
        tracing::error!(code = %e.code, message = %e.message, "data folder could not be opened");
    }
    let state = AppState::started_at(office, data_dir, fixtures_dir(), started);
    if args.demo {
        state.request_demo();
    }
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let resources = app.path().resource_dir().ok();
            match pdfium_library(resources.as_deref()) {
                Some(lib) => {
                    tracing::info!(path = %lib.display(), "PDFium");
                    doisoat_pages::set_pdfium_library(lib);
                }
                None => tracing::info!(
                    "no bundled libpdfium.so; the renderer looks in its own places (DOISOAT_PDFIUM, beside the executable, vendor/pdfium)"
                ),
            }
            let state = app.state::<AppState>();
            if std::env::var_os("DOISOAT_FIXTURES_DIR").is_none() && !state.fixtures_dir().is_dir()
            {
                if let Some(dir) = bundled_fixtures(resources.as_deref()) {
                    state.set_fixtures_dir(dir);
                }
            }
            upkeep::spawn(app.handle().clone());
            Ok(())
        });
    attach(builder, state)
        .run(tauri::generate_context!())
        .expect("error while running the Tauri application");
}
