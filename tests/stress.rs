//! Two threads drive each macro with a mix of `Ok`, `Err`, panics and (async) cancellations;
//! afterwards every count equals the calls actually made, per outcome, the in-flight gauges are
//! back to 0, the breaker's counts match what its callers saw, and it can still close (no
//! half-open permit was lost).
//!
//! `stress` runs in the normal suite in seconds; `stress_large` makes 50× the calls:
//! `cargo test --release --test stress -- --ignored`.

mod support;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, Once};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use serde::Serialize;
use support::test_recorder;

#[derive(Debug)]
enum Fail {
    Bad,
    Coord(coord::Error),
}

impl From<coord::Error> for Fail {
    fn from(err: coord::Error) -> Self {
        Fail::Coord(err)
    }
}

/// What call `i` does: panic (1 in 53), fail (1 in 7), or succeed.
fn act(i: u64) -> Result<u64, Fail> {
    if i.is_multiple_of(53) {
        panic!("stress: planned panic {i}");
    }
    if i.is_multiple_of(7) {
        Err(Fail::Bad)
    } else {
        Ok(i)
    }
}

#[coord::track_performance("stress.tracked")]
fn tracked(i: u64) -> Result<u64, Fail> {
    act(i)
}

/// Fails in bursts of 40 (one call in ten bursts), so the breaker opens, rejects, probes and
/// closes again many times while both threads call it.
#[coord::handle_errors(
    max_retries = 0,
    circuit_breaker(name = "stress.breaker", consecutive_failures = 5, open_for = "1ms")
)]
fn guarded(i: u64) -> Result<u64, Fail> {
    if i.is_multiple_of(53) {
        panic!("stress: planned panic {i}");
    }
    if (i / 40) % 10 == 9 {
        Err(Fail::Bad)
    } else {
        Ok(i)
    }
}

/// Every seventh call fails on every attempt and is retried twice.
#[coord::handle_errors(max_retries = 2, base_delay = "1us", jitter = "none")]
fn retried(i: u64) -> Result<u64, Fail> {
    if i.is_multiple_of(7) {
        Err(Fail::Bad)
    } else {
        Ok(i)
    }
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

const RULE_SET: &str = "stress_message";

#[coord::validate_input(rules = "stress_message", arg = message)]
fn validated(message: &Message<'_>) -> Result<(), Fail> {
    let _ = message;
    Ok(())
}

/// Pending on its first poll (waking itself), ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[coord::track_performance("stress.async")]
async fn tracked_async(i: u64) -> Result<u64, Fail> {
    YieldOnce(false).await;
    act(i)
}

/// What one thread saw, per outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Seen {
    ok: u64,
    error: u64,
    panic: u64,
    cancelled: u64,
    rejected: u64,
}

impl Seen {
    fn add(&mut self, other: Seen) {
        self.ok += other.ok;
        self.error += other.error;
        self.panic += other.panic;
        self.cancelled += other.cancelled;
        self.rejected += other.rejected;
    }

    fn count(&mut self, result: std::thread::Result<Result<u64, Fail>>) {
        match result {
            Ok(Ok(_)) => self.ok += 1,
            Ok(Err(Fail::Bad)) => self.error += 1,
            Ok(Err(Fail::Coord(coord::Error::CircuitOpen { .. }))) => self.rejected += 1,
            Ok(Err(Fail::Coord(other))) => panic!("unexpected coord error: {other}"),
            Err(_) => self.panic += 1,
        }
    }
}

/// Everything both threads saw, by path.
#[derive(Debug, Default)]
struct Totals {
    tracked: Seen,
    guarded: Seen,
    retried: Seen,
    tracked_async: Seen,
    valid: u64,
    invalid: u64,
}

/// Runs `calls` calls of every path on this thread, starting at `first`.
fn drive(first: u64, calls: u64) -> Totals {
    let mut totals = Totals::default();
    let mut cx = Context::from_waker(Waker::noop());
    for i in first..first + calls {
        totals.tracked.count(catch_unwind(|| tracked(i)));
        totals.guarded.count(catch_unwind(|| guarded(i)));
        totals.retried.count(catch_unwind(|| retried(i)));

        // Every third async call is dropped after its first poll: cancelled mid-flight.
        let mut future = Box::pin(tracked_async(i));
        assert!(future.as_mut().poll(&mut cx).is_pending());
        if i.is_multiple_of(3) {
            drop(future);
            totals.tracked_async.cancelled += 1;
        } else {
            let polled = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)));
            totals.tracked_async.count(polled.map(|poll| match poll {
                Poll::Ready(result) => result,
                Poll::Pending => panic!("YieldOnce is ready on its second poll"),
            }));
        }

        let text = if i.is_multiple_of(5) { "" } else { "hello" };
        if validated(&Message { text }).is_ok() {
            totals.valid += 1;
        } else {
            totals.invalid += 1;
        }
    }
    totals
}

/// One run at a time: the counts are process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

fn set_up() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Planned panics are counted, not printed.
        std::panic::set_hook(Box::new(|_| {}));
        let spec: coord::validation::RuleSetSpec = serde_yaml::from_str(
            "required_fields: [text]\nfield_validations:\n  text: {type: string, min_length: 1}\n",
        )
        .expect("the rule set parses");
        coord::validation::register_rule_set(RULE_SET, &spec).expect("the rule set compiles");
    });
    test_recorder::global();
}

/// The outcome counts of `operation` so far (zero before its first call).
fn outcomes(operation: &str) -> Seen {
    coord::tracking::operation_stats()
        .into_iter()
        .find(|stats| stats.operation == operation)
        .map_or_else(Seen::default, |stats| Seen {
            ok: stats.calls.ok,
            error: stats.calls.error,
            panic: stats.calls.panic,
            cancelled: stats.calls.cancelled,
            rejected: 0,
        })
}

