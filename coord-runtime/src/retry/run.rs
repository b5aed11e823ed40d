//! The retry loops generated code uses: `run_sync` for sync functions (sleeping the thread), and
//! `AsyncRetry` for async ones (sleeping with tokio, so the executor is never blocked and tokio's
//! paused clock drives retries in tests). Each attempt first passes the breaker, if there is one.

use std::time::Duration;

use super::admission::Admission;
use super::attempts::{Attempts, Decision};
use super::classify::{ErrorClass, ErrorText, FailureView};
use super::site::{RetryKind, RetrySite};
use super::within::Within;
use crate::breaker::core::CallResult;
use crate::breaker::named::Permit;
use crate::values::error::{Error, TimeLimit};
use crate::values::from_coord_error::FromCoordError;

/// Runs `attempt` until it succeeds, is not worth retrying, or the policy gives up; returns
/// its last result unchanged, or the breaker's refusal.
#[inline]
pub fn run_sync<T, E, A, F, C>(
    site: &RetrySite,
    admission: &A,
    attempt: F,
    classify: C,
) -> Result<T, E>
where
    A: Admission<E>,
    F: FnMut() -> Result<T, E>,
    C: for<'e> Fn(&'e E) -> FailureView<'e>,
{
    if site.has_deadline() {
        site.begin_call();
        return keep_trying(Attempts::new(site), admission, attempt, classify, None);
    }
    run_sync_without_deadline(site, admission, attempt, classify)
}

/// [`run_sync`] for a policy without a deadline, which generated code knows at compile time
/// (an attribute without `deadline`), so the success path reads no policy at all.
///
/// The common case — the first attempt settles the call — is inlined into the annotated
/// function; everything after a first failure runs out of line in `keep_trying`, so the
/// success path saves no registers for a loop it does not run.
#[inline]
pub fn run_sync_without_deadline<T, E, A, F, C>(
    site: &RetrySite,
    admission: &A,
    mut attempt: F,
    classify: C,
) -> Result<T, E>
where
    A: Admission<E>,
    F: FnMut() -> Result<T, E>,
    C: for<'e> Fn(&'e E) -> FailureView<'e>,
{
    site.begin_call();
    let permit = match admission.admit() {
        Ok(permit) => permit,
        Err(refusal) => {
            Attempts::new(site).rejected();
            return Err(refusal);
        }
    };
    // Counts the call if the first attempt panics. It holds only the (constant) site, so
    // unlike a full `Attempts` it costs the success path no stores.
    let unwinding = FirstAttemptPanicked(site);
    let result = attempt();
    std::mem::forget(unwinding);
    match result {
        Ok(value) => {
            // `Attempts::succeeded` without an `Attempts`: a value with a destructor would
            // have to be kept in memory for the unwinding paths.
            if let Some(permit) = permit {
                permit.record(CallResult::Success);
            }
            site.finish(RetryKind::SuccessfulWithoutRetry, 0, false);
            Ok(value)
        }
        Err(error) => keep_trying(
            Attempts::new(site),
            admission,
            attempt,
            classify,
            Some((permit, error)),
        ),
    }
}

/// Dropped only while a first attempt unwinds: the call failed without a retry.
struct FirstAttemptPanicked<'s>(&'s RetrySite);

impl Drop for FirstAttemptPanicked<'_> {
    fn drop(&mut self) {
        Attempts::new(self.0).panicked();
    }
}

/// Records a successful attempt.
#[inline(always)]
fn succeeded(permit: Option<Permit>, attempts: &mut Attempts<'_>) {
    if let Some(permit) = permit {
        permit.record(CallResult::Success);
    }
    attempts.succeeded();
}

