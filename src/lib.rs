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
//! # Ok::<(), coord::export::ExportError>(())
//! ```
//!
//! See the README for the tour of the attributes and `examples/service.rs` for a whole service.

#![forbid(unsafe_code)]
// docs.rs builds with every feature and `--cfg docsrs`: each gated item says which feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
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
/// - `in_flight = false`: do not publish the `coord_operation_in_flight` gauge. Defaults to
///   `true`; a bare `in_flight` means `true`.
/// - `crate = "path"`: where the `coord` crate is, for crates that re-export it.
///
/// # What it records
/// Into the installed `metrics` recorder (see [`prometheus`]), as totals published on every
/// scrape of coord's exporter, every second in the background, and on [`flush_metrics`]:
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
/// and the in-process statistics read by [`operation_stats`](tracking::operation_stats) (always current). coord's exporter
/// renders the histogram itself from coord's per-bucket counts; another recorder receives each
/// bucket's new calls as samples of their mean duration (same buckets, exact sum and count).
///
/// Each call runs in a `coord.operation` `tracing` span (feature `spans`). With
/// `objective(success = 99.9, latency = "250ms", latency_percentile = 99)` the operation
/// declares a service-level objective, for which [`dashboards`] writes burn-rate alerts and a
/// dashboard panel.
///
/// The `outcome` is read from the value's type: any `Result` (including aliases such as
/// `io::Result<T>`) is `error` when `Err`; every other type is `ok` when the function returns.
///
/// # Cost
/// A call reads the clock twice and adds to a few per-thread counters (a plain load and store
/// each: no atomic read-modify-write, no lock, no allocation, nothing another thread writes), so
/// calls on many threads do not slow each other down. The totals go to whatever recorder is
/// current when they are published, so installing the recorder after the first calls is fine:
/// it receives every count since the process started.
///
/// # What it expands to
/// Roughly, for a sync function (async functions `.await` an `async move` block instead):
/// ```ignore
/// fn load_user(id: u64) -> Result<String, io::Error> {
///     static __COORD_OPERATION: Operation = Operation::new("load_user");
///     let __coord_call = __COORD_OPERATION.track();          // calls entered +1, clock
///     let __coord_return = call_once(move || { /* the body, unchanged */ });
///     __coord_call.finish(outcome_of(&__coord_return));      // clock, outcome, duration bucket
///     __coord_return
/// }
/// ```
/// The signature, visibility, doc comments and other attributes are kept as written. The body
/// runs in a closure that owns the arguments, so `return` and `?` behave as before and returning
/// a reference borrowed from an argument still compiles.
///
/// Without the attribute, [`Operation`], [`track`], [`track_fn`] and [`track_future`] record
/// blocks, closures and futures the same way.
///
/// A `const fn` cannot be tracked (compile error); neither can a trait method declaration
/// without a body (annotate the methods in the `impl`s).
///
/// Published totals go to the recorder that `metrics` reports as current on the publishing
/// thread — the global one for the background publisher. A local recorder
/// (`metrics::with_local_recorder`) sees them when [`flush_metrics`] runs inside it; tests
/// should install one global recorder per test binary and call [`flush_metrics`] before reading.
pub use coord_macros::track_performance;

