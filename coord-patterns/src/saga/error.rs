//! What the saga engine itself can report, apart from a step's own error.

use std::time::Duration;

use crate::store::StoreError;

/// A saga failed for a reason of coord's, not of a step's own making. A saga's error type
/// implements `From<SagaError>`, as an annotated function's implements `From<coord::Error>`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SagaError {
    /// The coordination store failed; the run is left as logged and recovery resumes it.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The saga ran its steps in another order than its log records: replaying it would
    /// diverge, so it stops instead.
    #[error("saga run `{run}` diverged from its log: {problem}")]
    Diverged {
        /// The run.
        run: String,
        /// Where.
        problem: String,
    },
    /// A step ran that was never declared with [`SagaEngine::compensated`](super::SagaEngine::compensated),
    /// [`pivot`](super::SagaEngine::pivot) or [`no_compensation`](super::SagaEngine::no_compensation).
    #[error(
        "step `{step}` is not declared: declare its compensation, or that it is a pivot or needs none"
    )]
    UndeclaredStep {
        /// The step.
        step: String,
    },
    /// A compensable step ran after the pivot, the point of no return.
    #[error("step `{step}` has a compensation but runs after the pivot `{pivot}`")]
    CompensableAfterPivot {
        /// The step.
        step: String,
        /// The pivot before it.
        pivot: String,
    },
    /// No saga of that name is registered.
    #[error("no saga named `{saga}` is registered")]
    UnknownSaga {
        /// The name.
        saga: String,
    },
    /// A value could not be serialized into the log, or read back from it.
    #[error("saga run `{run}`: {what} cannot be (de)serialized: {reason}")]
    Serialization {
        /// The run.
        run: String,
        /// What: "the input", "the output of step `x`".
        what: String,
        /// serde's message.
        reason: String,
    },
    /// This run ended earlier, its effects compensated: starting its id again returns that.
    #[error("saga run `{run}` failed earlier and was compensated: {error}")]
    Compensated {
        /// The run.
        run: String,
        /// Why it failed.
        error: String,
    },
    /// This run ended earlier and a compensation kept failing: an operator must look.
    #[error("saga run `{run}` failed and could not be fully compensated: {error}")]
    CompensationFailed {
        /// The run.
        run: String,
        /// The last compensation error.
        error: String,
    },
    /// This run ended earlier past its pivot, without compensation.
    #[error("saga run `{run}` failed after its pivot: {error}")]
    FailedAfterPivot {
        /// The run.
        run: String,
        /// Why it failed.
        error: String,
    },
    /// A step failed in an earlier attempt of this run (found when replaying its log).
    #[error("step `{step}` failed: {error}")]
    StepFailed {
        /// The step.
        step: String,
        /// Its error, as logged.
        error: String,
    },
    /// [`SagaEngine::retry_compensation`](super::SagaEngine::retry_compensation) was asked for
    /// a run that is not `compensation_failed`.
    #[error(
        "saga run `{run}` is {state}, not compensation_failed: there is no compensation to retry"
    )]
    NotCompensationFailed {
        /// The run.
        run: String,
        /// Its state.
        state: String,
    },
    /// Another instance holds this run's lease: it is running there.
    #[error("saga run `{run}` is running in another instance")]
    RunningElsewhere {
        /// The run.
        run: String,
    },
    /// A step did not finish within its `timeout`. Its outcome is unknown (the remote side may
    /// have applied it), so it stays logged as an intent: a compensation undoes it by its key.
    #[error(
        "step `{step}` did not finish within {after:?}; its outcome is unknown, so it is compensated by its key"
    )]
    StepTimedOut {
        /// The step.
        step: String,
        /// Its timeout.
        after: Duration,
    },
    /// [`install_engine`](super::install_engine) came after the process's saga engine was
    /// already set.
    #[error(
        "the process's saga engine is already set: install one before the first `#[saga]` function runs"
    )]
    EngineInUse,
    /// Two `#[saga]` or two `#[step]` functions have the same name: the log could not tell
    /// them apart, so no declared saga runs until one is renamed.
    #[error(
        "two {kind}s are named `{name}` ({first} and {second}): give one of them `name = \"...\"`"
    )]
    DuplicateDeclaration {
        /// `saga` or `step`.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where the first is declared (`file:line`).
        first: &'static str,
        /// Where the second is.
        second: &'static str,
    },
}
