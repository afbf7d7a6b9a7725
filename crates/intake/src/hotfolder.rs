//! The hot folder: a folder where an office copier's "scan to folder"
//! saves, watched with `notify` (inotify on Linux).
//!
//! A file is *complete* when it is closed after writing (inotify
//! CLOSE_WRITE) or renamed to its final name, and nothing has happened to
//! it for the debounce interval since. Files found by scanning (those
//! present at start-up, and those inside a newly created subfolder, which
//! inotify misses when they are created at once) are complete when their
//! size and modification time stay the same across the debounce interval.
//! A new subfolder is listed again once the debounce interval after it
//! appeared: a file created in it between the first listing and the moment
//! inotify watches it gives no event at all. Temporary names (`.x`, `~x`,
//! `x.tmp`, `x.part`, …) are never taken.
//!
//! This module only says which files are ready. Ingesting each exactly once
//! (a persistent ledger keyed by path, size and modification time, and the
//! store's content hash) is the caller's job: see `doisoat-core`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, UNIX_EPOCH};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::IntakeError;

/// A file as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
}

impl FileKey {
    pub fn of(path: &Path) -> Option<FileKey> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        Some(FileKey {
            path: path.to_path_buf(),
            size: meta.len(),
            mtime_ns,
        })
    }
}

