//! The whole report: performance per operation, error handling, validation, and the overall
//! health they add up to; serializable (JSON, YAML) and printable as terminal tables.

pub(crate) mod error_handling;
pub(crate) mod locks;
pub(crate) mod sagas;
mod tables;

use std::fmt;

use serde::Serialize;

use crate::events::{UnknownEventsReport, unknown_events_report};
use crate::report::error_handling::{ErrorHandlingReport, HealthStatus, error_handling_report};
use crate::report::locks::{LockReport, lock_report};
use crate::report::sagas::{SagaReport, awaiting_operator, saga_report};
use crate::system::{SystemSample, running_samples};
use crate::tracking::stats::{OperationSnapshot, operation_stats};
use crate::validation::registry::performance_thresholds;
use crate::validation::{ValidationReport, validation_report};
use crate::values::score::{PerformanceClass, PerformanceThresholds};

/// One operation's figures; durations in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationReport {
    /// The operation.
    pub operation: String,
    /// Calls, whatever their outcome.
    pub calls: u64,
    /// Calls that returned normally (`Ok`).
    pub ok: u64,
    /// Calls that returned `Err`.
    pub errors: u64,
    /// Calls that panicked.
    pub panics: u64,
    /// Async calls dropped before completion.
    pub cancelled: u64,
    /// `(errors + panics) / calls` (0 when there were no calls). Cancellations are the caller's
    /// choice, not the operation's failure, so they are not counted.
    pub error_rate: f64,
    /// Mean duration.
    pub mean_ms: Option<f64>,
    /// Median duration.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// Longest call.
    pub max_ms: Option<f64>,
    /// Calls per second since the operation was first called.
    pub throughput_per_sec: f64,
    /// Performance score, 0–100 (see [`PerformanceThresholds`] for the formula).
    pub score: f64,
    /// What the score means.
    pub class: PerformanceClass,
}

impl OperationReport {
    #[allow(clippy::cast_precision_loss)] // call counts far below 2^52
    fn new(snapshot: &OperationSnapshot, thresholds: &PerformanceThresholds) -> Self {
        let calls = snapshot.calls.total();
        let failed = snapshot.calls.error + snapshot.calls.panic;
        let ms = |duration: Option<std::time::Duration>| duration.map(|d| d.as_secs_f64() * 1e3);
        let error_rate = if calls == 0 {
            0.0
        } else {
            failed as f64 / calls as f64
        };
        let p95_ms = ms(snapshot.p95).unwrap_or(0.0);
        let score = thresholds.score(p95_ms, error_rate);
        Self {
            operation: snapshot.operation.clone(),
            calls,
            ok: snapshot.calls.ok,
            errors: snapshot.calls.error,
            panics: snapshot.calls.panic,
            cancelled: snapshot.calls.cancelled,
            error_rate: if calls == 0 {
                0.0
            } else {
                failed as f64 / calls as f64
            },
            mean_ms: ms(snapshot.mean),
            p50_ms: ms(snapshot.p50),
            p95_ms: ms(snapshot.p95),
            p99_ms: ms(snapshot.p99),
            max_ms: ms(snapshot.max),
            throughput_per_sec: snapshot.throughput_per_sec,
            score,
            class: PerformanceClass::of(score),
        }
    }
}

/// Everything coord knows about the process now; see [`report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The overall status, the worst of:
    /// - the error-handling health: unhealthy while any breaker is open, forced open or
    ///   refusing calls over conflicting declarations; degraded while any is half-open;
    /// - degraded when the overall performance class is [`PerformanceClass::Poor`] (p95 or
    ///   error rate past the `fair` thresholds of `performance_thresholds`, call-weighted);
    /// - degraded while a saga run is `compensation_failed` (see [`SagaReport`]).
    ///
    /// Healthy otherwise. `/health` answers 503 only for unhealthy.
    pub overall: HealthStatus,
    /// Per operation, by name.
    pub performance: Vec<OperationReport>,
    /// The operations' scores averaged, weighted by calls (100 when nothing ran).
    pub performance_score: f64,
    /// What the overall score means.
    pub performance_class: PerformanceClass,
    /// Breakers and retries.
    pub error_handling: ErrorHandlingReport,
    /// Validations per rule set.
    pub validation: ValidationReport,
    /// Per event processor, the events of types it had no handler for.
    pub unknown_events: Vec<UnknownEventsReport>,
    /// Per saga (features `sqlite`, `postgres`), its runs by outcome.
    pub sagas: Vec<SagaReport>,
    /// Per distributed lock (by key template), its acquisitions and losses.
    pub locks: Vec<LockReport>,
    /// The system monitor's figures, when one runs (see
    /// [`start_system_monitor`](crate::start_system_monitor)).
    pub system: Option<SystemReport>,
}

