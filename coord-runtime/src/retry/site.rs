//! The per-function `static` of a retried function: its policy, metric handles and statistics.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use metrics::{Counter, Key, Label};

use super::budget::BudgetWindow;
use crate::base::cells::{self, CellIndex};
use crate::base::named_registry::{Named, NamedRegistry};
use crate::config::{CoordinationConfig, configuration};
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::OVERFLOW;
use crate::telemetry::metric_names::{
    FALLBACKS_TOTAL, KIND_LABEL, OPERATION_LABEL, RETRY_ATTEMPTS_TOTAL, RETRY_CALLS_TOTAL,
    RETRY_TIMEOUTS_TOTAL,
};
use crate::telemetry::publish::{self, Publish};
use crate::telemetry::recorder_cache::RecorderCache;
use crate::tracking::stats::MAX_OPERATIONS;
use crate::values::retry_policy::RetryPolicy;

/// How a call through a retry policy ended (the `kind` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The first attempt succeeded.
    SuccessfulWithoutRetry,
    /// A retry succeeded.
    SuccessfulWithRetry,
    /// It failed without retrying (not retryable, no retries allowed, or rejected).
    FailedWithoutRetry,
    /// It failed after retrying.
    FailedWithRetry,
}

impl RetryKind {
    /// Every kind, in index order.
    pub const ALL: [RetryKind; 4] = [
        RetryKind::SuccessfulWithoutRetry,
        RetryKind::SuccessfulWithRetry,
        RetryKind::FailedWithoutRetry,
        RetryKind::FailedWithRetry,
    ];

    /// The `kind` label value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RetryKind::SuccessfulWithoutRetry => "successful_without_retry",
            RetryKind::SuccessfulWithRetry => "successful_with_retry",
            RetryKind::FailedWithoutRetry => "failed_without_retry",
            RetryKind::FailedWithRetry => "failed_with_retry",
        }
    }

    /// The kind of a call that made `retries` retries and succeeded or not.
    #[must_use]
    pub const fn of(succeeded: bool, retries: u32) -> Self {
        match (succeeded, retries) {
            (true, 0) => RetryKind::SuccessfulWithoutRetry,
            (true, _) => RetryKind::SuccessfulWithRetry,
            (false, 0) => RetryKind::FailedWithoutRetry,
            (false, _) => RetryKind::FailedWithRetry,
        }
    }
}

/// The retry series of one operation, published from its cells.
struct RetryMetrics {
    retries: Counter,
    timeouts: Counter,
    fallbacks: Counter,
    calls: [Counter; 4],
}

/// Offsets of an operation's retry cells: calls per kind, then these.
const RETRIES: u32 = 4;
const EXHAUSTED: u32 = 5;
const TIMEOUTS: u32 = 6;
const FALLBACKS: u32 = 7;
const CELLS: u32 = 8;

/// The counter cells of one operation's retry statistics.
pub(crate) const CELLS_PER_RETRY_OPERATION: usize = CELLS as usize;

/// In-process retry statistics of one operation, for reports and the retry series.
pub(crate) struct RetryStats {
    operation: Box<str>,
    /// Calls per kind, retries, exhausted calls: see the offsets above.
    cells: CellIndex,
    metrics: RecorderCache<RetryMetrics>,
}

impl RetryStats {
    fn name_static(&'static self) -> &'static str {
        &self.operation
    }

    fn totals(&self) -> [u64; CELLS as usize] {
        cells::sums(self.cells)
    }
}

/// Retry statistics of one operation at one moment; see [`retry_stats`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetrySnapshot {
    /// The operation.
    pub operation: String,
    /// Calls whose first attempt succeeded.
    pub successful_without_retry: u64,
    /// Calls that succeeded on a retry.
    pub successful_with_retry: u64,
    /// Calls that failed without retrying.
    pub failed_without_retry: u64,
    /// Calls that failed after retrying.
    pub failed_with_retry: u64,
    /// Retries made in all.
    pub retries: u64,
    /// Calls that failed because they ran out of retries or of deadline.
    pub exhausted: u64,
    /// Attempts cancelled by their `timeout` or the call's `deadline`.
    pub timeouts: u64,
    /// Failed calls answered by the `fallback`.
    pub fallbacks: u64,
}

