//! Calls made before any recorder exists must not leave the call site writing into a no-op
//! handle forever: once the exporter is installed, the next call registers real handles.
//! Counts are published from coord's own statistics, so the counters and the duration histogram
//! of a recorder installed late include the calls made before it existed.

mod support;

use support::http;

#[coord::track_performance]
fn early_and_late(fail: bool) -> Result<(), &'static str> {
    if fail { Err("failed") } else { Ok(()) }
}

#[test]
fn calls_after_a_late_install_are_exported_and_statistics_keep_the_early_ones() {
    early_and_late(false).unwrap();
    early_and_late(true).unwrap_err();

    let exporter = coord::prometheus()
        .listen("127.0.0.1:0")
        .install()
        .expect("first recorder of this binary");
    early_and_late(false).unwrap();
    early_and_late(false).unwrap();
    early_and_late(true).unwrap_err();

    let text = exporter.render();
    // Counters are totals since the process started: 3 ok and 2 errors.
    assert!(
        text.contains(r#"coord_operation_calls_total{operation="early_and_late",outcome="ok"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"coord_operation_calls_total{operation="early_and_late",outcome="error"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"coord_operation_duration_seconds_count{operation="early_and_late"} 5"#),
        "{text}"
    );

    // The in-process statistics saw every call, before and after.
    let stats = coord::tracking::operation_stats();
    let op = stats
        .iter()
        .find(|s| s.operation == "early_and_late")
        .expect("tracked");
    assert_eq!((op.calls.ok, op.calls.error), (3, 2));

    // And the same text is what the listener serves.
    let addr = exporter.local_addr().expect("listening");
    let (status, body) = http::get(addr, "/metrics").expect("scrape");
    assert_eq!(status, 200);
    assert!(body.contains(r#"outcome="ok"} 3"#), "{body}");

    // A second install is a clear error, and the first exporter keeps working.
    let err = coord::prometheus()
        .install()
        .expect_err("already installed");
    assert!(
        matches!(err, coord::export::ExportError::RecorderAlreadyInstalled),
        "{err}"
    );
    early_and_late(false).unwrap();
    assert!(exporter.render().contains(r#"outcome="ok"} 4"#));
}
