//! The tower layer through a real HTTP client: `examples/axum_service` run as a user runs it,
//! its routes tracked per route pattern, its order route's breaker answering 503 with
//! `Retry-After` once open, coord's endpoints served beside the routes; and the layer's retries
//! on an in-process service whose requests can be cloned.

mod support;

use std::convert::Infallible;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use coord::tower::CoordinationLayer;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use support::runtime::current_thread;
use tower::{Layer as _, Service, ServiceExt as _};

/// The example, serving on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_example() -> Server {
    let mut child = Command::new(support::example::binary("axum_service", &["tower"]))
        .args(["--listen", "127.0.0.1:0", "--duration", "60"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start examples/axum_service");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("the example's first line");
    let addr = first
        .trim()
        .strip_prefix("serving on http://")
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("expected `serving on http://ADDR`, got {first:?}"));
    Server { child, addr }
}

/// One request with hyper's client: status, `Retry-After` header, body.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, Option<String>, String) {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP handshake");
    tokio::spawn(connection);
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "text/plain"
    };
    let request = hyper::Request::builder()
        .method(method)
        .header(hyper::header::CONTENT_TYPE, content_type)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(hyper::header::RETRY_AFTER)
        .map(|value| value.to_str().expect("ASCII").to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        retry_after,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[test]
fn routes_are_tracked_per_pattern_and_an_open_breaker_answers_503_with_retry_after() {
    let server = start_example();
    let addr = server.addr;
    current_thread().block_on(async {
        for id in [7, 8, 9] {
            let (status, _, body) = send(addr, "GET", &format!("/users/{id}"), "").await;
            assert_eq!((status, body), (200, format!("user {id}\n")));
        }
        assert_eq!(send(addr, "GET", "/users/0", "").await.0, 404);
        // The rules on `NewUser`, through `coord::axum::Valid`: 422 with each broken rule.
        let (status, _, body) = send(addr, "POST", "/users", r#"{"name":"","email":"x"}"#).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body.contains(r#""path":"name""#) && body.contains(r#""path":"email""#),
            "{body}"
        );
        let (status, _, body) = send(
            addr,
            "POST",
            "/users",
            r#"{"name":"Ada","email":"ada@example.com","age":36}"#,
        )
        .await;
        assert_eq!((status, body.as_str()), (201, "created Ada\n"));
        assert_eq!(send(addr, "POST", "/orders", "10").await.0, 200);
        // Three provider failures in a row open the breaker ...
        for _ in 0..3 {
            assert_eq!(send(addr, "POST", "/orders", "1200").await.0, 502);
        }
        // ... which then answers at once, saying when to come back.
        let (status, retry_after, _) = send(addr, "POST", "/orders", "10").await;
        assert_eq!(status, 503);
        let seconds: u64 = retry_after
            .expect("a Retry-After header")
            .parse()
            .expect("whole seconds");
        assert!((1..=10).contains(&seconds), "Retry-After {seconds}");

        let (status, _, health) = send(addr, "GET", "/health", "").await;
        assert_eq!(
            status, 200,
            "an open breaker degrades the service and keeps it in rotation: {health}"
        );
        assert!(health.contains(r#""status":"degraded""#), "{health}");
        assert!(health.contains(r#""breaker":"payments""#), "{health}");

        let (status, _, metrics) = send(addr, "GET", "/metrics", "").await;
        assert_eq!(status, 200);
        for series in [
            r#"coord_operation_calls_total{operation="/users/{id}",outcome="ok"} 4"#,
            r#"coord_operation_calls_total{operation="/orders",outcome="ok"} 1"#,
            // 3 × 502 and the 503: failures seen from outside.
            r#"coord_operation_calls_total{operation="/orders",outcome="error"} 4"#,
            // The inner layer refused the fourth: counted apart, out of its latencies.
            r#"coord_operation_calls_total{operation="payments",outcome="error"} 3"#,
            r#"coord_operation_calls_total{operation="payments",outcome="refused"} 1"#,
            r#"coord_circuit_breaker_calls_total{breaker="payments",outcome="rejected"} 1"#,
            r#"coord_circuit_breaker_calls_total{breaker="payments",outcome="failure"} 3"#,
            r#"coord_circuit_breaker_calls_total{breaker="payments",outcome="success"} 1"#,
        ] {
            assert!(metrics.contains(series), "{series} missing:\n{metrics}");
        }
        assert!(
            !metrics.contains("/users/7"),
            "a path became a label:\n{metrics}"
        );
        assert!(
            !metrics.contains(r#"operation="/metrics""#),
            "coord's own endpoints are outside the layer"
        );

        let (status, _, report) = send(addr, "GET", "/report", "").await;
        assert_eq!(status, 200);
        let report: serde_json::Value = serde_json::from_str(&report).expect("JSON report");
        let operations: Vec<&str> = report["performance"]
            .as_array()
            .expect("operations")
            .iter()
            .filter_map(|op| op["operation"].as_str())
            .collect();
        assert_eq!(operations, ["/orders", "/users", "/users/{id}", "payments"]);
    });
}

/// Answers 503 to its first `failures` calls, then 200 with the request echoed.
#[derive(Clone)]
struct Flaky {
    calls: Arc<AtomicU32>,
    failures: u32,
}

impl Service<String> for Flaky {
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: String) -> Self::Future {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut response = http::Response::new(request);
        if call < self.failures {
            *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
        }
        std::future::ready(Ok(response))
    }
}

#[test]
fn retries_send_a_clone_of_the_request_and_are_counted() {
    let calls = Arc::new(AtomicU32::new(0));
    let policy = coord::retry::RetryPolicy::for_severity(coord::Severity::Medium)
        .max_retries(3)
        .base_delay(Duration::from_millis(1))
        .jitter(coord::retry::Jitter::None);
    let service = CoordinationLayer::named("tower_test.flaky")
        .retry(policy)
        .layer(Flaky {
            calls: Arc::clone(&calls),
            failures: 2,
        });
    let response = current_thread()
        .block_on(service.oneshot("hello".to_owned()))
        .expect("infallible");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), "hello");
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    let stats = coord::retry::retry_stats();
    let flaky = stats
        .iter()
        .find(|s| s.operation == "tower_test.flaky")
        .expect("retry statistics");
    assert_eq!((flaky.successful_with_retry, flaky.retries), (1, 2));
    let calls = coord::tracking::operation_stats();
    let tracked = calls
        .iter()
        .find(|s| s.operation == "tower_test.flaky")
        .expect("operation statistics");
    assert_eq!((tracked.calls.ok, tracked.calls.error), (1, 0));
}

#[test]
fn a_request_dropped_before_the_answer_counts_as_cancelled() {
    #[derive(Clone)]
    struct Never;
    impl Service<String> for Never {
        type Response = http::Response<String>;
        type Error = Infallible;
        type Future = std::future::Pending<Result<Self::Response, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: String) -> Self::Future {
            std::future::pending()
        }
    }
    let service = CoordinationLayer::named("tower_test.never").layer(Never);
    let timed_out = current_thread().block_on(async {
        tokio::time::timeout(Duration::from_millis(20), service.oneshot(String::new())).await
    });
    assert!(timed_out.is_err());
    let stats = coord::tracking::operation_stats();
    let never = stats
        .iter()
        .find(|s| s.operation == "tower_test.never")
        .expect("operation statistics");
    assert_eq!(never.calls.cancelled, 1);
}

/// Never answers; counts calls.
#[derive(Clone)]
struct Hangs(Arc<AtomicU32>);

impl Service<String> for Hangs {
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = std::future::Pending<Result<Self::Response, Infallible>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: String) -> Self::Future {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::future::pending()
    }
}

#[test]
fn a_hung_request_is_cancelled_at_the_timeout_and_answered_504() {
    let paused = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime")
    };
    // Without retries: one attempt, cut at 250 ms, the breaker told.
    let calls = Arc::new(AtomicU32::new(0));
    let breaker = coord::breaker("tower_test.timeout");
    let service = CoordinationLayer::named("tower_test.timeout")
        .timeout(Duration::from_millis(250))
        .circuit_breaker(breaker)
        .layer(Hangs(Arc::clone(&calls)));
    let response = paused()
        .block_on(service.oneshot(String::new()))
        .expect("infallible");
    assert_eq!(response.status(), 504);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(breaker.counts().failures, 1);

    // With retries: every attempt cut, then 504.
    let calls = Arc::new(AtomicU32::new(0));
    let policy = coord::retry::RetryPolicy::for_severity(coord::Severity::Medium)
        .max_retries(2)
        .base_delay(Duration::from_millis(1))
        .jitter(coord::retry::Jitter::None);
    let service = CoordinationLayer::named("tower_test.timeout_retried")
        .retry(policy)
        .timeout(Duration::from_millis(250))
        .layer(Hangs(Arc::clone(&calls)));
    let response = paused()
        .block_on(service.oneshot(String::new()))
        .expect("infallible");
    assert_eq!(response.status(), 504);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let stats = coord::retry::retry_stats();
    let retried = stats
        .iter()
        .find(|s| s.operation == "tower_test.timeout_retried")
        .expect("retry statistics");
    assert_eq!((retried.timeouts, retried.retries), (3, 2));
    let tracked = coord::tracking::operation_stats();
    let tracked = tracked
        .iter()
        .find(|s| s.operation == "tower_test.timeout_retried")
        .expect("operation statistics");
    assert_eq!(tracked.calls.error, 1, "a 504 is a failed request");
}

