//! The functions the exemplar benchmark compares: the same trivial body tracked by coord and by
//! autometrics, each leaving the current span's `trace_id` as its histogram's exemplar. Both
//! read the trace id the same way — from the current span's extensions in the `tracing`
//! registry, where a layer stored it when the span was created (autometrics'
//! `AutometricsExemplarExtractor`, and [`TraceIdLayer`] for coord's trace id source).

use tracing::span::{Attributes, Id};
use tracing::{Subscriber, field::Field, field::Visit};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, Registry};

/// A span's trace id, parsed once when the span is created.
#[derive(Clone, Copy)]
struct TraceId(u128);

/// Stores each span's `trace_id` field (32 hex digits) in its extensions.
pub struct TraceIdLayer;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for TraceIdLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        struct Find(Option<u128>);
        impl Visit for Find {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "trace_id" {
                    self.0 = u128::from_str_radix(value, 16).ok();
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "trace_id" {
                    self.0 = u128::from_str_radix(&format!("{value:?}"), 16).ok();
                }
            }
        }
        let mut find = Find(None);
        attrs.record(&mut find);
        if let (Some(trace), Some(span)) = (find.0, ctx.span(id)) {
            span.extensions_mut().insert(TraceId(trace));
        }
    }
}

/// coord's trace id source for this benchmark: the current span's (or an ancestor's) trace id,
/// looked up as autometrics looks up its exemplar.
#[must_use]
pub fn current_trace_id() -> Option<u128> {
    tracing::Span::current()
        .with_subscriber(|(id, subscriber)| {
            subscriber
                .downcast_ref::<Registry>()
                .and_then(|registry| registry.span(id))
                .and_then(|span| {
                    span.scope()
                        .find_map(|span| span.extensions().get::<TraceId>().map(|t| t.0))
                })
        })
        .flatten()
}

/// The body, tracked by coord.
#[coord::track_performance(name = "exemplars.coord")]
#[inline(never)]
pub fn coord_tracked(x: u64) -> Result<u64, ()> {
    Ok(x.wrapping_mul(3))
}

/// The body, tracked by autometrics (prometheus-client backend, exemplars from the span).
#[autometrics::autometrics]
#[inline(never)]
pub fn autometrics_tracked(x: u64) -> Result<u64, ()> {
    Ok(x.wrapping_mul(3))
}
