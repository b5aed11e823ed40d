//! [`ErrorHandling`]: what `#[handle_errors]` does — retries with backoff, each attempt through
//! an optional circuit breaker, counted in the retry series — as a value that runs closures and
//! futures, for code an attribute cannot annotate.
//!
//! It drives the same loops as the attribute's expansion (`run_sync`, `AsyncRetry`), over the
//! same per-operation statistics, so the two cannot behave differently.

use std::fmt;
use std::future::Future;
use std::sync::Once;

use super::admission::{Admission, into_callers_error};
use super::classify::{Classify, ErrorClass, ErrorText, FailureView};
use super::run::{AsyncRetry, Settled, run_sync};
use super::site::{Inherited, RetrySite};
use crate::breaker::named::{Breaker, Permit};
use crate::limit::admission;
use crate::limit::bulkhead::Bulkhead;
use crate::limit::rate_limiter::RateLimiter;
use crate::values::from_coord_error::FromCoordError;
use crate::values::retry_policy::RetryPolicy;
use crate::values::severity::Severity;

/// Retries and a circuit breaker for closures and futures, built once and called many times;
/// the runtime form of `#[handle_errors]`, with the same semantics.
///
/// `E` is the error type of the calls it runs. Every `Err` is retried unless
/// [`retry_if`](ErrorHandling::retry_if) or [`classified`](ErrorHandling::classified) says
/// otherwise; a call the breaker rejects returns `E::from(coord::Error::CircuitOpen { .. })`.
/// Retries are logged with the error's `Debug` text.
///
/// ```
/// use coord::{ErrorHandling, Severity, retry::RetryPolicy};
/// use std::sync::LazyLock;
/// use std::time::Duration;
///
/// #[derive(Debug)]
/// enum FetchError {
///     Timeout,
///     Refused(coord::Error),
/// }
/// impl From<coord::Error> for FetchError {
///     fn from(err: coord::Error) -> Self {
///         FetchError::Refused(err)
///     }
/// }
///
/// static FETCH: LazyLock<ErrorHandling<FetchError>> = LazyLock::new(|| {
///     ErrorHandling::new("docs.fetch_page")
///         .retry(RetryPolicy::for_severity(Severity::Medium).max_retries(2).base_delay(Duration::from_millis(1)))
///         .circuit_breaker(coord::breaker("docs.pages"))
/// });
///
/// let mut attempts = 0;
/// let page = FETCH.call(|| {
///     attempts += 1;
///     if attempts < 3 { Err(FetchError::Timeout) } else { Ok("<html>") }
/// });
/// assert_eq!(page.unwrap(), "<html>");
/// assert_eq!(attempts, 3);
/// ```
pub struct ErrorHandling<E> {
    site: RetrySite,
    breaker: Option<&'static Breaker>,
    bulkhead: Option<&'static Bulkhead>,
    rate_limiter: Option<&'static RateLimiter>,
    class: fn(&E) -> ErrorClass,
    retry_if: Option<fn(&E) -> bool>,
    record_if: Option<fn(&E) -> bool>,
    severity: fn(&E) -> Option<Severity>,
    /// Warns once that [`call`](ErrorHandling::call) cannot apply a `timeout`.
    sync_timeout_warning: Once,
}

impl<E> fmt::Debug for ErrorHandling<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHandling")
            .field("operation", &self.site.operation())
            .field("policy", self.site.policy())
            .field("breaker", &self.breaker.map(Breaker::name))
            .finish_non_exhaustive()
    }
}

impl<E> ErrorHandling<E> {
    /// Error handling for the operation `operation` (the `operation` label of the retry series),
    /// retrying as the configuration says (`max_retries`, `base_delay`, `backoff_multiplier`;
    /// as `#[handle_errors]` with no retry arguments), with no breaker.
    #[must_use]
    pub fn new(operation: &str) -> Self {
        Self {
            site: RetrySite::named(
                operation,
                RetryPolicy::default(),
                Inherited::fields(true, true, true),
            ),
            breaker: None,
            bulkhead: None,
            rate_limiter: None,
            class: |_| ErrorClass::Transient,
            retry_if: None,
            record_if: None,
            severity: |_| None,
            sync_timeout_warning: Once::new(),
        }
    }

