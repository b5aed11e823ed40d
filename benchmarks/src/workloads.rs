//! The trivial operation every tracking, breaker and retry comparison wraps, and its wrappers.

use std::hint::black_box;
use std::sync::LazyLock;

use backon::{BlockingRetryable, ExponentialBuilder};
use failsafe::CircuitBreaker as _;

/// The operation's error; never produced on the measured paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchError;

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bench error")
    }
}

impl std::error::Error for BenchError {}

impl From<coord::Error> for BenchError {
    fn from(_: coord::Error) -> Self {
        BenchError
    }
}

/// A trivial function returning a small `Result`: the baseline of every group.
#[inline(never)]
pub fn bare(x: u64) -> Result<u64, BenchError> {
    if x == u64::MAX {
        Err(BenchError)
    } else {
        Ok(black_box(x).wrapping_mul(31))
    }
}

/// `bare` under `#[track_performance]`.
#[coord::track_performance(name = "bench.tracked")]
#[inline(never)]
pub fn coord_tracked(x: u64) -> Result<u64, BenchError> {
    bare(x)
}

/// `bare` under `#[autometrics]` (metrics 0.24 backend, the same recorder as coord's).
#[autometrics::autometrics]
#[inline(never)]
pub fn autometrics_tracked(x: u64) -> Result<u64, BenchError> {
    bare(x)
}

/// `bare` through a closed breaker, no retries.
#[coord::handle_errors(circuit_breaker = "bench.breaker", max_retries = 0)]
#[inline(never)]
pub fn coord_breaker(x: u64) -> Result<u64, BenchError> {
    bare(x)
}

/// The policy `failsafe::Config::new()` builds: success rate over a time window, or
/// consecutive failures, each with equal-jittered backoff.
type FailsafeDefaultPolicy = failsafe::failure_policy::OrElse<
    failsafe::failure_policy::SuccessRateOverTimeWindow<failsafe::backoff::EqualJittered>,
    failsafe::failure_policy::ConsecutiveFailures<failsafe::backoff::EqualJittered>,
>;

/// failsafe's breaker with its defaults.
pub static FAILSAFE_BREAKER: LazyLock<failsafe::StateMachine<FailsafeDefaultPolicy, ()>> =
    LazyLock::new(|| failsafe::Config::new().build());

/// `bare` through failsafe's closed breaker.
#[inline(never)]
pub fn failsafe_breaker(x: u64) -> Result<u64, failsafe::Error<BenchError>> {
    FAILSAFE_BREAKER.call(|| bare(x))
}

/// `bare` under a retry policy that never needs to retry.
#[coord::handle_errors(max_retries = 3)]
#[inline(never)]
pub fn coord_retry(x: u64) -> Result<u64, BenchError> {
    bare(x)
}

/// The least any retry wrapper that keeps statistics adds to `bare`: its own frame and one
/// count in a per-thread cell (a `const` thread-local, no registration), nothing else — no
/// policy, no breaker, no panic accounting. What coord's retry adds above this is its own.
#[inline(never)]
pub fn counted_floor(x: u64) -> Result<u64, BenchError> {
    thread_local! {
        static SUCCEEDED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let result = bare(x);
    if result.is_ok() {
        SUCCEEDED.with(|count| count.set(count.get() + 1));
    }
    result
}

/// `bare` through [`ErrorHandling`](coord::ErrorHandling), the runtime API's retry policy,
/// with the same policy as `coord_retry`.
#[inline(never)]
pub fn api_retry(x: u64) -> Result<u64, BenchError> {
    static HANDLING: LazyLock<coord::ErrorHandling<BenchError>> = LazyLock::new(|| {
        coord::ErrorHandling::new("bench_api_retry")
            .retry(coord::retry::RetryPolicy::for_severity(coord::Severity::Medium).max_retries(3))
    });
    HANDLING.call(|| bare(x))
}

/// `bare` tracked through a `static` [`Operation`](coord::Operation) by hand.
#[inline(never)]
pub fn api_tracked(x: u64) -> Result<u64, BenchError> {
    static OPERATION: coord::Operation = coord::Operation::new("bench_api_tracked");
    OPERATION.run(|| bare(x))
}

/// `bare` tracked under a name looked up on every call ([`coord::track_fn`]).
#[inline(never)]
pub fn api_tracked_by_name(x: u64) -> Result<u64, BenchError> {
    coord::track_fn("bench_api_tracked_by_name", || bare(x))
}

/// `bare` under backon's blocking retry with its default exponential policy (3 retries).
#[inline(never)]
pub fn backon_retry(x: u64) -> Result<u64, BenchError> {
    (|| bare(x)).retry(ExponentialBuilder::default()).call()
}
