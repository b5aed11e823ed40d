//! The process's bulkheads and rate limiters by name. Several functions (and the runtime API)
//! naming one share it; the first to create a name sets its options, and a later user asking
//! for different ones is logged at ERROR with both, and shares the first.

use std::sync::Arc;

use super::bulkhead::{Bulkhead, BulkheadConfig};
use super::rate_limiter::{RateLimit, RateLimiter};
use crate::base::clock::Clock;
use crate::base::named_registry::NamedRegistry;
use crate::telemetry::metric_names::OVERFLOW;
use crate::telemetry::publish;

/// The most bulkheads, and separately rate limiters, a process creates by name; past it every
/// new name shares the one named [`OVERFLOW`](crate::metric_names::OVERFLOW) (logged once).
pub const MAX_LIMITERS: usize = 1_000;

static BULKHEADS: NamedRegistry<Bulkhead> = NamedRegistry::new("bulkheads", MAX_LIMITERS, OVERFLOW);
static RATE_LIMITERS: NamedRegistry<RateLimiter> =
    NamedRegistry::new("rate limiters", MAX_LIMITERS, OVERFLOW);

/// The bulkhead `name`, created with `config` on first use.
///
/// ```
/// use coord::limit::BulkheadConfig;
/// use std::time::Duration;
///
/// let db = coord::limit::bulkhead("docs.db", BulkheadConfig::new(10).max_wait(Duration::from_millis(50)));
/// assert_eq!(db.config().max_concurrent_value(), 10);
/// assert!(std::ptr::eq(db, coord::limit::bulkhead("docs.db", BulkheadConfig::new(10).max_wait(Duration::from_millis(50)))));
/// ```
pub fn bulkhead(name: &str, config: BulkheadConfig) -> &'static Bulkhead {
    bulkhead_used_at(name, config, "the runtime API")
}

pub(crate) fn bulkhead_used_at(
    name: &str,
    config: BulkheadConfig,
    location: &str,
) -> &'static Bulkhead {
    let mut created = false;
    let bulkhead = BULKHEADS.get_or_insert_with(name, |name| {
        created = true;
        Bulkhead::new(name, config)
    });
    if created {
        publish::register(bulkhead);
    } else if bulkhead.config() != config {
        let (first, asked) = (bulkhead.config().to_string(), config.to_string());
        tracing::error!(
            bulkhead = name,
            first,
            asked,
            location,
            "coord: bulkhead is used with different options; the first options stay in effect"
        );
    }
    bulkhead
}

/// The rate limiter `name`, created with `config` on first use.
///
/// ```
/// use coord::limit::RateLimit;
///
/// let api = coord::limit::rate_limiter("docs.partner_api", RateLimit::per_second(100).burst(20));
/// assert_eq!(api.config().burst_value(), 20);
/// ```
pub fn rate_limiter(name: &str, config: RateLimit) -> &'static RateLimiter {
    rate_limiter_used_at(name, config, "the runtime API", None)
}

pub(crate) fn rate_limiter_used_at(
    name: &str,
    config: RateLimit,
    location: &str,
    clock: Option<Arc<dyn Clock>>,
) -> &'static RateLimiter {
    let mut created = false;
    let limiter = RATE_LIMITERS.get_or_insert_with(name, |name| {
        created = true;
        RateLimiter::new(name, config, clock)
    });
    if created {
        publish::register(limiter);
    } else if limiter.config() != config {
        let (first, asked) = (limiter.config().to_string(), config.to_string());
        tracing::error!(
            rate_limiter = name,
            first,
            asked,
            location,
            "coord: rate limiter is used with different options; the first options stay in effect"
        );
    }
    limiter
}

/// Every bulkhead so far, sorted by name.
///
/// ```
/// use coord::limit::BulkheadConfig;
///
/// coord::limit::bulkhead("docs.listed", BulkheadConfig::new(3));
/// assert!(coord::limit::bulkheads().iter().any(|b| b.name() == "docs.listed"));
/// ```
#[must_use]
pub fn bulkheads() -> Vec<&'static Bulkhead> {
    BULKHEADS.all()
}

/// Every rate limiter so far, sorted by name.
///
/// ```
/// use coord::limit::RateLimit;
///
/// coord::limit::rate_limiter("docs.listed", RateLimit::per_second(5));
/// assert!(coord::limit::rate_limiters().iter().any(|r| r.name() == "docs.listed"));
/// ```
#[must_use]
pub fn rate_limiters() -> Vec<&'static RateLimiter> {
    RATE_LIMITERS.all()
}
