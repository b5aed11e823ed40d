//! Where locks live: the coordination store's lock rows (SQLite, PostgreSQL, memory), a
//! Redis server, or a PostgreSQL server's advisory locks. Each answers the same three calls,
//! and each call is one round trip.

use std::sync::Arc;
use std::time::Duration;

use crate::store::{AnyStore, CoordinationStore};

/// A lock backend.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use coord_patterns::lock::LockBackend;
/// use coord_patterns::store::AnyStore;
///
/// let backend = LockBackend::store(AnyStore::open("memory:").await.unwrap());
/// assert_eq!(backend.describe(), "the coordination store (memory)");
/// # });
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum LockBackend {
    /// Lock rows in the coordination store: tokens persist with the database, leases use the
    /// database's clock.
    Store(Arc<AnyStore>),
    /// A single Redis instance (feature `redis`).
    #[cfg(feature = "redis")]
    Redis(super::redis::RedisLocks),
    /// A PostgreSQL server's advisory locks, a session per hold (feature `postgres`).
    #[cfg(feature = "postgres")]
    Advisory(super::advisory::AdvisoryLocks),
}

impl std::fmt::Debug for LockBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl LockBackend {
    /// Locks in `store`'s lock rows.
    #[must_use]
    pub fn store(store: AnyStore) -> Self {
        LockBackend::Store(Arc::new(store))
    }

    /// What the backend is, for messages (a URL without its password).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            LockBackend::Store(store) => format!("the coordination store ({})", store.kind()),
            #[cfg(feature = "redis")]
            LockBackend::Redis(redis) => redis.describe(),
            #[cfg(feature = "postgres")]
            LockBackend::Advisory(advisory) => advisory.describe(),
        }
    }

    /// Takes `key` for `owner` if free; its new fencing token, or `None` when held.
    pub(crate) async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, String> {
        match self {
            LockBackend::Store(store) => store
                .acquire_lock(key, owner, ttl)
                .await
                .map_err(|err| err.to_string()),
            #[cfg(feature = "redis")]
            LockBackend::Redis(redis) => redis.acquire(key, owner, ttl).await,
            #[cfg(feature = "postgres")]
            LockBackend::Advisory(advisory) => advisory.acquire(key, owner, ttl).await,
        }
    }

    /// Extends the hold; `false` when it is no longer held.
    pub(crate) async fn renew(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, String> {
        match self {
            LockBackend::Store(store) => store
                .renew_lock(key, owner, token, ttl)
                .await
                .map_err(|err| err.to_string()),
            #[cfg(feature = "redis")]
            LockBackend::Redis(redis) => redis.renew(key, owner, ttl).await,
            #[cfg(feature = "postgres")]
            LockBackend::Advisory(advisory) => advisory.renew(owner).await,
        }
    }

    /// Releases the hold if it is still this one.
    pub(crate) async fn release(&self, key: &str, owner: &str, token: u64) -> Result<bool, String> {
        match self {
            LockBackend::Store(store) => store
                .release_lock(key, owner, token)
                .await
                .map_err(|err| err.to_string()),
            #[cfg(feature = "redis")]
            LockBackend::Redis(redis) => redis.release(key, owner).await,
            #[cfg(feature = "postgres")]
            LockBackend::Advisory(advisory) => advisory.release(key, owner).await,
        }
    }
}
