//! BagIt bags (RFC 8493): writing them and validating them.
//!
//! A bag is written as a folder, a `.tar` or a `.zip` (the serialised forms
//! hold one top-level folder named after the bag). Payload paths are NFC.
//! Every payload file is hashed with SHA-256 and SHA-512 while it is copied,
//! except that a file whose SHA-512 the caller recorded earlier
//! ([`PayloadSource::Recorded`]) is copied by the kernel and only its copy's
//! SHA-256 is computed.
//!
//! Validation ([`validate`]) never trusts the bag. It works in two passes:
//! 1. a listing pass refuses unsafe paths (`..`, absolute), links and special
//!    files, checks `bagit.txt`, parses the manifests, checks that every
//!    payload file is in every manifest and every manifest line has a file,
//!    and compares the declared Payload-Oxum against the listed sizes, all
//!    before a single payload byte is hashed;
//! 2. a hashing pass checks every manifest and tag manifest. Serialised bags
//!    are extracted into a scratch folder during this pass, so the caller
//!    imports exactly the bytes that were checked.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use doisoat_hashing::many::{hash_streams, StreamError};
use doisoat_hashing::{copy_hashing_both, Digests, StreamHasher, CHUNK};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Tag files are read whole; a bag with bigger ones is refused.
const MAX_TAG_FILE: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BagError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("not a BagIt bag: {0}")]
    NotABag(String),
    #[error("unsafe path in the bag: {0}")]
    UnsafePath(String),
    #[error("the bag holds a link, which is not allowed: {0}")]
    Link(String),
    #[error("the bag holds something that is not a file or folder: {0}")]
    SpecialFile(String),
    #[error("{path} is in the payload but not in {manifest}")]
    NotInManifest { path: String, manifest: String },
    #[error("{path} is listed in {manifest} but absent from the bag")]
    MissingFile { path: String, manifest: String },
    #[error("{path} does not match its {algorithm} checksum")]
    WrongHash { path: String, algorithm: String },
    #[error("Payload-Oxum declares {declared} but the payload is {actual}")]
    Oxum { declared: String, actual: String },
    #[error("the archive is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("{} already exists and is not empty", .0.display())]
    Exists(PathBuf),
}

impl BagError {
    /// A stable, machine-readable name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            BagError::Io { .. } => "bag_io",
            BagError::NotABag(_) => "bag_not_a_bag",
            BagError::UnsafePath(_) => "bag_unsafe_path",
            BagError::Link(_) => "bag_link",
            BagError::SpecialFile(_) => "bag_special_file",
            BagError::NotInManifest { .. } => "bag_not_in_manifest",
            BagError::MissingFile { .. } => "bag_missing_file",
            BagError::WrongHash { .. } => "bag_wrong_hash",
            BagError::Oxum { .. } => "bag_oxum",
            BagError::Corrupt(_) => "bag_corrupt",
            BagError::Unsupported(_) => "bag_unsupported",
            BagError::Exists(_) => "bag_exists",
        }
    }
}

type Result<T, E = BagError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BagError + '_ {
    move |source| BagError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How a bag is laid down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BagFormat {
    Folder,
    Tar,
    Zip,
}

impl BagFormat {
    /// `.tar` and `.zip` by extension; anything else is a folder.
    pub fn from_path(p: &Path) -> BagFormat {
        match p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("tar") => BagFormat::Tar,
            Some("zip") => BagFormat::Zip,
            _ => BagFormat::Folder,
        }
    }
}

/// Where a payload file's bytes come from.
#[derive(Debug, Clone)]
pub enum PayloadSource {
    /// A file: copied, and hashed with SHA-256 and SHA-512 on the way.
    File(PathBuf),
    /// A file whose SHA-512 the caller recorded earlier from the same bytes
    /// (checked by their SHA-256). It is copied by the kernel
    /// (`copy_file_range`) and only its SHA-256 is computed, over the copy
    /// in the bag, so the caller can still prove the copy is the original.
    Recorded {
        path: PathBuf,
        sha512: String,
    },
    Bytes(Vec<u8>),
}

impl PayloadSource {
    /// The file the bytes come from, if any.
    fn path(&self) -> Option<&Path> {
        match self {
            PayloadSource::File(p) | PayloadSource::Recorded { path: p, .. } => Some(p),
            PayloadSource::Bytes(_) => None,
        }
    }
}

/// One payload file: its path under `data/` ('/'-separated) and its bytes.
#[derive(Debug, Clone)]
pub struct PayloadEntry {
    pub path: String,
    pub source: PayloadSource,
}

/// What was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WrittenBag {
    pub path: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub payload_oxum: String,
    /// The SHA-256 of each payload entry as written, in the order given.
    pub sha256s: Vec<String>,
    /// The SHA-512 of each payload entry as written, in the order given
    /// (for [`PayloadSource::Recorded`], the one given).
    pub sha512s: Vec<String>,
}

/// The checksums of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sums {
    sha256: String,
    sha512: String,
    size: u64,
}

impl From<Digests> for Sums {
    fn from(d: Digests) -> Self {
        Sums {
            sha256: d.sha256.to_hex(),
            sha512: d.sha512_hex(),
            size: d.size,
        }
    }
}

/// Both digests of bytes in memory (tag files).
fn sums_of(bytes: &[u8]) -> Sums {
    copy_hashing_both(&mut &bytes[..], &mut io::sink())
        .expect("hashing memory into a sink cannot fail")
        .into()
}

/// Copies (or, with `io::sink()`, only reads) every stream and hashes it:
/// see `doisoat_hashing::many`. `source` and `target` name the two ends of
/// stream `i` in errors.
fn hash_all<'a, R: Read + 'a, W: Write>(
    count: usize,
    size: impl Fn(usize) -> u64,
    open: impl Fn(usize) -> Result<(R, W)> + Sync,
    source: impl Fn(usize) -> PathBuf,
    target: impl Fn(usize) -> PathBuf,
) -> Result<Vec<Sums>> {
    hash_streams((0..count).collect(), |i| size(*i), open)
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            Ok(d) => Ok(Sums::from(d)),
            Err(StreamError::Open(e)) => Err(e),
            Err(StreamError::Read(e)) => Err(BagError::Io {
                path: source(i),
                source: e,
            }),
            Err(StreamError::Write(e)) => Err(BagError::Io {
                path: target(i),
                source: e,
            }),
        })
        .collect()
}

