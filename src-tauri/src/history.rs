//! The dossier history command: the audit events about one dossier (who,
//! when, what, before/after), newest first, as `Office::dossier_history`
//! gives them. A thin wrapper; errors cross as the app's `{code, message}`.

use doisoat_core::HistoryEntry;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// The history of the dossier `code`, newest first.
#[tauri::command]
pub async fn dossier_history(
    state: State<'_, AppState>,
    code: String,
) -> Result<Vec<HistoryEntry>, IpcError> {
    let office = state.office()?;
    let lang = state.lang();
    tauri::async_runtime::spawn_blocking(move || office.dossier_history(&code))
        .await
        .map_err(|e| IpcError::new("internal", e.to_string()))?
        .map_err(|e| IpcError::from_core(&e, lang))
}
