//! The error-handling report: every breaker's state and counts, every retried operation's
//! retries, and one health status for the whole process.

use std::fmt;

use serde::Serialize;

use crate::breaker::registry::breakers;
use crate::breaker::state::BreakerState;
use crate::limit::registry::{bulkheads, rate_limiters};
use crate::retry::site::{RetrySnapshot, retry_stats};

/// How healthy the process looks; see [`Report::overall`](crate::report::Report::overall) for
/// the rule. Only `Unhealthy` makes `/health` answer 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Nothing is wrong.
    Healthy,
    /// Serving, with a problem an operator should see: a breaker is not closed (one that
    /// `health_fail_on_breakers` does not list), the performance class is POOR, or a saga run
    /// awaits an operator. `/health` answers 200: a replica that can still serve stays in its
    /// load balancer.
    Degraded,
    /// A breaker that `health_fail_on_breakers` lists is open, forced open or refusing calls
    /// over conflicting declarations: `/health` answers 503.
    Unhealthy,
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Degraded => "degraded",
            HealthStatus::Unhealthy => "unhealthy",
        })
    }
}

/// One breaker in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakerReport {
    /// Its name.
    pub name: String,
    /// Its state now.
    pub state: BreakerState,
    /// Admitted calls that succeeded.
    pub successes: u64,
    /// Admitted calls that failed (and counted).
    pub failures: u64,
    /// Calls rejected without running.
    pub rejected: u64,
    /// Failures in a row so far while closed.
    pub consecutive_failures: u32,
    /// Seconds since its last state change, on its own clock; `None` if it never changed.
    #[serde(serialize_with = "crate::base::json_numbers::three_or_none")]
    pub seconds_since_last_transition: Option<f64>,
    /// Why it refuses every call, if its declarations conflict.
    pub conflict: Option<String>,
    /// Which rule last opened it, with its figures; `None` if it never opened.
    pub opened_because: Option<String>,
    /// Whether the configuration's `health_fail_on_breakers` lists it: open, it makes the
    /// process unhealthy rather than degraded.
    pub fails_health: bool,
}

impl BreakerReport {
    /// What this breaker does to the process's health now.
    #[must_use]
    pub fn health(&self) -> HealthStatus {
        let refusing = self.conflict.is_some()
            || matches!(self.state, BreakerState::Open | BreakerState::ForcedOpen);
        match self.state {
            _ if refusing && self.fails_health => HealthStatus::Unhealthy,
            _ if refusing => HealthStatus::Degraded,
            BreakerState::HalfOpen => HealthStatus::Degraded,
            _ => HealthStatus::Healthy,
        }
    }
}

/// One bulkhead or rate limiter in the report.
///
/// ```
/// use coord::limit::RateLimit;
///
/// coord::limit::rate_limiter("docs.reported", RateLimit::per_second(10));
/// let report = coord::report::error_handling_report();
/// let row = report.limits.iter().find(|l| l.name == "docs.reported").unwrap();
/// assert_eq!((row.kind, row.options.as_str()), ("rate_limiter", "per_second = 10, burst = 10"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitReport {
    /// Its name.
    pub name: String,
    /// `"bulkhead"` or `"rate_limiter"`.
    pub kind: &'static str,
    /// Calls admitted.
    pub admitted: u64,
    /// Calls refused.
    pub rejected: u64,
    /// Calls inside now (bulkheads).
    pub in_use: Option<u32>,
    /// Its options, as written.
    pub options: String,
}

/// Breakers, retries and overall health; see [`error_handling_report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorHandlingReport {
    /// The worst of the breakers' [`health`](BreakerReport::health).
    pub health_status: HealthStatus,
    /// Every breaker, by name.
    pub breakers: Vec<BreakerReport>,
    /// Every retried operation, by name.
    pub retries: Vec<RetrySnapshot>,
    /// Every bulkhead, then every rate limiter, by name.
    pub limits: Vec<LimitReport>,
}

/// The error-handling report now.
///
/// ```
/// let report = coord::report::error_handling_report();
/// assert_eq!(report.health_status, coord::report::HealthStatus::Healthy);
///
/// // Open, a breaker the configuration does not list in `health_fail_on_breakers` degrades.
/// coord::breaker("docs.report").force_open();
/// let report = coord::report::error_handling_report();
/// assert_eq!(report.health_status, coord::report::HealthStatus::Degraded);
/// assert!(report.breakers.iter().any(|b| b.name == "docs.report" && !b.fails_health));
/// ```
#[must_use]
pub fn error_handling_report() -> ErrorHandlingReport {
    crate::breaker::registry::create_known();
    let fail_on = &crate::config::configuration().health_fail_on_breakers;
    let breakers: Vec<BreakerReport> = breakers()
        .into_iter()
        .map(|breaker| {
            let counts = breaker.counts();
            BreakerReport {
                name: breaker.name().to_owned(),
                state: breaker.state(),
                successes: counts.successes,
                failures: counts.failures,
                rejected: counts.rejected,
                consecutive_failures: breaker.consecutive_failures(),
                seconds_since_last_transition: breaker
                    .since_last_transition()
                    .map(|since| since.as_secs_f64()),
                conflict: breaker.conflict().map(ToString::to_string),
                opened_because: breaker.opened_because().map(|reason| reason.to_string()),
                fails_health: fail_on
                    .iter()
                    .any(|name| name == "*" || name == breaker.name()),
            }
        })
        .collect();
    let health_status = breakers
        .iter()
        .map(BreakerReport::health)
        .max()
        .unwrap_or(HealthStatus::Healthy);
    ErrorHandlingReport {
        health_status,
        breakers,
        retries: retry_stats(),
        limits: limits(),
    }
}

fn limits() -> Vec<LimitReport> {
    let bulkheads = bulkheads().into_iter().map(|bulkhead| {
        let (admitted, rejected) = bulkhead.counts();
        LimitReport {
            name: bulkhead.name().to_owned(),
            kind: "bulkhead",
            admitted,
            rejected,
            in_use: Some(bulkhead.in_use()),
            options: bulkhead.config().to_string(),
        }
    });
    let rate_limiters = rate_limiters().into_iter().map(|limiter| {
        let (admitted, rejected) = limiter.counts();
        LimitReport {
            name: limiter.name().to_owned(),
            kind: "rate_limiter",
            admitted,
            rejected,
            in_use: None,
            options: limiter.config().to_string(),
        }
    });
    bulkheads.chain(rate_limiters).collect()
}
