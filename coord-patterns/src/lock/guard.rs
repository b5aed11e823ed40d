//! The caller's handle on a held lock: its fencing token, whether it is still held (the hold
//! itself, which the watchdog renews every third of its TTL, is `hold.rs`'s), and a release on
//! every path (explicit, drop, panic, cancellation).

use std::sync::Arc;
use std::time::Instant;

use coord_runtime::Error;

use super::hold::Hold;
use super::watchdog;

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
    pub(crate) hold: Arc<Hold>,
    acquired: Instant,
    released: bool,
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard")
            .field("key", &self.hold.key)
            .field("token", &self.hold.token)
            .field("held", &self.is_held())
            .finish_non_exhaustive()
    }
}

impl LockGuard {
    /// A guard for a hold just taken (at `acquired`), handed to the watchdog.
    pub(crate) fn start(hold: Hold, acquired: Instant) -> Self {
        let hold = Arc::new(hold);
        watchdog::watch(&hold);
        Self {
            hold,
            acquired,
            released: false,
        }
    }

    /// The fencing token of this hold: greater than every earlier hold's of the same key.
    #[must_use]
    pub fn token(&self) -> u64 {
        self.hold.token
    }

    /// The key held.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.hold.key
    }

    /// Whether the lock is still held: not found lost by the watchdog, and within its TTL of
    /// the last renewal by this process's clock. A sync critical section checks it before each
    /// write; the fencing token is what makes a late write harmless.
    #[must_use]
    pub fn is_held(&self) -> bool {
        self.hold.is_held()
    }

    /// Resolves once the lock is lost (renewal refused or failed past the TTL).
    pub async fn lost(&self) {
        self.hold.lost().await;
    }

    /// Stops renewing and counts the hold ended; whether it was still held then.
    fn end(&mut self) -> bool {
        self.released = true;
        watchdog::unwatch(&self.hold);
        let now = Instant::now();
        self.hold
            .series
            .ended(now.saturating_duration_since(self.acquired));
        self.hold.is_held_at(now)
    }

    /// Releases the lock (only if this hold still has it: never another holder's).
    ///
    /// # Errors
    /// [`Error::LockLost`] when the hold had been lost before the release (the critical
    /// section was not protected to its end); [`Error::LockBackend`] when the backend failed
    /// (the lease then runs out by itself).
    pub async fn release(mut self) -> Result<(), Error> {
        let was_held = self.end();
        let hold = &self.hold;
        let released = hold
            .backend
            .release(&hold.key, &hold.owner, hold.token)
            .await
            .map_err(|reason| Error::LockBackend {
                key: hold.key.clone(),
                reason,
            })?;
        if released && was_held {
            Ok(())
        } else {
            hold.lose();
            Err(Error::LockLost {
                key: hold.key.clone(),
            })
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        self.end();
        // Dropped while held (an early return, a panic, a cancelled future): release in a task
        // of its own, since `drop` cannot wait. Outside a runtime the lease runs out instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let hold = Arc::clone(&self.hold);
            runtime.spawn(async move {
                if let Err(reason) = hold
                    .backend
                    .release(&hold.key, &hold.owner, hold.token)
                    .await
                {
                    tracing::warn!(
                        key = hold.key,
                        reason,
                        "releasing a dropped lock failed; its lease will run out"
                    );
                }
            });
        }
    }
}
