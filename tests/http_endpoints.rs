//! `/metrics`, `/health` and `/report` through a real HTTP client on loopback, with bad paths
//! and methods.

mod support;

use support::http;

#[test]
fn health_follows_the_breakers_and_report_is_the_json_report() {
    let exporter = coord::prometheus()
        .listen("127.0.0.1:0")
        .install()
        .expect("install");
    let addr = exporter.local_addr().expect("listening");

    let (status, body) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "healthy");

    let breaker = coord::breaker("endpoints.payments");
    breaker.force_open();
    let (status, body) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(
        status, 503,
        "an open breaker makes the process unhealthy: {body}"
    );
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "unhealthy");
    assert_eq!(health["breakers"][0]["breaker"], "endpoints.payments");
    assert_eq!(health["breakers"][0]["state"], "forced_open");
    breaker.reset();
    assert_eq!(http::get(addr, "/health").expect("GET /health").0, 200);

    let (status, body) = http::get(addr, "/report").expect("GET /report");
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_str(&body).expect("JSON report");
    for section in ["overall", "performance", "error_handling", "validation"] {
        assert!(report.get(section).is_some(), "{section} missing: {body}");
    }

    assert_eq!(http::get(addr, "/metrics").expect("GET /metrics").0, 200);
    assert_eq!(http::get(addr, "/nope").expect("GET /nope").0, 404);
    assert_eq!(
        http::request(addr, "DELETE", "/report").expect("DELETE").0,
        405
    );
    assert_eq!(http::request(addr, "HEAD", "/health").expect("HEAD").0, 200);
}
