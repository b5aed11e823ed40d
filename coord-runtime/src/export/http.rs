//! The HTTP listener serving `/metrics`, `/health` and `/report`, on its own thread and
//! single-threaded tokio runtime.
//!
//! coord binds the socket itself rather than using the exporter's listener so that a taken port is
//! an error returned to the caller, port 0 reports the port it got, and the listener does not depend
//! on (or die with) whatever runtime the application happens to run.

use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::Semaphore;

use super::ExportError;
use crate::HealthStatus;

/// A client that has not sent its request headers by then is disconnected.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the listener serves at once (exported as `MAX_HTTP_CONNECTIONS`). Past this, new clients wait in the kernel's accept queue until a
/// connection ends (at the latest `HEADER_READ_TIMEOUT`, 10 s, after an idle client's last request),
/// so many slow or idle clients cost a bounded amount of memory. Scrapers use one connection.
pub const MAX_CONNECTIONS: usize = 256;

/// Content type of `/health` and `/report`.
const JSON_CONTENT_TYPE: &str = "application/json";

/// Content type of the Prometheus text exposition format.
const EXPOSITION_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves `handle` on `listener` from a new thread, for the life of the process.
pub fn spawn(listener: TcpListener, handle: PrometheusHandle) -> Result<(), ExportError> {
    listener
        .set_nonblocking(true)
        .map_err(|source| ExportError::Thread {
            what: "HTTP listener",
            source,
        })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|source| ExportError::Thread {
            what: "HTTP listener",
            source,
        })?;
    std::thread::Builder::new()
        .name("coord-metrics-http".into())
        .spawn(move || runtime.block_on(serve(listener, handle)))
        .map_err(|source| ExportError::Thread {
            what: "HTTP listener",
            source,
        })?;
    Ok(())
}

async fn serve(listener: TcpListener, handle: PrometheusHandle) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // Never closed, so acquiring only waits.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        // Accept errors (e.g. too many open files) are transient: keep serving the next client.
        let Ok((stream, _peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let handle = handle.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |request| {
                let response = respond(&request, &handle);
                async move { Ok::<_, Infallible>(response) }
            });
            // A client that hangs up or speaks garbage only ends its own connection.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What the listener serves.
#[derive(Clone, Copy)]
enum Endpoint {
    /// The Prometheus text exposition.
    Metrics,
    /// The overall status as JSON: 200 when healthy or degraded, 503 when unhealthy.
    Health,
    /// The whole report as JSON.
    Report,
}

fn respond(request: &Request<Incoming>, handle: &PrometheusHandle) -> Response<Full<Bytes>> {
    let endpoint = match request.uri().path() {
        "/metrics" => Endpoint::Metrics,
        "/health" => Endpoint::Health,
        "/report" => Endpoint::Report,
        _ => {
            return plain(
                StatusCode::NOT_FOUND,
                "not found; served: /metrics, /health, /report\n",
            );
        }
    };
    let head = match *request.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "use GET\n");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
    };
    let (status, content_type, body) = match endpoint {
        Endpoint::Metrics => (
            StatusCode::OK,
            EXPOSITION_CONTENT_TYPE,
            super::render(handle),
        ),
        Endpoint::Health => {
            let report = crate::error_handling_report();
            let status = match report.health_status {
                HealthStatus::Unhealthy => StatusCode::SERVICE_UNAVAILABLE,
                HealthStatus::Healthy | HealthStatus::Degraded => StatusCode::OK,
            };
            let not_closed: Vec<serde_json::Value> = report
                .breakers
                .iter()
                .filter(|breaker| breaker.state != crate::BreakerState::Closed)
                .map(|breaker| serde_json::json!({"breaker": breaker.name, "state": breaker.state}))
                .collect();
            let body = serde_json::json!({"status": report.health_status, "breakers": not_closed});
            (status, JSON_CONTENT_TYPE, body.to_string())
        }
        Endpoint::Report => {
            let body = serde_json::to_string(&crate::report())
                .unwrap_or_else(|err| serde_json::json!({"error": err.to_string()}).to_string());
            (StatusCode::OK, JSON_CONTENT_TYPE, body)
        }
    };
    let mut response = Response::new(Full::new(if head {
        Bytes::new()
    } else {
        Bytes::from(body)
    }));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn plain(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