/// Retries a function that returns `Result`, and passes every attempt through a named
/// circuit breaker.
///
/// **By default every `Err` is transient: retried, and counted against the breaker.** Say which
/// errors are answers rather than outages — with an [`impl Classify`](Classify) on the error
/// type, or `retry_if` / `record_if` — or a declined card is retried and two of them open the
/// breaker for every customer.
///
/// ```
/// use coord::{Classify, ErrorClass, breaker::BreakerState};
///
/// #[derive(Debug)]
/// enum PayError {
///     Declined,                  // the bank's answer: permanent
///     Network,                   // the bank did not answer: transient
///     Unavailable(coord::Error), // a call the breaker rejected
/// }
///
/// impl From<coord::Error> for PayError {
///     fn from(err: coord::Error) -> Self {
///         PayError::Unavailable(err)
///     }
/// }
///
/// impl Classify for PayError {
///     fn class(&self) -> ErrorClass {
///         match self {
///             PayError::Declined => ErrorClass::Permanent, // not retried, not counted
///             _ => ErrorClass::Transient,
///         }
///     }
/// }
///
/// #[coord::handle_errors(
///     max_retries = 2,                  // retries after the first call: at most 3 attempts
///     base_delay = "1ms",
///     severity = "high",
///     circuit_breaker(name = "docs.payments", consecutive_failures = 3, open_for = "30s"),
/// )]
/// fn charge(card: &str) -> Result<u32, PayError> {
///     match card {
///         "" => Err(PayError::Declined),
///         "bank-down" => Err(PayError::Network),
///         _ => Ok(42),
///     }
/// }
///
/// assert_eq!(charge("4242").unwrap(), 42);
/// for _ in 0..10 {
///     assert!(matches!(charge(""), Err(PayError::Declined)));       // once each, never counted
/// }
/// assert_eq!(coord::breaker("docs.payments").state(), BreakerState::Closed);
/// assert!(matches!(charge("bank-down"), Err(PayError::Network)));   // 3 attempts, last error back
/// assert!(matches!(charge("4242"), Err(PayError::Unavailable(_)))); // 3 failures in a row opened it
/// ```
///
/// # Arguments
/// | argument | meaning |
/// | --- | --- |
/// | `max_retries = 3` | retries **after** the first call (resilience4j's `maxAttempts` counts the first call; coord does not) |
/// | `backoff = "exponential" \| "linear" \| "constant"` | delay before retry *n*: `base × multiplier^(n-1)`, `base × n`, or `base` |
/// | `base_delay = "100ms"`, `max_delay = "2s"` | first delay and cap; units `ns us ms s m h`, combinable (`"1m30s"`) |
/// | `multiplier = 2.0` | growth of exponential backoff (at least 1) |
/// | `jitter = "full" \| "equal" \| "decorrelated" \| "none"` | randomisation: `[0, d)`, `[d/2, d)`, `[base, 3 × previous)`, none |
/// | `timeout = "500ms"` | async only: an attempt still running after it is cancelled (its future dropped) and counts as a transient failure; a sync fn with `timeout` is a compile error |
/// | `deadline = "2s"` | budget for the whole call; no retry starts that would (judging by the last attempt) end past it, and an async attempt still running at it is cancelled |
/// | `severity = "low" \| "medium" \| "high" \| "critical"` | default policy, breaker weight and log level; see [`Severity`] |
/// | `budget(ratio = 0.2, min_per_second = 10)` | retries of this operation at most 20 % of its calls over the last 10 s, plus 10 a second; past it a failed call is not retried ([`RetryBudget`](retry::RetryBudget)) |
/// | `retry_if = path::to::fn` | `fn(&E) -> bool` deciding which errors are retried (overrides [`Classify`]) |
/// | `record_if = path::to::fn` | `fn(&E) -> bool` deciding which errors count against the breaker (overrides [`Classify`] and severity) |
/// | `fallback = path::to::fn` | answers a call that failed for a dependency's sake (see below) |
/// | `bulkhead(max_concurrent = 10, max_wait = "50ms", name = "db")` | at most 10 calls inside at once; others wait up to `max_wait` (async on tokio, sync on the thread), then fail with [`Error::BulkheadFull`]; `name` shares it between functions (default: the operation's) |
/// | `rate_limit(per_second = 100, burst = 20, name = "partner")` | at most 100 calls a second, 20 back to back (default burst: `per_second`); others fail at once with [`Error::RateLimited`] `{ retry_after }` |
/// | `circuit_breaker = "name"` | each attempt passes this breaker (options declared elsewhere, or defaults) |
/// | `circuit_breaker(name = "..", consecutive_failures = 5, failure_rate = 0.5, slow_call_duration = "1s", slow_call_rate = 0.5, window = 20, time_window = "60s", min_calls = 10, open_for = "30s", half_open_permits = 1, close_after = 1)` | the same, declaring its options; see [`BreakerConfig`](breaker::BreakerConfig): only `consecutive_failures` (default 5) opens it unless a rate is written |
/// | `name = "..."` | operation name of the retry metrics (default: the function's name) |
/// | `crate = "path"` | where `coord` is, for crates that re-export it |
///
/// Arguments given explicitly override the severity's defaults (medium when none is given:
/// 3 retries, exponential 100 ms × 2 capped at 2 s, full jitter). A `base_delay` above the cap
/// raises the cap to it.
///
/// # Behaviour
/// - The body runs once per attempt, so it must be callable again: it borrows the arguments
///   rather than consuming them. A body that moves an argument out fails to compile
///   ("cannot move out of ..., a captured variable in an `FnMut` closure"): take a reference,
///   or clone inside the body. A method returning a `&mut` borrow of `self` cannot be retried
///   for the same reason.
/// - Which errors are retried: `retry_if` if given, else the error's [`ErrorClass`] from its
///   [`Classify`] impl (`Permanent` is not), else every `Err`. An
///   [`ErrorClass::TransientAfter`] delay (a server's `Retry-After`) is honoured: the next
///   attempt waits at least that long, at most `max_delay`, and none starts past the
///   `deadline`. When retries run out, the function's **last error is returned unchanged**.
/// - Time limits (async functions): an attempt still running at its `timeout`, or at the
///   call's `deadline`, is cancelled — its future is dropped, so whatever it was awaiting is
///   abandoned — and counts against the breaker whatever the error's class. A timed-out
///   attempt is retried while the policy allows; the caller then gets
///   `E::from(coord::Error::Timeout { limit, .. })` (so `E: From<coord::Error>` is needed
///   once either is written). Cancelled attempts are counted in
///   `coord_retry_timeouts_total{operation}`. A sync function cannot be cancelled: its
///   `deadline` only stops retries from starting past it.
/// - `rate_limit` and `bulkhead` admit each call once, in that order, before its first
///   attempt: a refused call never runs, is never retried, and comes back as
///   `E::from(coord::Error::RateLimited | BulkheadFull)`; retries of an admitted call keep its
///   slot and need no new admission. Both are lock-free when they admit (one compare-and-swap
///   each) and export `coord_rate_limiter_calls_total{rate_limiter, outcome}`,
///   `coord_bulkhead_calls_total{bulkhead, outcome}` and `coord_bulkhead_in_use{bulkhead}`.
///   Two functions naming one with different options share the first's, with an ERROR log.
/// - `fallback = path`: when the call ends in an error that is not
///   [`ErrorClass::Permanent`] — retries exhausted, the breaker refusing, a timeout, the
///   rate limiter or bulkhead refusing — the
///   fallback answers instead, called with the same arguments (a parameter of type `T` as
///   `&T`, a reference as it is, the receiver as `&self`) and the final error:
///   `fn price(sku: &str, qty: u32) -> Result<u64, E>` takes
///   `fn cached(sku: &str, qty: &u32, error: E) -> Result<u64, E>` (an `async fn` for an async
///   function). A wrong signature is a compile error at the path that prints the expected
///   one. A permanent error goes back to the caller unchanged. Counted in
///   `coord_fallbacks_total{operation}` (and [`RetrySnapshot::fallbacks`](retry::RetrySnapshot)).
/// - Sync functions sleep the thread between attempts; async functions use
///   `tokio::time::sleep` (so a retrying async function needs a tokio runtime, and retries
///   follow tokio's paused clock in tests).
/// - With a breaker, the error type must implement `From<coord::Error>`: a rejected attempt
///   returns [`Error::CircuitOpen`] converted into it, at once, and is **never retried**.
///   Which failures count against it: `record_if` if given, else every failure that is not
///   [`ErrorClass::Permanent`] and whose severity (the policy's, or the error's own via
///   [`Classify::severity`]) is not `Low`. A half-open probe that panics or whose future is dropped
///   gives its permit back.
/// - A panic in the body, in a `retry_if` function or in a [`Classify`] impl propagates
///   unchanged and ends the call: nothing is retried after it, the breaker permit is given
///   back without an outcome (so it neither counts as a failure nor is lost), and the retry
///   statistics count the call as failed (`failed_with_retry` if it had retried). An async call
///   whose future is dropped mid-retry is counted the same way.
/// - Two functions declaring one breaker name with different options make that breaker refuse
///   every call with [`Error::BreakerConflict`]; [`breaker_conflicts`](breaker::breaker_conflicts) lists such conflicts at
///   startup.
///
/// # Metrics and logs
/// `coord_retry_calls_total{operation, kind}` (`successful_without_retry`,
/// `successful_with_retry`, `failed_without_retry`, `failed_with_retry`),
/// `coord_retry_attempts_total{operation}` (retries made, i.e. attempts after the first),
/// `coord_circuit_breaker_state{breaker, state}` (one-hot),
/// `coord_circuit_breaker_calls_total{breaker, outcome}` (`success`, `failure`, `rejected`),
/// `coord_circuit_breaker_transitions_total{breaker, from, to}`. Through `tracing`: each
/// scheduled retry (attempt, delay, the error's `Display`), giving up, and every breaker
/// transition.
///
/// # What it expands to
/// Roughly, for a sync function (async ones write the same loop out, awaiting the body as a
/// plain `async` block on each attempt, so their futures stay `Send`):
/// ```ignore
/// fn charge(card: &str) -> Result<u32, PayError> {
///     static SITE: RetrySite = RetrySite::new("charge", RetryPolicy::for_severity(High).max_retries(2)...);
///     static BREAKER: BreakerSite = BreakerSite::new("docs.payments");
///     run_sync(&SITE, &BREAKER, || { /* the body, unchanged */ }, |error| classify(error))
/// }
/// ```
///
/// Without the attribute, [`ErrorHandling`] runs closures and futures the same way.
pub use coord_macros::handle_errors;

