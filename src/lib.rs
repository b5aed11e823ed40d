//! Validation, retries, circuit breakers and Prometheus metrics for ordinary functions,
//! added with one attribute.
//!
//! ```
//! #[coord::track_performance]
//! fn checkout(cart: &[u32]) -> Result<u32, String> {
//!     cart.iter().copied().reduce(|a, b| a + b).ok_or_else(|| "empty cart".to_owned())
//! }
//!
//! let exporter = coord::prometheus().install()?;
//! assert_eq!(checkout(&[3, 4]), Ok(7));
//! assert!(checkout(&[]).is_err());
//!
//! let metrics = exporter.render();
//! assert!(metrics.contains(r#"coord_operation_calls_total{operation="checkout",outcome="ok"} 1"#));
//! assert!(metrics.contains(r#"coord_operation_calls_total{operation="checkout",outcome="error"} 1"#));
//! # Ok::<(), coord::ExportError>(())
//! ```
//!
//! See the README for the tour of the attributes and `examples/service.rs` for a whole service.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Records every call of a function: how it ended, how long it took, how many run at once.
///
/// ```
/// #[coord::track_performance]                       // operation "load_user"
/// fn load_user(id: u64) -> Result<String, std::io::Error> {
///     Ok(format!("user {id}"))
/// }
///
/// #[coord::track_performance("orders.place")]        // explicit operation name
/// async fn place_order(items: &[u32]) -> usize {
///     items.len()
/// }
///
/// #[coord::track_performance(name = "hot_path", in_flight = false)]
/// fn hot_path(x: u64) -> u64 {
///     x.wrapping_mul(31)
/// }
/// # load_user(1).unwrap(); hot_path(2);
/// ```
///
/// # Arguments
/// - `"name"` (first, positional) or `name = "..."`: the operation name, i.e. the value of
///   the `operation` label. Defaults to the function's name. Must not be empty.
/// - `in_flight = false`: skip the `coord_operation_in_flight` gauge (saves two atomic
///   updates per call). Defaults to `true`; a bare `in_flight` means `true`.
/// - `crate = "path"`: where the `coord` crate is, for crates that re-export it.
///
/// # What it records
/// Per call, into the installed `metrics` recorder (see [`prometheus`]):
/// - `coord_operation_calls_total{operation, outcome}` with outcome `ok` (returned; `Ok` for a
///   `Result`), `error` (returned `Err`), `panic` (unwound; the panic propagates unchanged) or
///   `cancelled` (an async call's future dropped before completion). All four series are
///   created at zero by the first call.
/// - `coord_operation_duration_seconds{operation}`, a histogram of wall-clock time: from
///   the call to its return for a sync fn, from the first poll to completion (or drop) for an
///   async fn.
/// - `coord_operation_in_flight{operation}`, calls started and not yet ended; panics and
///   cancellations bring it back down.
///
/// and the in-process statistics read by [`operation_stats`].
///
/// The `outcome` is read from the value's type: any `Result` (including aliases such as
/// `io::Result<T>`) is `error` when `Err`; every other type is `ok` when the function returns.
///
/// # Cost
/// Each annotated function holds one `static` with its metric handles, registered on the first
/// call and re-registered only if the `metrics` recorder changes (so installing the recorder
/// after the first calls is fine). A call costs a few relaxed atomic updates and two clock
/// reads: no lock, no allocation, no registry lookup.
///
/// # What it expands to
/// Roughly, for a sync function (async functions `.await` an `async move` block instead):
/// ```ignore
/// fn load_user(id: u64) -> Result<String, io::Error> {
///     static __COORD_CALL_SITE: CallSite = CallSite::new("load_user", true);
///     let __coord_call = __COORD_CALL_SITE.enter();          // in-flight +1, clock
///     let __coord_return = call_once(move || { /* the body, unchanged */ });
///     __coord_call.finish(outcome_of(&__coord_return));      // counter, histogram, in-flight -1
///     __coord_return
/// }
/// ```
/// The signature, visibility, doc comments and other attributes are kept as written. The body
/// runs in a closure that owns the arguments, so `return` and `?` behave as before and returning
/// a reference borrowed from an argument still compiles.
///
/// A `const fn` cannot be tracked (compile error); neither can a trait method declaration
/// without a body (annotate the methods in the `impl`s).
///
/// Metric handles are cached per call site against the recorder that `metrics` reports as
/// current. A local recorder (`metrics::with_local_recorder`) that is dropped and replaced by
/// another at the same address cannot be told apart from it; tests should install one global
/// recorder per test binary.
pub use coord_macros::track_performance;

pub use coord_macros::handle_errors;

pub use coord_runtime::{
    Backoff, Breaker, BreakerConfig, BreakerCounts, BreakerState, Classify, Clock,
    DEFAULT_DURATION_BUCKETS, DEFAULT_LISTEN_ADDR, Error, ExportError, Exporter, Jitter,
    ManualClock, OperationSnapshot, Outcome, OutcomeCounts, PrometheusExport, RetryKind,
    RetryPolicy, RetrySnapshot, Severity, StopReason, SystemClock, breaker, breaker_conflicts,
    breakers, metric_names, operation_stats, prometheus, register_breaker, retry_stats,
    seed_jitter,
};

/// Compiles the README's examples as doc tests, so the README cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// What generated code calls. **Not a stable API**: it changes without notice in any release.
#[doc(hidden)]
pub mod __private {
    pub use coord_runtime::__private::*;
}
