//! Retry and breaker classification through the public API: permanent errors are neither
//! retried nor counted against a breaker, `retry_if` and `record_if` override one decision
//! each, an unclassified error is transient, and a delay the dependency asked for is honoured
//! (on tokio's paused clock).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::breaker::BreakerState;
use coord::{Classify, ErrorClass, ErrorHandling};

/// The README's payment error.
#[derive(Debug)]
enum PayError {
    Declined,
    Busy(Duration),
    // Read through `Debug` only: the tests match on the variant.
    Unavailable(#[allow(dead_code)] coord::Error),
}

impl From<coord::Error> for PayError {
    fn from(err: coord::Error) -> Self {
        PayError::Unavailable(err)
    }
}

impl Classify for PayError {
    fn class(&self) -> ErrorClass {
        match self {
            PayError::Declined => ErrorClass::Permanent,
            PayError::Busy(after) => ErrorClass::TransientAfter(*after),
            PayError::Unavailable(_) => ErrorClass::Transient,
        }
    }
}

static CHARGES: AtomicU32 = AtomicU32::new(0);

/// The README scenario: a breaker that opens after two failures in a row.
#[coord::handle_errors(
    max_retries = 3,
    base_delay = "1ms",
    circuit_breaker(
        name = "classification.payments",
        consecutive_failures = 2,
        open_for = "30s"
    )
)]
async fn charge(card: &str) -> Result<u32, PayError> {
    CHARGES.fetch_add(1, Ordering::SeqCst);
    if card.is_empty() {
        Err(PayError::Declined)
    } else {
        Ok(42)
    }
}

#[tokio::test(start_paused = true)]
async fn declined_cards_are_not_retried_and_never_open_the_breaker() {
    for _ in 0..10 {
        assert!(matches!(charge("").await, Err(PayError::Declined)));
    }
    assert_eq!(
        CHARGES.load(Ordering::SeqCst),
        10,
        "one attempt per declined card"
    );
    let payments = coord::breaker("classification.payments");
    assert_eq!(payments.state(), BreakerState::Closed);
    assert_eq!(payments.counts().failures, 0);
    assert_eq!(
        charge("4242").await.ok(),
        Some(42),
        "a valid card is served"
    );
}

static UNCLASSIFIED: AtomicU32 = AtomicU32::new(0);

/// `String` has no `Classify`: every `Err` is transient.
#[coord::handle_errors(
    max_retries = 2,
    base_delay = "1ms",
    circuit_breaker(name = "classification.unclassified", consecutive_failures = 3)
)]
fn unclassified() -> Result<(), UnclassifiedError> {
    UNCLASSIFIED.fetch_add(1, Ordering::SeqCst);
    Err(UnclassifiedError::Failed)
}

#[derive(Debug)]
enum UnclassifiedError {
    Failed,
    Refused,
}

impl From<coord::Error> for UnclassifiedError {
    fn from(_: coord::Error) -> Self {
        UnclassifiedError::Refused
    }
}

#[test]
fn an_unclassified_error_is_transient_retried_and_counted() {
    assert!(matches!(unclassified(), Err(UnclassifiedError::Failed)));
    assert_eq!(UNCLASSIFIED.load(Ordering::SeqCst), 3, "1 call + 2 retries");
    let breaker = coord::breaker("classification.unclassified");
    assert_eq!(breaker.counts().failures, 3);
    assert_eq!(breaker.state(), BreakerState::Open);
    assert!(matches!(unclassified(), Err(UnclassifiedError::Refused)));
}

#[derive(Debug)]
struct Status(u16);

impl From<coord::Error> for Status {
    fn from(_: coord::Error) -> Self {
        Status(503)
    }
}

fn server_error(status: &Status) -> bool {
    status.0 >= 500
}

fn never(_: &Status) -> bool {
    false
}

static STATUS_CALLS: AtomicU32 = AtomicU32::new(0);

