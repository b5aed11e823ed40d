//! In-process statistics per operation (counts, mean, min, max, percentiles, throughput), for reports.
//!
//! Every call updates a few relaxed atomics; nothing locks on the hot path. Operations are keyed by
//! name, so two functions tracked under one name share their statistics, as they share their series.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Histogram, Key, Label};

use super::latency::{self, BUCKETS, LatencyHistogram};
use crate::base::cells::{self, CellIndex};
use crate::base::named_registry::{Named, NamedRegistry};
use crate::config::buckets::MAX_DURATION_BUCKETS;
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::{
    CALLS_TOTAL, DURATION_SECONDS, IN_FLIGHT, OPERATION_LABEL, OUTCOME_LABEL, OVERFLOW,
};
use crate::telemetry::publish::{self, Publish};
use crate::telemetry::recorder_cache::RecorderCache;
use crate::telemetry::{duration_buckets, recorder_identity};
use crate::values::outcome::Outcome;

/// Offsets of an operation's counting cells: calls per outcome, then these, then a count and
/// a sum of nanoseconds per duration bucket (see [`OperationStats::bucket_cells`]).
const TOTAL_NANOS: u32 = 5;
const ENTERED: u32 = 6;
const COUNT_CELLS: u32 = 7;

/// The most operation names a process tracks separately. Further names (from `track_fn` with
/// invented names, many tower layers, event handlers) are counted together as
/// [`OVERFLOW`](crate::metric_names::OVERFLOW), with a warning logged once: their series,
/// memory and counter cells stay bounded.
pub const MAX_OPERATIONS: usize = 1_000;

/// The counter cells one operation can own: its counts, its latency histogram and a count and
/// sum per duration bucket (at most [`MAX_DURATION_BUCKETS`] plus `+Inf`).
pub(crate) const CELLS_PER_OPERATION: usize =
    COUNT_CELLS as usize + BUCKETS + 2 * (MAX_DURATION_BUCKETS + 1);

/// The series an operation publishes.
struct PublishedSeries {
    calls: [Counter; 5],
    in_flight: OnceLock<Gauge>,
    /// `None` when the recorder is coord's own exporter, which renders durations itself (see
    /// `exposition.rs`).
    duration: Option<Histogram>,
    /// Per duration bucket, the calls and nanoseconds already recorded into `duration`.
    sent: Mutex<Vec<(u64, u64)>>,
}

/// Live statistics of one operation.
pub(crate) struct OperationStats {
    name: Box<str>,
    since: Instant,
    /// Calls per outcome, total nanoseconds, calls entered: see the offsets above.
    cells: CellIndex,
    min_nanos: AtomicU64,
    max_nanos: AtomicU64,
    latency: LatencyHistogram,
    /// Upper bounds (inclusive, nanoseconds) of the duration buckets: the configured
    /// `duration_buckets`, which coord's exporter uses too; one more bucket above the last.
    bounds: Box<[u64]>,
    /// The same bounds in seconds, as configured (for rendering).
    bounds_seconds: Box<[f64]>,
    /// The first of the count/sum cell pairs, one pair per bucket.
    bucket_cells: CellIndex,
    /// Whether any call site of the operation keeps the in-flight gauge.
    in_flight: AtomicBool,
    series: RecorderCache<PublishedSeries>,
    /// The latest traced call of each duration bucket (see `exemplar.rs`).
    exemplars: super::exemplar::Exemplars,
}

impl OperationStats {
    fn new(name: &str) -> Self {
        let in_effect = duration_buckets::in_effect_or(|| {
            crate::config::configuration().duration_buckets.clone()
        });
        let bounds: Box<[u64]> = in_effect.nanos().into();
        let bounds_seconds: Box<[f64]> = in_effect.seconds().into();
        let pairs = u32::try_from(bounds.len() + 1).unwrap_or(u32::MAX);
        Self {
            name: name.into(),
            since: Instant::now(),
            cells: cells::allocate(COUNT_CELLS),
            bucket_cells: cells::allocate(2 * pairs),
            bounds,
            bounds_seconds,
            min_nanos: AtomicU64::new(u64::MAX),
            max_nanos: AtomicU64::new(0),
            latency: LatencyHistogram::new(),
            in_flight: AtomicBool::new(false),
            series: RecorderCache::new(),
            exemplars: super::exemplar::Exemplars::new(pairs as usize),
        }
    }

    /// Publishes the in-flight gauge of this operation from now on.
    pub(crate) fn keep_in_flight(&self) {
        // A load first: named lookups call this per call, and a store would make every
        // thread's call write one shared line.
        if !self.in_flight.load(Ordering::Relaxed) {
            self.in_flight.store(true, Ordering::Relaxed);
        }
    }

