//! `#[coordinate_operation]` against the single attributes stacked on the same workload, and
//! the order of its parts: validate once, track the whole call, retry, breaker per attempt.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Debug, PartialEq)]
enum AppError {
    Flaky,
    /// The codes of the failed checks (the rule set's name differs per function).
    Invalid(Vec<&'static str>),
    Coord(String),
}

impl From<coord::Error> for AppError {
    fn from(err: coord::Error) -> Self {
        match err {
            coord::Error::Validation(result) => {
                AppError::Invalid(result.errors.iter().map(|e| e.code.as_str()).collect())
            }
            other => AppError::Coord(other.to_string()),
        }
    }
}

/// Fails every third attempt.
struct Flaky(AtomicU32);

impl Flaky {
    const fn new() -> Self {
        Self(AtomicU32::new(0))
    }
    fn attempt(&self, n: i64) -> Result<i64, AppError> {
        if self.0.fetch_add(1, Ordering::SeqCst).is_multiple_of(3) {
            Err(AppError::Flaky)
        } else {
            Ok(n * 2)
        }
    }
}

static COMBINED: Flaky = Flaky::new();
static STACKED: Flaky = Flaky::new();
static REORDERED: Flaky = Flaky::new();

#[coord::coordinate_operation(
    name = "same.combined",
    validate(field(n, type = "integer", min = 0)),
    retry(max_retries = 2, base_delay = "1ms", jitter = "none"),
    circuit_breaker = "same.combined"
)]
fn combined(n: i64) -> Result<i64, AppError> {
    COMBINED.attempt(n)
}

#[coord::validate_input(field(n, type = "integer", min = 0))]
#[coord::track_performance("same.stacked")]
#[coord::handle_errors(
    max_retries = 2,
    base_delay = "1ms",
    jitter = "none",
    circuit_breaker = "same.stacked"
)]
fn stacked(n: i64) -> Result<i64, AppError> {
    STACKED.attempt(n)
}

#[coord::handle_errors(
    max_retries = 2,
    base_delay = "1ms",
    jitter = "none",
    circuit_breaker = "same.reordered"
)]
#[coord::track_performance("same.reordered")]
#[coord::validate_input(field(n, type = "integer", min = 0))]
fn reordered(n: i64) -> Result<i64, AppError> {
    REORDERED.attempt(n)
}

/// Everything coord recorded about one operation, its retries and its breaker.
fn observed(
    operation: &str,
) -> (
    coord::tracking::OutcomeCounts,
    Option<coord::retry::RetrySnapshot>,
    coord::breaker::BreakerCounts,
) {
    let stats = coord::tracking::operation_stats();
    let calls = stats
        .iter()
        .find(|s| s.operation == operation)
        .map(|s| s.calls)
        .unwrap_or_default();
    let retries = coord::retry::retry_stats()
        .into_iter()
        .find(|s| s.operation == operation)
        .map(|mut s| {
            s.operation.clear();
            s
        });
    (calls, retries, coord::breaker(operation).counts())
}

#[test]
fn stacking_the_single_attributes_in_any_order_behaves_like_the_combined_one() {
    let workload = [5, -1, 3, 8, -7, 2, 9, 4, 1, 6];
    let mut results = Vec::new();
    for n in workload {
        let outcome = (combined(n), stacked(n), reordered(n));
        assert_eq!(outcome.0, outcome.1, "n = {n}");
        assert_eq!(outcome.0, outcome.2, "n = {n}");
        results.push(outcome.0);
    }
    assert!(results.iter().any(Result::is_ok));
    let combined = observed("same.combined");
    assert_eq!(combined, observed("same.stacked"));
    assert_eq!(combined, observed("same.reordered"));
    // 8 valid calls tracked (invalid input is not an operation call), all ok after retries.
    assert_eq!(combined.0.total(), 8);
    let retries = combined.1.expect("retry statistics");
    assert!(
        retries.retries > 0 && retries.successful_with_retry > 0,
        "{retries:?}"
    );
}

static ORDER_BODY_RUNS: AtomicU32 = AtomicU32::new(0);

#[coord::coordinate_operation(
    name = "order.parts",
    validate(required = [id]),
    retry(max_retries = 2, base_delay = "20ms", jitter = "none", backoff = "constant"),
    circuit_breaker = "order.parts",
)]
fn parts(id: Option<u32>) -> Result<u32, AppError> {
    ORDER_BODY_RUNS.fetch_add(1, Ordering::SeqCst);
    Err(AppError::Flaky)
}

#[test]
fn invalid_input_is_never_tracked_retried_or_seen_by_the_breaker_and_duration_covers_retries() {
    let before = observed("order.parts");
    let result = parts(None);
    assert_eq!(result, Err(AppError::Invalid(vec!["required"])));
    assert_eq!(ORDER_BODY_RUNS.load(Ordering::SeqCst), 0);
    assert_eq!(
        observed("order.parts"),
        before,
        "nothing recorded for invalid input"
    );

    assert_eq!(parts(Some(1)), Err(AppError::Flaky));
    assert_eq!(
        ORDER_BODY_RUNS.load(Ordering::SeqCst),
        3,
        "one call, two retries"
    );
    let (calls, retries, breaker) = observed("order.parts");
    assert_eq!(
        (calls.total(), calls.error),
        (1, 1),
        "one tracked call for all attempts"
    );
    assert_eq!(retries.map(|r| (r.retries, r.exhausted)), Some((2, 1)));
    assert_eq!(breaker.failures, 3, "every attempt passed the breaker");
    let stats = coord::tracking::operation_stats();
    let tracked = stats.iter().find(|s| s.operation == "order.parts").unwrap();
    assert!(
        tracked.min.unwrap() >= Duration::from_millis(40),
        "{tracked:?}"
    );
}

#[coord::coordinate_operation(
    name = "async.parts",
    retry(max_retries = 1, base_delay = "5s", jitter = "none")
)]
async fn async_parts(fail: &AtomicU32) -> Result<u32, AppError> {
    if fail.fetch_sub(1, Ordering::SeqCst) > 0 {
        Err(AppError::Flaky)
    } else {
        Ok(1)
    }
}

#[tokio::test(start_paused = true)]
async fn async_functions_retry_on_tokios_clock_inside_the_tracked_call() {
    let fail = AtomicU32::new(1);
    let started = tokio::time::Instant::now();
    assert_eq!(async_parts(&fail).await, Ok(1));
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    let (calls, retries, _) = observed("async.parts");
    assert_eq!(calls.ok, 1);
    assert_eq!(retries.map(|r| r.successful_with_retry), Some(1));
}
