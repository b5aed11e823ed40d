//! Admitting one call through an optional rate limiter, then an optional bulkhead: the order
//! every caller uses (the runtime API, the tower layer), so a refused call never takes a slot.

use super::bulkhead::{Bulkhead, Slot};
use super::rate_limiter::RateLimiter;
use crate::values::error::Error;

/// Admits a call, waiting on the thread for a bulkhead slot; the slot, if any, is held until
/// dropped.
pub(crate) fn admit_blocking(
    rate_limiter: Option<&'static RateLimiter>,
    bulkhead: Option<&'static Bulkhead>,
) -> Result<Option<Slot>, Error> {
    if let Some(limiter) = rate_limiter {
        limiter.try_acquire()?;
    }
    bulkhead.map(Bulkhead::enter_blocking).transpose()
}

/// Admits a call, waiting on tokio for a bulkhead slot.
pub(crate) async fn admit(
    rate_limiter: Option<&'static RateLimiter>,
    bulkhead: Option<&'static Bulkhead>,
) -> Result<Option<Slot>, Error> {
    if let Some(limiter) = rate_limiter {
        limiter.try_acquire()?;
    }
    match bulkhead {
        Some(bulkhead) => bulkhead.enter().await.map(Some),
        None => Ok(None),
    }
}
