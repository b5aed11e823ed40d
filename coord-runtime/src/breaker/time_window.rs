//! The time-based window of a breaker (`time_window = "60s"`): its calls, failures and slow
//! calls over the last stretch of time rather than the last N calls, for a dependency whose
//! traffic comes in bursts, where "the last 20 calls" may span a second or an hour.
//!
//! The stretch is ten buckets of a tenth of it each, so the window slides in tenths. A bucket
//! is one atomic word holding its bucket number, its calls and its count (failures in one
//! array, slow calls in the other), updated by compare-and-swap: no lock, and a bucket left
//! over from an older stretch is simply restarted.

use std::time::Duration;

use crate::base::sync::{AtomicU64, Ordering};

const BUCKETS: usize = 10;
/// Bits of a bucket word: the bucket number (wrapping), then calls, then the count.
const COUNT_BITS: u32 = 20;
const CALLS_BITS: u32 = 20;
const COUNT_MAX: u64 = (1 << COUNT_BITS) - 1;
const CALLS_MAX: u64 = (1 << CALLS_BITS) - 1;
const EPOCH_SHIFT: u32 = COUNT_BITS + CALLS_BITS;
const EPOCH_MASK: u64 = (1 << (64 - EPOCH_SHIFT)) - 1;

/// Calls and counts of one kind over the stretch.
struct Buckets([AtomicU64; BUCKETS]);

impl Buckets {
    fn new() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }

    fn add(&self, epoch: u64, counted: bool) {
        let slot = &self.0[(epoch % BUCKETS as u64) as usize];
        let stamp = (epoch & EPOCH_MASK) << EPOCH_SHIFT;
        let mut current = slot.load(Ordering::Relaxed);
        loop {
            let next = if current >> EPOCH_SHIFT == epoch & EPOCH_MASK {
                let calls = ((current >> COUNT_BITS) & CALLS_MAX)
                    .saturating_add(1)
                    .min(CALLS_MAX);
                let count =
                    (current & COUNT_MAX) + u64::from(counted && current & COUNT_MAX < COUNT_MAX);
                stamp | (calls << COUNT_BITS) | count
            } else {
                stamp | (1 << COUNT_BITS) | u64::from(counted)
            };
            match slot.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// (calls, count) of the buckets within the stretch ending at `epoch`.
    fn totals(&self, epoch: u64) -> (u64, u64) {
        self.0.iter().fold((0, 0), |(calls, count), slot| {
            let value = slot.load(Ordering::Relaxed);
            let age = (epoch & EPOCH_MASK).wrapping_sub(value >> EPOCH_SHIFT) & EPOCH_MASK;
            if value != 0 && age < BUCKETS as u64 {
                (
                    calls + ((value >> COUNT_BITS) & CALLS_MAX),
                    count + (value & COUNT_MAX),
                )
            } else {
                (calls, count)
            }
        })
    }

    fn clear(&self) {
        for slot in &self.0 {
            slot.store(0, Ordering::Relaxed);
        }
    }
}

/// A breaker's calls, failures and slow calls over the last `span`.
pub(crate) struct TimeWindow {
    bucket_nanos: u64,
    failures: Buckets,
    slow: Buckets,
}

/// What the window holds now.
pub(crate) struct WindowCounts {
    pub calls: u64,
    pub failures: u64,
    pub slow: u64,
}

impl TimeWindow {
    pub(crate) fn new(span: Duration) -> Self {
        let span = u64::try_from(span.as_nanos()).unwrap_or(u64::MAX);
        Self {
            bucket_nanos: (span / BUCKETS as u64).max(1),
            failures: Buckets::new(),
            slow: Buckets::new(),
        }
    }

    fn epoch(&self, now: Duration) -> u64 {
        // Bucket numbers start at 1, so a zeroed bucket never looks current.
        u64::try_from(now.as_nanos()).unwrap_or(u64::MAX) / self.bucket_nanos + 1
    }

    /// Records one call at `now`; counts the stretch afterwards.
    pub(crate) fn record(
        &self,
        now: Duration,
        failed: bool,
        slow: bool,
        timing_slow: bool,
    ) -> WindowCounts {
        let epoch = self.epoch(now);
        self.failures.add(epoch, failed);
        if timing_slow {
            self.slow.add(epoch, slow);
        }
        let (calls, failures) = self.failures.totals(epoch);
        let slow = if timing_slow {
            self.slow.totals(epoch).1
        } else {
            0
        };
        WindowCounts {
            calls,
            failures,
            slow,
        }
    }

    pub(crate) fn clear(&self) {
        self.failures.clear();
        self.slow.clear();
    }
}

#[cfg(all(test, not(coord_loom)))]
mod tests {
    use super::*;

    #[test]
    fn buckets_slide_in_tenths_of_the_span() {
        let window = TimeWindow::new(Duration::from_secs(10));
        let at = Duration::from_millis;
        window.record(at(0), true, false, false);
        window.record(at(500), false, false, false);
        let counts = window.record(at(9_500), true, false, false);
        assert_eq!((counts.calls, counts.failures), (3, 2));
        // At 10.5 s the first second's bucket (calls at 0 and 0.5 s) has left the window.
        let counts = window.record(at(10_500), false, false, false);
        assert_eq!((counts.calls, counts.failures), (2, 1));
        let counts = window.record(at(60_000), false, false, false);
        assert_eq!((counts.calls, counts.failures), (1, 0));
    }
}