/// Retries every failure, but only 5xx answers count against the breaker.
#[coord::handle_errors(
    max_retries = 1,
    base_delay = "1ms",
    record_if = server_error,
    circuit_breaker(name = "classification.record_if", consecutive_failures = 2)
)]
fn fetch(status: u16) -> Result<(), Status> {
    STATUS_CALLS.fetch_add(1, Ordering::SeqCst);
    Err(Status(status))
}

#[test]
fn record_if_decides_what_counts_against_the_breaker_and_retry_if_what_is_retried() {
    let breaker = coord::breaker("classification.record_if");
    assert!(fetch(404).is_err());
    assert_eq!(
        STATUS_CALLS.load(Ordering::SeqCst),
        2,
        "retried: no Classify impl"
    );
    assert_eq!(
        breaker.counts().failures,
        0,
        "a 404 is not the server's failure"
    );
    assert!(fetch(502).is_err());
    assert_eq!(breaker.counts().failures, 2);
    assert_eq!(breaker.state(), BreakerState::Open);

    // The runtime API, with the same two overrides.
    let calls: ErrorHandling<Status> = ErrorHandling::new("classification.api")
        .retry_if(never)
        .record_if(server_error)
        .circuit_breaker(coord::breaker("classification.api"));
    let mut attempts = 0;
    let _ = calls.call(|| {
        attempts += 1;
        Err::<(), _>(Status(500))
    });
    assert_eq!(attempts, 1, "retry_if said no");
    assert_eq!(coord::breaker("classification.api").counts().failures, 1);
}

static BUSY_CALLS: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(
    max_retries = 2,
    base_delay = "10ms",
    max_delay = "5s",
    jitter = "none"
)]
async fn busy(asked: Duration) -> Result<u32, PayError> {
    if BUSY_CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        Err(PayError::Busy(asked))
    } else {
        Ok(7)
    }
}

#[tokio::test(start_paused = true)]
async fn a_delay_the_dependency_asked_for_is_honoured_and_capped_at_max_delay() {
    let started = tokio::time::Instant::now();
    assert_eq!(busy(Duration::from_secs(3)).await.ok(), Some(7));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(3),
        "waited as asked, not 10 ms"
    );

    BUSY_CALLS.store(0, Ordering::SeqCst);
    let started = tokio::time::Instant::now();
    assert_eq!(busy(Duration::from_secs(60)).await.ok(), Some(7));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(5),
        "capped at max_delay"
    );
}

#[coord::handle_errors(
    max_retries = 2,
    base_delay = "10ms",
    max_delay = "5s",
    deadline = "2s"
)]
async fn busy_with_deadline() -> Result<u32, PayError> {
    Err(PayError::Busy(Duration::from_secs(3)))
}

#[tokio::test(start_paused = true)]
async fn no_retry_starts_that_the_asked_delay_would_push_past_the_deadline() {
    let started = tokio::time::Instant::now();
    assert!(matches!(busy_with_deadline().await, Err(PayError::Busy(_))));
    assert_eq!(started.elapsed(), Duration::ZERO, "gave up at once");
    let stats = coord::retry::retry_stats();
    let stats = stats
        .iter()
        .find(|s| s.operation == "busy_with_deadline")
        .expect("counted");
    assert_eq!((stats.failed_without_retry, stats.exhausted), (1, 1));
}

/// `is_transient` is the shorthand of `class`: `false` is permanent.
#[derive(Debug)]
struct NotFound;

impl Classify for NotFound {
    fn is_transient(&self) -> bool {
        false
    }
}

impl From<coord::Error> for NotFound {
    fn from(_: coord::Error) -> Self {
        NotFound
    }
}

#[coord::handle_errors(circuit_breaker(
    name = "classification.shorthand",
    consecutive_failures = 1
))]
fn lookup() -> Result<(), NotFound> {
    Err(NotFound)
}

#[test]
fn is_transient_false_is_permanent() {
    assert_eq!(NotFound.class(), ErrorClass::Permanent);
    let _ = lookup();
    let _ = lookup();
    assert_eq!(
        coord::breaker("classification.shorthand").counts().failures,
        0
    );
    assert_eq!(
        coord::breaker("classification.shorthand").state(),
        BreakerState::Closed
    );
}
