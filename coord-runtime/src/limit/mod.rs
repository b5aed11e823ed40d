//! Admission limits by name: bulkheads (at most N calls at once) and rate limiters (at most
//! N calls a second, with a burst). Both are checked once per call, before its first attempt:
//! a refused call fails at once with [`Error::BulkheadFull`](crate::Error::BulkheadFull) or
//! [`Error::RateLimited`](crate::Error::RateLimited) and is never retried.

pub(crate) mod bulkhead;
pub(crate) mod rate_limiter;
pub(crate) mod registry;
pub(crate) mod site;

/// The counter cells of one bulkhead or rate limiter: admitted, rejected.
pub(crate) const CELLS_PER_LIMITER: usize = 2;
/// Offsets of those cells.
pub(crate) const ADMITTED: u32 = 0;
pub(crate) const REJECTED: u32 = 1;