    /// Retries as `policy` says, nothing taken from the configuration (as an attribute that
    /// writes a `severity`).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        let kept = self.site.declared().0.timeout_value();
        let policy = match (policy.timeout_value(), kept) {
            (None, Some(timeout)) => policy.timeout(timeout),
            _ => policy,
        };
        self.site = RetrySite::named(self.site.operation(), policy, Inherited::NOTHING);
        self
    }

    /// Cancels an attempt of [`call_async`](ErrorHandling::call_async) still running after
    /// `timeout` (see [`RetryPolicy::timeout`]); kept across a later
    /// [`retry`](ErrorHandling::retry) only if that policy has none. [`call`](ErrorHandling::call)
    /// cannot cancel a closure mid-run: it ignores the timeout and logs a warning once.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use coord::ErrorHandling;
    /// use coord::retry::RetryPolicy;
    /// use std::time::Duration;
    ///
    /// let calls: ErrorHandling<coord::Error> = ErrorHandling::new("docs.timeout")
    ///     .retry(RetryPolicy::default().max_retries(0))
    ///     .timeout(Duration::from_millis(20));
    /// let hung = calls.call_async(|| std::future::pending::<Result<(), coord::Error>>()).await;
    /// assert!(matches!(hung, Err(coord::Error::Timeout { .. })));
    /// # });
    /// ```
    ///
    /// # Panics
    /// When `timeout` is zero or above one day.
    #[must_use]
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        let (policy, inherited) = self.site.declared();
        self.site = RetrySite::named(self.site.operation(), policy.timeout(timeout), inherited);
        self
    }

    /// Admits each call through `bulkhead` (from [`bulkhead`](crate::bulkhead)), once,
    /// before its first attempt, as the attribute's `bulkhead(...)`: [`call`](ErrorHandling::call)
    /// waits on the thread, [`call_async`](ErrorHandling::call_async) on tokio.
    ///
    /// ```
    /// use coord::ErrorHandling;
    /// use coord::limit::BulkheadConfig;
    ///
    /// let calls: ErrorHandling<coord::Error> = ErrorHandling::new("docs.bulkhead")
    ///     .bulkhead(coord::limit::bulkhead("docs.handling_pool", BulkheadConfig::new(4)));
    /// assert_eq!(calls.call(|| Ok(7)).unwrap(), 7);
    /// ```
    #[must_use]
    pub fn bulkhead(mut self, bulkhead: &'static Bulkhead) -> Self {
        self.bulkhead = Some(bulkhead);
        self
    }

    /// Admits each call through `limiter` (from [`rate_limiter`](crate::rate_limiter)),
    /// once, before the bulkhead and the first attempt, as the attribute's `rate_limit(...)`.
    ///
    /// ```
    /// use coord::ErrorHandling;
    /// use coord::limit::RateLimit;
    ///
    /// let calls: ErrorHandling<coord::Error> = ErrorHandling::new("docs.rate")
    ///     .rate_limiter(coord::limit::rate_limiter("docs.handling_rate", RateLimit::per_second(1).burst(1)));
    /// assert!(calls.call(|| Ok(1)).is_ok());
    /// assert!(matches!(calls.call(|| Ok(2)), Err(coord::Error::RateLimited { .. })));
    /// ```
    #[must_use]
    pub fn rate_limiter(mut self, limiter: &'static RateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Passes every attempt through `breaker` (from [`breaker`](crate::breaker) or
    /// [`register_breaker`](crate::register_breaker)).
    #[must_use]
    pub fn circuit_breaker(mut self, breaker: &'static Breaker) -> Self {
        self.breaker = Some(breaker);
        self
    }

    /// Retries only the errors for which `retryable` is `true` (the attribute's `retry_if`),
    /// whatever their class says.
    #[must_use]
    pub fn retry_if(mut self, retryable: fn(&E) -> bool) -> Self {
        self.retry_if = Some(retryable);
        self
    }

    /// Counts against the breaker only the errors for which `recorded` is `true` (the
    /// attribute's `record_if`), whatever their class or severity says.
    ///
    /// ```
    /// use coord::ErrorHandling;
    ///
    /// #[derive(Debug)]
    /// struct HttpError(u16);
    /// impl From<coord::Error> for HttpError {
    ///     fn from(_: coord::Error) -> Self { HttpError(503) }
    /// }
    ///
    /// let calls: ErrorHandling<HttpError> = ErrorHandling::new("docs.record_if")
    ///     .retry_if(|err: &HttpError| err.0 >= 500)
    ///     .record_if(|err: &HttpError| err.0 >= 500)
    ///     .circuit_breaker(coord::breaker("docs.record_if"));
    /// let _ = calls.call(|| Err::<(), _>(HttpError(404)));
    /// assert_eq!(coord::breaker("docs.record_if").counts().failures, 0);
    /// ```
    #[must_use]
    pub fn record_if(mut self, recorded: fn(&E) -> bool) -> Self {
        self.record_if = Some(recorded);
        self
    }

    /// The operation name.
    #[must_use]
    pub fn operation(&self) -> &'static str {
        self.site.operation()
    }

    /// The retry policy in effect (the configuration applied).
    #[must_use]
    pub fn policy(&self) -> &RetryPolicy {
        self.site.policy()
    }
}

