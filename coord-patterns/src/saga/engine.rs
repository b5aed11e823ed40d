//! The saga engine: registered sagas and step declarations, running a saga, compensating a
//! failed one, and recovering the runs a crashed instance left unfinished.

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::SagaError;
use super::context::{SagaContext, StepKey};
use super::failpoint::failpoint;
use super::metrics::{self, ActiveRun};
use super::report::{Awaiting, MAX_LISTED};
use crate::store::{AnyStore, CoordinationStore, RunRecord, RunState, Started, StepState};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A saga body with its input and output as logged text, for recovery.
type ErasedSaga =
    Arc<dyn Fn(SagaContext, String) -> BoxFuture<Result<String, String>> + Send + Sync>;

/// A compensation taking the step's key, logged input and logged output (`None` when the
/// step's outcome is unknown).
type ErasedCompensation =
    Arc<dyn Fn(StepKey, String, Option<String>) -> BoxFuture<Result<(), String>> + Send + Sync>;

/// How a step is undone.
#[derive(Clone)]
pub(crate) enum StepKind {
    /// By this compensation.
    Compensated(ErasedCompensation),
    /// It is the point of no return: once it is done, the saga goes forward only.
    Pivot,
    /// It needs no undoing (a read, a notification).
    NoCompensation,
}

/// How persistently compensations are retried.
#[derive(Debug, Clone, Copy)]
struct Persistence {
    attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
}

/// What an engine's owner may tune, at any time: a change applies to the runs started (and
/// the compensations begun) after it.
#[derive(Debug, Clone, Copy)]
struct Settings {
    lease: Duration,
    persistence: Persistence,
}

/// What the engine shares with every run and context.
pub(crate) struct Inner {
    pub(crate) store: AnyStore,
    owner: String,
    settings: RwLock<Settings>,
    sagas: RwLock<HashMap<String, ErasedSaga>>,
    steps: RwLock<HashMap<String, StepKind>>,
    /// The runs of this engine's store that wait for an operator, for the report.
    awaiting: Arc<Awaiting>,
}

impl Inner {
    fn settings(&self) -> Settings {
        *self.settings.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn lease(&self) -> Duration {
        self.settings().lease
    }

    pub(crate) fn step_kind(&self, step: &str) -> Option<StepKind> {
        self.steps
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(step)
            .cloned()
    }
}

/// Runs sagas against a coordination store: register each saga and declare each step, then
/// [`Saga::run`]; at start-up, [`recover`](Self::recover) resumes what a crash left unfinished.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use coord_patterns::saga::{SagaEngine, SagaError};
/// use coord_patterns::store::AnyStore;
///
/// #[derive(Debug)]
/// struct OrderError(String);
/// impl std::fmt::Display for OrderError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
/// }
/// impl From<SagaError> for OrderError {
///     fn from(err: SagaError) -> Self { OrderError(err.to_string()) }
/// }
///
/// let engine = SagaEngine::new(AnyStore::open("memory:").await.unwrap());
/// engine.compensated("reserve", |key, sku: String, _reserved: Option<u32>| async move {
///     println!("release {sku} ({key})");
///     Ok::<(), OrderError>(())
/// });
/// engine.no_compensation("notify");
/// let place = engine.register("place_order", |saga, sku: String| async move {
///     let reserved: u32 = saga.step("reserve", &sku, |_key| async { Ok::<_, OrderError>(1) }).await?;
///     saga.step("notify", &sku, |_key| async { Ok::<_, OrderError>(()) }).await?;
///     Ok::<_, OrderError>(reserved)
/// });
/// assert_eq!(place.run("order-1", &"sku-9".to_owned()).await.unwrap(), 1);
/// // Starting the same id again returns the first run's result without running anything.
/// assert_eq!(place.run("order-1", &"sku-9".to_owned()).await.unwrap(), 1);
/// # });
/// ```
#[derive(Clone)]
pub struct SagaEngine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SagaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SagaEngine")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

/// What [`SagaEngine::recover`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Runs resumed forward that completed.
    pub completed: usize,
    /// Runs that ended compensated (resumed backward, or failed when resumed).
    pub compensated: usize,
    /// Runs that ended `compensation_failed` or `failed` (past their pivot).
    pub failed: usize,
    /// Runs claimed but not resumed: their saga is not registered here, or the store failed.
    pub skipped: usize,
}

