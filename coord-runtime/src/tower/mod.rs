//! A `tower` layer (feature `tower`) that puts any `tower::Service` — an axum router, a hyper
//! or tonic service — under coord: every request tracked as an operation, optionally passed
//! through a circuit breaker, optionally retried when requests can be cloned.
//!
//! ```
//! use coord::tower::CoordinationLayer;
//! use tower_layer::Layer;
//!
//! # #[derive(Clone)] struct Hello;
//! # impl tower_service::Service<http::Request<String>> for Hello {
//! #     type Response = http::Response<String>;
//! #     type Error = std::convert::Infallible;
//! #     type Future = std::future::Ready<Result<Self::Response, Self::Error>>;
//! #     fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> { std::task::Poll::Ready(Ok(())) }
//! #     fn call(&mut self, _: http::Request<String>) -> Self::Future { std::future::ready(Ok(http::Response::new("hello".to_owned()))) }
//! # }
//! // Name each request by a function of the request: a pattern, never the raw path (at most
//! // 100 names in the process).
//! fn route(request: &http::Request<String>) -> &str {
//!     match request.uri().path() {
//!         "/hello" => "http.hello",
//!         _ => "http.other",
//!     }
//! }
//!
//! let layer = CoordinationLayer::by(route).circuit_breaker(coord::breaker("docs.http"));
//! let service = layer.layer(Hello);
//! # let _ = service;
//! ```

mod names;
mod outcome;

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::task::{Context, Poll};
use std::time::Duration;

pub use outcome::ServiceOutcome;

use crate::breaker::core::CallResult;
use crate::breaker::named::{Breaker, Permit};
use crate::limit::admission;
use crate::limit::bulkhead::Bulkhead;
use crate::limit::rate_limiter::RateLimiter;
use crate::retry::admission::Admission;
use crate::retry::classify::{ErrorClass, ErrorText, FailureView};
use crate::retry::run::{AsyncRetry, Attempted, Settled};
use crate::retry::site::{Inherited, RetrySite};
use crate::tracking::operation::TrackedCall;
use crate::values::error::{Error, TimeLimit};
use crate::values::outcome::Outcome;
use crate::values::retry_policy::RetryPolicy;
use names::NameTable;
use outcome::Failed;

/// How many operation names the naming functions of [`CoordinationLayer::by`] give out in the
/// whole process (each layer's distinct names, summed over layers) before later new names are
/// counted together under `"other"`. Process-wide, since an application may build many
/// layers, and every name is a label value in every coord series of the operation.
pub const MAX_NAMES_BY_FUNCTION: usize = 100;

/// Names given out so far by every `by` layer of the process.
static NAMES_BY_FUNCTION: AtomicUsize = AtomicUsize::new(0);

/// Names a request: a fixed name, or a function of the request.
enum Naming<Req> {
    Fixed(Arc<str>),
    By(fn(&Req) -> &str),
}

impl<Req> Clone for Naming<Req> {
    fn clone(&self) -> Self {
        match self {
            Naming::Fixed(name) => Naming::Fixed(Arc::clone(name)),
            Naming::By(name) => Naming::By(*name),
        }
    }
}

/// How the layer retries: the policy, and how to copy a request for another attempt.
type Retrying<Req> = (RetryPolicy, fn(&Req) -> Req);

/// A `tower::Layer` that tracks every request as a coord operation, passes it through a
/// circuit breaker if given one, and retries it if asked (when requests can be cloned).
///
/// The series and statistics are those of `#[track_performance]` and `#[handle_errors]`: a
/// request counts as `error` when the service fails or answers with a failure (for HTTP, a
/// 5xx status; see [`ServiceOutcome`]), as `cancelled` when the client goes away first. A
/// request the breaker refuses never reaches the service; it is answered by
/// [`ServiceOutcome::rejected`] — for HTTP, `503` with `Retry-After`.
///
/// ```
/// use axum::{Router, routing::{get, post}};
/// use coord::tower::CoordinationLayer;
///
/// let payments = coord::breaker("docs.layer.payments");
/// let app: Router = Router::new()
///     .route("/users/{id}", get(|| async { "user" }))
///     .route("/orders", post(|| async { "ok" }).layer(CoordinationLayer::named("payments").circuit_breaker(payments)))
///     .layer(CoordinationLayer::named("api"));
/// # let _ = app;
/// ```
pub struct CoordinationLayer<Req> {
    naming: Naming<Req>,
    /// Shared by every service this layer makes (an axum router makes one per route), so the
    /// name limit holds for the whole layer.
    names: Arc<NameTable>,
    breaker: Option<&'static Breaker>,
    retry: Option<Retrying<Req>>,
    timeout: Option<Duration>,
    bulkhead: Option<&'static Bulkhead>,
    rate_limiter: Option<&'static RateLimiter>,
}

