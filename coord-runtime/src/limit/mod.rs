//! Admission limits by name: bulkheads (at most N calls at once) and rate limiters (at most
//! N calls a second, with a burst). Both are checked once per call, before its first attempt:
//! a refused call fails at once with [`Error::BulkheadFull`](crate::Error::BulkheadFull) or
//! [`Error::RateLimited`](crate::Error::RateLimited) and is never retried.

pub(crate) mod admission;
pub(crate) mod bulkhead;
pub(crate) mod rate_limiter;
pub(crate) mod registry;
pub(crate) mod site;

/// The counter cells of one bulkhead or rate limiter: admitted, rejected.
pub(crate) const CELLS_PER_LIMITER: usize = 2;
/// Registers a limit's `admitted` and `rejected` series of `metric`, labelled with `label`.
pub(crate) fn outcome_counters(
    recorder: &dyn metrics::Recorder,
    metric: &'static str,
    label: &metrics::Label,
) -> [metrics::Counter; 2] {
    ["admitted", "rejected"].map(|outcome| {
        let key = metrics::Key::from_parts(
            metric,
            vec![
                label.clone(),
                metrics::Label::new(crate::telemetry::metric_names::LIMIT_OUTCOME_LABEL, outcome),
            ],
        );
        recorder.register_counter(&key, &crate::telemetry::METADATA)
    })
}

/// Offsets of those cells.
pub(crate) const ADMITTED: u32 = 0;
pub(crate) const REJECTED: u32 = 1;
