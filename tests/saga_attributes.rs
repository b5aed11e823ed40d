//! `#[saga]` and `#[step]` through the public API: a saga runs its steps and logs them,
//! compensates in reverse with the logged inputs and outputs, honours pivots, retries and
//! timeouts, answers a repeated id from the log, is found by name for recovery without any
//! registration call, and shows in the report and `/health` when a compensation keeps failing.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use coord::saga::{SagaContext, SagaEngine, SagaError, StepKey};
use coord::store::{AnyStore, CoordinationStore, NewStep, RunState, StepState};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
enum ShopError {
    #[error("declined: {0}")]
    Declined(String),
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Saga(#[from] SagaError),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
    sku: String,
    quantity: u32,
    cents: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reservation {
    sku: String,
    units: u32,
}

/// What the steps and compensations did, in order, per order id.
static JOURNAL: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn journal(entry: String) {
    JOURNAL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(entry);
}

/// The journal's entries for one order, in order.
fn entries(order: &str) -> Vec<String> {
    JOURNAL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|entry| entry.contains(order))
        .cloned()
        .collect()
}

/// Every test runs on one engine, on a SQLite file of this run's own (in cargo's test
/// scratch directory under `target/`), installed once per process.
async fn engine() -> &'static SagaEngine {
    static INSTALL: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALL
        .get_or_init(|| async {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
                "coord-saga-attributes-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_nanos())
            ));
            let store = AnyStore::open(&format!("sqlite://{}/log.db", dir.display()))
                .await
                .expect("the store opens");
            coord::saga::install_engine(
                SagaEngine::new(store)
                    .lease(Duration::from_millis(300))
                    .compensation_retries(3, Duration::from_millis(5)),
            )
            .expect("installed before any saga runs");
        })
        .await;
    coord::saga::engine().await.expect("installed")
}

#[coord::saga(name = "attr.place_order")]
async fn place_order(saga: SagaContext, order: &Order, note: &str) -> Result<String, ShopError> {
    let reservation = reserve_stock(&saga, order).await?;
    let receipt = charge_card(&saga, &order.id, order.cents).await?;
    ship(&saga, order, &reservation).await?;
    notify(&saga, order).await?;
    Ok(format!("{receipt} {note}"))
}

#[coord::step(compensate = release_stock)]
async fn reserve_stock(key: StepKey, order: &Order) -> Result<Reservation, ShopError> {
    journal(format!("reserve {} {}", order.id, key));
    Ok(Reservation {
        sku: order.sku.clone(),
        units: order.quantity,
    })
}

async fn release_stock(
    key: StepKey,
    order: Order,
    reservation: Option<Reservation>,
) -> Result<(), ShopError> {
    let units = reservation.map_or_else(|| "unknown".to_owned(), |r| r.units.to_string());
    journal(format!("release {} {units} {key}", order.id));
    Ok(())
}

/// Declines amounts over 1000; "busy" for amounts ending in 7 on the first two attempts.
#[coord::step(compensate = refund_card, retry(max_retries = 3, base_delay = "1ms", jitter = "none"))]
async fn charge_card(key: StepKey, order_id: &str, cents: u64) -> Result<String, ShopError> {
    static BUSY: AtomicU32 = AtomicU32::new(0);
    journal(format!("charge {order_id} {cents}"));
    if cents > 1000 {
        return Err(ShopError::Declined(format!("{cents} cents")));
    }
    if cents % 10 == 7 && BUSY.fetch_add(1, Ordering::SeqCst) < 2 {
        return Err(ShopError::Busy);
    }
    Ok(format!("receipt-{key}"))
}

async fn refund_card(
    _key: StepKey,
    order_id: String,
    cents: u64,
    receipt: Option<String>,
) -> Result<(), ShopError> {
    journal(format!("refund {order_id} {cents} {}", receipt.is_some()));
    Ok(())
}

#[coord::step(pivot)]
async fn ship(key: StepKey, order: &Order, reservation: &Reservation) -> Result<(), ShopError> {
    journal(format!("ship {} {} {key}", order.id, reservation.units));
    if order.sku == "fragile" {
        return Err(ShopError::Declined("the carrier refused".to_owned()));
    }
    Ok(())
}