/// Validates a function's input before its body runs; invalid input returns
/// `Err(E::from(coord::Error::Validation(result)))` and the body does not run.
///
/// ```
/// #[derive(Debug)]
/// enum ApiError {
///     Invalid(coord::Error),
/// }
///
/// impl From<coord::Error> for ApiError {
///     fn from(err: coord::Error) -> Self {
///         ApiError::Invalid(err)
///     }
/// }
///
/// #[coord::validate_input(
///     required = [user_id],
///     field(user_id, type = "uuid"),
///     field(age, type = "integer", min = 18, max = 120),
///     field(nickname, type = "string", min_length = 2, pattern = "^[a-z0-9_]+$"),
/// )]
/// fn register(user_id: &str, age: u32, nickname: Option<&str>) -> Result<(), ApiError> {
///     Ok(())
/// }
///
/// assert!(register("123e4567-e89b-12d3-a456-426614174000", 30, Some("ada")).is_ok());
/// let Err(ApiError::Invalid(coord::Error::Validation(result))) = register("nope", 12, None) else {
///     panic!("invalid input must be rejected");
/// };
/// let codes: Vec<&str> = result.errors.iter().map(|e| e.code.as_str()).collect();
/// assert_eq!(codes, ["invalid_uuid", "below_minimum"]);
/// ```
///
/// # What is validated
/// - `rules = "user_profile"`: a rule set loaded from the rules directory (the configuration's
///   `validation_rules_path`, `rules/` by default, loaded on first use; or [`load_rules`](validation::load_rules)). The input document is the
///   function's parameters as an object keyed by parameter name, so every parameter must
///   implement `serde::Serialize` (the compiler points at one that does not).
/// - `arg = user`: validate that one parameter instead; rule paths are inside it.
/// - Inline rules, with the meaning rule files have, **checked at compile time** (unknown
///   types and keys, `min > max`, bad regexes, fields naming no parameter are compile errors):
///   `required = [a, b.c]`, `field(path, type = "...", required, min, max, min_length,
///   max_length, pattern = "...", allowed = [...], sensitive, items(...))`,
///   `forbidden_patterns = ["..."]`, `max_depth = N`, `max_string_length = N`.
/// - `crate = "path"` for crates that re-export coord.
///
/// # Semantics (JSON Schema's where it has the keyword)
/// Lengths count characters (code points); `pattern` matches anywhere (anchor with `^…$`); a
/// value of the wrong type gets one `type_mismatch` error and the keywords for other types are
/// skipped; `1.0` is an integer; `allowed` rejects every array and object (use
/// `items(allowed = [...])` for "each item is one of"); a rule without a `type` rejects a value
/// none of its keywords can check (`min`/`max` numbers, `pattern` strings, lengths strings and
/// arrays, `items` arrays, rules below a field objects); a required `a.b` needs `a`;
/// `None` (and `()`) count as missing; paths use serde's wire names
/// (`#[serde(rename)]`); a `Serialize` impl that fails is a `serialize_failed` error, never
/// "valid". Input nested deeper than `max_depth` (64 when unset) is reported, not walked.
/// Validating valid input allocates nothing.
///
/// # What it expands to
/// ```ignore
/// fn register(user_id: &str, age: u32, nickname: Option<&str>) -> Result<(), ApiError> {
///     static RULES: InlineRules = InlineRules::new("register", r#"{"required_fields":["user_id"],...}"#);
///     if let Err(error) = outcome(RULES.with(|rules| rules.params().param("user_id", &user_id)....finish())) {
///         return Err(From::from(error));
///     }
///     { /* the body, unchanged */ }
/// }
/// ```
///
/// Without the attribute, [`ensure_valid`] validates a value the same way, ready for `?`.
pub use coord_macros::validate_input;

