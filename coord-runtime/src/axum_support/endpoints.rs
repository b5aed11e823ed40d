//! coord's endpoints as an axum `Router`, to merge into the application's: no handler to copy.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::export::{ENDPOINT_PATHS, Exporter};

/// A router answering `GET /metrics`, `/health` and `/report` from `exporter`, as its own
/// listener would; merge it into the application's router.
///
/// ```
/// use axum::{Router, routing::get};
///
/// let exporter = coord::prometheus().install()?;
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .merge(coord::axum::endpoints(exporter));
/// # let _ = app;
/// # Ok::<(), coord::export::ExportError>(())
/// ```
pub fn endpoints<S>(exporter: Exporter) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let mut router = Router::new();
    for path in ENDPOINT_PATHS {
        router = router.route(path, get(answer));
    }
    router.with_state(exporter)
}

async fn answer(
    State(exporter): State<Exporter>,
    uri: Uri,
    headers: header::HeaderMap,
) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    match exporter.endpoint_accepting(uri.path(), accept) {
        Some(answer) => (
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, answer.content_type)],
            answer.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