impl SagaEngine {
    /// An engine on `store`, this process its lease owner (30 s leases, renewed while a run
    /// is active), compensations retried 20 times from 100 ms up to 30 s apart.
    #[must_use]
    pub fn new(store: AnyStore) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let engine = Self {
            inner: Arc::new(Inner {
                store,
                owner: format!("pid{}-{nanos:x}", std::process::id()),
                settings: RwLock::new(Settings {
                    lease: Duration::from_secs(30),
                    persistence: Persistence {
                        attempts: 20,
                        first_delay: Duration::from_millis(100),
                        max_delay: Duration::from_secs(30),
                    },
                }),
                sagas: RwLock::default(),
                steps: RwLock::default(),
                awaiting: Awaiting::registered(),
            }),
        };
        super::declared::apply(&engine);
        engine
    }

    fn configure(self, change: impl FnOnce(&mut Settings)) -> Self {
        change(
            &mut self
                .inner
                .settings
                .write()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self
    }

    /// How long a run's lease lasts before another instance may take the run over (renewed
    /// every third of it while the run is active here); applies to runs started after.
    #[must_use]
    pub fn lease(self, lease: Duration) -> Self {
        self.configure(|settings| settings.lease = lease)
    }

    /// How often a failing compensation is tried (at least once), and the first delay
    /// between tries (doubling up to 30 s); applies to compensations begun after.
    #[must_use]
    pub fn compensation_retries(self, attempts: u32, first_delay: Duration) -> Self {
        self.configure(|settings| {
            settings.persistence.attempts = attempts.max(1);
            settings.persistence.first_delay = first_delay;
        })
    }

    /// The store this engine logs to: to look a run up (`load_run`) or list the runs in a
    /// state (`runs_in_state`), e.g. in an operator's tool.
    #[must_use]
    pub fn store(&self) -> &AnyStore {
        &self.inner.store
    }

    /// The lease runs are taken with now.
    pub(crate) fn lease_length(&self) -> Duration {
        self.inner.lease()
    }

    fn declare(&self, step: &str, kind: StepKind) {
        self.inner
            .steps
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(step.to_owned(), kind);
    }

    /// Declares step `step` undone by `compensation`, called with the step's idempotency key,
    /// its input and its output (`None` when a crash left the step's outcome unknown: the
    /// compensation must then undo it if it happened, using the key).
    pub fn compensated<I, O, E, F, Fut>(&self, step: &str, compensation: F)
    where
        I: DeserializeOwned + Send + 'static,
        O: DeserializeOwned + Send + 'static,
        E: Display + 'static,
        F: Fn(StepKey, I, Option<O>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let compensation = Arc::new(compensation);
        let erased: ErasedCompensation =
            Arc::new(move |key, input: String, output: Option<String>| {
                let compensation = Arc::clone(&compensation);
                Box::pin(async move {
                    let input: I = serde_json::from_str(&input)
                        .map_err(|err| format!("the step's logged input: {err}"))?;
                    let output: Option<O> = match output {
                        Some(output) => Some(
                            serde_json::from_str(&output)
                                .map_err(|err| format!("the step's logged output: {err}"))?,
                        ),
                        None => None,
                    };
                    compensation(key, input, output)
                        .await
                        .map_err(|err| err.to_string())
                })
            });
        self.declare(step, StepKind::Compensated(erased));
    }

    /// Declares step `step` the pivot: once it is done the saga can only go forward, so no
    /// compensable step may follow it and a later failure leaves the run `failed`.
    pub fn pivot(&self, step: &str) {
        self.declare(step, StepKind::Pivot);
    }

    /// Declares that step `step` needs no compensation.
    pub fn no_compensation(&self, step: &str) {
        self.declare(step, StepKind::NoCompensation);
    }

    /// Registers saga `name` with its `body`, for running and for recovery.
    pub fn register<I, O, E, F, Fut>(&self, name: &str, body: F) -> Saga<I, O, E>
    where
        I: Serialize + DeserializeOwned + Send + 'static,
        O: Serialize + DeserializeOwned + Send + 'static,
        E: From<SagaError> + Display + Send + 'static,
        F: Fn(SagaContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
    {
        let saga = self.saga(name, body);
        let erased_body = Arc::clone(&saga.body);
        let erased: ErasedSaga = Arc::new(move |context, input: String| {
            let body = Arc::clone(&erased_body);
            Box::pin(async move {
                let input: I = serde_json::from_str(&input)
                    .map_err(|err| format!("the run's logged input: {err}"))?;
                let output = body(context, input).await.map_err(|err| err.to_string())?;
                serde_json::to_string(&output).map_err(|err| format!("the output: {err}"))
            })
        });
        self.inner
            .sagas
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), erased);
        saga
    }

    /// A handle running `body` as saga `name`, without registering it (a `#[saga]` function
    /// is registered once, at link time, and builds this on each call).
    pub(crate) fn saga<I, O, E, F, Fut>(&self, name: &str, body: F) -> Saga<I, O, E>
    where
        F: Fn(SagaContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
    {
        Saga {
            inner: Arc::clone(&self.inner),
            name: name.to_owned(),
            body: Arc::new(move |context, input| Box::pin(body(context, input))),
            types: PhantomData,
        }
    }

    /// Runs the compensations of run `id` again, after an operator has fixed what made one
    /// keep failing (the run is `compensation_failed`): the steps not yet compensated are
    /// compensated, last first, and the run ends `compensated` or `compensation_failed` again.
    ///
    /// # Errors
    /// [`SagaError::NotCompensationFailed`] when the run is in another state; store errors.
    pub async fn retry_compensation(&self, id: &str) -> Result<RunState, SagaError> {
        let inner = &self.inner;
        if !inner
            .store
            .reopen_compensation(id, &inner.owner, inner.lease())
            .await?
        {
            let state = inner.store.load_run(id).await?.map(|run| run.state);
            return Err(SagaError::NotCompensationFailed {
                run: id.to_owned(),
                state: state.map_or_else(|| "not logged".to_owned(), |state| state.to_string()),
            });
        }
        let run = inner
            .store
            .load_run(id)
            .await?
            .ok_or_else(|| SagaError::Store(crate::store::StoreError::no_run(id)))?;
        let mut active = ActiveRun::start(&run.saga, id, &inner.awaiting);
        let saga = run.saga.clone();
        let _renewing = Renewal::start(Arc::clone(inner), id);
        let ended = tokio::spawn(compensate(Arc::clone(inner), saga, run))
            .await
            .unwrap_or_else(|join| {
                Err(SagaError::Diverged {
                    run: id.to_owned(),
                    problem: format!("the compensation task ended abnormally: {join}"),
                })
            })?;
        active.ended(ended);
        Ok(ended)
    }

    /// Resumes every unfinished run whose lease has expired (its instance crashed or stalled),
    /// claiming each so exactly one instance resumes it: forward, replaying its logged steps,
    /// when it was running; backward, running the remaining compensations, when it was
    /// compensating. It also reads which runs are `compensation_failed`, for the report's
    /// saga section and `/health` (degraded while there is one).
    ///
    /// # Errors
    /// [`SagaError::Store`] when the claim itself fails; runs that fail afterwards are counted
    /// in [`Recovered`].
    pub async fn recover(&self) -> Result<Recovered, SagaError> {
        let inner = &self.inner;
        inner.awaiting.replace(
            inner
                .store
                .runs_in_state(RunState::CompensationFailed, MAX_LISTED)
                .await?,
        );
        let mut recovered = Recovered::default();
        // A run that could not be resumed stays unfinished and, with a short lease, would be
        // claimed again at once: each run is tried once per call.
        let mut tried = std::collections::HashSet::new();
        loop {
            let runs = inner
                .store
                .claim_unfinished(&inner.owner, inner.lease(), 100)
                .await?;
            let runs: Vec<RunRecord> = runs
                .into_iter()
                .filter(|run| tried.insert(run.id.clone()))
                .collect();
            if runs.is_empty() {
                return Ok(recovered);
            }
            for run in runs {
                let mut active = ActiveRun::start(&run.saga, &run.id, &inner.awaiting);
                let active_saga = run.saga.clone();
                let saga = run.saga.clone();
                let ended = match run.state {
                    RunState::Compensating => compensate(Arc::clone(inner), saga, run).await,
                    _ => resume(Arc::clone(inner), run).await,
                };
                if let Ok(state) = &ended {
                    metrics::recovered(&active_saga);
                    active.ended(*state);
                }
                match ended {
                    Ok(RunState::Completed) => recovered.completed += 1,
                    Ok(RunState::Compensated) => recovered.compensated += 1,
                    Ok(_) => recovered.failed += 1,
                    Err(_) => recovered.skipped += 1,
                }
            }
        }
    }
}

