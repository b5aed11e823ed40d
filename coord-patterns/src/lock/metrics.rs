//! The lock series, labelled by the lock's key template (`inventory:{sku}`), never the filled-in
//! key, so they stay bounded however many keys there are; and the same counts for the report's
//! lock section.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use coord_runtime::metric_names::OVERFLOW;
use coord_runtime::{LockReport, Named, NamedRegistry, RecorderCache};
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

/// One key template's counts for the report and its series. Looked up once per acquisition
/// and kept by the hold, so the rest of a hold's life counts without a lookup or a lock.
pub(crate) struct LockSeries {
    name: String,
    acquired: AtomicU64,
    timeouts: AtomicU64,
    errors: AtomicU64,
    lost: AtomicU64,
    held: AtomicI64,
    max_wait_nanos: AtomicU64,
    series: RecorderCache<Series>,
}

/// How many lock templates (series labels) the process keeps apart; past that, new ones are
/// counted together under `coord_overflow`, with a warning, as operation names are.
pub const MAX_LOCK_TEMPLATES: usize = 1_000;

/// Every template seen, each leaked once: at most [`MAX_LOCK_TEMPLATES`] and the overflow.
static TEMPLATES: NamedRegistry<LockSeries> =
    NamedRegistry::new("lock templates", MAX_LOCK_TEMPLATES, OVERFLOW);

impl Named for LockSeries {
    fn name(&self) -> &str {
        &self.name
    }
}

/// `lock`'s counts and series, registered on first use (the overflow's past the cap).
pub(crate) fn series(lock: &str) -> &'static LockSeries {
    TEMPLATES.get_or_insert_with(lock, |name| LockSeries {
        name: name.to_owned(),
        acquired: AtomicU64::new(0),
        timeouts: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        lost: AtomicU64::new(0),
        held: AtomicI64::new(0),
        max_wait_nanos: AtomicU64::new(0),
        series: RecorderCache::new(),
    })
}

fn rows() -> Vec<LockReport> {
    TEMPLATES
        .all()
        .into_iter()
        .map(LockSeries::report)
        .collect()
}

#[linkme::distributed_slice(coord_runtime::__private::LOCK_REPORT_SOURCES)]
static LOCK_ROWS: fn() -> Vec<LockReport> = rows;

impl LockSeries {
    fn handles(&self) -> &'static Series {
        self.series
            .get(|recorder| Series::register(recorder, &self.name))
    }

    fn report(&self) -> LockReport {
        LockReport {
            lock: self.name.clone(),
            acquired: self.acquired.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            held: u64::try_from(self.held.load(Ordering::Relaxed)).unwrap_or(0),
            #[allow(clippy::cast_precision_loss)] // a wait's nanoseconds, shown in ms
            max_wait_ms: self.max_wait_nanos.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }

    /// An acquisition ended as `outcome` after waiting `waited`.
    pub(crate) fn acquisition(&self, outcome: Acquisition, waited: Duration) {
        let series = self.handles();
        match outcome {
            Acquisition::Acquired => {
                self.acquired.fetch_add(1, Ordering::Relaxed);
                self.held.fetch_add(1, Ordering::Relaxed);
                self.max_wait_nanos.fetch_max(
                    u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX),
                    Ordering::Relaxed,
                );
                series.acquired.increment(1);
                series.held.increment(1.0);
            }
            Acquisition::Timeout => {
                self.timeouts.fetch_add(1, Ordering::Relaxed);
                series.timeouts.increment(1);
            }
            Acquisition::Error => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                series.errors.increment(1);
            }
        }
        series.wait.record(waited.as_secs_f64());
    }

    /// A hold ended (released, dropped or lost) after `held`.
    pub(crate) fn ended(&self, held: Duration) {
        self.held.fetch_sub(1, Ordering::Relaxed);
        let series = self.handles();
        series.held.decrement(1.0);
        series.held_for.record(held.as_secs_f64());
    }

    /// A hold was lost while held.
    pub(crate) fn lost(&self) {
        self.lost.fetch_add(1, Ordering::Relaxed);
        self.handles().lost.increment(1);
    }
}
