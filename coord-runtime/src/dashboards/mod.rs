//! What an operator puts on a dashboard and in alerting, generated from coord's metric names
//! and the objectives the program declares: a Prometheus rules file ([`prometheus_rules`]:
//! recording rules, multi-window burn-rate alerts per objective, and alerts for breakers held
//! open, retries exhausted and invalid input) and a Grafana dashboard ([`grafana`]) whose
//! panels query those series. The queries have one owner (`queries.rs`), so the dashboard and
//! the rules cannot disagree on what a series means.

mod grafana;
mod queries;
mod rules;

pub use grafana::grafana;
pub use rules::prometheus_rules;

/// Why rules could not be generated for the declared objectives.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DashboardError {
    /// A latency objective's bound is not a bucket bound of the duration histogram, so the
    /// share of calls slower than it cannot be read from the buckets.
    #[error(
        "the objective of `{operation}` ({location}) bounds latency at {latency_seconds} s, which is not a bucket bound of coord_operation_duration_seconds ({bounds:?}): write one of them, or add it to `duration_buckets`"
    )]
    LatencyNotABucketBound {
        /// The operation.
        operation: &'static str,
        /// Where its objective is declared.
        location: &'static str,
        /// The bound written.
        latency_seconds: f64,
        /// The histogram's bounds.
        bounds: Vec<f64>,
    },
}
