//! The PromQL every generated artefact uses, written once: the dashboard's panels and the
//! recording and alerting rules. `WINDOWS` are the burn-rate windows of the Google SRE
//! workbook's multi-window, multi-burn-rate alerts.

use crate::telemetry::metric_names::{
    BREAKER_STATE, BREAKER_TRANSITIONS_TOTAL, BULKHEAD_CALLS_TOTAL, CALLS_TOTAL, DURATION_SECONDS,
    IN_FLIGHT, LOCK_ACQUISITIONS_TOTAL, RATE_LIMITER_CALLS_TOTAL, RETRY_ATTEMPTS_TOTAL,
    RETRY_CALLS_TOTAL, SAGA_RUNS_TOTAL, VALIDATIONS_TOTAL,
};

/// The windows rates are recorded over, shortest first.
pub(super) const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// The outcomes that spend an error budget: a call that failed, panicked or was refused. A
/// cancelled call (its caller went away) and a fallback's answer do not.
pub(super) const FAILED_OUTCOMES: &str = "error|panic|refused";

/// The recorded error ratio per operation over `window`.
pub(super) fn error_ratio_record(window: &str) -> String {
    format!("operation:{CALLS_TOTAL}:error_ratio_rate{window}")
}

/// Its expression.
pub(super) fn error_ratio(window: &str) -> String {
    format!(
        "sum by (operation) (rate({CALLS_TOTAL}{{outcome=~\"{FAILED_OUTCOMES}\"}}[{window}])) / sum by (operation) (rate({CALLS_TOTAL}[{window}]))"
    )
}

/// The recorded share of `operation`'s calls slower than the bucket bound `le` over `window`.
pub(super) fn slow_ratio_record(window: &str) -> String {
    format!("operation:{DURATION_SECONDS}:slow_ratio_rate{window}")
}

/// Its expression.
pub(super) fn slow_ratio(operation: &str, le: &str, window: &str) -> String {
    format!(
        "1 - sum by (operation) (rate({DURATION_SECONDS}_bucket{{operation=\"{operation}\",le=\"{le}\"}}[{window}])) / sum by (operation) (rate({DURATION_SECONDS}_count{{operation=\"{operation}\"}}[{window}]))"
    )
}

/// The recorded call rate per operation and outcome.
pub(super) const CALL_RATE_RECORD: &str = "operation_outcome:coord_operation_calls:rate5m";

/// Its expression.
pub(super) fn call_rate() -> String {
    format!("sum by (operation, outcome) (rate({CALLS_TOTAL}[5m]))")
}

/// The recorded latency quantile `q` (e.g. `0.99`) per operation.
pub(super) fn latency_record(q: &str) -> String {
    let name = q.trim_start_matches("0.");
    format!("operation:{DURATION_SECONDS}:p{name}_5m")
}

/// Its expression.
pub(super) fn latency(q: &str) -> String {
    format!("histogram_quantile({q}, sum by (operation, le) (rate({DURATION_SECONDS}_bucket[5m])))")
}

/// One panel's query: what it shows and how its series are named.
pub(super) struct Query {
    pub expr: String,
    pub legend: &'static str,
}

/// One dashboard panel.
pub(super) struct Panel {
    pub title: String,
    pub unit: &'static str,
    pub queries: Vec<Query>,
}

fn query(expr: String, legend: &'static str) -> Query {
    Query { expr, legend }
}

/// The dashboard's panels, in order.
pub(super) fn panels() -> Vec<Panel> {
    vec![
        Panel {
            title: "Calls per second".to_owned(),
            unit: "reqps",
            queries: vec![query(
                CALL_RATE_RECORD.to_owned(),
                "{{operation}} {{outcome}}",
            )],
        },
        Panel {
            title: "Error ratio (failed, panicked, refused)".to_owned(),
            unit: "percentunit",
            queries: vec![query(error_ratio_record("5m"), "{{operation}}")],
        },
        Panel {
            title: "Latency p50 / p95 / p99".to_owned(),
            unit: "s",
            queries: ["0.5", "0.95", "0.99"]
                .into_iter()
                .map(|q| {
                    query(
                        latency_record(q),
                        match q {
                            "0.5" => "{{operation}} p50",
                            "0.95" => "{{operation}} p95",
                            _ => "{{operation}} p99",
                        },
                    )
                })
                .collect(),
        },
        Panel {
            title: "Calls in flight".to_owned(),
            unit: "short",
            queries: vec![query(
                format!("sum by (operation) ({IN_FLIGHT})"),
                "{{operation}}",
            )],
        },
        Panel {
            title: "Circuit breaker state".to_owned(),
            unit: "short",
            queries: vec![query(
                format!("max by (breaker, state) ({BREAKER_STATE}) == 1"),
                "{{breaker}} {{state}}",
            )],
        },
        Panel {
            title: "Circuit breaker transitions".to_owned(),
            unit: "short",
            queries: vec![query(
                format!("sum by (breaker, from, to) (increase({BREAKER_TRANSITIONS_TOTAL}[5m]))"),
                "{{breaker}} {{from}} → {{to}}",
            )],
        },
        Panel {
            title: "Retried calls by how they ended".to_owned(),
            unit: "reqps",
            queries: vec![
                query(
                    format!("sum by (operation, kind) (rate({RETRY_CALLS_TOTAL}[5m]))"),
                    "{{operation}} {{kind}}",
                ),
                query(
                    format!("sum by (operation) (rate({RETRY_ATTEMPTS_TOTAL}[5m]))"),
                    "{{operation}} retries",
                ),
            ],
        },
        Panel {
            title: "Bulkheads and rate limiters".to_owned(),
            unit: "reqps",
            queries: vec![
                query(
                    format!("sum by (bulkhead, outcome) (rate({BULKHEAD_CALLS_TOTAL}[5m]))"),
                    "{{bulkhead}} {{outcome}}",
                ),
                query(
                    format!(
                        "sum by (rate_limiter, outcome) (rate({RATE_LIMITER_CALLS_TOTAL}[5m]))"
                    ),
                    "{{rate_limiter}} {{outcome}}",
                ),
            ],
        },
        Panel {
            title: "Invalid inputs by rule set".to_owned(),
            unit: "percentunit",
            queries: vec![query(validation_failure_ratio(), "{{rule_set}}")],
        },
        Panel {
            title: "Saga runs by how they ended".to_owned(),
            unit: "short",
            queries: vec![query(
                format!("sum by (saga, outcome) (increase({SAGA_RUNS_TOTAL}[5m]))"),
                "{{saga}} {{outcome}}",
            )],
        },
        Panel {
            title: "Lock acquisitions".to_owned(),
            unit: "reqps",
            queries: vec![query(
                format!("sum by (lock, outcome) (rate({LOCK_ACQUISITIONS_TOTAL}[5m]))"),
                "{{lock}} {{outcome}}",
            )],
        },
        Panel {
            title: "Process CPU and memory".to_owned(),
            unit: "short",
            queries: vec![
                query(
                    "rate(process_cpu_seconds_total[5m])".to_owned(),
                    "cores in use",
                ),
                query(
                    "process_resident_memory_bytes / 1048576".to_owned(),
                    "resident MiB",
                ),
            ],
        },
    ]
}

/// The share of invalid inputs per rule set over five minutes.
pub(super) fn validation_failure_ratio() -> String {
    format!(
        "sum by (rule_set) (rate({VALIDATIONS_TOTAL}{{outcome=\"invalid\"}}[5m])) / sum by (rule_set) (rate({VALIDATIONS_TOTAL}[5m]))"
    )
}
