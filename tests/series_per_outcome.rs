//! The exact series one call of each outcome emits, read from a test recorder.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use support::test_recorder;

#[coord::track_performance]
fn returns_ok() -> Result<u8, String> {
    Ok(1)
}

#[coord::track_performance]
fn returns_err() -> Result<u8, String> {
    Err("no".to_owned())
}

#[coord::track_performance]
fn panics() -> u8 {
    panic!("boom")
}

#[coord::track_performance]
async fn never_finishes() -> u8 {
    std::future::pending::<()>().await;
    1
}

fn series(operation: &str, ok: u64, error: u64, panic: u64, cancelled: u64) -> Vec<(String, u64)> {
    [
        ("ok", ok),
        ("error", error),
        ("panic", panic),
        ("cancelled", cancelled),
        ("refused", 0),
    ]
    .into_iter()
    .map(|(outcome, count)| {
        (
            format!(
                "coord_operation_calls_total{{operation=\"{operation}\",outcome=\"{outcome}\"}}"
            ),
            count,
        )
    })
    .collect()
}

fn assert_one_call(operation: &str, expected_counts: Vec<(String, u64)>) {
    let recorder = test_recorder::global();
    let mut counters: Vec<(String, u64)> = recorder.counters(operation).into_iter().collect();
    let mut expected = expected_counts;
    counters.sort();
    expected.sort();
    assert_eq!(counters, expected, "calls of {operation}");
    assert_eq!(
        recorder.gauges(operation).into_iter().collect::<Vec<_>>(),
        vec![(
            format!("coord_operation_in_flight{{operation=\"{operation}\"}}"),
            0.0
        )],
        "in flight of {operation}"
    );
    let histograms = recorder.histograms(operation);
    let durations =
        &histograms[&format!("coord_operation_duration_seconds{{operation=\"{operation}\"}}")];
    assert_eq!(durations.len(), 1, "one duration sample for {operation}");
    assert!(durations[0] >= 0.0 && durations[0] < 5.0, "{durations:?}");
    assert_eq!(histograms.len(), 1);
}

#[test]
fn ok_emits_one_ok_and_zeroes_for_the_other_outcomes() {
    test_recorder::global();
    assert_eq!(returns_ok(), Ok(1));
    assert_one_call("returns_ok", series("returns_ok", 1, 0, 0, 0));
}

#[test]
fn err_is_an_error_outcome() {
    test_recorder::global();
    assert!(returns_err().is_err());
    assert_one_call("returns_err", series("returns_err", 0, 1, 0, 0));
}

#[test]
fn panic_is_recorded_and_propagates_unchanged() {
    test_recorder::global();
    let payload = std::panic::catch_unwind(panics).expect_err("the panic propagates");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    assert_one_call("panics", series("panics", 0, 0, 1, 0));
}

#[test]
fn dropped_future_is_cancelled_and_leaves_nothing_in_flight() {
    let recorder = test_recorder::global();
    {
        let mut future = pin!(never_finishes());
        let mut context = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut context).is_pending());
        let in_flight = recorder.gauges("never_finishes");
        assert_eq!(
            in_flight.values().copied().collect::<Vec<_>>(),
            vec![1.0],
            "counted in flight while suspended"
        );
    }
    assert_one_call("never_finishes", series("never_finishes", 0, 0, 0, 1));
}

#[test]
fn an_unpolled_future_records_nothing() {
    let recorder = test_recorder::global();
    drop(never_finishes());
    // The body, and so the tracking, starts at the first poll: an unpolled future is no call.
    assert!(recorder.counters("never_finishes_unpolled").is_empty());
    #[coord::track_performance("never_finishes_unpolled")]
    async fn unpolled() {}
    drop(unpolled());
    assert!(recorder.counters("never_finishes_unpolled").is_empty());
}

#[test]
fn metrics_are_described_for_recorders_installed_by_coord_only() {
    // A foreign recorder installed by the user gets no descriptions from coord (that is the
    // exporter's job, see tests/prometheus_export.rs); the series still arrive.
    #[coord::track_performance]
    fn described_elsewhere() {}
    let recorder = test_recorder::global();
    described_elsewhere();
    assert_eq!(recorder.counters("described_elsewhere").len(), 5);
    assert!(
        recorder
            .description("coord_operation_calls_total")
            .is_none()
    );
}
