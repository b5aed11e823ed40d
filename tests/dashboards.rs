//! The generated artefacts against real Prometheus tools: `promtool check rules` accepts the
//! rules file the service example writes (`--emit rules`), and a real Prometheus that loads it
//! while scraping the running service answers every recording rule and every query of the
//! dashboard (`--emit grafana`) with data. Without Debian's `prometheus` package the tests skip,
//! unless `COORD_REQUIRE_PROMETHEUS` is set.

mod support;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::prometheus::{PrometheusServer, required_tool};

/// What `service --emit what` prints.
fn emitted(what: &str) -> String {
    let output = Command::new(support::example::binary("service", &[]))
        .args(["--emit", what])
        .output()
        .expect("run examples/service --emit");
    assert!(
        output.status.success(),
        "--emit {what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn promtool_accepts_the_generated_rules() {
    let Some(promtool) = required_tool("promtool") else {
        return;
    };
    let rules = emitted("rules");
    // Each objective of the service example has its alerts.
    for expected in [
        "operation: \"place_order\"",
        "operation: \"charge_payment\"",
        "alert: \"CoordErrorBudgetBurn\"",
        "alert: \"CoordLatencyBudgetBurn\"",
        "le=\\\"0.025\\\"",
    ] {
        assert!(rules.contains(expected), "`{expected}` in:\n{rules}");
    }
    let dir = support::temp_dir::TempDir::with_files::<&str>("dashboards-promtool", &[]);
    let file = dir.path().join("rules.yml");
    std::fs::write(&file, &rules).expect("write rules");
    let output = Command::new(promtool)
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("run promtool");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The service example, serving `/metrics` on a free port with a store of its own.
struct Service {
    child: Child,
    addr: SocketAddr,
}

impl Service {
    fn start(store: &std::path::Path) -> Self {
        let mut child = Command::new(support::example::binary("service", &[]))
            .args(["--duration", "40", "--listen", "127.0.0.1:0", "--store"])
            .arg(format!("sqlite://{}", store.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start examples/service");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let addr = loop {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("a line");
            assert!(
                !line.is_empty(),
                "the service exited before serving metrics"
            );
            if let Some(addr) = line
                .strip_prefix("serving metrics at http://")
                .and_then(|rest| rest.split('/').next())
                .and_then(|addr| addr.parse().ok())
            {
                break addr;
            }
        };
        // Keep reading its progress, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in stdout.lines() {});
        Self { child, addr }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_dashboard_query_and_recording_rule_returns_data() {
    let Some(binary) = required_tool("prometheus") else {
        return;
    };
    let rules = emitted("rules");
    let dashboard: serde_json::Value =
        serde_json::from_str(&emitted("grafana")).expect("the dashboard is JSON");
    let dir = support::temp_dir::TempDir::with_files::<&str>("dashboards-service", &[]);
    let service = Service::start(&dir.path().join("store.db"));
    let mut server = PrometheusServer::start_with_rules(&binary, service.addr, Some(&rules));
    let timeout = Duration::from_secs(60);

    let mut records: Vec<&str> = rules
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- record: "))
        .map(|name| name.trim_matches('"'))
        .collect();
    records.dedup();
    assert!(records.len() >= 12, "{records:?}");
    for record in records {
        server.query_until_present(record, timeout);
    }
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(
        panels.len() >= 14,
        "every concern and both objectives have a panel"
    );
    for panel in panels {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("an expression");
            server.query_until_present(expr, timeout);
        }
    }
}
