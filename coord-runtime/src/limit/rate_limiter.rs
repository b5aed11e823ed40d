//! A rate limiter: at most `per_second` calls a second on average, `burst` of them back to
//! back, by the generic cell rate algorithm (GCRA). Its whole state is one theoretical
//! arrival time in an atomic, moved forward by compare-and-swap: no lock, no refill task, and
//! a refused call learns exactly when one would be admitted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metrics::{Counter, Label};

use super::{ADMITTED, REJECTED};
use crate::base::cells::{self, CellIndex};
use crate::base::clock::Clock;
use crate::base::named_registry::Named;
use crate::telemetry::metric_names::{RATE_LIMITER_CALLS_TOTAL, RATE_LIMITER_LABEL};
use crate::telemetry::publish::Publish;
use crate::telemetry::recorder_cache::RecorderCache;
use crate::values::error::Error;

/// A rate limiter's options.
///
/// ```
/// use coord::limit::RateLimit;
///
/// let limit = RateLimit::per_second(100).burst(20);
/// assert_eq!((limit.per_second_value(), limit.burst_value()), (100, 20));
/// assert_eq!(RateLimit::per_second(100).burst_value(), 100, "a second's worth by default");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_second: u32,
    burst: u32,
}

impl RateLimit {
    /// At most `per_second` calls a second on average; by default a second's worth of them
    /// may come back to back (see [`burst`](RateLimit::burst)).
    ///
    /// # Panics
    /// When `per_second` is 0 or above 1 000 000 000 (`coord_text::PER_SECOND`).
    #[must_use]
    pub const fn per_second(per_second: u32) -> Self {
        assert!(
            coord_text::PER_SECOND.admits_count(per_second as u64),
            "RateLimit::per_second must be 1 to 1 000 000 000"
        );
        Self {
            per_second,
            burst: per_second,
        }
    }

    /// How many calls may come back to back after a quiet spell.
    ///
    /// # Panics
    /// When `burst` is 0 or above 1 000 000 000 (`coord_text::BURST`).
    #[must_use]
    pub const fn burst(mut self, burst: u32) -> Self {
        assert!(
            coord_text::BURST.admits_count(burst as u64),
            "RateLimit::burst must be 1 to 1 000 000 000"
        );
        self.burst = burst;
        self
    }

    /// Calls a second on average.
    #[must_use]
    pub const fn per_second_value(&self) -> u32 {
        self.per_second
    }

    /// Calls back to back.
    #[must_use]
    pub const fn burst_value(&self) -> u32 {
        self.burst
    }

    /// Nanoseconds between calls at the steady rate.
    const fn interval_nanos(&self) -> u64 {
        1_000_000_000 / self.per_second as u64
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "per_second = {}, burst = {}",
            self.per_second, self.burst
        )
    }
}

/// Nanoseconds since the first call, from the processor's counter through one shared
/// calibrated clock: no thread-local lookup (as `quanta::Instant::now` makes, for mocking),
/// one read and one multiply-shift. Every rate limiter on the system clock reads this one.
#[inline(always)]
fn raw_clock_nanos() -> u64 {
    static CLOCK: std::sync::LazyLock<(quanta::Clock, u64)> = std::sync::LazyLock::new(|| {
        let clock = quanta::Clock::new();
        let origin = clock.raw();
        (clock, origin)
    });
    let (clock, origin) = &*CLOCK;
    clock.delta_as_nanos(*origin, clock.raw())
}

/// The series of one rate limiter.
struct RateLimiterMetrics {
    admitted: Counter,
    rejected: Counter,
}