impl<Req> Clone for CoordinationLayer<Req> {
    fn clone(&self) -> Self {
        Self {
            naming: self.naming.clone(),
            names: Arc::clone(&self.names),
            breaker: self.breaker,
            retry: self.retry,
            timeout: self.timeout,
            bulkhead: self.bulkhead,
            rate_limiter: self.rate_limiter,
        }
    }
}

impl<Req> fmt::Debug for CoordinationLayer<Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let naming = match &self.naming {
            Naming::Fixed(name) => name.to_string(),
            Naming::By(_) => "by function".to_owned(),
        };
        f.debug_struct("CoordinationLayer")
            .field("naming", &naming)
            .field("breaker", &self.breaker.map(Breaker::name))
            .field("retry", &self.retry.as_ref().map(|(policy, _)| policy))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl<Req> CoordinationLayer<Req> {
    fn with_naming(naming: Naming<Req>, overflow: &str) -> Self {
        // A fixed name is one name: only naming functions draw on the process-wide budget.
        let budget = matches!(naming, Naming::By(_)).then_some(&NAMES_BY_FUNCTION);
        Self {
            naming,
            names: Arc::new(NameTable::new(
                MAX_NAMES_BY_FUNCTION,
                budget,
                overflow,
                false,
            )),
            breaker: None,
            retry: None,
            timeout: None,
            bulkhead: None,
            rate_limiter: None,
        }
    }

    /// Every request is one call of the operation `operation` — for a layer on one route.
    ///
    /// ```
    /// use axum::{Router, routing::post};
    /// use coord::tower::CoordinationLayer;
    ///
    /// let app: Router = Router::new()
    ///     .route("/orders", post(|| async { "ok" }).layer(CoordinationLayer::named("place_order")));
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn named(operation: &str) -> Self {
        Self::with_naming(Naming::Fixed(operation.into()), operation)
    }

    /// Each request is one call of the operation `name(&request)` returns: a route pattern,
    /// an RPC method. At most [`MAX_NAMES_BY_FUNCTION`] names are kept apart in the whole
    /// process; later new names are counted together under `"other"` (with a warning), so a
    /// function that returns something unbounded cannot mint a series per request.
    ///
    /// **Return a pattern, never the raw path.** Every name is a label value on public
    /// series: a raw path puts ids, e-mail addresses and tokens (`/reset/{token}`) into
    /// `/metrics` for the first names, and spends the budget every layer shares. With axum,
    /// name by the matched route pattern:
    ///
    /// ```
    /// use axum::extract::{MatchedPath, Request};
    ///
    /// fn route_pattern(request: &Request) -> &str {
    ///     // "/users/{id}", not "/users/alice@example.com"
    ///     request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str)
    /// }
    ///
    /// let layer = coord::tower::CoordinationLayer::by(route_pattern);
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub fn by(name: fn(&Req) -> &str) -> Self {
        Self::with_naming(Naming::By(name), "other")
    }

    /// Passes every request (every attempt, when retrying) through `breaker`.
    ///
    /// ```
    /// use axum::{Router, routing::post};
    /// use coord::tower::CoordinationLayer;
    ///
    /// let payments = coord::breaker("docs.tower.payments");
    /// let app: Router = Router::new().route(
    ///     "/pay",
    ///     post(|| async { "paid" }).layer(CoordinationLayer::named("pay").circuit_breaker(payments)),
    /// );
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn circuit_breaker(mut self, breaker: &'static Breaker) -> Self {
        self.breaker = Some(breaker);
        self
    }

    /// Admits each request through `bulkhead` (waiting up to its `max_wait` for a slot) before
    /// the breaker and any attempt; a refused request is answered by
    /// [`ServiceOutcome::rejected`] with [`Error::BulkheadFull`] — for HTTP, `503`.
    ///
    /// ```
    /// use coord::limit::BulkheadConfig;
    /// use std::time::Duration;
    ///
    /// let pool = coord::limit::bulkhead("http.reports", BulkheadConfig::new(4).max_wait(Duration::from_millis(20)));
    /// let layer = coord::tower::CoordinationLayer::<http::Request<String>>::named("http.reports").bulkhead(pool);
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub fn bulkhead(mut self, bulkhead: &'static Bulkhead) -> Self {
        self.bulkhead = Some(bulkhead);
        self
    }

    /// Admits each request through `limiter` first; a refused request is answered by
    /// [`ServiceOutcome::rejected`] with [`Error::RateLimited`] — for HTTP, `429 Too Many
    /// Requests` with `Retry-After`.
    ///
    /// ```
    /// use coord::limit::RateLimit;
    ///
    /// let layer = coord::tower::CoordinationLayer::<http::Request<String>>::named("http.search")
    ///     .rate_limiter(coord::limit::rate_limiter("http.search", RateLimit::per_second(200).burst(50)));
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub fn rate_limiter(mut self, limiter: &'static RateLimiter) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Cancels an attempt the service has not answered within `timeout`: the attempt counts
    /// as a failure (for the breaker, and retried when the layer retries), and a request
    /// whose last attempt timed out is answered by [`ServiceOutcome::rejected`] with
    /// [`Error::Timeout`] — for HTTP, `504 Gateway Timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let layer = coord::tower::CoordinationLayer::<http::Request<String>>::named("http.slow")
    ///     .timeout(Duration::from_millis(500));
    /// # let _ = layer;
    /// ```
    ///
    /// # Panics
    /// When `timeout` is zero or above one day.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        // Checked as a policy's timeout is, so both refuse the same values.
        let _ = RetryPolicy::default().timeout(timeout);
        self.timeout = Some(timeout);
        self
    }
}

