//! The retry loops generated code calls: one for sync functions (sleeping the thread), one for
//! async functions (sleeping with tokio, so the executor is never blocked and tokio's paused
//! clock drives retries in tests). Each attempt first passes the breaker, if there is one.

use std::time::Duration;

use super::admission::Admission;
use super::attempts::{Attempts, Decision};
use super::classify::FailureView;
use super::site::RetrySite;
use crate::breaker::core::CallResult;

/// Runs `attempt` until it succeeds, is not worth retrying, or the policy gives up; returns
/// its last result unchanged, or the breaker's refusal.
pub fn run_sync<T, E, A, F, C>(
    site: &'static RetrySite,
    admission: &'static A,
    mut attempt: F,
    classify: C,
) -> Result<T, E>
where
    A: Admission<E>,
    F: FnMut() -> Result<T, E>,
    C: for<'e> Fn(&'e E) -> FailureView<'e>,
{
    let mut attempts = Attempts::new(site);
    // Clocks are read only when a deadline needs them.
    let started = attempts.needs_clock().then(std::time::Instant::now);
    loop {
        let permit = match admission.admit() {
            Ok(permit) => permit,
            Err(refusal) => {
                attempts.rejected();
                return Err(refusal);
            }
        };
        let attempt_started = started.map(|_| std::time::Instant::now());
        match attempt() {
            Ok(value) => {
                if let Some(permit) = permit {
                    permit.record(CallResult::Success);
                }
                attempts.succeeded();
                return Ok(value);
            }
            Err(error) => {
                let failure = classify(&error);
                if let Some(permit) = permit {
                    permit.record(attempts.breaker_result(&failure));
                }
                let elapsed = started.map_or(Duration::ZERO, |at| at.elapsed());
                let last = attempt_started.map_or(Duration::ZERO, |at| at.elapsed());
                match attempts.failed(&failure, elapsed, last) {
                    Decision::Stop => return Err(error),
                    Decision::RetryAfter(delay) => std::thread::sleep(delay),
                }
            }
        }
    }
}

/// The async form of [`run_sync`]; sleeps with `tokio::time::sleep`, so a retry that has to
/// wait needs a tokio runtime with its time driver.
pub async fn run_async<T, E, A, F, C>(
    site: &'static RetrySite,
    admission: &'static A,
    mut attempt: F,
    classify: C,
) -> Result<T, E>
where
    A: Admission<E>,
    F: AsyncFnMut() -> Result<T, E>,
    C: for<'e> Fn(&'e E) -> FailureView<'e>,
{
    let mut attempts = Attempts::new(site);
    let started = attempts.needs_clock().then(tokio::time::Instant::now);
    loop {
        let permit = match admission.admit() {
            Ok(permit) => permit,
            Err(refusal) => {
                attempts.rejected();
                return Err(refusal);
            }
        };
        let attempt_started = started.map(|_| tokio::time::Instant::now());
        // A permit held across this await is released by its `Drop` if the future is dropped.
        match attempt().await {
            Ok(value) => {
                if let Some(permit) = permit {
                    permit.record(CallResult::Success);
                }
                attempts.succeeded();
                return Ok(value);
            }
            Err(error) => {
                let decision = {
                    let failure = classify(&error);
                    if let Some(permit) = permit {
                        permit.record(attempts.breaker_result(&failure));
                    }
                    let elapsed = started.map_or(Duration::ZERO, |at| at.elapsed());
                    let last = attempt_started.map_or(Duration::ZERO, |at| at.elapsed());
                    attempts.failed(&failure, elapsed, last)
                };
                match decision {
                    Decision::Stop => return Err(error),
                    Decision::RetryAfter(delay) if delay.is_zero() => {}
                    Decision::RetryAfter(delay) => tokio::time::sleep(delay).await,
                }
            }
        }
    }
}

/// Seeds the jitter of retries made on the current thread, for reproducible delays.
///
/// ```
/// coord::seed_jitter(42);
/// ```
pub fn seed_jitter(seed: u64) {
    fastrand::seed(seed);
}
