//! A byte-rate limiter: after each piece of work the caller reports how many
//! bytes it read, and [`Pacer::pace`] sleeps just long enough to keep the
//! average at the configured rate.

use std::time::{Duration, Instant};

pub struct Pacer {
    bytes_per_sec: Option<u64>,
    start: Instant,
    bytes: u64,
}

impl Pacer {
    /// `None` (or 0) means no limit.
    pub fn new(bytes_per_sec: Option<u64>) -> Pacer {
        Pacer {
            bytes_per_sec: bytes_per_sec.filter(|b| *b > 0),
            start: Instant::now(),
            bytes: 0,
        }
    }

    /// How long to wait after `bytes` more, given the time elapsed so far.
    pub fn delay_after(&mut self, bytes: u64, elapsed: Duration) -> Duration {
        self.bytes += bytes;
        match self.bytes_per_sec {
            None => Duration::ZERO,
            Some(rate) => {
                let due = Duration::from_secs_f64(self.bytes as f64 / rate as f64);
                due.saturating_sub(elapsed)
            }
        }
    }

    /// Records `bytes` and sleeps if the pass is ahead of its rate.
    pub fn pace(&mut self, bytes: u64) {
        let wait = self.delay_after(bytes, self.start.elapsed());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_only_when_ahead_of_the_rate() {
        let mut p = Pacer::new(Some(1_000_000));
        assert_eq!(
            p.delay_after(500_000, Duration::from_millis(100)),
            Duration::from_millis(400)
        );
        assert_eq!(
            p.delay_after(500_000, Duration::from_secs(2)),
            Duration::ZERO
        );
        let mut free = Pacer::new(None);
        assert_eq!(
            free.delay_after(u64::MAX / 2, Duration::ZERO),
            Duration::ZERO
        );
    }
}
