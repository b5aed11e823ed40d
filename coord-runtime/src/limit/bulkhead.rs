//! A bulkhead: at most `max_concurrent` calls inside at once, the rest waiting up to
//! `max_wait` for a slot (async callers on tokio, sync callers on a condition variable) and
//! then refused.
//!
//! Entering is one compare-and-swap and leaving one subtraction and one load when nobody
//! waits; no lock on the admitted path. A waiter announces itself in `waiting` before its
//! last look at the count, and a leaving call reads `waiting` after freeing its slot (both
//! sequentially consistent), so either the waiter sees the free slot or the leaver sees the
//! waiter and wakes it: no wake-up is lost.

use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Key, Label};

use super::{ADMITTED, REJECTED};
use crate::base::cells::{self, CellIndex};
use crate::base::named_registry::Named;
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::{BULKHEAD_CALLS_TOTAL, BULKHEAD_IN_USE, BULKHEAD_LABEL};
use crate::telemetry::publish::Publish;
use crate::telemetry::recorder_cache::RecorderCache;
use crate::values::error::Error;

/// A bulkhead's options.
///
/// ```
/// use coord::limit::BulkheadConfig;
/// use std::time::Duration;
///
/// let config = BulkheadConfig::new(10).max_wait(Duration::from_millis(50));
/// assert_eq!(config.max_concurrent_value(), 10);
/// assert_eq!(config.max_wait_value(), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkheadConfig {
    max_concurrent: u32,
    max_wait: Duration,
}

impl BulkheadConfig {
    /// At most `max_concurrent` calls at once; a call that finds it full is refused at once
    /// (see [`max_wait`](BulkheadConfig::max_wait)).
    ///
    /// # Panics
    /// When `max_concurrent` is 0 or above 1 000 000 (`coord_text::MAX_CONCURRENT`).
    #[must_use]
    pub const fn new(max_concurrent: u32) -> Self {
        assert!(
            coord_text::MAX_CONCURRENT.admits_count(max_concurrent as u64),
            "BulkheadConfig::new: max_concurrent must be 1 to 1 000 000"
        );
        Self {
            max_concurrent,
            max_wait: Duration::ZERO,
        }
    }

    /// How long a call waits for a slot before it is refused; zero (the default) refuses at
    /// once.
    ///
    /// # Panics
    /// Above one day (`coord_text::MAX_WAIT`).
    #[must_use]
    pub const fn max_wait(mut self, max_wait: Duration) -> Self {
        assert!(
            coord_text::MAX_WAIT.admits_nanos(crate::values::saturating_nanos(max_wait)),
            "BulkheadConfig::max_wait must be at most one day"
        );
        self.max_wait = max_wait;
        self
    }

    /// The most calls inside at once.
    #[must_use]
    pub const fn max_concurrent_value(&self) -> u32 {
        self.max_concurrent
    }

    /// How long a call waits for a slot.
    #[must_use]
    pub const fn max_wait_value(&self) -> Duration {
        self.max_wait
    }
}

impl std::fmt::Display for BulkheadConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "max_concurrent = {}, max_wait = {:?}",
            self.max_concurrent, self.max_wait
        )
    }
}

/// The series of one bulkhead.
struct BulkheadMetrics {
    admitted: Counter,
    rejected: Counter,
    in_use: Gauge,
}

/// A named bulkhead; get one with [`bulkhead`](crate::bulkhead).
///
/// ```
/// use coord::limit::BulkheadConfig;
///
/// let pool = coord::limit::bulkhead("docs.pool", BulkheadConfig::new(1));
/// let slot = pool.try_enter().expect("free");
/// assert!(matches!(pool.try_enter(), Err(coord::Error::BulkheadFull { .. })));
/// drop(slot);
/// assert!(pool.try_enter().is_ok());
/// ```
pub struct Bulkhead {
    name: Box<str>,
    config: BulkheadConfig,
    in_use: AtomicU32,
    waiting: AtomicU32,
    async_waiters: tokio::sync::Notify,
    sync_lock: Mutex<()>,
    sync_freed: Condvar,
    cells: CellIndex,
    metrics: RecorderCache<BulkheadMetrics>,
}

impl std::fmt::Debug for Bulkhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bulkhead")
            .field("name", &self.name)
            .field("config", &self.config)
            .field("in_use", &self.in_use())
            .finish_non_exhaustive()
    }
}

/// A call inside a bulkhead; leaving (on drop) frees its slot.
///
/// ```
/// use coord::limit::BulkheadConfig;
///
/// let pool = coord::limit::bulkhead("docs.slot", BulkheadConfig::new(1));
/// {
///     let _slot = pool.try_enter().unwrap();
///     assert_eq!(pool.in_use(), 1);
/// }
/// assert_eq!(pool.in_use(), 0);
/// ```
#[must_use = "the slot is freed when this is dropped"]
pub struct Slot {
    bulkhead: &'static Bulkhead,
}

impl Drop for Slot {
    #[inline]
    fn drop(&mut self) {
        self.bulkhead.leave();
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Slot").field(&self.bulkhead.name).finish()
    }
}

