//! SHA-512 of eight independent streams at once, one stream per 64-bit lane
//! of an AVX-512 register (multi-buffer hashing). SHA-512 is sequential
//! within a stream, so a single stream cannot go faster than one core's
//! scalar code; eight streams in lanes share every instruction, and
//! AVX-512's 64-bit rotate and three-input logic make a round a handful of
//! instructions. On this project's CPUs that is several times the scalar
//! rate per core (see `benches/integrity.sh`).
//!
//! [`Sha512Lanes`] holds eight hash states. The caller feeds whole 128-byte
//! blocks to the lanes it marks active and pads the last block itself
//! ([`Sha512Lanes::finish_lane`] does it). [`Sha512Lanes::new`] returns `None`
//! on CPUs without AVX-512F and AVX-512BW; callers then hash streams one by
//! one.
//!
//! This is the only module with `unsafe` code: calling the AVX-512 function
//! after the CPU was checked at run time, and moving eight `u64`s in and out
//! of a 512-bit register.
#![allow(unsafe_code)]

/// Bytes per SHA-512 block.
pub const BLOCK: usize = 128;
/// Streams hashed together.
pub const LANES: usize = 8;

const H0: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

const K: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// Eight SHA-512 states; `state[word][lane]`.
pub struct Sha512Lanes {
    state: [[u64; LANES]; 8],
}

impl Sha512Lanes {
    /// Eight fresh states, or `None` when the CPU lacks AVX-512F and BW.
    pub fn new() -> Option<Sha512Lanes> {
        if !available() {
            return None;
        }
        let mut lanes = Sha512Lanes {
            state: [[0; LANES]; 8],
        };
        for lane in 0..LANES {
            lanes.reset_lane(lane);
        }
        Some(lanes)
    }

    /// Starts a new stream in `lane`.
    pub fn reset_lane(&mut self, lane: usize) {
        for (word, h) in self.state.iter_mut().zip(H0) {
            word[lane] = h;
        }
    }

