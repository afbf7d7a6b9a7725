//! Long work (import, ingest, reconcile, demo) runs on a blocking thread, off
//! the UI thread and the async runtime's workers. While it runs it sends
//! `job-progress` events to the page and can be cancelled by its id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use doisoat_core::{CancelToken, CoreError, Job, Office, Progress};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::error::IpcError;
use crate::state::AppState;

/// The event name the page listens to.
pub const PROGRESS_EVENT: &str = "job-progress";

/// Progress events are thinned to at most one per this interval (the last
/// step of each stage always goes through).
const MIN_EVENT_GAP: Duration = Duration::from_millis(50);

/// One progress report, tagged with the job it belongs to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct JobProgress {
    pub job: String,
    pub stage: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(test, ts(type = "number"))]
    pub total: u64,
    pub item: Option<String>,
    #[cfg_attr(test, ts(type = "number"))]
    pub pages: u64,
}

impl JobProgress {
    fn new(job: &str, p: &Progress) -> JobProgress {
        JobProgress {
            job: job.to_owned(),
            stage: p.stage.clone(),
            done: p.done,
            total: p.total,
            item: p.item.clone(),
            pages: p.pages,
        }
    }
}

/// The cancel tokens of the jobs now running, by the id the page gave them.
#[derive(Default)]
pub struct RunningJobs {
    tokens: Mutex<HashMap<String, CancelToken>>,
}

impl RunningJobs {
    /// Cancels job `id`. Returns false if no such job is running.
    pub fn cancel(&self, id: &str) -> bool {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Registers job `id`; it stays registered while the returned value lives.
    pub(crate) fn register(
        self: &Arc<Self>,
        id: &str,
        token: CancelToken,
    ) -> Result<Registration, IpcError> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens.contains_key(id) {
            return Err(IpcError::new(
                "job_already_running",
                format!("job {id} is already running"),
            ));
        }
        tokens.insert(id.to_owned(), token);
        Ok(Registration {
            jobs: Arc::clone(self),
            id: id.to_owned(),
        })
    }

    pub fn is_running(&self, id: &str) -> bool {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(id)
    }
}

/// Removes a job's token when the job ends, however it ends.
pub(crate) struct Registration {
    jobs: Arc<RunningJobs>,
    id: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.jobs
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

/// Runs `work` on a blocking thread with a [`Job`] that reports progress as
/// `job-progress` events and can be cancelled through [`RunningJobs::cancel`].
pub async fn run_job<R, T, F>(
    app: AppHandle<R>,
    state: &AppState,
    id: String,
    work: F,
) -> Result<T, IpcError>
where
    R: Runtime,
    T: Send + 'static,
    F: FnOnce(&Office, &Job) -> Result<T, CoreError> + Send + 'static,
{
    let office = state.office()?;
    let lang = state.lang();
    let last_sent = Mutex::new(None::<(Instant, String)>);
    let job_id = id.clone();
    let job = Job::new(move |p: &Progress| {
        let now = Instant::now();
        let mut last = last_sent.lock().unwrap_or_else(|e| e.into_inner());
        let stage_changed = last.as_ref().is_none_or(|(_, s)| *s != p.stage);
        let due = last
            .as_ref()
            .is_none_or(|(t, _)| now.duration_since(*t) >= MIN_EVENT_GAP);
        if stage_changed || due || p.done >= p.total {
            *last = Some((now, p.stage.clone()));
            if let Err(e) = app.emit(PROGRESS_EVENT, JobProgress::new(&job_id, p)) {
                tracing::warn!(error = %e, "could not send a progress event");
            }
        }
    });
    let registration = state.jobs.register(&id, job.cancel_token())?;
    let outcome = tauri::async_runtime::spawn_blocking(move || {
        let _registration = registration;
        work(&office, &job)
    })
    .await
    .map_err(|e| IpcError::new("job_panicked", e.to_string()))?;
    outcome.map_err(|e| IpcError::from_core(&e, lang))
}
