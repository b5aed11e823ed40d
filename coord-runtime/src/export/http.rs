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

/// A client that has not sent its request headers by then is disconnected.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the listener serves at once (exported as `MAX_HTTP_CONNECTIONS`). Past this, new clients wait in the kernel's accept queue until a
/// connection ends (at the latest `HEADER_READ_TIMEOUT`, 10 s, after an idle client's last request),
/// so many slow or idle clients cost a bounded amount of memory. Scrapers use one connection.
pub const MAX_CONNECTIONS: usize = 256;

/// Serves `handle` on `listener` from a new thread, for the life of the process.
pub(super) fn spawn(listener: TcpListener, handle: PrometheusHandle) -> Result<(), ExportError> {
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

fn respond(request: &Request<Incoming>, handle: &PrometheusHandle) -> Response<Full<Bytes>> {
    if !super::endpoints::ENDPOINT_PATHS.contains(&request.uri().path()) {
        return plain(
            StatusCode::NOT_FOUND,
            "not found; served: /metrics, /health, /report\n",
        );
    }
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
    let Some(answer) = super::endpoints::answer(request.uri().path(), handle) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let mut response = Response::new(Full::new(if head {
        Bytes::new()
    } else {
        Bytes::from(answer.body)
    }));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
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