/// What the system monitor saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemReport {
    /// The newest sample.
    pub latest: SystemSample,
    /// Samples kept.
    pub samples: usize,
    /// Mean process CPU over the samples kept, in percent of one core.
    pub mean_process_cpu_percent: f64,
    /// Highest resident memory over the samples kept.
    pub peak_process_resident_bytes: u64,
}

fn system_report() -> Option<SystemReport> {
    let samples = running_samples()?;
    let latest = *samples.last()?;
    #[allow(clippy::cast_precision_loss)]
    let mean = samples
        .iter()
        .map(|s| f64::from(s.process_cpu_percent))
        .sum::<f64>()
        / samples.len() as f64;
    Some(SystemReport {
        latest,
        samples: samples.len(),
        mean_process_cpu_percent: mean,
        peak_process_resident_bytes: samples
            .iter()
            .map(|s| s.process_resident_bytes)
            .max()
            .unwrap_or(0),
    })
}

/// The report now.
///
/// ```
/// #[coord::track_performance]
/// fn ping() -> Result<(), String> {
///     Ok(())
/// }
///
/// ping().unwrap();
/// let report = coord::report();
/// assert_eq!(report.overall, coord::report::HealthStatus::Healthy);
/// let ping = report.performance.iter().find(|op| op.operation == "ping").unwrap();
/// assert_eq!((ping.calls, ping.error_rate), (1, 0.0));
/// println!("{report}"); // terminal tables
/// let json = serde_json::to_string(&report).unwrap();
/// assert!(json.contains(r#""overall":"healthy""#));
/// ```
#[must_use]
pub fn report() -> Report {
    let error_handling = error_handling_report();
    let thresholds = performance_thresholds();
    let performance: Vec<OperationReport> = operation_stats()
        .iter()
        .map(|snapshot| OperationReport::new(snapshot, &thresholds))
        .collect();
    let performance_score =
        crate::values::score::weighted_mean(performance.iter().map(|op| (op.score, op.calls)));
    let performance_class = PerformanceClass::of(performance_score);
    let sagas = saga_report();
    let from_sagas = if awaiting_operator(&sagas) {
        HealthStatus::Degraded
    } else {
        HealthStatus::Healthy
    };
    Report {
        overall: overall_status(error_handling.health_status, performance_class).max(from_sagas),
        performance,
        performance_score,
        performance_class,
        error_handling,
        validation: validation_report(),
        unknown_events: unknown_events_report(),
        sagas,
        locks: lock_report(),
        system: system_report(),
    }
}

/// The rule documented on [`Report::overall`].
fn overall_status(error_handling: HealthStatus, performance: PerformanceClass) -> HealthStatus {
    let from_performance = match performance {
        PerformanceClass::Poor => HealthStatus::Degraded,
        _ => HealthStatus::Healthy,
    };
    error_handling.max(from_performance)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tables::write(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::{HealthStatus, PerformanceClass, overall_status};

    #[test]
    fn overall_is_the_worst_of_breakers_and_performance() {
        use HealthStatus::{Degraded, Healthy, Unhealthy};
        use PerformanceClass::{Excellent, Fair, Poor};
        assert_eq!(overall_status(Healthy, Excellent), Healthy);
        assert_eq!(overall_status(Healthy, Fair), Healthy);
        assert_eq!(overall_status(Healthy, Poor), Degraded);
        assert_eq!(overall_status(Degraded, Excellent), Degraded);
        assert_eq!(overall_status(Unhealthy, Poor), Unhealthy);
    }
}
