//! Exemplars: the trace a duration came from, kept per histogram bucket (the latest one) so the
//! OpenMetrics exposition can link a latency bucket to a trace. coord reads the current trace
//! id through a source the application installs ([`set_trace_id_source`]): with
//! `tracing-opentelemetry`, the current span's OpenTelemetry trace id. Without a source, or
//! when it answers `None`, a call pays one atomic load and stores nothing.

use std::sync::{Mutex, OnceLock};

/// The current trace id, if any, as the 128-bit number OpenTelemetry's `TraceId` holds.
pub type TraceIdSource = fn() -> Option<u128>;

static SOURCE: OnceLock<TraceIdSource> = OnceLock::new();

/// Installs the function coord asks for the current trace id when a tracked call ends; a call
/// with one leaves it, its duration and the time as its histogram bucket's exemplar, rendered in
/// the OpenMetrics exposition (`/metrics` when the scraper asks for it). Once per process;
/// `false` if a source was installed before (it stays).
///
/// With `tracing-opentelemetry` (spans feature on, so each call is in a span):
///
/// ```ignore
/// use opentelemetry::trace::TraceContextExt as _;
/// use tracing_opentelemetry::OpenTelemetrySpanExt as _;
///
/// coord::export::set_trace_id_source(|| {
///     let context = tracing::Span::current().context();
///     let span = context.span();
///     let span_context = span.span_context();
///     span_context
///         .is_valid()
///         .then(|| u128::from_be_bytes(span_context.trace_id().to_bytes()))
/// });
/// ```
///
/// ```
/// assert!(coord::export::set_trace_id_source(|| None));
/// assert!(!coord::export::set_trace_id_source(|| Some(7)), "once per process");
/// ```
pub fn set_trace_id_source(source: TraceIdSource) -> bool {
    SOURCE.set(source).is_ok()
}

/// The current trace id, when a source is installed and answers one.
#[inline]
pub(crate) fn current_trace_id() -> Option<u128> {
    SOURCE.get().and_then(|source| source())
}

/// One exemplar: a trace, the duration it took, and when (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Exemplar {
    pub trace_id: u128,
    pub seconds: f64,
    pub unix_seconds: f64,
}

/// The latest exemplar of each bucket of one operation's histogram.
#[derive(Debug)]
pub(crate) struct Exemplars(Box<[Mutex<Option<Exemplar>>]>);

impl Exemplars {
    /// Slots for `buckets` buckets (the bounds and `+Inf`).
    pub(crate) fn new(buckets: usize) -> Self {
        Self((0..buckets).map(|_| Mutex::new(None)).collect())
    }

    /// Keeps `trace_id` as bucket `bucket`'s exemplar for a call of `nanos`. A slot another
    /// thread is writing keeps that thread's: an exemplar is a sample, not a count.
    #[cold]
    pub(crate) fn keep(&self, bucket: usize, trace_id: u128, nanos: u64) {
        let Some(slot) = self.0.get(bucket) else {
            return;
        };
        if let Ok(mut slot) = slot.try_lock() {
            #[allow(clippy::cast_precision_loss)] // a duration as the f64 the exposition prints
            let seconds = nanos as f64 / 1e9;
            let unix_seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |since| since.as_secs_f64());
            *slot = Some(Exemplar {
                trace_id,
                seconds,
                unix_seconds,
            });
        }
    }

    /// The exemplar of bucket `bucket`, if one was kept.
    pub(crate) fn of(&self, bucket: usize) -> Option<Exemplar> {
        self.0.get(bucket).and_then(|slot| {
            *slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        })
    }
}
