//! Calls refused before their body ran — an open breaker, a full bulkhead, an exhausted rate
//! limiter — are counted as `refused`, kept out of the latency figures (an outage no longer
//! reads p50 = 0.000 ms), and count as failures in the error rate. A fallback that answers
//! instead makes the call whatever the fallback returned.

use std::time::Duration;

fn stats(operation: &str) -> coord::tracking::OperationSnapshot {
    coord::tracking::operation_stats()
        .into_iter()
        .find(|s| s.operation == operation)
        .expect("tracked")
}

#[coord::coordinate_operation(
    name = "refused.breaker",
    retry(max_retries = 0),
    circuit_breaker = "refused.dependency"
)]
fn behind_breaker(sleep: Duration) -> Result<(), coord::Error> {
    std::thread::sleep(sleep);
    Ok(())
}

#[test]
fn breaker_refusals_are_counted_apart_and_not_timed() {
    behind_breaker(Duration::from_millis(5)).expect("closed");
    coord::breaker("refused.dependency").force_open();
    for _ in 0..50 {
        assert!(matches!(
            behind_breaker(Duration::ZERO),
            Err(coord::Error::CircuitOpen { .. })
        ));
    }
    coord::breaker("refused.dependency").reset();
    let stats = stats("refused.breaker");
    assert_eq!(
        (stats.calls.ok, stats.calls.refused, stats.calls.error),
        (1, 50, 0)
    );
    // The one call that ran took 5 ms; 50 refusals in microseconds do not drag p50 to zero.
    let p50 = stats.p50.expect("a call ran");
    assert!(p50 >= Duration::from_millis(4), "p50 = {p50:?}");
    assert!(stats.min.expect("timed") >= Duration::from_millis(4));

    let report = coord::report();
    let row = report
        .performance
        .iter()
        .find(|op| op.operation == "refused.breaker")
        .expect("reported");
    assert_eq!(row.refused, 50);
    assert!((row.error_rate - 50.0 / 51.0).abs() < 1e-9, "{row:?}");
    assert!(report.to_string().contains("refused"));
}

#[coord::coordinate_operation(name = "refused.rate", rate_limit(per_second = 1, burst = 1))]
fn rate_limited() -> Result<(), coord::Error> {
    std::thread::sleep(Duration::from_millis(2));
    Ok(())
}

#[test]
fn rate_limiter_refusals_are_refused_calls() {
    rate_limited().expect("the burst admits one");
    for _ in 0..5 {
        assert!(matches!(
            rate_limited(),
            Err(coord::Error::RateLimited { .. })
        ));
    }
    let stats = stats("refused.rate");
    assert_eq!((stats.calls.ok, stats.calls.refused), (1, 5));
    assert!(stats.p50.expect("timed") >= Duration::from_millis(1));
}

#[coord::coordinate_operation(name = "refused.bulkhead", bulkhead(max_concurrent = 1))]
fn single_file(hold: Duration) -> Result<(), coord::Error> {
    std::thread::sleep(hold);
    Ok(())
}

#[test]
fn bulkhead_refusals_are_refused_calls() {
    std::thread::scope(|scope| {
        let holder = scope.spawn(|| single_file(Duration::from_millis(300)));
        while coord::limit::bulkheads()
            .iter()
            .find(|b| b.name() == "refused.bulkhead")
            .is_none_or(|b| b.in_use() == 0)
        {
            std::thread::yield_now();
        }
        assert!(matches!(
            single_file(Duration::ZERO),
            Err(coord::Error::BulkheadFull { .. })
        ));
        holder.join().expect("no panic").expect("admitted");
    });
    let stats = stats("refused.bulkhead");
    assert_eq!((stats.calls.ok, stats.calls.refused), (1, 1));
}

fn cached(_error: coord::Error) -> Result<(), coord::Error> {
    Ok(())
}

#[coord::coordinate_operation(
    name = "refused.fallback",
    retry(max_retries = 0),
    circuit_breaker = "refused.with_fallback",
    fallback = cached
)]
fn with_fallback() -> Result<(), coord::Error> {
    Ok(())
}

#[test]
fn a_fallback_answer_is_the_outcome_not_a_refusal() {
    coord::breaker("refused.with_fallback").force_open();
    with_fallback().expect("the fallback answers");
    coord::breaker("refused.with_fallback").reset();
    let stats = stats("refused.fallback");
    assert_eq!((stats.calls.ok, stats.calls.refused), (1, 0));
}

#[coord::coordinate_operation(
    name = "refused.async",
    retry(max_retries = 0),
    circuit_breaker = "refused.async_dependency"
)]
async fn async_behind_breaker() -> Result<(), coord::Error> {
    tokio::time::sleep(Duration::from_millis(3)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_refusals_are_refused_calls_too() {
    async_behind_breaker().await.expect("closed");
    coord::breaker("refused.async_dependency").force_open();
    for _ in 0..10 {
        assert!(async_behind_breaker().await.is_err());
    }
    coord::breaker("refused.async_dependency").reset();
    let stats = stats("refused.async");
    assert_eq!((stats.calls.ok, stats.calls.refused), (1, 10));
    assert!(stats.p50.expect("timed") >= Duration::from_millis(2));
}
