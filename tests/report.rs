//! `coord::report()` against a known workload: exact figures, the tables, JSON and YAML.

#[coord::track_performance("report.known")]
fn known(fail: bool) -> Result<(), String> {
    if fail { Err("no".to_owned()) } else { Ok(()) }
}

#[test]
fn a_known_workload_gives_exact_figures() {
    for call in 0..100 {
        let _ = known(call % 10 == 0);
    }
    let report = coord::report();
    let op = report
        .performance
        .iter()
        .find(|op| op.operation == "report.known")
        .unwrap();
    assert_eq!(
        (op.calls, op.ok, op.errors, op.panics, op.cancelled),
        (100, 90, 10, 0, 0)
    );
    assert_eq!(op.error_rate, 0.1, "10 errors in 100 calls");
    assert!(
        op.p50_ms.is_some() && op.p50_ms <= op.p99_ms && op.p99_ms <= op.max_ms.map(|m| m * 1.07)
    );
    assert!(op.throughput_per_sec > 0.0);

    // Fast calls at a 10 % error rate: p95 earns 100 points, the error rate 50 (rules/quality.yaml:
    // fair up to 20 %); the weaker figure decides, so 50, FAIR — fast failures are no credit.
    assert_eq!(
        (op.score, op.class),
        (50.0, coord::report::PerformanceClass::Fair)
    );
    let tables = report.to_string();
    for heading in [
        "overall: healthy",
        "performance (ms)",
        "circuit breakers",
        "retries",
        "validation",
    ] {
        assert!(tables.contains(heading), "{heading} missing:\n{tables}");
    }
    assert!(
        tables
            .lines()
            .any(|l| l.contains("report.known") && l.contains("10.00%")),
        "{tables}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(json["overall"], "healthy");
    let yaml = serde_yaml::to_string(&report).unwrap();
    assert!(
        yaml.contains("overall: healthy") && yaml.contains("operation: report.known"),
        "{yaml}"
    );
}