/// Gives a struct its validation rules: it implements [`validation::Validated`], which
/// `coord::axum::Valid` and [`Validated::ensure_valid`](validation::Validated::ensure_valid)
/// use. The arguments are `#[validate_input]`'s — a named rule set (`rules = "order"`, checked
/// by `coord::init` like every other name) or inline rules, checked at compile time, whose paths
/// start at the struct's fields (serde's `rename` and `rename_all` are followed; with a
/// flattened field, the first segment is not checked). To write the rules on the fields
/// themselves, derive [`Validate`](derive@Validate) instead.
///
/// ```
/// use coord::validation::Validated as _;
///
/// #[coord::validated(required = [sku], field(quantity, type = "integer", min = 1, max = 99))]
/// #[derive(serde::Serialize)]
/// struct Line {
///     sku: String,
///     quantity: u32,
/// }
///
/// assert!(Line { sku: "A-1".into(), quantity: 2 }.ensure_valid().is_ok());
/// let err = Line { sku: "A-1".into(), quantity: 0 }.ensure_valid().unwrap_err();
/// assert!(matches!(err, coord::Error::Validation(_)));
/// ```
///
/// A path that names no field is a compile error: `field(quantiy, ...)` says "the struct has no
/// field `quantiy`; did you mean `quantity`?".
pub use coord_macros::validated;

/// Rules written on a struct's fields: `#[derive(coord::Validate)]` implements
/// [`validation::Validated`] from `#[rule(...)]` on each field, in the vocabulary of rule files
/// and inline rules (`type`, `required`, `min`/`max`, `min_length`/`max_length`, `pattern`,
/// `allowed`, `sensitive`, `items(...)`, `check = path::to::function`). `#[rule(nested)]` on a
/// field whose type derives `Validate` too checks that type's rules under the field's name
/// (its required fields where the field is present; its struct-level limits, such as
/// `forbidden_patterns`, are not carried over: the outer type's apply to the whole value).
/// On the struct, `#[rule(...)]` takes the rules about the whole value: `compare = ["end >=
/// start"]`, `one_of_required = [email, phone]`, `forbidden_patterns`, `max_depth`,
/// `max_string_length`.
///
/// Everything is checked at compile time: a misspelt keyword, `min > max`, a bad regex, a rule
/// the field's type cannot meet (`pattern` on a `u32`, `type = "email"` on a `bool`), a rule on
/// a field serde skips, a check function of the wrong shape. Rules follow serde's wire names
/// (`rename`, `rename_all`, `flatten` with `#[rule(nested)]`). Validation is the same
/// streaming engine as every rule set: valid input allocates nothing.
///
/// A struct with rules is what `#[validate_input(arg = order)]` (and
/// `#[coordinate_operation(validate(arg = order))]`) checks when no rules are named, and what
/// `coord::axum::Valid<Json<T>>` checks.
///
/// ```
/// use coord::validation::Validated as _;
///
/// fn sku(value: &str) -> bool {
///     value.starts_with("SKU-")
/// }
///
/// #[derive(serde::Serialize, coord::Validate)]
/// struct Address {
///     #[rule(required, pattern = "^(?-u:\\d){5}$")]
///     zip: String,
/// }
///
/// #[derive(serde::Serialize, coord::Validate)]
/// #[rule(compare = ["deliver_by > placed_at"])]
/// struct Order {
///     #[rule(required, check = sku)]
///     sku: String,
///     #[rule(type = "integer", min = 1, max = 99)]
///     quantity: u32,
///     #[rule(type = "email", max_length = 254)]
///     email: Option<String>,
///     #[rule(nested)]
///     address: Address,
///     #[rule(type = "datetime")]
///     placed_at: String,
///     #[rule(type = "datetime")]
///     deliver_by: String,
/// }
///
/// let order = Order {
///     sku: "SKU-1".into(),
///     quantity: 2,
///     email: None,
///     address: Address { zip: "12345".into() },
///     placed_at: "2026-12-06T10:00:00Z".into(),
///     deliver_by: "2026-12-08T10:00:00Z".into(),
/// };
/// assert!(order.ensure_valid().is_ok());
/// let late = Order { address: Address { zip: "1234".into() }, ..order };
/// let result = late.validation()?;
/// assert_eq!(result.errors[0].path, "address.zip");
/// # Ok::<(), coord::Error>(())
/// ```
pub use coord_macros::Validate;

