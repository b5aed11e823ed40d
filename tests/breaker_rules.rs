//! Which rules open a breaker, and the reason it reports: only `consecutive_failures` unless
//! a rate is written; a failure rate or a slow-call rate over the window when asked for; the
//! rule and its figures in the log line, `Breaker::opened_because` and the report.

mod support;

use std::sync::Arc;
use std::time::Duration;

use coord::breaker::{BreakerConfig, BreakerState, CallResult, OpenReason, register_breaker};
use coord::clock::ManualClock;

/// The tests take turns: one of them captures the breaker's log line, which `tracing` may
/// miss while another thread reaches the same call site with no subscriber.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn call(breaker: &'static coord::breaker::Breaker, result: CallResult) {
    breaker.admit().expect("admitted").record(result);
}

#[test]
fn without_a_written_rate_only_failures_in_a_row_open_it() {
    let _serial = serial();
    let breaker = register_breaker(
        "rules.defaults",
        BreakerConfig::new(),
        Arc::new(ManualClock::new()),
    )
    .expect("new");
    // Half the calls fail, never five in a row: resilience4j's default rate rule would open.
    for _ in 0..50 {
        call(breaker, CallResult::Failure);
        call(breaker, CallResult::Success);
    }
    assert_eq!(breaker.state(), BreakerState::Closed);
    for _ in 0..5 {
        call(breaker, CallResult::Failure);
    }
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(
        breaker.opened_because(),
        Some(OpenReason::ConsecutiveFailures { failures: 5 })
    );
}

#[test]
fn a_written_failure_rate_opens_it_and_says_so() {
    let _serial = serial();
    let config = BreakerConfig::new()
        .consecutive_failures(100)
        .failure_rate(0.5)
        .window(10)
        .min_calls(10);
    let breaker =
        register_breaker("rules.rate", config, Arc::new(ManualClock::new())).expect("new");
    let (_, logs) = support::captured_logs::logged_at(tracing::Level::WARN, || {
        for _ in 0..5 {
            call(breaker, CallResult::Success);
            call(breaker, CallResult::Failure);
        }
    });
    assert_eq!(breaker.state(), BreakerState::Open);
    let reason = breaker.opened_because().expect("opened");
    assert_eq!(
        reason,
        OpenReason::FailureRate {
            failures: 5,
            calls: 10,
            threshold: 0.5
        }
    );
    assert!(
        logs.contains("circuit breaker opened")
            && logs.contains("failure rate 0.50 ≥ 0.5 over the last 10 calls"),
        "{logs}"
    );
    let report = coord::report::error_handling_report();
    let row = report
        .breakers
        .iter()
        .find(|b| b.name == "rules.rate")
        .expect("reported");
    assert_eq!(
        row.opened_because.as_deref(),
        Some(reason.to_string().as_str())
    );
}

#[test]
fn slow_calls_open_it_like_failures() {
    let _serial = serial();
    let clock = Arc::new(ManualClock::new());
    let config = BreakerConfig::new()
        .slow_call_duration(Duration::from_secs(1))
        .slow_call_rate(0.5)
        .window(4)
        .min_calls(4);
    let breaker = register_breaker("rules.slow", config, clock.clone()).expect("new");
    let timed = |took: Duration| {
        let permit = breaker.admit().expect("admitted");
        clock.advance(took);
        permit.record(CallResult::Success);
    };
    timed(Duration::from_millis(10));
    timed(Duration::from_secs(2)); // slow, though it succeeded
    timed(Duration::from_millis(10));
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "fewer than min_calls"
    );
    timed(Duration::from_secs(3)); // 2 slow of 4
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(
        breaker.opened_because(),
        Some(OpenReason::SlowCallRate {
            slow: 2,
            calls: 4,
            threshold: 0.5,
            slower_than: Duration::from_secs(1),
        })
    );

    // A slow probe re-opens it, as a failed one does.
    clock.advance(Duration::from_secs(60));
    timed(Duration::from_secs(2));
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(breaker.opened_because(), Some(OpenReason::ProbeFailed));
}

#[derive(Debug)]
struct Slow;

impl From<coord::Error> for Slow {
    fn from(_: coord::Error) -> Self {
        Slow
    }
}

#[coord::handle_errors(
    max_retries = 0,
    circuit_breaker(
        name = "rules.attribute",
        slow_call_duration = "20ms",
        slow_call_rate = 1.0,
        window = 3,
        min_calls = 3
    )
)]
fn answers_late() -> Result<(), Slow> {
    std::thread::sleep(Duration::from_millis(30));
    Ok(())
}

#[test]
fn the_attribute_declares_the_slow_call_rule() {
    let _serial = serial();
    for _ in 0..3 {
        assert!(answers_late().is_ok(), "slow, but answered");
    }
    let breaker = coord::breaker("rules.attribute");
    assert_eq!(breaker.state(), BreakerState::Open);
    assert!(matches!(
        breaker.opened_because(),
        Some(OpenReason::SlowCallRate {
            slow: 3,
            calls: 3,
            ..
        })
    ));
    assert!(answers_late().is_err(), "refused while open");
}

#[test]
fn a_time_window_counts_the_rates_over_a_stretch_of_time() {
    let _serial = serial();
    let clock = Arc::new(ManualClock::new());
    let config = BreakerConfig::new()
        .consecutive_failures(100)
        .failure_rate(0.5)
        .time_window(Duration::from_secs(10))
        .min_calls(4);
    let breaker = register_breaker("rules.time_window", config, clock.clone()).expect("new");
    // Three failures early on, then quiet: by the time more calls come, they have aged out.
    for _ in 0..3 {
        call(breaker, CallResult::Failure);
    }
    clock.advance(Duration::from_secs(11));
    for _ in 0..3 {
        call(breaker, CallResult::Success);
    }
    call(breaker, CallResult::Failure);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "1 failure in the last 10 s of 4 calls"
    );
    call(breaker, CallResult::Failure);
    call(breaker, CallResult::Failure);
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "3 of 6 in the last 10 s"
    );
    assert_eq!(
        breaker.opened_because(),
        Some(OpenReason::FailureRate {
            failures: 3,
            calls: 6,
            threshold: 0.5
        })
    );
}
