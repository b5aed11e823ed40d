//! The functions the resilience benchmarks call: one trivial body, bare, with coord's
//! per-attempt timeout, bulkhead and rate limiter, and through tower's limits (the peer).
//! Each limit is sized never to refuse, so every call measures the admitted path.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

/// The body every variant runs.
#[inline(never)]
pub async fn work(x: u64) -> Result<u64, coord::Error> {
    Ok(black_box(x).wrapping_mul(31))
}

/// `#[handle_errors]` with no retries and nothing else: the base the limits are added to.
#[coord::handle_errors(max_retries = 0)]
pub async fn retried(x: u64) -> Result<u64, coord::Error> {
    work(x).await
}

/// `#[handle_errors]` with a per-attempt timeout.
#[coord::handle_errors(max_retries = 0, timeout = "1s")]
pub async fn timed(x: u64) -> Result<u64, coord::Error> {
    work(x).await
}

/// `#[handle_errors]` with a bulkhead.
#[coord::handle_errors(max_retries = 0, bulkhead(max_concurrent = 1_000_000))]
pub async fn bulkheaded(x: u64) -> Result<u64, coord::Error> {
    work(x).await
}

/// `#[handle_errors]` with a rate limiter.
#[coord::handle_errors(
    max_retries = 0,
    rate_limit(per_second = 1_000_000_000, burst = 1_000_000_000)
)]
pub async fn rate_limited(x: u64) -> Result<u64, coord::Error> {
    work(x).await
}

/// The sync body.
#[inline(never)]
pub fn work_sync(x: u64) -> Result<u64, coord::Error> {
    Ok(black_box(x).wrapping_mul(31))
}

/// Sync, no retries: the base.
#[coord::handle_errors(max_retries = 0)]
pub fn retried_sync(x: u64) -> Result<u64, coord::Error> {
    work_sync(x)
}

/// Sync, with a bulkhead.
#[coord::handle_errors(max_retries = 0, bulkhead(max_concurrent = 1_000_000))]
pub fn bulkheaded_sync(x: u64) -> Result<u64, coord::Error> {
    work_sync(x)
}

/// Sync, with a rate limiter.
#[coord::handle_errors(
    max_retries = 0,
    rate_limit(per_second = 1_000_000_000, burst = 1_000_000_000)
)]
pub fn rate_limited_sync(x: u64) -> Result<u64, coord::Error> {
    work_sync(x)
}

/// The peer's service: the same body as a `tower::Service`.
pub fn tower_service() -> impl tower::Service<
    u64,
    Response = u64,
    Error = Infallible,
    Future = std::future::Ready<Result<u64, Infallible>>,
> + Clone {
    tower::service_fn(|x: u64| std::future::ready(Ok(black_box(x).wrapping_mul(31))))
}

/// One call through any tower service on `u64`: readiness, then the call; 0 on an error.
pub async fn through_any<S>(service: &mut S, x: u64) -> u64
where
    S: tower::Service<u64, Response = u64>,
{
    use tower::ServiceExt as _;
    match service.ready().await {
        Ok(ready) => ready.call(x).await.unwrap_or_default(),
        Err(_) => 0,
    }
}

/// tower-resilience's bulkhead around the service, never full.
pub fn resilience_bulkhead() -> impl tower::Service<u64, Response = u64> {
    use tower::Layer as _;
    tower_resilience::bulkhead::BulkheadLayer::builder()
        .max_concurrent_calls(1_000_000)
        .build()
        .layer(tower_service())
}

/// tower-resilience's rate limiter around the service, never reached.
pub fn resilience_rate_limited() -> impl tower::Service<u64, Response = u64> {
    use tower::Layer as _;
    tower_resilience::ratelimiter::RateLimiterLayer::builder()
        .limit_for_period(1_000_000_000)
        .refresh_period(Duration::from_secs(1))
        .timeout_duration(Duration::ZERO)
        .build()
        .layer(tower_service())
}

/// tower's concurrency limit around the service, never reached.
pub fn tower_concurrency_limited() -> impl tower::Service<u64, Response = u64, Error = Infallible> {
    tower::limit::ConcurrencyLimit::new(tower_service(), 1_000_000)
}

/// tower's rate limit around the service, never reached.
pub fn tower_rate_limited() -> impl tower::Service<u64, Response = u64, Error = Infallible> {
    tower::limit::RateLimit::new(
        tower_service(),
        tower::limit::rate::Rate::new(1_000_000_000, Duration::from_secs(1)),
    )
}
