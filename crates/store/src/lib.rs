//! The content-addressed store: every file is kept once, under its SHA-256,
//! read-only, at `objects/<first two hex digits>/<the other 62>`.
//!
//! Writing is crash-safe: bytes are streamed into `tmp/` while they are
//! hashed, fsynced, then renamed into place, and the directory is fsynced.
//! A crash leaves at most a stray file in `tmp/`, which [`Store::open`]
//! removes. An object is never rewritten in place.

use std::fs::{self, File, Permissions};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use doisoat_hashing::{copy_hashing, hash_file, Sha256Digest};
use tempfile::{NamedTempFile, TempPath};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write to the store at {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// What the store holds at a digest, as found by [`Store::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectState {
    Intact,
    Missing,
    /// The bytes no longer hash to their name.
    Changed {
        actual: Sha256Digest,
    },
}

pub struct Store {
    root: PathBuf,
}

/// A file copied into `tmp/` and hashed, not yet in the store. Dropping it
/// removes the temporary copy.
pub struct Staged {
    tmp: TempPath,
    pub digest: Sha256Digest,
    pub size: u64,
}

impl Staged {
    /// The temporary copy, for reading (e.g. page analysis) before commit.
    pub fn path(&self) -> &Path {
        &self.tmp
    }
}

/// Where a committed object ended up.
#[derive(Debug, Clone)]
pub struct Stored {
    pub digest: Sha256Digest,
    pub size: u64,
    pub path: PathBuf,
    /// The store already held these bytes.
    pub already_present: bool,
}

