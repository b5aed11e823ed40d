//! Per-attempt timeouts and deadlines that bound hung async attempts, through the attribute,
//! `#[coordinate_operation(retry(...))]`, `ErrorHandling` and the tower layer, on tokio's
//! paused clock: a hung attempt's future is dropped at its limit, counts as a failure for the
//! breaker and the retry statistics, and the caller gets `E::from(coord::Error::Timeout)`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::breaker::BreakerState;
use coord::retry::{RetryPolicy, TimeLimit};
use coord::{ErrorHandling, Severity};

#[derive(Debug)]
enum CallError {
    Coord(coord::Error),
}

impl From<coord::Error> for CallError {
    fn from(err: coord::Error) -> Self {
        CallError::Coord(err)
    }
}

/// Counts attempts, and attempts whose future was dropped before it finished.
struct Probe {
    started: AtomicU32,
    dropped: AtomicU32,
}

impl Probe {
    const fn new() -> Self {
        Self {
            started: AtomicU32::new(0),
            dropped: AtomicU32::new(0),
        }
    }

    /// An attempt that hangs for `hang`, then succeeds; records being dropped mid-way.
    async fn attempt(&self, hang: Duration) -> Result<u32, CallError> {
        struct DroppedEarly<'a>(&'a AtomicU32);
        impl Drop for DroppedEarly<'_> {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let attempt = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let guard = DroppedEarly(&self.dropped);
        tokio::time::sleep(hang).await;
        std::mem::forget(guard);
        Ok(attempt)
    }

    fn counts(&self) -> (u32, u32) {
        (
            self.started.load(Ordering::SeqCst),
            self.dropped.load(Ordering::SeqCst),
        )
    }
}

static HUNG: Probe = Probe::new();

#[coord::handle_errors(
    timeout = "500ms",
    max_retries = 2,
    base_delay = "100ms",
    jitter = "none",
    backoff = "constant",
    circuit_breaker(name = "timeouts.hung", consecutive_failures = 10)
)]
async fn always_hangs() -> Result<u32, CallError> {
    HUNG.attempt(Duration::from_secs(3600)).await
}

#[tokio::test(start_paused = true)]
async fn a_hung_attempt_is_cancelled_at_its_timeout_and_retried() {
    let started = tokio::time::Instant::now();
    let result = always_hangs().await;
    match result {
        Err(CallError::Coord(coord::Error::Timeout {
            operation,
            limit,
            after,
        })) => {
            assert_eq!(operation, "always_hangs");
            assert_eq!(limit, TimeLimit::Attempt);
            assert_eq!(after, Duration::from_millis(500));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // 3 attempts × 500 ms + 2 delays × 100 ms.
    assert_eq!(started.elapsed(), Duration::from_millis(1_700));
    assert_eq!(HUNG.counts(), (3, 3), "every attempt's future was dropped");
    assert_eq!(coord::breaker("timeouts.hung").counts().failures, 3);
    let stats = coord::retry::retry_stats();
    let stats = stats
        .iter()
        .find(|s| s.operation == "always_hangs")
        .expect("counted");
    assert_eq!(
        (stats.timeouts, stats.retries, stats.failed_with_retry),
        (3, 2, 1)
    );
}

static SLOW_ONCE: Probe = Probe::new();

#[coord::handle_errors(
    timeout = "200ms",
    max_retries = 1,
    base_delay = "10ms",
    jitter = "none"
)]
async fn slow_then_fast() -> Result<u32, CallError> {
    let hang = if SLOW_ONCE.counts().0 == 0 {
        Duration::from_secs(10)
    } else {
        Duration::from_millis(50)
    };
    SLOW_ONCE.attempt(hang).await
}

#[tokio::test(start_paused = true)]
async fn the_retry_after_a_timeout_may_succeed() {
    let started = tokio::time::Instant::now();
    assert_eq!(slow_then_fast().await.ok(), Some(2));
    assert_eq!(started.elapsed(), Duration::from_millis(260));
    assert_eq!(SLOW_ONCE.counts(), (2, 1));
}