/// Percent-encodes what RFC 8493 §2.1.3 requires in manifest paths.
fn encode_manifest_path(p: &str) -> String {
    p.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

fn decode_manifest_path(p: &str) -> String {
    p.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

/// Checks a path from a bag (or for one) and returns it NFC-normalised,
/// '/'-separated, without `.` parts. Refuses `..`, absolute paths, drive
/// letters, backslashes and NULs.
pub fn safe_path(raw: &str) -> Result<String> {
    let bad = || BagError::UnsafePath(raw.to_string());
    if raw.is_empty() || raw.starts_with('/') || raw.contains('\\') || raw.contains('\0') {
        return Err(bad());
    }
    let b = raw.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err(bad());
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err(bad()),
            p => parts.push(p.nfc().collect::<String>()),
        }
    }
    if parts.is_empty() {
        return Err(bad());
    }
    Ok(parts.join("/"))
}

fn tag_file(name: &str, text: &str) -> (String, Vec<u8>) {
    (name.to_string(), text.as_bytes().to_vec())
}

/// Folds a bag-info value onto continuation lines (RFC 8493 §2.2.2) so that
/// no line is longer than `width` characters.
fn bag_info_text(info: &[(String, String)]) -> String {
    let mut out = String::new();
    for (label, value) in info {
        out.push_str(label);
        out.push_str(": ");
        // Values are kept on one line: readers (bagit.py among them) join
        // continuation lines with a space, which would alter JSON values.
        out.push_str(&value.replace(['\n', '\r'], " "));
        out.push('\n');
    }
    out
}

/// Writes a bag at `dest` (a new folder, `.tar` or `.zip` by `format`).
/// `info` goes into bag-info.txt after Bagging-Date-free fields the caller
/// chose; Payload-Oxum is computed here. Written to a temporary name first
/// and renamed, so a crash never leaves a half bag under the final name.
pub fn write_bag(
    dest: &Path,
    format: BagFormat,
    entries: &[PayloadEntry],
    info: &[(String, String)],
) -> Result<WrittenBag> {
    if dest.exists()
        && !(dest.is_dir() && fs::read_dir(dest).map_err(io_err(dest))?.next().is_none())
    {
        return Err(BagError::Exists(dest.to_path_buf()));
    }
    let mut seen = BTreeSet::new();
    let mut payload = Vec::with_capacity(entries.len());
    for e in entries {
        let rel = safe_path(&e.path)?;
        if !seen.insert(rel.clone()) {
            return Err(BagError::UnsafePath(format!(
                "{rel} (twice in the payload)"
            )));
        }
        payload.push((format!("data/{rel}"), &e.source));
    }
    let bag_name = dest
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.nfc().collect::<String>())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "bag".to_string());
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err(parent))?;

    match format {
        BagFormat::Folder => {
            let tmp = tempfile::Builder::new()
                .prefix(".bag-")
                .tempdir_in(parent)
                .map_err(io_err(parent))?;
            // Folders first (once each), then every file copied and hashed.
            let dirs: BTreeSet<PathBuf> = payload
                .iter()
                .filter_map(|(rel, _)| tmp.path().join(rel).parent().map(Path::to_path_buf))
                .collect();
            for d in &dirs {
                fs::create_dir_all(d).map_err(io_err(d))?;
            }
            let target = |i: usize| tmp.path().join(&payload[i].0);
            let sums = copy_payload(&payload, &target)?;
            let tags = tag_files(&payload, &sums, info);
            for (name, bytes) in &tags {
                let p = tmp.path().join(name);
                fs::write(&p, bytes).map_err(io_err(&p))?;
            }
            // The whole bag is made durable (a USB stick may be pulled
            // right after) once it is written, then renamed into place.
            let mut written: Vec<PathBuf> = payload
                .iter()
                .map(|(rel, _)| tmp.path().join(rel))
                .collect();
            written.extend(tags.iter().map(|(name, _)| tmp.path().join(name)));
            // Every folder from the bag's top down to each file's own.
            let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
            for d in dirs {
                folders.extend(
                    d.ancestors()
                        .take_while(|a| a.starts_with(tmp.path()))
                        .map(Path::to_path_buf),
                );
            }
            folders.insert(tmp.path().to_path_buf());
            let folders: Vec<PathBuf> = folders.into_iter().collect();
            sync_written(&written, &folders)?;
            if dest.exists() {
                fs::remove_dir(dest).map_err(io_err(dest))?;
            }
            let kept = tmp.keep();
            fs::rename(&kept, dest).map_err(io_err(dest))?;
            sync_written(&[], &[parent.to_path_buf()])?;
            Ok(summary(dest, &sums))
        }
        BagFormat::Tar | BagFormat::Zip => {
            let mut tmp = tempfile::Builder::new()
                .prefix(".bag-")
                .tempfile_in(parent)
                .map_err(io_err(parent))?;
            let sums = {
                let out = BufWriter::with_capacity(CHUNK, tmp.as_file_mut());
                let mut sink: Box<dyn ArchiveSink + '_> = match format {
                    BagFormat::Tar => Box::new(TarSink(tar::Builder::new(out))),
                    _ => Box::new(ZipSink(Some(zip::ZipWriter::new(out)))),
                };
                let mut sums = Vec::with_capacity(payload.len());
                for (rel, src) in &payload {
                    let name = format!("{bag_name}/{rel}");
                    let s = match src {
                        PayloadSource::File(p) | PayloadSource::Recorded { path: p, .. } => {
                            let f = File::open(p).map_err(io_err(p))?;
                            let len = f.metadata().map_err(io_err(p))?.len();
                            // Hash while streaming into the archive: one read.
                            let mut hasher = HashingReader::new(f, recorded_sha512(src));
                            sink.add(&name, len, &mut hasher).map_err(io_err(dest))?;
                            let s = hasher.finish();
                            if s.size != len {
                                return Err(BagError::Io {
                                    path: p.clone(),
                                    source: io::Error::other(
                                        "the file changed size while it was bagged",
                                    ),
                                });
                            }
                            s
                        }
                        PayloadSource::Bytes(b) => {
                            let mut hasher = HashingReader::new(&b[..], None);
                            sink.add(&name, b.len() as u64, &mut hasher)
                                .map_err(io_err(dest))?;
                            hasher.finish()
                        }
                    };
                    sums.push(s);
                }
                for (name, bytes) in tag_files(&payload, &sums, info) {
                    sink.add(
                        &format!("{bag_name}/{name}"),
                        bytes.len() as u64,
                        &mut &bytes[..],
                    )
                    .map_err(io_err(dest))?;
                }
                sink.finish().map_err(io_err(dest))?;
                sums
            };
            tmp.as_file().sync_all().map_err(io_err(dest))?;
            tmp.persist(dest).map_err(|e| BagError::Io {
                path: dest.to_path_buf(),
                source: e.error,
            })?;
            Ok(summary(dest, &sums))
        }
    }
}