impl<E: Classify> ErrorHandling<E> {
    /// Lets the error's [`Classify`] impl decide what is retried, what counts against the
    /// breaker and how severe it is, as the attribute does for an error type that implements
    /// it. [`retry_if`](ErrorHandling::retry_if) and [`record_if`](ErrorHandling::record_if)
    /// still override their decision.
    #[must_use]
    pub fn classified(mut self) -> Self {
        self.class = E::class;
        self.severity = E::severity;
        self
    }
}

impl<E: FromCoordError + fmt::Debug> ErrorHandling<E> {
    /// Runs `attempt` until it succeeds, is not worth retrying, or the policy gives up, sleeping
    /// the thread between attempts; returns its last result, or the breaker's refusal.
    ///
    /// # Errors
    /// The last attempt's error, or `E::from(coord::Error::CircuitOpen { .. })` when the
    /// breaker refused an attempt.
    pub fn call<T>(&self, attempt: impl FnMut() -> Result<T, E>) -> Result<T, E> {
        if self.site.policy().timeout_value().is_some() {
            self.sync_timeout_warning.call_once(|| {
                let operation = self.site.operation();
                tracing::warn!(
                    operation,
                    "coord: ErrorHandling::call cannot cancel a closure, so its timeout is not applied; use call_async"
                );
            });
        }
        let _slot = admission::admit_blocking(self.rate_limiter, self.bulkhead)
            .map_err(E::from_coord_error)?;
        run_sync(&self.site, self, attempt, |error| self.judge(error))
    }

    /// Runs the futures `attempt` makes until one succeeds, is not worth retrying, or the
    /// policy gives up, sleeping on tokio's clock between them (needs a tokio runtime with
    /// time). Dropped while waiting or running, the call counts as failed, as the attribute's.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use coord::{ErrorHandling, Severity, retry::RetryPolicy};
    /// use std::time::Duration;
    ///
    /// let policy: ErrorHandling<coord::Error> = ErrorHandling::new("docs.async_call")
    ///     .retry(RetryPolicy::for_severity(Severity::Low).max_retries(1).base_delay(Duration::from_millis(1)));
    /// let answer = policy.call_async(|| async { Ok(42) }).await;
    /// assert_eq!(answer.unwrap(), 42);
    /// # });
    /// ```
    ///
    /// # Errors
    /// As [`call`](ErrorHandling::call).
    pub async fn call_async<T, F, Fut>(&self, mut attempt: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let _slot = admission::admit(self.rate_limiter, self.bulkhead)
            .await
            .map_err(E::from_coord_error)?;
        let mut retry = AsyncRetry::new(&self.site);
        loop {
            let permit = retry.admit(self)?;
            let attempted = retry.within(attempt()).await;
            match retry.settle_timed(attempted, permit, |error| self.judge(error)) {
                Settled::Done(result) => return result,
                Settled::Retry(delay) => retry.sleep(delay).await,
            }
        }
    }

    fn judge<'e>(&self, error: &'e E) -> FailureView<'e> {
        let class = (self.class)(error);
        FailureView {
            retryable: self
                .retry_if
                .map_or_else(|| class.is_retried(), |retry_if| retry_if(error)),
            class,
            recorded: self.record_if.map(|record_if| record_if(error)),
            severity: (self.severity)(error),
            text: ErrorText::Debug(error),
        }
    }
}

impl<E: FromCoordError> Admission<E> for ErrorHandling<E> {
    #[inline]
    fn admit(&self) -> Result<Option<Permit>, E> {
        match self.breaker {
            None => Ok(None),
            Some(breaker) => breaker.admit().map(Some).map_err(into_callers_error),
        }
    }
}
