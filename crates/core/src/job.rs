//! Long work (import, ingest, reconcile, verify) reports progress and can be
//! cancelled. A [`Job`] carries both; fronts decide how to show progress.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

/// One progress report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    /// `import`, `ingest`, `reconcile` or `verify`.
    pub stage: String,
    /// Items (files, dossiers) done and in all.
    pub done: u64,
    pub total: u64,
    /// The item being worked on, e.g. a file name.
    pub item: Option<String>,
    /// Pages analysed so far in this job.
    pub pages: u64,
}

/// Cancels a job from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

type ProgressFn = dyn Fn(&Progress) + Send + Sync;

pub struct Job {
    cancel: CancelToken,
    progress: Box<ProgressFn>,
}

impl Job {
    pub fn new(progress: impl Fn(&Progress) + Send + Sync + 'static) -> Job {
        Job {
            cancel: CancelToken::default(),
            progress: Box::new(progress),
        }
    }

    /// A job nobody watches.
    pub fn quiet() -> Job {
        Job::new(|_| {})
    }

    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn report(&self, p: &Progress) {
        (self.progress)(p)
    }
}
