//! Service-level objectives declared on operations (`objective(...)` in `#[track_performance]`
//! and `#[coordinate_operation]`), gathered by the linker so the rules and dashboards coord
//! generates (`coord::dashboards`) know every objective in the program.

/// One operation's objective, as its attribute declared it. **Built by the attributes**; read
/// with [`objectives`].
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// The operation.
    pub operation: &'static str,
    /// The percent of calls that must succeed (`success = 99.9`), if declared.
    pub success_percent: Option<f64>,
    /// The latency bound in seconds (`latency = "250ms"`), if declared.
    pub latency_seconds: Option<f64>,
    /// The percent of calls that must be faster than the bound (default 99).
    pub latency_percentile: f64,
    /// Where the attribute is, `file:line`.
    pub location: &'static str,
}

/// Every objective an attribute in the program declares.
#[linkme::distributed_slice]
pub static OBJECTIVES: [Objective];

/// The objectives declared in the program, by operation (one per operation: the first declared
/// wins, as one operation can have only one).
///
/// ```
/// #[coord::track_performance(name = "docs.objective", objective(success = 99.9, latency = "250ms"))]
/// fn checkout() -> Result<(), String> {
///     Ok(())
/// }
///
/// let objective = coord::tracking::objectives()
///     .into_iter()
///     .find(|o| o.operation == "docs.objective")
///     .unwrap();
/// assert_eq!(objective.success_percent, Some(99.9));
/// assert_eq!(objective.latency_seconds, Some(0.25));
/// assert_eq!(objective.latency_percentile, 99.0);
/// # let _ = checkout();
/// ```
#[must_use]
pub fn objectives() -> Vec<Objective> {
    let mut all: Vec<Objective> = OBJECTIVES.iter().cloned().collect();
    all.sort_by(|a, b| {
        a.operation
            .cmp(b.operation)
            .then(a.location.cmp(b.location))
    });
    all.dedup_by(|later, first| later.operation == first.operation);
    all
}
