//! The lock series, labelled by the lock's key template (`inventory:{sku}`), never the filled-in
//! key, so they stay bounded however many keys there are.

use std::time::Duration;

use coord_runtime::metric_names::{
    LOCK_ACQUISITIONS_TOTAL, LOCK_HELD_SECONDS, LOCK_LABEL, LOCK_LOST_TOTAL, LOCK_WAIT_SECONDS,
    LOCKS_HELD, OUTCOME_LABEL,
};

/// How an acquisition ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acquisition {
    Acquired,
    Timeout,
    Error,
}

/// An acquisition of `lock` ended as `outcome` after waiting `waited`.
pub(crate) fn acquisition(lock: &str, outcome: Acquisition, waited: Duration) {
    let outcome = match outcome {
        Acquisition::Acquired => "acquired",
        Acquisition::Timeout => "timeout",
        Acquisition::Error => "error",
    };
    metrics::counter!(LOCK_ACQUISITIONS_TOTAL, LOCK_LABEL => lock.to_owned(), OUTCOME_LABEL => outcome)
        .increment(1);
    metrics::histogram!(LOCK_WAIT_SECONDS, LOCK_LABEL => lock.to_owned())
        .record(waited.as_secs_f64());
    if outcome == "acquired" {
        metrics::gauge!(LOCKS_HELD, LOCK_LABEL => lock.to_owned()).increment(1.0);
    }
}

/// A hold of `lock` ended (released, dropped or lost) after `held`.
pub(crate) fn ended(lock: &str, held: Duration) {
    metrics::gauge!(LOCKS_HELD, LOCK_LABEL => lock.to_owned()).decrement(1.0);
    metrics::histogram!(LOCK_HELD_SECONDS, LOCK_LABEL => lock.to_owned())
        .record(held.as_secs_f64());
}

/// A hold of `lock` was lost while held.
pub(crate) fn lost(lock: &str) {
    metrics::counter!(LOCK_LOST_TOTAL, LOCK_LABEL => lock.to_owned()).increment(1);
}
