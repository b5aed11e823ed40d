//! The runtime behind `coord`'s attribute macros: per-thread counts published to `metrics`,
//! in-process operation statistics and the Prometheus export.
//!
//! Depend on the `coord` crate, which re-exports this crate's public API next to the macros.

#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The modules form layers (base → telemetry → values → config → the features → report and
// export → init → __private); each imports only from layers below its own. ARCHITECTURE.md
// lists them and the workspace's `tests/architecture.rs` checks every `crate::` path.
#[cfg(feature = "axum")]
mod axum_support;
mod base;
mod breaker;
mod config;
mod dashboards;
mod events;
mod export;
mod init;
mod limit;
mod report;
mod retry;
mod system;
mod telemetry;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
mod tracking;
mod validation;
mod values;

/// Per-name values with a cap on the names, for the coordination patterns' per-name statistics
/// (lock templates) to be bounded as coord's own are. Not part of coord's API.
#[doc(hidden)]
pub use base::named_registry::{Named, NamedRegistry};
pub use telemetry::metric_names;
/// Metric handles cached per recorder, for the coordination patterns' hot paths (`coord-patterns`
/// records on every lock call). Not part of coord's API.
#[doc(hidden)]
pub use telemetry::recorder_cache::RecorderCache;

/// coord for axum (feature `axum`): the `Valid` extractor and the endpoints router.
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum {
    pub use crate::axum_support::endpoints::endpoints;
    pub use crate::axum_support::valid::{Valid, ValidRejection};
}

#[doc(hidden)]
pub mod __private;

pub use base::clock::{Clock, ManualClock, SystemClock};
pub use breaker::core::{BreakerCounts, CallResult, OpenReason};
pub use breaker::named::{Breaker, Permit};
pub use breaker::registry::{MAX_BREAKERS, breaker, breaker_conflicts, breakers, register_breaker};
pub use breaker::state::BreakerState;
pub use config::buckets::{
    DEFAULT_DURATION_BUCKETS, MAX_DURATION_BUCKET_SECONDS, MAX_DURATION_BUCKETS,
};
pub use config::{
    CONFIG_FILE_VAR, ConfigBuilder, ConfigError, ConfigSource, CoordinationConfig,
    DEFAULT_CONFIG_FILE, DEFAULT_RULES_DIR, ENV_PREFIX, MAX_COLLECTION_INTERVAL,
    MAX_CONFIG_FILE_BYTES, MAX_DATA_POINTS, MIN_COLLECTION_INTERVAL, MissingRuleSet, ValueProblem,
    configuration,
};
/// Where the coordination store is (the configuration's `coordination_store`).
pub use coord_text::{DEFAULT_STORE, LockLocation, StoreLocation, StoreLocationError};
pub use dashboards::{DashboardError, grafana, prometheus_rules};
pub use events::{
    EventError, EventHandler, EventProcessor, HandlerError, MAX_EVENT_PROCESSORS,
    MAX_UNKNOWN_TYPES, OTHER_TYPES, UnknownEventsReport, unknown_events_report,
};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use export::MAX_HTTP_CONNECTIONS;
pub use export::{
    DEFAULT_LISTEN_ADDR, ENDPOINT_PATHS, EndpointResponse, ExportError, Exporter, PrometheusExport,
    duration_bucket_bounds, prometheus,
};
pub use init::{init, init_with};
pub use limit::bulkhead::{Bulkhead, BulkheadConfig, Slot};
pub use limit::rate_limiter::{RateLimit, RateLimiter};
pub use limit::registry::{MAX_LIMITERS, bulkhead, bulkheads, rate_limiter, rate_limiters};
pub use report::error_handling::{
    BreakerReport, ErrorHandlingReport, HealthStatus, LimitReport, error_handling_report,
};
pub use report::locks::LockReport;
pub use report::sagas::SagaReport;
pub use report::{OperationReport, POOR_OPERATION_MIN_CALLS, Report, SystemReport, report};
pub use retry::classify::{Classify, ErrorClass};
pub use retry::handling::ErrorHandling;
pub use retry::run::seed_jitter;
pub use retry::site::{RetryKind, RetrySnapshot, retry_stats};
pub use system::SystemSample;
#[cfg(feature = "system")]
#[cfg_attr(docsrs, doc(cfg(feature = "system")))]
pub use system::{SystemMonitor, start_system_monitor};
pub use telemetry::publish::flush_metrics;
pub use tracking::exemplar::{TraceIdSource, set_trace_id_source};
pub use tracking::objective::{Objective, objectives};
pub use tracking::operation::{Operation, TrackedCall, track, track_fn, track_future};
pub use tracking::stats::{MAX_OPERATIONS, OperationSnapshot, OutcomeCounts, operation_stats};
pub use validation::checks::{
    CheckInput, CheckNameError, CheckOutcome, DynCheck, IntoCheck, Verdict, register_check,
    registered_checks, takes,
};
pub use validation::registry::{
    LoadSummary, ensure_valid, load_rules, performance_thresholds, register_rule_set, reload_rules,
    rule_sets, validate,
};
pub use validation::rule_set::{FailureCount, MAX_RULE_SETS, RuleSetReport};
pub use validation::spec::{AllowedValue, FieldSpec, FieldType, RuleSetSpec};
pub use validation::survey::UnmatchedPath;
pub use validation::validated::Validated;
pub use validation::{ValidationReport, validation_report};
pub use values::breaker_config::BreakerConfig;
pub use values::error::{Error, TimeLimit};
pub use values::from_coord_error::FromCoordError;
pub use values::outcome::Outcome;
pub use values::retry_policy::{Backoff, Jitter, RetryBudget, RetryPolicy, StopReason};
pub use values::rules_error::{RuleProblem, RulesError};
pub use values::score::{Limits, PerformanceClass, PerformanceThresholds};
pub use values::severity::Severity;
pub use values::validation_result::{ErrorCode, ValidationError, ValidationResult};

// The counter-cell budget: every registry that owns cells caps its entries (plus one overflow
// entry each), and together they fit in the process's cells, so no name a caller invents can
// exhaust them. Breakers declared on functions come on top (two cells each, bounded by the
// code): the margin leaves room for hundreds of thousands.
const _: () = {
    let capped = (tracking::stats::MAX_OPERATIONS + 1) * tracking::stats::CELLS_PER_OPERATION
        + (tracking::stats::MAX_OPERATIONS + 1) * retry::site::CELLS_PER_RETRY_OPERATION
        + (validation::rule_set::MAX_RULE_SETS + 1) * validation::rule_set::CELLS_PER_RULE_SET
        + (breaker::registry::MAX_BREAKERS + 1) * breaker::registry::CELLS_PER_BREAKER
        + 2 * (limit::registry::MAX_LIMITERS + 1) * limit::CELLS_PER_LIMITER;
    assert!(capped + 500_000 <= base::cells::CELLS);
};
