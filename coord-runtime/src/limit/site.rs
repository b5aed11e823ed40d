//! The `static`s generated code keeps per annotated function: which bulkhead or rate limiter
//! it uses, resolved by name on its first call. Not a stable API.

use std::sync::OnceLock;
use std::time::Duration;

use super::bulkhead::{Bulkhead, BulkheadConfig, Slot};
use super::rate_limiter::{RateLimit, RateLimiter};
use super::registry;
use crate::values::error::Error;

/// A function's bulkhead.
pub struct BulkheadSite {
    name: &'static str,
    config: BulkheadConfig,
    location: &'static str,
    bulkhead: OnceLock<&'static Bulkhead>,
}

impl BulkheadSite {
    /// The bulkhead `name` with `max_concurrent` slots and `max_wait_nanos` of waiting,
    /// written at `location`.
    #[must_use]
    pub const fn new(
        name: &'static str,
        max_concurrent: u32,
        max_wait_nanos: u64,
        location: &'static str,
    ) -> Self {
        Self {
            name,
            config: BulkheadConfig::new(max_concurrent)
                .max_wait(Duration::from_nanos(max_wait_nanos)),
            location,
            bulkhead: OnceLock::new(),
        }
    }

    #[inline]
    fn bulkhead(&self) -> &'static Bulkhead {
        self.bulkhead
            .get_or_init(|| registry::bulkhead_used_at(self.name, self.config, self.location))
    }

    /// Enters from a sync function (blocking the thread up to `max_wait`).
    ///
    /// # Errors
    /// [`Error::BulkheadFull`].
    #[inline]
    pub fn enter_blocking(&self) -> Result<Slot, Error> {
        self.bulkhead().enter_blocking()
    }

    /// Enters from an async function if a slot is free; `None` when the caller must
    /// [`enter`](BulkheadSite::enter) (to wait, or be refused).
    #[inline]
    pub fn enter_now(&self) -> Option<Slot> {
        self.bulkhead().enter_now()
    }

    /// Enters from an async function, waiting on tokio up to `max_wait`, after
    /// [`enter_now`](BulkheadSite::enter_now) found no free slot. Boxed: the waiting future
    /// (a tokio timer and a notification) would otherwise sit in every call's future, and
    /// moving that larger future costs each admitted call more than the box costs the few
    /// that wait.
    ///
    /// # Errors
    /// [`Error::BulkheadFull`].
    #[must_use = "a future does nothing unless awaited"]
    pub fn enter(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Slot, Error>> + Send>> {
        Box::pin(self.bulkhead().enter())
    }
}

/// A function's rate limiter.
pub struct RateLimitSite {
    name: &'static str,
    config: RateLimit,
    location: &'static str,
    limiter: OnceLock<&'static RateLimiter>,
}

impl RateLimitSite {
    /// The rate limiter `name` admitting `per_second` calls a second, `burst` back to back,
    /// written at `location`.
    #[must_use]
    pub const fn new(
        name: &'static str,
        per_second: u32,
        burst: u32,
        location: &'static str,
    ) -> Self {
        Self {
            name,
            config: RateLimit::per_second(per_second).burst(burst),
            location,
            limiter: OnceLock::new(),
        }
    }

    /// Admits one call if the rate allows.
    ///
    /// # Errors
    /// [`Error::RateLimited`].
    #[inline]
    pub fn acquire(&self) -> Result<(), Error> {
        self.limiter
            .get_or_init(|| {
                registry::rate_limiter_used_at(self.name, self.config, self.location, None)
            })
            .try_acquire()
    }
}
