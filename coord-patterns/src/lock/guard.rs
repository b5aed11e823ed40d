//! A held lock: its fencing token, whether it is still held (renewed by the process's
//! watchdog every third of its TTL), and a release on every path (explicit, drop, panic,
//! cancellation).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use coord_runtime::Error;
use tokio::sync::Notify;

use super::backend::LockBackend;
use super::metrics;
use super::watchdog::{self, Hold};

/// Whether a hold is still valid: until a local deadline (the last renewal's send time plus
/// the TTL, so a frozen process does not believe it still holds the lock) and unless the
/// watchdog found it lost.
pub(crate) struct Held {
    epoch: Instant,
    valid_until_nanos: AtomicU64,
    lost: AtomicBool,
    notify: Notify,
}

impl Held {
    fn new(valid_until: Instant) -> Self {
        let epoch = Instant::now();
        let held = Self {
            epoch,
            valid_until_nanos: AtomicU64::new(0),
            lost: AtomicBool::new(false),
            notify: Notify::new(),
        };
        held.extend(valid_until);
        held
    }

    pub(crate) fn valid_until(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.valid_until_nanos.load(Ordering::Acquire))
    }

    pub(crate) fn extend(&self, until: Instant) {
        let nanos = until.saturating_duration_since(self.epoch).as_nanos();
        self.valid_until_nanos
            .store(u64::try_from(nanos).unwrap_or(u64::MAX), Ordering::Release);
    }

    pub(crate) fn is_held(&self) -> bool {
        !self.lost.load(Ordering::Acquire) && Instant::now() < self.valid_until()
    }

    /// Marks the hold lost (once) and wakes whoever waits for it; whether this call did.
    pub(crate) fn lose(&self) -> bool {
        let first = !self.lost.swap(true, Ordering::AcqRel);
        self.notify.notify_waiters();
        first
    }

    /// Resolves once the hold is lost.
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

/// A held distributed lock. Hand [`token`](Self::token) to the resource the critical section
/// writes, so a holder that paused past its TTL is refused there. Released by
/// [`release`](Self::release), or when dropped (in a task of its own: a drop outside a tokio
/// runtime leaves the lease to run out).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use coord_patterns::lock::{LockBackend, install_backend, lock};
/// use coord_patterns::store::AnyStore;
/// use std::time::Duration;
///
/// install_backend("default", LockBackend::store(AnyStore::open("memory:").await.unwrap()));
/// let guard = lock("inventory:42").ttl(Duration::from_secs(5)).acquire().await?;
/// assert!(guard.is_held());
/// let token = guard.token();
/// guard.release().await?;
/// let again = lock("inventory:42").acquire().await?;
/// assert!(again.token() > token);              // every hold gets a greater token
/// # Ok::<(), coord_runtime::Error>(())
/// # }).unwrap();
/// ```
pub struct LockGuard {
    pub(crate) key: String,
    pub(crate) label: Arc<str>,
    pub(crate) token: u64,
    owner: Arc<str>,
    backend: LockBackend,
    pub(crate) held: Arc<Held>,
    hold: Arc<Hold>,
    acquired: Instant,
    released: bool,
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard")
            .field("key", &self.key)
            .field("token", &self.token)
            .field("held", &self.is_held())
            .finish_non_exhaustive()
    }
}

impl LockGuard {
    /// A guard for a hold just taken (its acquisition sent at `sent`), with its watchdog.
    pub(crate) fn start(
        key: String,
        label: Arc<str>,
        token: u64,
        owner: Arc<str>,
        backend: LockBackend,
        ttl: Duration,
        sent: Instant,
    ) -> Self {
        let held = Arc::new(Held::new(sent + ttl));
        let hold = Arc::new(Hold::new(
            backend.clone(),
            key.clone(),
            Arc::clone(&label),
            Arc::clone(&owner),
            token,
            ttl,
            Arc::clone(&held),
        ));
        watchdog::watch(Arc::clone(&hold));
        Self {
            key,
            label,
            token,
            owner,
            backend,
            held,
            hold,
            acquired: Instant::now(),
            released: false,
        }
    }

    /// The fencing token of this hold: greater than every earlier hold's of the same key.
    #[must_use]
    pub fn token(&self) -> u64 {
        self.token
    }

    /// The key held.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the lock is still held: not found lost by the watchdog, and within its TTL of
    /// the last renewal by this process's clock. A sync critical section checks it before each
    /// write; the fencing token is what makes a late write harmless.
    #[must_use]
    pub fn is_held(&self) -> bool {
        self.held.is_held()
    }

    /// Resolves once the lock is lost (renewal refused or failed past the TTL).
    pub async fn lost(&self) {
        self.held.lost().await;
    }

    /// Releases the lock (only if this hold still has it: never another holder's).
    ///
    /// # Errors
    /// [`Error::LockLost`] when the hold had been lost before the release (the critical
    /// section was not protected to its end); [`Error::LockBackend`] when the backend failed
    /// (the lease then runs out by itself).
    pub async fn release(mut self) -> Result<(), Error> {
        self.released = true;
        watchdog::unwatch(&self.hold);
        metrics::ended(&self.label, self.acquired.elapsed());
        let was_held = self.held.is_held();
        let released = self
            .backend
            .release(&self.key, &self.owner, self.token)
            .await
            .map_err(|reason| Error::LockBackend {
                key: self.key.clone(),
                reason,
            })?;
        if released && was_held {
            Ok(())
        } else {
            if self.held.lose() {
                metrics::lost(&self.label);
            }
            Err(Error::LockLost {
                key: self.key.clone(),
            })
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        watchdog::unwatch(&self.hold);
        metrics::ended(&self.label, self.acquired.elapsed());
        // Dropped while held (an early return, a panic, a cancelled future): release in a task
        // of its own, since `drop` cannot wait. Outside a runtime the lease runs out instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (backend, key, owner, token) = (
                self.backend.clone(),
                std::mem::take(&mut self.key),
                Arc::clone(&self.owner),
                self.token,
            );
            runtime.spawn(async move {
                if let Err(reason) = backend.release(&key, &owner, token).await {
                    tracing::warn!(
                        key,
                        reason,
                        "releasing a dropped lock failed; its lease will run out"
                    );
                }
            });
        }
    }
}
