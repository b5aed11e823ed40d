//! Exemplars: with a trace id source installed, a tracked call's duration bucket carries the
//! trace it came from in the OpenMetrics exposition — which `/metrics` answers when the scraper
//! asks for it, as Prometheus does — and a real Prometheus with exemplar storage returns it
//! from `/api/v1/query_exemplars`. The text format carries none.

mod support;

use std::cell::Cell;
use std::time::Duration;

use support::http;
use support::prometheus::{PrometheusServer, required_tool};

thread_local! {
    /// The trace of the work this thread does now, as an application's tracing would know it.
    static TRACE: Cell<Option<u128>> = const { Cell::new(None) };
}

const TRACE_ID: u128 = 0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c;

#[coord::track_performance(name = "exemplars.checkout")]
fn checkout() -> Result<(), String> {
    std::thread::sleep(Duration::from_millis(2));
    Ok(())
}

#[test]
fn traced_calls_leave_exemplars_that_prometheus_stores() {
    assert!(coord::export::set_trace_id_source(|| TRACE.with(Cell::get)));
    let exporter = coord::prometheus()
        .listen("127.0.0.1:0")
        .install()
        .expect("the only recorder of this binary");
    checkout().unwrap();
    TRACE.with(|trace| trace.set(Some(TRACE_ID)));
    checkout().unwrap();
    TRACE.with(|trace| trace.set(None));

    let open = exporter.render_openmetrics();
    let traced = format!("# {{trace_id=\"{TRACE_ID:032x}\"}}");
    let bucket_line = open
        .lines()
        .find(|line| line.contains(&traced))
        .unwrap_or_else(|| panic!("no exemplar in:\n{open}"));
    assert!(
        bucket_line.starts_with(
            "coord_operation_duration_seconds_bucket{operation=\"exemplars.checkout\""
        ),
        "{bucket_line}"
    );
    assert!(
        open.contains("# TYPE coord_operation_calls counter\n"),
        "{open}"
    );
    assert!(open.ends_with("# EOF\n"));
    assert!(
        !exporter.render().contains("trace_id"),
        "the text format has no exemplars"
    );

    // Negotiated over HTTP.
    let addr = exporter.local_addr().expect("listening");
    let (status, body) = http::get(addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    assert!(!body.contains("# EOF"), "text by default");

    let Some(binary) = required_tool("prometheus") else {
        return;
    };
    let mut server =
        PrometheusServer::start_with(&binary, addr, None, &["--enable-feature=exemplar-storage"]);
    let exemplar = server.exemplars_until_present(
        r#"coord_operation_duration_seconds_bucket{operation="exemplars.checkout"}"#,
        Duration::from_secs(60),
    );
    assert_eq!(exemplar["labels"]["trace_id"], format!("{TRACE_ID:032x}"));
    let seconds: f64 = exemplar["value"]
        .as_str()
        .expect("a value")
        .parse()
        .expect("a number");
    assert!((0.002..5.0).contains(&seconds), "{seconds}");
}