/// A payload file being written into a folder bag. Once it is complete
/// (flushed), the kernel is asked to start writing it to disk at once
/// (`POSIX_FADV_DONTNEED` starts write-back of dirty pages), so the disk
/// writes while the next files are still being hashed and the bag's one
/// sync at the end finds little left to do.
struct WrittenBack(File);

impl Write for WrittenBack {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()?;
        #[cfg(unix)]
        // A hint: ignoring it changes nothing but speed.
        let _ = rustix::fs::fadvise(&self.0, 0, None, rustix::fs::Advice::DontNeed);
        Ok(())
    }
}

/// Makes `files` and the entries of `folders` durable. The syncs run on
/// [`SYNC_THREADS`] threads at once: the file system then commits its
/// journal once for many of them (one after another, each would wait for a
/// commit of its own), and the data itself is mostly on disk already (see
/// [`WrittenBack`]). Unlike a sync of the whole file system (`syncfs`), this
/// waits only for what the bag wrote, not for whatever else is being written
/// to the same disk.
fn sync_written(files: &[PathBuf], folders: &[PathBuf]) -> Result<()> {
    let jobs: Vec<(&PathBuf, bool)> = files
        .iter()
        .map(|f| (f, false))
        // Folders are opened for reading to sync them, which only Unix allows.
        .chain(folders.iter().filter(|_| cfg!(unix)).map(|d| (d, true)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed: std::sync::Mutex<Option<BagError>> = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..SYNC_THREADS.min(jobs.len()) {
            s.spawn(|| {
                while let Some((path, folder)) =
                    jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let synced = if *folder {
                        File::open(path).and_then(|d| d.sync_all())
                    } else {
                        fs::OpenOptions::new()
                            .write(true)
                            .open(path)
                            .and_then(|f| f.sync_all())
                    };
                    if let Err(e) = synced {
                        *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(io_err(path)(e));
                        return;
                    }
                }
            });
        }
    });
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Syncs in flight at once when a folder bag is made durable.
const SYNC_THREADS: usize = 16;

fn summary(dest: &Path, sums: &[Sums]) -> WrittenBag {
    let bytes: u64 = sums.iter().map(|s| s.size).sum();
    WrittenBag {
        path: dest.to_path_buf(),
        files: sums.len() as u64,
        bytes,
        payload_oxum: format!("{bytes}.{}", sums.len()),
        sha256s: sums.iter().map(|s| s.sha256.clone()).collect(),
        sha512s: sums.iter().map(|s| s.sha512.clone()).collect(),
    }
}

/// bagit.txt, bag-info.txt, the payload manifests and the tag manifests.
fn tag_files(
    payload: &[(String, &PayloadSource)],
    sums: &[Sums],
    info: &[(String, String)],
) -> Vec<(String, Vec<u8>)> {
    let bytes: u64 = sums.iter().map(|s| s.size).sum();
    let mut info: Vec<(String, String)> = info
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("Payload-Oxum"))
        .cloned()
        .collect();
    info.push(("Payload-Oxum".into(), format!("{bytes}.{}", sums.len())));
    let mut m256 = String::new();
    let mut m512 = String::new();
    for ((rel, _), s) in payload.iter().zip(sums) {
        let p = encode_manifest_path(rel);
        m256.push_str(&format!("{}  {p}\n", s.sha256));
        m512.push_str(&format!("{}  {p}\n", s.sha512));
    }
    let mut tags = vec![
        tag_file(
            "bagit.txt",
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        ),
        tag_file("bag-info.txt", &bag_info_text(&info)),
        tag_file("manifest-sha256.txt", &m256),
        tag_file("manifest-sha512.txt", &m512),
    ];
    let mut t256 = String::new();
    let mut t512 = String::new();
    for (name, bytes) in &tags {
        let s = sums_of(bytes);
        t256.push_str(&format!("{}  {name}\n", s.sha256));
        t512.push_str(&format!("{}  {name}\n", s.sha512));
    }
    tags.push(tag_file("tagmanifest-sha256.txt", &t256));
    tags.push(tag_file("tagmanifest-sha512.txt", &t512));
    tags
}

/// Hashes what passes through it (a payload file streamed into a tar or
/// zip): SHA-256, and SHA-512 unless it was recorded.
struct HashingReader<R> {
    inner: R,
    hasher: StreamHasher,
    recorded: Option<String>,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R, recorded_sha512: Option<&str>) -> Self {
        HashingReader {
            inner,
            hasher: StreamHasher::new(recorded_sha512.is_none()),
            recorded: recorded_sha512.map(str::to_string),
        }
    }
    fn finish(self) -> Sums {
        let (sha256, sha512, size) = self.hasher.finish();
        Sums {
            sha256: sha256.to_hex(),
            sha512: sha512
                .map(hex::encode)
                .or(self.recorded)
                .unwrap_or_default(),
            size,
        }
    }
}

