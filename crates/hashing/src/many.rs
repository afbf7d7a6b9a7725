//! Many streams hashed with SHA-256 and SHA-512 at once (a bag's payload:
//! each file copied into the bag, or read to check it).
//!
//! The streams wait in one shared queue, largest first, and one worker per
//! core takes the next stream whenever it has room for one, so a core that
//! another program slows down simply takes fewer streams (no fixed split
//! that waits for its slowest part). A worker keeps up to eight streams open,
//! each read in [`LANE_CHUNK`] pieces; every piece is hashed with SHA-256
//! (SHA-NI) and written out from the same buffer, and the SHA-512 of the
//! eight streams advances together in AVX-512 lanes ([`Sha512Lanes`]). With
//! no more streams than two per worker, or on a CPU without AVX-512, each
//! worker hashes stream by stream with
//! [`copy_hashing_both`](crate::copy_hashing_both).
//!
//! Streams are opened only when a lane is free, so ten thousand files never
//! hold ten thousand descriptors.

use std::io::{self, Read, Write};
use std::sync::Mutex;

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::lanes::{Sha512Lanes, BLOCK, LANES};
use crate::{copy_hashing_both, Digests, Sha256Digest};

/// Read size per lane: eight lanes' buffers (2 MiB) stay in a core's L2
/// cache between the read that fills them and the hashing that empties them.
pub const LANE_CHUNK: usize = 256 << 10;

/// Why one stream has no digests.
#[derive(Debug)]
pub enum StreamError<E> {
    /// The caller's `open` failed.
    Open(E),
    Read(io::Error),
    Write(io::Error),
}