/// Validation, tracking, retries and a circuit breaker in one attribute, applied in that order:
/// validate once (invalid input is never retried, never reaches the breaker and is not a
/// tracked call), then track the whole call (its duration includes retries), then retry, each
/// attempt passing the breaker, then the body.
///
/// ```
/// #[derive(Debug)]
/// enum AppError {
///     NotFound,
///     Coord(coord::Error),
/// }
///
/// impl From<coord::Error> for AppError {
///     fn from(err: coord::Error) -> Self {
///         AppError::Coord(err)
///     }
/// }
///
/// #[coord::coordinate_operation(
///     name = "update_user_profile",
///     validate(required = [user_id], field(user_id, type = "string", min_length = 3)),
///     retry(max_retries = 3, severity = "medium", base_delay = "1ms"),
///     circuit_breaker = "users",
/// )]
/// fn update_user_profile(user_id: &str, bio: &str) -> Result<usize, AppError> {
///     if user_id == "ghost" { Err(AppError::NotFound) } else { Ok(bio.len()) }
/// }
///
/// assert_eq!(update_user_profile("ada", "mathematician").unwrap(), 13);
/// assert!(matches!(update_user_profile("x", ""), Err(AppError::Coord(coord::Error::Validation(_)))));
/// ```
///
/// # Arguments
/// `name = "..."` (the operation, for tracking and retry metrics; default: the function's
/// name), `validate(...)` (exactly the arguments of [`validate_input`]), `retry(...)` (the retry
/// arguments of [`handle_errors`]), `circuit_breaker = "..."` or `circuit_breaker(name = ..,
/// options..)` (as in [`handle_errors`]), `fallback = path` (as in [`handle_errors`]; needs
/// `retry(...)` or `circuit_breaker`), `lock(...)`, `in_flight = false`, `crate = "..."`. Each
/// group is read by the parser of its single attribute, so the two spellings accept exactly the
/// same things; `retry(timeout = "500ms", ...)` is the per-attempt timeout.
///
/// # Stacking the single attributes
/// `#[validate_input]`, `#[track_performance]` and `#[handle_errors]` stacked on one function,
/// in any order, expand as this attribute would with the same arguments: the first to expand
/// takes the others in. (Nesting them in the order written would, for instance, retry the
/// validation or track each attempt separately.) Stacking one of them with
/// `#[coordinate_operation]`, or one twice, is a compile error; so is naming the operation
/// differently in two of them.
pub use coord_macros::coordinate_operation;

// The everyday names stay at the root: what an annotated service calls at start-up, the error
// its own error type wraps, and the runtime API's handles. The rest is grouped by concern, so
// the root does not grow with each feature (the coordination patterns will arrive as modules
// too). A module may share a function's name (`coord::breaker` the module and
// `coord::breaker("x")` the function): they live in different namespaces.
pub use coord_runtime::{
    Classify, Error, ErrorClass, ErrorHandling, FromCoordError, Operation, Outcome, Severity,
    TrackedCall, breaker, configuration, ensure_valid, flush_metrics, init, init_with, prometheus,
    report, track, track_fn, track_future, validate,
};

/// Circuit breakers by name: their options, state, counts, and admission by hand.
///
/// ```
/// use coord::breaker::{BreakerConfig, BreakerState};
/// use coord::clock::SystemClock;
/// use std::sync::Arc;
///
/// let config = BreakerConfig::new().consecutive_failures(2);
/// let payments = coord::breaker::register_breaker("facade.payments", config, Arc::new(SystemClock))?;
/// assert_eq!(payments.state(), BreakerState::Closed);
/// assert_eq!(coord::breaker("facade.payments").state(), BreakerState::Closed); // the same one
/// # Ok::<(), coord::Error>(())
/// ```
pub mod breaker {
    pub use coord_runtime::{
        Breaker, BreakerConfig, BreakerCounts, BreakerState, CallResult, MAX_BREAKERS, OpenReason,
        Permit, breaker_conflicts, breakers, register_breaker,
    };
}

/// Clocks the breakers read: the system's, or one a test moves by hand.
///
/// ```
/// use coord::clock::{Clock, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(clock.now(), Duration::from_secs(5));
/// ```
pub mod clock {
    pub use coord_runtime::{Clock, ManualClock, SystemClock};
}

/// The configuration: defaults < file < `COORDINATION_*` environment < attribute arguments.
///
/// ```
/// let config = coord::config::CoordinationConfig::builder()
///     .env([("COORDINATION_MAX_RETRIES", "5")])
///     .load()?;
/// assert_eq!(config.max_retries, 5);
/// # Ok::<(), coord::config::ConfigError>(())
/// ```
pub mod config {
    pub use coord_runtime::{
        CONFIG_FILE_VAR, ConfigBuilder, ConfigError, ConfigSource, CoordinationConfig,
        DEFAULT_CONFIG_FILE, DEFAULT_RULES_DIR, DEFAULT_STORE, ENV_PREFIX, LockLocation,
        MAX_COLLECTION_INTERVAL, MAX_CONFIG_FILE_BYTES, MAX_DATA_POINTS, MIN_COLLECTION_INTERVAL,
        MissingRuleSet, StoreLocation, StoreLocationError, ValueProblem,
    };
}

/// Events dispatched by type to handlers that are validated, tracked, retried and broken.
///
/// ```
/// use coord::events::{EventError, EventProcessor};
///
/// let processor = EventProcessor::<u32>::new("facade.events");
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lost = processor.process("order.lost", 7).await;
/// assert!(matches!(lost, Err(EventError::UnknownType { .. })));
/// # });
/// let unknown = coord::events::unknown_events_report();
/// assert!(unknown.iter().any(|report| report.processor == "facade.events"));
/// ```
pub mod events {
    pub use coord_runtime::{
        EventError, EventHandler, EventProcessor, HandlerError, MAX_EVENT_PROCESSORS,
        MAX_UNKNOWN_TYPES, OTHER_TYPES, UnknownEventsReport, unknown_events_report,
    };
}

/// The Prometheus exporter: its builder, its endpoints and the names of coord's series.
///
/// ```
/// use coord::export::metric_names;
///
/// let exporter = coord::prometheus().install()?;
/// coord::track_fn("facade.export", || Ok::<(), ()>(())).unwrap();
/// assert!(exporter.render().contains(metric_names::CALLS_TOTAL));
/// assert!(coord::export::ENDPOINT_PATHS.contains(&"/metrics"));
/// # Ok::<(), coord::export::ExportError>(())
/// ```
pub mod export {
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub use coord_runtime::MAX_HTTP_CONNECTIONS;
    pub use coord_runtime::{
        DEFAULT_DURATION_BUCKETS, DEFAULT_LISTEN_ADDR, ENDPOINT_PATHS, EndpointResponse,
        ExportError, Exporter, MAX_DURATION_BUCKET_SECONDS, MAX_DURATION_BUCKETS, PrometheusExport,
        TraceIdSource, duration_bucket_bounds, metric_names, set_trace_id_source,
    };
}