impl Bulkhead {
    pub(crate) fn new(name: &str, config: BulkheadConfig) -> Self {
        Self {
            name: name.into(),
            config,
            in_use: AtomicU32::new(0),
            waiting: AtomicU32::new(0),
            async_waiters: tokio::sync::Notify::new(),
            sync_lock: Mutex::new(()),
            sync_freed: Condvar::new(),
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
    pub fn config(&self) -> BulkheadConfig {
        self.config
    }

    /// Calls inside now.
    #[must_use]
    pub fn in_use(&self) -> u32 {
        self.in_use.load(Ordering::Relaxed)
    }

    /// Calls admitted and refused so far.
    #[must_use]
    pub fn counts(&self) -> (u64, u64) {
        let [admitted, rejected] = cells::sums(self.cells);
        (admitted, rejected)
    }

    /// Enters if a slot is free, without waiting.
    ///
    /// # Errors
    /// [`Error::BulkheadFull`] when every slot is taken.
    #[inline]
    pub fn try_enter(&'static self) -> Result<Slot, Error> {
        if self.take_slot() {
            Ok(self.admitted())
        } else {
            Err(self.refused(Duration::ZERO))
        }
    }

    /// Enters, blocking the thread up to `max_wait` for a slot.
    ///
    /// # Errors
    /// [`Error::BulkheadFull`] when no slot came free in time.
    #[inline]
    pub fn enter_blocking(&'static self) -> Result<Slot, Error> {
        if self.take_slot() {
            return Ok(self.admitted());
        }
        self.wait_blocking()
    }

    /// Enters, waiting on tokio's clock up to `max_wait` for a slot (the thread is not
    /// blocked).
    ///
    /// # Errors
    /// [`Error::BulkheadFull`] when no slot came free in time.
    #[inline]
    pub async fn enter(&'static self) -> Result<Slot, Error> {
        if self.take_slot() {
            return Ok(self.admitted());
        }
        self.wait_async().await
    }

    /// Enters if a slot is free; `None` when the caller must go through
    /// [`enter`](Bulkhead::enter) (to wait, or be refused). The fast path of an async entry:
    /// no future, and nothing larger than the slot to move.
    #[inline]
    pub(crate) fn enter_now(&'static self) -> Option<Slot> {
        self.take_slot().then(|| self.admitted())
    }

    #[inline(always)]
    fn admitted(&'static self) -> Slot {
        cells::add(self.cells + ADMITTED, 1);
        Slot { bulkhead: self }
    }

    #[cold]
    fn refused(&self, waited: Duration) -> Error {
        cells::add(self.cells + REJECTED, 1);
        crate::base::refusal::note();
        Error::BulkheadFull {
            bulkhead: self.name.to_string(),
            max_concurrent: self.config.max_concurrent,
            waited,
        }
    }

    /// Takes a slot if one is free.
    #[inline(always)]
    fn take_slot(&self) -> bool {
        let mut current = self.in_use.load(Ordering::Relaxed);
        loop {
            if current >= self.config.max_concurrent {
                return false;
            }
            match self.in_use.compare_exchange_weak(
                current,
                current + 1,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    #[inline(always)]
    fn leave(&self) {
        self.in_use.fetch_sub(1, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.wake_a_waiter();
        }
    }

    #[cold]
    fn wake_a_waiter(&self) {
        self.async_waiters.notify_one();
        // Under the lock, so a sync waiter between its last look and its wait cannot miss it.
        let _locked = self
            .sync_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.sync_freed.notify_one();
    }

    #[cold]
    fn wait_blocking(&'static self) -> Result<Slot, Error> {
        let max_wait = self.config.max_wait;
        if max_wait.is_zero() {
            return Err(self.refused(Duration::ZERO));
        }
        let started = Instant::now();
        let _waiting = Waiting::announce(&self.waiting);
        let mut locked = self
            .sync_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.take_slot() {
                return Ok(self.admitted());
            }
            let waited = started.elapsed();
            if waited >= max_wait {
                return Err(self.refused(waited));
            }
            locked = self
                .sync_freed
                .wait_timeout(locked, max_wait - waited)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    #[cold]
    async fn wait_async(&'static self) -> Result<Slot, Error> {
        let max_wait = self.config.max_wait;
        if max_wait.is_zero() {
            return Err(self.refused(Duration::ZERO));
        }
        let started = tokio::time::Instant::now();
        let deadline = started + max_wait;
        let _waiting = Waiting::announce(&self.waiting);
        loop {
            let mut notified = pin!(self.async_waiters.notified());
            // Registered before the last look, so a slot freed after it wakes this waiter.
            notified.as_mut().enable();
            if self.take_slot() {
                return Ok(self.admitted());
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return if self.take_slot() {
                    Ok(self.admitted())
                } else {
                    Err(self.refused(started.elapsed()))
                };
            }
        }
    }
}

/// One waiter announced in a bulkhead's `waiting`, withdrawn on drop (also when an async
/// waiter's future is dropped).
struct Waiting<'a>(&'a AtomicU32);

impl<'a> Waiting<'a> {
    fn announce(waiting: &'a AtomicU32) -> Self {
        waiting.fetch_add(1, Ordering::SeqCst);
        Self(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Named for Bulkhead {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Publish for Bulkhead {
    fn publish(&self) {
        let metrics = self.metrics.get(|recorder| {
            let label = Label::new(BULKHEAD_LABEL, self.name.to_string());
            let [admitted, rejected] =
                super::outcome_counters(recorder, BULKHEAD_CALLS_TOTAL, &label);
            BulkheadMetrics {
                admitted,
                rejected,
                in_use: recorder.register_gauge(
                    &Key::from_parts(BULKHEAD_IN_USE, vec![label.clone()]),
                    &METADATA,
                ),
            }
        });
        let (admitted, rejected) = self.counts();
        metrics.admitted.absolute(admitted);
        metrics.rejected.absolute(rejected);
        metrics.in_use.set(f64::from(self.in_use()));
    }
}
