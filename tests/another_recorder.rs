//! Living with another `metrics` recorder: an application that installs its own (here
//! `metrics-exporter-prometheus`, as a user would) gets coord's counters as they are, and the
//! duration histogram as each bucket's new calls at their mean duration: counts and sums exact,
//! bucket counts exact when it uses coord's bounds; a recorder left to its own defaults (a
//! summary) gets its quantiles from those per-bucket values. coord says so once, with what to do.

mod support;

use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use support::captured_logs::logged_at;

#[coord::track_performance(name = "other.quick")]
fn quick() {}

#[coord::track_performance(name = "other.slow")]
fn slow() {
    std::thread::sleep(Duration::from_millis(30));
}

/// The sample of `series` in `text`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no `{series}` in:\n{text}"))
}

#[test]
fn another_recorder_gets_exact_counts_sums_and_buckets_and_is_told_what_it_gets() {
    // Wide buckets, so scheduling noise on a busy machine cannot move a call to another one.
    let config = coord::config::CoordinationConfig::builder()
        .env([("COORDINATION_DURATION_BUCKETS", "0.01,0.1,1")])
        .load()
        .expect("a configuration");
    coord::init_with(config).expect("init");
    let bounds = coord::export::duration_bucket_bounds();
    assert_eq!(bounds, [0.01, 0.1, 1.0]);
    for _ in 0..5 {
        quick();
    }
    for _ in 0..3 {
        slow();
    }

    // The user's recorder, given coord's bounds for coord's histogram.
    let with_bounds = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(coord::export::metric_names::DURATION_SECONDS.to_owned()),
            &bounds,
        )
        .expect("buckets")
        .build_recorder();
    let ((), log) = logged_at(tracing::Level::INFO, || {
        metrics::with_local_recorder(&with_bounds, coord::flush_metrics);
    });
    assert!(
        log.contains("is not coord's exporter")
            && log.contains("coord::export::duration_bucket_bounds()"),
        "{log}"
    );
    let text = with_bounds.handle().render();
    let bucket = |operation: &str, le: &str| {
        sample(
            &text,
            &format!(
                r#"coord_operation_duration_seconds_bucket{{operation="{operation}",le="{le}"}}"#
            ),
        )
    };
    assert_eq!(bucket("other.quick", "0.01"), 5.0);
    assert_eq!(bucket("other.slow", "0.01"), 0.0);
    assert_eq!(bucket("other.slow", "0.1"), 3.0);
    assert_eq!(bucket("other.slow", "+Inf"), 3.0);
    assert_eq!(
        sample(
            &text,
            r#"coord_operation_calls_total{operation="other.slow",outcome="ok"}"#
        ),
        3.0
    );
    // The sum is coord's own total: the mean the report shows, times the calls.
    let report = coord::report();
    let slow_report = report
        .performance
        .iter()
        .find(|op| op.operation == "other.slow")
        .expect("reported");
    let sum = sample(
        &text,
        r#"coord_operation_duration_seconds_sum{operation="other.slow"}"#,
    );
    let mean_ms = slow_report.mean_ms.expect("a mean");
    assert!(
        (sum - 3.0 * mean_ms / 1e3).abs() < 1e-6,
        "sum {sum} against 3 × {mean_ms} ms"
    );

    // A recorder left to its defaults renders a summary: its quantiles come from the
    // per-bucket means (here every slow call lies in one bucket, so its mean is every quantile).
    let summary = PrometheusBuilder::new().build_recorder();
    let ((), second_log) = logged_at(tracing::Level::INFO, || {
        metrics::with_local_recorder(&summary, coord::flush_metrics);
    });
    assert!(
        !second_log.contains("is not coord's exporter"),
        "said once: {second_log}"
    );
    let text = summary.handle().render();
    let median = sample(
        &text,
        r#"coord_operation_duration_seconds{operation="other.slow",quantile="0.5"}"#,
    );
    assert!(
        (median - mean_ms / 1e3).abs() < 1e-3,
        "{median} against {mean_ms} ms"
    );
    assert_eq!(
        sample(
            &text,
            r#"coord_operation_duration_seconds_count{operation="other.slow"}"#
        ),
        3.0
    );
}
