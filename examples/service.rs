//! The main job: a small order-processing service whose functions are annotated with coord,
//! driven by a workload for `--duration` seconds while `/metrics` is served for Prometheus.
//!
//! ```text
//! cargo run --release --example service -- --duration 15 --listen 127.0.0.1:9184
//! ```
//!
//! Orders go through `validate_order` (sync, rejects malformed orders), `charge_payment` (a flaky
//! remote dependency: slow, sometimes failing, each attempt cut at 18 ms and retried, at most 12
//! charges at once through the `payments` bulkhead, behind the `payments` circuit breaker; a
//! declined card is classified permanent, so it is neither retried nor held against the
//! breaker), `shipping_quote` (a carrier's rate API under a rate limit, whose slow answers are
//! cut at 6 ms and answered by a flat-rate fallback), `hand_to_courier` (a `Shipment` whose
//! rules sit on its fields, with a custom check and a rule across two fields) and `store_order`
//! (fast, and very rarely panics). `place_order` screens the order and tracks the whole request
//! (`#[coordinate_operation]`). From a third of the run until just
//! past its half, the payment provider is down: the breaker opens, rejects calls at once
//! instead of letting them time out, probes, and closes again when the provider is back.
//!
//! Each order is fulfilled by a durable saga (`fulfil_order`, logged in the coordination store:
//! the embedded SQLite file the shipped configuration names, or `--store postgres://…`):
//! reserve the stock, charge the payment, schedule the shipping. When the payment fails (the
//! outage) the reservation is released; when the shipping cannot be scheduled the payment is
//! refunded and the reservation released, last step first. The saga and its steps are
//! annotated functions (`#[saga]`, `#[step]`); `coord::init` resumes, in the background, the
//! runs a crash left unfinished.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coord::saga::{SagaContext, SagaError, StepKey};
use coord::{coordinate_operation, handle_errors, track_performance, validate_input};

const WORKERS: usize = 16;
/// Whether the payment provider is down (the workload toggles it).
static PAYMENTS_DOWN: AtomicBool = AtomicBool::new(false);

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Order {
    id: u64,
    customer: String,
    items: Vec<u32>,
    /// Free text from the client: untrusted.
    note: Option<String>,
}

/// The confirmation sent to the customer once an order is stored.
#[derive(Debug, serde::Serialize)]
struct Confirmation {
    content: String,
    user_id: String,
    timestamp: &'static str,
    priority: &'static str,
    /// Where it is posted; the rule set checks the channel's form.
    channel: Option<&'static str>,
    /// Links sent along (the rule set allows five URLs).
    attachments: Vec<String>,
    /// Who sends it, when not the shop itself (`sender.email` is a sensitive rule).
    sender: Option<Sender>,
}

/// The sender of a message.
#[derive(Debug, serde::Serialize)]
struct Sender {
    email: String,
}

/// Orders by id, shared by every worker.
type Store = Arc<Mutex<BTreeMap<u64, Order>>>;

#[derive(Debug)]
enum OrderError {
    Invalid(Box<coord::validation::ValidationResult>),
    PaymentDeclined,
    PaymentUnavailable,
    PaymentTimeout,
    PaymentRejected(coord::Error),
    NoCourier,
    StoreCrashed,
    /// The stock's lock was busy, lost, or its backend failed.
    StockLocked(coord::Error),
    /// The saga log failed, or the run diverged from it.
    Saga(String),
}

/// What the saga engine reports comes back as an `OrderError`: the payment step past its
/// budget as a timeout, anything else (the store failing, say) as a saga error.
impl From<SagaError> for OrderError {
    fn from(err: SagaError) -> Self {
        match err {
            SagaError::StepTimedOut { .. } => OrderError::PaymentTimeout,
            other => OrderError::Saga(other.to_string()),
        }
    }
}

