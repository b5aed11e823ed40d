//! Each annotated call runs in a `coord.operation` span (OpenTelemetry's field names, the
//! outcome recorded when it ends), each retry in a `coord.attempt` child span with its number
//! and the delay before it, and the events of the call (the body's, coord's retry logs) sit in
//! them: checked with a real `tracing` subscriber that keeps every closed span.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// A span as the layer saw it: name, fields, parent's name, and the messages of its events.
#[derive(Debug, Clone, Default)]
struct SeenSpan {
    name: String,
    fields: BTreeMap<String, String>,
    parent: Option<String>,
    events: Vec<String>,
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// Keeps every span, by id, and the closed ones in order.
#[derive(Clone, Default)]
struct Keep {
    open: Arc<Mutex<BTreeMap<u64, SeenSpan>>>,
    closed: Arc<Mutex<Vec<SeenSpan>>>,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Keep {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.name().to_owned());
        self.open.lock().unwrap().insert(
            id.into_u64(),
            SeenSpan {
                name: attrs.metadata().name().to_owned(),
                fields: fields.0,
                parent,
                events: Vec::new(),
            },
        );
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        if let Some(span) = self.open.lock().unwrap().get_mut(&id.into_u64()) {
            span.fields.extend(fields.0);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(span) = ctx.event_span(event)
            && let Some(seen) = self.open.lock().unwrap().get_mut(&span.id().into_u64())
        {
            seen.events
                .push(fields.0.get("message").cloned().unwrap_or_default());
        }
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        if let Some(span) = self.open.lock().unwrap().remove(&id.into_u64()) {
            self.closed.lock().unwrap().push(span);
        }
    }
}

/// Runs `run` under a subscriber keeping spans; returns the closed ones.
fn spans_of(run: impl FnOnce()) -> Vec<SeenSpan> {
    let keep = Keep::default();
    let subscriber = tracing_subscriber::registry().with(keep.clone());
    tracing::subscriber::with_default(subscriber, run);
    keep.closed.lock().unwrap().clone()
}

#[derive(Debug)]
struct Flaky;

impl std::fmt::Display for Flaky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("flaky")
    }
}

impl From<coord::Error> for Flaky {
    fn from(_: coord::Error) -> Self {
        Flaky
    }
}

#[coord::track_performance(name = "spans.inner")]
fn inner(fail: bool) -> Result<u32, Flaky> {
    tracing::info!("inside the inner call");
    if fail { Err(Flaky) } else { Ok(1) }
}

#[coord::track_performance(name = "spans.outer")]
fn outer() -> Result<u32, Flaky> {
    inner(false)
}

#[test]
fn a_sync_call_runs_in_its_span_with_the_outcome_and_nests() {
    let spans = spans_of(|| {
        outer().unwrap();
        inner(true).unwrap_err();
    });
    let names: Vec<(&str, &str)> = spans
        .iter()
        .map(|s| (s.name.as_str(), s.fields["coord.operation"].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("coord.operation", "spans.inner"),
            ("coord.operation", "spans.outer"),
            ("coord.operation", "spans.inner"),
        ]
    );
    let (nested, outer_span, failed) = (&spans[0], &spans[1], &spans[2]);
    assert_eq!(nested.parent.as_deref(), Some("coord.operation"));
    assert_eq!(nested.events, ["inside the inner call"]);
    assert_eq!(outer_span.parent, None);
    for (span, outcome, status) in [
        (nested, "ok", "OK"),
        (outer_span, "ok", "OK"),
        (failed, "error", "ERROR"),
    ] {
        assert_eq!(span.fields["otel.name"], span.fields["coord.operation"]);
        assert_eq!(span.fields["otel.kind"], "internal");
        assert_eq!(span.fields["coord.outcome"], outcome);
        assert_eq!(span.fields["otel.status_code"], status);
    }
}

static ASYNC_TRIES: AtomicU32 = AtomicU32::new(0);

