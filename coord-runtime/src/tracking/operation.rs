//! Tracking without an attribute: the [`Operation`] handle a `static` holds, [`track`] for a
//! name known only at run time, the [`TrackedCall`] guard that records one call, and the
//! closure forms [`track_fn`] and [`track_future`].
//!
//! `#[track_performance]` expands to exactly this — a `static` [`Operation`] and one
//! [`TrackedCall`] per call — so an operation tracked by hand and one tracked by the attribute
//! publish the same series and statistics.
//!
//! The hot path is: count the call in (a per-thread cell), read the clock; then on exit read the
//! clock and count the outcome, the time and the duration buckets in per-thread cells. No lock,
//! no allocation, no write to memory another thread writes; counters, the in-flight gauge and
//! the duration histogram reach the recorder when published (`publish.rs`).

use std::future::Future;
use std::sync::OnceLock;

use super::stats::{OperationStats, stats_for};
use crate::values::outcome::Outcome;

/// A tracked operation, for a `static`: its name, whether it keeps the in-flight gauge, and
/// (once called) its statistics.
///
/// Use it where an attribute cannot go — a block, a closure, a call into a third-party type.
/// Calls through it are recorded exactly as `#[track_performance]` records a function's.
///
/// ```
/// use coord::Operation;
///
/// static FETCH: Operation = Operation::new("docs.fetch");
///
/// fn fetch(id: u32) -> Result<String, String> {
///     let call = FETCH.track();
///     if id == 0 {
///         let err = "no such id".to_owned();
///         call.failure(&err);
///         return Err(err);
///     }
///     call.success();
///     Ok(format!("item {id}"))
/// }
///
/// fetch(1).unwrap();
/// fetch(0).unwrap_err();
/// let stats = coord::tracking::operation_stats();
/// let fetch = stats.iter().find(|s| s.operation == "docs.fetch").unwrap();
/// assert_eq!((fetch.calls.ok, fetch.calls.error), (1, 1));
/// ```
pub struct Operation {
    name: &'static str,
    in_flight: bool,
    stats: OnceLock<&'static OperationStats>,
}

impl Operation {
    /// The operation `name` (the `operation` label), keeping the in-flight gauge.
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            in_flight: true,
            stats: OnceLock::new(),
        }
    }

    /// Whether to publish `coord_operation_in_flight` for this operation (`true` unless told).
    #[must_use]
    pub const fn in_flight(mut self, in_flight: bool) -> Self {
        self.in_flight = in_flight;
        self
    }

    /// The operation's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Starts recording one call; the returned guard records it when told how it ended, or
    /// when dropped.
    #[inline]
    pub fn track(&'static self) -> TrackedCall {
        if !crate::config::configuration().enable_performance_monitoring {
            return TrackedCall { recording: None };
        }
        let stats = *self.stats.get_or_init(|| {
            let stats = stats_for(self.name);
            if self.in_flight {
                stats.keep_in_flight();
            }
            stats
        });
        TrackedCall::start(stats)
    }

    /// Runs `body` as one call of this operation; its outcome is `error` when it returns `Err`.
    ///
    /// ```
    /// static PARSE: coord::Operation = coord::Operation::new("docs.parse");
    ///
    /// let n: Result<u32, _> = PARSE.run(|| "12".parse::<u32>());
    /// assert_eq!(n, Ok(12));
    /// ```
    #[inline]
    pub fn run<T, E>(&'static self, body: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let call = self.track();
        let result = body();
        call.finish(outcome_of(&result));
        result
    }

    /// Runs `future` as one call of this operation, timed from its first poll to its completion
    /// (or its drop, recorded as `cancelled`) — as `#[track_performance]` times an `async fn`.
    ///
    /// ```
    /// static LOAD: coord::Operation = coord::Operation::new("docs.load");
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let loaded = LOAD.run_async(async { Ok::<_, std::io::Error>(7) }).await;
    /// assert_eq!(loaded.unwrap(), 7);
    /// # });
    /// ```
    pub async fn run_async<T, E, F>(&'static self, future: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let call = self.track();
        let result = future.await;
        call.finish(outcome_of(&result));
        result
    }
}

