//! A retry policy: how many retries, how long to wait before each, and the total time budget.
//! Built in `const` context, so each annotated function holds its policy in a `static`.

use std::time::Duration;

use crate::values::severity::Severity;

/// How the delay grows from one retry to the next (before the `max_delay` cap and jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// `base_delay × multiplier^(n-1)` before retry `n`.
    Exponential,
    /// `base_delay × n` before retry `n`.
    Linear,
    /// `base_delay` before every retry.
    Constant,
}

/// How a delay is randomised, so that many clients retrying together spread out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// The computed delay, exactly.
    None,
    /// Uniform in `[0, delay)`.
    Full,
    /// Uniform in `[delay/2, delay)`.
    Equal,
    /// Uniform in `[base_delay, 3 × previous delay)`, capped at `max_delay` (AWS's
    /// "decorrelated jitter"); grows with the previous delay rather than the retry number.
    Decorrelated,
}

/// When and how often a failed call is retried.
///
/// `max_retries` counts retries **after** the first call: `max_retries = 3` runs the body at
/// most 4 times. (resilience4j's `maxAttempts` and tenacity's `stop_after_attempt` count the
/// first call too; Polly and backon count retries only, as coord does.)
///
/// ```
/// use coord::{Severity, retry::{Backoff, Jitter, RetryPolicy}};
/// use std::time::Duration;
///
/// let policy = RetryPolicy::for_severity(Severity::Medium)
///     .max_retries(5)
///     .backoff(Backoff::Linear)
///     .base_delay(Duration::from_millis(10))
///     .jitter(Jitter::None);
/// let delays: Vec<Duration> = policy.delays_without_jitter().collect();
/// assert_eq!(delays, [10, 20, 30, 40, 50].map(Duration::from_millis));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub(crate) severity: Severity,
    pub(crate) max_retries: u32,
    pub(crate) backoff: Backoff,
    pub(crate) base_delay: Duration,
    pub(crate) multiplier: f64,
    pub(crate) max_delay: Duration,
    pub(crate) jitter: Jitter,
    pub(crate) deadline: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) budget: Option<RetryBudget>,
}

/// How many retries an operation may make, over the last ten seconds: `ratio` of its calls,
/// plus `min_per_second` a second whatever the traffic. Past it a failed call is not retried
/// (it ends with [`StopReason::BudgetExhausted`]), so when a dependency struggles and every
/// call fails, retries add at most `ratio` to its load instead of multiplying it.
///
/// ```
/// use coord::{Severity, retry::{RetryBudget, RetryPolicy}};
///
/// let policy = RetryPolicy::for_severity(Severity::Medium).budget(RetryBudget::new(0.2).min_per_second(5));
/// assert_eq!(policy.budget_value(), Some(RetryBudget::new(0.2).min_per_second(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    ratio: f64,
    min_per_second: u32,
}

impl RetryBudget {
    /// Retries up to `ratio` of the calls (e.g. `0.2`: one retry per five calls), and 10 a
    /// second whatever the traffic.
    ///
    /// # Panics
    /// When `ratio` is not within `0..=10` (`coord_text::BUDGET_RATIO`).
    #[must_use]
    pub const fn new(ratio: f64) -> Self {
        assert!(
            coord_text::BUDGET_RATIO.admits_number(ratio),
            "RetryBudget::new: the ratio must be between 0 and 10"
        );
        Self {
            ratio,
            min_per_second: 10,
        }
    }

    /// Retries allowed a second whatever the traffic (default 10).
    ///
    /// # Panics
    /// Above 1 000 000 (`coord_text::MIN_RETRIES_PER_SECOND`).
    #[must_use]
    pub const fn min_per_second(mut self, min_per_second: u32) -> Self {
        assert!(
            coord_text::MIN_RETRIES_PER_SECOND.admits_count(min_per_second as u64),
            "RetryBudget::min_per_second must be at most 1 000 000"
        );
        self.min_per_second = min_per_second;
        self
    }

    /// The fraction of calls that may be retried.
    #[must_use]
    pub const fn ratio_value(&self) -> f64 {
        self.ratio
    }

