//! The bookkeeping of one call's attempts, shared by the sync and async loops: what to do
//! after a failure, and what to record at the end. The loops only add sleeping and clocks.

use std::time::Duration;

/// `tracing::event!` at a level chosen at run time (the macro itself needs a constant).
macro_rules! log_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            tracing::Level::ERROR => tracing::error!($($rest)+),
            tracing::Level::WARN => tracing::warn!($($rest)+),
            tracing::Level::INFO => tracing::info!($($rest)+),
            tracing::Level::DEBUG => tracing::debug!($($rest)+),
            _ => tracing::trace!($($rest)+),
        }
    };
}

use super::classify::FailureView;
use super::site::{RetryKind, RetrySite};
use crate::breaker::core::CallResult;
use crate::values::retry_policy::StopReason;
use crate::values::severity::Severity;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Return the error.
    Stop,
    /// Sleep this long, then try again.
    RetryAfter(Duration),
}

/// One call's attempts so far.
///
/// Dropped before the call settled — the body, `retry_if` or a classification panicked, or an
/// async call's future was dropped — it records the call as failed, so the retry statistics
/// lose no call; the panic itself goes on unwinding unchanged.
pub(crate) struct Attempts<'s> {
    site: &'s RetrySite,
    retries: u32,
    previous_delay: Option<Duration>,
    settled: bool,
}

impl Drop for Attempts<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.panicked();
        }
    }
}

impl<'s> Attempts<'s> {
    /// Before the first attempt.
    #[inline]
    pub(crate) fn new(site: &'s RetrySite) -> Self {
        Self {
            site,
            retries: 0,
            previous_delay: None,
            settled: false,
        }
    }

    /// The retried operation's site.
    pub(crate) fn site(&self) -> &'s RetrySite {
        self.site
    }

    /// The span of the attempt about to run: `coord.attempt` with its number and the delay
    /// before it, inside the operation's span, for a retry; none for the first attempt, which
    /// is the operation span's own (so a call that succeeds at once costs no span).
    #[cfg(feature = "spans")]
    pub(crate) fn attempt_span(&self) -> tracing::Span {
        if self.retries == 0 {
            return tracing::Span::none();
        }
        let delay_ms = self
            .previous_delay
            .map_or(0.0, |delay| delay.as_secs_f64() * 1e3);
        tracing::info_span!(
            "coord.attempt",
            otel.name = "coord.attempt",
            coord.operation = self.site.operation(),
            coord.attempt = self.retries + 1,
            coord.retry_delay_ms = delay_ms,
        )
    }

    /// The call ended without an outcome: a panic, or a dropped future.
    #[cold]
    pub(crate) fn panicked(&mut self) {
        self.finish(false, false);
    }

    /// Records how the call ended, once.
    #[inline(always)]
    fn finish(&mut self, succeeded: bool, exhausted: bool) {
        self.settled = true;
        self.site.finish(
            RetryKind::of(succeeded, self.retries),
            self.retries,
            exhausted,
        );
    }

    /// Whether elapsed times are needed (only when the policy has a deadline).
    #[inline]
    pub(crate) fn needs_clock(&self) -> bool {
        self.site.has_deadline()
    }

    /// The attempt succeeded.
    #[inline]
    pub(crate) fn succeeded(&mut self) {
        self.finish(true, false);
    }

    /// The breaker refused the attempt: never retried. A call that had been retrying logs that
    /// it gives up; a refused first attempt does not (an open breaker would flood the log).
    pub(crate) fn rejected(&mut self) {
        if self.retries == 0 {
            // Refused before the body ran at all: tracking keeps it out of the latencies. An
            // event at DEBUG, in the call's span: an open breaker refuses every call, which
            // would flood a log at INFO.
            crate::base::refusal::note();
            tracing::debug!(
                operation = self.site.operation(),
                "coord: refused before it ran (circuit breaker open, or a limit full)"
            );
        } else {
            let operation = self.site.operation();
            let attempts = self.retries;
            let reason = "circuit breaker open";
            log_at!(
                self.site.policy().severity.log_level(),
                operation,
                attempts,
                reason,
                "coord: giving up"
            );
        }
        self.finish(false, false);
    }

    /// How a failure counts against a breaker: as `record_if` says, else a dependency failure
    /// (not a permanent one) whose severity counts.
    pub(crate) fn breaker_result(&self, failure: &FailureView<'_>) -> CallResult {
        let counts = failure.recorded.unwrap_or_else(|| {
            failure.class.is_dependency_failure() && self.severity(failure).counts_against_breaker()
        });
        if counts {
            CallResult::Failure
        } else {
            CallResult::Ignored
        }
    }

    fn severity(&self, failure: &FailureView<'_>) -> Severity {
        failure.severity.unwrap_or(self.site.policy().severity)
    }

    /// The deadline cancelled the running attempt: the call is over, out of time.
    pub(crate) fn out_of_time(&mut self, failure: &FailureView<'_>) -> Decision {
        let operation = self.site.operation();
        let attempts = self.retries + 1;
        let error = &failure.text;
        let reason = StopReason::DeadlineReached.as_str();
        log_at!(self.severity(failure).log_level(), operation, attempts, reason, %error, "coord: giving up");
        self.finish(false, true);
        Decision::Stop
    }

    /// Decides what follows a failed attempt, logging and recording a final failure.
    pub(crate) fn failed(
        &mut self,
        failure: &FailureView<'_>,
        elapsed: Duration,
        last_attempt: Duration,
    ) -> Decision {
        let policy = self.site.policy();
        let planned = if failure.retryable {
            policy
                .next_delay_at_least(
                    self.retries,
                    self.previous_delay,
                    elapsed,
                    last_attempt,
                    fastrand::f64(),
                    failure.class.retry_after(),
                )
                .and_then(|delay| {
                    if self.site.budget_allows_retry() {
                        Ok(delay)
                    } else {
                        Err(StopReason::BudgetExhausted)
                    }
                })
        } else {
            Err(StopReason::NotRetryable)
        };
        let severity = self.severity(failure);
        let operation = self.site.operation();
        match planned {
            Ok(delay) => {
                self.retries += 1;
                self.previous_delay = Some(delay);
                let attempt = self.retries + 1;
                let delay_ms = delay.as_secs_f64() * 1e3;
                let error = &failure.text;
                log_at!(quieter(severity.log_level()), operation, attempt, delay_ms, %error, "coord: retry scheduled");
                Decision::RetryAfter(delay)
            }
            Err(reason) => {
                let exhausted = reason != StopReason::NotRetryable;
                if exhausted {
                    let attempts = self.retries + 1;
                    let error = &failure.text;
                    let reason = reason.as_str();
                    log_at!(severity.log_level(), operation, attempts, reason, %error, "coord: giving up");
                }
                self.finish(false, exhausted);
                Decision::Stop
            }
        }
    }
}

fn quieter(level: tracing::Level) -> tracing::Level {
    match level {
        tracing::Level::ERROR => tracing::Level::WARN,
        tracing::Level::WARN => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    }
}
