//! The overall status through the public API: poor performance degrades it, an open breaker
//! makes it unhealthy (and `/health`'s status follows it; see `http_endpoints.rs`).
//! A test binary of its own: the status sums up every operation in the process.

#[coord::track_performance("overall.failing")]
fn failing() -> Result<(), String> {
    std::thread::sleep(std::time::Duration::from_millis(1));
    Err("always".to_owned())
}

/// Thresholds a 1 ms call misses: with every call failing too, the score is 25, POOR.
fn load_strict_thresholds() {
    let dir = std::env::temp_dir().join(format!("coord-overall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("thresholds.yaml"),
        "performance_thresholds:\n  p95_ms: {excellent: 0.01, good: 0.02, fair: 0.05}\n  error_rate: {excellent: 0.01, good: 0.05, fair: 0.2}\n",
    )
    .unwrap();
    coord::validation::load_rules(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn poor_performance_degrades_and_an_open_breaker_makes_unhealthy() {
    load_strict_thresholds();
    assert_eq!(
        coord::report().overall,
        coord::report::HealthStatus::Healthy
    );
    for _ in 0..10 {
        let _ = failing();
    }
    let report = coord::report();
    assert_eq!(
        report.performance_class,
        coord::report::PerformanceClass::Poor
    );
    assert_eq!(report.overall, coord::report::HealthStatus::Degraded);

    coord::breaker("overall.dependency").force_open();
    assert_eq!(
        coord::report().overall,
        coord::report::HealthStatus::Unhealthy
    );
    coord::breaker("overall.dependency").reset();
    assert_eq!(
        coord::report().overall,
        coord::report::HealthStatus::Degraded
    );
}
