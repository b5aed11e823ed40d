//! One run of a saga as its body sees it: [`SagaContext::step`] logs each step's intent before
//! it runs and its result after, and answers steps already done from the log when the run is
//! replayed after a crash.

use std::fmt::Display;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::SagaError;
use super::engine::{Inner, StepKind};
use super::failpoint::failpoint;
use crate::store::{CoordinationStore, NewStep, StepRecord, StepState};

/// The idempotency key of one step of one run: `run/step/position`, the same on every attempt
/// and after recovery. Hand it to the remote side so that a step re-run after a crash (its
/// outcome unknown) is applied once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepKey(pub(crate) String);

impl StepKey {
    /// The key as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Display for StepKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a run has done so far.
#[derive(Default)]
struct Progress {
    next: u32,
    /// The pivot already passed, if any: no compensable step may follow it and a failure
    /// after it is not compensated.
    pivot: Option<String>,
}

/// A saga run, handed to the saga's body; its steps go through [`step`](Self::step).
#[derive(Clone)]
pub struct SagaContext {
    pub(crate) inner: Arc<Inner>,
    pub(crate) run: Arc<str>,
    /// The saga's name, for its series.
    saga: Arc<str>,
    /// The steps logged by an earlier attempt of this run (empty for a new run).
    replay: Arc<[StepRecord]>,
    progress: Arc<Mutex<Progress>>,
}

impl std::fmt::Debug for SagaContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SagaContext")
            .field("run", &self.run)
            .finish_non_exhaustive()
    }
}

impl SagaContext {
    pub(crate) fn new(inner: Arc<Inner>, saga: &str, run: &str, replay: Vec<StepRecord>) -> Self {
        Self {
            inner,
            run: run.into(),
            saga: saga.into(),
            replay: replay.into(),
            progress: Arc::default(),
        }
    }

    /// The run's id.
    #[must_use]
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// The pivot this run has passed, if any.
    pub(crate) fn passed_pivot(&self) -> Option<String> {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pivot
            .clone()
    }

    /// Runs step `name` with `input`: logs its intent, runs `action` with the step's
    /// idempotency key, logs its output (or error). When this run's log already holds the
    /// step done, `action` does not run and the logged output is returned; when it holds only
    /// the intent (a crash left the outcome unknown), `action` runs again with the same key.
    ///
    /// # Errors
    /// `action`'s error; or, through `E::from`, [`SagaError::UndeclaredStep`],
    /// [`SagaError::CompensableAfterPivot`], [`SagaError::Diverged`] when the log holds
    /// another step at this position, [`SagaError::StepFailed`] when it holds this step
    /// failed, and store or serialization errors.
    pub async fn step<I, O, E, F, Fut>(&self, name: &str, input: &I, action: F) -> Result<O, E>
    where
        I: Serialize + ?Sized,
        O: Serialize + DeserializeOwned,
        E: From<SagaError> + Display,
        F: FnOnce(StepKey) -> Fut,
        Fut: Future<Output = Result<O, E>>,
    {
        self.run_step(name, serde_json::to_string(input), None, action)
            .await
    }

