//! The coordination store: the durable log that coordination patterns keep their state in,
//! behind one small trait with three backends.
//!
//! - [`SqliteStore`] (feature `sqlite`): the embedded default, one file beside the service,
//!   nothing to run. WAL journal, `synchronous=FULL` (a logged step survives a power cut),
//!   writers in `BEGIN IMMEDIATE` transactions, so several processes on one machine may share
//!   the file.
//! - [`PostgresStore`] (feature `postgres`): for fleets, where several instances share one log.
//! - [`MemoryStore`]: for unit tests only. **Not durable**: everything is lost with the process.
//!
//! Every backend creates its tables on first use and records a schema version; a database
//! written by a newer build is refused rather than misread. Times (leases) come from the
//! database's clock where there is one, so instances with skewed clocks agree.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use coord_patterns::store::{CoordinationStore, MemoryStore, NewStep, RunState, Started, StepState};
//! use std::time::Duration;
//!
//! let store = MemoryStore::new();
//! let lease = Duration::from_secs(30);
//! assert_eq!(store.start_run("order-7", "place_order", "{}", "instance-a", lease).await?, Started::New);
//! let step = NewStep { seq: 0, step: "reserve", key: "order-7/reserve/0", input: "{}" };
//! store.record_intent("order-7", &step).await?;
//! store.finish_step("order-7", 0, StepState::Done, Some("\"r-1\"")).await?;
//! store.finish_run("order-7", RunState::Completed, None).await?;
//! let run = store.load_run("order-7").await?.expect("logged");
//! assert_eq!((run.state, run.steps[0].output.as_deref()), (RunState::Completed, Some("\"r-1\"")));
//! # Ok::<(), coord_patterns::store::StoreError>(())
//! # }).unwrap();
//! ```

use std::future::Future;
use std::time::Duration;

mod any;
mod error;
mod location;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod records;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod schema;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use any::AnyStore;
pub use error::StoreError;
pub use location::{DEFAULT_STORE, Location};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresStore;
#[cfg(feature = "postgres")]
pub(crate) use postgres::session_gone;
pub use records::{RunRecord, RunState, RunSummary, Started, StepRecord, StepState};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;

/// Yields once; coord calls it before a timer that follows a store call in the same poll. On a
/// multi-threaded runtime the SQLite store works in place, which leaves the rest of the poll on
/// a thread that is no longer a worker; had the runtime shut down meanwhile (the program
/// returned from `main`), a timer created there would panic ("A Tokio 1.x context was found,
/// but it is being shutdown"; tokio#2789). After the yield a live runtime polls the task again
/// and a closed one drops it. Only where coord itself sleeps next (a retry, the recovery loop,
/// a lease renewal): after every statement it would cost a cross-thread wake-up each.
pub(crate) async fn before_timer() {
    tokio::task::yield_now().await;
}

/// A step about to run, for [`CoordinationStore::record_intent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewStep<'a> {
    /// Its position in the run, from 0.
    pub seq: u32,
    /// The step's name.
    pub step: &'a str,
    /// Its idempotency key.
    pub key: &'a str,
    /// Its input, serialized.
    pub input: &'a str,
}

/// The operations the patterns need from a durable log. Each call is one transaction: when
/// it returns `Ok`, what it wrote survives a crash of the process (and, for SQLite and
/// PostgreSQL, of the machine).
pub trait CoordinationStore: Send + Sync {
    /// Logs a new run `id` of `saga` with `input`, leased to `owner` for `lease`; or, when
    /// a run `id` exists, returns it unchanged (start idempotency).
    fn start_run(
        &self,
        id: &str,
        saga: &str,
        input: &str,
        owner: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Started, StoreError>> + Send;

    /// Logs the intent to run `step` before it runs. Logging the same step at the same
    /// position again (a re-run after a crash) changes nothing; another step there is
    /// [`StoreError::Conflict`]: the saga diverged from its log.
    fn record_intent(
        &self,
        run: &str,
        step: &NewStep<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records how step `seq` ended (`Done` with its output, `Failed` with its error) or how
    /// its compensation ended (`Compensated`, `CompensationFailed` with the error).
    fn finish_step(
        &self,
        run: &str,
        seq: u32,
        state: StepState,
        detail: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Moves the run to `state`, with its output (completed) or error (otherwise).
    fn finish_run(
        &self,
        run: &str,
        state: RunState,
        detail: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The run `id` with its steps, if logged.
    fn load_run(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<RunRecord>, StoreError>> + Send;

    /// Takes the lease of up to `limit` unfinished runs whose lease has expired (their owner
    /// died or stalled) for `owner`, and returns them: exactly one claimant gets each.
    fn claim_unfinished(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RunRecord>, StoreError>> + Send;

    /// Moves run `id` from `compensation_failed` back to `compensating`, leased to `owner`,
    /// for an operator's retry; `false` when the run is not `compensation_failed`.
    fn reopen_compensation(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Up to `limit` runs in `state`, in id order: for the report, e.g. the runs
    /// `compensation_failed` that wait for an operator.
    fn runs_in_state(
        &self,
        state: RunState,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RunSummary>, StoreError>> + Send;

    /// Takes lock `key` for `owner` for `ttl` when nobody holds it (or its holder's lease ran
    /// out), and returns its new fencing token: strictly greater than every token of `key`
    /// before it, in every process, for as long as the store keeps its data. `None` when it
    /// is held.
    fn acquire_lock(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;

    /// Extends `owner`'s hold of lock `key` (taken with `token`) to `ttl` from now; `false`
    /// when it no longer holds it (released, lease run out, taken by another).
    fn renew_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Releases `owner`'s hold of lock `key` (taken with `token`); `false` when it did not
    /// hold it. Never releases another holder's lock.
    fn release_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Extends `owner`'s lease on run `id`; `false` when the lease is no longer `owner`'s.
    fn renew_lease(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Milliseconds of `duration`, saturating: lease arithmetic is done in the database.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