/// What [`report()`](crate::report()) returns: performance, error handling, validation and the
/// system, with the health verdict and the score thresholds.
///
/// ```
/// use coord::report::{HealthStatus, Report};
///
/// let report: Report = coord::report();
/// assert_ne!(report.overall, HealthStatus::Unhealthy); // nothing has failed yet
/// println!("{report}");
/// ```
pub mod report {
    pub use coord_runtime::{
        BreakerReport, ErrorHandlingReport, HealthStatus, LimitReport, Limits, LockReport,
        OperationReport, POOR_OPERATION_MIN_CALLS, PerformanceClass, PerformanceThresholds, Report,
        SagaReport, SystemReport, error_handling_report, performance_thresholds,
    };
}

/// Retry policies and their statistics per operation.
///
/// ```
/// use coord::retry::RetryPolicy;
/// use coord::Severity;
///
/// let policy = RetryPolicy::for_severity(Severity::High).max_retries(2);
/// assert_eq!(policy.max_retries_value(), 2);
/// ```
pub mod retry {
    pub use coord_runtime::{
        Backoff, Jitter, RetryBudget, RetryKind, RetryPolicy, RetrySnapshot, StopReason, TimeLimit,
        retry_stats, seed_jitter,
    };
}

/// Bulkheads and rate limiters by name: what `bulkhead(...)` and `rate_limit(...)` in
/// [`handle_errors`] and [`coordinate_operation`] use, for code an attribute cannot annotate.
///
/// ```
/// use coord::limit::{BulkheadConfig, RateLimit};
///
/// let db = coord::limit::bulkhead("facade.db", BulkheadConfig::new(2));
/// let _slot = db.try_enter().expect("a free slot");
/// assert_eq!(db.in_use(), 1);
///
/// let api = coord::limit::rate_limiter("facade.api", RateLimit::per_second(50).burst(5));
/// assert!(api.try_acquire().is_ok());
/// ```
pub mod limit {
    pub use coord_runtime::{
        Bulkhead, BulkheadConfig, MAX_LIMITERS, RateLimit, RateLimiter, Slot, bulkhead, bulkheads,
        rate_limiter, rate_limiters,
    };
}

/// The process's CPU and memory, sampled in the background (feature `system`).
///
/// ```
/// if let Some(system) = coord::report().system {
///     let latest: coord::system::SystemSample = system.latest;
///     println!("{:.1} % CPU", latest.process_cpu_percent);
/// }
/// ```
pub mod system {
    #[cfg(feature = "system")]
    #[cfg_attr(docsrs, doc(cfg(feature = "system")))]
    pub use coord_runtime::{SystemMonitor, start_system_monitor};
    pub use coord_runtime::{SystemReport, SystemSample};
}

/// Per-operation statistics, as the attributes and the runtime API record them.
///
/// ```
/// coord::track_fn("facade.stats", || Ok::<(), ()>(())).unwrap();
/// let stats = coord::tracking::operation_stats();
/// assert!(stats.iter().any(|op| op.operation == "facade.stats"));
/// ```
pub mod tracking {
    pub use coord_runtime::{
        MAX_OPERATIONS, Objective, OperationSnapshot, OutcomeCounts, objectives, operation_stats,
    };
}

/// What an operator puts on a dashboard and in alerting, generated from coord's metric names
/// and the objectives declared in the program (`objective(...)` in `#[track_performance]` and
/// `#[coordinate_operation]`): a Prometheus rules file (recording rules, multi-window burn-rate
/// alerts per objective, breakers held open, retries exhausted, invalid input) and a Grafana
/// dashboard reading those series. The service example writes them with `--emit rules` and
/// `--emit grafana`.
pub mod dashboards {
    pub use coord_runtime::{DashboardError, grafana, prometheus_rules};
}

/// Rule sets: built in code or loaded from YAML files, and what validation reports.
///
/// ```
/// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
///
/// let spec = RuleSetSpec::new()
///     .require("email")
///     .field("email", FieldSpec::of(FieldType::Email));
/// coord::validation::register_rule_set("facade.signup", &spec)?;
/// let result = coord::validate("facade.signup", &serde_json::json!({"email": "a@b.example"}))?;
/// assert!(result.is_valid);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod validation {
    pub use coord_runtime::{
        AllowedValue, CheckInput, CheckNameError, CheckOutcome, DynCheck, ErrorCode, FailureCount,
        FieldSpec, FieldType, IntoCheck, LoadSummary, MAX_RULE_SETS, RuleProblem, RuleSetReport,
        RuleSetSpec, RulesError, UnmatchedPath, Validated, ValidationError, ValidationReport,
        ValidationResult, Verdict, load_rules, register_check, register_rule_set,
        registered_checks, reload_rules, rule_sets, takes, validation_report,
    };
}

/// The coordination store: the durable log the coordination patterns keep their state in,
/// on an embedded SQLite file (feature `sqlite`) or a PostgreSQL server (feature `postgres`).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use coord_patterns::store;

/// Durable sagas on the coordination store (features `sqlite`, `postgres`): steps logged
/// before and after they run, compensated last first on failure, resumed after a crash.
/// Usually written with [`#[saga]`](macro@saga) and [`#[step]`](macro@step).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use coord_patterns::saga;

