//! The retry policy tests use when they want retries without waiting: 1 ms apart, no jitter.

use std::time::Duration;

use coord::{
    Severity,
    retry::{Jitter, RetryPolicy},
};

/// Up to `retries` retries, 1 ms apart, no jitter.
pub fn quick(retries: u32) -> RetryPolicy {
    RetryPolicy::for_severity(Severity::Medium)
        .max_retries(retries)
        .base_delay(Duration::from_millis(1))
        .jitter(Jitter::None)
}
