//! The whole report: performance per operation, error handling, validation, and the overall
//! health they add up to; serializable (JSON, YAML) and printable as terminal tables.

pub(crate) mod error_handling;
pub(crate) mod locks;
pub(crate) mod sagas;
mod tables;

use std::fmt;

use serde::Serialize;

use crate::events::{UnknownEventsReport, unknown_events_report};
use crate::report::error_handling::{
    BreakerReport, ErrorHandlingReport, HealthStatus, error_handling_report,
};
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
    /// Calls refused by a breaker, bulkhead or rate limiter before the body ran; they are not
    /// in the durations below (which describe calls that ran).
    pub refused: u64,
    /// `(errors + panics + refused) / calls` (0 when there were no calls): a refused call
    /// failed its caller too. Cancellations are the caller's choice, not the operation's
    /// failure, so they are not counted.
    #[serde(serialize_with = "crate::base::json_numbers::six")]
    pub error_rate: f64,
    /// Mean duration.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub mean_ms: Option<f64>,
    /// Median duration.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub p99_ms: Option<f64>,
    /// Longest call.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub max_ms: Option<f64>,
    /// Calls per second since the operation was first called.
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub throughput_per_sec: f64,
    /// Performance score, 0–100 (see [`PerformanceThresholds`] for the formula).
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub score: f64,
    /// What the score means.
    pub class: PerformanceClass,
}

impl OperationReport {
    #[allow(clippy::cast_precision_loss)] // call counts far below 2^52
    fn new(snapshot: &OperationSnapshot, thresholds: &PerformanceThresholds) -> Self {
        let calls = snapshot.calls.total();
        let failed = snapshot.calls.error + snapshot.calls.panic + snapshot.calls.refused;
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
            refused: snapshot.calls.refused,
            error_rate,
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
    /// - each breaker's [`health`](BreakerReport::health): a breaker that is open, forced
    ///   open or refusing calls over conflicting declarations makes the process unhealthy if
    ///   the configuration's `health_fail_on_breakers` lists it (`"*"`: all), degraded
    ///   otherwise; a half-open one degrades it;
    /// - degraded when the performance class is [`PerformanceClass::Poor`] (the call-weighted
    ///   score), or when any operation with at least [`POOR_OPERATION_MIN_CALLS`] calls is
    ///   POOR: each operation scores the *weaker* of its p95 latency and its error rate
    ///   (refused calls included) against `performance_thresholds`, so an operation failing
    ///   69 % of its calls is POOR however fast it fails, and fast healthy helpers cannot
    ///   average it away;
    /// - degraded while a saga run is `compensation_failed` (see [`SagaReport`]).
    ///
    /// Healthy otherwise. `/health` answers 503 only for unhealthy.
    pub overall: HealthStatus,
    /// Why `overall` is not healthy, one sentence each (empty when healthy).
    pub overall_reasons: Vec<String>,
    /// Per operation, by name.
    pub performance: Vec<OperationReport>,
    /// The operations' scores averaged, weighted by calls (100 when nothing ran).
    #[serde(serialize_with = "crate::base::json_numbers::two")]
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
    #[serde(serialize_with = "crate::base::json_numbers::two")]
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
    let (overall, overall_reasons) = overall_status(
        &error_handling.breakers,
        &performance,
        performance_class,
        &sagas,
    );
    Report {
        overall,
        overall_reasons,
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

/// Calls an operation needs before its POOR class alone degrades the process: below it, one
/// early failure is not a finding.
pub const POOR_OPERATION_MIN_CALLS: u64 = 20;

/// The rule documented on [`Report::overall`], with a reason for each finding.
fn overall_status(
    breakers: &[BreakerReport],
    performance: &[OperationReport],
    class: PerformanceClass,
    sagas: &[SagaReport],
) -> (HealthStatus, Vec<String>) {
    let mut status = HealthStatus::Healthy;
    let mut reasons = Vec::new();
    for breaker in breakers {
        let health = breaker.health();
        if health > HealthStatus::Healthy {
            status = status.max(health);
            let listed = if breaker.fails_health {
                " (listed in health_fail_on_breakers)"
            } else {
                ""
            };
            reasons.push(match &breaker.conflict {
                Some(_) => format!(
                    "circuit breaker `{}` refuses calls over conflicting declarations{listed}",
                    breaker.name
                ),
                None => format!(
                    "circuit breaker `{}` is {}{listed}",
                    breaker.name, breaker.state
                ),
            });
        }
    }
    let worst = performance
        .iter()
        .filter(|op| op.class == PerformanceClass::Poor && op.calls >= POOR_OPERATION_MIN_CALLS)
        .max_by(|a, b| a.error_rate.total_cmp(&b.error_rate));
    if class == PerformanceClass::Poor || worst.is_some() {
        status = status.max(HealthStatus::Degraded);
        reasons.push(match worst {
            Some(op) => format!(
                "performance is POOR (worst: `{}`, {:.1} % errors, p95 {})",
                op.operation,
                op.error_rate * 100.0,
                op.p95_ms
                    .map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1} ms"))
            ),
            None => "performance is POOR".to_owned(),
        });
    }
    if awaiting_operator(sagas) {
        status = status.max(HealthStatus::Degraded);
        reasons.push("a saga run's compensation failed and awaits an operator".to_owned());
    }
    (status, reasons)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tables::write(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::{HealthStatus, PerformanceClass, overall_status};
    use crate::breaker::state::BreakerState;
    use crate::report::error_handling::BreakerReport;

    fn breaker(state: BreakerState, fails_health: bool) -> BreakerReport {
        BreakerReport {
            name: "payments".into(),
            state,
            successes: 0,
            failures: 0,
            rejected: 0,
            consecutive_failures: 0,
            seconds_since_last_transition: None,
            conflict: None,
            opened_because: None,
            fails_health,
        }
    }

    #[test]
    fn an_open_breaker_degrades_unless_listed_and_poor_performance_degrades() {
        use BreakerState::{Closed, HalfOpen, Open};
        use HealthStatus::{Degraded, Healthy, Unhealthy};
        use PerformanceClass::{Excellent, Fair, Poor};
        let status =
            |breakers: &[BreakerReport], class| overall_status(breakers, &[], class, &[]).0;
        assert_eq!(status(&[breaker(Closed, true)], Excellent), Healthy);
        assert_eq!(status(&[breaker(Closed, false)], Fair), Healthy);
        assert_eq!(status(&[], Poor), Degraded);
        assert_eq!(status(&[breaker(Open, false)], Excellent), Degraded);
        assert_eq!(status(&[breaker(HalfOpen, true)], Excellent), Degraded);
        assert_eq!(status(&[breaker(Open, true)], Poor), Unhealthy);
        let (_, reasons) = overall_status(&[breaker(Open, true)], &[], Poor, &[]);
        assert_eq!(
            reasons,
            [
                "circuit breaker `payments` is open (listed in health_fail_on_breakers)",
                "performance is POOR"
            ]
        );
    }
}
