//! The lock series, labelled by the lock's key template (`inventory:{sku}`), never the filled-in
//! key, so they stay bounded however many keys there are; and the same counts for the report's
//! lock section.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use coord_runtime::{LockReport, RecorderCache};
use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, Recorder};

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

/// A key template's series, registered once per recorder.
struct Series {
    acquired: Counter,
    timeouts: Counter,
    errors: Counter,
    wait: Histogram,
    held: Gauge,
    held_for: Histogram,
    lost: Counter,
}

impl Series {
    fn register(recorder: &dyn Recorder, lock: &str) -> Self {
        static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);
        let labelled = |name: &'static str| {
            Key::from_parts(name, vec![Label::new(LOCK_LABEL, lock.to_owned())])
        };
        let acquisitions = |outcome: &'static str| {
            Key::from_parts(
                LOCK_ACQUISITIONS_TOTAL,
                vec![
                    Label::new(LOCK_LABEL, lock.to_owned()),
                    Label::from_static_parts(OUTCOME_LABEL, outcome),
                ],
            )
        };
        Self {
            acquired: recorder.register_counter(&acquisitions("acquired"), &METADATA),
            timeouts: recorder.register_counter(&acquisitions("timeout"), &METADATA),
            errors: recorder.register_counter(&acquisitions("error"), &METADATA),
            wait: recorder.register_histogram(&labelled(LOCK_WAIT_SECONDS), &METADATA),
            held: recorder.register_gauge(&labelled(LOCKS_HELD), &METADATA),
            held_for: recorder.register_histogram(&labelled(LOCK_HELD_SECONDS), &METADATA),
            lost: recorder.register_counter(&labelled(LOCK_LOST_TOTAL), &METADATA),
        }
    }
}

/// Per key template, what the report shows and its series.
struct Row {
    report: LockReport,
    series: RecorderCache<Series>,
}

static ROWS: Mutex<BTreeMap<String, Row>> = Mutex::new(BTreeMap::new());

/// Applies `change` to `lock`'s report row; the series to record on. A lock call records
/// through handles cached per template, not a registry lookup per series per call.
fn count(lock: &str, change: impl FnOnce(&mut LockReport)) -> &'static Series {
    let mut rows = ROWS.lock().unwrap_or_else(PoisonError::into_inner);
    let row = match rows.get_mut(lock) {
        Some(row) => row,
        None => rows.entry(lock.to_owned()).or_insert_with(|| Row {
            report: LockReport {
                lock: lock.to_owned(),
                acquired: 0,
                timeouts: 0,
                errors: 0,
                lost: 0,
                held: 0,
                max_wait_ms: 0.0,
            },
            series: RecorderCache::new(),
        }),
    };
    change(&mut row.report);
    row.series.get(|recorder| Series::register(recorder, lock))
}

fn rows() -> Vec<LockReport> {
    ROWS.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .values()
        .map(|row| row.report.clone())
        .collect()
}

#[linkme::distributed_slice(coord_runtime::__private::LOCK_REPORT_SOURCES)]
static LOCK_ROWS: fn() -> Vec<LockReport> = rows;

/// An acquisition of `lock` ended as `outcome` after waiting `waited`.
pub(crate) fn acquisition(lock: &str, outcome: Acquisition, waited: Duration) {
    let series = count(lock, |row| match outcome {
        Acquisition::Acquired => {
            row.acquired += 1;
            row.held += 1;
            row.max_wait_ms = row.max_wait_ms.max(waited.as_secs_f64() * 1e3);
        }
        Acquisition::Timeout => row.timeouts += 1,
        Acquisition::Error => row.errors += 1,
    });
    match outcome {
        Acquisition::Acquired => {
            series.acquired.increment(1);
            series.held.increment(1.0);
        }
        Acquisition::Timeout => series.timeouts.increment(1),
        Acquisition::Error => series.errors.increment(1),
    }
    series.wait.record(waited.as_secs_f64());
}

/// A hold of `lock` ended (released, dropped or lost) after `held`.
pub(crate) fn ended(lock: &str, held: Duration) {
    let series = count(lock, |row| row.held = row.held.saturating_sub(1));
    series.held.decrement(1.0);
    series.held_for.record(held.as_secs_f64());
}

/// A hold of `lock` was lost while held.
pub(crate) fn lost(lock: &str) {
    count(lock, |row| row.lost += 1).lost.increment(1);
}
