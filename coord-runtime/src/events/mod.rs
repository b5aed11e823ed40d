//! Event processing: handlers registered by event type, each event validated against its
//! type's rule set, tracked as an operation and run under retries and an optional circuit
//! breaker — what `#[coordinate_operation]` does for a function, for a stream of events.
//! Events of unknown types are counted and reported (see `unknown.rs`).

mod unknown;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

pub use unknown::{
    MAX_EVENT_PROCESSORS, MAX_UNKNOWN_TYPES, OTHER_TYPES, UnknownEventsReport,
    unknown_events_report,
};

use crate::breaker::named::Breaker;
use crate::retry::handling::ErrorHandling;
use crate::tracking::operation::TrackedCall;
use crate::tracking::stats::{OperationStats, stats_for};
use crate::values::error::Error;
use crate::values::outcome::Outcome;
use crate::values::retry_policy::RetryPolicy;
use crate::values::validation_result::ValidationResult;
use unknown::{UnknownEvents, unknown_events};

/// A handler's error, boxed.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send>>;
type HandlerFn<P> = Arc<dyn Fn(P) -> HandlerFuture + Send + Sync>;

/// Why an event was not handled.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// No handler is registered for the event's type. Counted in
    /// `coord_events_unknown_total` and [`unknown_events_report`].
    #[error("event processor `{processor}` has no handler for event type `{event_type}`")]
    UnknownType {
        /// The processor.
        processor: String,
        /// The event's type.
        event_type: String,
    },
    /// The payload broke its type's rules; the handler did not run.
    #[error("{0}")]
    Invalid(Box<ValidationResult>),
    /// The handler's breaker refused the event, or its rule set is not loaded.
    #[error(transparent)]
    Coord(Error),
    /// The handler failed (after its retries).
    #[error("event handler failed: {0}")]
    Handler(HandlerError),
}

impl From<Error> for EventError {
    fn from(err: Error) -> Self {
        match err {
            Error::Validation(result) => EventError::Invalid(result),
            other => EventError::Coord(other),
        }
    }
}

/// A failed attempt inside the retry loop.
enum Attempt {
    Handler(HandlerError),
    Coord(Error),
}

impl From<Error> for Attempt {
    fn from(err: Error) -> Self {
        Attempt::Coord(err)
    }
}

impl fmt::Debug for Attempt {
    // The retry logs show the handler's error as it displays itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attempt::Handler(err) => fmt::Display::fmt(err, f),
            Attempt::Coord(err) => fmt::Display::fmt(err, f),
        }
    }
}

/// The handler of one event type, with its rules, retries and breaker; register it with
/// [`EventProcessor::register`].
///
/// ```
/// use coord::events::{EventHandler, EventProcessor};
///
/// let mut processor = EventProcessor::<u64>::new("docs.handler");
/// processor.register(EventHandler::new("order.shipped", |order_id: u64| async move {
///     if order_id == 0 { Err("no such order") } else { Ok(()) }
/// }));
/// assert_eq!(processor.event_types(), ["order.shipped"]);
/// ```
pub struct EventHandler<P> {
    event_type: String,
    run: HandlerFn<P>,
    rules: Option<String>,
    retry: Option<RetryPolicy>,
    breaker: Option<&'static Breaker>,
}

impl<P> fmt::Debug for EventHandler<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventHandler")
            .field("event_type", &self.event_type)
            .field("rules", &self.rules)
            .field("retry", &self.retry)
            .field("breaker", &self.breaker.map(Breaker::name))
            .finish_non_exhaustive()
    }
}

impl<P: Send + 'static> EventHandler<P> {
    /// Handles events of type `event_type` with `handle`, an async function of the payload.
    /// Retries follow the configuration (`max_retries`, `base_delay`, `backoff_multiplier`)
    /// unless [`retry`](EventHandler::retry) says otherwise.
    pub fn new<F, Fut, E>(event_type: impl Into<String>, handle: F) -> Self
    where
        F: Fn(P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<HandlerError>,
    {
        let run: HandlerFn<P> = Arc::new(move |payload| {
            let handled = handle(payload);
            Box::pin(async move { handled.await.map_err(Into::into) })
        });
        Self {
            event_type: event_type.into(),
            run,
            rules: None,
            retry: None,
            breaker: None,
        }
    }

    /// Validates each payload against the rule set `rule_set` first; invalid events are
    /// returned as [`EventError::Invalid`] without running the handler.
    ///
    /// ```
    /// use coord::events::{EventHandler, EventProcessor};
    ///
    /// #[derive(Clone, serde::Serialize)]
    /// struct Signup { email: String }
    ///
    /// let mut processor = EventProcessor::new("docs.rules");
    /// processor.register(
    ///     EventHandler::new("user.signed_up", |_: Signup| async { Ok::<(), &str>(()) }).rules("user_signup"),
    /// );
    /// assert_eq!(processor.event_types(), ["user.signed_up"]);
    /// ```
    #[must_use]
    pub fn rules(mut self, rule_set: impl Into<String>) -> Self {
        self.rules = Some(rule_set.into());
        self
    }

    /// Retries as `policy` says.
    ///
    /// ```
    /// use coord::{Severity, events::{EventHandler, EventProcessor}, retry::RetryPolicy};
    ///
    /// let mut processor = EventProcessor::<u64>::new("docs.retry");
    /// processor.register(
    ///     EventHandler::new("order.paid", |_: u64| async { Ok::<(), &str>(()) })
    ///         .retry(RetryPolicy::for_severity(Severity::High).max_retries(5)),
    /// );
    /// ```
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Passes every attempt through `breaker`.
    ///
    /// ```
    /// use coord::events::{EventHandler, EventProcessor};
    ///
    /// let mut processor = EventProcessor::<u64>::new("docs.breaker");
    /// processor.register(
    ///     EventHandler::new("invoice.sent", |_: u64| async { Ok::<(), &str>(()) })
    ///         .circuit_breaker(coord::breaker("docs.events.mailer")),
    /// );
    /// ```
    #[must_use]
    pub fn circuit_breaker(mut self, breaker: &'static Breaker) -> Self {
        self.breaker = Some(breaker);
        self
    }
}