/// Invalid input (from `#[validate_input]`) and calls the `payments` breaker refused (from
/// `#[handle_errors]`) come back as an `OrderError`.
impl From<coord::Error> for OrderError {
    fn from(err: coord::Error) -> Self {
        match err {
            coord::Error::Validation(result) => OrderError::Invalid(result),
            err @ (coord::Error::LockTimeout { .. }
            | coord::Error::LockLost { .. }
            | coord::Error::LockBackend { .. }
            | coord::Error::InvalidLock { .. }) => OrderError::StockLocked(err),
            coord::Error::Timeout { .. } => OrderError::PaymentTimeout,
            other => OrderError::PaymentRejected(other),
        }
    }
}

/// Which failures are the payment provider's answer and which are outages: a declined card is
/// permanent (not retried, never opens the `payments` breaker); an unavailable provider, a
/// timed-out attempt or a refused call are transient.
impl coord::Classify for OrderError {
    fn class(&self) -> coord::ErrorClass {
        match self {
            OrderError::PaymentUnavailable
            | OrderError::PaymentTimeout
            | OrderError::PaymentRejected(_) => coord::ErrorClass::Transient,
            _ => coord::ErrorClass::Permanent,
        }
    }
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::Invalid(result) => match result.errors.first() {
                Some(first) => write!(f, "invalid order: `{}` {}", first.rule_path(), first.code),
                None => f.write_str("invalid order"),
            },
            OrderError::PaymentDeclined => f.write_str("payment declined"),
            OrderError::PaymentUnavailable => f.write_str("payment provider unavailable"),
            OrderError::PaymentTimeout => f.write_str("payment timed out"),
            OrderError::PaymentRejected(err) => write!(f, "payment not attempted: {err}"),
            OrderError::NoCourier => f.write_str("no courier available"),
            OrderError::StoreCrashed => f.write_str("store crashed"),
            OrderError::StockLocked(err) => write!(f, "stock not reserved: {err}"),
            OrderError::Saga(err) => write!(f, "order saga: {err}"),
        }
    }
}

/// What the courier is handed once the shipping is quoted: its rules sit on its fields
/// (`#[derive(coord::Validate)]`), with a custom check named by path and a rule across two
/// fields; `hand_to_courier` names no rules, so the type's own apply.
#[derive(Debug, serde::Serialize, coord::Validate)]
#[rule(compare = ["deliver_by > ready_at"])]
struct Shipment {
    #[rule(type = "integer", min = 0)]
    order_id: u64,
    #[rule(type = "integer", min = 0, max = 100_000)]
    shipping_cents: u64,
    #[rule(check = carrier_code)]
    carrier: &'static str,
    #[rule(type = "datetime")]
    ready_at: &'static str,
    #[rule(type = "datetime")]
    deliver_by: &'static str,
}

/// A custom check: the carriers the shop ships with.
fn carrier_code(code: &str) -> Result<(), String> {
    match code {
        "dhl" | "ups" | "royal-mail" => Ok(()),
        other => Err(format!("`{other}` is not a carrier the shop ships with")),
    }
}

/// Books the courier for a shipment that passes its own rules.
#[validate_input(arg = shipment)]
fn hand_to_courier(shipment: &Shipment) -> Result<(), OrderError> {
    Ok(())
}

/// Sends the confirmation, checked by the `message` rule set of `rules/message.yaml`.
#[validate_input(rules = "message", arg = confirmation)]
fn notify_customer(confirmation: &Confirmation) -> Result<(), OrderError> {
    Ok(())
}

/// Rejects orders no payment should be attempted for, by the `order` rule set of
/// `rules/quality.yaml`; the body only runs for valid orders.
#[validate_input(rules = "order", arg = order)]
#[track_performance]
fn validate_order(order: &Order) -> Result<(), OrderError> {
    Ok(())
}