/// Hashes every item's stream: `open` turns an item into its reader and the
/// writer its bytes are copied to (`io::sink()` to only hash); `size` is
/// the expected length, used to balance the work. Results come back in the
/// order of `items`. A failing stream fails alone.
pub fn hash_streams<T, R, W, E, S, O>(
    items: Vec<T>,
    size: S,
    open: O,
) -> Vec<Result<Digests, StreamError<E>>>
where
    T: Send,
    R: Read,
    W: Write,
    E: Send,
    S: Fn(&T) -> u64,
    O: Fn(T) -> Result<(R, W), E> + Sync,
{
    let count = items.len();
    let workers = rayon::current_num_threads().max(1);
    let lanes = count > 2 * workers && Sha512Lanes::new().is_some();
    let queue = Queue::largest_first(items, &size);
    let mut done: Vec<(usize, Result<Digests, StreamError<E>>)> = (0..workers.min(count))
        .into_par_iter()
        .flat_map_iter(|_| match Sha512Lanes::new().filter(|_| lanes) {
            Some(l) => run_lanes(l, &queue, count.div_ceil(workers), &open),
            None => std::iter::from_fn(|| queue.next())
                .map(|(i, t)| (i, one_by_one(t, &open)))
                .collect(),
        })
        .collect();
    done.sort_by_key(|(i, _)| *i);
    debug_assert_eq!(done.len(), count);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The streams not yet taken, each with its index in the caller's list.
struct Queue<T> {
    /// Smallest first, so `pop` hands out the largest.
    rest: Mutex<Vec<(usize, T)>>,
}

impl<T> Queue<T> {
    fn largest_first<S: Fn(&T) -> u64>(items: Vec<T>, size: &S) -> Queue<T> {
        let mut sized: Vec<(u64, usize, T)> = items
            .into_iter()
            .enumerate()
            .map(|(i, t)| (size(&t), i, t))
            .collect();
        // Largest first, ties in the caller's order: sorted the other way
        // round because the queue pops from the end.
        sized.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        Queue {
            rest: Mutex::new(sized.into_iter().map(|(_, i, t)| (i, t)).collect()),
        }
    }

    fn next(&self) -> Option<(usize, T)> {
        self.rest.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn is_empty(&self) -> bool {
        self.rest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }
}

type Done<E> = Vec<(usize, Result<Digests, StreamError<E>>)>;

fn one_by_one<T, R: Read, W: Write, E, O>(item: T, open: &O) -> Result<Digests, StreamError<E>>
where
    O: Fn(T) -> Result<(R, W), E>,
{
    let (mut r, mut w) = open(item).map_err(StreamError::Open)?;
    // Tell read errors from write errors: the writer is wrapped.
    let mut write_failed = None;
    let mut tracked = TrackWrite {
        inner: &mut w,
        failed: &mut write_failed,
    };
    let result = copy_hashing_both(&mut r, &mut tracked);
    if let Some(e) = write_failed {
        return Err(StreamError::Write(e));
    }
    let d = result.map_err(StreamError::Read)?;
    w.flush().map_err(StreamError::Write)?;
    Ok(d)
}

/// A writer that remembers its own failure (to name it apart from a read's).
struct TrackWrite<'a, W> {
    inner: &'a mut W,
    failed: &'a mut Option<io::Error>,
}

impl<W: Write> Write for TrackWrite<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            *self.failed = Some(io::Error::new(e.kind(), e.to_string()));
        })
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf).inspect_err(|e| {
            *self.failed = Some(io::Error::new(e.kind(), e.to_string()));
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// One open stream in a lane.
struct Lane<R, W> {
    index: usize,
    reader: R,
    writer: W,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    sha256: Sha256,
    total: u64,
}

impl<R: Read, W: Write> Lane<R, W> {
    fn available(&self) -> usize {
        self.end - self.start
    }

    /// Reads until at least one whole block is buffered or the stream ends;
    /// new bytes are hashed with SHA-256 and written out at once.
    fn top_up<E>(&mut self) -> Result<(), StreamError<E>> {
        if self.available() >= BLOCK || self.eof {
            return Ok(());
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < BLOCK && !self.eof {
            let n = match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StreamError::Read(e)),
            };
            let fresh = &self.buf[self.end..self.end + n];
            self.sha256.update(fresh);
            self.writer.write_all(fresh).map_err(StreamError::Write)?;
            self.end += n;
            self.total += n as u64;
        }
        Ok(())
    }
}

/// One worker: keeps up to eight streams in lanes. It takes streams up to
/// its `share` (its part of all of them); past that, only when its lanes
/// are all empty, so a worker that a busy core slows down is relieved, but
/// two equal workers never end with one hashing the last streams alone.
fn run_lanes<T, R: Read, W: Write, E, O>(
    mut lanes: Sha512Lanes,
    queue: &Queue<T>,
    share: usize,
    open: &O,
) -> Done<E>
where
    O: Fn(T) -> Result<(R, W), E>,
{
    let mut out = Vec::new();
    let mut slots: [Option<Lane<R, W>>; LANES] = std::array::from_fn(|_| None);
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut taken = 0usize;
    loop {
        // Open streams into free lanes.
        let idle = slots.iter().all(Option::is_none);
        for (l, slot) in slots.iter_mut().enumerate() {
            while slot.is_none() && (taken < share || idle) {
                let Some((index, item)) = queue.next() else {
                    break;
                };
                taken += 1;
                match open(item) {
                    Ok((reader, writer)) => {
                        lanes.reset_lane(l);
                        *slot = Some(Lane {
                            index,
                            reader,
                            writer,
                            buf: spare.pop().unwrap_or_else(|| vec![0u8; LANE_CHUNK]),
                            start: 0,
                            end: 0,
                            eof: false,
                            sha256: Sha256::new(),
                            total: 0,
                        });
                    }
                    Err(e) => out.push((index, Err(StreamError::Open(e)))),
                }
            }
        }
        // Fill every lane with at least a block; finish the streams that ended.
        let mut freed = false;
        for (l, slot) in slots.iter_mut().enumerate() {
            let Some(lane) = slot.as_mut() else { continue };
            let finished = match lane.top_up() {
                Err(e) => Some(Err(e)),
                Ok(()) if lane.eof && lane.available() < BLOCK => {
                    let tail = &lane.buf[lane.start..lane.end];
                    let sha512 = lanes.finish_lane(l, tail, lane.total);
                    Some(
                        lane.writer
                            .flush()
                            .map_err(StreamError::Write)
                            .map(|()| Digests {
                                sha256: Sha256Digest(
                                    std::mem::take(&mut lane.sha256).finalize().into(),
                                ),
                                sha512,
                                size: lane.total,
                            }),
                    )
                }
                Ok(()) => None,
            };
            if let Some(result) = finished {
                let lane = slot.take().expect("the lane was open");
                out.push((lane.index, result));
                spare.push(lane.buf);
                freed = true;
            }
        }
        if freed && !queue.is_empty() {
            continue;
        }
        // Hash as many whole blocks as every open lane holds.
        let mut active = 0u8;
        let mut blocks = usize::MAX;
        for (l, slot) in slots.iter().enumerate() {
            if let Some(lane) = slot {
                active |= 1 << l;
                blocks = blocks.min(lane.available() / BLOCK);
            }
        }
        if active == 0 {
            if queue.is_empty() {
                break;
            }
            continue;
        }
        let data: [&[u8]; LANES] = std::array::from_fn(|l| match &slots[l] {
            Some(lane) => &lane.buf[lane.start..lane.end],
            None => &[][..],
        });
        lanes.update(data, blocks, active);
        for lane in slots.iter_mut().flatten() {
            lane.start += blocks * BLOCK;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Sha512;

    fn bytes(n: usize, seed: usize) -> Vec<u8> {
        (0..n)
            .map(|i| ((i * 131 + seed * 7919) % 251) as u8)
            .collect()
    }

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn every_stream_gets_its_own_digests_and_copy() {
        let lens = [
            0,
            1,
            127,
            128,
            129,
            4000,
            LANE_CHUNK - 1,
            LANE_CHUNK + 200,
            2 * LANE_CHUNK + 5,
            crate::CHUNK + 3,
            17,
            300_000,
            111,
            112,
            5,
            9000,
            65_536,
            1_000_001,
            250,
            3,
        ];
        let data: Vec<Vec<u8>> = lens.iter().enumerate().map(|(i, n)| bytes(*n, i)).collect();
        let items: Vec<usize> = (0..data.len()).collect();
        let copies: Vec<std::sync::Mutex<Vec<u8>>> = data
            .iter()
            .map(|_| std::sync::Mutex::new(Vec::new()))
            .collect();
        let results = hash_streams(
            items,
            |i| data[*i].len() as u64,
            |i| -> Result<_, ()> {
                let step = if i % 3 == 0 { 1000 } else { usize::MAX };
                Ok((Trickle(&data[i], step), CopyInto(&copies[i])))
            },
        );
        assert_eq!(results.len(), data.len());
        for (i, r) in results.into_iter().enumerate() {
            let d = r.unwrap_or_else(|e| panic!("stream {i}: {e:?}"));
            assert_eq!(d.size, data[i].len() as u64, "stream {i}");
            assert_eq!(d.sha256, crate::hash_bytes(&data[i]), "stream {i}");
            assert_eq!(
                d.sha512,
                <[u8; 64]>::from(Sha512::digest(&data[i])),
                "stream {i}"
            );
            assert_eq!(*copies[i].lock().unwrap(), data[i], "copy of stream {i}");
        }
    }

    struct CopyInto<'a>(&'a std::sync::Mutex<Vec<u8>>);

    impl Write for CopyInto<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Broken;

    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk gone"))
        }
    }

    #[test]
    fn a_failing_stream_fails_alone() {
        let items: Vec<usize> = (0..6).collect();
        let good = bytes(1000, 1);
        let results = hash_streams(
            items,
            |_| 1000,
            |i| -> Result<(Box<dyn Read>, io::Sink), &'static str> {
                match i {
                    2 => Err("no such file"),
                    4 => Ok((Box::new(Broken), io::sink())),
                    _ => Ok((Box::new(&good[..]), io::sink())),
                }
            },
        );
        for (i, r) in results.iter().enumerate() {
            match (i, r) {
                (2, Err(StreamError::Open("no such file"))) => {}
                (4, Err(StreamError::Read(e))) => assert_eq!(e.to_string(), "disk gone"),
                (2 | 4, other) => panic!("stream {i}: {other:?}"),
                (_, Ok(d)) => assert_eq!(d.sha256, crate::hash_bytes(&good)),
                (_, Err(e)) => panic!("stream {i}: {e:?}"),
            }
        }
    }

    #[test]
    fn few_streams_are_hashed_one_by_one_with_the_same_results() {
        // No more streams than two per worker: no lanes.
        let data = [bytes(3 * LANE_CHUNK + 1, 1), bytes(129, 2)];
        let results = hash_streams(
            vec![0usize, 1],
            |i| data[*i].len() as u64,
            |i| -> Result<_, ()> { Ok((Trickle(&data[i], 70_000), io::sink())) },
        );
        for (i, r) in results.into_iter().enumerate() {
            let d = r.unwrap();
            assert_eq!(d.sha256, crate::hash_bytes(&data[i]), "stream {i}");
            assert_eq!(d.sha512, <[u8; 64]>::from(Sha512::digest(&data[i])));
        }
    }

    #[test]
    fn the_queue_hands_out_the_largest_first_ties_in_order() {
        let q = Queue::largest_first(vec![5u64, 1, 9, 3, 9, 7], &|x: &u64| *x);
        let order: Vec<(usize, u64)> = std::iter::from_fn(|| q.next()).collect();
        assert_eq!(order, [(2, 9), (4, 9), (5, 7), (0, 5), (3, 3), (1, 1)]);
        assert!(q.is_empty());
    }
}