impl Named for RetryStats {
    fn name(&self) -> &str {
        &self.operation
    }
}

impl Publish for RetryStats {
    fn publish(&self) {
        let metrics = self.metrics.get(|recorder| {
            let operation = Label::new(OPERATION_LABEL, self.operation.to_string());
            let key = Key::from_parts(RETRY_ATTEMPTS_TOTAL, vec![operation.clone()]);
            let retries = recorder.register_counter(&key, &METADATA);
            let key = Key::from_parts(RETRY_TIMEOUTS_TOTAL, vec![operation.clone()]);
            let timeouts = recorder.register_counter(&key, &METADATA);
            let key = Key::from_parts(FALLBACKS_TOTAL, vec![operation.clone()]);
            let fallbacks = recorder.register_counter(&key, &METADATA);
            let calls = RetryKind::ALL.map(|kind| {
                let key = Key::from_parts(
                    RETRY_CALLS_TOTAL,
                    vec![operation.clone(), Label::new(KIND_LABEL, kind.as_str())],
                );
                recorder.register_counter(&key, &METADATA)
            });
            RetryMetrics {
                retries,
                timeouts,
                fallbacks,
                calls,
            }
        });
        let totals = self.totals();
        for kind in RetryKind::ALL {
            metrics.calls[kind as usize].absolute(totals[kind as usize]);
        }
        metrics.retries.absolute(totals[RETRIES as usize]);
        metrics.timeouts.absolute(totals[TIMEOUTS as usize]);
        metrics.fallbacks.absolute(totals[FALLBACKS as usize]);
    }
}

/// Keyed by operation, so capped like the operations themselves.
static RETRY_STATS: NamedRegistry<RetryStats> =
    NamedRegistry::new("retried operations", MAX_OPERATIONS, OVERFLOW);

fn retry_stats_for(operation: &str) -> &'static RetryStats {
    let mut created = false;
    let stats = RETRY_STATS.get_or_insert_with(operation, |operation| {
        created = true;
        RetryStats {
            operation: operation.into(),
            cells: cells::allocate(CELLS),
            metrics: RecorderCache::new(),
        }
    });
    if created {
        publish::register(stats);
    }
    stats
}

/// Retry statistics of every operation called so far, sorted by name.
///
/// ```
/// #[coord::handle_errors(max_retries = 2, base_delay = "1ms", jitter = "none")]
/// fn flaky() -> Result<(), String> {
///     Err("down".to_owned())
/// }
///
/// assert!(flaky().is_err());
/// let stats = coord::retry::retry_stats();
/// let flaky = stats.iter().find(|s| s.operation == "flaky").unwrap();
/// assert_eq!((flaky.failed_with_retry, flaky.retries, flaky.exhausted), (1, 2, 1));
/// ```
pub fn retry_stats() -> Vec<RetrySnapshot> {
    RETRY_STATS
        .all()
        .iter()
        .map(|stats| {
            let totals = stats.totals();
            let calls = |kind: RetryKind| totals[kind as usize];
            RetrySnapshot {
                operation: stats.operation.to_string(),
                successful_without_retry: calls(RetryKind::SuccessfulWithoutRetry),
                successful_with_retry: calls(RetryKind::SuccessfulWithRetry),
                failed_without_retry: calls(RetryKind::FailedWithoutRetry),
                failed_with_retry: calls(RetryKind::FailedWithRetry),
                retries: totals[RETRIES as usize],
                exhausted: totals[EXHAUSTED as usize],
                timeouts: totals[TIMEOUTS as usize],
                fallbacks: totals[FALLBACKS as usize],
            }
        })
        .collect()
}

/// Records one failed call of `operation` answered by its `fallback`. Not a stable API:
/// generated code calls it.
#[cold]
pub fn count_fallback(operation: &str) {
    // The fallback's answer is the call's outcome, whatever refused the call before it.
    crate::base::refusal::clear();
    cells::add(retry_stats_for(operation).cells + FALLBACKS, 1);
    tracing::debug!(operation, "coord: answered by the fallback");
}

/// Where an operation's retry statistics are counted: resolved once, kept by callers that
/// build [`RetrySite`]s at run time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryCounts {
    operation: &'static str,
    first_cell: CellIndex,
}