#[test]
fn the_layer_refuses_past_its_rate_with_429_and_retry_after_and_past_its_bulkhead_with_503() {
    use coord::limit::{BulkheadConfig, RateLimit};
    let calls = Arc::new(AtomicU32::new(0));
    let limiter = coord::limit::rate_limiter("tower_test.rate", RateLimit::per_second(1).burst(1));
    let service = CoordinationLayer::named("tower_test.rate")
        .rate_limiter(limiter)
        .layer(Flaky {
            calls: Arc::clone(&calls),
            failures: 0,
        });
    let runtime = current_thread();
    let first = runtime
        .block_on(service.clone().oneshot("a".to_owned()))
        .expect("infallible");
    assert_eq!(first.status(), 200);
    let second = runtime
        .block_on(service.oneshot("b".to_owned()))
        .expect("infallible");
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()[http::header::RETRY_AFTER], "1");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the refused request never reached the service"
    );

    // A bulkhead of one, held by a request that never answers: the next is refused.
    let pool = coord::limit::bulkhead("tower_test.pool", BulkheadConfig::new(1));
    let hung = Arc::new(AtomicU32::new(0));
    let service = CoordinationLayer::named("tower_test.pool")
        .bulkhead(pool)
        .layer(Hangs(Arc::clone(&hung)));
    runtime.block_on(async {
        let holder = tokio::spawn(service.clone().oneshot(String::new()));
        while pool.in_use() == 0 {
            tokio::task::yield_now().await;
        }
        let refused = service.oneshot(String::new()).await.expect("infallible");
        assert_eq!(refused.status(), 503);
        holder.abort();
        let _ = holder.await;
    });
    assert_eq!(pool.in_use(), 0, "the aborted request freed its slot");
    assert_eq!(hung.load(Ordering::SeqCst), 1);
}

