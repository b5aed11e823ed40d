//! The lock series, labelled by the lock's key template (`inventory:{sku}`), never the filled-in
//! key, so they stay bounded however many keys there are; and the same counts for the report's
//! lock section.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use coord_runtime::LockReport;

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

/// Per key template, what the report shows.
static COUNTS: Mutex<BTreeMap<String, LockReport>> = Mutex::new(BTreeMap::new());

fn count(lock: &str, change: impl FnOnce(&mut LockReport)) {
    let mut counts = COUNTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(row) = counts.get_mut(lock) {
        change(row);
    } else {
        let mut row = LockReport {
            lock: lock.to_owned(),
            acquired: 0,
            timeouts: 0,
            errors: 0,
            lost: 0,
            held: 0,
            max_wait_ms: 0.0,
        };
        change(&mut row);
        counts.insert(lock.to_owned(), row);
    }
}

fn rows() -> Vec<LockReport> {
    COUNTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .values()
        .cloned()
        .collect()
}

#[linkme::distributed_slice(coord_runtime::__private::LOCK_REPORT_SOURCES)]
static LOCK_ROWS: fn() -> Vec<LockReport> = rows;

/// An acquisition of `lock` ended as `outcome` after waiting `waited`.
pub(crate) fn acquisition(lock: &str, outcome: Acquisition, waited: Duration) {
    count(lock, |row| match outcome {
        Acquisition::Acquired => {
            row.acquired += 1;
            row.held += 1;
            row.max_wait_ms = row.max_wait_ms.max(waited.as_secs_f64() * 1e3);
        }
        Acquisition::Timeout => row.timeouts += 1,
        Acquisition::Error => row.errors += 1,
    });
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
    count(lock, |row| row.held = row.held.saturating_sub(1));
    metrics::gauge!(LOCKS_HELD, LOCK_LABEL => lock.to_owned()).decrement(1.0);
    metrics::histogram!(LOCK_HELD_SECONDS, LOCK_LABEL => lock.to_owned())
        .record(held.as_secs_f64());
}

/// A hold of `lock` was lost while held.
pub(crate) fn lost(lock: &str) {
    count(lock, |row| row.lost += 1);
    metrics::counter!(LOCK_LOST_TOTAL, LOCK_LABEL => lock.to_owned()).increment(1);
}