    /// Hashes `blocks` whole blocks from each active lane's slice (bit `l`
    /// of `active` set: `data[l]` holds at least `blocks * 128` bytes).
    /// Inactive lanes keep their state and their slices are not read.
    pub fn update(&mut self, data: [&[u8]; LANES], blocks: usize, active: u8) {
        for (l, d) in data.iter().enumerate() {
            assert!(
                active & (1 << l) == 0 || d.len() >= blocks * BLOCK,
                "lane {l} has fewer than {blocks} blocks"
            );
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `Sha512Lanes` exists only after `available()` found
        // AVX-512F and AVX-512BW on this CPU (see `new`); the lengths were checked above.
        unsafe {
            avx512::compress(&mut self.state, &data, blocks, active)
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("Sha512Lanes::new returns None off x86-64");
    }

    /// Pads `tail` (the stream's last `total % 128` bytes; `total` is the
    /// stream's length) into one or two blocks, hashes them in `lane` alone
    /// and returns the digest. The lane is then free for a new stream.
    pub fn finish_lane(&mut self, lane: usize, tail: &[u8], total: u64) -> [u8; 64] {
        assert!(tail.len() < BLOCK, "the tail is less than a block");
        let mut pad = [0u8; 2 * BLOCK];
        pad[..tail.len()].copy_from_slice(tail);
        pad[tail.len()] = 0x80;
        let blocks = if tail.len() < BLOCK - 16 { 1 } else { 2 };
        let bits = u128::from(total) * 8;
        pad[blocks * BLOCK - 16..blocks * BLOCK].copy_from_slice(&bits.to_be_bytes());
        let mut data: [&[u8]; LANES] = [&[]; LANES];
        data[lane] = &pad[..blocks * BLOCK];
        self.update(data, blocks, 1 << lane);
        let mut out = [0u8; 64];
        for (chunk, word) in out.chunks_exact_mut(8).zip(&self.state) {
            chunk.copy_from_slice(&word[lane].to_be_bytes());
        }
        self.reset_lane(lane);
        out
    }
}

fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512bw")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{BLOCK, K, LANES};

    #[inline(always)]
    fn to_vec(words: [u64; LANES]) -> __m512i {
        // SAFETY: both are 64 plain bytes; every bit pattern is valid.
        unsafe { std::mem::transmute::<[u64; LANES], __m512i>(words) }
    }

    #[inline(always)]
    fn to_words(v: __m512i) -> [u64; LANES] {
        // SAFETY: as above.
        unsafe { std::mem::transmute::<__m512i, [u64; LANES]>(v) }
    }

    #[inline(always)]
    fn load(bytes: &[u8]) -> __m512i {
        let a: [u8; 64] = bytes.try_into().expect("64 bytes");
        // SAFETY: 64 plain bytes; every bit pattern is valid.
        unsafe { std::mem::transmute::<[u8; 64], __m512i>(a) }
    }

    /// The sixteen message words of block `b`, lane by lane (a lane not in
    /// `active` reads zeros): each lane's 128 bytes are loaded as two rows
    /// of eight words, the 8×8 word matrices are transposed with shuffles,
    /// and the bytes of each word are swapped from big-endian.
    #[target_feature(enable = "avx512f,avx512bw")]
    #[inline]
    fn words(data: &[&[u8]; LANES], b: usize, active: u8) -> [__m512i; 16] {
        const ZERO: [u8; BLOCK] = [0; BLOCK];
        let block = |l: usize| -> &[u8] {
            if active & (1 << l) != 0 {
                &data[l][b * BLOCK..(b + 1) * BLOCK]
            } else {
                &ZERO
            }
        };
        let swap = _mm512_set_epi64(
            0x08090a0b0c0d0e0f,
            0x0001020304050607,
            0x08090a0b0c0d0e0f,
            0x0001020304050607,
            0x08090a0b0c0d0e0f,
            0x0001020304050607,
            0x08090a0b0c0d0e0f,
            0x0001020304050607,
        );
        let mut out = [_mm512_setzero_si512(); 16];
        for half in 0..2 {
            let r: [__m512i; LANES] =
                std::array::from_fn(|l| load(&block(l)[half * 64..half * 64 + 64]));
            let t0 = _mm512_unpacklo_epi64(r[0], r[1]);
            let t1 = _mm512_unpackhi_epi64(r[0], r[1]);
            let t2 = _mm512_unpacklo_epi64(r[2], r[3]);
            let t3 = _mm512_unpackhi_epi64(r[2], r[3]);
            let t4 = _mm512_unpacklo_epi64(r[4], r[5]);
            let t5 = _mm512_unpackhi_epi64(r[4], r[5]);
            let t6 = _mm512_unpacklo_epi64(r[6], r[7]);
            let t7 = _mm512_unpackhi_epi64(r[6], r[7]);
            let u0 = _mm512_shuffle_i64x2::<0x88>(t0, t2);
            let u1 = _mm512_shuffle_i64x2::<0xDD>(t0, t2);
            let u2 = _mm512_shuffle_i64x2::<0x88>(t4, t6);
            let u3 = _mm512_shuffle_i64x2::<0xDD>(t4, t6);
            let v0 = _mm512_shuffle_i64x2::<0x88>(t1, t3);
            let v1 = _mm512_shuffle_i64x2::<0xDD>(t1, t3);
            let v2 = _mm512_shuffle_i64x2::<0x88>(t5, t7);
            let v3 = _mm512_shuffle_i64x2::<0xDD>(t5, t7);
            let w = [
                _mm512_shuffle_i64x2::<0x88>(u0, u2),
                _mm512_shuffle_i64x2::<0x88>(v0, v2),
                _mm512_shuffle_i64x2::<0x88>(u1, u3),
                _mm512_shuffle_i64x2::<0x88>(v1, v3),
                _mm512_shuffle_i64x2::<0xDD>(u0, u2),
                _mm512_shuffle_i64x2::<0xDD>(v0, v2),
                _mm512_shuffle_i64x2::<0xDD>(u1, u3),
                _mm512_shuffle_i64x2::<0xDD>(v1, v3),
            ];
            for (t, v) in w.into_iter().enumerate() {
                out[half * 8 + t] = _mm512_shuffle_epi8(v, swap);
            }
        }
        out
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn big_sigma0(a: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(
            _mm512_ror_epi64::<28>(a),
            _mm512_ror_epi64::<34>(a),
            _mm512_ror_epi64::<39>(a),
        )
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn big_sigma1(e: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(
            _mm512_ror_epi64::<14>(e),
            _mm512_ror_epi64::<18>(e),
            _mm512_ror_epi64::<41>(e),
        )
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn small_sigma0(w: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(
            _mm512_ror_epi64::<1>(w),
            _mm512_ror_epi64::<8>(w),
            _mm512_srli_epi64::<7>(w),
        )
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn small_sigma1(w: __m512i) -> __m512i {
        _mm512_ternarylogic_epi64::<0x96>(
            _mm512_ror_epi64::<19>(w),
            _mm512_ror_epi64::<61>(w),
            _mm512_srli_epi64::<6>(w),
        )
    }

    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) fn compress(
        state: &mut [[u64; LANES]; 8],
        data: &[&[u8]; LANES],
        blocks: usize,
        active: u8,
    ) {
        let mut s: [__m512i; 8] = [_mm512_setzero_si512(); 8];
        for (v, words) in s.iter_mut().zip(state.iter()) {
            *v = to_vec(*words);
        }
        for b in 0..blocks {
            let mut w = words(data, b, active);
            let [mut a, mut bb, mut c, mut d, mut e, mut f, mut g, mut h] = s;
            for (t, k) in K.iter().enumerate() {
                let wt = if t < 16 {
                    w[t]
                } else {
                    let next = _mm512_add_epi64(
                        _mm512_add_epi64(small_sigma1(w[(t - 2) % 16]), w[(t - 7) % 16]),
                        _mm512_add_epi64(small_sigma0(w[(t - 15) % 16]), w[t % 16]),
                    );
                    w[t % 16] = next;
                    next
                };
                let ch = _mm512_ternarylogic_epi64::<0xCA>(e, f, g);
                let maj = _mm512_ternarylogic_epi64::<0xE8>(a, bb, c);
                let t1 = _mm512_add_epi64(
                    _mm512_add_epi64(h, big_sigma1(e)),
                    _mm512_add_epi64(ch, _mm512_add_epi64(_mm512_set1_epi64(*k as i64), wt)),
                );
                let t2 = _mm512_add_epi64(big_sigma0(a), maj);
                h = g;
                g = f;
                f = e;
                e = _mm512_add_epi64(d, t1);
                d = c;
                c = bb;
                bb = a;
                a = _mm512_add_epi64(t1, t2);
            }
            for (v, x) in s.iter_mut().zip([a, bb, c, d, e, f, g, h]) {
                *v = _mm512_mask_add_epi64(*v, active, *v, x);
            }
        }
        for (words, v) in state.iter_mut().zip(s) {
            *words = to_words(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha512};

    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Lengths around every padding boundary, in all eight lanes at once,
    /// against the `sha2` crate.
    #[test]
    fn eight_lanes_equal_the_reference() {
        let Some(mut lanes) = Sha512Lanes::new() else {
            eprintln!("no AVX-512F on this CPU: the lane code cannot run here");
            return;
        };
        let lens = [0, 1, 111, 112, 127, 128, 239, 240, 1000, 4096, 12345];
        for round in 0..lens.len() {
            let streams: Vec<Vec<u8>> = (0..LANES)
                .map(|l| {
                    bytes(
                        lens[(round + l) % lens.len()] + l * 129,
                        (round * 8 + l) as u64,
                    )
                })
                .collect();
            let whole: Vec<usize> = streams.iter().map(|s| s.len() / BLOCK).collect();
            // Feed in steps of unequal size, lanes dropping out as they end.
            let mut done = [0usize; LANES];
            loop {
                let mut active = 0u8;
                let mut step = usize::MAX;
                for l in 0..LANES {
                    if done[l] < whole[l] {
                        active |= 1 << l;
                        step = step.min(whole[l] - done[l]).min(3 + l);
                    }
                }
                if active == 0 {
                    break;
                }
                let data: [&[u8]; LANES] =
                    std::array::from_fn(|l| &streams[l][(done[l] * BLOCK).min(streams[l].len())..]);
                lanes.update(data, step, active);
                for (l, d) in done.iter_mut().enumerate() {
                    if active & (1 << l) != 0 {
                        *d += step;
                    }
                }
            }
            for (l, s) in streams.iter().enumerate() {
                let got = lanes.finish_lane(l, &s[whole[l] * BLOCK..], s.len() as u64);
                let want: [u8; 64] = Sha512::digest(s).into();
                assert_eq!(got, want, "lane {l}, {} bytes", s.len());
            }
        }
    }
}
