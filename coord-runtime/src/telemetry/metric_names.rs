//! The names, units and help texts of every metric coord emits: written once, here.
//!
//! Use them to refer to coord's series in your own tests or tooling rather than retyping them:
//!
//! ```
//! use coord::export::metric_names;
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

/// The name that operations, retry statistics, rule sets, breakers and event processors past
/// their registry's cap share (in labels and reports), so names invented at run time cannot
/// grow memory or series without bound. The caps: [`MAX_OPERATIONS`](crate::MAX_OPERATIONS),
/// [`MAX_RULE_SETS`](crate::MAX_RULE_SETS), [`MAX_BREAKERS`](crate::MAX_BREAKERS) and
/// [`MAX_EVENT_PROCESSORS`](crate::MAX_EVENT_PROCESSORS).
pub const OVERFLOW: &str = "coord_overflow";

/// Retries made, i.e. attempts after the first call (counter).
pub const RETRY_ATTEMPTS_TOTAL: &str = "coord_retry_attempts_total";
/// Attempts cancelled by their `timeout` or the call's `deadline` (counter).
pub const RETRY_TIMEOUTS_TOTAL: &str = "coord_retry_timeouts_total";
/// Calls answered by their `fallback` (counter).
pub const FALLBACKS_TOTAL: &str = "coord_fallbacks_total";
/// Calls a bulkhead admitted or refused (counter).
pub const BULKHEAD_CALLS_TOTAL: &str = "coord_bulkhead_calls_total";
/// Calls inside a bulkhead now (gauge).
pub const BULKHEAD_IN_USE: &str = "coord_bulkhead_in_use";
/// Calls a rate limiter admitted or refused (counter).
pub const RATE_LIMITER_CALLS_TOTAL: &str = "coord_rate_limiter_calls_total";
/// Calls through a retry policy by how they ended (counter).
pub const RETRY_CALLS_TOTAL: &str = "coord_retry_calls_total";
/// One-hot state of each circuit breaker (gauge).
pub const BREAKER_STATE: &str = "coord_circuit_breaker_state";
/// Calls seen by each circuit breaker by outcome (counter).
pub const BREAKER_CALLS_TOTAL: &str = "coord_circuit_breaker_calls_total";
/// State changes of each circuit breaker (counter).
pub const BREAKER_TRANSITIONS_TOTAL: &str = "coord_circuit_breaker_transitions_total";

/// Validations by rule set and outcome (counter).
pub const VALIDATIONS_TOTAL: &str = "coord_validations_total";
/// Events an event processor had no handler for (counter).
pub const EVENTS_UNKNOWN_TOTAL: &str = "coord_events_unknown_total";

/// Saga runs by saga and how they ended: `completed`, `compensated`, `compensation_failed` or
/// `failed` (counter).
pub const SAGA_RUNS_TOTAL: &str = "coord_saga_runs_total";
/// Saga steps and compensations by saga, step, phase (`action`, `compensation`) and outcome
/// (`ok`, `error`) (counter).
pub const SAGA_STEPS_TOTAL: &str = "coord_saga_steps_total";
/// Duration of each saga run in this process, from its start (or resumption) to its end
/// (histogram).
pub const SAGA_DURATION_SECONDS: &str = "coord_saga_duration_seconds";
/// Saga runs active in this process (gauge).
pub const SAGA_IN_FLIGHT: &str = "coord_saga_in_flight";
/// Saga runs this process resumed after another instance (or an earlier start) left them
/// unfinished (counter).
pub const SAGA_RECOVERED_TOTAL: &str = "coord_saga_recovered_total";

/// Lock acquisitions by lock (its key template) and outcome: `acquired`, `timeout` or
/// `error` (counter).
pub const LOCK_ACQUISITIONS_TOTAL: &str = "coord_lock_acquisitions_total";
/// Time spent waiting for a lock, whatever the outcome (histogram).
pub const LOCK_WAIT_SECONDS: &str = "coord_lock_wait_seconds";
/// Time a lock was held, from acquisition to release or loss (histogram).
pub const LOCK_HELD_SECONDS: &str = "coord_lock_held_seconds";
/// Locks lost while held: a renewal failed or another process took the lock (counter).
pub const LOCK_LOST_TOTAL: &str = "coord_lock_lost_total";
/// Locks held by this process now (gauge).
pub const LOCKS_HELD: &str = "coord_locks_held";

/// Label carrying the operation name.
pub const OPERATION_LABEL: &str = "operation";
/// Label carrying the [`Outcome`](crate::Outcome).
pub const OUTCOME_LABEL: &str = "outcome";
/// Label of [`RETRY_CALLS_TOTAL`]: `successful_without_retry`, `successful_with_retry`,
/// `failed_without_retry` or `failed_with_retry`.
pub const KIND_LABEL: &str = "kind";
/// Label carrying the circuit breaker's name.
pub const BREAKER_LABEL: &str = "breaker";
/// Label of [`BREAKER_STATE`].
pub const STATE_LABEL: &str = "state";
/// Labels of [`BREAKER_TRANSITIONS_TOTAL`].
pub const FROM_LABEL: &str = "from";
/// See [`FROM_LABEL`].
pub const TO_LABEL: &str = "to";
/// Label of [`BREAKER_CALLS_TOTAL`]: `success`, `failure` or `rejected`.
pub const BREAKER_OUTCOME_LABEL: &str = "outcome";

