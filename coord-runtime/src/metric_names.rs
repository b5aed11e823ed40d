//! The names, units and help texts of every metric coord emits: written once, here.
//!
//! Use them to refer to coord's series in your own tests or tooling rather than retyping them:
//!
//! ```
//! use coord::metric_names;
//!
//! assert_eq!(metric_names::CALLS_TOTAL, "coord_operation_calls_total");
//! assert!(metric_names::ALL.iter().all(|metric| !metric.help.is_empty()));
//! ```

use metrics::Unit;

/// Calls per operation and outcome (counter).
pub const CALLS_TOTAL: &str = "coord_operation_calls_total";
/// Duration of each call in seconds (histogram with explicit buckets).
pub const DURATION_SECONDS: &str = "coord_operation_duration_seconds";
/// Calls currently running (gauge).
pub const IN_FLIGHT: &str = "coord_operation_in_flight";
/// Constant 1, labelled with the coord version (gauge).
pub const BUILD_INFO: &str = "coord_build_info";

/// Label carrying the operation name.
pub const OPERATION_LABEL: &str = "operation";
/// Label carrying the [`Outcome`](crate::Outcome).
pub const OUTCOME_LABEL: &str = "outcome";
/// Label of [`BUILD_INFO`] carrying the crate version.
pub const VERSION_LABEL: &str = "version";

/// The kind of a metric, which decides how it is described to the recorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Monotonic count.
    Counter,
    /// Value that goes up and down.
    Gauge,
    /// Distribution of observations.
    Histogram,
}

/// One metric coord emits, as described to the recorder (`# HELP` and unit).
#[derive(Debug, Clone, Copy)]
pub struct MetricDescription {
    /// Full metric name.
    pub name: &'static str,
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// Unit, which also decides the exporter's name suffix.
    pub unit: Unit,
    /// Text of the `# HELP` line.
    pub help: &'static str,
}

/// Every metric coord emits.
pub const ALL: [MetricDescription; 4] = [
    MetricDescription {
        name: CALLS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls of a coord operation, by how they ended (ok, error, panic, cancelled).",
    },
    MetricDescription {
        name: DURATION_SECONDS,
        kind: MetricKind::Histogram,
        unit: Unit::Seconds,
        help: "Wall-clock duration of each call of a coord operation, whatever its outcome.",
    },
    MetricDescription {
        name: IN_FLIGHT,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "Calls of a coord operation that have started and not yet ended.",
    },
    MetricDescription {
        name: BUILD_INFO,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "Always 1; the version label says which coord version is running.",
    },
];

/// Tells `recorder` the unit and help text of every coord metric.
///
/// [`prometheus`](crate::prometheus) does this for its own recorder; call it when you install
/// a recorder of your own and want coord's `# HELP` lines and units.
///
/// ```
/// let recorder = metrics::NoopRecorder;
/// coord::metric_names::describe_all(&recorder);
/// ```
pub fn describe_all(recorder: &dyn metrics::Recorder) {
    for metric in ALL {
        let name = metrics::KeyName::from_const_str(metric.name);
        let help = metrics::SharedString::const_str(metric.help);
        match metric.kind {
            MetricKind::Counter => recorder.describe_counter(name, Some(metric.unit), help),
            MetricKind::Gauge => recorder.describe_gauge(name, Some(metric.unit), help),
            MetricKind::Histogram => recorder.describe_histogram(name, Some(metric.unit), help),
        }
    }
}
