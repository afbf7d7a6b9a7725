//! SHA-256 over streams. Files are hashed in fixed-size chunks while they are
//! read (or copied), never loaded whole. `sha2` picks the SHA-NI code path at
//! run time on CPUs that have it.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// Read size for hashing and copying. Large enough to amortise syscalls,
/// small enough to stay in L2 cache while it is hashed.
pub const CHUNK: usize = 1 << 20;

/// A SHA-256 digest, shown as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct BadDigest;

impl fmt::Display for BadDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a SHA-256 digest (64 hex digits)")
    }
}

impl std::error::Error for BadDigest {}

impl FromStr for Sha256Digest {
    type Err = BadDigest;
    fn from_str(s: &str) -> Result<Self, BadDigest> {
        let mut out = [0u8; 32];
        if s.len() != 64 {
            return Err(BadDigest);
        }
        hex::decode_to_slice(s, &mut out).map_err(|_| BadDigest)?;
        Ok(Sha256Digest(out))
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Hashes everything `reader` yields. Returns the digest and the byte count.
pub fn hash_reader<R: Read>(mut reader: R) -> io::Result<(Sha256Digest, u64)> {
    copy_hashing(&mut reader, &mut io::sink())
}

/// Hashes a file by streaming it.
pub fn hash_file(path: &Path) -> io::Result<(Sha256Digest, u64)> {
    hash_reader(File::open(path)?)
}

/// Copies `reader` into `writer` and hashes the bytes on the way.
pub fn copy_hashing<R: Read + ?Sized, W: Write + ?Sized>(
    reader: &mut R,
    writer: &mut W,
) -> io::Result<(Sha256Digest, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        writer.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok((Sha256Digest(hasher.finalize().into()), total))
}

/// SHA-256 of an in-memory buffer (small things: thumbnails, audit rows).
pub fn hash_bytes(bytes: &[u8]) -> Sha256Digest {
    Sha256Digest(Sha256::digest(bytes).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(
            hash_bytes(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (d, n) = hash_reader(&b""[..]).unwrap();
        assert_eq!(n, 0);
        assert_eq!(
            d.to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn streaming_equals_one_shot_across_chunk_boundaries() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 12345))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let mut out = Vec::new();
        let (d, n) = copy_hashing(&mut &data[..], &mut out).unwrap();
        assert_eq!(n as usize, data.len());
        assert_eq!(out, data);
        assert_eq!(d, hash_bytes(&data));
    }

    #[test]
    fn hex_round_trip() {
        let d = hash_bytes(b"x");
        assert_eq!(d.to_hex().parse::<Sha256Digest>().unwrap(), d);
        assert!("zz".parse::<Sha256Digest>().is_err());
    }
}