impl RetryCounts {
    /// The counts of `operation`, created on first use.
    pub(crate) fn of(operation: &str) -> Self {
        let stats = retry_stats_for(operation);
        Self {
            operation: stats.name_static(),
            first_cell: stats.cells,
        }
    }
}

/// Which retry settings an attribute left to the configuration (it wrote neither them nor a
/// `severity`). Not a stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inherited {
    max_retries: bool,
    base_delay: bool,
    multiplier: bool,
}

impl Inherited {
    /// Nothing: the policy is used as written (a `severity` was written, or no configuration
    /// applies).
    pub const NOTHING: Self = Self::fields(false, false, false);

    /// The fields taken from the configuration.
    pub const fn fields(max_retries: bool, base_delay: bool, multiplier: bool) -> Self {
        Self {
            max_retries,
            base_delay,
            multiplier,
        }
    }

    /// `declared` with the inherited fields replaced by `config`'s.
    fn apply(self, mut declared: RetryPolicy, config: &CoordinationConfig) -> RetryPolicy {
        if self.max_retries {
            declared = declared.max_retries(config.max_retries);
        }
        if self.base_delay {
            declared = declared.base_delay(config.base_delay);
        }
        if self.multiplier {
            declared = declared.multiplier(config.backoff_multiplier);
        }
        declared
    }
}

/// One retried function's `static`. Not a stable API: generated code builds one per function.
pub struct RetrySite {
    operation: &'static str,
    declared: RetryPolicy,
    inherited: Inherited,
    /// `declared` with the configuration applied, on first need (the configuration never
    /// changes once in effect).
    effective: OnceLock<RetryPolicy>,
    /// The operation's first statistics cell, or [`UNRESOLVED`]: a bare index rather than a
    /// reference to the statistics, so a call follows one pointer fewer.
    first_cell: AtomicU32,
    /// Whether a sync retry sleeping inside a tokio runtime has been warned about.
    warned_blocking: AtomicBool,
    /// Whether an async call of this function has found a tokio runtime.
    found_tokio: AtomicBool,
    /// Calls and retries of the last seconds, when the policy has a retry budget.
    budget: BudgetWindow,
}

/// `RetrySite::first_cell` before the first call.
const UNRESOLVED: CellIndex = CellIndex::MAX;

impl RetrySite {
    /// A site for `operation` retrying with `declared`, its `inherited` fields taken from the
    /// configuration.
    pub const fn new(operation: &'static str, declared: RetryPolicy, inherited: Inherited) -> Self {
        Self {
            operation,
            declared,
            inherited,
            effective: OnceLock::new(),
            first_cell: AtomicU32::new(UNRESOLVED),
            warned_blocking: AtomicBool::new(false),
            found_tokio: AtomicBool::new(false),
            budget: BudgetWindow::new(),
        }
    }

    /// A site built at run time (by [`ErrorHandling`](crate::ErrorHandling)) for an operation
    /// named by a string that need not be `'static`: the name is interned with the operation's
    /// statistics, which live for the whole process anyway.
    pub(crate) fn named(operation: &str, declared: RetryPolicy, inherited: Inherited) -> Self {
        let counts = RetryCounts::of(operation);
        Self::counting_into(counts, declared, inherited)
    }

    /// A site counting into `counts`, already looked up (no registry lookup here: the tower
    /// layer builds one per request).
    pub(crate) fn counting_into(
        counts: RetryCounts,
        declared: RetryPolicy,
        inherited: Inherited,
    ) -> Self {
        Self {
            operation: counts.operation,
            declared,
            inherited,
            effective: OnceLock::new(),
            first_cell: AtomicU32::new(counts.first_cell),
            warned_blocking: AtomicBool::new(false),
            found_tokio: AtomicBool::new(false),
            budget: BudgetWindow::new(),
        }
    }

    /// The policy as declared, and which of its fields the configuration fills.
    pub(crate) fn declared(&self) -> (RetryPolicy, Inherited) {
        (self.declared, self.inherited)
    }

