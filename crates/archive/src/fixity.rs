//! Reading stored files back to check them (the fixity pass), as fast as
//! the disk allows yet gently on the desk.
//!
//! [`read_each`] runs a few reader threads ([`ReadPlan::readers`], by
//! default two more than the cores, so the disk always has a request while
//! a core hashes). Each takes the next file in the caller's order, reads it
//! in [`READ`]-sized pieces with the kernel told the access is sequential
//! (`POSIX_FADV_SEQUENTIAL`, whose doubled read-ahead then runs ahead of the
//! hashing by itself), hashes it with SHA-256, and drops its pages from the
//! page cache (`POSIX_FADV_DONTNEED`), so a pass over the whole store does
//! not push out the files the desk is working with. Results go back to the
//! calling thread as each file is done, so the caller can record them in
//! batches while the readers carry on: nothing waits for the database.
//!
//! A paced pass ([`ReadPlan::bytes_per_sec`]) shares one [`Pacer`] between
//! its readers and reports every piece read, so the rate holds within a
//! file as well as across files.

use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use doisoat_hashing::{Sha256Digest, StreamHasher};

use crate::Pacer;

/// What reading one stored file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// Its SHA-256 and length, and its SHA-512 when it was asked for.
    Hashed {
        digest: Sha256Digest,
        size: u64,
        sha512: Option<[u8; 64]>,
    },
    Missing,
}

/// Bytes per read. Measured on this project's machines: reads of 128–256
/// KiB keep the kernel's asynchronous read-ahead going; 1 MiB reads made a
/// cold pass a third slower (each waited for a whole window to arrive).
pub const READ: usize = 256 << 10;

/// How a pass reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    /// Files read at once.
    pub readers: usize,
    /// At most this many bytes per second over the whole pass (`None`: as
    /// fast as the disk).
    pub bytes_per_sec: Option<u64>,
}

impl ReadPlan {
    /// Unpaced: two readers more than the cores.
    pub fn full_speed() -> ReadPlan {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ReadPlan {
            readers: cores + 2,
            bytes_per_sec: None,
        }
    }

    /// One reader at `bytes_per_sec` (a background pass).
    pub fn paced(bytes_per_sec: u64) -> ReadPlan {
        ReadPlan {
            readers: 1,
            bytes_per_sec: Some(bytes_per_sec),
        }
    }
}