fn recorded_sha512(src: &PayloadSource) -> Option<&str> {
    match src {
        PayloadSource::Recorded { sha512, .. } => Some(sha512),
        _ => None,
    }
}

/// Writes every payload file of a folder bag to `target(i)` and returns its
/// checksums, in `payload`'s order:
/// - files and bytes are copied through memory and hashed both ways on the
///   way, many at once ([`hash_all`]);
/// - files whose SHA-512 is recorded are copied by the kernel (`io::copy`
///   between two files is `copy_file_range` on Linux: no trip through user
///   memory), then the copy is read back from the page cache for its
///   SHA-256, on every core, largest first.
///
/// Each copy is handed to write-back as soon as it is hashed
/// ([`WrittenBack`]), so the disk writes while the next files are copied.
fn copy_payload(
    payload: &[(String, &PayloadSource)],
    target: &(impl Fn(usize) -> PathBuf + Sync),
) -> Result<Vec<Sums>> {
    let (recorded, rest): (Vec<usize>, Vec<usize>) =
        (0..payload.len()).partition(|&i| matches!(payload[i].1, PayloadSource::Recorded { .. }));
    let mut sums: Vec<Option<Sums>> = vec![None; payload.len()];
    let size_of = |i: usize| match payload[i].1 {
        PayloadSource::Bytes(b) => b.len() as u64,
        src => src
            .path()
            .and_then(|p| fs::metadata(p).ok())
            .map_or(0, |m| m.len()),
    };
    let hashed = hash_all(
        rest.len(),
        |k| size_of(rest[k]),
        |k| {
            let reader: Box<dyn Read> = match payload[rest[k]].1 {
                PayloadSource::Bytes(b) => Box::new(&b[..]),
                src => {
                    let p = src.path().expect("a file source has a path");
                    Box::new(File::open(p).map_err(io_err(p))?)
                }
            };
            let t = target(rest[k]);
            let out = File::create(&t).map_err(io_err(&t))?;
            Ok((reader, WrittenBack(out)))
        },
        |k| {
            let i = rest[k];
            payload[i]
                .1
                .path()
                .map_or_else(|| PathBuf::from(&payload[i].0), Path::to_path_buf)
        },
        |k| target(rest[k]),
    )?;
    for (k, s) in hashed.into_iter().enumerate() {
        sums[rest[k]] = Some(s);
    }
    let mut recorded: Vec<(u64, usize)> = recorded.into_iter().map(|i| (size_of(i), i)).collect();
    recorded.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let copied: Vec<(usize, Result<Sums>)> = recorded
        .into_par_iter()
        .map(|(_, i)| (i, copy_recorded(payload[i].1, &target(i))))
        .collect();
    for (i, s) in copied {
        sums[i] = Some(s?);
    }
    Ok(sums
        .into_iter()
        .map(|s| s.expect("every payload file was copied"))
        .collect())
}