/// A registered saga, typed: run it with [`run`](Self::run).
pub struct Saga<I, O, E> {
    inner: Arc<Inner>,
    name: String,
    #[allow(clippy::type_complexity)]
    body: Arc<dyn Fn(SagaContext, I) -> BoxFuture<Result<O, E>> + Send + Sync>,
    types: PhantomData<fn(I) -> (O, E)>,
}

impl<I, O, E> std::fmt::Debug for Saga<I, O, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saga")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<I, O, E> Saga<I, O, E>
where
    I: Serialize + DeserializeOwned + Send + 'static,
    O: Serialize + DeserializeOwned + Send + 'static,
    E: From<SagaError> + Display + Send + 'static,
{
    /// Runs the saga as run `id` with `input`. A failed step's error is returned after the
    /// completed steps are compensated, last first (compensation runs in a task of its own, so
    /// it finishes even if this future is dropped). Starting an `id` that already ran returns
    /// that run's result without running anything again.
    ///
    /// # Errors
    /// The body's error; for an earlier run of `id`, [`SagaError::Compensated`],
    /// [`SagaError::CompensationFailed`] or [`SagaError::FailedAfterPivot`]; when the run is
    /// unfinished — active in another instance, or left by one that stopped, until
    /// [`SagaEngine::recover`] resumes it — [`SagaError::RunningElsewhere`]; store and
    /// serialization errors.
    pub async fn run(&self, id: &str, input: &I) -> Result<O, E> {
        self.run_logged(id, serde_json::to_string(input)).await
    }

    /// [`run`](Self::run) with the input already serialized as `I` serializes (a `#[saga]`
    /// function's parameters, serialized from references).
    pub(crate) async fn run_logged(
        &self,
        id: &str,
        input: Result<String, serde_json::Error>,
    ) -> Result<O, E> {
        let inner = &self.inner;
        let serialization = |err: serde_json::Error| SagaError::Serialization {
            run: id.to_owned(),
            what: "the input".to_owned(),
            reason: err.to_string(),
        };
        let logged_input = input.map_err(serialization)?;
        // The body owns its input: read back from the JSON, before anything is logged, so an
        // input that does not read back from its own JSON leaves no run recovery cannot resume.
        let owned_input: I = serde_json::from_str(&logged_input).map_err(serialization)?;
        let started = inner
            .store
            .start_run(id, &self.name, &logged_input, &inner.owner, inner.lease())
            .await
            .map_err(SagaError::from)?;
        if let Started::Existing(run) = started {
            return earlier_result(&run).map_err(E::from);
        }
        let context = SagaContext::new(Arc::clone(inner), &self.name, id, Vec::new());
        let _renewing = Renewal::start(Arc::clone(inner), id);
        let mut active = ActiveRun::start(&self.name, id, &inner.awaiting);
        let outcome = (self.body)(context.clone(), owned_input).await;
        match outcome {
            Ok(output) => {
                let logged =
                    serde_json::to_string(&output).map_err(|err| SagaError::Serialization {
                        run: id.to_owned(),
                        what: "the output".to_owned(),
                        reason: err.to_string(),
                    })?;
                inner
                    .store
                    .finish_run(id, RunState::Completed, Some(&logged))
                    .await
                    .map_err(SagaError::from)?;
                active.ended(RunState::Completed);
                Ok(output)
            }
            Err(error) => {
                let ended = fail(Arc::clone(inner), &context, &self.name, &error.to_string())
                    .await
                    .map_err(E::from)?;
                active.ended(ended);
                Err(error)
            }
        }
    }
}