/// Reads and hashes every file of `paths` as `plan` says, and hands each
/// result to `each(index, result)` on the calling thread as soon as that
/// file is done (so not necessarily in order). Files are started in the
/// order given; file `i` also gets its SHA-512 when `sha512(i)` says so.
/// When `each` returns `false` it is not called again: each reader stops
/// after the file in hand, and `read_each` returns once they have.
pub fn read_each(
    paths: &[PathBuf],
    sha512: impl Fn(usize) -> bool + Sync,
    plan: &ReadPlan,
    mut each: impl FnMut(usize, io::Result<Read>) -> bool,
) {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let pacer = plan.bytes_per_sec.map(|r| Mutex::new(Pacer::new(Some(r))));
    let readers = plan.readers.clamp(1, paths.len().max(1));
    std::thread::scope(|s| {
        // Bounded: readers run at most a few files ahead of the caller.
        let (tx, rx) = mpsc::sync_channel(readers);
        for _ in 0..readers {
            let tx = tx.clone();
            let (next, stop, pacer, sha512) = (&next, &stop, pacer.as_ref(), &sha512);
            s.spawn(move || {
                let mut buf = vec![0u8; READ];
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let result = read_one(path, sha512(i), &mut buf, pacer);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, result) in rx {
            if !each(i, result) {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
    });
}

/// [`read_each`] at full speed, results in the order of `paths`.
pub fn read_digests(paths: &[PathBuf]) -> Vec<io::Result<Read>> {
    let mut out: Vec<Option<io::Result<Read>>> = paths.iter().map(|_| None).collect();
    read_each(
        paths,
        |_| false,
        &ReadPlan::full_speed(),
        |i, r| {
            out[i] = Some(r);
            true
        },
    );
    out.into_iter()
        .map(|r| r.expect("every file is read when nobody stops"))
        .collect()
}

/// Hashes the file at `path` with sequential read-ahead, then drops its
/// pages from the page cache.
pub fn read_digest(path: &Path) -> io::Result<Read> {
    read_one(path, false, &mut vec![0u8; READ], None)
}

fn read_one(
    path: &Path,
    with_sha512: bool,
    buf: &mut [u8],
    pacer: Option<&Mutex<Pacer>>,
) -> io::Result<Read> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    advise(&file, Advice::Sequential);
    let mut hasher = StreamHasher::new(with_sha512);
    let mut size = 0u64;
    let result = loop {
        let n = match file.read(buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
        if let Some(p) = pacer {
            p.lock().unwrap_or_else(|e| e.into_inner()).pace(n as u64);
        }
    };
    advise(&file, Advice::DontNeed);
    result?;
    let (digest, sha512, _) = hasher.finish();
    Ok(Read::Hashed {
        digest,
        size,
        sha512,
    })
}

enum Advice {
    Sequential,
    DontNeed,
}

/// Advice is a hint: a kernel or file system that ignores it changes
/// nothing but speed, so failures are not errors. It covers the whole file.
#[cfg(unix)]
fn advise(file: &File, advice: Advice) {
    let advice = match advice {
        Advice::Sequential => rustix::fs::Advice::Sequential,
        Advice::DontNeed => rustix::fs::Advice::DontNeed,
    };
    let _ = rustix::fs::fadvise(file, 0, None, advice);
}

#[cfg(not(unix))]
fn advise(_file: &File, _advice: Advice) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize, seed: u32) -> Vec<u8> {
        (0..n as u32)
            .map(|i| (i.wrapping_mul(31).wrapping_add(seed) % 251) as u8)
            .collect()
    }

    #[test]
    fn hashes_present_files_and_names_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        // Around the read size, and several reads long.
        let lens = [0, 1, READ - 1, READ, READ + 1, 5 * READ + 17];
        let mut paths = Vec::new();
        for (i, n) in lens.iter().enumerate() {
            let p = dir.path().join(format!("f{i}"));
            std::fs::write(&p, bytes(*n, i as u32)).unwrap();
            paths.push(p);
        }
        paths.insert(2, dir.path().join("gone"));
        let got = read_digests(&paths);
        assert_eq!(got.len(), paths.len());
        assert_eq!(got[2].as_ref().unwrap(), &Read::Missing);
        let hashed: Vec<&io::Result<Read>> = got
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, r)| r)
            .collect();
        for ((i, n), r) in lens.iter().enumerate().zip(hashed) {
            let want = bytes(*n, i as u32);
            assert_eq!(
                r.as_ref().unwrap(),
                &Read::Hashed {
                    digest: doisoat_hashing::hash_bytes(&want),
                    size: want.len() as u64,
                    sha512: None,
                },
                "file {i}"
            );
        }
    }

    #[test]
    fn the_sha512_comes_only_where_asked() {
        use sha2::{Digest as _, Sha512};
        let dir = tempfile::tempdir().unwrap();
        let lens = [0, READ + 1, 3 * READ + 5];
        let paths: Vec<PathBuf> = lens
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let p = dir.path().join(format!("f{i}"));
                std::fs::write(&p, bytes(*n, i as u32)).unwrap();
                p
            })
            .collect();
        let mut got: Vec<Option<Read>> = vec![None; lens.len()];
        read_each(
            &paths,
            |i| i != 1,
            &ReadPlan::full_speed(),
            |i, r| {
                got[i] = Some(r.unwrap());
                true
            },
        );
        for (i, n) in lens.iter().enumerate() {
            let want = bytes(*n, i as u32);
            let sha512: Option<[u8; 64]> = (i != 1).then(|| Sha512::digest(&want).into());
            assert_eq!(
                got[i].as_ref().unwrap(),
                &Read::Hashed {
                    digest: doisoat_hashing::hash_bytes(&want),
                    size: want.len() as u64,
                    sha512,
                },
                "file {i}"
            );
        }
    }

    #[test]
    fn stopping_starts_no_further_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..20)
            .map(|i| {
                let p = dir.path().join(format!("f{i}"));
                std::fs::write(&p, bytes(1000, i)).unwrap();
                p
            })
            .collect();
        let mut seen = 0;
        let plan = ReadPlan {
            readers: 1,
            bytes_per_sec: None,
        };
        read_each(
            &paths,
            |_| false,
            &plan,
            |_, r| {
                r.unwrap();
                seen += 1;
                seen < 3
            },
        );
        assert_eq!(seen, 3);
        let mut order = Vec::new();
        read_each(
            &paths,
            |_| false,
            &plan,
            |i, _| {
                order.push(i);
                true
            },
        );
        assert_eq!(order, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn a_paced_pass_holds_its_rate_within_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, bytes(4 * READ, 7)).unwrap();
        let t = std::time::Instant::now();
        let mut got = None;
        // 1 MiB at 1 MiB per second: the pieces after the first wait.
        read_each(
            std::slice::from_ref(&p),
            |_| false,
            &ReadPlan::paced(1 << 20),
            |_, r| {
                got = Some(r.unwrap());
                true
            },
        );
        assert!(
            t.elapsed() >= std::time::Duration::from_millis(900),
            "{:?}",
            t.elapsed()
        );
        assert!(matches!(got, Some(Read::Hashed { size, .. }) if size == 4 * READ as u64));
    }
}