/// Fails for the sku "loud": after the pivot, so nothing is compensated.
#[coord::step(no_compensation)]
async fn notify(_key: StepKey, order: &Order) -> Result<(), ShopError> {
    journal(format!("notify {}", order.id));
    if order.sku == "loud" {
        return Err(ShopError::Declined("the mailer is down".to_owned()));
    }
    Ok(())
}

fn order(id: &str, sku: &str, cents: u64) -> Order {
    Order {
        id: id.to_owned(),
        sku: sku.to_owned(),
        quantity: 2,
        cents,
    }
}

#[tokio::test]
async fn a_saga_runs_its_steps_and_a_repeated_id_answers_from_the_log() {
    let engine = engine().await;
    let order = order("ord-ok", "tea", 500);
    let receipt = place_order("run-ok", &order, "thanks").await.unwrap();
    assert_eq!(receipt, "receipt-run-ok/charge_card/1 thanks");
    assert_eq!(
        entries("ord-ok"),
        [
            "reserve ord-ok run-ok/reserve_stock/0",
            "charge ord-ok 500",
            "ship ord-ok 2 run-ok/ship/2",
            "notify ord-ok",
        ]
    );
    // The same id again: the first result, nothing runs.
    assert_eq!(
        place_order("run-ok", &order, "thanks").await.unwrap(),
        receipt
    );
    assert_eq!(entries("ord-ok").len(), 4);
    let _ = engine;
}

#[tokio::test]
async fn a_failed_step_compensates_the_done_steps_last_first_with_their_logged_values() {
    let _ = engine().await;
    let order = order("ord-declined", "tea", 5000);
    let error = place_order("run-declined", &order, "").await.unwrap_err();
    assert!(matches!(error, ShopError::Declined(_)), "{error}");
    assert_eq!(
        entries("ord-declined"),
        [
            "reserve ord-declined run-declined/reserve_stock/0",
            // Declined is retried like any error: four attempts, then the saga fails.
            "charge ord-declined 5000",
            "charge ord-declined 5000",
            "charge ord-declined 5000",
            "charge ord-declined 5000",
            // The failed charge took no effect; the reservation is released with its output.
            "release ord-declined 2 run-declined/reserve_stock/0",
        ]
    );
    // Starting it again reports how it ended.
    let again = place_order("run-declined", &order, "").await.unwrap_err();
    assert!(
        matches!(again, ShopError::Saga(SagaError::Compensated { .. })),
        "{again}"
    );
}

#[tokio::test]
async fn a_step_is_retried_inside_one_logged_step() {
    let _ = engine().await;
    let order = order("ord-busy", "tea", 17);
    place_order("run-busy", &order, "").await.unwrap();
    let charges = entries("ord-busy")
        .iter()
        .filter(|entry| entry.starts_with("charge"))
        .count();
    assert_eq!(charges, 3, "two busy attempts, then paid");
    let logged = engine()
        .await
        .store()
        .load_run("run-busy")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(logged.state, RunState::Completed);
    assert_eq!(
        logged.steps.len(),
        4,
        "one logged step however many attempts"
    );
}

#[tokio::test]
async fn a_failure_after_the_pivot_is_not_compensated() {
    let _ = engine().await;
    let order = order("ord-loud", "loud", 300);
    let error = place_order("run-loud", &order, "").await.unwrap_err();
    assert!(matches!(error, ShopError::Declined(_)));
    assert_eq!(
        entries("ord-loud"),
        [
            "reserve ord-loud run-loud/reserve_stock/0",
            "charge ord-loud 300",
            "ship ord-loud 2 run-loud/ship/2",
            "notify ord-loud",
        ]
    );
    let run = engine()
        .await
        .store()
        .load_run("run-loud")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.state, RunState::Failed);
}

