//! Distributed locks that fence by construction. Every hold gets a **fencing token** that
//! grows strictly per key across processes (and restarts of a backend that keeps its data);
//! hand it to the resource the critical section writes, which refuses a token older than one
//! it has seen, so a holder paused past its TTL cannot do harm. A watchdog renews the hold
//! every third of its TTL; when a renewal is refused (or keeps failing until the TTL runs out)
//! the hold is lost, and a body run through [`LockRequest::run`] or `#[distributed_lock]` is
//! stopped (its future dropped) with `coord::Error::LockLost`. Release is checked
//! against the acquisition (an owner unique to it; on the store, its token too) and happens on
//! every path.
//!
//! Backends ([`LockBackend`]): the coordination store's lock rows (the default: SQLite
//! embedded, PostgreSQL for fleets; leases from the database's clock, tokens kept with the
//! data), a single Redis server (feature `redis`, [`RedisLocks`]), or PostgreSQL advisory
//! locks (feature `postgres`, [`AdvisoryLocks`]: a session per hold, the token and the TTL
//! added by coord; not behind a transaction-mode pooler).

#[cfg(feature = "postgres")]
mod advisory;
mod backend;
#[cfg(feature = "redis")]
mod call_deadline;
mod guard;
mod hold;
mod metrics;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_link;
mod registry;
mod request;
mod slots;
mod startup;
mod watchdog;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use advisory::AdvisoryLocks;
pub use backend::LockBackend;
pub use guard::LockGuard;
pub use metrics::MAX_LOCK_TEMPLATES;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisLocks;
pub use registry::{DEFAULT_BACKEND, install_backend};
pub use request::{DEFAULT_TTL, DEFAULT_WAIT, HeldLock, LockRequest, LockSite, held, lock};
