//! The runtime behind `coord`'s attribute macros: cached metric handles per call site,
//! in-process operation statistics and the Prometheus export.
//!
//! Depend on the `coord` crate, which re-exports this crate's public API next to the macros.

#![warn(missing_docs)]

mod export;
mod outcome;
mod tracking;

pub mod metric_names;

#[doc(hidden)]
pub mod __private;

pub use export::{
    DEFAULT_DURATION_BUCKETS, DEFAULT_LISTEN_ADDR, ExportError, Exporter, PrometheusExport,
    prometheus,
};
pub use outcome::Outcome;
pub use tracking::stats::{OperationSnapshot, OutcomeCounts, operation_stats};
