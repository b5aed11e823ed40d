//! Bulkheads and rate limiters through the public API: at most N calls inside, the rest
//! waiting up to `max_wait` (async on tokio's paused clock, sync on threads) and then
//! refused; at most N calls a second with a burst; refusals never retried, counted as failed
//! calls of the operation, and exported.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::limit::BulkheadConfig;
use support::test_recorder;

#[derive(Debug)]
enum AppError {
    Coord(coord::Error),
}

impl From<coord::Error> for AppError {
    fn from(err: coord::Error) -> Self {
        AppError::Coord(err)
    }
}

static RAN: AtomicU32 = AtomicU32::new(0);

/// Holds its slot until `release` is notified.
#[coord::handle_errors(
    max_retries = 3,
    base_delay = "1ms",
    bulkhead(max_concurrent = 2, max_wait = "50ms")
)]
async fn hold(release: &tokio::sync::Notify) -> Result<u32, AppError> {
    RAN.fetch_add(1, Ordering::SeqCst);
    release.notified().await;
    Ok(1)
}

#[tokio::test(start_paused = true)]
async fn a_full_bulkhead_refuses_after_max_wait_and_admits_when_a_slot_frees() {
    let release = Arc::new(tokio::sync::Notify::new());
    let spawn =
        |release: Arc<tokio::sync::Notify>| tokio::spawn(async move { hold(&release).await });
    let first = spawn(Arc::clone(&release));
    let second = spawn(Arc::clone(&release));
    tokio::task::yield_now().await;
    assert_eq!(
        coord::limit::bulkheads()
            .iter()
            .find(|b| b.name() == "hold")
            .map(|b| b.in_use()),
        Some(2)
    );

    // A third call waits 50 ms, then is refused: not retried, and the body never ran.
    let started = tokio::time::Instant::now();
    match hold(&release).await {
        Err(AppError::Coord(coord::Error::BulkheadFull {
            bulkhead,
            max_concurrent,
            waited,
        })) => {
            assert_eq!((bulkhead.as_str(), max_concurrent), ("hold", 2));
            assert_eq!(waited, Duration::from_millis(50));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    assert_eq!(RAN.load(Ordering::SeqCst), 2);

    // A fourth waits, and gets the slot the first frees 10 ms later.
    let fourth = spawn(Arc::clone(&release));
    tokio::time::sleep(Duration::from_millis(10)).await;
    release.notify_one();
    assert_eq!(first.await.expect("task").ok(), Some(1));
    tokio::task::yield_now().await;
    assert_eq!(RAN.load(Ordering::SeqCst), 3, "the waiting call got in");
    release.notify_waiters();
    release.notify_one();
    assert!(second.await.expect("task").is_ok());
    release.notify_one();
    assert!(fourth.await.expect("task").is_ok());

    let pool = coord::limit::bulkheads()
        .into_iter()
        .find(|b| b.name() == "hold")
        .expect("registered");
    assert_eq!(pool.counts(), (3, 1));
    assert_eq!(pool.in_use(), 0, "every slot freed");
}

static SYNC_INSIDE: AtomicU32 = AtomicU32::new(0);

#[coord::coordinate_operation(
    name = "limits.sync",
    bulkhead(name = "limits.sync_pool", max_concurrent = 1, max_wait = "5s")
)]
fn sync_work(hold_for: Duration) -> Result<(), AppError> {
    SYNC_INSIDE.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(hold_for);
    Ok(())
}

#[coord::coordinate_operation(bulkhead(
    name = "limits.sync_pool",
    max_concurrent = 1,
    max_wait = "5s"
))]
fn sync_other() -> Result<(), AppError> {
    Ok(())
}

#[test]
fn sync_callers_wait_on_the_thread_and_functions_naming_one_bulkhead_share_it() {
    let holder = std::thread::spawn(|| sync_work(Duration::from_millis(200)));
    while SYNC_INSIDE.load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    let pool = coord::limit::bulkhead(
        "limits.sync_pool",
        BulkheadConfig::new(1).max_wait(Duration::from_secs(5)),
    );
    assert_eq!(pool.in_use(), 1);
    assert!(
        matches!(pool.try_enter(), Err(coord::Error::BulkheadFull { .. })),
        "full: a try does not wait"
    );
    // The other function shares the slot: it waits for the holder, then runs.
    let started = std::time::Instant::now();
    assert!(sync_other().is_ok());
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert!(holder.join().expect("thread").is_ok());
    assert_eq!(pool.in_use(), 0);
}