/// Starts recording one call of the operation `name`, a name known only at run time.
///
/// Looking the name up costs a shared read lock and a hash per call; a `static` [`Operation`]
/// costs neither. Names become the `operation` label: keep them bounded (route patterns, not
/// paths with ids in them).
///
/// ```
/// fn call_api(endpoint: &str) -> Result<u16, String> {
///     let call = coord::track(endpoint);
///     let status = 200; // the real call
///     call.success();
///     Ok(status)
/// }
///
/// call_api("docs.api.users").unwrap();
/// {
///     let _call = coord::track("docs.api.users"); // dropped without an outcome: cancelled
/// }
/// let stats = coord::tracking::operation_stats();
/// let users = stats.iter().find(|s| s.operation == "docs.api.users").unwrap();
/// assert_eq!((users.calls.ok, users.calls.cancelled), (1, 1));
/// ```
#[inline]
pub fn track(operation: &str) -> TrackedCall {
    if !crate::config::configuration().enable_performance_monitoring {
        return TrackedCall { recording: None };
    }
    let stats = stats_for(operation);
    stats.keep_in_flight();
    TrackedCall::start(stats)
}

/// Runs `body` as one call of the operation `name`; `error` when it returns `Err`.
///
/// ```
/// let total = coord::track_fn("docs.sum", || {
///     [1, 2, 3].iter().try_fold(0u32, |sum, n| sum.checked_add(*n).ok_or("overflow"))
/// });
/// assert_eq!(total, Ok(6));
/// ```
#[inline]
pub fn track_fn<T, E>(operation: &str, body: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let call = track(operation);
    let result = body();
    call.finish(outcome_of(&result));
    result
}

/// Runs `future` as one call of the operation `name`, timed from its first poll to completion;
/// dropped before completing, it counts as `cancelled`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let body = coord::track_future("docs.download", async { Ok::<_, String>("body") }).await;
/// assert_eq!(body, Ok("body"));
/// # });
/// ```
pub async fn track_future<T, E, F>(operation: &str, future: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
{
    let call = track(operation);
    let result = future.await;
    call.finish(outcome_of(&result));
    result
}

fn outcome_of<T, E>(result: &Result<T, E>) -> Outcome {
    if result.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Error
    }
}

/// One call being recorded: say how it ended with [`success`](TrackedCall::success),
/// [`failure`](TrackedCall::failure) or [`finish`](TrackedCall::finish), or drop it.
///
/// Dropped without an outcome, it records [`Outcome::Panic`] while unwinding and
/// [`Outcome::Cancelled`] otherwise (an async call's future dropped before completion, or an
/// early return that forgot to say) — so no call goes uncounted and the in-flight gauge comes
/// back down.
///
/// ```
/// static STEP: coord::Operation = coord::Operation::new("docs.step");
///
/// let result = std::panic::catch_unwind(|| {
///     let _call = STEP.track();
///     panic!("boom");
/// });
/// assert!(result.is_err());
/// let stats = coord::tracking::operation_stats();
/// assert_eq!(stats.iter().find(|s| s.operation == "docs.step").unwrap().calls.panic, 1);
/// ```
#[must_use = "a tracked call records the call when finished or dropped"]
pub struct TrackedCall {
    /// Where to record and when the call started; `None` when performance monitoring is
    /// switched off in the configuration.
    recording: Option<(&'static OperationStats, quanta::Instant)>,
}

impl TrackedCall {
    /// Starts recording one call into `stats`, unless performance monitoring is off.
    #[inline]
    pub(crate) fn of(stats: &'static OperationStats) -> Self {
        if !crate::config::configuration().enable_performance_monitoring {
            return TrackedCall { recording: None };
        }
        Self::start(stats)
    }

    #[inline]
    fn start(stats: &'static OperationStats) -> Self {
        stats.enter();
        crate::base::refusal::clear();
        TrackedCall {
            recording: Some((stats, quanta::Instant::now())),
        }
    }

    /// Records the call as ended well (`ok`).
    #[inline]
    pub fn success(self) {
        self.finish(Outcome::Ok);
    }

    /// Records the call as failed (`error`). The error is not looked at: no error text reaches
    /// the series, so their number stays bounded.
    #[inline]
    pub fn failure<E: ?Sized>(self, _error: &E) {
        self.finish(Outcome::Error);
    }

    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(self, outcome: Outcome) {
        self.record(outcome);
        std::mem::forget(self);
    }

    #[inline]
    fn record(&self, outcome: Outcome) {
        let Some((stats, start)) = self.recording else {
            return;
        };
        let elapsed = start.elapsed();
        // A refusal noted on this thread since the call started ended it before the body ran.
        // Read only for an error: any other outcome leaves the note to the next call's start,
        // which clears it.
        let outcome = if outcome == Outcome::Error && crate::base::refusal::take() {
            Outcome::Refused
        } else {
            outcome
        };
        stats.record(
            outcome,
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
        );
    }
}

impl Drop for TrackedCall {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panic
        } else {
            Outcome::Cancelled
        };
        self.record(outcome);
    }
}