    /// Retries allowed a second whatever the traffic.
    #[must_use]
    pub const fn min_per_second_value(&self) -> u32 {
        self.min_per_second
    }
}

impl RetryPolicy {
    /// The documented defaults of `severity` (see [`Severity`]).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    ///
    /// let critical = RetryPolicy::for_severity(Severity::Critical);
    /// assert_eq!(critical.severity_value(), Severity::Critical);
    /// assert_ne!(critical, RetryPolicy::for_severity(Severity::Low));
    /// ```
    #[must_use]
    pub const fn for_severity(severity: Severity) -> Self {
        let (max_retries, backoff, base_ms, max_ms, jitter) = match severity {
            Severity::Low => (1, Backoff::Constant, 50, 50, Jitter::None),
            Severity::Medium => (3, Backoff::Exponential, 100, 2_000, Jitter::Full),
            Severity::High => (5, Backoff::Exponential, 200, 5_000, Jitter::Equal),
            Severity::Critical => (0, Backoff::Constant, 0, 0, Jitter::None),
        };
        Self {
            severity,
            max_retries,
            backoff,
            base_delay: Duration::from_millis(base_ms),
            multiplier: 2.0,
            max_delay: Duration::from_millis(max_ms),
            jitter,
            deadline: None,
            timeout: None,
            budget: None,
        }
    }

    /// Retries after the first call.
    ///
    /// # Panics
    /// Above 1 000 (`coord_text::MAX_RETRIES`, the bound the attributes and the configuration
    /// check too).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium).max_retries(2); // at most 3 runs
    /// assert_eq!(policy.max_retries_value(), 2);
    /// ```
    #[must_use]
    pub const fn max_retries(mut self, retries: u32) -> Self {
        assert!(
            coord_text::MAX_RETRIES.admits_count(retries as u64),
            "RetryPolicy::max_retries must be at most 1000"
        );
        self.max_retries = retries;
        self
    }

