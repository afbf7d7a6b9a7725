//! SHA-256 (and, for BagIt, SHA-512) over streams. Files are hashed in
//! fixed-size chunks while they are read (or copied), never loaded whole.
//! `sha2` picks the SHA-NI code path at run time on CPUs that have it.
//!
//! - [`copy_hashing`]: one stream, SHA-256, copied on the way;
//! - [`copy_hashing_both`]: one stream, SHA-256 and SHA-512 from the same
//!   read, the two digests on two threads;
//! - [`many::hash_streams`]: many streams at once, spread over the cores,
//!   SHA-512 in AVX-512 lanes ([`lanes`]) when the CPU has them.

pub mod lanes;
pub mod many;

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256, Sha512};

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

/// Reads `reader` to its end in [`CHUNK`]-sized pieces, handing each to
/// `each`. Returns the byte count. The one read loop of this crate.
fn for_each_chunk<R: Read + ?Sized>(
    reader: &mut R,
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        each(&buf[..n])?;
        total += n as u64;
    }
    Ok(total)
}

/// Copies `reader` into `writer` and hashes the bytes on the way.
pub fn copy_hashing<R: Read + ?Sized, W: Write + ?Sized>(
    reader: &mut R,
    writer: &mut W,
) -> io::Result<(Sha256Digest, u64)> {
    let mut hasher = Sha256::new();
    let total = for_each_chunk(reader, |chunk| {
        hasher.update(chunk);
        writer.write_all(chunk)
    })?;
    Ok((Sha256Digest(hasher.finalize().into()), total))
}

/// The SHA-256 and SHA-512 of one stream (BagIt's two manifests).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digests {
    pub sha256: Sha256Digest,
    pub sha512: [u8; 64],
    pub size: u64,
}

impl Digests {
    pub fn sha512_hex(&self) -> String {
        hex::encode(self.sha512)
    }
}

impl fmt::Debug for Digests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Digests")
            .field("sha256", &self.sha256.to_hex())
            .field("sha512", &self.sha512_hex())
            .field("size", &self.size)
            .finish()
    }
}

/// SHA-256 and SHA-512 fed the same bytes. Large pieces are hashed on two
/// threads at once (SHA-512 is the slower of the two).
pub struct BothHasher {
    sha256: Sha256,
    sha512: Sha512,
    size: u64,
}

impl Default for BothHasher {
    fn default() -> Self {
        BothHasher {
            sha256: Sha256::new(),
            sha512: Sha512::new(),
            size: 0,
        }
    }
}

impl BothHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        let (s256, s512) = (&mut self.sha256, &mut self.sha512);
        if bytes.len() >= 64 << 10 {
            rayon::join(|| s256.update(bytes), || s512.update(bytes));
        } else {
            s256.update(bytes);
            s512.update(bytes);
        }
        self.size += bytes.len() as u64;
    }

    pub fn finish(self) -> Digests {
        Digests {
            sha256: Sha256Digest(self.sha256.finalize().into()),
            sha512: self.sha512.finalize().into(),
            size: self.size,
        }
    }
}

/// SHA-256 alone, or SHA-256 and SHA-512 ([`BothHasher`]), chosen per
/// stream: a stored file whose SHA-512 is already recorded needs only its
/// SHA-256 (at SHA-NI speed) to prove its bytes are the ones recorded.
pub enum StreamHasher {
    Sha256 { hasher: Sha256, size: u64 },
    Both(Box<BothHasher>),
}

impl StreamHasher {
    pub fn new(with_sha512: bool) -> StreamHasher {
        if with_sha512 {
            StreamHasher::Both(Box::default())
        } else {
            StreamHasher::Sha256 {
                hasher: Sha256::new(),
                size: 0,
            }
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            StreamHasher::Sha256 { hasher, size } => {
                hasher.update(bytes);
                *size += bytes.len() as u64;
            }
            StreamHasher::Both(h) => h.update(bytes),
        }
    }

    /// The SHA-256, the SHA-512 if it was computed, and the byte count.
    pub fn finish(self) -> (Sha256Digest, Option<[u8; 64]>, u64) {
        match self {
            StreamHasher::Sha256 { hasher, size } => {
                (Sha256Digest(hasher.finalize().into()), None, size)
            }
            StreamHasher::Both(h) => {
                let d = h.finish();
                (d.sha256, Some(d.sha512), d.size)
            }
        }
    }
}

/// Copies `reader` into `writer` and computes both digests from the same
/// read: each byte is read once and written from the buffer it was hashed in.
pub fn copy_hashing_both<R: Read + ?Sized, W: Write + ?Sized>(
    reader: &mut R,
    writer: &mut W,
) -> io::Result<Digests> {
    let mut hasher = BothHasher::default();
    for_each_chunk(reader, |chunk| {
        hasher.update(chunk);
        writer.write_all(chunk)
    })?;
    Ok(hasher.finish())
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
    fn both_digests_equal_one_shot_ones() {
        let data: Vec<u8> = (0..(CHUNK + 777)).map(|i| (i * 7 % 253) as u8).collect();
        let mut out = Vec::new();
        let d = copy_hashing_both(&mut &data[..], &mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.sha256, hash_bytes(&data));
        assert_eq!(d.sha512, <[u8; 64]>::from(Sha512::digest(&data)));
        assert_eq!(
            copy_hashing_both(&mut &b"abc"[..], &mut io::sink())
                .unwrap()
                .sha512_hex(),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn a_stream_hasher_gives_the_sha512_only_when_asked() {
        let data: Vec<u8> = (0..(CHUNK / 2 + 99)).map(|i| (i * 5 % 241) as u8).collect();
        for with_sha512 in [false, true] {
            let mut h = StreamHasher::new(with_sha512);
            for piece in data.chunks(70_000) {
                h.update(piece);
            }
            let (sha256, sha512, size) = h.finish();
            assert_eq!(sha256, hash_bytes(&data));
            assert_eq!(size, data.len() as u64);
            assert_eq!(
                sha512,
                with_sha512.then(|| <[u8; 64]>::from(Sha512::digest(&data)))
            );
        }
    }

    #[test]
    fn hex_round_trip() {
        let d = hash_bytes(b"x");
        assert_eq!(d.to_hex().parse::<Sha256Digest>().unwrap(), d);
        assert!("zz".parse::<Sha256Digest>().is_err());
    }
}
