//! The runtime behind `coord`'s attribute macros: per-thread counts published to `metrics`,
//! in-process operation statistics and the Prometheus export.
//!
//! Depend on the `coord` crate, which re-exports this crate's public API next to the macros.

#![warn(missing_docs)]

mod breaker;
mod cells;
mod clock;
mod config;
mod error;
mod events;
mod export;
mod named_registry;
mod outcome;
mod publish;
mod report;
mod report_errors;
mod retry;
mod severity;
mod sync;
mod system;
#[cfg(feature = "tower")]
pub mod tower;
mod tracking;
mod validation;

pub mod metric_names;

#[doc(hidden)]
pub mod __private;

pub use breaker::config::BreakerConfig;
pub use breaker::core::{BreakerCore, BreakerCounts, CallResult, Rejection, Ticket, Transition};
pub use breaker::named::{Breaker, Permit};
pub use breaker::registry::{breaker, breaker_conflicts, breakers, register_breaker};
pub use breaker::state::BreakerState;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    CONFIG_FILE_VAR, ConfigBuilder, ConfigError, ConfigSource, CoordinationConfig,
    DEFAULT_CONFIG_FILE, ENV_PREFIX, MAX_CONFIG_FILE_BYTES, ValueProblem, configuration, init,
    init_with,
};
pub use error::Error;
pub use events::{
    EventError, EventHandler, EventProcessor, HandlerError, MAX_UNKNOWN_TYPES, OTHER_TYPES,
    UnknownEventsReport, unknown_events_report,
};
pub use export::{
    DEFAULT_DURATION_BUCKETS, DEFAULT_LISTEN_ADDR, ENDPOINT_PATHS, EndpointResponse, ExportError,
    Exporter, MAX_HTTP_CONNECTIONS, PrometheusExport, prometheus,
};
pub use outcome::Outcome;
pub use publish::flush_metrics;
pub use report::score::{Limits, PerformanceClass, PerformanceThresholds};
pub use report::{OperationReport, Report, SystemReport, report};
pub use report_errors::{BreakerReport, ErrorHandlingReport, HealthStatus, error_handling_report};
pub use retry::classify::Classify;
pub use retry::handling::ErrorHandling;
pub use retry::policy::{Backoff, Jitter, RetryPolicy, StopReason};
pub use retry::run::seed_jitter;
pub use retry::site::{RetryKind, RetrySnapshot, retry_stats};
pub use severity::Severity;
pub use system::{SystemMonitor, SystemSample, start_system_monitor};
pub use tracking::operation::{Operation, TrackedCall, track, track_fn, track_future};
pub use tracking::stats::{OperationSnapshot, OutcomeCounts, operation_stats};
pub use validation::problems::{RuleProblem, RulesError};
pub use validation::registry::{
    DEFAULT_RULES_DIR, LoadSummary, ensure_valid, load_rules, performance_thresholds,
    register_rule_set, reload_rules, rule_sets, validate,
};
pub use validation::result::{ErrorCode, ValidationError, ValidationResult};
pub use validation::rule_set::{FailureCount, RuleSetReport};
pub use validation::spec::{AllowedValue, FieldSpec, FieldType, RuleSetSpec};
pub use validation::{ValidationReport, validation_report};
