//! The in-memory store, for unit tests. **Not durable**: a crash loses everything, so it must
//! never back a real saga; it exists so that pattern logic can be tested without a file.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{
    CoordinationStore, NewStep, RunRecord, RunState, RunSummary, Started, StepRecord, StepState,
    StoreError,
};

/// A run and who holds its lease until when.
struct Entry {
    run: RunRecord,
    lease: Option<(String, Instant)>,
}

/// Runs kept in this process's memory only. See the module docs: not durable.
#[derive(Default)]
pub struct MemoryStore {
    runs: Mutex<HashMap<String, Entry>>,
    locks: Mutex<HashMap<String, LockEntry>>,
}

/// A lock key: its last token, and its holder until when, if held.
#[derive(Default)]
struct LockEntry {
    token: u64,
    holder: Option<(String, Instant)>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn with_run<R>(
        &self,
        id: &str,
        change: impl FnOnce(&mut Entry) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = runs.get_mut(id).ok_or_else(|| StoreError::no_run(id))?;
        change(entry)
    }
}

impl CoordinationStore for MemoryStore {
    async fn start_run(
        &self,
        id: &str,
        saga: &str,
        input: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Started, StoreError> {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(existing) = runs.get(id) {
            return Ok(Started::Existing(existing.run.clone()));
        }
        runs.insert(
            id.to_owned(),
            Entry {
                run: RunRecord {
                    id: id.to_owned(),
                    saga: saga.to_owned(),
                    state: RunState::Running,
                    input: input.to_owned(),
                    output: None,
                    error: None,
                    steps: Vec::new(),
                },
                lease: Some((owner.to_owned(), Instant::now() + lease)),
            },
        );
        Ok(Started::New)
    }

    async fn record_intent(&self, run: &str, step: &NewStep<'_>) -> Result<(), StoreError> {
        self.with_run(run, |entry| {
            let steps = &mut entry.run.steps;
            match steps.iter().find(|logged| logged.seq == step.seq) {
                Some(logged) if logged.step == step.step => Ok(()),
                Some(logged) => Err(StoreError::diverged(run, step.seq, &logged.step, step.step)),
                None => {
                    steps.push(StepRecord {
                        seq: step.seq,
                        step: step.step.to_owned(),
                        key: step.key.to_owned(),
                        state: StepState::Intent,
                        input: step.input.to_owned(),
                        output: None,
                        error: None,
                    });
                    steps.sort_by_key(|logged| logged.seq);
                    Ok(())
                }
            }
        })
    }

    async fn finish_step(
        &self,
        run: &str,
        seq: u32,
        state: StepState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.with_run(run, |entry| {
            let step = entry
                .run
                .steps
                .iter_mut()
                .find(|logged| logged.seq == seq)
                .ok_or_else(|| StoreError::no_intent(run, seq))?;
            step.state = state;
            match state {
                StepState::Done => step.output = detail.map(str::to_owned),
                _ => step.error = detail.map(str::to_owned).or(step.error.take()),
            }
            Ok(())
        })
    }

    async fn finish_run(
        &self,
        run: &str,
        state: RunState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.with_run(run, |entry| {
            entry.run.state = state;
            if state == RunState::Completed {
                entry.run.output = detail.map(str::to_owned);
            } else if detail.is_some() {
                entry.run.error = detail.map(str::to_owned);
            }
            if !state.is_unfinished() {
                entry.lease = None;
            }
            Ok(())
        })
    }

    async fn load_run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(runs.get(id).map(|entry| entry.run.clone()))
    }

    async fn claim_unfinished(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<RunRecord>, StoreError> {
        let now = Instant::now();
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut ids: Vec<&String> = runs
            .iter()
            .filter(|(_, entry)| {
                entry.run.state.is_unfinished()
                    && entry.lease.as_ref().is_none_or(|(_, until)| *until <= now)
            })
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        let ids: Vec<String> = ids.into_iter().take(limit).cloned().collect();
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(entry) = runs.get_mut(&id) {
                entry.lease = Some((owner.to_owned(), now + lease));
                claimed.push(entry.run.clone());
            }
        }
        Ok(claimed)
    }

    async fn reopen_compensation(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        match runs.get_mut(id) {
            Some(entry) if entry.run.state == RunState::CompensationFailed => {
                entry.run.state = RunState::Compensating;
                entry.lease = Some((owner.to_owned(), Instant::now() + lease));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn acquire_lock(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, StoreError> {
        let now = Instant::now();
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        let lock = locks.entry(key.to_owned()).or_default();
        if lock.holder.as_ref().is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        lock.token += 1;
        lock.holder = Some((owner.to_owned(), now + ttl));
        Ok(Some(lock.token))
    }

    async fn renew_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        match locks.get_mut(key) {
            Some(lock) if lock.token == token => match &mut lock.holder {
                Some((holder, until)) if holder == owner && *until > now => {
                    *until = now + ttl;
                    Ok(true)
                }
                _ => Ok(false),
            },
            _ => Ok(false),
        }
    }

    async fn release_lock(&self, key: &str, owner: &str, token: u64) -> Result<bool, StoreError> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        match locks.get_mut(key) {
            Some(lock)
                if lock.token == token
                    && lock
                        .holder
                        .as_ref()
                        .is_some_and(|(holder, _)| holder == owner) =>
            {
                lock.holder = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn runs_in_state(
        &self,
        state: RunState,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut found: Vec<RunSummary> = runs
            .values()
            .filter(|entry| entry.run.state == state)
            .map(|entry| RunSummary {
                id: entry.run.id.clone(),
                saga: entry.run.saga.clone(),
                error: entry.run.error.clone(),
            })
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found.truncate(limit);
        Ok(found)
    }

    async fn renew_lease(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = runs.get_mut(id) else {
            return Ok(false);
        };
        match &mut entry.lease {
            Some((holder, until)) if holder == owner => {
                *until = Instant::now() + lease;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
