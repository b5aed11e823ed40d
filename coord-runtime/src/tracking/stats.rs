//! In-process statistics per operation (counts, mean, min, max, percentiles, throughput), for reports.
//!
//! Every call updates a few relaxed atomics; nothing locks on the hot path. Operations are keyed by
//! name, so two functions tracked under one name share their statistics, as they share their series.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::latency::{self, LatencyHistogram};
use crate::Outcome;
use crate::named_registry::{Named, NamedRegistry};

/// Live statistics of one operation.
pub struct OperationStats {
    name: Box<str>,
    since: Instant,
    calls: [AtomicU64; 4],
    total_nanos: AtomicU64,
    min_nanos: AtomicU64,
    max_nanos: AtomicU64,
    latency: LatencyHistogram,
}

impl OperationStats {
    fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            since: Instant::now(),
            calls: Default::default(),
            total_nanos: AtomicU64::new(0),
            min_nanos: AtomicU64::new(u64::MAX),
            max_nanos: AtomicU64::new(0),
            latency: LatencyHistogram::new(),
        }
    }

    /// Counts one call that ended with `outcome` after `nanos` nanoseconds.
    #[inline]
    pub fn record(&self, outcome: Outcome, nanos: u64) {
        self.calls[outcome.index()].fetch_add(1, Ordering::Relaxed);
        self.total_nanos.fetch_add(nanos, Ordering::Relaxed);
        // Loads first: once warm, min and max rarely change, and a plain load keeps the line shared.
        if nanos < self.min_nanos.load(Ordering::Relaxed) {
            self.min_nanos.fetch_min(nanos, Ordering::Relaxed);
        }
        if nanos > self.max_nanos.load(Ordering::Relaxed) {
            self.max_nanos.fetch_max(nanos, Ordering::Relaxed);
        }
        self.latency.record(nanos);
    }

    /// A consistent-enough copy of the statistics now (each field is read once, without a lock).
    pub fn snapshot(&self) -> OperationSnapshot {
        let calls = Outcome::ALL.map(|outcome| self.calls[outcome.index()].load(Ordering::Relaxed));
        let total: u64 = calls.iter().sum();
        let counts = self.latency.counts();
        let nanos = |value: u64| Duration::from_nanos(value);
        let elapsed = self.since.elapsed();
        OperationSnapshot {
            operation: self.name.to_string(),
            calls: OutcomeCounts {
                ok: calls[Outcome::Ok.index()],
                error: calls[Outcome::Error.index()],
                panic: calls[Outcome::Panic.index()],
                cancelled: calls[Outcome::Cancelled.index()],
            },
            mean: (total > 0).then(|| nanos(self.total_nanos.load(Ordering::Relaxed) / total)),
            min: (total > 0).then(|| nanos(self.min_nanos.load(Ordering::Relaxed))),
            max: (total > 0).then(|| nanos(self.max_nanos.load(Ordering::Relaxed))),
            p50: latency::quantile(&counts, 0.50).map(nanos),
            p95: latency::quantile(&counts, 0.95).map(nanos),
            p99: latency::quantile(&counts, 0.99).map(nanos),
            throughput_per_sec: if elapsed.is_zero() {
                0.0
            } else {
                total as f64 / elapsed.as_secs_f64()
            },
            observed_for: elapsed,
        }
    }
}

/// Calls of one operation per [`Outcome`].
///
/// ```
/// let counts = coord::OutcomeCounts { ok: 8, error: 1, panic: 0, cancelled: 1 };
/// assert_eq!((counts.total(), counts.failed()), (10, 2));
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
}

impl OutcomeCounts {
    /// All calls, whatever their outcome.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.ok + self.error + self.panic + self.cancelled
    }

    /// Calls that did not end `ok`.
    #[must_use]
    pub fn failed(&self) -> u64 {
        self.error + self.panic + self.cancelled
    }
}

/// Statistics of one operation at one moment; see [`operation_stats`].
///
/// Durations are `None` until the first call ends. Percentiles come from a log-linear histogram
/// and are within about 3 % of the exact value; mean, min and max are exact. Every outcome's
/// duration counts, including a cancelled call's time until it was dropped.
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
/// let stats = coord::operation_stats();
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
static REGISTRY: NamedRegistry<OperationStats> = NamedRegistry::new();

/// The statistics of `name`, created on first use. Called once per call site, never per call.
pub fn stats_for(name: &str) -> &'static OperationStats {
    REGISTRY.get_or_insert_with(name, || OperationStats::new(name))
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
/// let stats = coord::operation_stats();
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
        let snapshot = stats.snapshot();
        assert_eq!(
            snapshot.calls,
            OutcomeCounts {
                ok: 2,
                error: 1,
                panic: 0,
                cancelled: 1
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