#[coord::coordinate_operation(
    name = "spans.async_retried",
    retry(max_retries = 3, base_delay = "1ms", jitter = "none")
)]
async fn retried() -> Result<u32, Flaky> {
    tokio::task::yield_now().await;
    let attempt = ASYNC_TRIES.fetch_add(1, Ordering::SeqCst) + 1;
    tracing::info!(attempt, "attempting");
    if attempt < 3 { Err(Flaky) } else { Ok(attempt) }
}

static SYNC_TRIES: AtomicU32 = AtomicU32::new(0);

#[coord::coordinate_operation(
    name = "spans.sync_retried",
    retry(max_retries = 1, base_delay = "1ms", jitter = "none")
)]
fn sync_retried() -> Result<u32, Flaky> {
    SYNC_TRIES.fetch_add(1, Ordering::SeqCst);
    Err(Flaky)
}

#[test]
fn retries_run_in_attempt_spans_inside_the_operation_span() {
    let spans = spans_of(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert_eq!(runtime.block_on(retried()).unwrap(), 3);
        sync_retried().unwrap_err();
    });
    let attempts: Vec<(&str, &str, &str, Option<&str>)> = spans
        .iter()
        .filter(|s| s.name == "coord.attempt")
        .map(|s| {
            (
                s.fields["coord.operation"].as_str(),
                s.fields["coord.attempt"].as_str(),
                s.fields["coord.retry_delay_ms"].as_str(),
                s.parent.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            ("spans.async_retried", "2", "1.0", Some("coord.operation")),
            ("spans.async_retried", "3", "2.0", Some("coord.operation")),
            ("spans.sync_retried", "2", "1.0", Some("coord.operation")),
        ]
    );
    let operation = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == "coord.operation" && s.fields["coord.operation"] == name)
            .unwrap_or_else(|| panic!("no span for {name}: {spans:#?}"))
    };
    let async_span = operation("spans.async_retried");
    assert_eq!(async_span.fields["coord.outcome"], "ok");
    // The first attempt's event and coord's retry logs are the operation span's own; each
    // retry's event is its attempt span's.
    assert!(
        async_span
            .events
            .iter()
            .filter(|m| *m == "attempting")
            .count()
            == 1
            && async_span
                .events
                .iter()
                .any(|m| m.contains("retry scheduled")),
        "{async_span:#?}"
    );
    let retry_events: Vec<&SeenSpan> = spans
        .iter()
        .filter(|s| {
            s.name == "coord.attempt" && s.fields["coord.operation"] == "spans.async_retried"
        })
        .collect();
    assert!(
        retry_events.iter().all(|s| s.events == ["attempting"]),
        "{retry_events:#?}"
    );
    assert_eq!(
        operation("spans.sync_retried").fields["coord.outcome"],
        "error"
    );
}

#[coord::coordinate_operation(
    name = "spans.slow",
    retry(max_retries = 0, timeout = "5ms"),
    fallback = cached
)]
async fn slow_answer() -> Result<u32, Flaky> {
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    Ok(1)
}

async fn cached(_error: Flaky) -> Result<u32, Flaky> {
    Ok(0)
}

#[test]
fn timeouts_and_fallbacks_are_events_in_the_call_span() {
    let spans = spans_of(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert_eq!(runtime.block_on(slow_answer()).unwrap(), 0);
    });
    let span = spans
        .iter()
        .find(|s| s.name == "coord.operation" && s.fields["coord.operation"] == "spans.slow")
        .unwrap_or_else(|| panic!("{spans:#?}"));
    assert!(
        span.events.iter().any(|m| m == "coord: attempt timed out")
            && span
                .events
                .iter()
                .any(|m| m == "coord: answered by the fallback"),
        "{span:#?}"
    );
    assert_eq!(
        span.fields["coord.outcome"], "ok",
        "the fallback's answer is the outcome"
    );
}