static DEADLINE: Probe = Probe::new();

/// The README's report: a deadline of 500 ms must bound a hung attempt.
#[coord::handle_errors(deadline = "500ms", max_retries = 3, base_delay = "10ms")]
async fn hung_under_deadline() -> Result<u32, CallError> {
    DEADLINE.attempt(Duration::from_secs(3)).await
}

#[tokio::test(start_paused = true)]
async fn a_deadline_cancels_the_running_attempt_and_ends_the_call() {
    let started = tokio::time::Instant::now();
    let result = hung_under_deadline().await;
    assert!(
        matches!(
            result,
            Err(CallError::Coord(coord::Error::Timeout {
                limit: TimeLimit::Deadline,
                ..
            }))
        ),
        "{result:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_millis(500));
    assert_eq!(DEADLINE.counts(), (1, 1), "cancelled, not retried");
    let stats = coord::retry::retry_stats();
    let stats = stats
        .iter()
        .find(|s| s.operation == "hung_under_deadline")
        .expect("counted");
    assert_eq!((stats.exhausted, stats.timeouts), (1, 1));
}

static COMBINED: Probe = Probe::new();

#[coord::coordinate_operation(
    name = "timeouts.combined",
    retry(
        timeout = "1s",
        deadline = "2500ms",
        max_retries = 5,
        base_delay = "100ms",
        jitter = "none",
        backoff = "constant"
    )
)]
async fn combined() -> Result<u32, CallError> {
    COMBINED.attempt(Duration::from_secs(60)).await
}

#[tokio::test(start_paused = true)]
async fn timeout_and_deadline_together_stop_at_the_deadline() {
    let started = tokio::time::Instant::now();
    let result = combined().await;
    assert!(matches!(
        result,
        Err(CallError::Coord(coord::Error::Timeout { .. }))
    ));
    // Attempt 1 times out at 1 s; the next would end at 2.1 s: allowed; the third would
    // start at 2.2 s and, judged by the last, end past 2.5 s: not started.
    assert_eq!(started.elapsed(), Duration::from_millis(2_100));
    assert_eq!(COMBINED.counts(), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn error_handling_applies_the_same_timeout() {
    let calls: ErrorHandling<CallError> = ErrorHandling::new("timeouts.api")
        .retry(
            RetryPolicy::for_severity(Severity::Medium)
                .max_retries(1)
                .base_delay(Duration::from_millis(10)),
        )
        .timeout(Duration::from_millis(300))
        .circuit_breaker(coord::breaker("timeouts.api"));
    let probe = Probe::new();
    let started = tokio::time::Instant::now();
    let result = calls
        .call_async(|| probe.attempt(Duration::from_secs(5)))
        .await;
    assert!(matches!(
        result,
        Err(CallError::Coord(coord::Error::Timeout { .. }))
    ));
    assert_eq!(probe.counts(), (2, 2));
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(coord::breaker("timeouts.api").counts().failures, 2);

    // A fast attempt is untouched.
    assert_eq!(
        calls
            .call_async(|| probe.attempt(Duration::from_millis(1)))
            .await
            .ok(),
        Some(3)
    );
}

static OPENS: Probe = Probe::new();

#[coord::handle_errors(
    timeout = "100ms",
    max_retries = 0,
    circuit_breaker(name = "timeouts.opens", consecutive_failures = 2, open_for = "30s")
)]
async fn times_out_into_the_breaker() -> Result<u32, CallError> {
    OPENS.attempt(Duration::from_secs(1)).await
}

#[tokio::test(start_paused = true)]
async fn timeouts_open_the_breaker_like_failures() {
    assert!(times_out_into_the_breaker().await.is_err());
    assert!(times_out_into_the_breaker().await.is_err());
    assert_eq!(coord::breaker("timeouts.opens").state(), BreakerState::Open);
    assert!(matches!(
        times_out_into_the_breaker().await,
        Err(CallError::Coord(coord::Error::CircuitOpen { .. }))
    ));
    assert_eq!(OPENS.counts(), (2, 2), "the refused call never ran");
}