/// The retry loop, from the start (a policy with a deadline) or after a failed first attempt
/// (`first`: its permit and error; no clock was read for it, as none was needed).
#[inline(never)]
fn keep_trying<T, E, A, F, C>(
    mut attempts: Attempts<'_>,
    admission: &A,
    mut attempt: F,
    classify: C,
    first: Option<(Option<Permit>, E)>,
) -> Result<T, E>
where
    A: Admission<E>,
    F: FnMut() -> Result<T, E>,
    C: for<'e> Fn(&'e E) -> FailureView<'e>,
{
    // Clocks are read only when a deadline needs them.
    let started = attempts.needs_clock().then(std::time::Instant::now);
    let mut pending = first;
    loop {
        let (permit, error, attempt_started) = match pending.take() {
            Some((permit, error)) => (permit, error, None),
            None => {
                let permit = match admission.admit() {
                    Ok(permit) => permit,
                    Err(refusal) => {
                        attempts.rejected();
                        return Err(refusal);
                    }
                };
                let attempt_started = started.map(|_| std::time::Instant::now());
                #[cfg(feature = "spans")]
                let _span = attempts.attempt_span().entered();
                match attempt() {
                    Ok(value) => {
                        succeeded(permit, &mut attempts);
                        return Ok(value);
                    }
                    Err(error) => (permit, error, attempt_started),
                }
            }
        };
        let failure = classify(&error);
        if let Some(permit) = permit {
            permit.record(attempts.breaker_result(&failure));
        }
        let elapsed = started.map_or(Duration::ZERO, |at| at.elapsed());
        let last = attempt_started.map_or(Duration::ZERO, |at| at.elapsed());
        match attempts.failed(&failure, elapsed, last) {
            Decision::Stop => return Err(error),
            Decision::RetryAfter(delay) => {
                attempts.site().warn_if_blocking_an_executor(delay);
                std::thread::sleep(delay);
            }
        }
    }
}

/// The retry loop of an async function, driven by generated code.
///
/// Async functions are not retried through a closure: the future of an `AsyncFnMut` closure
/// is higher-ranked, and the compiler then cannot prove the caller's future `Send` (the
/// "implementation of `Send` is not general enough" error), which would keep retried functions
/// out of `tokio::spawn`. Instead the expansion writes the loop, awaiting the body as a plain
/// `async` block on each turn, and calls this type for every decision:
///
/// ```ignore
/// let mut retry = AsyncRetry::new(&SITE);
/// loop {
///     let permit = match retry.admit(&BREAKER) { Ok(permit) => permit, Err(refused) => break Err(refused) };
///     let result = async { /* the body */ }.await;
///     match retry.settle(result, permit, classify) {
///         Settled::Done(result) => break result,
///         Settled::Retry(delay) => retry.sleep(delay).await,
///     }
/// }
/// ```
pub struct AsyncRetry<'s> {
    attempts: Attempts<'s>,
    started: Option<tokio::time::Instant>,
    attempt_started: Option<tokio::time::Instant>,
}

/// An async attempt run under the policy's time limits ([`AsyncRetry::within`]).
pub enum Attempted<T, E> {
    /// It ended in time with this result.
    Finished(Result<T, E>),
    /// It was cancelled when `limit` (of length `after`) passed.
    TimedOut {
        /// Which limit fired.
        limit: TimeLimit,
        /// Its length.
        after: Duration,
    },
}

/// What follows an attempt.
pub enum Settled<T, E> {
    /// Return this.
    Done(Result<T, E>),
    /// Sleep this long and try again.
    Retry(Duration),
}

impl<'s> AsyncRetry<'s> {
    /// Before the first attempt of one call.
    ///
    /// # Panics
    /// On the function's first call, if it runs outside a tokio runtime, with a message naming
    /// the function: its retry delays and time limits run on tokio's timer, and failing on
    /// the first call is better than on the first retry, in production, under load.
    #[inline]
    pub fn new(site: &'s RetrySite) -> Self {
        site.check_inside_tokio();
        site.begin_call();
        let attempts = Attempts::new(site);
        let started = attempts.needs_clock().then(tokio::time::Instant::now);
        Self {
            attempts,
            started,
            attempt_started: None,
        }
    }

    /// Passes the breaker (if any) before an attempt.
    ///
    /// # Errors
    /// The breaker's refusal as the function's error type; the call is then over.
    #[inline]
    pub fn admit<E, A: Admission<E>>(&mut self, admission: &A) -> Result<Option<Permit>, E> {
        match admission.admit() {
            Ok(permit) => {
                self.attempt_started = self.started.map(|_| tokio::time::Instant::now());
                Ok(permit)
            }
            Err(refusal) => {
                self.attempts.rejected();
                Err(refusal)
            }
        }
    }

