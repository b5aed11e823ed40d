//! The runtime API as its docs describe it: the tracking guard's four outcomes, the closure and
//! future forms, and `ErrorHandling` (configuration defaults, `retry_if`, `Classify`, the
//! breaker's refusal, async retries on tokio's clock, a dropped async call).

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{
    Classify, ErrorHandling, Operation, Severity, breaker::BreakerConfig, retry::RetryPolicy,
};
use support::retry_policy::quick;

fn calls(operation: &str) -> coord::tracking::OutcomeCounts {
    coord::tracking::operation_stats()
        .into_iter()
        .find(|s| s.operation == operation)
        .map(|s| s.calls)
        .unwrap_or_else(|| panic!("no statistics for {operation}"))
}

fn retries(operation: &str) -> coord::retry::RetrySnapshot {
    coord::retry::retry_stats()
        .into_iter()
        .find(|s| s.operation == operation)
        .unwrap_or_else(|| panic!("no retry statistics for {operation}"))
}

#[test]
fn the_guard_records_success_failure_cancellation_and_panic() {
    static GUARDED: Operation = Operation::new("api_test.guarded");
    GUARDED.track().success();
    GUARDED.track().failure(&"disk full");
    drop(GUARDED.track());
    let panicked = std::panic::catch_unwind(|| {
        let _call = GUARDED.track();
        panic!("inside the tracked block");
    });
    assert!(panicked.is_err());
    let counts = calls("api_test.guarded");
    assert_eq!(
        (counts.ok, counts.error, counts.cancelled, counts.panic),
        (1, 1, 1, 1)
    );

    // A name known at run time, and the closure form: the same statistics.
    coord::track("api_test.guarded").success();
    let parsed = coord::track_fn("api_test.guarded", || "x".parse::<u32>());
    assert!(parsed.is_err());
    let counts = calls("api_test.guarded");
    assert_eq!((counts.ok, counts.error), (2, 2));
}

#[test]
fn a_tracked_future_dropped_before_completion_is_cancelled() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio");
    runtime.block_on(async {
        let slow = coord::track_future("api_test.future", async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, String>(())
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(5), slow)
                .await
                .is_err()
        );
        let fast = coord::track_future("api_test.future", async { Err::<(), _>("refused") });
        assert!(fast.await.is_err());
    });
    let counts = calls("api_test.future");
    assert_eq!((counts.cancelled, counts.error), (1, 1));
}

#[derive(Debug, PartialEq)]
enum FetchError {
    Timeout,
    NotFound,
    Coord(String),
}

impl From<coord::Error> for FetchError {
    fn from(err: coord::Error) -> Self {
        FetchError::Coord(err.to_string())
    }
}

impl Classify for FetchError {
    fn is_transient(&self) -> bool {
        *self == FetchError::Timeout
    }
}

#[test]
fn error_handling_without_a_policy_takes_the_configuration() {
    let handling: ErrorHandling<FetchError> = ErrorHandling::new("api_test.configured");
    let config = coord::configuration();
    assert_eq!(handling.policy().max_retries_value(), config.max_retries);
    assert_eq!(handling.policy().base_delay_value(), config.base_delay);
    assert_eq!(handling.operation(), "api_test.configured");
}

#[test]
fn classified_and_retry_if_decide_what_is_retried() {
    let attempts = AtomicU32::new(0);
    let classified = ErrorHandling::new("api_test.classified")
        .retry(quick(3))
        .classified();
    let found = classified.call(|| {
        attempts.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(FetchError::NotFound)
    });
    assert_eq!(found, Err(FetchError::NotFound));
    assert_eq!(
        attempts.swap(0, Ordering::SeqCst),
        1,
        "not transient: no retry"
    );

    // `retry_if` overrides: nothing is retried.
    let never = ErrorHandling::new("api_test.retry_if")
        .retry(quick(3))
        .retry_if(|_: &FetchError| false);
    let timed_out = never.call(|| {
        attempts.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(FetchError::Timeout)
    });
    assert_eq!(timed_out, Err(FetchError::Timeout));
    assert_eq!(attempts.swap(0, Ordering::SeqCst), 1);

    // Without either, every error is retried until the policy gives up.
    let always = ErrorHandling::new("api_test.always").retry(quick(2));
    let _ = always.call(|| {
        attempts.fetch_add(1, Ordering::SeqCst);
        Err::<(), _>(FetchError::NotFound)
    });
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let stats = retries("api_test.always");
    assert_eq!(
        (stats.failed_with_retry, stats.retries, stats.exhausted),
        (1, 2, 1)
    );
}

#[test]
fn an_open_breaker_refuses_through_the_callers_from() {
    let breaker = coord::breaker::register_breaker(
        "api_test.breaker",
        BreakerConfig::new().consecutive_failures(1),
        std::sync::Arc::new(coord::clock::SystemClock),
    )
    .expect("breaker");
    let handling = ErrorHandling::new("api_test.breaker")
        .retry(quick(0))
        .circuit_breaker(breaker);
    assert_eq!(
        handling.call(|| Err::<(), _>(FetchError::Timeout)),
        Err(FetchError::Timeout)
    );
    let refused = handling.call(|| Ok::<_, FetchError>(1));
    assert!(
        matches!(&refused, Err(FetchError::Coord(text)) if text.contains("api_test.breaker")),
        "{refused:?}"
    );
    assert_eq!(breaker.counts().rejected, 1);
}

#[tokio::test(start_paused = true)]
async fn async_calls_retry_on_tokio_time_and_a_dropped_call_counts_as_failed() {
    let handling = ErrorHandling::new("api_test.async").retry(
        RetryPolicy::for_severity(Severity::Medium)
            .max_retries(2)
            .base_delay(Duration::from_secs(10))
            .max_delay(Duration::from_secs(60))
            .jitter(coord::retry::Jitter::None),
    );
    let attempts = AtomicU32::new(0);
    let started = tokio::time::Instant::now();
    let result = handling
        .call_async(|| {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst);
            async move {
                if attempt < 2 {
                    Err(FetchError::Timeout)
                } else {
                    Ok(attempt)
                }
            }
        })
        .await;
    assert_eq!(result, Ok(2));
    // 10 s, then 20 s: the paused clock moved, no real time passed.
    assert_eq!(started.elapsed(), Duration::from_secs(30));

    let waiting = handling.call_async(|| async { Err::<(), _>(FetchError::Timeout) });
    assert!(
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .is_err()
    );
    // Dropped while waiting for its first retry: one failed call (its retry was under way).
    let stats = retries("api_test.async");
    assert_eq!(
        (
            stats.successful_with_retry,
            stats.failed_without_retry,
            stats.failed_with_retry
        ),
        (1, 0, 1)
    );
}
