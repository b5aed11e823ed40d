//! Loom model of the breaker's state machine under concurrency: every interleaving of two
//! threads (plus the main one) is explored, checking that transitions happen exactly once and
//! half-open permits are never exceeded or lost.
//!
//! Inside the crate, as tokio keeps its loom tests, so the state machine's internals stay
//! crate-private. Run: `RUSTFLAGS="--cfg coord_loom" cargo test -p coord-runtime --lib --release
//! breaker::loom_model` (`.ci/run` does, in its own target directory).

use std::time::Duration;

use super::core::{BreakerCore, CallResult, Transition};
use super::state::BreakerState;
use crate::base::clock::ManualClock;
use crate::values::breaker_config::BreakerConfig;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

/// Interleavings explored by each model, printed so the model's size is on record.
fn explore(name: &str, model: impl Fn() + Sync + Send + 'static) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let before = RUNS.load(std::sync::atomic::Ordering::SeqCst);
    loom::model(move || {
        RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        model();
    });
    let runs = RUNS.load(std::sync::atomic::Ordering::SeqCst) - before;
    eprintln!("loom: {name}: {runs} interleavings");
}

fn half_open_after_one_failure(permits: u32, close_after: u32) -> Arc<BreakerCore> {
    let config = BreakerConfig::new()
        .consecutive_failures(1)
        .open_for(Duration::from_millis(1))
        .half_open_permits(permits)
        .close_after(close_after);
    let clock = std::sync::Arc::new(ManualClock::new());
    let core = BreakerCore::new(config, clock.clone());
    let (ticket, _) = core.admit();
    core.record(ticket.expect("closed admits"), CallResult::Failure, false);
    assert_eq!(core.state(), BreakerState::Open);
    // The shortest open period there is, over: the next call half-opens.
    clock.advance(Duration::from_millis(1));
    Arc::new(core)
}

fn count(transitions: &[Transition], from: BreakerState, to: BreakerState) -> usize {
    transitions
        .iter()
        .filter(|t| t.from == from && t.to == to)
        .count()
}

/// Two probes race for one permit; each runs, and succeeds or fails.
#[test]
fn one_permit_two_probers() {
    for outcomes in [
        [CallResult::Success, CallResult::Success],
        [CallResult::Success, CallResult::Failure],
        [CallResult::Failure, CallResult::Failure],
    ] {
        explore(&format!("one_permit_two_probers {outcomes:?}"), move || {
            let core = half_open_after_one_failure(1, 1);
            let probes_running = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = outcomes
                .into_iter()
                .map(|outcome| {
                    let core = core.clone();
                    let probes_running = probes_running.clone();
                    thread::spawn(move || {
                        let (admitted, transition) = core.admit();
                        let mut transitions: Vec<Transition> = transition.into_iter().collect();
                        if let Ok(ticket) = admitted {
                            if ticket.state() == BreakerState::HalfOpen {
                                let running = probes_running.fetch_add(1, Ordering::SeqCst) + 1;
                                assert!(running <= 1, "{running} probes with one permit");
                                probes_running.fetch_sub(1, Ordering::SeqCst);
                            }
                            transitions.extend(core.record(ticket, outcome, false));
                        }
                        transitions
                    })
                })
                .collect();
            let transitions: Vec<Transition> = handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect();

            use BreakerState::{Closed, HalfOpen, Open};
            let opened_for_probes = count(&transitions, Open, HalfOpen);
            assert!((1..=2).contains(&opened_for_probes), "{transitions:?}");
            // Every half-open period ends at most once.
            let ended = count(&transitions, HalfOpen, Closed) + count(&transitions, HalfOpen, Open);
            assert!(ended <= opened_for_probes, "{transitions:?}");
            if core.state() == HalfOpen {
                assert_eq!(
                    core.probes_in_flight(),
                    0,
                    "a finished probe kept its permit"
                );
            }
        });
    }
}

/// Two failures cross the consecutive threshold together: exactly one opens the breaker.
#[test]
fn concurrent_failures_open_once() {
    explore("concurrent_failures_open_once", || {
        let config = BreakerConfig::new().consecutive_failures(2).min_calls(100);
        let core = Arc::new(BreakerCore::new(
            config,
            std::sync::Arc::new(ManualClock::new()),
        ));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let core = core.clone();
                thread::spawn(move || {
                    let (ticket, _) = core.admit();
                    core.record(ticket.expect("closed"), CallResult::Failure, false)
                })
            })
            .collect();
        let opened = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .count();
        assert_eq!(opened, 1);
        assert_eq!(core.state(), BreakerState::Open);
    });
}

/// A probe that is cancelled gives its permit back while another thread competes for it.
#[test]
fn cancelled_probe_returns_its_permit() {
    explore("cancelled_probe_returns_its_permit", || {
        let core = half_open_after_one_failure(1, 2);
        let (first, _) = core.admit();
        let first = first.expect("first probe");
        let other = {
            let core = core.clone();
            thread::spawn(move || {
                let (admitted, _) = core.admit();
                if let Ok(ticket) = admitted {
                    core.release(ticket);
                }
            })
        };
        core.release(first);
        other.join().unwrap();
        assert_eq!(core.state(), BreakerState::HalfOpen);
        assert_eq!(core.probes_in_flight(), 0, "a permit leaked");
    });
}
