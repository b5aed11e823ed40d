//! The series `#[handle_errors]` emits for retries and breakers, read from a test recorder.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{
    breaker::{BreakerConfig, BreakerState},
    clock::ManualClock,
};
use support::test_recorder;

static ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(
    name = "metrics.flaky",
    max_retries = 3,
    base_delay = "1ms",
    jitter = "none"
)]
fn flaky() -> Result<u32, String> {
    let attempt = ATTEMPTS.fetch_add(1, Ordering::SeqCst) + 1;
    if attempt < 3 {
        Err(format!("attempt {attempt}"))
    } else {
        Ok(attempt)
    }
}

#[test]
fn retry_series_count_calls_by_kind_and_retries_made() {
    let recorder = test_recorder::global();
    assert_eq!(flaky(), Ok(3));
    assert_eq!(flaky(), Ok(4));
    let counters = recorder.counters("metrics.flaky");
    let kind = |kind: &str| {
        counters[&format!(r#"coord_retry_calls_total{{operation="metrics.flaky",kind="{kind}"}}"#)]
    };
    assert_eq!(kind("successful_with_retry"), 1);
    assert_eq!(kind("successful_without_retry"), 1);
    assert_eq!(kind("failed_with_retry"), 0);
    assert_eq!(kind("failed_without_retry"), 0);
    assert_eq!(
        counters[r#"coord_retry_attempts_total{operation="metrics.flaky"}"#],
        2
    );
}

#[derive(Debug)]
struct Down;

impl From<coord::Error> for Down {
    fn from(_: coord::Error) -> Self {
        Down
    }
}

#[coord::handle_errors(circuit_breaker = "metrics.breaker", max_retries = 0)]
fn guarded(fail: bool) -> Result<(), Down> {
    if fail { Err(Down) } else { Ok(()) }
}

fn breaker_gauges(recorder: &test_recorder::TestRecorder) -> Vec<(String, f64)> {
    recorder
        .gauges_named("coord_circuit_breaker_state")
        .into_iter()
        .filter(|(name, _)| name.contains(r#"breaker="metrics.breaker""#))
        .collect()
}

#[test]
fn breaker_series_are_one_hot_and_count_calls_and_transitions() {
    let recorder = test_recorder::global();
    let clock = ManualClock::shared();
    let config = BreakerConfig::new()
        .consecutive_failures(1)
        .open_for(Duration::from_secs(1));
    let breaker =
        coord::breaker::register_breaker("metrics.breaker", config, clock.clone()).unwrap();

    guarded(false).unwrap();
    let closed = breaker_gauges(recorder);
    assert_eq!(
        closed.len(),
        5,
        "a series per state from the first call: {closed:?}"
    );
    assert_eq!(closed.iter().filter(|(_, v)| *v == 1.0).count(), 1);
    assert!(
        closed
            .iter()
            .any(|(name, v)| name.contains(r#"state="closed""#) && *v == 1.0)
    );

    guarded(true).unwrap_err();
    guarded(false).unwrap_err();
    assert_eq!(breaker.state(), BreakerState::Open);
    let open = breaker_gauges(recorder);
    assert_eq!(
        open.iter().filter(|(_, v)| *v == 1.0).count(),
        1,
        "{open:?}"
    );
    assert!(
        open.iter()
            .any(|(name, v)| name.contains(r#"state="open""#) && *v == 1.0)
    );
    assert!(
        open.iter()
            .any(|(name, v)| name.contains(r#"state="closed""#) && *v == 0.0)
    );

    clock.advance(Duration::from_secs(1));
    guarded(false).unwrap();

    let counters = recorder.counters_named("coord_circuit_breaker");
    let get = |series: &str| counters.get(series).copied().unwrap_or(0);
    let calls = |outcome: &str| {
        get(&format!(
            r#"coord_circuit_breaker_calls_total{{breaker="metrics.breaker",outcome="{outcome}"}}"#
        ))
    };
    assert_eq!(
        (calls("success"), calls("failure"), calls("rejected")),
        (2, 1, 1)
    );
    let transitions = |from: &str, to: &str| {
        get(&format!(
            r#"coord_circuit_breaker_transitions_total{{breaker="metrics.breaker",from="{from}",to="{to}"}}"#
        ))
    };
    assert_eq!(transitions("closed", "open"), 1);
    assert_eq!(transitions("open", "half_open"), 1);
    assert_eq!(transitions("half_open", "closed"), 1);
    let final_state = breaker_gauges(recorder);
    assert!(
        final_state
            .iter()
            .any(|(name, v)| name.contains(r#"state="closed""#) && *v == 1.0)
    );
    assert_eq!(final_state.iter().filter(|(_, v)| *v == 1.0).count(), 1);
}