/// Copies a [`PayloadSource::Recorded`] file to `target` in the kernel,
/// reads the copy back for its SHA-256, and starts its write-back.
fn copy_recorded(src: &PayloadSource, target: &Path) -> Result<Sums> {
    let PayloadSource::Recorded { path, sha512 } = src else {
        unreachable!("only recorded sources are copied by the kernel");
    };
    let mut from = File::open(path).map_err(io_err(path))?;
    let expected = from.metadata().map_err(io_err(path))?.len();
    let mut to = File::create(target).map_err(io_err(target))?;
    let copied = io::copy(&mut from, &mut to).map_err(io_err(target))?;
    let (sha256, size) = doisoat_hashing::hash_reader(File::open(target).map_err(io_err(target))?)
        .map_err(io_err(target))?;
    if copied != expected || size != expected {
        return Err(BagError::Io {
            path: path.clone(),
            source: io::Error::other("the file changed size while it was bagged"),
        });
    }
    WrittenBack(to).flush().map_err(io_err(target))?;
    Ok(Sums {
        sha256: sha256.to_hex(),
        sha512: sha512.clone(),
        size,
    })
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

trait ArchiveSink {
    fn add(&mut self, name: &str, len: u64, data: &mut dyn Read) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

struct TarSink<W: Write>(tar::Builder<W>);

impl<W: Write> ArchiveSink for TarSink<W> {
    fn add(&mut self, name: &str, len: u64, data: &mut dyn Read) -> io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_size(len);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mtime(0);
        // append_data writes GNU long-name records for paths over 100 bytes.
        self.0.append_data(&mut h, name, data)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.0.finish()
    }
}

struct ZipSink<W: Write + Seek>(Option<zip::ZipWriter<W>>);

impl<W: Write + Seek> ArchiveSink for ZipSink<W> {
    fn add(&mut self, name: &str, len: u64, data: &mut dyn Read) -> io::Result<()> {
        // Scans are already compressed: store, don't deflate.
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(len >= u32::MAX as u64)
            .unix_permissions(0o644);
        let w = self
            .0
            .as_mut()
            .ok_or_else(|| io::Error::other("the zip is already finished"))?;
        w.start_file(name, opts).map_err(io::Error::other)?;
        io::copy(data, w)?;
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        if let Some(w) = self.0.take() {
            w.finish().map_err(io::Error::other)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Reading

/// One payload file of a validated bag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFile {
    /// `data/...`, NFC.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// Computed while validating (the bag's own SHA-512 manifest, if any,
    /// was checked against it).
    pub sha512: String,
    /// Where the checked bytes are on disk now.
    pub local: PathBuf,
}

/// A bag that passed every check. For a serialised bag the payload sits in
/// a scratch folder that lives as long as this value.
#[derive(Debug)]
pub struct ValidatedBag {
    pub name: String,
    /// bag-info.txt, in order; labels may repeat.
    pub info: Vec<(String, String)>,
    pub files: Vec<PayloadFile>,
    pub bytes: u64,
    /// Manifests present but not checked (algorithms doisoat does not know).
    pub unchecked_manifests: Vec<String>,
    _scratch: Option<tempfile::TempDir>,
}

impl ValidatedBag {
    /// The values of a bag-info label, case-insensitively.
    pub fn info_values<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.info
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(label))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
}

/// An entry as listed, before any payload byte is read.
struct Listed {
    /// NFC path relative to the bag's base folder.
    path: String,
    kind: Kind,
    size: u64,
}

/// Called for every entry of a bag, with a file's bytes.
type EntryVisitor<'a> = dyn FnMut(&Listed, Option<&mut dyn Read>) -> Result<()> + 'a;

/// A bag on disk in one of its forms, read entry by entry.
enum Source {
    Folder(PathBuf),
    Tar(PathBuf),
    Zip(PathBuf),
}

impl Source {
    fn open(path: &Path) -> Result<Source> {
        let meta = fs::symlink_metadata(path).map_err(io_err(path))?;
        if meta.file_type().is_symlink() {
            return Err(BagError::Link(path.display().to_string()));
        }
        if meta.is_dir() {
            return Ok(Source::Folder(path.to_path_buf()));
        }
        let mut head = [0u8; 262];
        let n = File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(io_err(path))?;
        if n >= 4 && (&head[..4] == b"PK\x03\x04" || &head[..4] == b"PK\x05\x06") {
            Ok(Source::Zip(path.to_path_buf()))
        } else if n >= 262 && &head[257..262] == b"ustar" {
            Ok(Source::Tar(path.to_path_buf()))
        } else {
            match BagFormat::from_path(path) {
                BagFormat::Zip => Ok(Source::Zip(path.to_path_buf())),
                BagFormat::Tar => Ok(Source::Tar(path.to_path_buf())),
                BagFormat::Folder => Err(BagError::NotABag(
                    "neither a folder, a tar nor a zip".into(),
                )),
            }
        }
    }

    /// Calls `f` for every entry (files with their bytes).
    fn visit(&self, f: &mut EntryVisitor<'_>) -> Result<()> {
        match self {
            Source::Folder(root) => visit_folder(root, root, f),
            Source::Tar(path) => {
                let file = File::open(path).map_err(io_err(path))?;
                let mut ar = tar::Archive::new(file);
                let entries = ar
                    .entries_with_seek()
                    .map_err(|e| BagError::Corrupt(e.to_string()))?;
                for entry in entries {
                    let mut entry = entry.map_err(|e| BagError::Corrupt(e.to_string()))?;
                    let raw = member_name(entry.path_bytes().into_owned())?;
                    let kind = match entry.header().entry_type() {
                        tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File,
                        tar::EntryType::Directory => Kind::Dir,
                        tar::EntryType::Symlink | tar::EntryType::Link => {
                            return Err(BagError::Link(raw))
                        }
                        tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
                        _ => return Err(BagError::SpecialFile(raw)),
                    };
                    let size = entry.size();
                    visit_member(f, &raw, kind, size, &mut entry)?;
                }
                Ok(())
            }
            Source::Zip(path) => {
                let file = File::open(path).map_err(io_err(path))?;
                let mut ar = zip::ZipArchive::new(io::BufReader::new(file))
                    .map_err(|e| BagError::Corrupt(e.to_string()))?;
                for i in 0..ar.len() {
                    let mut entry = ar
                        .by_index(i)
                        .map_err(|e| BagError::Corrupt(e.to_string()))?;
                    let raw = member_name(entry.name_raw().to_vec())?;
                    if entry.is_symlink() {
                        return Err(BagError::Link(raw));
                    }
                    let kind = if entry.is_dir() {
                        Kind::Dir
                    } else {
                        Kind::File
                    };
                    if let Some(mode) = entry.unix_mode() {
                        let t = mode & 0o170000;
                        if t != 0 && t != 0o100000 && t != 0o040000 {
                            return Err(BagError::SpecialFile(raw));
                        }
                    }
                    let size = entry.size();
                    visit_member(f, &raw, kind, size, &mut entry)?;
                }
                Ok(())
            }
        }
    }
}

/// An archive member's name, which must be UTF-8.
fn member_name(raw: Vec<u8>) -> Result<String> {
    String::from_utf8(raw).map_err(|_| BagError::UnsafePath("a name that is not UTF-8".into()))
}

/// Hands one archive member to `f`: its checked path, and its bytes if it
/// is a file.
fn visit_member(
    f: &mut EntryVisitor<'_>,
    raw: &str,
    kind: Kind,
    size: u64,
    data: &mut dyn Read,
) -> Result<()> {
    let listed = Listed {
        path: safe_path(raw)?,
        kind,
        size,
    };
    f(&listed, (kind == Kind::File).then_some(data))
}

fn visit_folder(root: &Path, dir: &Path, f: &mut EntryVisitor<'_>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let rel = p.strip_prefix(root).expect("walk stays under the root");
        let raw = rel
            .to_str()
            .ok_or_else(|| BagError::UnsafePath(format!("{} (not UTF-8)", rel.display())))?
            .replace(std::path::MAIN_SEPARATOR, "/");
        let ft = fs::symlink_metadata(&p).map_err(io_err(&p))?;
        if ft.file_type().is_symlink() {
            return Err(BagError::Link(raw));
        }
        if ft.is_dir() {
            f(
                &Listed {
                    path: safe_path(&raw)?,
                    kind: Kind::Dir,
                    size: 0,
                },
                None,
            )?;
            visit_folder(root, &p, f)?;
        } else if ft.is_file() {
            let listed = Listed {
                path: safe_path(&raw)?,
                kind: Kind::File,
                size: ft.len(),
            };
            let mut file = File::open(&p).map_err(io_err(&p))?;
            f(&listed, Some(&mut file))?;
        } else {
            return Err(BagError::SpecialFile(raw));
        }
    }
    Ok(())
}

/// Reads a tag file's text (UTF-8, an optional BOM dropped).
fn text(name: &str, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| BagError::NotABag(format!("{name} is not UTF-8")))
}

