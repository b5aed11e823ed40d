//! The main job, run as a user runs it: `examples/service` for a short workload, scraped while
//! it runs, with its progress lines and final table checked.

mod support;

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The functions the example annotates.
const OPERATIONS: [&str; 5] = [
    "place_order",
    "validate_order",
    "charge_payment",
    "shipping_quote",
    "store_order",
];

/// The example's binary.
fn example_binary() -> PathBuf {
    support::example::binary("service", &[])
}

#[test]
fn service_runs_its_workload_serves_metrics_and_prints_a_table() {
    let mut child = Command::new(example_binary())
        .args(["--duration", "3", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start examples/service (built by cargo test)");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut head = String::new();
    let addr: SocketAddr = loop {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        assert!(!line.is_empty(), "no 'serving metrics' line in:\n{head}");
        head.push_str(&line);
        if let Some(addr) = line
            .strip_prefix("serving metrics at http://")
            .and_then(|rest| rest.split('/').next())
            .and_then(|addr| addr.parse().ok())
        {
            break addr;
        }
    };
    assert!(
        head.starts_with("validation rules: message, order, untrusted_input, user_profile"),
        "{head}"
    );

    // Scrape while the workload runs.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let (status, health) = support::http::get(addr, "/health").expect("GET /health");
    assert!(status == 200 || status == 503, "{status} {health}");
    assert!(health.contains("\"status\""), "{health}");
    assert_eq!(
        support::http::get(addr, "/report").expect("GET /report").0,
        200
    );
    let (status, metrics) = support::http::get(addr, "/metrics").expect("scrape the service");
    assert_eq!(status, 200);
    for operation in OPERATIONS {
        assert!(
            metrics.contains(&format!(
                r#"coord_operation_calls_total{{operation="{operation}",outcome="ok"}}"#
            )),
            "{operation} missing from:\n{metrics}"
        );
    }

    // Asked for OpenMetrics, as Prometheus asks, the duration buckets carry the orders' traces.
    let (status, open) = support::http::get_accepting(
        addr,
        "/metrics",
        "application/openmetrics-text;version=1.0.0",
    )
    .expect("scrape the service as Prometheus does");
    assert_eq!(status, 200);
    assert!(
        open.lines().any(|line| line
            .starts_with(r#"coord_operation_duration_seconds_bucket{operation="place_order""#)
            && line.contains(" # {trace_id=\"")),
        "no exemplar on place_order's buckets:\n{open}"
    );
    assert!(open.ends_with("# EOF\n"));

    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest of stdout");
    let status = child.wait().expect("service exits");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert!(status.success(), "exit {status}\n{rest}\n{stderr}");
    assert!(
        rest.lines().filter(|line| line.starts_with("t=")).count() >= 2,
        "progress lines:\n{rest}"
    );
    assert!(
        rest.lines()
            .filter(|line| line.starts_with("t="))
            .all(|line| line.contains(" breaker=") && line.contains(" valid inputs=")),
        "each progress line shows the payments breaker and the share of valid inputs:\n{rest}"
    );
    assert!(
        rest.contains("payment provider DOWN"),
        "the outage happens:\n{rest}"
    );
    assert!(
        rest.lines()
            .any(|line| line.trim_start().starts_with("payments ")),
        "the breaker table lists payments:\n{rest}"
    );
    // The limits table lists the payments bulkhead and the carrier's rate limit, and the
    // retries table counts timeouts and fallbacks.
    let limits = rest.split("\nlimits\n").nth(1).expect("a limits table");
    for limit in ["payments", "carrier"] {
        assert!(
            limits
                .lines()
                .any(|line| line.trim_start().starts_with(limit)),
            "{limit} missing from the limits table:\n{limits}"
        );
    }
    let retries = rest.split("\nretries\n").nth(1).expect("a retries table");
    assert!(
        retries
            .lines()
            .next()
            .is_some_and(|header| header.contains("timeouts") && header.contains("fallbacks")),
        "{retries}"
    );
    let validation = rest
        .split("\nvalidation\n")
        .nth(1)
        .expect("a validation table");
    for rule_set in ["untrusted_input", "order", "message"] {
        let row = validation
            .lines()
            .find(|line| line.trim_start().starts_with(rule_set));
        let checked: u64 = row
            .and_then(|row| row.split_whitespace().nth(1))
            .and_then(|count| count.parse().ok())
            .unwrap_or(0);
        assert!(
            checked > 0,
            "every shipped rule file is used: {rule_set} in\n{validation}"
        );
    }
    // The `Shipment` the courier gets carries its own rules (the derive), all met.
    let shipment = validation
        .lines()
        .find(|line| line.trim_start().starts_with("Shipment"))
        .unwrap_or_else(|| panic!("the derived rules are used:\n{validation}"));
    let columns: Vec<&str> = shipment.split_whitespace().collect();
    assert!(
        columns.get(1).and_then(|n| n.parse::<u64>().ok()) > Some(0)
            && columns.get(2).and_then(|n| n.parse::<u64>().ok())
                == columns.get(1).and_then(|n| n.parse::<u64>().ok()),
        "every shipment valid: {shipment}\n{validation}"
    );
    // Orders go through the durable saga: the payment outage makes compensations release
    // reservations.
    let sagas = rest
        .lines()
        .find(|line| line.starts_with("order sagas:"))
        .unwrap_or_else(|| panic!("no saga summary in:\n{rest}"));
    let released: u64 = sagas
        .split(" reservations released by compensation")
        .next()
        .and_then(|before| before.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    assert!(released > 0, "the outage compensated some orders: {sagas}");
    let table = rest
        .split("performance (ms)")
        .nth(1)
        .expect("a final report");
    for operation in OPERATIONS {
        assert!(
            table.contains(operation),
            "{operation} missing from the table:\n{table}"
        );
    }
}

#[test]
fn bad_arguments_are_reported_with_what_was_wrong() {
    let output = Command::new(example_binary())
        .args(["--duration", "soon"])
        .output()
        .expect("run service");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`soon`"));

    let output = Command::new(example_binary())
        .args(["--listen", "nowhere"])
        .output()
        .expect("run service");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid listen address `nowhere`"),
        "{stderr}"
    );
}

#[test]
fn report_json_writes_only_the_json_report_to_stdout() {
    let output = Command::new(example_binary())
        .args([
            "--duration",
            "1",
            "--listen",
            "127.0.0.1:0",
            "--report",
            "json",
        ])
        .output()
        .expect("run service");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).expect("stdout is one JSON document, nothing else");
    for section in ["overall", "performance", "error_handling", "validation"] {
        assert!(report.get(section).is_some(), "{section} missing");
    }
    // Progress went to stderr.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("validation rules:") && stderr.contains("serving metrics at"),
        "{stderr}"
    );
    // Numbers are rounded for reading: no float noise such as 12.300000000000001.
    let mut numbers = Vec::new();
    collect_numbers(&report, &mut numbers);
    assert!(!numbers.is_empty());
    for number in numbers {
        let text = number.to_string();
        let decimals = text.split('.').nth(1).map_or(0, str::len);
        assert!(decimals <= 6, "{text} in the JSON report");
    }
}

fn collect_numbers(value: &serde_json::Value, out: &mut Vec<f64>) {
    match value {
        serde_json::Value::Number(n) => out.extend(n.as_f64()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_numbers(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_numbers(v, out)),
        _ => {}
    }
}
