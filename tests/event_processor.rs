//! The event processor: each event validated against its type's rules, tracked, retried and
//! passed through its breaker; unknown types counted, logged, published and reported; and the
//! tokio mpsc example, run as a user runs it, accounting for every event it sent.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use coord::{
    breaker::BreakerConfig,
    events::{EventError, EventHandler, EventProcessor},
    validation::{FieldSpec, FieldType, RuleSetSpec},
};
use support::retry_policy::quick;
use support::runtime::current_thread;
use support::test_recorder;

#[derive(Debug, Clone, serde::Serialize)]
struct Shipment {
    id: u32,
    weight: f64,
}

#[derive(Debug, thiserror::Error)]
#[error("carrier timeout for shipment {0}")]
struct CarrierTimeout(u32);

#[test]
fn events_are_validated_tracked_retried_and_unknown_types_are_reported() {
    let recorder = test_recorder::global();
    coord::validation::register_rule_set(
        "events_test.shipment",
        &RuleSetSpec::new()
            .require("id")
            .field("weight", FieldSpec::of(FieldType::Number).range(0.1, 30.0)),
    )
    .expect("rules");
    let handled = Arc::new(AtomicU32::new(0));
    let attempts = Arc::new(AtomicU32::new(0));
    let mut processor = EventProcessor::new("events_test");
    let count = Arc::clone(&handled);
    let tries = Arc::clone(&attempts);
    processor.register(
        EventHandler::new("shipment.sent", move |shipment: Shipment| {
            count.fetch_add(1, Ordering::SeqCst);
            // Shipment 13's carrier never answers; shipment 7's (the second attempt of the
            // test) answers on its second try.
            let attempt = tries.fetch_add(1, Ordering::SeqCst);
            async move {
                match shipment.id {
                    13 => Err(CarrierTimeout(13)),
                    7 if attempt == 1 => Err(CarrierTimeout(7)),
                    _ => Ok(()),
                }
            }
        })
        .rules("events_test.shipment")
        .retry(quick(2)),
    );
    assert_eq!(processor.event_types(), ["shipment.sent"]);

    let results = current_thread().block_on(async {
        let mut results = Vec::new();
        for (event_type, id, weight) in [
            ("shipment.sent", 1, 2.0),
            ("shipment.sent", 7, 2.0),
            ("shipment.sent", 2, 99.0),
            ("shipment.sent", 13, 1.0),
            ("shipment.lost", 3, 1.0),
            ("shipment.lost", 4, 1.0),
            ("parcel.eaten", 5, 1.0),
        ] {
            results.push(processor.process(event_type, Shipment { id, weight }).await);
        }
        results
    });
    assert!(results[0].is_ok());
    assert!(results[1].is_ok(), "retried: {:?}", results[1]);
    match &results[2] {
        Err(EventError::Invalid(result)) => {
            assert_eq!(result.errors[0].path, "weight");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    match &results[3] {
        Err(EventError::Handler(err)) => {
            assert_eq!(err.to_string(), "carrier timeout for shipment 13");
        }
        other => panic!("expected the handler's error, got {other:?}"),
    }
    for unknown in &results[4..] {
        assert!(
            matches!(unknown, Err(EventError::UnknownType { processor, .. }) if processor == "events_test"),
            "{unknown:?}"
        );
    }
    // Runs: 1, 7 twice, 13 three times; the invalid event never reached the handler.
    assert_eq!(handled.load(Ordering::SeqCst), 6);

    let stats = coord::tracking::operation_stats();
    let sent = stats
        .iter()
        .find(|s| s.operation == "events_test.shipment.sent")
        .expect("tracked");
    assert_eq!((sent.calls.ok, sent.calls.error), (2, 1));
    let retries = coord::retry::retry_stats();
    let sent = retries
        .iter()
        .find(|s| s.operation == "events_test.shipment.sent")
        .expect("retried");
    assert_eq!(
        (
            sent.successful_without_retry,
            sent.successful_with_retry,
            sent.failed_with_retry,
            sent.retries
        ),
        (1, 1, 1, 3)
    );

    let report = coord::report();
    let unknown = report
        .unknown_events
        .iter()
        .find(|r| r.processor == "events_test")
        .expect("reported");
    assert_eq!(unknown.unknown, 3);
    assert_eq!(
        unknown.types,
        [
            ("shipment.lost".to_owned(), 2),
            ("parcel.eaten".to_owned(), 1)
        ]
    );
    assert!(report.to_string().contains("`shipment.lost` ×2"));
    assert_eq!(
        recorder.counters_named("coord_events_unknown_total")[r#"coord_events_unknown_total{processor="events_test"}"#],
        3
    );
}

#[test]
fn a_handler_behind_an_open_breaker_is_refused_without_running() {
    let breaker = coord::breaker::register_breaker(
        "events_test.carrier",
        BreakerConfig::new().consecutive_failures(2),
        Arc::new(coord::clock::SystemClock),
    )
    .expect("breaker");
    let runs = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&runs);
    let mut processor = EventProcessor::new("events_breaker_test");
    processor.register(
        EventHandler::new("shipment.sent", move |_: Shipment| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), _>(CarrierTimeout(0)) }
        })
        .retry(quick(0))
        .circuit_breaker(breaker),
    );
    let results = current_thread().block_on(async {
        let mut results = Vec::new();
        for id in 0..4 {
            results.push(
                processor
                    .process("shipment.sent", Shipment { id, weight: 1.0 })
                    .await,
            );
        }
        results
    });
    assert!(matches!(results[0], Err(EventError::Handler(_))));
    assert!(matches!(results[1], Err(EventError::Handler(_))));
    for refused in &results[2..] {
        assert!(
            matches!(
                refused,
                Err(EventError::Coord(coord::Error::CircuitOpen { .. }))
            ),
            "{refused:?}"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(breaker.counts().rejected, 2);
}

#[test]
fn a_processor_is_shared_by_spawned_tasks() {
    let mut processor = EventProcessor::new("events_spawn_test");
    processor.register(EventHandler::new("tick", |_: u32| async {
        Ok::<(), CarrierTimeout>(())
    }));
    let processor = Arc::new(processor);
    let handled = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio")
        .block_on(async {
            let tasks: Vec<_> = (0..8)
                .map(|n| {
                    let processor = Arc::clone(&processor);
                    tokio::spawn(async move { processor.process("tick", n).await })
                })
                .collect();
            let mut handled = 0;
            for task in tasks {
                task.await.expect("task").expect("handled");
                handled += 1;
            }
            handled
        });
    assert_eq!(handled, 8);
}

#[test]
fn too_many_unknown_types_are_counted_together() {
    let processor: EventProcessor<u32> = EventProcessor::new("events_flood_test");
    current_thread().block_on(async {
        for n in 0..(coord::events::MAX_UNKNOWN_TYPES as u32 + 50) {
            let _ = processor.process(&format!("type.{n}"), n).await;
        }
    });
    let report = coord::events::unknown_events_report();
    let flood = report
        .iter()
        .find(|r| r.processor == "events_flood_test")
        .expect("reported");
    assert_eq!(flood.unknown, coord::events::MAX_UNKNOWN_TYPES as u64 + 50);
    assert_eq!(flood.types.len(), coord::events::MAX_UNKNOWN_TYPES + 1);
    assert_eq!(flood.types[0], (coord::events::OTHER_TYPES.to_owned(), 50));
}

#[test]
fn the_mpsc_example_accounts_for_every_event() {
    let output = Command::new(support::example::binary("event_processor", &[]))
        .args(["--events", "100"])
        .output()
        .expect("run examples/event_processor");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("events: 100 sent, 86 handled, 10 invalid, 4 unknown type, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("`order.refunded` ×4"), "{stdout}");
}