impl Store {
    /// Opens (creating if needed) a store under `root` and removes temporary
    /// files left by an interrupted write.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        let store = Store {
            root: root.to_path_buf(),
        };
        for dir in [store.objects_dir(), store.tmp_dir()] {
            fs::create_dir_all(&dir).map_err(|source| StoreError::Write {
                path: dir.clone(),
                source,
            })?;
        }
        if let Ok(entries) = fs::read_dir(store.tmp_dir()) {
            for e in entries.flatten() {
                tracing::warn!(file = %e.path().display(), "removing a partial write left by an interrupted ingest");
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn objects_dir(&self) -> PathBuf {
        self.root.join("objects")
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the object with `digest` lives (whether or not it exists).
    pub fn path_of(&self, digest: &Sha256Digest) -> PathBuf {
        let hex = digest.to_hex();
        self.objects_dir().join(&hex[..2]).join(&hex[2..])
    }

    pub fn contains(&self, digest: &Sha256Digest) -> bool {
        self.path_of(digest).is_file()
    }

    /// Streams `src` into a temporary file while hashing it, and fsyncs it.
    pub fn stage(&self, src: &Path) -> Result<Staged, StoreError> {
        let read_err = |source| StoreError::Read {
            path: src.to_path_buf(),
            source,
        };
        let write_err = |source| StoreError::Write {
            path: self.tmp_dir(),
            source,
        };
        let input = File::open(src).map_err(read_err)?;
        if input.metadata().map_err(read_err)?.is_dir() {
            return Err(read_err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a folder, not a file",
            )));
        }
        let mut tmp = NamedTempFile::new_in(self.tmp_dir()).map_err(write_err)?;
        let (digest, size) = {
            let mut reader = BufReader::with_capacity(doisoat_hashing::CHUNK, input);
            let mut out = tmp.as_file();
            copy_hashing(&mut reader, &mut out).map_err(|e| {
                // Tell apart a failing source from a failing store disk.
                if e.kind() == io::ErrorKind::WriteZero || e.raw_os_error() == Some(28) {
                    write_err(e)
                } else {
                    read_err(e)
                }
            })?
        };
        tmp.as_file_mut().sync_all().map_err(write_err)?;
        Ok(Staged {
            tmp: tmp.into_temp_path(),
            digest,
            size,
        })
    }

    /// Moves a staged file into place, read-only. If the store already holds
    /// intact bytes for this digest, the staged copy is simply dropped.
    pub fn commit(&self, staged: Staged) -> Result<Stored, StoreError> {
        let dest = self.path_of(&staged.digest);
        let write_err = |source| StoreError::Write {
            path: dest.clone(),
            source,
        };
        if let Ok(meta) = fs::metadata(&dest) {
            if meta.len() == staged.size {
                return Ok(Stored {
                    digest: staged.digest,
                    size: staged.size,
                    path: dest,
                    already_present: true,
                });
            }
            tracing::warn!(object = %staged.digest, "replacing a damaged store object with fresh bytes");
        }
        let dir = dest.parent().expect("object paths have a parent");
        fs::create_dir_all(dir).map_err(write_err)?;
        set_read_only(&staged.tmp).map_err(write_err)?;
        let Staged { tmp, digest, size } = staged;
        tmp.persist(&dest).map_err(|e| write_err(e.error))?;
        sync_dir(dir).map_err(write_err)?;
        Ok(Stored {
            digest,
            size,
            path: dest,
            already_present: false,
        })
    }

    /// Stage and commit in one step.
    pub fn put(&self, src: &Path) -> Result<Stored, StoreError> {
        self.commit(self.stage(src)?)
    }

    /// Re-hashes one object.
    pub fn check(&self, digest: &Sha256Digest) -> Result<ObjectState, StoreError> {
        let path = self.path_of(digest);
        match hash_file(&path) {
            Ok((actual, _)) if actual == *digest => Ok(ObjectState::Intact),
            Ok((actual, _)) => Ok(ObjectState::Changed { actual }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ObjectState::Missing),
            Err(source) => Err(StoreError::Read { path, source }),
        }
    }

    /// Every object the store holds, by the name it is stored under.
    pub fn list(&self) -> Result<Vec<Sha256Digest>, StoreError> {
        let mut out = Vec::new();
        let objects = self.objects_dir();
        let read_err = |source| StoreError::Read {
            path: objects.clone(),
            source,
        };
        for prefix in fs::read_dir(&objects).map_err(read_err)? {
            let prefix = prefix.map_err(read_err)?;
            let p = prefix.file_name().to_string_lossy().to_string();
            let Ok(entries) = fs::read_dir(prefix.path()) else {
                continue;
            };
            for e in entries.flatten() {
                let name = format!("{p}{}", e.file_name().to_string_lossy());
                if let Ok(d) = name.parse() {
                    out.push(d);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(unix)]
fn set_read_only(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, Permissions::from_mode(0o444))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path) -> io::Result<()> {
    let mut p = fs::metadata(path)?.permissions();
    p.set_readonly(true);
    fs::set_permissions(path, p)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_read_only_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store")).unwrap();
        let src = dir.path().join("a.bin");
        fs::write(&src, b"hello doisoat").unwrap();

        let first = store.put(&src).unwrap();
        assert!(!first.already_present);
        assert_eq!(fs::read(&first.path).unwrap(), b"hello doisoat");
        assert!(fs::metadata(&first.path).unwrap().permissions().readonly());
        let again = store.put(&src).unwrap();
        assert!(again.already_present);
        assert_eq!(store.list().unwrap(), vec![first.digest]);
        assert_eq!(
            fs::read_dir(dir.path().join("store/tmp")).unwrap().count(),
            0
        );
        assert_eq!(store.check(&first.digest).unwrap(), ObjectState::Intact);

        // Tamper with the object: verification must notice.
        let mut p = fs::metadata(&first.path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        fs::set_permissions(&first.path, p).unwrap();
        fs::write(&first.path, b"hello doisoaT").unwrap();
        assert!(matches!(
            store.check(&first.digest).unwrap(),
            ObjectState::Changed { .. }
        ));
        fs::remove_file(&first.path).unwrap();
        assert_eq!(store.check(&first.digest).unwrap(), ObjectState::Missing);
    }

    #[test]
    fn dropped_stage_leaves_nothing_and_open_cleans_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let store = Store::open(&root).unwrap();
        let src = dir.path().join("a.bin");
        fs::write(&src, vec![7u8; 3 << 20]).unwrap();
        let staged = store.stage(&src).unwrap();
        assert_eq!(staged.size, 3 << 20);
        drop(staged);
        assert_eq!(fs::read_dir(root.join("tmp")).unwrap().count(), 0);
        assert!(store.list().unwrap().is_empty());

        fs::write(root.join("tmp/.tmpleftover"), b"partial").unwrap();
        Store::open(&root).unwrap();
        assert_eq!(fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn unreadable_source_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let e = store.put(&dir.path().join("nope.pdf")).err().unwrap();
        assert!(matches!(e, StoreError::Read { .. }));
        let e = store.put(dir.path()).err().unwrap();
        assert!(matches!(e, StoreError::Read { .. }));
    }
}