#[tokio::test]
async fn a_failed_pivot_was_not_passed_so_the_steps_before_it_are_compensated() {
    let _ = engine().await;
    let order = order("ord-fragile", "fragile", 300);
    let error = place_order("run-fragile", &order, "").await.unwrap_err();
    assert!(matches!(error, ShopError::Declined(_)));
    assert_eq!(
        entries("ord-fragile"),
        [
            "reserve ord-fragile run-fragile/reserve_stock/0",
            "charge ord-fragile 300",
            "ship ord-fragile 2 run-fragile/ship/2",
            "refund ord-fragile 300 true",
            "release ord-fragile 2 run-fragile/reserve_stock/0",
        ]
    );
}

#[coord::saga]
async fn slow_order(saga: SagaContext, order: Order) -> Result<(), ShopError> {
    reserve_stock(&saga, &order).await?;
    slow_step(&saga, order.id.clone()).await
}

#[coord::step(compensate = undo_slow_step, timeout = "50ms")]
async fn slow_step(_key: StepKey, order_id: String) -> Result<(), ShopError> {
    journal(format!("slow {order_id} started"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    journal(format!("slow {order_id} finished"));
    Ok(())
}

async fn undo_slow_step(
    key: StepKey,
    order_id: String,
    output: Option<()>,
) -> Result<(), ShopError> {
    journal(format!("undo slow {order_id} {key} {output:?}"));
    Ok(())
}

#[tokio::test]
async fn a_step_past_its_timeout_counts_as_unknown_and_is_compensated_by_its_key() {
    let _ = engine().await;
    let error = slow_order("run-slow", order("ord-slow", "tea", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ShopError::Saga(SagaError::StepTimedOut { ref step, .. }) if step == "slow_step"),
        "{error}"
    );
    assert_eq!(
        entries("ord-slow"),
        [
            "reserve ord-slow run-slow/reserve_stock/0",
            "slow ord-slow started",
            "undo slow ord-slow run-slow/slow_step/1 None",
            "release ord-slow 2 run-slow/reserve_stock/0",
        ]
    );
}

#[tokio::test]
async fn recovery_finds_a_declared_saga_by_name_and_resumes_it_from_its_log() {
    let engine = engine().await;
    let store = engine.store();
    // What a process that crashed after reserving (intent and output logged) left behind.
    let order = order("ord-crashed", "tea", 250);
    let input = serde_json::to_string(&(&order, "resumed")).unwrap();
    store
        .start_run(
            "run-crashed",
            "attr.place_order",
            &input,
            "a-dead-process",
            Duration::ZERO,
        )
        .await
        .unwrap();
    let reserved = NewStep {
        seq: 0,
        step: "reserve_stock",
        key: "run-crashed/reserve_stock/0",
        input: &serde_json::to_string(&(&order,)).unwrap(),
    };
    store.record_intent("run-crashed", &reserved).await.unwrap();
    store
        .finish_step(
            "run-crashed",
            0,
            StepState::Done,
            Some(r#"{"sku":"tea","units":2}"#),
        )
        .await
        .unwrap();

    let recovered = coord::recover().await.unwrap();
    assert!(recovered.completed >= 1, "{recovered:?}");
    // The reservation is answered from the log; the rest runs once.
    assert_eq!(
        entries("ord-crashed"),
        [
            "charge ord-crashed 250",
            "ship ord-crashed 2 run-crashed/ship/2",
            "notify ord-crashed",
        ]
    );
    // The output is the body's, with the logged input.
    assert_eq!(
        place_order("run-crashed", &order, "resumed").await.unwrap(),
        "receipt-run-crashed/charge_card/1 resumed"
    );
}

#[coord::saga(name = "attr.stuck_order")]
async fn stuck_order(saga: SagaContext, order_id: String) -> Result<(), ShopError> {
    hold_room(&saga, &order_id).await?;
    Err(ShopError::Declined("no flights".to_owned()))
}

static ROOM_RELEASES_FAIL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

#[coord::step(compensate = release_room)]
async fn hold_room(_key: StepKey, order_id: &str) -> Result<u32, ShopError> {
    journal(format!("hold {order_id}"));
    Ok(12)
}

async fn release_room(_key: StepKey, order_id: String, room: Option<u32>) -> Result<(), ShopError> {
    if ROOM_RELEASES_FAIL.load(Ordering::SeqCst) {
        return Err(ShopError::Busy);
    }
    journal(format!("release room {order_id} {room:?}"));
    Ok(())
}

#[tokio::test]
async fn a_compensation_that_keeps_failing_degrades_health_until_an_operator_retries_it() {
    let engine = engine().await;
    let exporter = coord::prometheus().install().unwrap();
    let error = stuck_order("run-stuck", "ord-stuck".to_owned())
        .await
        .unwrap_err();
    assert!(matches!(error, ShopError::Declined(_)));
    let run = engine.store().load_run("run-stuck").await.unwrap().unwrap();
    assert_eq!(run.state, RunState::CompensationFailed);

    let report = coord::report();
    let row = report
        .sagas
        .iter()
        .find(|row| row.saga == "attr.stuck_order")
        .expect("a saga row");
    assert_eq!(row.awaiting_operator, ["run-stuck"]);
    assert_eq!(row.compensation_failed, 1);
    assert_eq!(report.overall, coord::report::HealthStatus::Degraded);
    assert!(report.to_string().contains("run-stuck"), "{report}");
    let health = exporter.endpoint("/health").unwrap();
    assert_eq!(health.status, 200, "degraded still serves");
    assert!(
        health.body.contains(r#""status":"degraded""#),
        "{}",
        health.body
    );
    assert!(health.body.contains("run-stuck"), "{}", health.body);

    // The operator fixes the cause and retries: the run ends compensated, health recovers.
    ROOM_RELEASES_FAIL.store(false, Ordering::SeqCst);
    assert_eq!(
        engine.retry_compensation("run-stuck").await.unwrap(),
        RunState::Compensated
    );
    assert_eq!(
        entries("ord-stuck"),
        ["hold ord-stuck", "release room ord-stuck Some(12)"]
    );
    let row = coord::report()
        .sagas
        .into_iter()
        .find(|row| row.saga == "attr.stuck_order")
        .expect("a saga row");
    assert!(row.awaiting_operator.is_empty());
    let health = exporter.endpoint("/health").unwrap();
    assert!(!health.body.contains("run-stuck"), "{}", health.body);
}

/// Charges, then (wrongly) reserves: a compensable step after the pivot.
#[coord::saga(name = "attr.misordered")]
async fn misordered(saga: SagaContext, order: Order) -> Result<(), ShopError> {
    ship(
        &saga,
        &order,
        &Reservation {
            sku: order.sku.clone(),
            units: 1,
        },
    )
    .await?;
    reserve_stock(&saga, &order).await?;
    Ok(())
}

#[tokio::test]
async fn a_compensable_step_after_the_pivot_fails_the_run_when_reached() {
    let engine = engine().await;
    let error = misordered("run-misordered", order("ord-misordered", "tea", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ShopError::Saga(SagaError::CompensableAfterPivot { ref step, ref pivot })
                if step == "reserve_stock" && pivot == "ship"
        ),
        "{error}"
    );
    // The reservation never ran; past the pivot nothing is compensated.
    assert_eq!(
        entries("ord-misordered"),
        ["ship ord-misordered 1 run-misordered/ship/0"]
    );
    let run = engine
        .store()
        .load_run("run-misordered")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.state, RunState::Failed);
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_step_and_compensation_is_traced_with_its_saga_run_and_step() {
    let _ = engine().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // For the whole process (the other tests' lines are told apart by their run ids): a
    // subscriber scoped to this thread would miss call sites other threads met first.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let _ = place_order("run-traced", &order("ord-traced", "tea", 2000), "").await;
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("run-traced"))
        .collect();
    let has = |level: &str, message: &str, step: &str| {
        lines.iter().any(|line| {
            line.contains(level)
                && line.contains(message)
                && line.contains(&format!("step=\"{step}\""))
        })
    };
    assert!(has("DEBUG", "saga step done", "reserve_stock"), "{text}");
    assert!(has("INFO", "saga step failed", "charge_card"), "{text}");
    assert!(
        has("INFO", "saga step compensated", "reserve_stock"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("saga run ended") && line.contains("outcome=\"compensated\"")),
        "{text}"
    );
}
