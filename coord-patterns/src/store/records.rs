//! What the coordination store keeps of a saga run: the run and its steps, as plain values.
//! Inputs and outputs are text (JSON, written by the saga engine), so the store knows nothing
//! of serde or of the user's types.

use std::fmt;

/// Where a saga run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunState {
    /// Steps are running forward.
    Running,
    /// A step failed; completed steps are being compensated, last first.
    Compensating,
    /// Every step succeeded.
    Completed,
    /// A step failed and every completed step was compensated.
    Compensated,
    /// A compensation kept failing; an operator must look.
    CompensationFailed,
    /// Failed past the point of no return (after the pivot); nothing to compensate.
    Failed,
}

impl RunState {
    /// Every state.
    pub const ALL: [RunState; 6] = [
        RunState::Running,
        RunState::Compensating,
        RunState::Completed,
        RunState::Compensated,
        RunState::CompensationFailed,
        RunState::Failed,
    ];

    /// The name stored and shown.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Compensating => "compensating",
            RunState::Completed => "completed",
            RunState::Compensated => "compensated",
            RunState::CompensationFailed => "compensation_failed",
            RunState::Failed => "failed",
        }
    }

    /// The state stored as `text`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// Whether the run still has work to do (forward or backward) and so is recovered.
    #[must_use]
    pub const fn is_unfinished(self) -> bool {
        matches!(self, RunState::Running | RunState::Compensating)
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one step of a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepState {
    /// About to run (or running): its outcome is unknown until recorded. A run found with a
    /// step in this state after a crash re-runs it with the same idempotency key, or
    /// compensates it.
    Intent,
    /// It succeeded; its output is recorded.
    Done,
    /// It failed; its error is recorded.
    Failed,
    /// Its compensation succeeded.
    Compensated,
    /// Its compensation kept failing.
    CompensationFailed,
}

impl StepState {
    /// Every state.
    pub const ALL: [StepState; 5] = [
        StepState::Intent,
        StepState::Done,
        StepState::Failed,
        StepState::Compensated,
        StepState::CompensationFailed,
    ];

    /// The name stored and shown.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            StepState::Intent => "intent",
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::Compensated => "compensated",
            StepState::CompensationFailed => "compensation_failed",
        }
    }

    /// The state stored as `text`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

impl fmt::Display for StepState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a run, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// Its position in the run, from 0.
    pub seq: u32,
    /// The step's name.
    pub step: String,
    /// The idempotency key handed to the remote side: the same on every attempt and after
    /// recovery.
    pub key: String,
    /// Where it is.
    pub state: StepState,
    /// Its input, as the engine serialized it.
    pub input: String,
    /// Its output once done.
    pub output: Option<String>,
    /// Its error once failed (or its compensation's, once that failed).
    pub error: Option<String>,
}

/// A saga run, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// The run's id (given by the caller or generated): starting the same id again returns
    /// this run.
    pub id: String,
    /// The saga's name.
    pub saga: String,
    /// Where it is.
    pub state: RunState,
    /// Its input, as the engine serialized it.
    pub input: String,
    /// Its output once completed.
    pub output: Option<String>,
    /// Why it failed, once it did.
    pub error: Option<String>,
    /// Its steps, in order.
    pub steps: Vec<StepRecord>,
}

/// A run in a list: what [`runs_in_state`](super::CoordinationStore::runs_in_state)
/// returns, without the steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// The run's id.
    pub id: String,
    /// The saga's name.
    pub saga: String,
    /// Why it failed, once it did.
    pub error: Option<String>,
}

/// What [`start_run`](super::CoordinationStore::start_run) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A new run was logged.
    New,
    /// A run with that id exists already: this one (start idempotency).
    Existing(RunRecord),
}
