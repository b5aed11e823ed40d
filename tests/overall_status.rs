//! The overall status through the public API: a high error rate degrades it however fast the
//! calls fail, an open breaker degrades it, and only a breaker that `health_fail_on_breakers`
//! lists makes it unhealthy (`/health`'s status follows it; see `http_endpoints.rs`).
//! A test binary of its own: the status sums up every operation in the process.

use coord::report::{HealthStatus, PerformanceClass};

#[coord::track_performance("overall.flaky")]
fn flaky(fail: bool) -> Result<(), String> {
    if fail { Err("down".to_owned()) } else { Ok(()) }
}

#[test]
fn errors_degrade_and_only_a_listed_breaker_makes_unhealthy() {
    coord::init_with(coord::config::CoordinationConfig {
        health_fail_on_breakers: vec!["overall.ledger".to_owned()],
        enable_performance_monitoring: true,
        ..coord::config::CoordinationConfig::load().expect("defaults")
    })
    .expect("init");
    assert_eq!(coord::report().overall, HealthStatus::Healthy);

    // 69 of 100 calls fail, each in microseconds: not healthy, not GOOD.
    for call in 0..100 {
        let _ = flaky(call < 69);
    }
    let report = coord::report();
    let flaky = report
        .performance
        .iter()
        .find(|op| op.operation == "overall.flaky")
        .expect("tracked");
    assert!((flaky.error_rate - 0.69).abs() < 1e-9, "{flaky:?}");
    assert_eq!(flaky.class, PerformanceClass::Poor, "{flaky:?}");
    assert_eq!(report.performance_class, PerformanceClass::Poor);
    assert_eq!(report.overall, HealthStatus::Degraded);
    assert!(
        report.overall_reasons[0]
            .starts_with("performance is POOR (worst: `overall.flaky`, 69.0 % errors"),
        "{:?}",
        report.overall_reasons
    );

    coord::breaker("overall.dependency").force_open();
    assert_eq!(coord::report().overall, HealthStatus::Degraded);
    coord::breaker("overall.ledger").force_open();
    assert_eq!(coord::report().overall, HealthStatus::Unhealthy);
    coord::breaker("overall.ledger").reset();
    coord::breaker("overall.dependency").reset();
    assert_eq!(coord::report().overall, HealthStatus::Degraded);
}
