//! Time as the breaker sees it: a monotonic clock that tests can replace.
//!
//! Breakers measure their open duration with a [`Clock`], never with `Instant::now()` directly,
//! so a test advances a [`ManualClock`] instead of waiting for a real timeout (tokio's paused
//! clock does not move `std::time::Instant`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A monotonic clock: time elapsed since an arbitrary, fixed origin.
///
/// ```
/// use coord::clock::{Clock, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// clock.advance(Duration::from_secs(3));
/// assert_eq!(clock.now(), Duration::from_secs(3));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Time since this clock's origin; never decreases.
    fn now(&self) -> Duration;
}

/// The real monotonic clock, with the process's first use as origin.
///
/// ```
/// use coord::clock::{Clock, SystemClock};
///
/// let clock = SystemClock;
/// let earlier = clock.now();
/// assert!(clock.now() >= earlier);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        static ORIGIN: std::sync::LazyLock<quanta::Instant> =
            std::sync::LazyLock::new(quanta::Instant::now);
        ORIGIN.elapsed()
    }
}

/// A clock that only moves when told to; for tests.
///
/// ```
/// use coord::clock::{Clock, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// assert_eq!(clock.now(), Duration::ZERO);
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.now(), Duration::from_millis(1500));
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock at zero.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A shareable clock at zero, ready to hand to a breaker.
    #[must_use]
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::new())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}