/// The result an earlier run of the same id ended with.
fn earlier_result<O: DeserializeOwned>(run: &RunRecord) -> Result<O, SagaError> {
    let error = || run.error.clone().unwrap_or_default();
    match run.state {
        RunState::Completed => serde_json::from_str(run.output.as_deref().unwrap_or("null"))
            .map_err(|err| SagaError::Serialization {
                run: run.id.clone(),
                what: "the logged output".to_owned(),
                reason: err.to_string(),
            }),
        RunState::Compensated => Err(SagaError::Compensated {
            run: run.id.clone(),
            error: error(),
        }),
        RunState::CompensationFailed => Err(SagaError::CompensationFailed {
            run: run.id.clone(),
            error: error(),
        }),
        RunState::Failed => Err(SagaError::FailedAfterPivot {
            run: run.id.clone(),
            error: error(),
        }),
        RunState::Running | RunState::Compensating => Err(SagaError::RunningElsewhere {
            run: run.id.clone(),
        }),
    }
}

/// After the body failed with `error`: past the pivot the run is `failed`; before it, the
/// completed steps are compensated.
async fn fail(
    inner: Arc<Inner>,
    context: &SagaContext,
    saga: &str,
    error: &str,
) -> Result<RunState, SagaError> {
    let run = context.run_id().to_owned();
    if context.passed_pivot().is_some() {
        inner
            .store
            .finish_run(&run, RunState::Failed, Some(error))
            .await?;
        return Ok(RunState::Failed);
    }
    inner
        .store
        .finish_run(&run, RunState::Compensating, Some(error))
        .await?;
    let logged = inner
        .store
        .load_run(&run)
        .await?
        .ok_or_else(|| SagaError::Store(crate::store::StoreError::no_run(&run)))?;
    // In a task of its own: a compensation started runs to its end even if the caller's
    // future is dropped.
    let compensating = tokio::spawn(compensate(inner, saga.to_owned(), logged));
    compensating.await.unwrap_or_else(|join| {
        Err(SagaError::Diverged {
            run,
            problem: format!("the compensation task ended abnormally: {join}"),
        })
    })
}

