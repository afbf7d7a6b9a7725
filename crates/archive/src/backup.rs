//! Backup and restore of a data folder (`doisoat.sqlite` + `store/`).
//!
//! A backup copies the database through SQLite's online backup API, so the
//! app may keep running and writing, then copies every store object while
//! re-hashing it (objects are immutable, so the copy needs no lock). It
//! writes `backup.json` with the database file's SHA-256, a digest of the
//! database's *content* (every row of every table), and the object count.
//!
//! A restore goes only into an empty folder. It checks the backup against
//! `backup.json` before copying, copies, then proves the result the same:
//! the restored database has the recorded file hash and content digest and
//! passes `PRAGMA integrity_check`, and every object hashes to its name.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{types::ValueRef, Connection, OpenFlags};
use sha2::{Digest, Sha256};

pub const DB_FILE: &str = "doisoat.sqlite";
pub const STORE_DIR: &str = "store";
pub const MANIFEST: &str = "backup.json";
const FORMAT: &str = "doisoat-backup/1";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{} is not empty; choose an empty or new folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("{} is not a doisoat backup: {reason}", path.display())]
    NotABackup { path: PathBuf, reason: String },
    #[error("the backup is damaged: {0}")]
    Damaged(String),
}

impl BackupError {
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::Io { .. } => "backup_io",
            BackupError::Sqlite(_) => "database",
            BackupError::NotEmpty(_) => "folder_not_empty",
            BackupError::NotABackup { .. } => "not_a_backup",
            BackupError::Damaged(_) => "backup_damaged",
        }
    }
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The content of `backup.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupSummary {
    pub format: String,
    pub created_at: String,
    pub db_sha256: String,
    pub db_content_sha256: String,
    pub objects: u64,
    pub object_bytes: u64,
    /// Objects found damaged in the source and therefore left out.
    pub damaged: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestoreSummary {
    pub objects: u64,
    pub object_bytes: u64,
    pub db_content_sha256: String,
    /// The restored folder matches the backup: same database file, same
    /// content, integrity check clean, every object intact.
    pub identical: bool,
}

fn ensure_empty(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries = fs::read_dir(dir).map_err(io_err(dir))?;
        if entries.next().is_some() {
            return Err(BackupError::NotEmpty(dir.to_path_buf()));
        }
    }
    fs::create_dir_all(dir).map_err(io_err(dir))
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let f = File::open(path).map_err(io_err(path))?;
    copy_hashing(f, None).map_err(io_err(path))
}

/// The hex SHA-256 and length of everything `r` yields, copied into `out`.
fn copy_hashing(mut r: impl Read, out: Option<&mut dyn Write>) -> io::Result<(String, u64)> {
    let (digest, n) = match out {
        Some(w) => doisoat_hashing::copy_hashing(&mut r, w)?,
        None => doisoat_hashing::copy_hashing(&mut r, &mut io::sink())?,
    };
    Ok((digest.to_hex(), n))
}

/// A digest of every row of every table (by name, rows in full column
/// order), so two databases with the same content give the same digest
/// whatever their page layout.
pub fn content_digest(conn: &Connection) -> Result<String> {
    let mut h = Sha256::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in tables {
        let quoted = format!("\"{}\"", t.replace('"', "\"\""));
        let cols = conn
            .prepare(&format!("SELECT * FROM {quoted} LIMIT 0"))?
            .column_count();
        let order: Vec<String> = (1..=cols).map(|i| i.to_string()).collect();
        let sql = if cols == 0 {
            format!("SELECT * FROM {quoted}")
        } else {
            format!("SELECT * FROM {quoted} ORDER BY {}", order.join(", "))
        };
        h.update(b"T");
        h.update((t.len() as u64).to_be_bytes());
        h.update(t.as_bytes());
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            h.update(b"R");
            for i in 0..cols {
                match row.get_ref(i)? {
                    ValueRef::Null => h.update(b"n"),
                    ValueRef::Integer(v) => {
                        h.update(b"i");
                        h.update(v.to_be_bytes());
                    }
                    ValueRef::Real(v) => {
                        h.update(b"r");
                        h.update(v.to_bits().to_be_bytes());
                    }
                    ValueRef::Text(b) | ValueRef::Blob(b) => {
                        h.update(b"b");
                        h.update((b.len() as u64).to_be_bytes());
                        h.update(b);
                    }
                }
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// Backs up the data folder `data` into the empty (or new) folder `dest`
/// while the app may be running. `now` is recorded in `backup.json`.
pub fn backup(data: &Path, dest: &Path, now: &str) -> Result<BackupSummary> {
    let src_db = data.join(DB_FILE);
    if !src_db.is_file() {
        return Err(BackupError::NotABackup {
            path: data.to_path_buf(),
            reason: "no doisoat.sqlite here".into(),
        });
    }
    ensure_empty(dest)?;
    let dest_db = dest.join(DB_FILE);
    {
        let src = Connection::open_with_flags(&src_db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        src.busy_timeout(Duration::from_secs(10))?;
        let mut dst = Connection::open(&dest_db)?;
        let b = rusqlite::backup::Backup::new(&src, &mut dst)?;
        // Small steps with pauses: writers are never blocked for long.
        b.run_to_completion(512, Duration::from_millis(2), None)?;
        drop(b);
        // A standalone file: no WAL beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let db_content_sha256 = content_digest(&Connection::open_with_flags(
        &dest_db,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?)?;
    let (db_sha256, _) = sha256_file(&dest_db)?;

    let (objects, object_bytes, damaged) = copy_objects(
        &data.join(STORE_DIR).join("objects"),
        &dest.join(STORE_DIR).join("objects"),
    )?;
    let summary = BackupSummary {
        format: FORMAT.into(),
        created_at: now.to_string(),
        db_sha256,
        db_content_sha256,
        objects,
        object_bytes,
        damaged,
    };
    let manifest = dest.join(MANIFEST);
    let json =
        serde_json::to_vec_pretty(&summary).map_err(|e| io_err(&manifest)(io::Error::other(e)))?;
    fs::write(&manifest, json).map_err(io_err(&manifest))?;
    Ok(summary)
}

/// Copies `objects/xx/yyyy` files, re-hashing each; damaged ones (bytes no
/// longer matching the name) are left out and listed.
fn copy_objects(from: &Path, to: &Path) -> Result<(u64, u64, Vec<String>)> {
    let mut count = 0;
    let mut bytes = 0;
    let mut damaged = Vec::new();
    if !from.is_dir() {
        return Ok((0, 0, damaged));
    }
    let mut prefixes: Vec<_> = fs::read_dir(from)
        .map_err(io_err(from))?
        .flatten()
        .collect();
    prefixes.sort_by_key(|e| e.file_name());
    for p in prefixes {
        let prefix = p.file_name().to_string_lossy().into_owned();
        let mut names: Vec<_> = fs::read_dir(p.path())
            .map_err(io_err(&p.path()))?
            .flatten()
            .collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            let src = e.path();
            let dir = to.join(&prefix);
            fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            let target = dir.join(e.file_name());
            let input = BufReader::with_capacity(1 << 20, File::open(&src).map_err(io_err(&src))?);
            let out = File::create(&target).map_err(io_err(&target))?;
            let mut w = BufWriter::with_capacity(1 << 20, out);
            let (sum, n) = copy_hashing(input, Some(&mut w)).map_err(io_err(&src))?;
            w.flush().map_err(io_err(&target))?;
            drop(w);
            if sum != name {
                tracing::warn!(object = %name, "damaged object left out of the backup");
                fs::remove_file(&target).map_err(io_err(&target))?;
                damaged.push(name);
                continue;
            }
            set_read_only(&target).map_err(io_err(&target))?;
            count += 1;
            bytes += n;
        }
    }
    Ok((count, bytes, damaged))
}

#[cfg(unix)]
fn set_read_only(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o444))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path) -> io::Result<()> {
    let mut p = fs::metadata(path)?.permissions();
    p.set_readonly(true);
    fs::set_permissions(path, p)
}

fn read_manifest(backup_dir: &Path) -> Result<BackupSummary> {
    let p = backup_dir.join(MANIFEST);
    let bytes = fs::read(&p).map_err(|_| BackupError::NotABackup {
        path: backup_dir.to_path_buf(),
        reason: format!("{MANIFEST} is missing"),
    })?;
    let s: BackupSummary = serde_json::from_slice(&bytes).map_err(|e| BackupError::NotABackup {
        path: backup_dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    if s.format != FORMAT {
        return Err(BackupError::NotABackup {
            path: backup_dir.to_path_buf(),
            reason: format!("format {}", s.format),
        });
    }
    Ok(s)
}

/// Restores the backup in `backup_dir` into the empty (or new) folder
/// `dest`, and proves the result is the same as the backup.
pub fn restore(backup_dir: &Path, dest: &Path) -> Result<RestoreSummary> {
    let manifest = read_manifest(backup_dir)?;
    // Check before copying: the database file must be the one recorded.
    let (db_sha, _) = sha256_file(&backup_dir.join(DB_FILE))?;
    if db_sha != manifest.db_sha256 {
        return Err(BackupError::Damaged(format!(
            "{DB_FILE} does not match {MANIFEST}"
        )));
    }
    ensure_empty(dest)?;
    let dest_db = dest.join(DB_FILE);
    let src_db = backup_dir.join(DB_FILE);
    let (copied_sha, _) = {
        let mut w = BufWriter::new(File::create(&dest_db).map_err(io_err(&dest_db))?);
        let r = copy_hashing(File::open(&src_db).map_err(io_err(&src_db))?, Some(&mut w))
            .map_err(io_err(&src_db))?;
        w.flush().map_err(io_err(&dest_db))?;
        w.into_inner()
            .map_err(|e| io_err(&dest_db)(e.into_error()))?
            .sync_all()
            .map_err(io_err(&dest_db))?;
        r
    };
    let (objects, object_bytes, damaged) = copy_objects(
        &backup_dir.join(STORE_DIR).join("objects"),
        &dest.join(STORE_DIR).join("objects"),
    )?;
    fs::create_dir_all(dest.join(STORE_DIR).join("tmp")).map_err(io_err(dest))?;
    if !damaged.is_empty() {
        return Err(BackupError::Damaged(format!(
            "{} objects no longer match their names: {}",
            damaged.len(),
            damaged.join(", ")
        )));
    }
    // Prove it: same file, same content, healthy, every recorded file present.
    let conn = Connection::open_with_flags(&dest_db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let content = content_digest(&conn)?;
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let recorded: Vec<String> = conn
        .prepare("SELECT sha256 FROM files")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let absent = recorded
        .iter()
        .filter(|s| {
            s.len() == 64
                && !dest
                    .join(STORE_DIR)
                    .join("objects")
                    .join(&s[..2])
                    .join(&s[2..])
                    .is_file()
        })
        .count();
    let identical = copied_sha == manifest.db_sha256
        && content == manifest.db_content_sha256
        && integrity == ["ok"]
        && objects == manifest.objects
        && object_bytes == manifest.object_bytes
        && absent == 0;
    Ok(RestoreSummary {
        objects,
        object_bytes,
        db_content_sha256: content,
        identical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(store: &Path, bytes: &[u8]) -> String {
        let sum = hex::encode(Sha256::digest(bytes));
        let dir = store.join("objects").join(&sum[..2]);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(&sum[2..]), bytes).unwrap();
        sum
    }

    #[test]
    fn backup_while_open_then_restore_is_identical() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(&data).unwrap();
        let live = Connection::open(data.join(DB_FILE)).unwrap();
        live.pragma_update(None, "journal_mode", "WAL").unwrap();
        live.execute_batch(
            "CREATE TABLE files (sha256 TEXT PRIMARY KEY, size INTEGER); CREATE TABLE t (x) ;",
        )
        .unwrap();
        let a = object(&data.join(STORE_DIR), b"one");
        object(&data.join(STORE_DIR), b"two");
        live.execute("INSERT INTO files VALUES (?1, 3)", [&a])
            .unwrap();
        live.execute("INSERT INTO t VALUES (x'00ff'), (1.5), (NULL)", [])
            .unwrap();

        let b = tmp.path().join("backup");
        let s = backup(&data, &b, "2026-11-27T10:00:00Z").unwrap();
        assert_eq!((s.objects, s.object_bytes), (2, 6));
        assert_eq!(s.db_content_sha256, content_digest(&live).unwrap());
        assert!(matches!(
            backup(&data, &b, "x"),
            Err(BackupError::NotEmpty(_))
        ));

        let r = tmp.path().join("restored");
        let rs = restore(&b, &r).unwrap();
        assert!(rs.identical);
        assert_eq!(rs.db_content_sha256, content_digest(&live).unwrap());
        assert!(matches!(restore(&b, &r), Err(BackupError::NotEmpty(_))));

        // A changed row changes the digest.
        live.execute("UPDATE t SET x = 2 WHERE x = 1.5", [])
            .unwrap();
        assert_ne!(s.db_content_sha256, content_digest(&live).unwrap());
    }

    #[test]
    fn damaged_backup_is_refused_before_copying() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(&data).unwrap();
        Connection::open(data.join(DB_FILE))
            .unwrap()
            .execute_batch("CREATE TABLE files (sha256 TEXT)")
            .unwrap();
        let b = tmp.path().join("b");
        backup(&data, &b, "now").unwrap();
        let db = b.join(DB_FILE);
        let mut bytes = fs::read(&db).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&db, bytes).unwrap();
        let r = tmp.path().join("r");
        assert!(matches!(restore(&b, &r), Err(BackupError::Damaged(_))));
        assert!(!r.exists());
    }
}