/// Whether a file name is a temporary one that a writer will rename later.
pub fn is_temporary(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().to_lowercase()) else {
        return true;
    };
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || [
            ".tmp",
            ".part",
            ".partial",
            ".crdownload",
            ".download",
            ".swp",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

#[derive(Debug)]
struct Pending {
    last_event: Instant,
    /// Closed after writing or renamed into place.
    signalled: bool,
    /// Found by a scan: complete once stable for the debounce interval.
    seen: Option<FileKey>,
}

/// A watched folder.
pub struct HotFolder {
    dir: PathBuf,
    debounce: Duration,
    rx: Receiver<notify::Result<Event>>,
    _watcher: RecommendedWatcher,
    pending: HashMap<PathBuf, Pending>,
    /// Subfolders that appeared since the last look, and when: listed again
    /// once the debounce interval has passed.
    fresh: Vec<(PathBuf, Instant)>,
    /// Files taken while a fresh subfolder waits for its second listing, so
    /// that listing does not hand them out again.
    taken: HashMap<PathBuf, FileKey>,
}

impl HotFolder {
    /// Starts watching `dir` (and its subfolders), then lists what is already
    /// there, so files that arrived while nothing watched are taken too.
    pub fn watch(dir: &Path, debounce: Duration) -> Result<HotFolder, IntakeError> {
        let meta = std::fs::metadata(dir).map_err(|source| IntakeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(IntakeError::Invalid(format!(
                "{} is not a folder",
                dir.display()
            )));
        }
        let (tx, rx) = channel();
        let mut watcher = notify::recommended_watcher(move |ev| {
            // The receiver only goes away when the HotFolder is dropped.
            let _ = tx.send(ev);
        })
        .map_err(|e| IntakeError::Watch(e.to_string()))?;
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| IntakeError::Watch(format!("{}: {e}", dir.display())))?;
        let mut hf = HotFolder {
            dir: dir.to_path_buf(),
            debounce,
            rx,
            _watcher: watcher,
            pending: HashMap::new(),
            fresh: Vec::new(),
            taken: HashMap::new(),
        };
        hf.scan(dir);
        Ok(hf)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Files not yet ready.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// A subfolder that just appeared: listed now and again later.
    fn new_folder(&mut self, dir: &Path) {
        self.scan(dir);
        self.fresh.push((dir.to_path_buf(), Instant::now()));
    }

    /// Lists again the subfolders that appeared at least the debounce
    /// interval ago; what the first listing and the events missed is taken
    /// from there. Files already taken are left alone.
    fn relist_fresh(&mut self) {
        let now = Instant::now();
        let (due, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut self.fresh)
            .into_iter()
            .partition(|(_, at)| now.duration_since(*at) >= self.debounce);
        self.fresh = wait;
        for (dir, _) in due {
            self.scan(&dir);
        }
        if self.taken.is_empty() {
            return;
        }
        let taken = std::mem::take(&mut self.taken);
        self.pending.retain(|path, _| {
            taken
                .get(path)
                .is_none_or(|k| Some(k) != FileKey::of(path).as_ref())
        });
        if !self.fresh.is_empty() {
            self.taken = taken;
        }
    }

    /// Lists the files under `dir` as pending, to be taken once stable.
    fn scan(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => self.scan(&path),
                Ok(t) if t.is_file() && !is_temporary(&path) => {
                    let seen = FileKey::of(&path);
                    self.pending.entry(path).or_insert(Pending {
                        last_event: Instant::now(),
                        signalled: false,
                        seen,
                    });
                }
                _ => {}
            }
        }
    }

    fn touch(&mut self, path: &Path, signalled: bool) {
        if is_temporary(path) {
            return;
        }
        let p = self.pending.entry(path.to_path_buf()).or_insert(Pending {
            last_event: Instant::now(),
            signalled: false,
            seen: None,
        });
        p.last_event = Instant::now();
        p.signalled |= signalled;
        if !signalled {
            // Written again: a scan's stability check starts over.
            p.seen = FileKey::of(path);
        }
    }

    fn on_event(&mut self, ev: Event) {
        match ev.kind {
            EventKind::Create(CreateKind::Folder) => {
                for p in &ev.paths {
                    self.new_folder(p);
                }
            }
            EventKind::Create(_) => {
                for p in &ev.paths {
                    if p.is_dir() {
                        self.new_folder(p);
                    } else {
                        self.touch(p, false);
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                for p in &ev.paths {
                    if p.is_dir() {
                        self.new_folder(p);
                    } else {
                        self.touch(p, true);
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                if let [from, to] = ev.paths.as_slice() {
                    self.pending.remove(from);
                    if to.is_dir() {
                        self.new_folder(to);
                    } else {
                        self.touch(to, true);
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
                for p in &ev.paths {
                    self.pending.remove(p);
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in &ev.paths {
                    self.touch(p, true);
                }
            }
            EventKind::Modify(_) => {
                for p in &ev.paths {
                    if p.is_file() {
                        self.touch(p, false);
                    }
                }
            }
            _ => {}
        }
    }

    /// Waits up to `wait` for events, then returns the files that became
    /// complete, oldest first.
    pub fn ready(&mut self, wait: Duration) -> Result<Vec<FileKey>, IntakeError> {
        let until = Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(Ok(ev)) => self.on_event(ev),
                Ok(Err(e)) => {
                    // An overflowed event queue: fall back to a full scan.
                    tracing::warn!(error = %e, "watch error; rescanning the folder");
                    let dir = self.dir.clone();
                    self.scan(&dir);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(IntakeError::Watch("the watcher stopped".into()))
                }
            }
            if Instant::now() >= until {
                break;
            }
        }
        self.relist_fresh();
        Ok(self.take_complete())
    }

    fn take_complete(&mut self) -> Vec<FileKey> {
        let now = Instant::now();
        let mut done = Vec::new();
        let mut gone = Vec::new();
        for (path, p) in self.pending.iter_mut() {
            if now.duration_since(p.last_event) < self.debounce {
                continue;
            }
            let Some(key) = FileKey::of(path) else {
                gone.push(path.clone());
                continue;
            };
            if p.signalled || p.seen.as_ref() == Some(&key) {
                done.push((p.last_event, key));
            } else {
                // Not signalled and changed since last look: look again later.
                p.seen = Some(key);
                p.last_event = now;
            }
        }
        for g in gone {
            self.pending.remove(&g);
        }
        done.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.path.cmp(&b.1.path)));
        for (_, k) in &done {
            self.pending.remove(&k.path);
            if !self.fresh.is_empty() {
                self.taken.insert(k.path.clone(), k.clone());
            }
        }
        done.into_iter().map(|(_, k)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(hf: &mut HotFolder, want: usize, max: Duration) -> Vec<FileKey> {
        let start = Instant::now();
        let mut got = Vec::new();
        while got.len() < want && start.elapsed() < max {
            got.extend(hf.ready(Duration::from_millis(100)).unwrap());
        }
        got
    }

    #[test]
    fn complete_files_only_once_each() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("before.pdf"), b"already here").unwrap();
        let mut hf = HotFolder::watch(dir.path(), Duration::from_millis(300)).unwrap();
        // Written slowly, in chunks, kept open between them.
        let slow = dir.path().join("slow.pdf");
        let mut f = std::fs::File::create(&slow).unwrap();
        let mut got = Vec::new();
        for _ in 0..5 {
            f.write_all(&[7u8; 4096]).unwrap();
            f.flush().unwrap();
            let now = hf.ready(Duration::from_millis(120)).unwrap();
            assert!(now.iter().all(|k| k.path != slow), "taken while still open");
            got.extend(now);
        }
        drop(f);
        // Renamed into place from a temporary name.
        std::fs::write(dir.path().join("copier.tmp"), b"abc").unwrap();
        std::fs::rename(dir.path().join("copier.tmp"), dir.path().join("copier.jpg")).unwrap();
        // Created at once inside a new subfolder.
        std::fs::create_dir_all(dir.path().join("sub/deeper")).unwrap();
        std::fs::write(dir.path().join("sub/deeper/inner.png"), b"png").unwrap();
        let want = 4 - got.len();
        got.extend(collect(&mut hf, want, Duration::from_secs(5)));
        let mut names: Vec<_> = got
            .iter()
            .map(|k| {
                k.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                "before.pdf",
                "copier.jpg",
                "slow.pdf",
                "sub/deeper/inner.png"
            ]
        );
        let slow_key = got.iter().find(|k| k.path == slow).unwrap();
        assert_eq!(slow_key.size, 5 * 4096);
        assert!(collect(&mut hf, 1, Duration::from_millis(600)).is_empty());
    }

    #[test]
    fn a_new_folder_is_listed_again_for_what_no_event_announced() {
        // A folder outside the watch stands for a new subfolder whose file
        // arrived after its first listing but before inotify watched it:
        // no event will ever come for that file.
        let watched = tempfile::tempdir().unwrap();
        let quiet = tempfile::tempdir().unwrap();
        let mut hf = HotFolder::watch(watched.path(), Duration::from_millis(300)).unwrap();
        std::fs::write(quiet.path().join("early.pdf"), b"early").unwrap();
        hf.new_folder(quiet.path());
        std::fs::write(quiet.path().join("late.pdf"), b"late").unwrap();
        let got = collect(&mut hf, 2, Duration::from_secs(3));
        let mut names: Vec<_> = got
            .iter()
            .map(|k| k.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["early.pdf", "late.pdf"]);
        // Each handed out once: the second listing found "early.pdf" again.
        assert!(collect(&mut hf, 1, Duration::from_millis(800)).is_empty());
        assert_eq!(hf.pending(), 0);
    }

    #[test]
    fn temporary_names_are_left_alone() {
        for n in [".~lock.x#", "scan.tmp", "a.part", "~$doc.pdf", "x.pdf~"] {
            assert!(is_temporary(Path::new(n)), "{n}");
        }
        assert!(!is_temporary(Path::new("000.00.38.H38-221125-0001.pdf")));
    }
}