    /// Records an attempt's result and decides what follows.
    #[inline]
    pub fn settle<T, E, C>(
        &mut self,
        result: Result<T, E>,
        permit: Option<Permit>,
        classify: C,
    ) -> Settled<T, E>
    where
        C: for<'e> Fn(&'e E) -> FailureView<'e>,
    {
        match result {
            Ok(value) => {
                if let Some(permit) = permit {
                    permit.record(CallResult::Success);
                }
                self.attempts.succeeded();
                Settled::Done(Ok(value))
            }
            Err(error) => {
                let decision = {
                    let failure = classify(&error);
                    if let Some(permit) = permit {
                        permit.record(self.attempts.breaker_result(&failure));
                    }
                    let elapsed = self.started.map_or(Duration::ZERO, |at| at.elapsed());
                    let last = self
                        .attempt_started
                        .map_or(Duration::ZERO, |at| at.elapsed());
                    self.attempts.failed(&failure, elapsed, last)
                };
                match decision {
                    Decision::Stop => Settled::Done(Err(error)),
                    Decision::RetryAfter(delay) => Settled::Retry(delay),
                }
            }
        }
    }

    /// Runs one attempt under the policy's `timeout`, cut to what is left of its `deadline`;
    /// past that the attempt's future is dropped. Without either it just awaits the attempt.
    /// Generated code uses this only for async functions whose attribute writes one of them.
    #[inline(always)]
    pub fn within<T, E, F>(&self, attempt: F) -> Within<F>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        Within::new(attempt, self.attempt_budget())
    }

    /// How long the next attempt may run, which limit that is, and the limit's length.
    #[inline]
    fn attempt_budget(&self) -> Option<(Duration, TimeLimit, Duration)> {
        // Both are written in the attribute (or given to the runtime API), never taken from
        // the configuration: read as declared, without resolving the policy.
        let (timeout, deadline) = self.attempts.site().time_limits();
        let timeout = timeout.map(|after| (after, TimeLimit::Attempt, after));
        let deadline = match (deadline, self.started) {
            (Some(deadline), Some(started)) => Some((
                deadline.saturating_sub(started.elapsed()),
                TimeLimit::Deadline,
                deadline,
            )),
            _ => None,
        };
        match (timeout, deadline) {
            (Some(timeout), Some(deadline)) => Some(if deadline.0 < timeout.0 {
                deadline
            } else {
                timeout
            }),
            (timeout, deadline) => timeout.or(deadline),
        }
    }

    /// [`settle`](AsyncRetry::settle) for an attempt run by [`within`](AsyncRetry::within): a
    /// timed-out attempt is a transient failure that counts against the breaker whatever the
    /// error's classification (its error does not exist: the future was dropped), retried
    /// while the policy allows; the call then fails with `E::from(coord::Error::Timeout)`. One
    /// cut by the deadline ends the call.
    #[inline]
    pub fn settle_timed<T, E, C>(
        &mut self,
        attempted: Attempted<T, E>,
        permit: Option<Permit>,
        classify: C,
    ) -> Settled<T, E>
    where
        E: FromCoordError,
        C: for<'e> Fn(&'e E) -> FailureView<'e>,
    {
        let (limit, after) = match attempted {
            Attempted::Finished(result) => return self.settle(result, permit, classify),
            Attempted::TimedOut { limit, after } => (limit, after),
        };
        let site = self.attempts.site();
        site.timed_out();
        // An event in the call's span (and its attempt's): why this attempt ended.
        tracing::debug!(
            operation = site.operation(),
            limit = ?limit,
            after_ms = after.as_secs_f64() * 1e3,
            "coord: attempt timed out"
        );
        if let Some(permit) = permit {
            permit.record(CallResult::Failure);
        }
        let error = Error::Timeout {
            operation: site.operation().to_owned(),
            limit,
            after,
        };
        let decision = {
            let failure = FailureView {
                retryable: limit == TimeLimit::Attempt,
                class: ErrorClass::Transient,
                recorded: Some(true),
                severity: None,
                text: ErrorText::Display(&error),
            };
            if limit == TimeLimit::Deadline {
                self.attempts.out_of_time(&failure)
            } else {
                let elapsed = self.started.map_or(Duration::ZERO, |at| at.elapsed());
                self.attempts.failed(&failure, elapsed, after)
            }
        };
        match decision {
            Decision::Stop => Settled::Done(Err(E::from_coord_error(error))),
            Decision::RetryAfter(delay) => Settled::Retry(delay),
        }
    }

    /// Runs `attempt` in its `coord.attempt` span when it is a retry (see `Attempts`).
    #[cfg(feature = "spans")]
    #[inline]
    pub fn in_attempt_span<F: std::future::Future>(
        &self,
        attempt: F,
    ) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(attempt, self.attempts.attempt_span())
    }

    /// Runs `attempt` as it is: spans are compiled out.
    #[cfg(not(feature = "spans"))]
    #[inline]
    pub fn in_attempt_span<F: std::future::Future>(&self, attempt: F) -> F {
        attempt
    }

    /// Waits before the next attempt on tokio's clock (needs a tokio runtime with time).
    pub async fn sleep(&self, delay: Duration) {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// Seeds the jitter of retries made on the current thread, for reproducible delays.
///
/// ```
/// coord::retry::seed_jitter(42);
/// ```
pub fn seed_jitter(seed: u64) {
    fastrand::seed(seed);
}