/// Label carrying a bulkhead's name.
pub const BULKHEAD_LABEL: &str = "bulkhead";
/// Label carrying a rate limiter's name.
pub const RATE_LIMITER_LABEL: &str = "rate_limiter";
/// Label of [`BULKHEAD_CALLS_TOTAL`] and [`RATE_LIMITER_CALLS_TOTAL`]: `admitted` or `rejected`.
pub const LIMIT_OUTCOME_LABEL: &str = "outcome";

/// Label carrying the validation rule set's name.
pub const RULE_SET_LABEL: &str = "rule_set";
/// Label of [`VALIDATIONS_TOTAL`]: `valid` or `invalid`.
pub const VALIDATION_OUTCOME_LABEL: &str = "outcome";

/// Label of [`EVENTS_UNKNOWN_TOTAL`]: the event processor's name.
pub const PROCESSOR_LABEL: &str = "processor";

/// Label carrying a saga's name (bounded: sagas are registered in code).
pub const SAGA_LABEL: &str = "saga";
/// Label carrying a saga step's name (bounded: steps are declared in code).
pub const STEP_LABEL: &str = "step";
/// Label of [`SAGA_STEPS_TOTAL`]: `action` or `compensation`.
pub const PHASE_LABEL: &str = "phase";

/// Label carrying a lock's key template (`inventory:{sku}`), never the filled-in key, so the
/// series stay bounded.
pub const LOCK_LABEL: &str = "lock";

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
pub const ALL: [MetricDescription; 26] = [
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
        name: RETRY_ATTEMPTS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Retries made by a coord operation: attempts after the first call of each call.",
    },
    MetricDescription {
        name: RETRY_TIMEOUTS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Attempts of a coord operation cancelled by its timeout or its deadline.",
    },
    MetricDescription {
        name: FALLBACKS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls of a coord operation that failed and were answered by its fallback.",
    },
    MetricDescription {
        name: BULKHEAD_CALLS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls a coord bulkhead admitted or refused (it was full past max_wait).",
    },
    MetricDescription {
        name: BULKHEAD_IN_USE,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "Calls inside a coord bulkhead now.",
    },
    MetricDescription {
        name: RATE_LIMITER_CALLS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls a coord rate limiter admitted or refused.",
    },
    MetricDescription {
        name: RETRY_CALLS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls through a coord retry policy, by whether they succeeded and whether they retried.",
    },
    MetricDescription {
        name: BREAKER_STATE,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "1 for the state a coord circuit breaker is in, 0 for the others.",
    },
    MetricDescription {
        name: BREAKER_CALLS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Calls seen by a coord circuit breaker: admitted and succeeded, admitted and failed, or rejected.",
    },
    MetricDescription {
        name: BREAKER_TRANSITIONS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "State changes of a coord circuit breaker.",
    },
    MetricDescription {
        name: VALIDATIONS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Inputs validated against a coord rule set, by whether they were valid.",
    },
    MetricDescription {
        name: EVENTS_UNKNOWN_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Events a coord event processor received for a type it has no handler for (not handled).",
    },
    MetricDescription {
        name: SAGA_RUNS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Saga runs by how they ended (completed, compensated, compensation_failed, failed).",
    },
    MetricDescription {
        name: SAGA_STEPS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Saga steps and their compensations, by phase and outcome.",
    },
    MetricDescription {
        name: SAGA_DURATION_SECONDS,
        kind: MetricKind::Histogram,
        unit: Unit::Seconds,
        help: "Duration of each saga run in this process, from its start or resumption to its end.",
    },
    MetricDescription {
        name: SAGA_IN_FLIGHT,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "Saga runs active in this process.",
    },
    MetricDescription {
        name: SAGA_RECOVERED_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Saga runs this process resumed after a crash or another instance left them unfinished.",
    },
    MetricDescription {
        name: LOCK_ACQUISITIONS_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Distributed lock acquisitions by key template and outcome (acquired, timeout, error).",
    },
    MetricDescription {
        name: LOCK_WAIT_SECONDS,
        kind: MetricKind::Histogram,
        unit: Unit::Seconds,
        help: "Time spent waiting to acquire a distributed lock, whatever the outcome.",
    },
    MetricDescription {
        name: LOCK_HELD_SECONDS,
        kind: MetricKind::Histogram,
        unit: Unit::Seconds,
        help: "Time a distributed lock was held, from acquisition to release or loss.",
    },
    MetricDescription {
        name: LOCK_LOST_TOTAL,
        kind: MetricKind::Counter,
        unit: Unit::Count,
        help: "Distributed locks lost while held: a renewal failed or the lease ran out.",
    },
    MetricDescription {
        name: LOCKS_HELD,
        kind: MetricKind::Gauge,
        unit: Unit::Count,
        help: "Distributed locks this process holds now.",
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
/// coord::export::metric_names::describe_all(&recorder);
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
