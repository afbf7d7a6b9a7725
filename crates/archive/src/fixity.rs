//! Reading stored files back to check them (the fixity pass), gently on the
//! desk: each file is read in large sequential pieces with the kernel told
//! so (`POSIX_FADV_SEQUENTIAL`, deeper read-ahead), the next
//! [`AHEAD`] bytes are always asked for in advance (`POSIX_FADV_WILLNEED`,
//! so the disk reads while the last piece is hashed), and once a file is
//! hashed its pages are dropped from the page cache (`POSIX_FADV_DONTNEED`),
//! so a pass over the whole store does not push out the files the desk is
//! working with. Several files are read at once, one per core
//! ([`read_digests`] does it for a batch).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use doisoat_hashing::{hash_reader, Sha256Digest};
use rayon::prelude::*;

/// What reading one stored file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// Its SHA-256 and length.
    Hashed {
        digest: Sha256Digest,
        size: u64,
    },
    Missing,
}

/// Hashes the file at `path` with sequential read-ahead, then drops its
/// pages from the page cache.
pub fn read_digest(path: &Path) -> io::Result<Read> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    advise(&file, Advice::Sequential, 0, 0);
    let result = hash_reader(ReadAhead {
        file: &file,
        pos: 0,
        asked_to: 0,
    });
    advise(&file, Advice::DontNeed, 0, 0);
    let (digest, size) = result?;
    Ok(Read::Hashed { digest, size })
}

/// [`read_digest`] of every path, spread over the cores; results in order.
pub fn read_digests(paths: &[PathBuf]) -> Vec<io::Result<Read>> {
    paths.par_iter().map(|p| read_digest(p)).collect()
}

/// How far ahead of the reader the kernel is asked to read.
pub const AHEAD: u64 = 16 << 20;

/// A file reader that keeps asking for the next [`AHEAD`] bytes.
struct ReadAhead<'a> {
    file: &'a File,
    pos: u64,
    asked_to: u64,
}

impl io::Read for ReadAhead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos + AHEAD / 2 >= self.asked_to {
            advise(self.file, Advice::WillNeed, self.asked_to, AHEAD);
            self.asked_to += AHEAD;
        }
        let n = self.file.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

enum Advice {
    Sequential,
    WillNeed,
    DontNeed,
}

/// Advice is a hint: a kernel or file system that ignores it changes
/// nothing but speed, so failures are not errors.
/// `len` 0 means to the end of the file.
#[cfg(unix)]
fn advise(file: &File, advice: Advice, offset: u64, len: u64) {
    let advice = match advice {
        Advice::Sequential => rustix::fs::Advice::Sequential,
        Advice::WillNeed => rustix::fs::Advice::WillNeed,
        Advice::DontNeed => rustix::fs::Advice::DontNeed,
    };
    let _ = rustix::fs::fadvise(file, offset, std::num::NonZeroU64::new(len), advice);
}

#[cfg(not(unix))]
fn advise(_file: &File, _advice: Advice, _offset: u64, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_present_files_and_names_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        // Longer than the read-ahead window, so it moves.
        let bytes: Vec<u8> = (0..(AHEAD as u32 + 3_000_000))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&a, &bytes).unwrap();
        let got = read_digests(&[a.clone(), dir.path().join("gone")]);
        assert_eq!(
            got[0].as_ref().unwrap(),
            &Read::Hashed {
                digest: doisoat_hashing::hash_bytes(&bytes),
                size: bytes.len() as u64
            }
        );
        assert_eq!(got[1].as_ref().unwrap(), &Read::Missing);
    }
}
