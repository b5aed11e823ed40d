//! Buckets asked of the exporter after operations already count with the configured ones are
//! refused with both lists, instead of being silently ignored for coord's histogram.

#[coord::track_performance(name = "buckets.early")]
fn early() {}

#[test]
fn buckets_asked_after_the_first_tracked_call_are_refused() {
    early();
    let err = coord::prometheus()
        .duration_buckets(&[0.5, 2.0])
        .install()
        .expect_err("operations already count with the default buckets");
    match &err {
        coord::export::ExportError::BucketsInUse { asked, in_use } => {
            assert_eq!(asked, &[0.5, 2.0]);
            assert_eq!(in_use, coord::export::DEFAULT_DURATION_BUCKETS);
        }
        other => panic!("expected BucketsInUse, got {other}"),
    }
    assert!(
        err.to_string().contains("before the first tracked call"),
        "{err}"
    );
    // The exporter installs with the bounds in effect.
    let exporter = coord::prometheus()
        .install()
        .expect("install with the defaults");
    assert!(
        exporter
            .render()
            .contains(r#"operation="buckets.early",le="0.0001"}"#)
    );
}