    /// How the delay grows.
    ///
    /// ```
    /// use coord::{Severity, retry::{Backoff, Jitter, RetryPolicy}};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium)
    ///     .backoff(Backoff::Constant)
    ///     .base_delay(Duration::from_millis(50))
    ///     .jitter(Jitter::None)
    ///     .max_retries(3);
    /// assert!(policy.delays_without_jitter().all(|d| d == Duration::from_millis(50)));
    /// ```
    #[must_use]
    pub const fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The delay before the first retry. Raises `max_delay` to match if it was lower.
    ///
    /// # Panics
    /// Above one day (`coord_text::BASE_DELAY`).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium).base_delay(Duration::from_millis(20));
    /// assert_eq!(policy.base_delay_value(), Duration::from_millis(20));
    /// ```
    #[must_use]
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        assert!(
            coord_text::BASE_DELAY.admits_nanos(super::saturating_nanos(delay)),
            "RetryPolicy::base_delay must be at most one day"
        );
        self.base_delay = delay;
        if self.max_delay.as_nanos() < delay.as_nanos() {
            self.max_delay = delay;
        }
        self
    }

    /// The growth factor of exponential backoff.
    ///
    /// # Panics
    /// Outside 1 to 1 000 000 or not finite (`coord_text::MULTIPLIER`).
    ///
    /// ```
    /// use coord::{Severity, retry::{Backoff, Jitter, RetryPolicy}};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium)
    ///     .backoff(Backoff::Exponential)
    ///     .base_delay(Duration::from_millis(10))
    ///     .multiplier(3.0)
    ///     .jitter(Jitter::None)
    ///     .max_retries(3);
    /// let delays: Vec<Duration> = policy.delays_without_jitter().collect();
    /// assert_eq!(delays, [10, 30, 90].map(Duration::from_millis));
    /// ```
    #[must_use]
    pub const fn multiplier(mut self, multiplier: f64) -> Self {
        assert!(
            coord_text::MULTIPLIER.admits_number(multiplier),
            "RetryPolicy::multiplier must be between 1 and 1000000"
        );
        self.multiplier = multiplier;
        self
    }

    /// The longest delay before any retry, jitter included.
    ///
    /// # Panics
    /// Above one day (`coord_text::MAX_DELAY`).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium).max_delay(Duration::from_secs(2));
    /// assert_eq!(policy.max_delay_value(), Duration::from_secs(2));
    /// assert!(policy.capped_delay(30) <= Duration::from_secs(2));
    /// ```
    #[must_use]
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        assert!(
            coord_text::MAX_DELAY.admits_nanos(super::saturating_nanos(delay)),
            "RetryPolicy::max_delay must be at most one day"
        );
        self.max_delay = delay;
        self
    }

    /// How delays are randomised.
    ///
    /// ```
    /// use coord::{Severity, retry::{Jitter, RetryPolicy}};
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium).jitter(Jitter::Decorrelated);
    /// assert_eq!(policy.jitter_value(), Jitter::Decorrelated);
    /// ```
    #[must_use]
    pub const fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// A budget for the whole call, first attempt and retries and delays included: no retry is
    /// started that would, judging by the last attempt's duration, end past it, and an async
    /// attempt still running when it passes is cancelled (the call then fails with
    /// [`Error::Timeout`](crate::Error::Timeout)). A sync attempt cannot be cancelled: it runs
    /// to its end, and no retry follows it past the deadline.
    ///
    /// # Panics
    /// When zero or above one day (`coord_text::DEADLINE`).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::High).deadline(Duration::from_secs(2));
    /// assert_eq!(policy.deadline_value(), Some(Duration::from_secs(2)));
    /// ```
    #[must_use]
    pub const fn deadline(mut self, deadline: Duration) -> Self {
        assert!(
            coord_text::DEADLINE.admits_nanos(super::saturating_nanos(deadline)),
            "RetryPolicy::deadline must be longer than zero and at most one day"
        );
        self.deadline = Some(deadline);
        self
    }

    /// A limit on each async attempt: one still running after `timeout` is dropped (cancelled),
    /// counts as a transient failure (retried, and a failure for the breaker), and if it was
    /// the last the call fails with [`Error::Timeout`](crate::Error::Timeout). Sync attempts
    /// cannot be cancelled: `#[handle_errors(timeout = ..)]` on a sync function is a compile
    /// error, and [`ErrorHandling::call`](crate::ErrorHandling::call) ignores it (with a
    /// warning).
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy};
    /// use std::time::Duration;
    ///
    /// let policy = RetryPolicy::for_severity(Severity::Medium).timeout(Duration::from_millis(500));
    /// assert_eq!(policy.timeout_value(), Some(Duration::from_millis(500)));
    /// ```
    ///
    /// # Panics
    /// When zero or above one day (`coord_text::ATTEMPT_TIMEOUT`).
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        assert!(
            coord_text::ATTEMPT_TIMEOUT.admits_nanos(super::saturating_nanos(timeout)),
            "RetryPolicy::timeout must be longer than zero and at most one day"
        );
        self.timeout = Some(timeout);
        self
    }

    /// Caps retries at a share of the operation's calls (see [`RetryBudget`]).
    ///
    /// ```
    /// use coord::{Severity, retry::{RetryBudget, RetryPolicy}};
    ///
    /// // Retries at most 20 % of the calls (plus 10 a second), so an outage is not tripled by retries.
    /// let policy = RetryPolicy::for_severity(Severity::Medium).budget(RetryBudget::new(0.2).min_per_second(10));
    /// assert_eq!(policy.budget_value().map(|b| b.ratio_value()), Some(0.2));
    /// ```
    #[must_use]
    pub const fn budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The retry budget, if any.
    #[must_use]
    pub const fn budget_value(&self) -> Option<RetryBudget> {
        self.budget
    }

    /// The limit on each attempt, if any.
    #[must_use]
    pub const fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }

    /// The budget of the whole call, if any.
    #[must_use]
    pub const fn deadline_value(&self) -> Option<Duration> {
        self.deadline
    }

    /// The severity the defaults came from; also the failures' log level and breaker weight.
    #[must_use]
    pub const fn severity_value(&self) -> Severity {
        self.severity
    }

    /// Retries after the first call.
    #[must_use]
    pub const fn max_retries_value(&self) -> u32 {
        self.max_retries
    }

    /// How delays are randomised.
    #[must_use]
    pub const fn jitter_value(&self) -> Jitter {
        self.jitter
    }

    /// The delay before the first retry, before jitter.
    #[must_use]
    pub const fn base_delay_value(&self) -> Duration {
        self.base_delay
    }

    /// The longest delay before any retry.
    #[must_use]
    pub const fn max_delay_value(&self) -> Duration {
        self.max_delay
    }

    /// The delays before retries 1..=`max_retries`, without jitter.
    pub fn delays_without_jitter(&self) -> impl Iterator<Item = Duration> + '_ {
        (1..=self.max_retries).map(|retry| self.capped_delay(retry))
    }

    /// The delay before retry `retry` (1-based), before jitter, capped at `max_delay`.
    #[must_use]
    pub fn capped_delay(&self, retry: u32) -> Duration {
        let base = self.base_delay.as_secs_f64();
        let seconds = match self.backoff {
            Backoff::Constant => base,
            Backoff::Linear => base * f64::from(retry),
            Backoff::Exponential => {
                let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
                base * self.multiplier.max(1.0).powi(exponent)
            }
        };
        seconds_capped(seconds, self.max_delay)
    }

    /// The delay before retry `retry`, jittered with `unit` (uniform in `[0, 1)`);
    /// `previous` is the delay before the previous retry (for decorrelated jitter).
    #[must_use]
    pub fn delay(&self, retry: u32, previous: Option<Duration>, unit: f64) -> Duration {
        let unit = unit.clamp(0.0, 1.0);
        let delay = self.capped_delay(retry).as_secs_f64();
        let seconds = match self.jitter {
            Jitter::None => delay,
            Jitter::Full => delay * unit,
            Jitter::Equal => delay / 2.0 + delay / 2.0 * unit,
            Jitter::Decorrelated => {
                let low = self.base_delay.as_secs_f64();
                let high = previous
                    .map_or(low, |previous| previous.as_secs_f64() * 3.0)
                    .max(low);
                low + (high - low) * unit
            }
        };
        seconds_capped(seconds, self.max_delay)
    }
}

