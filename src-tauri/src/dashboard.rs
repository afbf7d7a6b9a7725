//! Tauri commands of the supervisor's dashboard: thin wrappers over
//! `Office::report` (figures, overdue and due-soon lists) and its XLSX and
//! PDF exports. Errors cross as the app's `{code, message}`.
//!
//! Exports are written into the data folder's `exports/` (a folder the
//! supervisor can find again, and a path the E2E suite can open without a
//! save dialog); the command returns the file's path for the screen to show.

use std::path::PathBuf;

use doisoat_core::report::{Report, ReportQuery};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// The figures and deadline lists for a period.
#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>, query: ReportQuery) -> Result<Report, IpcError> {
    let office = state.office()?;
    let lang = state.lang();
    tauri::async_runtime::spawn_blocking(move || office.report(&query))
        .await
        .map_err(|e| IpcError::new("internal", e.to_string()))?
        .map_err(|e| IpcError::from_core(&e, lang))
}

/// Writes the report for a period as `xlsx` or `pdf` into `exports/` of the
/// data folder, named after the period, and returns the file's path.
#[tauri::command]
pub async fn export_report(
    state: State<'_, AppState>,
    query: ReportQuery,
    format: String,
) -> Result<String, IpcError> {
    let office = state.office()?;
    let lang = state.lang();
    let ext = match format.as_str() {
        "xlsx" | "pdf" => format,
        other => {
            return Err(IpcError::new(
                "invalid_argument",
                format!("unknown export format '{other}' (xlsx or pdf)"),
            ))
        }
    };
    tauri::async_runtime::spawn_blocking(move || -> Result<PathBuf, IpcError> {
        let core = |e: doisoat_core::CoreError| IpcError::from_core(&e, lang);
        let report = office.report(&query).map_err(core)?;
        let dir = office.dir().join("exports");
        std::fs::create_dir_all(&dir)
            .map_err(|e| IpcError::new("write_failed", format!("{}: {e}", dir.display())))?;
        let name = format!(
            "bao-cao_{}_{}.{ext}",
            report.from.replace('/', "-"),
            report.to.replace('/', "-")
        );
        let path = dir.join(name);
        if ext == "pdf" {
            doisoat_core::report::pdf::write_report_pdf(&report, lang, &path).map_err(core)?;
        } else {
            doisoat_core::report::write_report_xlsx(&report, lang, &path).map_err(core)?;
        }
        Ok(path)
    })
    .await
    .map_err(|e| IpcError::new("internal", e.to_string()))?
    .map(|p| p.display().to_string())
}
