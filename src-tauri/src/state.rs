//! What the commands share: the opened office (or why it could not be
//! opened), the language for messages, and the jobs now running.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use doisoat_core::{Lang, Office};

use crate::error::IpcError;
use crate::jobs::RunningJobs;

pub struct AppState {
    office: Result<Arc<Office>, IpcError>,
    /// The data folder in use, shown in the footer.
    pub data_dir: Option<PathBuf>,
    /// Where `load_demo` finds the demo set; the bundled copy replaces the
    /// default once the app knows its resource folder.
    fixtures_dir: Mutex<PathBuf>,
    lang: Mutex<Lang>,
    pub jobs: Arc<RunningJobs>,
    /// `--demo` was given and the page has not been told yet.
    demo_request: AtomicBool,
    /// When the app started, for the start-up figure.
    pub started: Instant,
    /// The background fixity check's last round and its timer.
    pub fixity: crate::upkeep::FixityWorker,
}

impl AppState {
    pub fn new(
        office: Result<Arc<Office>, IpcError>,
        data_dir: Option<PathBuf>,
        fixtures_dir: PathBuf,
    ) -> AppState {
        AppState::started_at(office, data_dir, fixtures_dir, Instant::now())
    }

    pub fn started_at(
        office: Result<Arc<Office>, IpcError>,
        data_dir: Option<PathBuf>,
        fixtures_dir: PathBuf,
        started: Instant,
    ) -> AppState {
        AppState {
            office,
            data_dir,
            fixtures_dir: Mutex::new(fixtures_dir),
            lang: Mutex::new(Lang::Vi),
            jobs: Arc::default(),
            demo_request: AtomicBool::new(false),
            started,
            fixity: Default::default(),
        }
    }

    pub fn fixtures_dir(&self) -> PathBuf {
        self.fixtures_dir
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_fixtures_dir(&self, dir: PathBuf) {
        *self.fixtures_dir.lock().unwrap_or_else(|e| e.into_inner()) = dir;
    }

    /// Remembers that `--demo` was given.
    pub fn request_demo(&self) {
        self.demo_request.store(true, Ordering::SeqCst);
    }

    /// Whether the demo was requested; true only the first time it is asked,
    /// so reloading the page does not load the demo again.
    pub fn take_demo_request(&self) -> bool {
        self.demo_request.swap(false, Ordering::SeqCst)
    }

    /// The office, or the error that kept it from opening.
    pub fn office(&self) -> Result<Arc<Office>, IpcError> {
        self.office.clone()
    }

    pub fn lang(&self) -> Lang {
        *self.lang.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_lang(&self, lang: Lang) {
        *self.lang.lock().unwrap_or_else(|e| e.into_inner()) = lang;
    }
}
