//! What the saga engines of this process add to `coord::report()` (and so to `/report` and
//! `/health`): each saga's runs by outcome since the process started, and the runs that are
//! `compensation_failed` now, waiting for an operator.
//!
//! The counts are process-wide, like every other figure of the report. The waiting runs belong
//! to each engine's store: [`SagaEngine::recover`](super::SagaEngine::recover) reads them from
//! the store (so a run a previous process left shows), and runs this engine ends or retries
//! update them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use coord_runtime::SagaReport;

use crate::store::{RunState, RunSummary};

/// At most this many waiting runs are listed per engine; the report is for people.
pub(crate) const MAX_LISTED: usize = 1000;

#[derive(Default, Clone, Copy)]
struct Counts {
    completed: u64,
    compensated: u64,
    compensation_failed: u64,
    failed: u64,
    in_flight: u64,
    recovered: u64,
}

static COUNTS: Mutex<BTreeMap<String, Counts>> = Mutex::new(BTreeMap::new());

/// The live engines' waiting runs.
static ENGINES: Mutex<Vec<Weak<Awaiting>>> = Mutex::new(Vec::new());

fn counts(saga: &str, change: impl FnOnce(&mut Counts)) {
    let mut counts = COUNTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = counts.get_mut(saga) {
        change(entry);
    } else {
        let mut entry = Counts::default();
        change(&mut entry);
        counts.insert(saga.to_owned(), entry);
    }
}

/// A run of `saga` became active here.
pub(crate) fn started(saga: &str) {
    counts(saga, |counts| counts.in_flight += 1);
}

/// A run of `saga` stopped being active here, having ended in `state` if it did.
pub(crate) fn stopped(saga: &str, state: Option<RunState>) {
    counts(saga, |counts| {
        counts.in_flight = counts.in_flight.saturating_sub(1);
        match state {
            Some(RunState::Completed) => counts.completed += 1,
            Some(RunState::Compensated) => counts.compensated += 1,
            Some(RunState::CompensationFailed) => counts.compensation_failed += 1,
            Some(RunState::Failed) => counts.failed += 1,
            Some(RunState::Running | RunState::Compensating) | None => {}
        }
    });
}

/// This process resumed a run of `saga`.
pub(crate) fn recovered(saga: &str) {
    counts(saga, |counts| counts.recovered += 1);
}

/// One engine's runs waiting for an operator: run id → saga.
#[derive(Default)]
pub(crate) struct Awaiting {
    runs: Mutex<BTreeMap<String, String>>,
}

impl Awaiting {
    /// A new, empty list, read by the report for as long as the engine lives.
    pub(crate) fn registered() -> Arc<Self> {
        let awaiting = Arc::new(Self::default());
        let mut engines = ENGINES.lock().unwrap_or_else(PoisonError::into_inner);
        engines.retain(|engine| engine.strong_count() > 0);
        engines.push(Arc::downgrade(&awaiting));
        awaiting
    }

    /// Run `run` of `saga` ended in `state`.
    pub(crate) fn ended(&self, run: &str, saga: &str, state: RunState) {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        if state == RunState::CompensationFailed {
            if runs.len() < MAX_LISTED {
                runs.insert(run.to_owned(), saga.to_owned());
            }
        } else {
            runs.remove(run);
        }
    }

    /// The store's list replaces this one.
    pub(crate) fn replace(&self, found: Vec<RunSummary>) {
        *self.runs.lock().unwrap_or_else(PoisonError::into_inner) =
            found.into_iter().map(|run| (run.id, run.saga)).collect();
    }
}

/// The report's saga rows: every saga counted or with a waiting run.
fn rows() -> Vec<SagaReport> {
    let mut rows: BTreeMap<String, SagaReport> = COUNTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|(saga, counts)| (saga.clone(), row(saga, *counts)))
        .collect();
    let engines: Vec<Arc<Awaiting>> = ENGINES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for engine in engines {
        for (run, saga) in engine
            .runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let row = rows
                .entry(saga.clone())
                .or_insert_with(|| row(saga, Counts::default()));
            if !row.awaiting_operator.contains(run) {
                row.awaiting_operator.push(run.clone());
            }
        }
    }
    rows.into_values().collect()
}

fn row(saga: &str, counts: Counts) -> SagaReport {
    SagaReport {
        saga: saga.to_owned(),
        completed: counts.completed,
        compensated: counts.compensated,
        compensation_failed: counts.compensation_failed,
        failed: counts.failed,
        in_flight: counts.in_flight,
        recovered: counts.recovered,
        awaiting_operator: Vec::new(),
    }
}

#[linkme::distributed_slice(coord_runtime::__private::SAGA_REPORT_SOURCES)]
static SAGA_ROWS: fn() -> Vec<SagaReport> = rows;