/// `retried`'s retry counts so far: settled first time, settled after retrying, retries,
/// exhausted.
fn retry_counts() -> [u64; 4] {
    coord::retry::retry_stats()
        .into_iter()
        .find(|stats| stats.operation == "retried")
        .map_or([0; 4], |stats| {
            assert_eq!(stats.successful_with_retry + stats.failed_without_retry, 0);
            [
                stats.successful_without_retry,
                stats.failed_with_retry,
                stats.retries,
                stats.exhausted,
            ]
        })
}

fn since(after: Seen, before: Seen) -> Seen {
    Seen {
        ok: after.ok - before.ok,
        error: after.error - before.error,
        panic: after.panic - before.panic,
        cancelled: after.cancelled - before.cancelled,
        rejected: after.rejected - before.rejected,
    }
}

fn rule_set_counts() -> (u64, u64) {
    coord::validation::validation_report()
        .rule_sets
        .into_iter()
        .find(|report| report.rule_set == RULE_SET)
        .map_or((0, 0), |report| (report.validations, report.valid))
}

/// Drives `calls_per_thread` calls on each of two threads and checks every count.
fn run(calls_per_thread: u64) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    set_up();
    let breaker = coord::breaker("stress.breaker");
    // Counts are process-wide and another run may have come first: compare differences.
    let tracked_before = outcomes("stress.tracked");
    let async_before = outcomes("stress.async");
    let breaker_before = breaker.counts();
    let retry_before = retry_counts();
    let (validations_before, valid_before) = rule_set_counts();

    let totals: Vec<Totals> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..2)
            .map(|n| scope.spawn(move || drive(n * calls_per_thread, calls_per_thread)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a driver thread panicked"))
            .collect()
    });
    let mut all = Totals::default();
    for part in totals {
        all.tracked.add(part.tracked);
        all.guarded.add(part.guarded);
        all.retried.add(part.retried);
        all.tracked_async.add(part.tracked_async);
        all.valid += part.valid;
        all.invalid += part.invalid;
    }
    let calls = 2 * calls_per_thread;

    // Tracking: every call counted once, under the outcome its caller saw.
    assert_eq!(
        since(outcomes("stress.tracked"), tracked_before),
        all.tracked
    );
    assert_eq!(
        all.tracked.ok + all.tracked.error + all.tracked.panic,
        calls
    );
    assert!(all.tracked.panic > 0 && all.tracked.error > 0);
    assert_eq!(
        since(outcomes("stress.async"), async_before),
        all.tracked_async
    );
    assert!(all.tracked_async.cancelled > 0 && all.tracked_async.panic > 0);

    // The published series agree, and nothing is left in flight.
    coord::flush_metrics();
    let recorder = test_recorder::global();
    for operation in ["stress.tracked", "stress.async"] {
        let seen = outcomes(operation);
        let counters = recorder.counters(operation);
        for (outcome, expected) in [
            ("ok", seen.ok),
            ("error", seen.error),
            ("panic", seen.panic),
            ("cancelled", seen.cancelled),
        ] {
            let series = counters
                .iter()
                .find(|(name, _)| {
                    name.starts_with("coord_operation_calls_total")
                        && name.contains(&format!("outcome=\"{outcome}\""))
                })
                .map(|(_, value)| *value);
            assert_eq!(series, Some(expected), "{operation} outcome {outcome}");
        }
        let in_flight: Vec<f64> = recorder
            .gauges(operation)
            .into_iter()
            .filter(|(name, _)| name.starts_with("coord_operation_in_flight"))
            .map(|(_, value)| value)
            .collect();
        assert_eq!(in_flight, [0.0], "{operation} in flight");
    }

    // The breaker: its counts are what its callers saw; panics gave their permits back.
    let counts = breaker.counts();
    assert_eq!(
        (
            counts.successes - breaker_before.successes,
            counts.failures - breaker_before.failures,
            counts.rejected - breaker_before.rejected,
        ),
        (all.guarded.ok, all.guarded.error, all.guarded.rejected),
        "breaker counts against what callers saw: {all:?}"
    );
    assert_eq!(
        all.guarded.ok + all.guarded.error + all.guarded.rejected + all.guarded.panic,
        calls
    );
    assert!(
        all.guarded.rejected > 0,
        "the breaker opened during the run"
    );

    // No permit was lost: after its open time, successful probes close it again.
    std::thread::sleep(Duration::from_millis(5));
    let mut probes = 0;
    while breaker.state() != coord::breaker::BreakerState::Closed {
        assert!(
            probes < 1_000,
            "the breaker never closed: {}",
            breaker.state()
        );
        let _ = guarded(1);
        probes += 1;
        std::thread::sleep(Duration::from_millis(2));
    }

    // Retry: every call settled once, the failing ones after both retries.
    let retry = retry_counts();
    let retry: Vec<u64> = retry.iter().zip(retry_before).map(|(a, b)| a - b).collect();
    assert_eq!(
        retry,
        [
            all.retried.ok,
            all.retried.error,
            2 * all.retried.error,
            all.retried.error
        ]
    );

    // Validation: every call validated once.
    let (validations, valid) = rule_set_counts();
    assert_eq!(validations - validations_before, calls);
    assert_eq!(valid - valid_before, all.valid);
    assert_eq!(all.valid + all.invalid, calls);
}

#[test]
fn stress() {
    run(2_000);
}

#[test]
#[ignore = "large: run with `cargo test --release --test stress -- --ignored`"]
fn stress_large() {
    run(100_000);
}