/// Resumes the saga runs a crashed or stopped instance left unfinished, on the process's saga
/// engine (features `sqlite`, `postgres`). [`init`] starts doing it in the background (now,
/// then every half lease) when the program declares a [`#[saga]`](macro@saga); call this to
/// wait for it, e.g. before serving.
///
/// ```no_run
/// # async fn start() -> Result<(), coord::saga::SagaError> {
/// let recovered = coord::recover().await?;
/// println!("resumed: {} completed, {} compensated", recovered.completed, recovered.compensated);
/// # Ok(()) }
/// ```
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use coord_patterns::saga::recover;

/// Distributed locks that fence by construction (features `sqlite`, `postgres`, `redis`):
/// fencing tokens, a renewing watchdog, the body stopped when the lock is lost, release on
/// every path. [`lock`](fn@lock) takes one in code; [`#[distributed_lock]`](macro@distributed_lock)
/// around a function.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "redis")))
)]
pub use coord_patterns::lock;

/// A distributed lock by key, to [`acquire`](lock::LockRequest::acquire) or to
/// [`run`](lock::LockRequest::run) a body under (features `sqlite`, `postgres`, `redis`).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # coord::lock::install_backend("default", coord::lock::LockBackend::store(coord::store::AnyStore::open("memory:").await.unwrap()));
/// use std::time::Duration;
///
/// let guard = coord::lock("inventory:42").ttl(Duration::from_secs(10)).acquire().await?;
/// let token = guard.token();        // hand it to what the critical section writes
/// assert!(guard.is_held());
/// guard.release().await?;
/// # let _ = token;
/// # Ok::<(), coord::Error>(())
/// # }).unwrap();
/// ```
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "redis")))
)]
pub use coord_patterns::lock::lock;

/// Holds a **distributed lock** while an async function runs (features `sqlite`, `postgres`,
/// `redis`). The key is built from the function's arguments; the body reads the hold's
/// fencing token with [`lock::held()`](lock::held) and hands it to what it writes, so a holder
/// paused past its TTL is refused there. A watchdog renews the hold every third of the TTL;
/// if the lock is lost, the body's future is dropped and the call returns
/// `Err(coord::Error::LockLost { key })` (the error type implements `From<coord::Error>`).
/// The lock is released on every path: return, `?`, panic, cancellation.
///
/// ```
/// #[derive(Debug, thiserror::Error)]
/// enum StockError {
///     #[error(transparent)]
///     Coord(#[from] coord::Error),
/// }
///
/// #[coord::distributed_lock(key = "inventory:{sku}", ttl = "10s", wait = "2s")]
/// async fn reserve(sku: &str, units: u32) -> Result<u64, StockError> {
///     let token = coord::lock::held().expect("held").token;
///     // stock.reserve(sku, units, token) — the stock service refuses older tokens
///     Ok(token)
/// }
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # coord::lock::install_backend("default", coord::lock::LockBackend::store(coord::store::AnyStore::open("memory:").await.unwrap()));
/// let first = reserve("tea", 2).await?;
/// let second = reserve("tea", 1).await?;
/// assert!(second > first);
/// # Ok::<(), StockError>(())
/// # }).unwrap();
/// ```
///
/// # Arguments
/// - `key = "inventory:{sku}"` (required): each `{name}` is the value of parameter `name`
///   (`Display`); `{{`/`}}` are braces. A name that is not a parameter is a compile error. At
///   most 512 bytes once built.
/// - `ttl = "30s"` (default 30 s, at most a day): how long a hold lasts without renewal.
/// - `wait = "5s"` (default 5 s, at most an hour; `"0s"` tries once): how long to wait for a
///   held lock before `Err(coord::Error::LockTimeout)`.
/// - `backend = "name"`: a backend installed with [`lock::install_backend`]; by default the
///   coordination store the configuration names.
/// - `crate = "path"`: where the `coord` crate is.
///
/// In `#[coordinate_operation]` it is the `lock(...)` group, held inside validation and
/// around tracking and retries (validate → lock → track → rate limit → bulkhead → retry → breaker): an invalid call
/// never takes the lock, waiting for it is not counted as the operation's latency, and
/// every retry runs under the one hold. Only on `async fn`: in sync code use
/// [`lock`](fn@lock) and [`LockGuard::is_held`](lock::LockGuard::is_held).
///
/// ```compile_fail
/// #[coord::distributed_lock(key = "inventory:{skus}")] // `skus` is not a parameter
/// async fn reserve(sku: &str) -> Result<(), coord::Error> { Ok(()) }
/// ```
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "redis")))
)]
pub use coord_macros::distributed_lock;