impl<Req: Clone> CoordinationLayer<Req> {
    /// Retries failed requests as `policy` says, each retry with a clone of the request, and
    /// counts them in the retry series under the request's operation name.
    ///
    /// ```
    /// use coord::{Severity, retry::RetryPolicy, tower::CoordinationLayer};
    ///
    /// // For services whose requests can be cloned (an RPC message, a `String` body).
    /// let layer: CoordinationLayer<String> =
    ///     CoordinationLayer::named("quote").retry(RetryPolicy::for_severity(Severity::Low));
    /// # let _ = layer;
    /// ```
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some((policy, Req::clone));
        // Names resolved from now on carry their retry statistics too.
        self.names = Arc::new(self.names.counting_retries());
        self
    }
}

impl<S, Req> tower_layer::Layer<S> for CoordinationLayer<Req> {
    type Service = Coordinated<S, Req>;

    fn layer(&self, inner: S) -> Self::Service {
        Coordinated {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service under a [`CoordinationLayer`].
pub struct Coordinated<S, Req> {
    inner: S,
    layer: CoordinationLayer<Req>,
}

impl<S: Clone, Req> Clone for Coordinated<S, Req> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S: fmt::Debug, Req> fmt::Debug for Coordinated<S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coordinated")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, Req> tower_service::Service<Req> for Coordinated<S, Req>
where
    S: tower_service::Service<Req> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    S::Response: ServiceOutcome<S::Error> + Send,
    Req: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let layer = &self.layer;
        let route = match &layer.naming {
            Naming::Fixed(name) => layer.names.route(name),
            Naming::By(name) => layer.names.route(name(&request)),
        };
        let (breaker, retry, timeout) = (layer.breaker, layer.retry, layer.timeout);
        let (bulkhead, rate_limiter) = (layer.bulkhead, layer.rate_limiter);
        // The service made ready by `poll_ready` serves this request; a clone stays behind for
        // the next one (tower's usual hand-off).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let call = TrackedCall::of(route.stats);
            let admitted = admission::admit(rate_limiter, bulkhead).await;
            let result = match (admitted, retry, route.retries) {
                (Err(refusal), ..) => S::Response::rejected(refusal),
                (Ok(_slot), retry, retries) => match (retry, retries) {
                    (Some((policy, clone)), Some(counts)) => {
                        let policy = match timeout {
                            Some(timeout) => policy.timeout(timeout),
                            None => policy,
                        };
                        let site = RetrySite::counting_into(counts, policy, Inherited::NOTHING);
                        retried(inner, request, breaker, &site, clone).await
                    }
                    _ => once(inner, request, breaker, timeout, route.stats.name()).await,
                },
            };
            let outcome = if S::Response::is_failure(&result) {
                Outcome::Error
            } else {
                Outcome::Ok
            };
            call.finish(outcome);
            result
        })
    }
}