    /// Counts one call starting.
    #[inline]
    pub(crate) fn enter(&self) {
        cells::add(self.cells + ENTERED, 1);
    }

    /// Counts one call that ended with `outcome` after `nanos` nanoseconds.
    #[inline]
    pub(crate) fn record(&self, outcome: Outcome, nanos: u64) {
        #[allow(clippy::cast_possible_truncation)] // an outcome index is below 5
        let outcome_cell = self.cells + outcome.index() as u32;
        if outcome == Outcome::Refused {
            // Counted, not timed: see `Outcome::Refused`.
            cells::add(outcome_cell, 1);
            return;
        }
        // The bucket whose bound is the first at or above the duration (Prometheus' `le`).
        let bucket = self.bounds.partition_point(|bound| *bound < nanos);
        #[allow(clippy::cast_possible_truncation)] // fewer buckets than cells
        let pair = self.bucket_cells + 2 * bucket as u32;
        cells::add_each([
            (outcome_cell, 1),
            (self.cells + TOTAL_NANOS, nanos),
            (self.latency.cell_of(nanos), 1),
            (pair, 1),
            (pair + 1, nanos),
        ]);
        if let Some(trace_id) = super::exemplar::current_trace_id() {
            self.exemplars.keep(bucket, trace_id, nanos);
        }
        // Loads first: once warm, min and max rarely change, and a plain load keeps the line shared.
        if nanos < self.min_nanos.load(Ordering::Relaxed) {
            self.min_nanos.fetch_min(nanos, Ordering::Relaxed);
        }
        if nanos > self.max_nanos.load(Ordering::Relaxed) {
            self.max_nanos.fetch_max(nanos, Ordering::Relaxed);
        }
    }

    /// Calls per outcome, total nanoseconds and calls entered, summed over threads.
    fn totals(&self) -> [u64; COUNT_CELLS as usize] {
        cells::sums(self.cells)
    }

    /// A consistent-enough copy of the statistics now (each field is read once, without a lock).
    pub(crate) fn snapshot(&self) -> OperationSnapshot {
        let totals = self.totals();
        let calls = Outcome::ALL.map(|outcome| totals[outcome.index()]);
        let total: u64 = calls.iter().sum();
        let timed = total - calls[Outcome::Refused.index()];
        let counts = self.latency.counts();
        let nanos = |value: u64| Duration::from_nanos(value);
        let elapsed = self.since.elapsed();
        let max_nanos = self.max_nanos.load(Ordering::Relaxed);
        OperationSnapshot {
            operation: self.name.to_string(),
            calls: OutcomeCounts {
                ok: calls[Outcome::Ok.index()],
                error: calls[Outcome::Error.index()],
                panic: calls[Outcome::Panic.index()],
                cancelled: calls[Outcome::Cancelled.index()],
                refused: calls[Outcome::Refused.index()],
            },
            mean: (timed > 0).then(|| nanos(totals[TOTAL_NANOS as usize] / timed)),
            min: (timed > 0).then(|| nanos(self.min_nanos.load(Ordering::Relaxed))),
            max: (timed > 0).then(|| nanos(self.max_nanos.load(Ordering::Relaxed))),
            // A quantile is estimated within its latency bucket; the slowest call seen bounds it.
            p50: latency::quantile(&counts, 0.50).map(|q| nanos(q.min(max_nanos))),
            p95: latency::quantile(&counts, 0.95).map(|q| nanos(q.min(max_nanos))),
            p99: latency::quantile(&counts, 0.99).map(|q| nanos(q.min(max_nanos))),
            throughput_per_sec: if elapsed.is_zero() {
                0.0
            } else {
                total as f64 / elapsed.as_secs_f64()
            },
            observed_for: elapsed,
        }
    }
}

impl OperationStats {
    /// The operation's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The duration bucket bounds in seconds, and per bucket (one more than bounds: the last is
    /// above every bound) the calls and their summed nanoseconds.
    pub(crate) fn duration_buckets(&self) -> (Vec<f64>, Vec<(u64, u64)>) {
        let mut totals = vec![0u64; 2 * (self.bounds.len() + 1)];
        cells::sum_into(self.bucket_cells, &mut totals);
        let buckets = totals
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect();
        (self.bounds_seconds.to_vec(), buckets)
    }

    /// The exemplar of duration bucket `bucket` (`bounds().len()` is `+Inf`), if a traced call
    /// left one.
    pub(crate) fn exemplar(&self, bucket: usize) -> Option<super::exemplar::Exemplar> {
        self.exemplars.of(bucket)
    }

