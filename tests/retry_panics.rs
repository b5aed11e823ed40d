//! Panics inside a retried call — in the body, in a user's `retry_if`, in a `Classify` impl —
//! propagate unchanged, are counted (as failed, in the retry statistics) and give a breaker
//! permit back, so a half-open breaker can still close.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug)]
enum CallError {
    Down,
    /// The breaker refused the call.
    Refused,
}

impl From<coord::Error> for CallError {
    fn from(_: coord::Error) -> Self {
        CallError::Refused
    }
}

fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

/// A user's predicate with a bug.
fn panicking_retry_if(_: &CallError) -> bool {
    panic!("retry_if bug")
}

#[coord::handle_errors(max_retries = 2, base_delay = "1ms", jitter = "none", retry_if = panicking_retry_if)]
fn checked_by_a_buggy_predicate() -> Result<u32, CallError> {
    Err(CallError::Down)
}

static BODY_CALLS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(max_retries = 2, base_delay = "1ms", jitter = "none")]
fn panics_on_its_second_attempt() -> Result<u32, CallError> {
    if BODY_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        Err(CallError::Down)
    } else {
        panic!("body bug")
    }
}

/// An error type whose classification has a bug.
#[derive(Debug)]
struct Misclassified;

impl From<coord::Error> for Misclassified {
    fn from(_: coord::Error) -> Self {
        Misclassified
    }
}

impl coord::Classify for Misclassified {
    fn is_transient(&self) -> bool {
        panic!("classification bug")
    }
}

#[coord::handle_errors(
    max_retries = 1,
    base_delay = "1ms",
    jitter = "none",
    circuit_breaker(name = "panics.probe", consecutive_failures = 1, open_for = "1ms")
)]
fn guarded(fail: bool) -> Result<u32, Misclassified> {
    if fail { Err(Misclassified) } else { Ok(1) }
}

/// The same breaker, declared alike, on a function whose classification works.
#[coord::handle_errors(
    max_retries = 0,
    circuit_breaker(name = "panics.probe", consecutive_failures = 1, open_for = "1ms")
)]
fn opens_the_breaker() -> Result<u32, CallError> {
    Err(CallError::Down)
}

fn retry_stats(operation: &str) -> coord::retry::RetrySnapshot {
    coord::retry::retry_stats()
        .into_iter()
        .find(|stats| stats.operation == operation)
        .unwrap_or_else(|| panic!("no retry statistics for {operation}"))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .unwrap_or_else(|| payload.downcast_ref::<String>().map_or("", String::as_str))
}

#[test]
fn a_panicking_retry_if_propagates_and_the_call_counts_as_failed() {
    quiet_panics();
    let panic = catch_unwind(checked_by_a_buggy_predicate).expect_err("the panic propagates");
    assert_eq!(panic_message(&*panic), "retry_if bug", "unchanged");
    let stats = retry_stats("checked_by_a_buggy_predicate");
    assert_eq!(
        (stats.failed_without_retry, stats.retries, stats.exhausted),
        (1, 0, 0),
        "{stats:?}"
    );
}

#[test]
fn a_body_panicking_on_a_retry_counts_as_failed_after_retrying() {
    quiet_panics();
    let panic = catch_unwind(panics_on_its_second_attempt).expect_err("the panic propagates");
    assert_eq!(panic_message(&*panic), "body bug");
    assert_eq!(BODY_CALLS.load(Ordering::SeqCst), 2);
    let stats = retry_stats("panics_on_its_second_attempt");
    assert_eq!(
        (stats.failed_with_retry, stats.retries),
        (1, 1),
        "{stats:?}"
    );
}

#[test]
fn a_panicking_classification_gives_the_half_open_probe_permit_back() {
    quiet_panics();
    let breaker = coord::breaker("panics.probe");
    // Open the breaker through a function with a well-behaved error type.
    assert!(matches!(opens_the_breaker(), Err(CallError::Down)));
    assert_eq!(breaker.state(), coord::breaker::BreakerState::Open);
    std::thread::sleep(std::time::Duration::from_millis(5));

    // The half-open probe fails, and classifying its error panics before the breaker hears
    // of it: the panic propagates and the probe's permit is given back.
    let probe = catch_unwind(AssertUnwindSafe(|| guarded(true))).expect_err("propagates");
    assert_eq!(panic_message(&*probe), "classification bug");
    assert_eq!(breaker.state(), coord::breaker::BreakerState::HalfOpen);

    // Had the permit been lost, every later call would be rejected; instead a probe gets
    // through and closes it.
    assert_eq!(guarded(false).ok(), Some(1));
    assert_eq!(breaker.state(), coord::breaker::BreakerState::Closed);
    let stats = retry_stats("guarded");
    assert_eq!(
        stats.failed_without_retry, 1,
        "the panicking call is counted: {stats:?}"
    );
}

#[coord::handle_errors(max_retries = 3, base_delay = "1s", jitter = "none")]
async fn keeps_failing() -> Result<u32, CallError> {
    Err(CallError::Down)
}

#[tokio::test(start_paused = true)]
async fn an_async_call_dropped_while_waiting_to_retry_counts_as_failed() {
    // The first attempt fails; the call is dropped during its 1 s wait before the retry.
    let call = tokio::time::timeout(std::time::Duration::from_millis(500), keeps_failing());
    assert!(call.await.is_err(), "timed out, i.e. dropped mid-retry");
    let stats = retry_stats("keeps_failing");
    // The retry had been scheduled when the call was dropped: one call, failed after
    // retrying, never exhausted.
    assert_eq!(
        (
            stats.failed_with_retry,
            stats.retries,
            stats.exhausted,
            stats.failed_without_retry
        ),
        (1, 1, 0, 0),
        "{stats:?}"
    );
}
