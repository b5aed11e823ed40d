//! The `tracing` span each annotated call runs in (feature `spans`): `coord.operation`, with
//! the operation's name and, when the call ends, its outcome, named after OpenTelemetry's
//! conventions (`otel.name`, `otel.kind`, `otel.status_code`) so `tracing-opentelemetry` turns it
//! into a trace span without more code. Breaker refusals, timeouts and fallbacks are logged as
//! events, which then sit in it. Without the feature every type here is zero-sized and every
//! function returns at once, so the hot path is today's.
//!
//! A span costs one check of the subscriber's interest when no subscriber wants it; the
//! benchmark (`tracking` group, `BENCHMARKS.md`) measures it with and without a subscriber.

use std::future::Future;

use crate::values::outcome::Outcome;

/// The operation span of one sync call, entered until dropped.
#[must_use = "the span is exited when this is dropped"]
pub struct OperationSpan {
    #[cfg(feature = "spans")]
    entered: tracing::span::EnteredSpan,
}

impl OperationSpan {
    /// Creates and enters the span of one call of `operation`.
    #[inline]
    pub fn enter(operation: &'static str) -> Self {
        #[cfg(not(feature = "spans"))]
        let _ = operation;
        Self {
            #[cfg(feature = "spans")]
            entered: new_span(operation).entered(),
        }
    }

    /// Records how the call ended.
    #[inline]
    pub fn outcome(&self, outcome: Outcome) {
        #[cfg(feature = "spans")]
        record(&self.entered, outcome);
        #[cfg(not(feature = "spans"))]
        let _ = outcome;
    }
}

/// Runs `future` (one call of `operation`) inside its operation span.
#[cfg(feature = "spans")]
#[inline]
pub fn in_operation_span<F: Future>(
    operation: &'static str,
    future: F,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, new_span(operation))
}

/// Runs `future` as it is: spans are compiled out.
#[cfg(not(feature = "spans"))]
#[inline]
pub fn in_operation_span<F: Future>(_operation: &'static str, future: F) -> F {
    future
}

/// Records how an async call ended on the span it runs in (the operation span: this is called
/// from inside the future [`in_operation_span`] instruments).
#[inline]
pub fn record_current_outcome(outcome: Outcome) {
    #[cfg(feature = "spans")]
    record(&tracing::Span::current(), outcome);
    #[cfg(not(feature = "spans"))]
    let _ = outcome;
}

#[cfg(feature = "spans")]
#[inline]
fn new_span(operation: &'static str) -> tracing::Span {
    tracing::info_span!(
        "coord.operation",
        otel.name = operation,
        otel.kind = "internal",
        otel.status_code = tracing::field::Empty,
        coord.operation = operation,
        coord.outcome = tracing::field::Empty,
    )
}

#[cfg(feature = "spans")]
#[inline]
fn record(span: &tracing::Span, outcome: Outcome) {
    if span.is_disabled() {
        return;
    }
    span.record("coord.outcome", outcome.as_str());
    let status = match outcome {
        Outcome::Ok => "OK",
        _ => "ERROR",
    };
    span.record("otel.status_code", status);
}
