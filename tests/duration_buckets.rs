//! The exporter's `duration_buckets` are the buckets of coord's own duration histogram, read
//! back from `/metrics` over HTTP (they were once ignored for it, silently).

mod support;

use support::http;

#[coord::track_performance(name = "buckets.custom")]
fn custom() {}

#[test]
fn custom_buckets_are_the_ones_served() {
    let exporter = coord::prometheus()
        .duration_buckets(&[0.5, 2.0])
        .listen("127.0.0.1:0")
        .install()
        .expect("install");
    custom();
    let addr = exporter.local_addr().expect("listening");
    let (status, body) = http::get(addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200, "{body}");
    let buckets: Vec<&str> = body
        .lines()
        .filter(|line| {
            line.starts_with("coord_operation_duration_seconds_bucket{operation=\"buckets.custom\"")
        })
        .collect();
    assert_eq!(
        buckets,
        [
            r#"coord_operation_duration_seconds_bucket{operation="buckets.custom",le="0.5"} 1"#,
            r#"coord_operation_duration_seconds_bucket{operation="buckets.custom",le="2"} 1"#,
            r#"coord_operation_duration_seconds_bucket{operation="buckets.custom",le="+Inf"} 1"#,
        ],
        "{body}"
    );
    assert!(
        body.contains(r#"coord_operation_duration_seconds_count{operation="buckets.custom"} 1"#)
    );

    // The bounds are fixed now: asking for others is an error naming both, the same is fine.
    let err = coord::prometheus()
        .duration_buckets(&[1.0])
        .install()
        .expect_err("buckets already in use");
    assert!(
        matches!(&err, coord::export::ExportError::BucketsInUse { asked, in_use } if asked == &[1.0] && in_use == &[0.5, 2.0]),
        "{err}"
    );
}