/// Runs a claimed run forward again, answering its logged steps from the log.
async fn resume(inner: Arc<Inner>, run: RunRecord) -> Result<RunState, SagaError> {
    let body = inner
        .sagas
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&run.saga)
        .cloned()
        .ok_or_else(|| SagaError::UnknownSaga {
            saga: run.saga.clone(),
        })?;
    let context = SagaContext::new(Arc::clone(&inner), &run.saga, &run.id, run.steps.clone());
    let _renewing = Renewal::start(Arc::clone(&inner), &run.id);
    match body(context.clone(), run.input.clone()).await {
        Ok(output) => {
            inner
                .store
                .finish_run(&run.id, RunState::Completed, Some(&output))
                .await?;
            Ok(RunState::Completed)
        }
        Err(error) => fail(inner, &context, &run.saga, &error).await,
    }
}

/// Undoes `run`'s steps that are done or whose outcome is unknown, last first, each
/// compensation retried with backoff; ends the run `compensated`, or `compensation_failed`
/// when one kept failing (the others are still tried).
async fn compensate(
    inner: Arc<Inner>,
    saga: String,
    run: RunRecord,
) -> Result<RunState, SagaError> {
    let mut last_failure = None;
    for step in run.steps.iter().rev() {
        // Done, of unknown outcome, or a compensation an operator retries; a failed step did
        // not take effect.
        if !matches!(
            step.state,
            StepState::Done | StepState::Intent | StepState::CompensationFailed
        ) {
            continue;
        }
        let result = match inner.step_kind(&step.step) {
            Some(StepKind::Compensated(compensation)) => persist(&inner, &compensation, step).await,
            Some(StepKind::Pivot | StepKind::NoCompensation) => continue,
            None => Err(format!(
                "no compensation is declared for step `{}`",
                step.step
            )),
        };
        failpoint("after_compensation");
        metrics::step(
            &saga,
            &run.id,
            &step.step,
            true,
            result.as_ref().err().map(String::as_str),
        );
        match result {
            Ok(()) => {
                inner
                    .store
                    .finish_step(&run.id, step.seq, StepState::Compensated, None)
                    .await?;
            }
            Err(error) => {
                inner
                    .store
                    .finish_step(
                        &run.id,
                        step.seq,
                        StepState::CompensationFailed,
                        Some(&error),
                    )
                    .await?;
                last_failure = Some(error);
            }
        }
    }
    let ended = if last_failure.is_some() {
        RunState::CompensationFailed
    } else {
        RunState::Compensated
    };
    inner
        .store
        .finish_run(&run.id, ended, last_failure.as_deref())
        .await?;
    Ok(ended)
}

/// Runs `compensation` for `step` until it succeeds or the engine's persistence runs out.
async fn persist(
    inner: &Inner,
    compensation: &ErasedCompensation,
    step: &crate::store::StepRecord,
) -> Result<(), String> {
    // Logged once the step was done (`null` for a unit output); none when its outcome is
    // unknown.
    let output = step.output.clone();
    let key = StepKey(step.key.clone());
    let persistence = inner.settings().persistence;
    let mut delay = persistence.first_delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        failpoint("before_compensation");
        match compensation(key.clone(), step.input.clone(), output.clone()).await {
            Ok(()) => return Ok(()),
            Err(error) if attempt >= persistence.attempts => return Err(error),
            Err(_) => {
                crate::store::before_timer().await;
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(persistence.max_delay);
            }
        }
    }
}

/// Renews a run's lease every third of its length while the run is active here; stops when
/// dropped (the run ended, or its future was dropped: the lease then runs out and recovery
/// resumes the run elsewhere).
struct Renewal(tokio::task::JoinHandle<()>);

impl Renewal {
    fn start(inner: Arc<Inner>, run: &str) -> Self {
        let run = run.to_owned();
        Self(tokio::spawn(async move {
            let lease = inner.lease();
            let every = lease / 3;
            loop {
                crate::store::before_timer().await;
                tokio::time::sleep(every).await;
                let renewed = inner
                    .store
                    .renew_lease(&run, &inner.owner, inner.lease())
                    .await;
                if !matches!(renewed, Ok(true)) {
                    return;
                }
            }
        }))
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}
