//! One hold of a lock, shared by its guard and the watchdog: what was taken (key, owner,
//! token, backend), whether it is still valid, and when the watchdog renews it next. One
//! allocation per acquisition, the key and owner moved in, not copied.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::backend::LockBackend;
use super::metrics::LockSeries;

/// A hold just taken and still believed held: valid until a local deadline (the last
/// renewal's send time plus the TTL, by this process's clock, so a frozen process does not
/// believe it still holds the lock) and unless found lost.
pub(crate) struct Hold {
    pub(crate) backend: LockBackend,
    pub(crate) key: String,
    pub(crate) owner: String,
    pub(crate) token: u64,
    pub(crate) ttl: Duration,
    pub(crate) series: &'static LockSeries,
    /// When the acquisition was sent; the deadlines below count from it.
    epoch: Instant,
    valid_until_nanos: AtomicU64,
    renew_at_nanos: AtomicU64,
    lost: AtomicBool,
    notify: Notify,
    /// Whether a renewal is under way (the watchdog sends one at a time).
    pub(crate) renewing: AtomicBool,
    /// The watchdog's slot holding it, or [`NOT_WATCHED`].
    pub(crate) slot: AtomicUsize,
}

/// The `slot` of a hold the watchdog does not (or no longer) renew.
pub(crate) const NOT_WATCHED: usize = usize::MAX;

/// Nanoseconds, saturating at `u64::MAX` (584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Hold {
    /// A hold whose acquisition was sent at `sent`: valid for a TTL from then, renewed at a
    /// third of it.
    pub(crate) fn new(
        backend: LockBackend,
        key: String,
        owner: String,
        token: u64,
        ttl: Duration,
        series: &'static LockSeries,
        sent: Instant,
    ) -> Self {
        Self {
            backend,
            key,
            owner,
            token,
            ttl,
            series,
            epoch: sent,
            valid_until_nanos: AtomicU64::new(nanos(ttl)),
            renew_at_nanos: AtomicU64::new(nanos(ttl / 3)),
            lost: AtomicBool::new(false),
            notify: Notify::new(),
            renewing: AtomicBool::new(false),
            slot: AtomicUsize::new(NOT_WATCHED),
        }
    }

    fn at(&self, nanos: &AtomicU64) -> Instant {
        self.epoch + Duration::from_nanos(nanos.load(Ordering::Acquire))
    }

    fn since_epoch(&self, at: Instant) -> u64 {
        nanos(at.saturating_duration_since(self.epoch))
    }

    /// Until when the hold is valid without another renewal.
    pub(crate) fn valid_until(&self) -> Instant {
        self.at(&self.valid_until_nanos)
    }

    /// A renewal sent at `sent` succeeded: valid for a TTL from then, renewed at a third.
    pub(crate) fn renewed(&self, sent: Instant) {
        self.valid_until_nanos
            .store(self.since_epoch(sent + self.ttl), Ordering::Release);
        self.renew_after(sent + self.ttl / 3);
    }

    /// When the watchdog renews it next.
    pub(crate) fn renew_at(&self) -> Instant {
        self.at(&self.renew_at_nanos)
    }

    /// Renews it next at `at`.
    pub(crate) fn renew_after(&self, at: Instant) {
        self.renew_at_nanos
            .store(self.since_epoch(at), Ordering::Release);
    }

    /// Whether it is still held at `now`.
    pub(crate) fn is_held_at(&self, now: Instant) -> bool {
        !self.lost.load(Ordering::Acquire) && now < self.valid_until()
    }

    /// Whether it is still held now.
    pub(crate) fn is_held(&self) -> bool {
        self.is_held_at(Instant::now())
    }

    /// Marks it lost and wakes whoever waits for that; counted (and logged) once.
    pub(crate) fn lose(&self) {
        if !self.lost.swap(true, Ordering::AcqRel) {
            self.series.lost();
            tracing::warn!(key = self.key, token = self.token, "lock lost while held");
        }
        self.notify.notify_waiters();
    }

    /// Resolves once it is lost.
    pub(crate) async fn lost(&self) {
        loop {
            let notified = self.notify.notified();
            if self.lost.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }
}
