//! The exporter end to end: the text it serves, `promtool check metrics` on it, and a real
//! Prometheus server scraping it and answering a query.
//!
//! `promtool` and `prometheus` come from Debian's `prometheus` package, which `.ci/run` installs.
//! Without them the checks that need them print that they are skipped, unless
//! `COORD_REQUIRE_PROMETHEUS=1` (set by CI) makes their absence a failure.

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use support::http;
use support::prometheus::{PrometheusServer, required_tool};

#[coord::track_performance("export.checkout")]
fn checkout(items: u32) -> Result<u32, String> {
    if items == 0 {
        Err("empty cart".to_owned())
    } else {
        Ok(items * 10)
    }
}

#[coord::track_performance("export.crash")]
fn crash() {
    panic!("crash for the test");
}

#[coord::track_performance("export.wait")]
async fn wait_forever() {
    std::future::pending::<()>().await;
}

#[derive(Debug)]
struct PayError;

impl From<coord::Error> for PayError {
    fn from(_: coord::Error) -> Self {
        PayError
    }
}

#[coord::handle_errors(
    name = "export.pay",
    circuit_breaker = "export.payments",
    max_retries = 1,
    base_delay = "1ms"
)]
fn pay(fail: bool) -> Result<(), PayError> {
    if fail { Err(PayError) } else { Ok(()) }
}

fn cached(_error: PayError) -> Result<(), PayError> {
    Ok(())
}

/// A bulkhead, a rate limiter (its second call refused) and a fallback, so their series are
/// in the exposition promtool checks.
#[coord::handle_errors(
    name = "export.limited",
    max_retries = 0,
    bulkhead(max_concurrent = 2),
    rate_limit(per_second = 1, burst = 1),
    fallback = cached
)]
fn limited() -> Result<(), PayError> {
    Ok(())
}

/// The exporter of this binary, with one call of every outcome already made.
fn exporter() -> &'static coord::export::Exporter {
    static EXPORTER: OnceLock<coord::export::Exporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let exporter = coord::prometheus()
            .listen("127.0.0.1:0")
            .install()
            .expect("install");
        for items in [1, 2, 3] {
            checkout(items).expect("ok");
        }
        checkout(0).expect_err("error");
        pay(false).expect("paid");
        pay(true).expect_err("declined twice");
        limited().expect("admitted");
        limited().expect("refused, answered by the fallback");
        std::panic::catch_unwind(crash).expect_err("panic");
        // The system monitor's gauges go through promtool too.
        let monitor =
            coord::system::start_system_monitor(Duration::from_millis(5), 2).expect("monitor");
        while monitor.latest().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::mem::forget(monitor);
        let mut future = std::pin::pin!(wait_forever());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(future.as_mut().poll(&mut context).is_pending());
        #[cfg(feature = "sqlite")]
        sagas::run_one_completed_and_one_compensated();
        exporter
    })
}

/// Saga series, through promtool like the rest (with the `sqlite` feature).
#[cfg(feature = "sqlite")]
mod sagas {
    use coord::saga::{SagaEngine, SagaError};
    use coord::store::AnyStore;

    #[derive(Debug)]
    pub(super) struct Refused(String);

    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl From<SagaError> for Refused {
        fn from(err: SagaError) -> Self {
            Refused(err.to_string())
        }
    }

