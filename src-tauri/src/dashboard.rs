//! Tauri commands of the supervisor's dashboard: thin wrappers over
//! `Office::report` (figures, overdue and due-soon lists). Errors cross as
//! the app's `{code, message}`.

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
