//! The store's background fixity check: a thread that runs one round of
//! `Office::fixity_round` (the next files, oldest verification first, at the
//! schedule's pace) every `every_minutes`, and the commands that show the
//! last round, change the schedule and start a round at once.
//!
//! A round reads at the schedule's pace (20 MB/s by default) on a thread of
//! its own, so the desk stays fast. Its results go into each file's fixity
//! history (the core records them) and, as a [`FixityStatus`], to the page
//! in a `fixity-status` event; a changed or missing file is shown in red in
//! the footer.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use doisoat_core::{FixityRound, FixitySchedule, Job, Office};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::IpcError;
use crate::state::AppState;

/// The event the page listens to.
pub const FIXITY_EVENT: &str = "fixity-status";

/// The job id of a round, so a round started by hand and the timer's never
/// run at once, and the page can cancel one.
pub const FIXITY_JOB: &str = "fixity";

/// The first round waits this long after start-up, which stays quick.
const FIRST_ROUND_AFTER: Duration = Duration::from_secs(120);

/// What the footer shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FixityStatus {
    pub schedule: FixitySchedule,
    pub running: bool,
    /// The last round since the app started, if any.
    pub last: Option<FixityRound>,
    /// Why the last round failed, in the page's language.
    pub error: Option<String>,
}

/// The last round (or why it failed).
#[derive(Default)]
pub struct FixityWorker {
    last: Mutex<(Option<FixityRound>, Option<String>)>,
}

impl FixityWorker {
    fn record(&self, outcome: Result<Option<FixityRound>, String>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        *last = match outcome {
            Ok(Some(round)) => (Some(round), None),
            Ok(None) => (last.0.take(), None),
            Err(message) => (last.0.take(), Some(message)),
        };
    }
}

/// The status as the page sees it.
pub fn status(state: &AppState) -> Result<FixityStatus, IpcError> {
    let office = state.office()?;
    let schedule = office
        .fixity_schedule()
        .map_err(|e| IpcError::from_core(&e, state.lang()))?;
    let (last, error) = state
        .fixity
        .last
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(FixityStatus {
        schedule,
        running: state.jobs.is_running(FIXITY_JOB),
        last,
        error,
    })
}

/// Runs one round now on this thread (a blocking one), unless one is
/// already running (then that round's end is the answer); tells the page
/// when it starts and what it found. `asked`: someone pressed "check now",
/// which runs even when automatic rounds are off.
pub fn run_round<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    asked: bool,
) -> Result<(), IpcError> {
    let office: Arc<Office> = state.office()?;
    let job = Job::new(|_| {});
    let Ok(registration) = state.jobs.register(FIXITY_JOB, job.cancel_token()) else {
        return Ok(());
    };
    if let Ok(s) = status(state) {
        // `running`: the footer says so and its button waits.
        let _ = app.emit(FIXITY_EVENT, s);
    }
    let outcome = office
        .fixity_round(&job, asked)
        .map_err(|e| IpcError::from_core(&e, state.lang()).message);
    drop(registration);
    if let Err(message) = &outcome {
        tracing::warn!(%message, "background fixity round failed");
    }
    state.fixity.record(outcome);
    if let Ok(s) = status(state) {
        if s.last.as_ref().is_some_and(|r| !r.report.ok()) {
            tracing::error!(
                changed = s.last.as_ref().map_or(0, |r| r.report.changed.len()),
                missing = s.last.as_ref().map_or(0, |r| r.report.missing.len()),
                "stored files failed their fixity check"
            );
        }
        if let Err(e) = app.emit(FIXITY_EVENT, s) {
            tracing::warn!(error = %e, "could not send the fixity status");
        }
    }
    Ok(())
}

/// Starts the timer thread: a round [`FIRST_ROUND_AFTER`] start-up, then one
/// every `every_minutes` of the schedule (read anew each time, so a change
/// applies after the current wait).
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    let started = std::thread::Builder::new()
        .name("fixity".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            std::thread::sleep(FIRST_ROUND_AFTER);
            loop {
                if let Err(e) = run_round(&app, &state, false) {
                    tracing::debug!(code = %e.code, "no fixity round");
                }
                let every = state
                    .office()
                    .ok()
                    .and_then(|o| o.fixity_schedule().ok())
                    .unwrap_or_default()
                    .every_minutes;
                std::thread::sleep(Duration::from_secs(u64::from(every) * 60));
            }
        });
    if let Err(e) = started {
        tracing::error!(error = %e, "could not start the background fixity check");
    }
}

/// Runs `work` with the app's state on a blocking thread: the status reads
/// the schedule from the database, which must not happen on the UI thread
/// (where a command that is not `async` runs) nor on the async runtime's.
async fn off_the_ui<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    work: impl FnOnce(&AppHandle<R>, &AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        work(&app, &state)
    })
    .await
    .map_err(|e| IpcError::new("internal", e.to_string()))?
}

/// The schedule and the last round.
#[tauri::command]
pub async fn fixity_status<R: Runtime>(app: AppHandle<R>) -> Result<FixityStatus, IpcError> {
    off_the_ui(app, |_, state| status(state)).await
}

/// Changes the schedule (administrators; audited by the core). The timer
/// thread takes the new interval after its current wait.
#[tauri::command]
pub async fn set_fixity_schedule<R: Runtime>(
    app: AppHandle<R>,
    schedule: FixitySchedule,
) -> Result<FixityStatus, IpcError> {
    off_the_ui(app, move |_, state| {
        state
            .office()?
            .set_fixity_schedule(&schedule)
            .map_err(|e| IpcError::from_core(&e, state.lang()))?;
        status(state)
    })
    .await
}

/// Runs a round now, off the UI thread, and returns the status after it;
/// while the timer's round runs, returns at once with `running` set (its
/// end reaches the page as an event).
#[tauri::command]
pub async fn fixity_check_now<R: Runtime>(app: AppHandle<R>) -> Result<FixityStatus, IpcError> {
    off_the_ui(app, |handle, state| {
        run_round(handle, state, true)?;
        status(state)
    })
    .await
}
