//! `fallback = path` through the public API: called with the same arguments and the final
//! error when retries run out, the breaker refuses or a timeout fires; never for a permanent
//! error; counted in `coord_fallbacks_total`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{Classify, ErrorClass};

#[derive(Debug, PartialEq)]
enum PriceError {
    NoSuchItem,
    Down,
    Coord(String),
}

impl From<coord::Error> for PriceError {
    fn from(err: coord::Error) -> Self {
        PriceError::Coord(err.to_string())
    }
}

impl Classify for PriceError {
    fn class(&self) -> ErrorClass {
        match self {
            PriceError::NoSuchItem => ErrorClass::Permanent,
            _ => ErrorClass::Transient,
        }
    }
}

/// What the fallbacks were called with, one list per test (tests run in parallel).
static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
static SEEN_ASYNC: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn cached_price(sku: &str, quantity: &u32, error: PriceError) -> Result<u64, PriceError> {
    SEEN.lock()
        .expect("not poisoned")
        .push(format!("{sku} x{quantity}: {error:?}"));
    Ok(100 * u64::from(*quantity))
}

static LIVE_CALLS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(
    max_retries = 2,
    base_delay = "1ms",
    fallback = cached_price,
    circuit_breaker(name = "fallback.prices", consecutive_failures = 6, open_for = "60s")
)]
fn live_price(sku: &str, quantity: u32) -> Result<u64, PriceError> {
    LIVE_CALLS.fetch_add(1, Ordering::SeqCst);
    match sku {
        "gone" => Err(PriceError::NoSuchItem),
        "down" => Err(PriceError::Down),
        _ => Ok(7 * u64::from(quantity)),
    }
}

fn seen() -> Vec<String> {
    std::mem::take(&mut *SEEN.lock().expect("not poisoned"))
}

fn fallbacks(operation: &str) -> u64 {
    coord::retry::retry_stats()
        .iter()
        .find(|s| s.operation == operation)
        .map_or(0, |s| s.fallbacks)
}

#[test]
fn the_fallback_answers_when_retries_run_out_or_the_breaker_refuses_but_not_for_a_permanent_error()
{
    assert_eq!(live_price("apple", 2), Ok(14), "success: no fallback");
    assert_eq!(live_price("gone", 2), Err(PriceError::NoSuchItem));
    assert!(
        seen().is_empty(),
        "a permanent error is the caller's answer"
    );

    assert_eq!(live_price("down", 3), Ok(300));
    assert_eq!(
        seen(),
        ["down x3: Down"],
        "the last error, after 3 attempts"
    );
    assert_eq!(LIVE_CALLS.load(Ordering::SeqCst), 5);

    // A second failing call opens the breaker (6 failures in a row); the third is refused.
    assert_eq!(live_price("down", 1), Ok(100));
    assert_eq!(live_price("apple", 1), Ok(100));
    let refused = seen();
    assert_eq!(refused.len(), 2);
    assert!(
        refused[1].starts_with("apple x1: Coord(\"circuit breaker `fallback.prices` is open"),
        "{refused:?}"
    );
    assert_eq!(
        LIVE_CALLS.load(Ordering::SeqCst),
        8,
        "the refused call never ran"
    );
    assert_eq!(fallbacks("live_price"), 3);
}

async fn stale_quote(symbol: &str, error: PriceError) -> Result<u64, PriceError> {
    SEEN_ASYNC
        .lock()
        .expect("not poisoned")
        .push(format!("{symbol}: {error:?}"));
    Ok(1)
}

#[coord::coordinate_operation(
    name = "fallback.quote",
    retry(timeout = "200ms", max_retries = 1, base_delay = "10ms"),
    fallback = stale_quote
)]
async fn quote(symbol: &str) -> Result<u64, PriceError> {
    if symbol == "hang" {
        std::future::pending::<()>().await;
    }
    Ok(42)
}

#[tokio::test(start_paused = true)]
async fn an_async_fallback_answers_a_timed_out_call() {
    assert_eq!(quote("ok").await, Ok(42));
    let started = tokio::time::Instant::now();
    assert_eq!(quote("hang").await, Ok(1));
    assert!(started.elapsed() >= Duration::from_millis(400));
    let seen = std::mem::take(&mut *SEEN_ASYNC.lock().expect("not poisoned"));
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].starts_with("hang: Coord(\"`fallback.quote` timed out"),
        "{seen:?}"
    );
    assert_eq!(fallbacks("fallback.quote"), 1);
}

struct Catalogue {
    default_price: u64,
}

impl Catalogue {
    fn default_for(&self, _sku: &str, _error: PriceError) -> Result<u64, PriceError> {
        Ok(self.default_price)
    }

    #[coord::handle_errors(max_retries = 0, fallback = Self::default_for)]
    fn price(&self, sku: &str) -> Result<u64, PriceError> {
        let _ = sku;
        Err(PriceError::Down)
    }
}

#[test]
fn a_method_passes_its_receiver_to_the_fallback() {
    let catalogue = Catalogue { default_price: 9 };
    assert_eq!(catalogue.price("pear"), Ok(9));
}

fn busy_answer(_error: PriceError) -> Result<u64, PriceError> {
    Ok(0)
}

#[coord::handle_errors(max_retries = 0, rate_limit(per_second = 1, burst = 1), fallback = busy_answer)]
fn limited_price() -> Result<u64, PriceError> {
    Ok(5)
}

#[test]
fn a_call_the_rate_limiter_refuses_is_answered_by_the_fallback() {
    assert_eq!(limited_price(), Ok(5));
    assert_eq!(limited_price(), Ok(0), "refused, then answered");
    assert_eq!(fallbacks("limited_price"), 1);
}
