//! Retry budgets through the public API: retries held to a share of an operation's calls
//! over the last ten seconds plus a floor a second, so an outage where every call fails adds
//! a bounded fraction of load instead of multiplying it; past the budget a failed call ends
//! at once, counted as exhausted.

use std::sync::atomic::{AtomicU32, Ordering};

static FLOOR_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

/// Always fails; 3 retries a call, but only the floor of 2 retries a second (20 over the
/// window) and no share of calls.
#[coord::handle_errors(
    max_retries = 3,
    base_delay = "1ms",
    jitter = "none",
    budget(ratio = 0.0, min_per_second = 2)
)]
fn down_with_floor() -> Result<(), String> {
    FLOOR_ATTEMPTS.fetch_add(1, Ordering::SeqCst);
    Err("down".to_owned())
}

#[test]
fn the_floor_bounds_retries_over_the_window() {
    for _ in 0..10 {
        assert!(down_with_floor().is_err());
    }
    assert_eq!(
        FLOOR_ATTEMPTS.load(Ordering::SeqCst),
        10 + 20,
        "10 calls and the 20 retries the floor allows"
    );
    let stats = coord::retry::retry_stats();
    let stats = stats
        .iter()
        .find(|s| s.operation == "down_with_floor")
        .expect("counted");
    assert_eq!(stats.retries, 20);
    assert_eq!(
        stats.exhausted, 10,
        "every call ran out: of retries, then of budget"
    );
}

static SHARE_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

/// Always fails; one retry a call, but retries at most half the calls.
#[coord::coordinate_operation(retry(
    max_retries = 1,
    base_delay = "1ms",
    jitter = "none",
    budget(ratio = 0.5, min_per_second = 0)
))]
fn down_with_share() -> Result<(), coord::Error> {
    SHARE_ATTEMPTS.fetch_add(1, Ordering::SeqCst);
    Err(coord::Error::LockLost {
        key: "stand-in".to_owned(),
    })
}

#[test]
fn retries_stay_within_their_share_of_calls() {
    for _ in 0..10 {
        assert!(down_with_share().is_err());
    }
    assert_eq!(
        SHARE_ATTEMPTS.load(Ordering::SeqCst),
        15,
        "10 calls, 5 retries"
    );
}

#[test]
fn a_budget_is_part_of_the_runtime_policy() {
    use coord::retry::{RetryBudget, RetryPolicy, StopReason};
    let policy = RetryPolicy::for_severity(coord::Severity::Medium).budget(RetryBudget::new(0.1));
    assert_eq!(
        policy
            .budget_value()
            .map(|b| (b.ratio_value(), b.min_per_second_value())),
        Some((0.1, 10))
    );
    assert_eq!(
        StopReason::BudgetExhausted.as_str(),
        "retry budget exhausted"
    );
}