/// Answers `status` with `Retry-After: seconds` first, then 200.
#[derive(Clone)]
struct AsksToWaitOnce {
    calls: Arc<AtomicU32>,
    status: http::StatusCode,
    seconds: &'static str,
}

impl Service<String> for AsksToWaitOnce {
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, request: String) -> Self::Future {
        let mut response = http::Response::new(request);
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            *response.status_mut() = self.status;
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static(self.seconds),
            );
        }
        std::future::ready(Ok(response))
    }
}

/// How long a retried request to a service that answers `status` with `Retry-After: seconds`
/// once took, on tokio's paused clock; and how many calls it made.
fn retried_after(name: &str, status: http::StatusCode, seconds: &'static str) -> (Duration, u32) {
    let calls = Arc::new(AtomicU32::new(0));
    let policy = coord::retry::RetryPolicy::for_severity(coord::Severity::Medium)
        .max_retries(1)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_secs(10))
        .jitter(coord::retry::Jitter::None);
    let service = CoordinationLayer::named(name)
        .retry(policy)
        .layer(AsksToWaitOnce {
            calls: Arc::clone(&calls),
            status,
            seconds,
        });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let elapsed = runtime.block_on(async {
        let started = tokio::time::Instant::now();
        let response = service.oneshot("x".to_owned()).await.expect("infallible");
        assert_eq!(response.status(), 200);
        started.elapsed()
    });
    (elapsed, calls.load(Ordering::SeqCst))
}

#[test]
fn a_retry_waits_for_the_retry_after_the_service_answered() {
    assert_eq!(
        retried_after(
            "tower_test.retry_after",
            http::StatusCode::SERVICE_UNAVAILABLE,
            "2"
        ),
        (Duration::from_secs(2), 2),
        "waited as the service asked, not 1 ms"
    );
}

#[test]
fn a_429_is_retried_after_its_retry_after() {
    assert_eq!(
        retried_after(
            "tower_test.throttled",
            http::StatusCode::TOO_MANY_REQUESTS,
            "1"
        ),
        (Duration::from_secs(1), 2)
    );
}
