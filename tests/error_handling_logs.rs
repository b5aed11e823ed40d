//! What `#[handle_errors]` logs through `tracing`: each scheduled retry (attempt, delay, the
//! error's `Display`), giving up, and every breaker transition; and the error-handling report.

mod support;

use std::time::Duration;

use coord::{breaker::BreakerConfig, clock::ManualClock, report::HealthStatus};

fn logged(run: impl FnOnce()) -> String {
    support::captured_logs::logged_at(tracing::Level::DEBUG, run).1
}

#[derive(Debug)]
struct Timeout;

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("upstream timed out after 3s")
    }
}

impl From<coord::Error> for Timeout {
    fn from(_: coord::Error) -> Self {
        Timeout
    }
}

#[coord::handle_errors(
    name = "logs.fetch",
    max_retries = 2,
    base_delay = "1ms",
    jitter = "none",
    circuit_breaker = "logs.upstream"
)]
fn fetch() -> Result<(), Timeout> {
    Err(Timeout)
}

#[test]
fn retries_give_up_and_transitions_are_logged() {
    let clock = ManualClock::shared();
    let config = BreakerConfig::new()
        .consecutive_failures(3)
        .open_for(Duration::from_secs(5));
    coord::breaker::register_breaker("logs.upstream", config, clock.clone()).unwrap();

    let output = logged(|| {
        assert!(fetch().is_err());
    });
    let lines: Vec<&str> = output.lines().collect();
    let scheduled: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("coord: retry scheduled"))
        .collect();
    assert_eq!(scheduled.len(), 2, "{output}");
    assert!(
        scheduled[0].contains("operation=\"logs.fetch\"")
            || scheduled[0].contains("operation=logs.fetch"),
        "{output}"
    );
    assert!(
        scheduled[0].contains("attempt=2") && scheduled[1].contains("attempt=3"),
        "{output}"
    );
    assert!(
        scheduled[0].contains("delay_ms=1") && scheduled[1].contains("delay_ms=2"),
        "{output}"
    );
    assert!(
        scheduled[0].contains("error=upstream timed out after 3s"),
        "{output}"
    );
    let opened = lines
        .iter()
        .find(|l| l.contains("coord: circuit breaker opened"))
        .expect(&output);
    assert!(
        opened.contains("breaker=\"logs.upstream\"") || opened.contains("breaker=logs.upstream"),
        "{output}"
    );
    assert!(
        opened.contains("from=closed") && opened.contains("to=open"),
        "{output}"
    );
    assert!(opened.contains("WARN"), "{output}");

    let report = coord::report::error_handling_report();
    // Open, and not listed in `health_fail_on_breakers`: degraded, still serving.
    assert_eq!(report.health_status, HealthStatus::Degraded);
    let upstream = report
        .breakers
        .iter()
        .find(|b| b.name == "logs.upstream")
        .unwrap();
    assert_eq!((upstream.failures, upstream.rejected), (3, 0));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["health_status"], "degraded");
    assert!(
        json["breakers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["state"] == "open")
    );

    clock.advance(Duration::from_secs(5));
    let output = logged(|| {
        assert!(fetch().is_err());
    });
    assert!(output.contains("from=open to=half_open"), "{output}");
    assert!(output.contains("from=half_open to=open"), "{output}");
    // The retry after the failed probe meets the reopened breaker: the call gives up.
    let gave_up = output
        .lines()
        .find(|l| l.contains("coord: giving up"))
        .expect(&output);
    assert!(
        gave_up.contains("reason=\"circuit breaker open\""),
        "{gave_up}"
    );
}

#[coord::handle_errors(
    name = "logs.exhausted",
    max_retries = 1,
    base_delay = "1ms",
    severity = "high"
)]
fn always_fails() -> Result<(), String> {
    Err("disk full".to_owned())
}

#[test]
fn giving_up_is_logged_at_the_severity_level() {
    let output = logged(|| {
        assert!(always_fails().is_err());
    });
    let gave_up = output
        .lines()
        .find(|l| l.contains("coord: giving up"))
        .expect(&output);
    assert!(
        gave_up.contains("ERROR"),
        "high severity gives up at error level: {gave_up}"
    );
    assert!(
        gave_up.contains("attempts=2") && gave_up.contains("reason=\"retries exhausted\""),
        "{gave_up}"
    );
    assert!(gave_up.contains("error=disk full"), "{gave_up}");
}

#[coord::handle_errors(
    name = "logs.jitter",
    max_retries = 3,
    base_delay = "1ms",
    max_delay = "4ms",
    jitter = "full"
)]
fn jittered() -> Result<(), String> {
    Err("still down".to_owned())
}

/// The `delay_ms` of each "retry scheduled" event of `logs.jitter`.
fn jitter_delays(output: &str) -> Vec<String> {
    output
        .lines()
        .filter(|line| line.contains("coord: retry scheduled") && line.contains("logs.jitter"))
        .filter_map(|line| {
            line.split_whitespace()
                .find(|field| field.starts_with("delay_ms="))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn seeded_jitter_repeats_its_delays() {
    let run = |seed: u64| {
        coord::retry::seed_jitter(seed);
        jitter_delays(&logged(|| {
            assert!(jittered().is_err());
        }))
    };
    let first = run(7);
    assert_eq!(first.len(), 3, "{first:?}");
    assert_eq!(run(7), first, "same seed, same delays");
    assert_ne!(run(8), first, "another seed, other delays");
}
