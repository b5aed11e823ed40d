//! Plain values: what a call's outcome was, how severe a failure is, how a retry or a breaker
//! should behave, the performance thresholds, and the errors coord returns. No state, no I/O,
//! no metrics; the configuration stores these and the features act on them.

pub(crate) mod breaker_config;
pub(crate) mod error;
pub(crate) mod from_coord_error;
pub(crate) mod outcome;
pub(crate) mod retry_policy;
pub(crate) mod rules_error;
pub(crate) mod score;
pub(crate) mod severity;
pub(crate) mod validation_result;

use std::time::Duration;

/// `duration` in whole nanoseconds, `u64::MAX` past it; for the `const` builders' bound checks.
pub(crate) const fn saturating_nanos(duration: Duration) -> u64 {
    let nanos = duration.as_nanos();
    if nanos > u64::MAX as u128 {
        u64::MAX
    } else {
        #[allow(clippy::cast_possible_truncation)] // checked just above
        {
            nanos as u64
        }
    }
}