/// Why no further retry is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The error is not worth retrying.
    NotRetryable,
    /// Every allowed retry was made.
    RetriesExhausted,
    /// Another retry would end past the deadline.
    DeadlineReached,
    /// The operation's retry budget is spent.
    BudgetExhausted,
}

impl StopReason {
    /// A short description for logs.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            StopReason::NotRetryable => "not retryable",
            StopReason::RetriesExhausted => "retries exhausted",
            StopReason::DeadlineReached => "deadline reached",
            StopReason::BudgetExhausted => "retry budget exhausted",
        }
    }
}

impl RetryPolicy {
    /// The delay before the next retry, or why there is none.
    ///
    /// `retries_done` retries have been made; `previous` is the last delay; `elapsed` is the
    /// time since the call started and `last_attempt` the last attempt's duration (used for the
    /// deadline: a retry is refused if waiting and then running as long again would end past
    /// it); `unit` is a uniform random number in `[0, 1)` for jitter.
    ///
    /// ```
    /// use coord::{Severity, retry::{Backoff, Jitter, RetryPolicy, StopReason}};
    /// use std::time::Duration;
    ///
    /// let ms = Duration::from_millis;
    /// let policy = RetryPolicy::for_severity(Severity::Medium)
    ///     .jitter(Jitter::None)
    ///     .backoff(Backoff::Constant)
    ///     .deadline(ms(500));
    /// // 100 ms in, a 100 ms wait and a 100 ms attempt end at 300 ms: allowed.
    /// assert_eq!(policy.next_delay(0, None, ms(100), ms(100), 0.0), Ok(ms(100)));
    /// // 350 ms in, they would end at 550 ms: refused.
    /// assert_eq!(policy.next_delay(1, None, ms(350), ms(100), 0.0), Err(StopReason::DeadlineReached));
    /// assert_eq!(policy.next_delay(3, None, ms(0), ms(0), 0.0), Err(StopReason::RetriesExhausted));
    /// ```
    ///
    /// # Errors
    /// [`StopReason::RetriesExhausted`] or [`StopReason::DeadlineReached`].
    pub fn next_delay(
        &self,
        retries_done: u32,
        previous: Option<Duration>,
        elapsed: Duration,
        last_attempt: Duration,
        unit: f64,
    ) -> Result<Duration, StopReason> {
        self.next_delay_at_least(retries_done, previous, elapsed, last_attempt, unit, None)
    }

