//! Named circuit breakers through `#[handle_errors]`, on a clock the tests control.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Waker};
use std::time::Duration;

use coord::{
    breaker::{BreakerConfig, BreakerState},
    clock::ManualClock,
};

#[derive(Debug, PartialEq)]
enum CallError {
    Failed,
    Coord(coord::Error),
}

impl From<coord::Error> for CallError {
    fn from(err: coord::Error) -> Self {
        CallError::Coord(err)
    }
}

fn is_rejection(result: &Result<(), CallError>) -> bool {
    matches!(
        result,
        Err(CallError::Coord(coord::Error::CircuitOpen { .. }))
    )
}

static BASIC_RUNS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(circuit_breaker = "cb.basic", max_retries = 0)]
fn basic(fail: bool) -> Result<(), CallError> {
    BASIC_RUNS.fetch_add(1, Ordering::SeqCst);
    if fail { Err(CallError::Failed) } else { Ok(()) }
}

#[test]
fn opens_after_the_threshold_half_opens_after_the_open_time_and_closes_on_success() {
    let clock = ManualClock::shared();
    let config = BreakerConfig::new()
        .consecutive_failures(2)
        .open_for(Duration::from_secs(10));
    let breaker = coord::breaker::register_breaker("cb.basic", config, clock.clone()).unwrap();

    assert_eq!(basic(true), Err(CallError::Failed));
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(basic(true), Err(CallError::Failed));
    assert_eq!(breaker.state(), BreakerState::Open);

    let runs = BASIC_RUNS.load(Ordering::SeqCst);
    clock.advance(Duration::from_secs(4));
    match basic(false) {
        Err(CallError::Coord(coord::Error::CircuitOpen {
            breaker,
            retry_after,
        })) => {
            assert_eq!(breaker, "cb.basic");
            assert_eq!(retry_after, Some(Duration::from_secs(6)));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        BASIC_RUNS.load(Ordering::SeqCst),
        runs,
        "a rejected call does not run"
    );

    clock.advance(Duration::from_secs(6));
    assert_eq!(basic(false), Ok(()), "the probe runs");
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(breaker.counts().rejected, 1);
}

static RETRIED_RUNS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(circuit_breaker = "cb.retried", max_retries = 5, base_delay = "1ms")]
fn retried_through_breaker() -> Result<(), CallError> {
    RETRIED_RUNS.fetch_add(1, Ordering::SeqCst);
    Err(CallError::Failed)
}

#[test]
fn each_attempt_passes_the_breaker_and_a_rejection_is_not_retried() {
    let config = BreakerConfig::new().consecutive_failures(3);
    let breaker =
        coord::breaker::register_breaker("cb.retried", config, ManualClock::shared()).unwrap();
    let result = retried_through_breaker();
    assert!(is_rejection(&result), "{result:?}");
    assert_eq!(
        RETRIED_RUNS.load(Ordering::SeqCst),
        3,
        "3 failures opened it; the 4th attempt was refused"
    );
    let counts = breaker.counts();
    assert_eq!((counts.failures, counts.rejected), (3, 1));

    // Open: the next call is refused once, without running or retrying.
    let result = retried_through_breaker();
    assert!(is_rejection(&result));
    assert_eq!(RETRIED_RUNS.load(Ordering::SeqCst), 3);
    assert_eq!(breaker.counts().rejected, 2);
}

static FORCED_RUNS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(circuit_breaker = "cb.admin", max_retries = 2, base_delay = "1ms")]
fn admin_controlled() -> Result<(), CallError> {
    FORCED_RUNS.fetch_add(1, Ordering::SeqCst);
    Err(CallError::Failed)
}

#[test]
fn admin_states_force_open_disable_and_reset() {
    let breaker = coord::breaker::register_breaker(
        "cb.admin",
        BreakerConfig::new().consecutive_failures(1),
        ManualClock::shared(),
    )
    .unwrap();
    breaker.force_open();
    assert!(is_rejection(&admin_controlled()));
    assert_eq!(FORCED_RUNS.load(Ordering::SeqCst), 0);

    breaker.disable();
    assert_eq!(admin_controlled(), Err(CallError::Failed));
    assert_eq!(
        FORCED_RUNS.load(Ordering::SeqCst),
        3,
        "disabled: all attempts run"
    );
    assert_eq!(
        breaker.state(),
        BreakerState::Disabled,
        "failures do not count"
    );

    breaker.reset();
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert!(
        is_rejection(&admin_controlled()),
        "one failure opens it, the retry is refused"
    );
    assert_eq!(FORCED_RUNS.load(Ordering::SeqCst), 4);
}

