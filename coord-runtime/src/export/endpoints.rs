//! What `/metrics`, `/health` and `/report` answer, independent of any HTTP server: coord's own
//! listener serves these, and applications with a router of their own (axum, actix, …) serve
//! the same answers beside their routes through [`Exporter::endpoint`].

use metrics_exporter_prometheus::PrometheusHandle;

use super::Exporter;
use crate::report::error_handling::HealthStatus;

/// Content type of `/health` and `/report`.
const JSON_CONTENT_TYPE: &str = "application/json";

/// Content type of the Prometheus text exposition format.
const EXPOSITION_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The paths coord answers.
pub const ENDPOINT_PATHS: [&str; 3] = ["/metrics", "/health", "/report"];

/// One answer of coord's endpoints; see [`Exporter::endpoint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointResponse {
    /// The HTTP status: 200, or 503 from `/health` while the process is unhealthy.
    pub status: u16,
    /// The `Content-Type` header's value.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Exporter {
    /// The answer to `GET path` for `path` in `/metrics`, `/health`, `/report`, or `None` for
    /// any other path — to serve coord's endpoints from an application's own HTTP router.
    ///
    /// ```
    /// let exporter = coord::prometheus().install()?;
    /// let health = exporter.endpoint("/health").unwrap();
    /// assert_eq!((health.status, health.content_type), (200, "application/json"));
    /// assert!(exporter.endpoint("/metrics").unwrap().body.contains("coord_build_info"));
    /// assert_eq!(exporter.endpoint("/elsewhere"), None);
    /// # Ok::<(), coord::export::ExportError>(())
    /// ```
    #[must_use]
    pub fn endpoint(&self, path: &str) -> Option<EndpointResponse> {
        answer(path, None, &self.handle)
    }

    /// [`endpoint`](Self::endpoint) for a request with this `Accept` header: `/metrics` answers
    /// in OpenMetrics (with exemplars) when it asks for `application/openmetrics-text`, as
    /// Prometheus does, and in the text format otherwise.
    ///
    /// ```
    /// let exporter = coord::prometheus().install()?;
    /// let metrics = exporter
    ///     .endpoint_accepting("/metrics", Some("application/openmetrics-text;version=1.0.0"))
    ///     .unwrap();
    /// assert!(metrics.content_type.starts_with("application/openmetrics-text"));
    /// assert!(metrics.body.ends_with("# EOF\n"));
    /// # Ok::<(), coord::export::ExportError>(())
    /// ```
    #[must_use]
    pub fn endpoint_accepting(&self, path: &str, accept: Option<&str>) -> Option<EndpointResponse> {
        answer(path, accept, &self.handle)
    }
}

/// The answer to `GET path`, if coord serves `path`.
pub(super) fn answer(
    path: &str,
    accept: Option<&str>,
    handle: &PrometheusHandle,
) -> Option<EndpointResponse> {
    let response = match path {
        "/metrics" if super::openmetrics::asked_for(accept) => EndpointResponse {
            status: 200,
            content_type: super::openmetrics::CONTENT_TYPE,
            body: super::render_openmetrics(handle),
        },
        "/metrics" => EndpointResponse {
            status: 200,
            content_type: EXPOSITION_CONTENT_TYPE,
            body: super::render(handle),
        },
        "/health" => {
            let report = crate::report::report();
            // Liveness and readiness for load balancers: only `unhealthy` (a breaker listed in
            // `health_fail_on_breakers` refusing calls) answers 503. An open breaker elsewhere
            // degrades the process but keeps it in rotation: taking every replica out because
            // one dependency failed turns a partial outage into a total one.
            let status = match report.overall {
                HealthStatus::Unhealthy => 503,
                HealthStatus::Healthy | HealthStatus::Degraded => 200,
            };
            let breakers: Vec<serde_json::Value> = report
                .error_handling
                .breakers
                .iter()
                .map(|breaker| {
                    serde_json::json!({
                        "breaker": breaker.name,
                        "state": breaker.state,
                        "health": breaker.health(),
                        "fails_health": breaker.fails_health,
                    })
                })
                .collect();
            let awaiting: Vec<serde_json::Value> = report
                .sagas
                .iter()
                .filter(|saga| !saga.awaiting_operator.is_empty())
                .map(|saga| serde_json::json!({"saga": saga.saga, "compensation_failed": saga.awaiting_operator}))
                .collect();
            let body = serde_json::json!({
                "status": report.overall,
                "reasons": report.overall_reasons,
                "performance_class": report.performance_class,
                "breakers": breakers,
                "sagas": awaiting,
            });
            EndpointResponse {
                status,
                content_type: JSON_CONTENT_TYPE,
                body: body.to_string(),
            }
        }
        "/report" => EndpointResponse {
            status: 200,
            content_type: JSON_CONTENT_TYPE,
            body: serde_json::to_string(&crate::report::report())
                .unwrap_or_else(|err| serde_json::json!({"error": err.to_string()}).to_string()),
        },
        _ => return None,
    };
    Some(response)
}
