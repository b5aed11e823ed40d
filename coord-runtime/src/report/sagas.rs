//! The saga section of the report. The saga engine lives in `coord-patterns`, which this crate
//! does not import (the layers run one way): it adds a source to [`SAGA_REPORT_SOURCES`] at
//! link time, and the report reads whatever sources the program links.

use serde::Serialize;

/// One saga's runs as this process has seen them since it started, and the runs of it that
/// wait for an operator (found in the coordination store, whichever process ran them).
///
/// ```
/// let report = coord::report();
/// for saga in &report.sagas {
///     println!("{}: {} completed, {} compensated", saga.saga, saga.completed, saga.compensated);
///     for run in &saga.awaiting_operator {
///         println!("  {run} needs `SagaEngine::retry_compensation` once its cause is fixed");
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SagaReport {
    /// The saga's name.
    pub saga: String,
    /// Runs that completed every step.
    pub completed: u64,
    /// Runs that failed and were fully compensated.
    pub compensated: u64,
    /// Runs that failed and whose compensation kept failing.
    pub compensation_failed: u64,
    /// Runs that failed past their pivot (nothing to compensate).
    pub failed: u64,
    /// Runs active in this process now.
    pub in_flight: u64,
    /// Runs this process resumed after another instance (or an earlier start) left them.
    pub recovered: u64,
    /// Runs that are `compensation_failed` now: an operator must fix the cause and retry
    /// their compensation. While there is one, the process is degraded.
    pub awaiting_operator: Vec<String>,
}

/// Where the report gets its saga rows: a function per linked saga engine (there is one,
/// `coord-patterns`'). **Not a stable API.**
#[linkme::distributed_slice]
pub static SAGA_REPORT_SOURCES: [fn() -> Vec<SagaReport>];

/// Every source's rows, by saga name.
pub(crate) fn saga_report() -> Vec<SagaReport> {
    let mut rows: Vec<SagaReport> = SAGA_REPORT_SOURCES
        .iter()
        .flat_map(|source| source())
        .collect();
    rows.sort_by(|a, b| a.saga.cmp(&b.saga));
    rows
}

/// Whether any run waits for an operator.
pub(crate) fn awaiting_operator(rows: &[SagaReport]) -> bool {
    rows.iter().any(|row| !row.awaiting_operator.is_empty())
}