#[coord::handle_errors(circuit_breaker = "cb.probe", max_retries = 0)]
async fn hangs() -> Result<(), CallError> {
    std::future::pending::<()>().await;
    Ok(())
}

#[coord::handle_errors(circuit_breaker = "cb.probe", max_retries = 0)]
fn panics_in_probe() -> Result<(), CallError> {
    panic!("probe crashed")
}

#[coord::handle_errors(circuit_breaker = "cb.probe", max_retries = 0)]
fn probe(fail: bool) -> Result<(), CallError> {
    if fail { Err(CallError::Failed) } else { Ok(()) }
}

#[test]
fn a_cancelled_or_panicking_probe_returns_its_permit() {
    let clock = ManualClock::shared();
    let config = BreakerConfig::new()
        .consecutive_failures(1)
        .open_for(Duration::from_secs(1))
        .half_open_permits(1);
    let breaker = coord::breaker::register_breaker("cb.probe", config, clock.clone()).unwrap();
    assert_eq!(probe(true), Err(CallError::Failed));
    clock.advance(Duration::from_secs(1));

    {
        // Polled by hand, inside a runtime's context: a retried async function needs one.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let _inside = runtime.enter();
        let mut future = pin!(hangs());
        let mut context = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut context).is_pending());
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        assert!(is_rejection(&probe(false)), "the only permit is taken");
    }
    // The cancelled probe gave the permit back.
    assert!(std::panic::catch_unwind(panics_in_probe).is_err());
    assert_eq!(
        breaker.state(),
        BreakerState::HalfOpen,
        "a panic is not a verdict"
    );
    assert_eq!(probe(false), Ok(()), "and so did the panicking one");
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[coord::handle_errors(
    circuit_breaker(name = "cb.declared", consecutive_failures = 1, open_for = "1h"),
    max_retries = 0
)]
fn declared() -> Result<(), CallError> {
    Err(CallError::Failed)
}

#[coord::handle_errors(circuit_breaker = "cb.declared", max_retries = 0)]
fn refers_to_declared() -> Result<(), CallError> {
    Ok(())
}

#[test]
fn options_declared_on_a_function_apply_to_every_user_of_the_name() {
    assert_eq!(declared(), Err(CallError::Failed));
    let breaker = coord::breaker("cb.declared");
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "one failure, as declared"
    );
    assert_eq!(breaker.config().open_for_value(), Duration::from_secs(3600));
    assert!(is_rejection(&refers_to_declared()));
}

#[coord::handle_errors(
    circuit_breaker(name = "cb.conflict", consecutive_failures = 3),
    max_retries = 0
)]
fn conflict_a() -> Result<(), CallError> {
    Ok(())
}

#[coord::handle_errors(
    circuit_breaker(name = "cb.conflict", consecutive_failures = 4),
    max_retries = 0
)]
fn conflict_b() -> Result<(), CallError> {
    Ok(())
}

#[test]
fn conflicting_declarations_refuse_every_call_and_are_listed() {
    let (results, log) =
        support::captured_logs::logged_at(tracing::Level::ERROR, || [conflict_a(), conflict_b()]);
    assert_eq!(
        log.matches("refuses calls").count(),
        1,
        "the first call logs the conflict once, at ERROR: {log}"
    );
    assert!(
        log.contains("ERROR") && log.contains("cb.conflict"),
        "{log}"
    );
    for result in results {
        match result {
            Err(CallError::Coord(coord::Error::BreakerConflict {
                breaker,
                first,
                second,
            })) => {
                assert_eq!(breaker, "cb.conflict");
                assert_ne!(first, second);
                assert!(
                    first.contains("circuit_breaker.rs:") && second.contains("circuit_breaker.rs:")
                );
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    let conflicts = coord::breaker::breaker_conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(conflicts[0].to_string().contains("cb.conflict"));
}

#[test]
fn init_refuses_conflicting_declarations_naming_both_call_sites() {
    let err = coord::init_with(coord::config::CoordinationConfig::default())
        .expect_err("two declarations of `cb.conflict` disagree");
    let coord::config::ConfigError::BreakerConflicts { conflicts } = &err else {
        panic!("expected the conflicts, got {err:?}");
    };
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let message = err.to_string();
    assert!(message.contains("`cb.conflict`"), "{message}");
    assert_eq!(
        message.matches("circuit_breaker.rs:").count(),
        2,
        "both call sites: {message}"
    );
}

#[test]
fn registering_a_name_twice_is_an_error() {
    coord::breaker("cb.twice");
    let err =
        coord::breaker::register_breaker("cb.twice", BreakerConfig::new(), ManualClock::shared())
            .expect_err("already exists");
    assert_eq!(
        err,
        coord::Error::BreakerExists {
            breaker: "cb.twice".to_owned()
        }
    );
}