    /// The operation name.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The policy in effect: as written in the attribute, completed from the configuration.
    pub fn policy(&self) -> &RetryPolicy {
        self.effective.get_or_init(|| {
            if self.inherited == Inherited::NOTHING {
                self.declared
            } else {
                self.inherited.apply(self.declared, configuration())
            }
        })
    }

    /// The per-attempt timeout and the deadline, as declared (neither is ever taken from the
    /// configuration).
    #[inline(always)]
    pub(crate) fn time_limits(&self) -> (Option<std::time::Duration>, Option<std::time::Duration>) {
        (self.declared.timeout, self.declared.deadline)
    }

    /// Whether the policy has a deadline; never taken from the configuration, so answering
    /// needs no configuration lookup on the success path.
    pub(crate) fn has_deadline(&self) -> bool {
        self.declared.deadline.is_some()
    }

    /// Records one finished call: a few per-thread cells, nothing shared.
    #[inline(always)]
    pub(crate) fn finish(&self, kind: RetryKind, retries: u32, exhausted: bool) {
        let first = self.first_cell();
        if retries == 0 && !exhausted {
            // The common case, a first attempt that settled the call: one cell.
            cells::add(first + kind as u32, 1);
        } else {
            cells::add_each([
                (first + kind as u32, 1),
                (first + RETRIES, u64::from(retries)),
                (first + EXHAUSTED, u64::from(exhausted)),
            ]);
        }
    }

    /// Records one attempt cancelled by a time limit.
    pub(crate) fn timed_out(&self) {
        cells::add(self.first_cell() + TIMEOUTS, 1);
    }

    /// Panics, naming the function, if its first async call runs outside a tokio runtime:
    /// its retry delays and time limits need tokio's timer, and failing on the first call is
    /// better than on the first retry, in production, under load. Later calls skip the check
    /// (a runtime lookup clones a handle: two atomic operations per call otherwise).
    #[inline(always)]
    pub(crate) fn check_inside_tokio(&self) {
        if !self.found_tokio.load(Ordering::Relaxed) {
            self.look_for_tokio();
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn look_for_tokio(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            panic!(
                "coord: `{}` is a retried async function, and was polled outside a tokio runtime: its retry delays and time limits use tokio's timer. Await it inside a tokio runtime with the time driver (#[tokio::main], or a Runtime built with enable_time())",
                self.operation
            );
        }
        self.found_tokio.store(true, Ordering::Relaxed);
    }

    /// Counts a call towards the retry budget, if the policy has one (never taken from the
    /// configuration, so the check reads only the declared policy).
    #[inline(always)]
    pub(crate) fn begin_call(&self) {
        if self.declared.budget.is_some() {
            self.budget.record_call();
        }
    }

    /// Whether the retry budget, if any, allows one more retry now; counts it if so.
    pub(crate) fn budget_allows_retry(&self) -> bool {
        self.declared
            .budget
            .is_none_or(|budget| self.budget.try_retry(budget))
    }

    /// Warns once that a sync retry is about to sleep `delay` on a thread inside a tokio
    /// runtime: on an async worker thread that sleep stalls every task of the worker.
    #[cold]
    pub(crate) fn warn_if_blocking_an_executor(&self, delay: std::time::Duration) {
        if tokio::runtime::Handle::try_current().is_ok()
            && !self.warned_blocking.swap(true, Ordering::Relaxed)
        {
            let operation = self.operation;
            let delay_ms = delay.as_secs_f64() * 1e3;
            tracing::warn!(
                operation,
                delay_ms,
                "coord: a sync retried function sleeps between attempts on a thread inside a tokio runtime; on an async worker this blocks every task of the worker: make it async, or call it in tokio::task::spawn_blocking (this is logged once per function)"
            );
        }
    }

    #[inline(always)]
    fn first_cell(&self) -> CellIndex {
        // Relaxed: the index is a plain number, and every thread that resolves it finds the
        // same statistics in the registry.
        let first = self.first_cell.load(Ordering::Relaxed);
        if first == UNRESOLVED {
            self.resolve_first_cell()
        } else {
            first
        }
    }

    #[cold]
    #[inline(never)]
    fn resolve_first_cell(&self) -> CellIndex {
        let first = retry_stats_for(self.operation).cells;
        self.first_cell.store(first, Ordering::Relaxed);
        first
    }
}