    /// [`next_delay`](RetryPolicy::next_delay) when the dependency asked to be left alone for
    /// `hint` (an [`ErrorClass::TransientAfter`](crate::ErrorClass::TransientAfter)): the
    /// longer of the backoff's delay and the hint, capped at `max_delay`, and refused like
    /// any delay that would end past the deadline.
    ///
    /// ```
    /// use coord::{Severity, retry::{Backoff, Jitter, RetryPolicy, StopReason}};
    /// use std::time::Duration;
    ///
    /// let ms = Duration::from_millis;
    /// let policy = RetryPolicy::for_severity(Severity::Medium)
    ///     .jitter(Jitter::None)
    ///     .backoff(Backoff::Constant)
    ///     .max_delay(ms(2_000))
    ///     .deadline(ms(3_000));
    /// assert_eq!(policy.next_delay_at_least(0, None, ms(0), ms(10), 0.0, Some(ms(700))), Ok(ms(700)));
    /// assert_eq!(policy.next_delay_at_least(0, None, ms(0), ms(10), 0.0, Some(ms(9_000))), Ok(ms(2_000)));
    /// assert_eq!(
    ///     policy.next_delay_at_least(0, None, ms(1_500), ms(10), 0.0, Some(ms(1_600))),
    ///     Err(StopReason::DeadlineReached)
    /// );
    /// ```
    ///
    /// # Errors
    /// As [`next_delay`](RetryPolicy::next_delay).
    pub fn next_delay_at_least(
        &self,
        retries_done: u32,
        previous: Option<Duration>,
        elapsed: Duration,
        last_attempt: Duration,
        unit: f64,
        hint: Option<Duration>,
    ) -> Result<Duration, StopReason> {
        if retries_done >= self.max_retries {
            return Err(StopReason::RetriesExhausted);
        }
        let backoff = self.delay(retries_done + 1, previous, unit);
        let delay = match hint {
            None => backoff,
            Some(hint) => backoff.max(hint.min(self.max_delay.max(self.base_delay))),
        };
        if let Some(deadline) = self.deadline
            && elapsed + delay + last_attempt > deadline
        {
            return Err(StopReason::DeadlineReached);
        }
        Ok(delay)
    }
}

fn seconds_capped(seconds: f64, cap: Duration) -> Duration {
    if !seconds.is_finite() || seconds >= cap.as_secs_f64() {
        cap
    } else {
        Duration::from_secs_f64(seconds.max(0.0))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::for_severity(Severity::Medium)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medium_schedule_is_100_200_400ms() {
        let policy = RetryPolicy::for_severity(Severity::Medium);
        let delays: Vec<_> = policy.delays_without_jitter().collect();
        assert_eq!(delays, [100, 200, 400].map(Duration::from_millis));
    }

    #[test]
    fn exponential_growth_stops_at_max_delay() {
        let policy = RetryPolicy::for_severity(Severity::High).max_retries(8);
        let delays: Vec<_> = policy.delays_without_jitter().collect();
        assert_eq!(
            delays,
            [200, 400, 800, 1600, 3200, 5000, 5000, 5000].map(Duration::from_millis)
        );
    }

    #[test]
    fn critical_fails_fast() {
        assert_eq!(
            RetryPolicy::for_severity(Severity::Critical).max_retries_value(),
            0
        );
    }

    #[test]
    fn base_delay_above_max_raises_max() {
        let policy = RetryPolicy::for_severity(Severity::Low).base_delay(Duration::from_secs(1));
        assert_eq!(policy.capped_delay(1), Duration::from_secs(1));
    }
}
