//! `/metrics`, `/health` and `/report` through a real HTTP client on loopback, with bad paths
//! and methods.

mod support;

use support::http;

#[test]
fn health_follows_the_breakers_and_report_is_the_json_report() {
    coord::init_with(coord::config::CoordinationConfig {
        health_fail_on_breakers: vec!["endpoints.ledger".to_owned()],
        enable_performance_monitoring: false,
        ..coord::config::CoordinationConfig::load().expect("defaults")
    })
    .expect("init");
    let exporter = coord::prometheus()
        .listen("127.0.0.1:0")
        .install()
        .expect("install");
    let addr = exporter.local_addr().expect("listening");

    let (status, body) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "healthy");

    // Every known breaker is listed, closed ones too.
    let payments = coord::breaker("endpoints.payments");
    let ledger = coord::breaker("endpoints.ledger");
    let (_, body) = http::get(addr, "/health").expect("GET /health");
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        health["breakers"],
        serde_json::json!([
            {"breaker": "endpoints.ledger", "state": "closed", "health": "healthy", "fails_health": true},
            {"breaker": "endpoints.payments", "state": "closed", "health": "healthy", "fails_health": false},
        ]),
        "{body}"
    );

    // A breaker the configuration does not list degrades, and the replica stays in rotation.
    payments.force_open();
    let (status, body) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(status, 200, "an open breaker only degrades: {body}");
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["breakers"][1]["state"], "forced_open");
    assert_eq!(
        health["reasons"],
        serde_json::json!(["circuit breaker `endpoints.payments` is forced_open"]),
        "{body}"
    );

    // One that `health_fail_on_breakers` lists makes the process unhealthy: 503.
    ledger.force_open();
    let (status, body) = http::get(addr, "/health").expect("GET /health");
    assert_eq!(status, 503, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "unhealthy");
    ledger.reset();
    payments.reset();
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