/// A remote payment provider: 2–20 ms, declines 8 % of charges (permanent: see `Classify`
/// above), fails 5 % transiently, and fails every call while it is down. An attempt still
/// running at 18 ms is cancelled and retried; at most 12 charges run at once (a 13th waits up
/// to 5 ms for a slot, then is refused); every attempt passes the `payments` breaker; the
/// tracking covers the whole call, retries included.
///
/// `max_retries` and `base_delay` come from `examples/config/coordination.yaml`, and so do
/// the `payments` breaker's options.
#[handle_errors(
    timeout = "18ms",
    max_delay = "10ms",
    jitter = "full",
    bulkhead(name = "payments", max_concurrent = 12, max_wait = "5ms"),
    circuit_breaker = "payments"
)]
#[track_performance(objective(success = 99.5, latency = "25ms", latency_percentile = 95))]
async fn charge_payment(order: &Order) -> Result<u64, OrderError> {
    tokio::time::sleep(Duration::from_millis(fastrand::u64(2..=20))).await;
    if PAYMENTS_DOWN.load(Ordering::Relaxed) || fastrand::u8(..100) < 5 {
        return Err(OrderError::PaymentUnavailable);
    }
    if fastrand::u8(..100) < 8 {
        return Err(OrderError::PaymentDeclined);
    }
    Ok(order.id * 7919)
}

/// A carrier's rate API: 1–8 ms. Its quota is 1 500 calls a second, 100 back to back; an
/// answer slower than 6 ms is cancelled, and a call the quota or the timeout refused is
/// answered by `flat_rate`.
#[handle_errors(
    timeout = "6ms",
    max_retries = 0,
    rate_limit(name = "carrier", per_second = 1500, burst = 100),
    fallback = flat_rate
)]
#[track_performance]
async fn shipping_quote(order: &Order) -> Result<u64, OrderError> {
    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=8))).await;
    Ok(400 + 150 * order.items.len() as u64)
}

/// The flat shipping rate, when the carrier cannot quote in time.
async fn flat_rate(_order: &Order, _error: OrderError) -> Result<u64, OrderError> {
    Ok(900)
}

/// The orders the in-memory store keeps: the latest ones, so a long run's memory stays flat
/// (the soak check in `benchmarks/soak.sh` watches it).
const KEPT_ORDERS: usize = 1_000;

/// An in-memory store of the latest orders; one write in 5 000 hits a "bug" and panics.
#[track_performance]
async fn store_order(store: Store, order: Order, unlucky: bool) -> Result<usize, OrderError> {
    tokio::time::sleep(Duration::from_micros(300)).await;
    assert!(
        !unlucky,
        "simulated store bug while writing order {}",
        order.id
    );
    let mut store = store.lock().map_err(|_| OrderError::StoreCrashed)?;
    store.insert(order.id, order);
    while store.len() > KEPT_ORDERS {
        store.pop_first();
    }
    Ok(store.len())
}

/// One request end to end: the order is first screened by the `untrusted_input` rule set of
/// `rules/security.yaml` (markup, script, SQL injection), then the whole request is tracked.
#[coordinate_operation(
    name = "place_order",
    validate(rules = "untrusted_input", arg = order),
    objective(success = 99, latency = "250ms")
)]
async fn place_order(store: Store, order: Order, rng_seed: u64) -> Result<u64, OrderError> {
    validate_order(&order)?;
    let shipping = shipping_quote(&order).await?;
    hand_to_courier(&Shipment {
        order_id: order.id,
        shipping_cents: shipping,
        carrier: ["dhl", "ups", "royal-mail"][usize::try_from(order.id % 3).unwrap_or(0)],
        ready_at: "2026-12-07T09:00:00+01:00",
        deliver_by: "2026-12-09T18:00:00Z",
    })?;
    let payment = fulfil_order(&run_id(order.id), &order).await?;
    let unlucky = fastrand::Rng::with_seed(rng_seed ^ 0x5eed).u32(..5_000) == 0;
    let id = order.id;
    let handle = tokio::spawn(store_order(Arc::clone(&store), order, unlucky));
    match handle.await {
        Ok(stored) => stored?,
        Err(_) => return Err(OrderError::StoreCrashed),
    };
    notify_customer(&Confirmation {
        content: format!("Order {id} is confirmed, payment {payment}, shipping {shipping}."),
        user_id: format!("00000000-0000-4000-8000-{id:012x}"),
        timestamp: "2026-11-28T19:41:09Z",
        priority: "normal",
        channel: Some("#orders"),
        attachments: vec![format!("https://shop.example/orders/{id}")],
        sender: None,
    })?;
    Ok(payment)
}