    /// Records the calls finished since the last publish into the duration histogram.
    ///
    /// Each bucket's new calls are recorded as that many samples of their mean duration: the
    /// mean of durations within a bucket lies within it, so every call lands in the bucket its
    /// own duration would have (when the recorder's buckets are the configured ones, as coord's
    /// exporter's are), and the histogram's sum stays exact. Recording every call into the
    /// exporter as it happened made every thread write to one shared sample queue.
    fn publish_durations(&self, series: &PublishedSeries) {
        let Some(duration) = &series.duration else {
            return;
        };
        let mut totals = vec![0u64; 2 * (self.bounds.len() + 1)];
        cells::sum_into(self.bucket_cells, &mut totals);
        let mut sent = series.sent.lock().unwrap_or_else(PoisonError::into_inner);
        for (pair, sent) in totals.chunks_exact(2).zip(sent.iter_mut()) {
            let (calls, nanos) = (pair[0], pair[1]);
            let new_calls = calls.saturating_sub(sent.0);
            if new_calls == 0 {
                continue;
            }
            let new_nanos = nanos.saturating_sub(sent.1);
            #[allow(clippy::cast_precision_loss)]
            let mean_seconds = new_nanos as f64 / new_calls as f64 / 1e9;
            duration.record_many(
                mean_seconds,
                usize::try_from(new_calls).unwrap_or(usize::MAX),
            );
            *sent = (calls, nanos);
        }
    }
}

/// Says once per process what another `metrics` recorder gets of the duration histogram, and
/// what to do for exact bucket counts.
fn another_recorder_notice(bounds: &[f64]) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        tracing::info!(
            histogram = DURATION_SECONDS,
            bounds = ?bounds,
            "coord: the `metrics` recorder is not coord's exporter, so `{DURATION_SECONDS}` reaches it once a second as each bucket's new calls at their mean duration: counts and sums are exact, and bucket counts too when the recorder uses these bounds for it (`coord::export::duration_bucket_bounds()`, e.g. `PrometheusBuilder::set_buckets_for_metric`); quantiles it computes itself see one value per bucket and publish"
        );
    });
}

impl Publish for OperationStats {
    fn publish(&self) {
        let series = self.series.get(|recorder| {
            let operation = Label::new(OPERATION_LABEL, self.name.to_string());
            PublishedSeries {
                calls: Outcome::ALL.map(|outcome| {
                    let key = Key::from_parts(
                        CALLS_TOTAL,
                        vec![
                            operation.clone(),
                            Label::new(OUTCOME_LABEL, outcome.as_str()),
                        ],
                    );
                    recorder.register_counter(&key, &METADATA)
                }),
                in_flight: OnceLock::new(),
                duration: (!recorder_identity::renders_durations(recorder)).then(|| {
                    another_recorder_notice(self.bounds_seconds.as_ref());
                    recorder.register_histogram(
                        &Key::from_parts(DURATION_SECONDS, vec![operation.clone()]),
                        &METADATA,
                    )
                }),
                sent: Mutex::new(vec![(0, 0); self.bounds.len() + 1]),
            }
        });
        self.publish_durations(series);
        let totals = self.totals();
        for outcome in Outcome::ALL {
            series.calls[outcome.index()].absolute(totals[outcome.index()]);
        }
        if self.in_flight.load(Ordering::Relaxed) {
            let finished: u64 = totals[..Outcome::ALL.len()].iter().sum();
            // Another thread's count may be read a moment before this one's: never below zero.
            let in_flight = totals[ENTERED as usize].saturating_sub(finished);
            let gauge = series.in_flight.get_or_init(|| {
                let key = Key::from_parts(
                    IN_FLIGHT,
                    vec![Label::new(OPERATION_LABEL, self.name.to_string())],
                );
                metrics::with_recorder(|recorder| recorder.register_gauge(&key, &METADATA))
            });
            #[allow(clippy::cast_precision_loss)]
            gauge.set(in_flight as f64);
        }
    }
}

/// Calls of one operation per [`Outcome`].
///
/// ```
/// let counts = coord::tracking::OutcomeCounts { ok: 8, error: 1, panic: 0, cancelled: 1, refused: 2 };
/// assert_eq!((counts.total(), counts.failed()), (12, 4));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Returned normally (`Ok` for a `Result`).
    pub ok: u64,
    /// Returned `Err`.
    pub error: u64,
    /// Panicked.
    pub panic: u64,
    /// Dropped before completion (async only).
    pub cancelled: u64,
    /// Refused by a breaker, bulkhead or rate limiter before the body ran (not timed).
    pub refused: u64,
}

impl OutcomeCounts {
    /// All calls, whatever their outcome.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.ok + self.error + self.panic + self.cancelled + self.refused
    }

    /// Calls that did not end `ok`.
    #[must_use]
    pub fn failed(&self) -> u64 {
        self.error + self.panic + self.cancelled + self.refused
    }
}

