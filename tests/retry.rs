//! `#[handle_errors]` retry behaviour through the public API: attempt counts, the last error
//! returned unchanged, classification, deadlines, and async retries under tokio's paused clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{Classify, Severity};

/// Fails `failures` times, then succeeds; counts attempts.
struct Flaky {
    failures: u32,
    attempts: AtomicU32,
}

impl Flaky {
    const fn new(failures: u32) -> Self {
        Self {
            failures,
            attempts: AtomicU32::new(0),
        }
    }

    fn call(&self) -> Result<u32, String> {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if attempt <= self.failures {
            Err(format!("failure {attempt}"))
        } else {
            Ok(attempt)
        }
    }

    fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[coord::handle_errors(max_retries = 3, base_delay = "1ms", jitter = "none")]
fn three_retries(flaky: &Flaky) -> Result<u32, String> {
    flaky.call()
}

#[test]
fn max_retries_counts_retries_after_the_first_call() {
    let flaky = Flaky::new(10);
    assert_eq!(
        three_retries(&flaky),
        Err("failure 4".to_owned()),
        "the last error, unchanged"
    );
    assert_eq!(flaky.attempts(), 4, "1 call + 3 retries");

    let flaky = Flaky::new(2);
    assert_eq!(three_retries(&flaky), Ok(3));
    assert_eq!(flaky.attempts(), 3);
}

#[coord::handle_errors(max_retries = 0)]
fn no_retries(flaky: &Flaky) -> Result<u32, String> {
    flaky.call()
}

#[test]
fn zero_retries_runs_once() {
    let flaky = Flaky::new(1);
    assert!(no_retries(&flaky).is_err());
    assert_eq!(flaky.attempts(), 1);
}

fn only_timeouts(error: &str) -> bool {
    error.contains("timeout")
}

#[coord::handle_errors(max_retries = 5, base_delay = "1ms", retry_if = only_timeouts)]
fn filtered(errors: &Mutex<Vec<&'static str>>) -> Result<(), String> {
    match errors.lock().unwrap().pop() {
        Some(error) => Err(error.to_owned()),
        None => Ok(()),
    }
}

#[test]
fn retry_if_decides_which_errors_are_retried() {
    // Popped from the end: a timeout (retried), then "bad request" (not retried).
    let errors = Mutex::new(vec!["bad request", "timeout"]);
    assert_eq!(filtered(&errors), Err("bad request".to_owned()));
    assert!(errors.lock().unwrap().is_empty());
}

#[derive(Debug, PartialEq)]
enum StoreError {
    Busy,
    Corrupt,
}

impl Classify for StoreError {
    fn is_transient(&self) -> bool {
        *self == StoreError::Busy
    }
    fn severity(&self) -> Option<Severity> {
        None
    }
}

static STORE_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(max_retries = 5, base_delay = "1ms")]
fn classified(results: &Mutex<Vec<StoreError>>) -> Result<(), StoreError> {
    STORE_ATTEMPTS.fetch_add(1, Ordering::SeqCst);
    Err(results.lock().unwrap().pop().unwrap_or(StoreError::Busy))
}

#[test]
fn an_error_type_can_classify_itself() {
    let results = Mutex::new(vec![
        StoreError::Corrupt,
        StoreError::Busy,
        StoreError::Busy,
    ]);
    assert_eq!(classified(&results), Err(StoreError::Corrupt));
    assert_eq!(
        STORE_ATTEMPTS.load(Ordering::SeqCst),
        3,
        "two Busy retried, Corrupt not"
    );
}

#[coord::handle_errors(
    max_retries = 10,
    base_delay = "20ms",
    backoff = "constant",
    jitter = "none",
    deadline = "50ms"
)]
fn with_deadline(flaky: &Flaky) -> Result<u32, String> {
    flaky.call()
}

#[test]
fn no_retry_starts_that_would_end_past_the_deadline() {
    let flaky = Flaky::new(100);
    let started = std::time::Instant::now();
    assert!(with_deadline(&flaky).is_err());
    // Retries at ~20 ms and ~40 ms; a third would end at ~60 ms > 50 ms.
    assert_eq!(flaky.attempts(), 3);
    assert!(started.elapsed() < Duration::from_millis(50) + Duration::from_millis(200));
}

#[coord::handle_errors(max_retries = 3, base_delay = "10s", max_delay = "1m", jitter = "none")]
async fn slow_backoff(flaky: &Flaky) -> Result<u32, String> {
    tokio::task::yield_now().await;
    flaky.call()
}

#[tokio::test(start_paused = true)]
async fn async_retries_sleep_on_tokios_clock() {
    let flaky = Flaky::new(3);
    let started = tokio::time::Instant::now();
    assert_eq!(slow_backoff(&flaky).await, Ok(4));
    // 10 s + 20 s + 40 s of backoff, all on the paused clock: no real waiting.
    assert_eq!(started.elapsed(), Duration::from_secs(70));
    assert_eq!(flaky.attempts(), 4);
}

struct Account {
    balance: u32,
}

impl Account {
    #[coord::handle_errors(max_retries = 2, base_delay = "1ms")]
    fn withdraw(&mut self, amount: u32) -> Result<u32, String> {
        if amount > self.balance {
            return Err(format!("insufficient funds for {amount}"));
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    #[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
    async fn peek(&self) -> Result<&u32, String> {
        Ok(&self.balance)
    }
}

#[tokio::test]
async fn methods_retry_too() {
    let mut account = Account { balance: 10 };
    assert_eq!(account.withdraw(3), Ok(7));
    assert!(account.withdraw(30).is_err());
    assert_eq!(account.peek().await, Ok(&7));
}

static SPAWNED: Flaky = Flaky::new(1);

#[coord::handle_errors(max_retries = 2, base_delay = "1ms", circuit_breaker = "retry.spawned")]
async fn spawned_call(label: String, flaky: &Flaky) -> Result<String, SpawnError> {
    tokio::task::yield_now().await;
    flaky
        .call()
        .map(|n| format!("{label}{n}"))
        .map_err(SpawnError::Own)
}

enum SpawnError {
    Own(String),
    Coord(coord::Error),
}

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::Own(error) => write!(f, "own error: {error}"),
            SpawnError::Coord(error) => write!(f, "coord error: {error}"),
        }
    }
}

impl From<coord::Error> for SpawnError {
    fn from(err: coord::Error) -> Self {
        SpawnError::Coord(err)
    }
}

/// Regression: retrying through an async closure made such futures not `Send` ("implementation
/// of `Send` is not general enough"), which kept them out of `tokio::spawn`.
#[tokio::test]
async fn retried_async_functions_can_be_spawned() {
    let task = tokio::spawn(async { spawned_call("call-".to_owned(), &SPAWNED).await });
    match task.await.expect("task ran") {
        Ok(value) => assert_eq!(value, "call-2", "one retry after the first failure"),
        Err(error) => panic!("{error}"),
    }
}