/// One request, through the breaker if there is one, cancelled past `timeout` if there is one.
async fn once<S, Req>(
    mut inner: S,
    request: Req,
    breaker: Option<&'static Breaker>,
    timeout: Option<Duration>,
    operation: &str,
) -> Result<S::Response, S::Error>
where
    S: tower_service::Service<Req>,
    S::Response: ServiceOutcome<S::Error>,
{
    let permit = match breaker.map(Breaker::admit).transpose() {
        Ok(permit) => permit,
        Err(refusal) => {
            // Refused before the service ran: tracked as `refused`, not timed.
            crate::base::refusal::note();
            return S::Response::rejected(refusal);
        }
    };
    let result = match timeout {
        None => inner.call(request).await,
        Some(after) => match tokio::time::timeout(after, inner.call(request)).await {
            Ok(result) => result,
            Err(_elapsed) => {
                if let Some(permit) = permit {
                    permit.record(CallResult::Failure);
                }
                return S::Response::rejected(Error::Timeout {
                    operation: operation.to_owned(),
                    limit: TimeLimit::Attempt,
                    after,
                });
            }
        },
    };
    if let Some(permit) = permit {
        permit.record(if S::Response::is_failure(&result) {
            CallResult::Failure
        } else {
            CallResult::Success
        });
    }
    result
}

/// The breaker (if any) as the retry loop's admission.
struct Gate(Option<&'static Breaker>);

impl Admission<Error> for Gate {
    fn admit(&self) -> Result<Option<Permit>, Error> {
        self.0.map(Breaker::admit).transpose()
    }
}

/// One request, retried with clones as `site`'s policy says, each attempt through the breaker.
async fn retried<S, Req>(
    mut inner: S,
    request: Req,
    breaker: Option<&'static Breaker>,
    site: &RetrySite,
    clone: fn(&Req) -> Req,
) -> Result<S::Response, S::Error>
where
    S: tower_service::Service<Req>,
    S::Response: ServiceOutcome<S::Error>,
{
    let gate = Gate(breaker);
    let mut retry = AsyncRetry::new(site);
    let mut first = true;
    loop {
        let permit = match retry.admit(&gate) {
            Ok(permit) => permit,
            Err(refusal) => return S::Response::rejected(refusal),
        };
        // The first attempt uses the service `poll_ready` readied; later ones wait for it.
        let ready = if first {
            Ok(())
        } else {
            poll_fn(|cx| inner.poll_ready(cx)).await
        };
        first = false;
        let result = match ready {
            Ok(()) => retry.within(inner.call(clone(&request))).await,
            Err(error) => Attempted::Finished(Err(error)),
        };
        let judged = match result {
            Attempted::Finished(result) if S::Response::is_retryable(&result) => {
                Attempted::Finished(Err(Failed(result)))
            }
            Attempted::Finished(result) => Attempted::Finished(Ok(result)),
            Attempted::TimedOut { limit, after } => Attempted::TimedOut { limit, after },
        };
        match retry.settle_timed(judged, permit, judge::<S::Response, S::Error>) {
            Settled::Done(Ok(result) | Err(Failed(result))) => return result,
            Settled::Retry(delay) => retry.sleep(delay).await,
        }
    }
}

/// Every failed answer is retried, at the policy's severity, no sooner than its
/// `Retry-After`.
fn judge<R: ServiceOutcome<E>, E>(failed: &Failed<R, E>) -> FailureView<'_> {
    FailureView {
        retryable: true,
        class: R::retry_after(&failed.0).map_or(ErrorClass::Transient, ErrorClass::TransientAfter),
        recorded: None,
        severity: None,
        text: ErrorText::Display(failed),
    }
}
