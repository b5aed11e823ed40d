//! Events from a `tokio::mpsc` channel through a coord `EventProcessor`: each event type has a
//! handler, a rule set its payload must meet, retries and (for the ledger) a circuit breaker.
//! A producer sends a mix of good, invalid, flaky and unknown events; the consumer handles
//! them one by one and nothing is dropped silently: at the end every event is accounted for.
//!
//! ```text
//! cargo run --example event_processor -- --events 300
//! ```

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use coord::{
    Severity,
    events::{EventError, EventHandler, EventProcessor},
    retry::RetryPolicy,
    validation::{FieldSpec, FieldType, RuleSetSpec},
};

/// What the channel carries.
#[derive(Debug)]
struct Event {
    kind: &'static str,
    payload: Order,
}

#[derive(Debug, Clone, serde::Serialize)]
struct Order {
    order_id: u64,
    amount: i64,
}

#[derive(Debug)]
struct LedgerBusy;

impl std::fmt::Display for LedgerBusy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the ledger is busy")
    }
}

impl std::error::Error for LedgerBusy {}

/// The event a producer sends as its `n`th: mostly orders created and paid; every 10th has a
/// negative amount (invalid), every 25th a type nobody handles.
fn nth_event(n: u64) -> Event {
    let kind = match n % 25 {
        0 => "order.refunded",
        k if k % 2 == 0 => "order.created",
        _ => "order.paid",
    };
    let amount = if n % 10 == 3 {
        -5
    } else {
        10 + (n % 90) as i64
    };
    Event {
        kind,
        payload: Order {
            order_id: n,
            amount,
        },
    }
}

fn processor(
    ledger_attempts: Arc<AtomicU64>,
) -> Result<EventProcessor<Order>, coord::validation::RulesError> {
    coord::validation::register_rule_set(
        "order_event",
        &RuleSetSpec::new().require("order_id").field(
            "amount",
            FieldSpec::of(FieldType::Integer).range(1.0, 10_000.0),
        ),
    )?;
    let quick_retries = RetryPolicy::for_severity(Severity::Medium)
        .max_retries(2)
        .base_delay(Duration::from_millis(1));
    let mut processor = EventProcessor::new("orders");
    processor
        .register(
            EventHandler::new("order.created", |_order: Order| async {
                Ok::<(), LedgerBusy>(())
            })
            .rules("order_event"),
        )
        .register(
            EventHandler::new("order.paid", move |order: Order| {
                // Every 7th order's payment may meet a busy ledger (on even ledger calls) and is
                // retried.
                let attempt = ledger_attempts.fetch_add(1, Ordering::Relaxed);
                async move {
                    if order.order_id.is_multiple_of(7) && attempt.is_multiple_of(2) {
                        Err(LedgerBusy)
                    } else {
                        Ok(())
                    }
                }
            })
            .rules("order_event")
            .retry(quick_retries)
            .circuit_breaker(coord::breaker("ledger")),
        );
    Ok(processor)
}

#[derive(Default, Debug)]
struct Tally {
    handled: u64,
    invalid: u64,
    unknown: u64,
    failed: u64,
}

async fn run(events: u64) -> Result<Tally, coord::validation::RulesError> {
    let processor = processor(Arc::new(AtomicU64::new(0)))?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Event>(64);
    let producer = tokio::spawn(async move {
        for n in 1..=events {
            if sender.send(nth_event(n)).await.is_err() {
                break; // the consumer is gone
            }
        }
    });
    let mut tally = Tally::default();
    while let Some(event) = receiver.recv().await {
        match processor.process(event.kind, event.payload).await {
            Ok(()) => tally.handled += 1,
            Err(EventError::Invalid(_)) => tally.invalid += 1,
            Err(EventError::UnknownType { .. }) => tally.unknown += 1,
            Err(err) => {
                eprintln!("event failed: {err}");
                tally.failed += 1;
            }
        }
    }
    let _ = producer.await;
    Ok(tally)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let events = match (args.next().as_deref(), args.next()) {
        (None, _) => 200,
        (Some("--events"), Some(n)) => match n.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("event_processor: --events expects a whole number, got `{n}`");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!("usage: event_processor [--events N (default 200)]");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("event_processor: cannot start tokio: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(events)) {
        Ok(tally) => {
            println!(
                "events: {events} sent, {} handled, {} invalid, {} unknown type, {} failed",
                tally.handled, tally.invalid, tally.unknown, tally.failed
            );
            print!("{}", coord::report());
            if tally.handled + tally.invalid + tally.unknown + tally.failed == events {
                ExitCode::SUCCESS
            } else {
                eprintln!("event_processor: some events are not accounted for");
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("event_processor: {err}");
            ExitCode::FAILURE
        }
    }
}