    /// [`step`](Self::step) with the input already serialized (so that the action may own
    /// what the input borrowed) and an optional time limit: a step that has not finished
    /// within `timeout` is left logged as an intent (its outcome unknown) and fails with
    /// [`SagaError::StepTimedOut`].
    pub(crate) async fn run_step<O, E, F, Fut>(
        &self,
        name: &str,
        input: Result<String, serde_json::Error>,
        timeout: Option<Duration>,
        action: F,
    ) -> Result<O, E>
    where
        O: Serialize + DeserializeOwned,
        E: From<SagaError> + Display,
        F: FnOnce(StepKey) -> Fut,
        Fut: Future<Output = Result<O, E>>,
    {
        let kind = self
            .inner
            .step_kind(name)
            .ok_or_else(|| SagaError::UndeclaredStep {
                step: name.to_owned(),
            })?;
        let seq = {
            let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
            if let (Some(pivot), StepKind::Compensated(_)) = (&progress.pivot, &kind) {
                return Err(E::from(SagaError::CompensableAfterPivot {
                    step: name.to_owned(),
                    pivot: pivot.clone(),
                }));
            }
            progress.next += 1;
            progress.next - 1
        };
        let key = StepKey(format!("{}/{name}/{seq}", self.run));
        let passed = |context: &Self| {
            if matches!(kind, StepKind::Pivot) {
                context
                    .progress
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pivot = Some(name.to_owned());
            }
        };
        match self.replay.iter().find(|logged| logged.seq == seq) {
            Some(logged) if logged.step != name => {
                return Err(E::from(SagaError::Diverged {
                    run: self.run.to_string(),
                    problem: format!(
                        "step {seq} is `{}` in the log, but the saga now runs `{name}` there",
                        logged.step
                    ),
                }));
            }
            Some(logged) => match logged.state {
                StepState::Done => {
                    let output = logged.output.as_deref().unwrap_or("null");
                    let output = serde_json::from_str(output).map_err(|err| {
                        self.serialization(&format!("the output of step `{name}`"), &err)
                    })?;
                    passed(self);
                    return Ok(output);
                }
                StepState::Failed => {
                    return Err(E::from(SagaError::StepFailed {
                        step: name.to_owned(),
                        error: logged.error.clone().unwrap_or_default(),
                    }));
                }
                // Outcome unknown: run it again with the same key.
                StepState::Intent => {}
                StepState::Compensated | StepState::CompensationFailed => {
                    return Err(E::from(SagaError::Diverged {
                        run: self.run.to_string(),
                        problem: format!("step `{name}` was already compensated"),
                    }));
                }
            },
            None => {
                let input = input.map_err(|err| {
                    self.serialization(&format!("the input of step `{name}`"), &err)
                })?;
                failpoint("before_intent");
                let step = NewStep {
                    seq,
                    step: name,
                    key: key.as_str(),
                    input: &input,
                };
                self.inner
                    .store
                    .record_intent(&self.run, &step)
                    .await
                    .map_err(SagaError::from)?;
                failpoint("after_intent");
            }
        }
        let result = match timeout {
            None => action(key).await,
            Some(limit) => match tokio::time::timeout(limit, action(key)).await {
                Ok(result) => result,
                Err(_elapsed) => {
                    // Left as an intent: the effect may have been applied, so the run's
                    // compensation undoes it by its key.
                    super::metrics::step(&self.saga, &self.run, name, false, Some("timed out"));
                    return Err(E::from(SagaError::StepTimedOut {
                        step: name.to_owned(),
                        after: limit,
                    }));
                }
            },
        };
        failpoint("after_effect");
        match result {
            Ok(output) => {
                super::metrics::step(&self.saga, &self.run, name, false, None);
                let logged = serde_json::to_string(&output).map_err(|err| {
                    self.serialization(&format!("the output of step `{name}`"), &err)
                })?;
                self.inner
                    .store
                    .finish_step(&self.run, seq, StepState::Done, Some(&logged))
                    .await
                    .map_err(SagaError::from)?;
                failpoint("after_done");
                passed(self);
                Ok(output)
            }
            Err(error) => {
                let message = error.to_string();
                super::metrics::step(&self.saga, &self.run, name, false, Some(&message));
                self.inner
                    .store
                    .finish_step(&self.run, seq, StepState::Failed, Some(&message))
                    .await
                    .map_err(SagaError::from)?;
                Err(error)
            }
        }
    }

    fn serialization(&self, what: &str, err: &serde_json::Error) -> SagaError {
        SagaError::Serialization {
            run: self.run.to_string(),
            what: what.to_owned(),
            reason: err.to_string(),
        }
    }
}
