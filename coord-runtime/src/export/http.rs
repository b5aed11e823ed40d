//! The HTTP listener serving `/metrics`, `/health` and `/report`, on its own thread and
//! single-threaded tokio runtime.
//!
//! coord binds the socket itself rather than using the exporter's listener so that a taken port is
//! an error returned to the caller, port 0 reports the port it got, and the listener does not depend
//! on (or die with) whatever runtime the application happens to run.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::TcpListener;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::{Notify, Semaphore};

use super::ExportError;

/// A client that has not sent its request headers by then is disconnected.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the listener keeps open at once (exported as `MAX_HTTP_CONNECTIONS`), so many
/// slow or idle clients cost a bounded amount of memory. A client arriving when all are taken
/// is served at once: the connection that has been quiet longest (a client that has not
/// finished sending its request, or an idle keep-alive connection) is closed to make room.
/// So idle and slow clients, even ones that reconnect as fast as they can, cannot keep a
/// scraper waiting; with a queue instead, 256 of them held every scrape for the 10 s header
/// timeout.
pub const MAX_CONNECTIONS: usize = 256;

/// The open connections: when each last showed activity (accepted, or a request received),
/// and how to close it.
#[derive(Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, Open>,
}

struct Open {
    /// Milliseconds since the listener started.
    active_at: Arc<AtomicU64>,
    close: Arc<Notify>,
}

impl Connections {
    /// Closes the connection quiet for longest, to make room for a new one. It leaves the
    /// list at once, so the next newcomer picks another even before this one has closed.
    fn close_quietest(&mut self) {
        let quietest = self
            .open
            .iter()
            .min_by_key(|(_, open)| open.active_at.load(Ordering::Relaxed))
            .map(|(id, _)| *id);
        if let Some(open) = quietest.and_then(|id| self.open.remove(&id)) {
            open.close.notify_one();
        }
    }
}

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
    let connections = Arc::new(Mutex::new(Connections::default()));
    let started = Instant::now();
    let now = move || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    loop {
        // Accept errors (e.g. too many open files) are transient: keep serving the next client.
        let Ok((stream, _peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let slot = if let Ok(slot) = Arc::clone(&slots).try_acquire_owned() {
            slot
        } else {
            connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .close_quietest();
            // The closed connection's task gives its slot back when it next runs. Never
            // closed, so acquiring only waits.
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                return;
            };
            slot
        };
        let active_at = Arc::new(AtomicU64::new(now()));
        let close = Arc::new(Notify::new());
        let id = {
            let mut connections = connections.lock().unwrap_or_else(PoisonError::into_inner);
            let id = connections.next_id;
            connections.next_id += 1;
            connections.open.insert(
                id,
                Open {
                    active_at: Arc::clone(&active_at),
                    close: Arc::clone(&close),
                },
            );
            id
        };
        let handle = handle.clone();
        let connections = Arc::clone(&connections);
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |request| {
                active_at.store(now(), Ordering::Relaxed);
                let response = respond(&request, &handle);
                async move { Ok::<_, Infallible>(response) }
            });
            // A client that hangs up or speaks garbage only ends its own connection.
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            until_either(connection, close.notified()).await;
            connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .open
                .remove(&id);
        });
    }
}

/// Runs until `serving` ends or `closing` fires; dropping `serving` closes the connection.
async fn until_either(serving: impl Future, closing: impl Future) {
    let mut serving = pin!(serving);
    let mut closing = pin!(closing);
    poll_fn(|cx| {
        if serving.as_mut().poll(cx).is_ready() || closing.as_mut().poll(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
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
    let accept = request
        .headers()
        .get(hyper::header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    let Some(answer) = super::endpoints::answer(request.uri().path(), accept, handle) else {
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