/// Statistics of one operation at one moment; see [`operation_stats`].
///
/// Durations are `None` until the first call ends. Percentiles come from a log-linear histogram
/// and are within about 3 % of the exact value; mean, min and max are exact. Every outcome's
/// duration counts, including a cancelled call's time until it was dropped, except a refused
/// call's: it never ran (see [`Outcome::Refused`](crate::Outcome::Refused)).
///
/// ```
/// #[coord::track_performance]
/// fn square(x: u64) -> u64 {
///     x * x
/// }
///
/// for x in 0..100 {
///     square(x);
/// }
/// let stats = coord::tracking::operation_stats();
/// let square = stats.iter().find(|s| s.operation == "square").unwrap();
/// assert_eq!(square.calls.ok, 100);
/// assert!(square.min <= square.p50 && square.p50 <= square.p99);
/// assert!(square.throughput_per_sec > 0.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OperationSnapshot {
    /// Operation name (the `operation` label).
    pub operation: String,
    /// Calls per outcome.
    pub calls: OutcomeCounts,
    /// Mean duration.
    pub mean: Option<Duration>,
    /// Shortest call.
    pub min: Option<Duration>,
    /// Longest call.
    pub max: Option<Duration>,
    /// Median duration.
    pub p50: Option<Duration>,
    /// 95th percentile duration.
    pub p95: Option<Duration>,
    /// 99th percentile duration.
    pub p99: Option<Duration>,
    /// Calls per second since the operation was first called.
    pub throughput_per_sec: f64,
    /// Time since the operation was first called.
    pub observed_for: Duration,
}

impl Named for OperationStats {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Every operation's statistics.
static REGISTRY: NamedRegistry<OperationStats> =
    NamedRegistry::new("operations", MAX_OPERATIONS, OVERFLOW);

/// The statistics of `name`, created (and published from then on) on first use. Called once
/// per call site, never per call.
pub(crate) fn stats_for(name: &str) -> &'static OperationStats {
    let mut created = false;
    let stats = REGISTRY.get_or_insert_with(name, |name| {
        created = true;
        OperationStats::new(name)
    });
    if created {
        publish::register(stats);
    }
    stats
}

/// Every operation's live statistics, sorted by name.
pub(crate) fn all_operations() -> Vec<&'static OperationStats> {
    REGISTRY.all()
}

/// Statistics of every operation called so far, sorted by name.
///
/// ```
/// #[coord::track_performance]
/// fn parse_order(input: &str) -> Result<u32, std::num::ParseIntError> {
///     input.parse()
/// }
///
/// parse_order("12").unwrap();
/// parse_order("x").unwrap_err();
/// let stats = coord::tracking::operation_stats();
/// let parse = stats.iter().find(|s| s.operation == "parse_order").unwrap();
/// assert_eq!((parse.calls.ok, parse.calls.error), (1, 1));
/// assert!(parse.p50.is_some());
/// ```
pub fn operation_stats() -> Vec<OperationSnapshot> {
    REGISTRY
        .all()
        .iter()
        .map(|stats| stats.snapshot())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_summarises_recorded_calls() {
        let stats = OperationStats::new("unit_snapshot");
        stats.record(Outcome::Ok, 1_000);
        stats.record(Outcome::Ok, 3_000);
        stats.record(Outcome::Error, 2_000);
        stats.record(Outcome::Cancelled, 10_000);
        stats.record(Outcome::Refused, 1);
        stats.record(Outcome::Refused, 1);
        let snapshot = stats.snapshot();
        assert_eq!(
            snapshot.calls,
            OutcomeCounts {
                ok: 2,
                error: 1,
                panic: 0,
                cancelled: 1,
                refused: 2,
            }
        );
        assert_eq!(snapshot.mean, Some(Duration::from_nanos(4_000)));
        assert_eq!(snapshot.min, Some(Duration::from_nanos(1_000)));
        assert_eq!(snapshot.max, Some(Duration::from_nanos(10_000)));
        let p50 = snapshot.p50.expect("has calls").as_nanos();
        assert!((1_900..=2_100).contains(&p50), "p50 = {p50}");
    }

    #[test]
    fn empty_operation_has_no_durations() {
        let snapshot = OperationStats::new("unit_empty").snapshot();
        assert_eq!(snapshot.calls.total(), 0);
        assert_eq!((snapshot.mean, snapshot.p99), (None, None));
    }

    #[test]
    fn one_name_gives_one_stats() {
        assert!(std::ptr::eq(stats_for("unit_same"), stats_for("unit_same")));
        assert!(!std::ptr::eq(
            stats_for("unit_same"),
            stats_for("unit_other")
        ));
    }
}
