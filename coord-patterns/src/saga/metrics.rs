//! The saga series: runs by outcome, steps and compensations by outcome, run durations, runs
//! in flight and runs recovered. Labels are saga and step names, which are registered in code,
//! so the series stay bounded. A saga step costs a database write, so the `metrics` macros'
//! per-call registration (a fraction of a microsecond) does not matter here.

use std::sync::Arc;
use std::time::Instant;

use coord_runtime::metric_names::{
    OUTCOME_LABEL, PHASE_LABEL, SAGA_DURATION_SECONDS, SAGA_IN_FLIGHT, SAGA_LABEL,
    SAGA_RECOVERED_TOTAL, SAGA_RUNS_TOTAL, SAGA_STEPS_TOTAL, STEP_LABEL,
};

use super::report::{self, Awaiting};
use crate::store::RunState;

/// A run active in this process: counted in flight until dropped, when its duration is
/// recorded and, if it ended, its outcome (in the series and in the report).
pub(crate) struct ActiveRun {
    saga: String,
    run: String,
    awaiting: Arc<Awaiting>,
    started: Instant,
    ended: Option<RunState>,
}

impl ActiveRun {
    pub(crate) fn start(saga: &str, run: &str, awaiting: &Arc<Awaiting>) -> Self {
        metrics::gauge!(SAGA_IN_FLIGHT, SAGA_LABEL => saga.to_owned()).increment(1.0);
        report::started(saga);
        Self {
            saga: saga.to_owned(),
            run: run.to_owned(),
            awaiting: Arc::clone(awaiting),
            started: Instant::now(),
            ended: None,
        }
    }

    /// The run ended in `state` (an unfinished state, a store failure, records nothing).
    pub(crate) fn ended(&mut self, state: RunState) {
        if !state.is_unfinished() {
            self.ended = Some(state);
        }
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        metrics::gauge!(SAGA_IN_FLIGHT, SAGA_LABEL => self.saga.clone()).decrement(1.0);
        report::stopped(&self.saga, self.ended);
        match self.ended {
            Some(RunState::Completed) => {
                tracing::debug!(saga = %self.saga, run = %self.run, "saga run completed");
            }
            Some(RunState::CompensationFailed) => tracing::error!(
                saga = %self.saga,
                run = %self.run,
                "saga run compensation_failed: an operator must fix the cause and retry its compensation"
            ),
            Some(state) => {
                tracing::info!(saga = %self.saga, run = %self.run, outcome = state.as_str(), "saga run ended");
            }
            None => {}
        }
        if let Some(state) = self.ended {
            self.awaiting.ended(&self.run, &self.saga, state);
            metrics::counter!(
                SAGA_RUNS_TOTAL,
                SAGA_LABEL => self.saga.clone(),
                OUTCOME_LABEL => state.as_str()
            )
            .increment(1);
            metrics::histogram!(SAGA_DURATION_SECONDS, SAGA_LABEL => self.saga.clone())
                .record(self.started.elapsed().as_secs_f64());
        }
    }
}

/// A step's action (`compensation` false) or compensation of run `run` ran and succeeded
/// (`error` none) or failed: counted, and traced.
pub(crate) fn step(saga: &str, run: &str, step: &str, compensation: bool, error: Option<&str>) {
    let ok = error.is_none();
    match (compensation, error) {
        (false, None) => tracing::debug!(saga, run, step, "saga step done"),
        (false, Some(error)) => tracing::info!(saga, run, step, error, "saga step failed"),
        (true, None) => tracing::info!(saga, run, step, "saga step compensated"),
        (true, Some(error)) => {
            tracing::warn!(saga, run, step, error, "saga step's compensation failed");
        }
    }
    metrics::counter!(
        SAGA_STEPS_TOTAL,
        SAGA_LABEL => saga.to_owned(),
        STEP_LABEL => step.to_owned(),
        PHASE_LABEL => if compensation { "compensation" } else { "action" },
        OUTCOME_LABEL => if ok { "ok" } else { "error" }
    )
    .increment(1);
}

/// This process resumed a run of `saga` that was left unfinished.
pub(crate) fn recovered(saga: &str) {
    report::recovered(saga);
    metrics::counter!(SAGA_RECOVERED_TOTAL, SAGA_LABEL => saga.to_owned()).increment(1);
}