#[coord::coordinate_operation(bulkhead(max_concurrent = 1))]
fn refuses_at_once(
    inside: &std::sync::Barrier,
    leave: &std::sync::Barrier,
) -> Result<(), AppError> {
    inside.wait();
    leave.wait();
    Ok(())
}

#[test]
fn without_max_wait_a_full_bulkhead_refuses_at_once() {
    let inside = Arc::new(std::sync::Barrier::new(2));
    let leave = Arc::new(std::sync::Barrier::new(2));
    let holder = {
        let (inside, leave) = (Arc::clone(&inside), Arc::clone(&leave));
        std::thread::spawn(move || refuses_at_once(&inside, &leave))
    };
    inside.wait();
    let never = std::sync::Barrier::new(1);
    match refuses_at_once(&never, &never) {
        Err(AppError::Coord(coord::Error::BulkheadFull { waited, .. })) => {
            assert_eq!(waited, Duration::ZERO);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    leave.wait();
    assert!(holder.join().expect("thread").is_ok());
    // Inside tracking: the refused call is a failed call of the operation, counted as
    // refused (and kept out of its latencies).
    let tracked = coord::tracking::operation_stats();
    let tracked = tracked
        .iter()
        .find(|s| s.operation == "refuses_at_once")
        .expect("tracked");
    assert_eq!(
        (tracked.calls.ok, tracked.calls.error, tracked.calls.refused),
        (1, 0, 1)
    );
    assert_eq!(tracked.calls.failed(), 1);
}

static LIMITED_RAN: AtomicU32 = AtomicU32::new(0);

#[coord::handle_errors(
    max_retries = 3,
    base_delay = "1ms",
    rate_limit(per_second = 1, burst = 2)
)]
fn limited() -> Result<u32, AppError> {
    Ok(LIMITED_RAN.fetch_add(1, Ordering::SeqCst) + 1)
}

#[test]
fn a_rate_limiter_admits_a_burst_then_refuses_with_the_wait_and_never_retries() {
    assert_eq!(limited().ok(), Some(1));
    assert_eq!(limited().ok(), Some(2));
    match limited() {
        Err(AppError::Coord(coord::Error::RateLimited {
            rate_limiter,
            retry_after,
        })) => {
            assert_eq!(rate_limiter, "limited");
            assert!(
                retry_after > Duration::ZERO && retry_after <= Duration::from_secs(1),
                "{retry_after:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        LIMITED_RAN.load(Ordering::SeqCst),
        2,
        "the refused call never ran"
    );
    let stats = coord::retry::retry_stats();
    assert!(
        stats
            .iter()
            .all(|s| s.operation != "limited" || s.retries == 0),
        "a refusal is not retried"
    );

    let recorder = test_recorder::global();
    let counters = recorder.counters_named("coord_rate_limiter_calls_total");
    assert_eq!(
        counters[r#"coord_rate_limiter_calls_total{rate_limiter="limited",outcome="admitted"}"#],
        2
    );
    assert_eq!(
        counters[r#"coord_rate_limiter_calls_total{rate_limiter="limited",outcome="rejected"}"#],
        1
    );
    let gauges = recorder.gauges_named("coord_bulkhead_in_use");
    assert!(
        gauges.keys().all(|series| series.contains("bulkhead=")),
        "{gauges:?}"
    );
}

#[test]
fn error_handling_admits_through_the_same_limits() {
    use coord::ErrorHandling;
    use coord::limit::RateLimit;
    let calls: ErrorHandling<AppError> = ErrorHandling::new("limits.api")
        .rate_limiter(coord::limit::rate_limiter(
            "limits.api",
            RateLimit::per_second(1).burst(1),
        ))
        .bulkhead(coord::limit::bulkhead(
            "limits.api_pool",
            BulkheadConfig::new(1),
        ));
    let mut ran = 0;
    assert!(
        calls
            .call(|| {
                ran += 1;
                Ok::<_, AppError>(())
            })
            .is_ok()
    );
    assert!(matches!(
        calls.call(|| {
            ran += 1;
            Ok::<_, AppError>(())
        }),
        Err(AppError::Coord(coord::Error::RateLimited { .. }))
    ));
    assert_eq!(ran, 1);
}