/// Makes an async function a **durable saga** (features `sqlite`, `postgres`): each
/// [`#[step]`](macro@step) it calls is logged to the coordination store before and after it
/// runs; when a step fails, the steps already done are compensated, last first; when the
/// process crashes, [`recover`] (started by [`init`]) resumes the run — forward, answering the
/// steps already done from the log, or backward, finishing its compensation.
///
/// Write the function with a first parameter `saga: SagaContext`, which its steps are called
/// with; callers pass the **run's id** there instead. Starting an id that already ran returns
/// that run's result without running anything again. The other parameters are the saga's
/// input, logged (they must be `Serialize + Deserialize`; a `&T` parameter is read back as
/// `T`, `&str` as `String`, `&[T]` as `Vec<T>`); the output is logged too. The error type
/// implements `From<coord::saga::SagaError>`.
///
/// ```
/// use coord::saga::{SagaContext, SagaError, StepKey};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, thiserror::Error)]
/// enum ShopError {
///     #[error("out of stock")]
///     OutOfStock,
///     #[error(transparent)]
///     Saga(#[from] SagaError),
/// }
///
/// #[derive(Serialize, Deserialize)]
/// struct Order { sku: String, quantity: u32 }
///
/// #[derive(Serialize, Deserialize)]
/// struct Reservation(u64);
///
/// #[coord::saga(name = "place_order")]
/// async fn place_order(saga: SagaContext, order: &Order) -> Result<u64, ShopError> {
///     let reservation = reserve_stock(&saga, order).await?;
///     send_confirmation(&saga, &order.sku).await?;
///     Ok(reservation.0)
/// }
///
/// /// Its idempotency key goes to the stock service, so a retry after a crash reserves once.
/// #[coord::step(compensate = release_stock, retry(max_retries = 2), timeout = "5s")]
/// async fn reserve_stock(key: StepKey, order: &Order) -> Result<Reservation, ShopError> {
///     if order.quantity > 10 { return Err(ShopError::OutOfStock); }
///     Ok(Reservation(7))
/// }
///
/// /// The step's inputs by value, and its output if it is known (`None` when a crash left
/// /// the step's outcome unknown: undo by the key then).
/// async fn release_stock(key: StepKey, order: Order, reservation: Option<Reservation>) -> Result<(), ShopError> {
///     println!("release {} of {} ({key})", order.quantity, order.sku);
///     Ok(())
/// }
///
/// #[coord::step(no_compensation)]
/// async fn send_confirmation(key: StepKey, sku: &str) -> Result<(), ShopError> {
///     Ok(())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // A store built in code (by default the configuration's `coordination_store`).
/// let store = coord::store::AnyStore::open("memory:").await?;
/// coord::saga::install_engine(coord::saga::SagaEngine::new(store))?;
/// let order = Order { sku: "tea".into(), quantity: 2 };
/// assert_eq!(place_order("order-1", &order).await?, 7);
/// assert_eq!(place_order("order-1", &order).await?, 7); // the first run's result
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
///
/// # Arguments
/// - `name = "..."`: the saga's name in the log and the metrics; defaults to the function's.
///   Two sagas with one name are refused when either runs.
/// - `crate = "path"`: where the `coord` crate is, for crates that re-export it.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use coord_macros::saga;

/// Makes an async function a **step** of a [`#[saga]`](macro@saga) (features `sqlite`,
/// `postgres`): logged before it runs (its intent) and after (its output or error), with an
/// idempotency key — `run/step/position`, the same on every attempt and after recovery — to
/// hand to the remote side.
///
/// Write the function with a first parameter `key: StepKey`; callers pass the saga's context
/// there instead (`reserve_stock(&saga, &order)`), so a step can only be called from a saga.
/// The other parameters and the output are logged, as for `#[saga]`.
///
/// A step says how it is undone if the saga fails after it — exactly one of:
/// - `compensate = function`: an `async fn(StepKey, <each input by value>, Option<output>)
///   -> Result<(), E>`, checked at compile time against the step's signature. It runs in a
///   task of its own (so it finishes even if the caller's future is dropped), retried with
///   backoff for a long time ([`SagaEngine::compensation_retries`](saga::SagaEngine::compensation_retries));
///   one that keeps failing leaves the run `compensation_failed`: in the report, `/health`
///   degraded, until [`SagaEngine::retry_compensation`](saga::SagaEngine::retry_compensation).
/// - `pivot`: the point of no return. Once it is done the saga only goes forward: a
///   compensable step after it fails the run ([`SagaError::CompensableAfterPivot`](saga::SagaError::CompensableAfterPivot)).
/// - `no_compensation`: nothing to undo (a read, a notification).
///
/// A step whose outcome a crash left unknown (intent logged, no result) is **re-run with the
/// same key** when the run resumes forward, and **compensated** (output `None`) when it
/// resumes backward.
///
/// # Arguments
/// - `compensate = path`, `pivot`, `no_compensation`: see above; one is required.
/// - `retry(...)` and `circuit_breaker = ...`: as in [`#[coordinate_operation]`](macro@coordinate_operation),
///   around the step's action (the step is logged once, however many attempts it takes).
/// - `timeout = "5s"`: the longest the step (all its attempts) may take. Past it the step
///   fails with [`SagaError::StepTimedOut`](saga::SagaError::StepTimedOut) and its outcome
///   counts as unknown, so a compensation undoes it by its key.
/// - `name = "..."`: the step's name in the log; defaults to the function's.
/// - `crate = "path"`: where the `coord` crate is.
///
/// ```compile_fail
/// # use coord::saga::StepKey;
/// #[coord::step] // how is it undone?
/// async fn charge(key: StepKey, cents: u64) -> Result<u64, coord::saga::SagaError> {
///     Ok(cents)
/// }
/// ```
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub use coord_macros::step;

/// coord for any `tower::Service` (axum, hyper, tonic): feature `tower`.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use coord_runtime::tower;

/// coord for axum applications (feature `axum`): [`Valid`](axum::Valid) validates a `Json`,
/// `Query` or `Form` payload against its type's rules ([`validated`]) and answers 422 with the
/// result as JSON; [`endpoints`](axum::endpoints) is a router for `/metrics`, `/health` and
/// `/report`.
///
/// ```
/// use axum::{Json, Router, routing::post};
/// use coord::axum::Valid;
///
/// #[coord::validated(field(quantity, type = "integer", min = 1))]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Order {
///     quantity: u32,
/// }
///
/// async fn order(Valid(Json(order)): Valid<Json<Order>>) -> String {
///     format!("{} ordered", order.quantity)
/// }
///
/// let exporter = coord::prometheus().install()?;
/// let app: Router = Router::new()
///     .route("/orders", post(order))
///     .merge(coord::axum::endpoints(exporter));
/// # let _ = app;
/// # Ok::<(), coord::export::ExportError>(())
/// ```
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use coord_runtime::axum;

/// Compiles the README's examples as doc tests, so the README cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// What generated code calls. **Not a stable API**: it changes without notice in any release.
#[doc(hidden)]
pub mod __private {
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
    pub use coord_patterns::__private as patterns;
    pub use coord_runtime::__private::*;
}