/// Stock reserved and not released, charges not refunded, and compensations made: what the
/// saga's steps and compensations did, to print at the end.
static RESERVED: AtomicU64 = AtomicU64::new(0);
static RELEASED: AtomicU64 = AtomicU64::new(0);
static CHARGED: AtomicU64 = AtomicU64::new(0);
static REFUNDED: AtomicU64 = AtomicU64::new(0);

/// The saga run id of an order: unique to this process's run, since the log outlives it.
fn run_id(order: u64) -> String {
    static RUN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        format!("{}-{nanos:x}", std::process::id())
    });
    format!("order-{run}-{order}")
}

/// The order saga: reserve the stock, charge the payment, schedule the shipping. Each step is
/// logged before and after it runs; a failure compensates the steps done, last first; a
/// crash is resumed by `coord::init`'s recovery on the next start.
#[coord::saga]
async fn fulfil_order(saga: SagaContext, order: &Order) -> Result<u64, OrderError> {
    reserve_stock(&saga, order).await?;
    let payment = take_payment(&saga, order).await?;
    schedule_shipping(&saga, order.id).await?;
    Ok(payment)
}

/// Holds the order's items; released by `release_stock` if the saga fails later.
#[coord::step(compensate = release_stock)]
async fn reserve_stock(_key: StepKey, order: &Order) -> Result<usize, OrderError> {
    // The first item is the order's SKU: 20 hot SKUs, so orders contend for their locks.
    hold_stock(
        order.items.first().map_or(0, |item| item % 20),
        order.items.len(),
    )
    .await
}

/// The stock of each SKU, written only with a fencing token at least the last one seen: a
/// holder that paused past its lock's TTL would be refused here.
static STOCK: Mutex<BTreeMap<u32, (u64, u64)>> = Mutex::new(BTreeMap::new());

/// Reserves `units` of `sku` under the SKU's distributed lock (in the coordination store).
#[coord::distributed_lock(key = "stock:{sku}", ttl = "5s", wait = "1s")]
async fn hold_stock(sku: u32, units: usize) -> Result<usize, OrderError> {
    let token = coord::lock::held().map_or(0, |held| held.token);
    let mut stock = STOCK.lock().map_err(|_| OrderError::StoreCrashed)?;
    let (fence, reserved) = stock.entry(sku).or_insert((0, 0));
    if token < *fence {
        // A stale holder: its lock was taken over while it paused.
        return Err(OrderError::StockLocked(coord::Error::LockLost {
            key: format!("stock:{sku}"),
        }));
    }
    *fence = token;
    *reserved += units as u64;
    RESERVED.fetch_add(1, Ordering::Relaxed);
    Ok(units)
}