/// A named rate limiter; get one with [`rate_limiter`](crate::rate_limiter).
///
/// ```
/// use coord::limit::RateLimit;
///
/// let api = coord::limit::rate_limiter("docs.api", RateLimit::per_second(1).burst(2));
/// assert!(api.try_acquire().is_ok());
/// assert!(api.try_acquire().is_ok());
/// match api.try_acquire() {
///     Err(coord::Error::RateLimited { retry_after, .. }) => assert!(retry_after <= std::time::Duration::from_secs(1)),
///     other => panic!("{other:?}"),
/// }
/// ```
pub struct RateLimiter {
    name: Box<str>,
    config: RateLimit,
    interval: u64,
    /// How far ahead of now the theoretical arrival time may run: `(burst - 1)` intervals.
    tolerance: u64,
    /// The theoretical arrival time of the next call, in the clock's nanoseconds.
    arrival: AtomicU64,
    /// `None`: the system clock, read without a virtual call.
    clock: Option<Arc<dyn Clock>>,
    cells: CellIndex,
    metrics: RecorderCache<RateLimiterMetrics>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("name", &self.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub(crate) fn new(name: &str, config: RateLimit, clock: Option<Arc<dyn Clock>>) -> Self {
        let interval = config.interval_nanos();
        Self {
            name: name.into(),
            config,
            interval,
            tolerance: interval.saturating_mul(u64::from(config.burst - 1)),
            arrival: AtomicU64::new(0),
            clock,
            cells: cells::allocate(super::CELLS_PER_LIMITER as u32),
            metrics: RecorderCache::new(),
        }
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its options.
    #[must_use]
    pub fn config(&self) -> RateLimit {
        self.config
    }

    /// Calls admitted and refused so far.
    #[must_use]
    pub fn counts(&self) -> (u64, u64) {
        let [admitted, rejected] = cells::sums(self.cells);
        (admitted, rejected)
    }

    /// Admits one call if the rate allows it now.
    ///
    /// # Errors
    /// [`Error::RateLimited`] with how long until a call would be admitted.
    #[inline]
    pub fn try_acquire(&self) -> Result<(), Error> {
        let now = self.now_nanos();
        let mut arrival = self.arrival.load(Ordering::Relaxed);
        loop {
            let next = arrival.max(now);
            let ahead = next - now;
            if ahead > self.tolerance {
                return Err(self.refused(ahead - self.tolerance));
            }
            match self.arrival.compare_exchange_weak(
                arrival,
                next + self.interval,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    cells::add(self.cells + ADMITTED, 1);
                    return Ok(());
                }
                Err(actual) => arrival = actual,
            }
        }
    }

    #[inline(always)]
    fn now_nanos(&self) -> u64 {
        match &self.clock {
            None => raw_clock_nanos(),
            // Past u64 nanoseconds is 584 years of uptime.
            Some(clock) => u64::try_from(clock.now().as_nanos()).unwrap_or(u64::MAX),
        }
    }

    #[cold]
    fn refused(&self, wait_nanos: u64) -> Error {
        cells::add(self.cells + REJECTED, 1);
        crate::base::refusal::note();
        Error::RateLimited {
            rate_limiter: self.name.to_string(),
            retry_after: Duration::from_nanos(wait_nanos),
        }
    }
}

impl Named for RateLimiter {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Publish for RateLimiter {
    fn publish(&self) {
        let metrics = self.metrics.get(|recorder| {
            let label = Label::new(RATE_LIMITER_LABEL, self.name.to_string());
            let [admitted, rejected] =
                super::outcome_counters(recorder, RATE_LIMITER_CALLS_TOTAL, &label);
            RateLimiterMetrics { admitted, rejected }
        });
        let (admitted, rejected) = self.counts();
        metrics.admitted.absolute(admitted);
        metrics.rejected.absolute(rejected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::ManualClock;

    fn limiter(config: RateLimit) -> (RateLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        let limiter = RateLimiter::new("unit.rate", config, Some(clock.clone()));
        (limiter, clock)
    }

    fn waits(result: Result<(), Error>) -> Duration {
        match result {
            Err(Error::RateLimited { retry_after, .. }) => retry_after,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_burst_then_one_call_per_interval() {
        // 10 a second (one per 100 ms), 3 back to back.
        let (limiter, clock) = limiter(RateLimit::per_second(10).burst(3));
        for _ in 0..3 {
            assert!(limiter.try_acquire().is_ok());
        }
        assert_eq!(waits(limiter.try_acquire()), Duration::from_millis(100));
        clock.advance(Duration::from_millis(40));
        assert_eq!(waits(limiter.try_acquire()), Duration::from_millis(60));
        clock.advance(Duration::from_millis(60));
        assert!(
            limiter.try_acquire().is_ok(),
            "one interval later, one more"
        );
        assert!(limiter.try_acquire().is_err());
        assert_eq!(limiter.counts(), (4, 3));
    }

    #[test]
    fn a_quiet_spell_refills_the_burst_and_no_more() {
        let (limiter, clock) = limiter(RateLimit::per_second(10).burst(3));
        assert!(limiter.try_acquire().is_ok());
        clock.advance(Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.try_acquire().is_ok());
        }
        assert!(
            limiter.try_acquire().is_err(),
            "a minute of quiet saves up the burst, not 600 calls"
        );
    }
}