/// `label: value` lines with continuation lines (bagit.txt, bag-info.txt).
fn parse_tag_lines(name: &str, s: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in s.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(last) = out.last_mut() else {
                return Err(BagError::NotABag(format!(
                    "{name}: a continuation line comes first"
                )));
            };
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| BagError::NotABag(format!("{name}: bad line '{line}'")))?;
        out.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(out)
}

/// `checksum path` lines; paths checked and NFC-normalised.
fn parse_manifest(name: &str, s: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for line in s.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (sum, path) = line
            .split_once([' ', '\t'])
            .ok_or_else(|| BagError::NotABag(format!("{name}: bad line '{line}'")))?;
        let path = safe_path(&decode_manifest_path(path.trim_start_matches([' ', '\t'])))?;
        if out.insert(path.clone(), sum.to_ascii_lowercase()).is_some() {
            return Err(BagError::NotABag(format!("{name}: {path} is listed twice")));
        }
    }
    Ok(out)
}

const KNOWN: [&str; 2] = ["sha256", "sha512"];

/// Validates the bag at `path` (folder, tar or zip) completely. Serialised
/// bags are extracted, while being hashed, into a scratch folder under
/// `scratch_in`. Nothing outside that scratch folder is written.
pub fn validate(path: &Path, scratch_in: &Path) -> Result<ValidatedBag> {
    let source = Source::open(path)?;

    // Pass 1: list everything, read the tag files, hash nothing.
    let mut listed: Vec<Listed> = Vec::new();
    let mut raw_tags: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    source.visit(&mut |l, data| {
        if l.kind == Kind::File && !is_payload(l, &listed) && l.size <= MAX_TAG_FILE {
            if let Some(r) = data {
                let mut v = Vec::with_capacity(l.size as usize);
                r.read_to_end(&mut v)
                    .map_err(|e| BagError::Corrupt(format!("{}: {e}", l.path)))?;
                raw_tags.insert(l.path.clone(), v);
            }
        }
        listed.push(Listed {
            path: l.path.clone(),
            kind: l.kind,
            size: l.size,
        });
        Ok(())
    })?;

    // A serialised bag has one base folder; a folder bag is its own base.
    let base = base_prefix(&source, &listed)?;
    let strip = |p: &str| -> Option<String> {
        if base.is_empty() {
            Some(p.to_string())
        } else {
            p.strip_prefix(&base)
                .and_then(|r| r.strip_prefix('/'))
                .map(str::to_string)
        }
    };
    let mut tags: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (k, v) in raw_tags {
        if let Some(k) = strip(&k) {
            if !k.starts_with("data/") {
                tags.insert(k, v);
            }
        }
    }
    let mut payload_sizes: BTreeMap<String, u64> = BTreeMap::new();
    for l in &listed {
        let Some(rel) = strip(&l.path) else {
            return Err(BagError::NotABag(format!(
                "{} is outside the bag's base folder",
                l.path
            )));
        };
        if l.kind == Kind::File
            && rel.starts_with("data/")
            && payload_sizes.insert(rel.clone(), l.size).is_some()
        {
            return Err(BagError::NotABag(format!("{rel} appears twice")));
        }
        if l.kind == Kind::File && !rel.starts_with("data/") && !tags.contains_key(&rel) {
            return Err(BagError::Unsupported(format!(
                "tag file {rel} is larger than {MAX_TAG_FILE} bytes"
            )));
        }
    }

    let bagit = tags
        .get("bagit.txt")
        .ok_or_else(|| BagError::NotABag("bagit.txt is missing".into()))?;
    let decl = parse_tag_lines("bagit.txt", &text("bagit.txt", bagit)?)?;
    let version = decl
        .iter()
        .find(|(k, _)| k == "BagIt-Version")
        .map(|(_, v)| v.as_str());
    if !matches!(version, Some("0.97") | Some("1.0")) {
        return Err(BagError::Unsupported(format!("BagIt version {version:?}")));
    }
    let encoding = decl
        .iter()
        .find(|(k, _)| k == "Tag-File-Character-Encoding")
        .map(|(_, v)| v.as_str());
    if !encoding.is_some_and(|e| e.eq_ignore_ascii_case("UTF-8")) {
        return Err(BagError::Unsupported(format!(
            "tag file encoding {encoding:?}"
        )));
    }
    if let Some(fetch) = tags.get("fetch.txt") {
        if !text("fetch.txt", fetch)?.trim().is_empty() {
            return Err(BagError::Unsupported(
                "fetch.txt: the bag is incomplete and doisoat does not fetch".into(),
            ));
        }
    }
    let info = match tags.get("bag-info.txt") {
        Some(b) => parse_tag_lines("bag-info.txt", &text("bag-info.txt", b)?)?,
        None => Vec::new(),
    };

    // Manifests: every payload file in every manifest, every line a file.
    let mut manifests: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut tagmanifests: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut unchecked = Vec::new();
    for (name, bytes) in &tags {
        let (is_tag, alg) = if let Some(a) = name
            .strip_prefix("tagmanifest-")
            .and_then(|a| a.strip_suffix(".txt"))
        {
            (true, a)
        } else if let Some(a) = name
            .strip_prefix("manifest-")
            .and_then(|a| a.strip_suffix(".txt"))
        {
            (false, a)
        } else {
            continue;
        };
        if !KNOWN.contains(&alg) {
            unchecked.push(name.clone());
            continue;
        }
        let m = parse_manifest(name, &text(name, bytes)?)?;
        if is_tag {
            tagmanifests.insert(alg.to_string(), m);
        } else {
            manifests.insert(alg.to_string(), m);
        }
    }
    if manifests.is_empty() {
        return Err(BagError::NotABag(
            "no payload manifest doisoat can check (manifest-sha256.txt or manifest-sha512.txt)"
                .into(),
        ));
    }
    for (alg, m) in &manifests {
        let manifest = format!("manifest-{alg}.txt");
        if let Some(p) = payload_sizes.keys().find(|p| !m.contains_key(*p)) {
            return Err(BagError::NotInManifest {
                path: p.clone(),
                manifest,
            });
        }
        if let Some(p) = m.keys().find(|p| !payload_sizes.contains_key(*p)) {
            return Err(BagError::MissingFile {
                path: p.clone(),
                manifest,
            });
        }
    }
    for (alg, m) in &tagmanifests {
        let manifest = format!("tagmanifest-{alg}.txt");
        if let Some(p) = m.keys().find(|p| !tags.contains_key(*p)) {
            return Err(BagError::MissingFile {
                path: p.clone(),
                manifest,
            });
        }
    }
    let bytes: u64 = payload_sizes.values().sum();
    let actual_oxum = format!("{bytes}.{}", payload_sizes.len());
    if let Some((_, declared)) = info
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Payload-Oxum"))
    {
        if declared.trim() != actual_oxum {
            return Err(BagError::Oxum {
                declared: declared.clone(),
                actual: actual_oxum,
            });
        }
    }

    // Tag manifests over the tag files (already in memory).
    for (alg, m) in &tagmanifests {
        for (p, want) in m {
            let s = sums_of(&tags[p]);
            check_sum(p, alg, want, &s, &format!("tagmanifest-{alg}.txt"))?;
        }
    }

    // Pass 2: hash the payload (extracting a serialised bag as it goes).
    let mut files = Vec::with_capacity(payload_sizes.len());
    let scratch = match &source {
        Source::Folder(root) => {
            let rels: Vec<&String> = payload_sizes.keys().collect();
            let locals: Vec<PathBuf> = rels
                .iter()
                .map(|rel| local_in_folder(root, rel))
                .collect::<Result<_>>()?;
            let sums = hash_all(
                rels.len(),
                |i| payload_sizes[rels[i]],
                |i| {
                    let f = File::open(&locals[i]).map_err(io_err(&locals[i]))?;
                    Ok((f, io::sink()))
                },
                |i| locals[i].clone(),
                |i| locals[i].clone(),
            )?;
            for ((rel, s), local) in rels.into_iter().zip(sums).zip(locals) {
                check_all(rel, &s, &manifests, payload_sizes[rel])?;
                files.push(PayloadFile {
                    local,
                    path: rel.clone(),
                    size: s.size,
                    sha256: s.sha256,
                    sha512: s.sha512,
                });
            }
            None
        }
        Source::Tar(_) | Source::Zip(_) => {
            fs::create_dir_all(scratch_in).map_err(io_err(scratch_in))?;
            let dir = tempfile::Builder::new()
                .prefix(".bag-import-")
                .tempdir_in(scratch_in)
                .map_err(io_err(scratch_in))?;
            source.visit(&mut |l, data| {
                let (Some(rel), Some(r)) = (strip(&l.path), data) else {
                    return Ok(());
                };
                if !rel.starts_with("data/") {
                    return Ok(());
                }
                let local = dir.path().join(&rel);
                let parent = local.parent().expect("payload paths have a parent");
                fs::create_dir_all(parent).map_err(io_err(parent))?;
                let mut w =
                    BufWriter::with_capacity(CHUNK, File::create(&local).map_err(io_err(&local))?);
                let s: Sums = copy_hashing_both(r, &mut w)
                    .map_err(|e| BagError::Corrupt(format!("{rel}: {e}")))?
                    .into();
                w.flush().map_err(io_err(&local))?;
                check_all(&rel, &s, &manifests, payload_sizes[&rel])?;
                files.push(PayloadFile {
                    path: rel,
                    size: s.size,
                    sha256: s.sha256,
                    sha512: s.sha512,
                    local,
                });
                Ok(())
            })?;
            if files.len() != payload_sizes.len() {
                return Err(BagError::Corrupt(
                    "the archive changed between the two passes".into(),
                ));
            }
            Some(dir)
        }
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let name = match &source {
        Source::Folder(p) | Source::Tar(p) | Source::Zip(p) => {
            if base.is_empty() {
                p.file_name()
                    .map(|n| n.to_string_lossy().nfc().collect())
                    .unwrap_or_default()
            } else {
                base.clone()
            }
        }
    };
    Ok(ValidatedBag {
        name,
        info,
        files,
        bytes,
        unchecked_manifests: unchecked,
        _scratch: scratch,
    })
}

fn is_payload(l: &Listed, _listed: &[Listed]) -> bool {
    // `data/` at the top or one level down (the base folder of an archive).
    l.path.starts_with("data/")
        || l.path
            .split_once('/')
            .is_some_and(|(_, rest)| rest.starts_with("data/"))
}

/// The single base folder of a serialised bag ("" for a folder bag).
fn base_prefix(source: &Source, listed: &[Listed]) -> Result<String> {
    if matches!(source, Source::Folder(_)) {
        return Ok(String::new());
    }
    if listed.iter().any(|l| l.path == "bagit.txt") {
        return Ok(String::new());
    }
    let firsts: BTreeSet<&str> = listed
        .iter()
        .map(|l| l.path.split('/').next().unwrap_or(""))
        .collect();
    match firsts.len() {
        1 => Ok(firsts.into_iter().next().unwrap_or_default().to_string()),
        0 => Err(BagError::NotABag("the archive is empty".into())),
        _ => Err(BagError::NotABag(
            "the archive holds more than one top-level folder and no bagit.txt".into(),
        )),
    }
}

/// The on-disk path of a payload file in a folder bag. File names may be
/// stored NFD on disk while the manifest says NFC: find the entry whose
/// normalised name matches.
fn local_in_folder(root: &Path, rel: &str) -> Result<PathBuf> {
    let direct = root.join(rel);
    if direct.is_file() {
        return Ok(direct);
    }
    let mut cur = root.to_path_buf();
    for part in rel.split('/') {
        let found = fs::read_dir(&cur)
            .map_err(io_err(&cur))?
            .flatten()
            .find(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.nfc().eq(part.chars()))
            })
            .ok_or_else(|| BagError::MissingFile {
                path: rel.to_string(),
                manifest: "the bag".into(),
            })?;
        cur = found.path();
    }
    Ok(cur)
}