/// A registered handler, ready to run.
struct Registered<P> {
    run: HandlerFn<P>,
    rules: Option<String>,
    stats: &'static OperationStats,
    handling: ErrorHandling<Attempt>,
}

/// Handlers keyed by event type. Each event is validated against its type's rule set (if
/// any), tracked as the operation `"<processor>.<event type>"`, and run under retries and the
/// handler's breaker (if any). An event of a type with no handler is counted, logged and
/// returned as [`EventError::UnknownType`], never dropped silently.
///
/// ```
/// use coord::{Severity, events::{EventHandler, EventProcessor}, retry::RetryPolicy};
/// use std::time::Duration;
///
/// #[derive(Clone, serde::Serialize)]
/// struct Payload { order_id: u64, amount: u32 }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let mut processor = EventProcessor::new("docs.orders");
/// processor.register(
///     EventHandler::new("order.paid", |payload: Payload| async move {
///         if payload.amount == 0 { Err("nothing paid") } else { Ok(()) }
///     })
///     .retry(RetryPolicy::for_severity(Severity::Low).max_retries(0)),
/// );
///
/// assert!(processor.process("order.paid", Payload { order_id: 1, amount: 5 }).await.is_ok());
/// assert!(processor.process("order.paid", Payload { order_id: 2, amount: 0 }).await.is_err());
/// let unknown = processor.process("order.lost", Payload { order_id: 3, amount: 5 }).await;
/// assert!(matches!(unknown, Err(coord::events::EventError::UnknownType { .. })));
///
/// let stats = coord::tracking::operation_stats();
/// let paid = stats.iter().find(|s| s.operation == "docs.orders.order.paid").unwrap();
/// assert_eq!((paid.calls.ok, paid.calls.error), (1, 1));
/// # });
/// ```
pub struct EventProcessor<P> {
    name: String,
    handlers: HashMap<String, Registered<P>>,
    unknown: &'static UnknownEvents,
}

impl<P> fmt::Debug for EventProcessor<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut types: Vec<&String> = self.handlers.keys().collect();
        types.sort();
        f.debug_struct("EventProcessor")
            .field("name", &self.name)
            .field("event_types", &types)
            .finish_non_exhaustive()
    }
}

impl<P: Serialize + Clone + Send + 'static> EventProcessor<P> {
    /// A processor named `name` (the prefix of its operations, the `processor` label of its
    /// unknown-event count), with no handlers yet.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        let unknown = unknown_events(&name);
        Self {
            name,
            handlers: HashMap::new(),
            unknown,
        }
    }

    /// Registers `handler`, replacing any handler of the same event type.
    pub fn register(&mut self, handler: EventHandler<P>) -> &mut Self {
        let operation = format!("{}.{}", self.name, handler.event_type);
        let stats = stats_for(&operation);
        stats.keep_in_flight();
        let mut handling = ErrorHandling::new(&operation);
        if let Some(policy) = handler.retry {
            handling = handling.retry(policy);
        }
        if let Some(breaker) = handler.breaker {
            handling = handling.circuit_breaker(breaker);
        }
        self.handlers.insert(
            handler.event_type,
            Registered {
                run: handler.run,
                rules: handler.rules,
                stats,
                handling,
            },
        );
        self
    }

    /// The event types with a handler, sorted.
    #[must_use]
    pub fn event_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        types.sort_unstable();
        types
    }

    /// Handles one event: validates it, then runs its handler, tracked and retried.
    ///
    /// # Errors
    /// [`EventError::UnknownType`] when no handler has `event_type`; [`EventError::Invalid`]
    /// when the payload breaks the type's rules; [`EventError::Coord`] when the breaker refuses
    /// it; [`EventError::Handler`] with the last error when the handler fails.
    pub async fn process(&self, event_type: &str, payload: P) -> Result<(), EventError> {
        let Some(handler) = self.handlers.get(event_type) else {
            self.unknown.count(event_type);
            tracing::warn!(
                processor = %self.name,
                event_type,
                "coord: no handler for this event type; the event is counted in coord_events_unknown_total and not handled"
            );
            return Err(EventError::UnknownType {
                processor: self.name.clone(),
                event_type: event_type.to_owned(),
            });
        };
        if let Some(rules) = &handler.rules {
            crate::validation::registry::ensure_valid(rules, &payload)?;
        }
        let call = TrackedCall::of(handler.stats);
        let result = handler
            .handling
            // `move`: the closure owns the payload, so the future needs `P: Send`, not `Sync`.
            .call_async(move || {
                let attempt = (handler.run)(payload.clone());
                async move { attempt.await.map_err(Attempt::Handler) }
            })
            .await;
        call.finish(if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        });
        result.map_err(|failure| match failure {
            Attempt::Handler(err) => EventError::Handler(err),
            Attempt::Coord(err) => EventError::from(err),
        })
    }
}