    pub(super) fn run_one_completed_and_one_compensated() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let engine = SagaEngine::new(AnyStore::open("memory:").await.expect("store"));
            engine.compensated("export.reserve", |_, (): (), _: Option<()>| async {
                Ok::<(), Refused>(())
            });
            engine.no_compensation("export.charge");
            let saga = engine.register("export.order", |saga, fail: bool| async move {
                saga.step("export.reserve", &(), |_| async { Ok::<_, Refused>(()) })
                    .await?;
                saga.step("export.charge", &(), |_| async move {
                    if fail {
                        Err(Refused("declined".into()))
                    } else {
                        Ok(())
                    }
                })
                .await
            });
            saga.run("export-1", &false).await.expect("completed");
            saga.run("export-2", &true).await.expect_err("compensated");
        });
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn saga_series_are_exported() {
    let text = exporter().render();
    for line in [
        r#"coord_saga_runs_total{saga="export.order",outcome="completed"} 1"#,
        r#"coord_saga_runs_total{saga="export.order",outcome="compensated"} 1"#,
        r#"coord_saga_steps_total{saga="export.order",step="export.reserve",phase="compensation",outcome="ok"} 1"#,
        r#"coord_saga_steps_total{saga="export.order",step="export.charge",phase="action",outcome="error"} 1"#,
        r#"coord_saga_in_flight{saga="export.order"} 0"#,
        r#"coord_saga_duration_seconds_count{saga="export.order"} 2"#,
        "# HELP coord_saga_runs_total Saga runs by how they ended",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn exposition_has_help_histograms_and_all_outcomes() {
    let text = exporter().render();
    for expected in [
        "# HELP coord_operation_calls_total ",
        "# TYPE coord_operation_calls_total counter",
        r#"coord_operation_calls_total{operation="export.checkout",outcome="ok"} 3"#,
        r#"coord_operation_calls_total{operation="export.checkout",outcome="error"} 1"#,
        r#"coord_operation_calls_total{operation="export.checkout",outcome="panic"} 0"#,
        r#"coord_operation_calls_total{operation="export.checkout",outcome="cancelled"} 0"#,
        r#"coord_operation_calls_total{operation="export.crash",outcome="panic"} 1"#,
        r#"coord_operation_calls_total{operation="export.wait",outcome="cancelled"} 1"#,
        "# HELP coord_operation_duration_seconds ",
        "# TYPE coord_operation_duration_seconds histogram",
        r#"coord_operation_duration_seconds_bucket{operation="export.checkout",le="0.0001"}"#,
        r#"coord_operation_duration_seconds_bucket{operation="export.checkout",le="+Inf"} 4"#,
        r#"coord_operation_duration_seconds_count{operation="export.checkout"} 4"#,
        "# TYPE coord_operation_in_flight gauge",
        r#"coord_operation_in_flight{operation="export.checkout"} 0"#,
        r#"coord_operation_in_flight{operation="export.crash"} 0"#,
        r#"coord_operation_in_flight{operation="export.wait"} 0"#,
        "# HELP coord_build_info ",
        "# HELP coord_retry_calls_total ",
        // The standard process series, as Prometheus's own clients name and type them.
        "# TYPE process_cpu_seconds_total counter",
        "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_virtual_memory_bytes gauge",
        "# TYPE process_open_fds gauge",
        "# TYPE process_max_fds gauge",
        "# TYPE process_start_time_seconds gauge",
        "# TYPE process_threads gauge",
        r#"coord_retry_calls_total{operation="export.pay",kind="successful_without_retry"} 1"#,
        r#"coord_retry_calls_total{operation="export.pay",kind="failed_with_retry"} 1"#,
        r#"coord_retry_attempts_total{operation="export.pay"} 1"#,
        "# HELP coord_circuit_breaker_state ",
        r#"coord_circuit_breaker_state{breaker="export.payments",state="closed"} 1"#,
        r#"coord_circuit_breaker_state{breaker="export.payments",state="open"} 0"#,
        r#"coord_circuit_breaker_calls_total{breaker="export.payments",outcome="failure"} 2"#,
        "# TYPE coord_rate_limiter_calls_total counter",
        r#"coord_rate_limiter_calls_total{rate_limiter="export.limited",outcome="admitted"} 1"#,
        r#"coord_rate_limiter_calls_total{rate_limiter="export.limited",outcome="rejected"} 1"#,
        r#"coord_bulkhead_calls_total{bulkhead="export.limited",outcome="admitted"} 1"#,
        "# TYPE coord_bulkhead_in_use gauge",
        r#"coord_bulkhead_in_use{bulkhead="export.limited"} 0"#,
        r#"coord_fallbacks_total{operation="export.limited"} 1"#,
        r#"coord_retry_timeouts_total{operation="export.pay"} 0"#,
        &format!(
            r#"coord_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert!(!text.contains("quantile="), "no summaries:\n{text}");
    // The sampled CPU ratio and system memory are gone: the counter replaces the one, and
    // system-wide memory is node_exporter's job.
    for gone in [
        "coord_process_cpu_usage_ratio",
        "coord_process_resident_memory_bytes",
        "coord_system_memory",
    ] {
        assert!(!text.contains(gone), "`{gone}` in:\n{text}");
    }
}

/// The process series hold current values at each scrape: CPU seconds keep their fraction and
/// grow as the process works; the start time is in the past, the threads and descriptors real.
#[test]
fn process_series_are_read_at_each_scrape() {
    let exporter = exporter();
    let value = |text: &str, name: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no `{name}` sample in:\n{text}"))
    };
    let before = value(&exporter.render(), "process_cpu_seconds_total");
    let spin = std::time::Instant::now();
    let mut work = 0u64;
    while spin.elapsed() < std::time::Duration::from_millis(300) {
        work = std::hint::black_box(work.wrapping_mul(31).wrapping_add(7));
    }
    let text = exporter.render();
    let after = value(&text, "process_cpu_seconds_total");
    assert!(after > before, "CPU seconds grow: {before} then {after}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64();
    let started = value(&text, "process_start_time_seconds");
    assert!(
        started > now - 3_600.0 && started <= now + 1.0,
        "{started} vs {now}"
    );
    assert!(value(&text, "process_threads") >= 1.0);
    assert!(value(&text, "process_open_fds") >= 3.0);
    assert!(value(&text, "process_resident_memory_bytes") > 1_000_000.0);
}

#[test]
fn listener_serves_metrics_and_refuses_other_requests() {
    let addr = exporter().local_addr().expect("listening");
    assert!(addr.ip().is_loopback());
    let (status, body) = http::get(addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    assert!(body.contains("coord_operation_calls_total"), "{body}");
    assert_eq!(http::get(addr, "/nope").expect("GET /nope").0, 404);
    assert_eq!(
        http::request(addr, "POST", "/metrics").expect("POST").0,
        405
    );
}

#[test]
fn promtool_accepts_the_exposition() {
    let text = exporter().render();
    let Some(promtool) = required_tool("promtool") else {
        return;
    };
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed promtool");
    let output = child.wait_with_output().expect("promtool finishes");
    assert!(
        output.status.success(),
        "promtool check metrics exited {:?}\nstdout: {}\nstderr: {}\ninput:\n{text}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// A Prometheus server on loopback with its own storage, stopped and cleaned up on drop.
#[test]
fn a_real_prometheus_scrapes_and_answers_queries() {
    let target = exporter().local_addr().expect("listening");
    let Some(binary) = required_tool("prometheus") else {
        return;
    };
    let mut server = PrometheusServer::start(&binary, target);
    let timeout = Duration::from_secs(60);
    let ok = server.query_until_present(
        r#"coord_operation_calls_total{operation="export.checkout",outcome="ok"}"#,
        timeout,
    );
    assert_eq!(ok, "3");
    let errors = server.query_until_present(
        r#"coord_operation_calls_total{operation="export.checkout",outcome="error"}"#,
        timeout,
    );
    assert_eq!(errors, "1");
    // A real histogram: the +Inf bucket holds every call, and buckets aggregate across series.
    let all = server.query_until_present(
        r#"sum by (le) (coord_operation_duration_seconds_bucket{operation="export.checkout",le="+Inf"})"#,
        timeout,
    );
    assert_eq!(all, "4");
    let median = server.query_until_present(
        r#"histogram_quantile(0.5, sum by (le) (coord_operation_duration_seconds_bucket{operation="export.checkout"}))"#,
        timeout,
    );
    let median: f64 = median.parse().expect("a number");
    assert!(median > 0.0 && median <= 10.0, "median {median}");
}