fn check_sum(path: &str, alg: &str, want: &str, s: &Sums, _manifest: &str) -> Result<()> {
    let got = match alg {
        "sha256" => &s.sha256,
        _ => &s.sha512,
    };
    if got != want {
        return Err(BagError::WrongHash {
            path: path.to_string(),
            algorithm: alg.to_string(),
        });
    }
    Ok(())
}

fn check_all(
    rel: &str,
    s: &Sums,
    manifests: &BTreeMap<String, BTreeMap<String, String>>,
    listed: u64,
) -> Result<()> {
    if s.size != listed {
        return Err(BagError::Corrupt(format!(
            "{rel}: {} bytes listed, {} read",
            listed, s.size
        )));
    }
    for (alg, m) in manifests {
        check_sum(rel, alg, &m[rel], s, &format!("manifest-{alg}.txt"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<PayloadEntry> {
        vec![
            PayloadEntry {
                path: "a/Giấy tờ.txt".nfd().collect(),
                source: PayloadSource::Bytes(b"xin chao".to_vec()),
            },
            PayloadEntry {
                path: "b/100%\n.bin".into(),
                source: PayloadSource::Bytes(vec![7u8; 3 << 20]),
            },
        ]
    }

    fn info() -> Vec<(String, String)> {
        vec![
            ("Source-Organization".into(), "UBND xã A".into()),
            ("X-Json".into(), "{\"a\":\"b\\nc\"}".into()),
        ]
    }

    #[test]
    fn writes_and_validates_every_format() {
        let dir = tempfile::tempdir().unwrap();
        for (name, fmt) in [
            ("b1", BagFormat::Folder),
            ("b2.tar", BagFormat::Tar),
            ("b3.zip", BagFormat::Zip),
        ] {
            let dest = dir.path().join(name);
            let w = write_bag(&dest, fmt, &entries(), &info()).unwrap();
            assert_eq!(w.payload_oxum, format!("{}.2", 8 + (3 << 20)));
            let bag = validate(&dest, dir.path()).unwrap();
            assert_eq!(bag.files.len(), 2);
            assert_eq!(
                bag.files[0].path,
                "data/a/Giấy tờ.txt".nfc().collect::<String>()
            );
            assert_eq!(fs::read(&bag.files[0].local).unwrap(), b"xin chao");
            assert_eq!(
                bag.info_values("Source-Organization").collect::<Vec<_>>(),
                ["UBND xã A"]
            );
            assert_eq!(
                bag.info_values("X-Json").next().unwrap(),
                "{\"a\":\"b\\nc\"}"
            );
            assert!(matches!(
                write_bag(&dest, fmt, &entries(), &info()),
                Err(BagError::Exists(_))
            ));
        }
    }

    /// Files given with their SHA-512 (copied by the kernel, SHA-256 only)
    /// mixed with files hashed both ways: the same manifests either way.
    #[test]
    fn recorded_sha512s_give_the_same_bag() {
        use sha2::{Digest as _, Sha512};
        let dir = tempfile::tempdir().unwrap();
        let contents: Vec<Vec<u8>> = [0usize, 1, CHUNK + 3, 3 * CHUNK + 17]
            .iter()
            .enumerate()
            .map(|(k, n)| (0..*n).map(|i| ((i * 13 + k) % 251) as u8).collect())
            .collect();
        let mut plain = Vec::new();
        let mut recorded = Vec::new();
        for (k, c) in contents.iter().enumerate() {
            let src = dir.path().join(format!("src{k}"));
            fs::write(&src, c).unwrap();
            plain.push(PayloadEntry {
                path: format!("f/{k}.bin"),
                source: PayloadSource::File(src.clone()),
            });
            recorded.push(PayloadEntry {
                path: format!("f/{k}.bin"),
                // Every other file recorded: both kinds in one bag.
                source: if k % 2 == 0 {
                    PayloadSource::Recorded {
                        path: src,
                        sha512: hex::encode(Sha512::digest(c)),
                    }
                } else {
                    PayloadSource::File(src)
                },
            });
        }
        for (name, fmt) in [("folder", BagFormat::Folder), ("bag.tar", BagFormat::Tar)] {
            let a = dir.path().join(format!("plain-{name}"));
            let b = dir.path().join(format!("recorded-{name}"));
            let wa = write_bag(&a, fmt, &plain, &info()).unwrap();
            let wb = write_bag(&b, fmt, &recorded, &info()).unwrap();
            assert_eq!(wa.sha256s, wb.sha256s, "{name}");
            assert_eq!(wa.sha512s, wb.sha512s, "{name}");
            for (c, sha512) in contents.iter().zip(&wb.sha512s) {
                assert_eq!(*sha512, hex::encode(Sha512::digest(c)));
            }
            let bag = validate(&b, dir.path()).unwrap();
            for (f, c) in bag.files.iter().zip(&contents) {
                assert_eq!(fs::read(&f.local).unwrap(), *c, "{name}: {}", f.path);
            }
        }
    }

    #[test]
    fn refuses_tampered_folder_bags() {
        let dir = tempfile::tempdir().unwrap();
        let bag = dir.path().join("bag");
        write_bag(&bag, BagFormat::Folder, &entries(), &info()).unwrap();
        let a = bag
            .join("data/a")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        fs::write(&a, b"xin chaO").unwrap();
        assert!(matches!(
            validate(&bag, dir.path()),
            Err(BagError::WrongHash { .. })
        ));
        fs::write(&a, b"xin chao").unwrap();
        fs::write(bag.join("data/extra.txt"), b"").unwrap();
        assert!(matches!(
            validate(&bag, dir.path()),
            Err(BagError::NotInManifest { .. })
        ));
        fs::remove_file(bag.join("data/extra.txt")).unwrap();
        validate(&bag, dir.path()).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", bag.join("data/link")).unwrap();
            assert!(matches!(validate(&bag, dir.path()), Err(BagError::Link(_))));
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for p in ["../x", "data/../../x", "/etc/passwd", "C:/x", "data\\x", ""] {
            assert!(matches!(safe_path(p), Err(BagError::UnsafePath(_))), "{p}");
        }
        assert_eq!(safe_path("data/./a//b").unwrap(), "data/a/b");
    }
}