async fn release_stock(
    _key: StepKey,
    _order: Order,
    _items: Option<usize>,
) -> Result<(), OrderError> {
    RESERVED.fetch_sub(1, Ordering::Relaxed);
    RELEASED.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// The annotated, retried, breaker-guarded `charge_payment`, bounded by the client's
/// budget: past it the charge's outcome is unknown, and the refund (by the step's key)
/// settles it.
#[coord::step(name = "charge_payment", compensate = refund_payment, timeout = "45ms")]
async fn take_payment(_key: StepKey, order: &Order) -> Result<u64, OrderError> {
    let payment = charge_payment(order).await?;
    CHARGED.fetch_add(1, Ordering::Relaxed);
    Ok(payment)
}

/// Refunds a payment; when the charge timed out (`None`), the provider is asked by the
/// step's key whether it went through (in this simulation the cancelled call never did).
async fn refund_payment(
    _key: StepKey,
    _order: Order,
    payment: Option<u64>,
) -> Result<(), OrderError> {
    if payment.is_some() {
        REFUNDED.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// Finds no courier for 1 % of orders. Nothing to undo: no courier was booked.
#[coord::step(no_compensation)]
async fn schedule_shipping(_key: StepKey, _order_id: u64) -> Result<(), OrderError> {
    if fastrand::u8(..100) == 0 {
        Err(OrderError::NoCourier)
    } else {
        Ok(())
    }
}

/// A client's order; about 4 % are malformed on purpose, in one of four ways.
fn random_order(rng: &mut fastrand::Rng, id: u64) -> Order {
    let mut order = Order {
        id,
        customer: format!("customer-{}", rng.u16(..1000)),
        items: (0..rng.usize(1..5)).map(|_| rng.u32(1..500)).collect(),
        note: rng.bool().then(|| "please ring twice".to_owned()),
    };
    if rng.u16(..1000) < 5 {
        order.note = Some("<script>alert('owned')</script>".to_owned());
    }
    if rng.u8(..100) < 4 {
        match rng.u8(..4) {
            0 => order.customer.clear(),
            1 => order.items.clear(),
            2 => order.items.push(0),
            _ => order.items.push(1_000_000),
        }
    }
    order
}

/// Prints the rules file or the dashboard for this service's objectives and exits, without
/// starting anything: the histogram's bounds are fixed to the configuration's, as the running
/// service exports them.
fn emit_artefact(emit: Emit, config_file: &str) -> ExitCode {
    let emitted = coord::config::CoordinationConfig::builder()
        .file(config_file)
        .load()
        .map_err(|err| err.to_string())
        .and_then(|config| {
            coord::prometheus()
                .duration_buckets(&config.duration_buckets)
                .install()
                .map_err(|err| err.to_string())
        })
        .and_then(|_exporter| match emit {
            Emit::Rules => coord::dashboards::prometheus_rules().map_err(|err| err.to_string()),
            Emit::Grafana => Ok(coord::dashboards::grafana()),
        });
    match emitted {
        Ok(text) => {
            println!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("service: {err}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    duration: Duration,
    listen: String,
    /// Print the final report as JSON instead of tables.
    json: bool,
    /// The coordination store, when not the configuration's.
    store: Option<coord::config::StoreLocation>,
    /// Print a generated artefact (`rules`, `grafana`) instead of running.
    emit: Option<Emit>,
}

/// What `--emit` prints.
#[derive(Clone, Copy)]
enum Emit {
    /// The Prometheus rules file (`coord::dashboards::prometheus_rules`).
    Rules,
    /// The Grafana dashboard (`coord::dashboards::grafana`).
    Grafana,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        duration: Duration::from_secs(15),
        listen: coord::export::DEFAULT_LISTEN_ADDR.to_owned(),
        json: false,
        store: None,
        emit: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--duration" => {
                let value = args.next().ok_or("--duration needs a number of seconds")?;
                let seconds: u64 = value
                    .parse()
                    .map_err(|_| format!("--duration expects whole seconds, got `{value}`"))?;
                options.duration = Duration::from_secs(seconds);
            }
            "--listen" => options.listen = args.next().ok_or("--listen needs host:port")?,
            "--store" => {
                let location = args
                    .next()
                    .ok_or("--store needs a location: sqlite://PATH or postgres://USER@HOST/DB")?;
                options.store = Some(
                    coord::config::StoreLocation::parse(&location)
                        .map_err(|err| format!("--store: {err}"))?,
                );
            }
            "--emit" => match args.next().as_deref() {
                Some("rules") => options.emit = Some(Emit::Rules),
                Some("grafana") => options.emit = Some(Emit::Grafana),
                other => {
                    return Err(format!(
                        "--emit expects `rules` or `grafana`, got {other:?}"
                    ));
                }
            },
            "--report" => match args.next().as_deref() {
                Some("json") => options.json = true,
                Some("table") => options.json = false,
                other => return Err(format!("--report expects `json` or `table`, got {other:?}")),
            },
            "-h" | "--help" => {
                println!(
                    "usage: service [--duration SECONDS (default 15)] [--listen HOST:PORT (default {})] [--report json|table] [--store sqlite://PATH|postgres://…] [--emit rules|grafana]",
                    coord::export::DEFAULT_LISTEN_ADDR
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(options)
}

tokio::task_local! {
    /// The trace of the order a task is placing.
    static ORDER_TRACE: u128;
}

/// Whether progress goes to stderr: with `--report json`, stdout carries only the JSON report,
/// so `service --report json | jq` works.
static PROGRESS_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Prints one line of progress: to stdout, or to stderr when stdout is for the JSON report.
macro_rules! progress {
    ($($arg:tt)*) => {
        if PROGRESS_TO_STDERR.load(Ordering::Relaxed) {
            eprintln!($($arg)*);
        } else {
            println!($($arg)*);
        }
    };
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("service: {message}");
            return ExitCode::from(2);
        }
    };
    PROGRESS_TO_STDERR.store(options.json, Ordering::Relaxed);
    // First, so configuration mistakes come back as errors: the shipped file (or the one
    // `COORDINATION_CONFIG` names) and `COORDINATION_*` variables. It loads the rule files and
    // starts the system monitor.
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/config/coordination.yaml"
    );
    if let Some(emit) = options.emit {
        return emit_artefact(emit, shipped);
    }
    // The runtime first: `init` starts resuming the order sagas a crash left unfinished on it.
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("service: cannot start the tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _in_runtime = runtime.enter();
    let config = match coord::config::CoordinationConfig::builder()
        .file(shipped)
        .load()
        .map(|loaded| match options.store.clone() {
            Some(coordination_store) => coord::config::CoordinationConfig {
                coordination_store,
                ..loaded
            },
            None => loaded,
        })
        .and_then(coord::init_with)
    {
        Ok(config) => config,
        Err(err) => {
            eprintln!("service: {err}");
            return ExitCode::FAILURE;
        }
    };
    progress!(
        "validation rules: {} from {}",
        coord::validation::rule_sets().join(", "),
        config.validation_rules_path.display()
    );
    progress!("order sagas logged in {}", config.coordination_store);
    // The trace each order belongs to, for the duration histogram's exemplars (served in the
    // OpenMetrics exposition, which Prometheus asks for). With `tracing-opentelemetry` this is
    // the current span's trace id instead.
    coord::export::set_trace_id_source(|| ORDER_TRACE.try_with(|trace| *trace).ok());
    let exporter = match coord::prometheus().listen(&options.listen).install() {
        Ok(exporter) => exporter,
        Err(err) => {
            eprintln!("service: {err}\n(hint: pick another address with --listen 127.0.0.1:0)");
            return ExitCode::FAILURE;
        }
    };
    if let Some(addr) = exporter.local_addr() {
        progress!(
            "serving metrics at http://{addr}/metrics (and /health, /report) for {:?}",
            options.duration
        );
    }
    // The simulated store bug panics on purpose; one line per panic instead of a backtrace.
    let panics = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&panics);
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::Relaxed);
        eprintln!(
            "  (simulated panic: {})",
            info.payload()
                .downcast_ref::<String>()
                .map_or("?", String::as_str)
        );
    }));

    // The store opens before the workload starts, so a bad `--store` is one clear error.
    if let Err(err) = runtime.block_on(coord::saga::engine()) {
        eprintln!("service: {err}");
        return ExitCode::FAILURE;
    }
    let errors = runtime.block_on(run_workload(options.duration));

    let report = coord::report();
    if options.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("service: cannot write the report as JSON: {err}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    println!("\n{report}");
    println!("simulated panics: {}", panics.load(Ordering::Relaxed));
    println!(
        "order sagas: {} payments charged, {} refunded by compensation; {} reservations released by compensation, {} held by fulfilled orders",
        CHARGED.load(Ordering::Relaxed),
        REFUNDED.load(Ordering::Relaxed),
        RELEASED.load(Ordering::Relaxed),
        RESERVED.load(Ordering::Relaxed),
    );
    println!("\nplace_order errors by cause:");
    for (cause, count) in errors {
        println!("  {count:>7}  {cause}");
    }
    ExitCode::SUCCESS
}

/// Runs the workload; returns how many requests failed, by cause.
async fn run_workload(duration: Duration) -> BTreeMap<String, u64> {
    let store = Arc::new(Mutex::new(BTreeMap::new()));
    let errors = Arc::new(Mutex::new(BTreeMap::new()));
    let next_id = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let workers: Vec<_> = (0..WORKERS as u64)
        .map(|worker| {
            let store = Arc::clone(&store);
            let next_id = Arc::clone(&next_id);
            let errors = Arc::clone(&errors);
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(worker);
                while Instant::now() < deadline {
                    let id = next_id.fetch_add(1, Ordering::Relaxed);
                    let order = random_order(&mut rng, id);
                    // Each order is one trace: a real service takes the id from the incoming
                    // request's trace context (see `set_trace_id_source` in `main`).
                    let trace = ORDER_TRACE.scope(
                        rng.u128(1..),
                        place_order(Arc::clone(&store), order, rng.u64(..)),
                    );
                    if let Err(err) = trace.await
                        && let Ok(mut errors) = errors.lock()
                    {
                        // One line per cause: the breaker's retry-after time and the bulkhead's
                        // wait vary per call.
                        let cause = err.to_string();
                        let cause = cause.split(" (retry after").next().unwrap_or(&cause);
                        let cause = cause.split("; call refused after").next().unwrap_or(cause);
                        *errors.entry(cause.to_owned()).or_insert(0) += 1;
                    }
                    // Clients arrive at a steady pace rather than hammering in a tight loop.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
        })
        .collect();

    let outage = (start + duration / 3, start + duration * 11 / 20);
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    ticker.tick().await;
    let mut previous = 0;
    let mut next_report = start + Duration::from_secs(1);
    while Instant::now() < deadline {
        ticker.tick().await;
        let now = Instant::now();
        let down = now >= outage.0 && now < outage.1;
        if PAYMENTS_DOWN.swap(down, Ordering::Relaxed) != down {
            progress!(
                "  payment provider {}",
                if down { "DOWN" } else { "back UP" }
            );
        }
        if now < next_report {
            continue;
        }
        next_report += Duration::from_secs(1);
        let stats = coord::tracking::operation_stats();
        if let Some(request) = stats.iter().find(|s| s.operation == "place_order") {
            let total = request.calls.total();
            // Compliance is the share of inputs that were valid (not the mean score).
            let valid = coord::validation::validation_report().valid_percent;
            progress!(
                "t={:>3}s requests={total:>7} (+{:>5}/s) errors={:>6} p95={} breaker={} valid inputs={valid:.1}%",
                start.elapsed().as_secs(),
                total - previous,
                request.calls.failed(),
                millis(request.p95),
                coord::breaker("payments").state(),
            );
            previous = total;
        }
    }
    for worker in workers {
        let _ = worker.await;
    }
    errors
        .lock()
        .map(|errors| errors.clone())
        .unwrap_or_default()
}

fn millis(duration: Option<Duration>) -> String {
    match duration {
        None => "-".to_owned(),
        Some(d) if d < Duration::from_micros(1) => format!("{}ns", d.as_nanos()),
        Some(d) if d < Duration::from_millis(1) => format!("{:.1}µs", d.as_secs_f64() * 1e6),
        Some(d) => format!("{:.2}ms", d.as_secs_f64() * 1e3),
    }
}
