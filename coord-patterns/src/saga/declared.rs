//! Sagas and steps declared with `#[saga]` and `#[step]`: the linker gathers their
//! declarations, every [`SagaEngine`] registers them when it is built, and a declared saga runs
//! on the process's engine ([`engine`]), opened on first use from the configuration's
//! `coordination_store` unless one was [installed](install_engine) before.

use std::future::Future;
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Display;

use super::context::SagaContext;
use super::engine::{Recovered, SagaEngine};
use super::error::SagaError;
use super::signature::Loggable;
use crate::store::AnyStore;

/// A `#[saga]` function, registered by name for recovery. **Not a stable API.**
#[derive(Debug)]
pub struct SagaDeclaration {
    /// The saga's name, as logged.
    pub name: &'static str,
    /// Where it is declared (`file:line`).
    pub location: &'static str,
    /// Registers the saga's body with an engine.
    pub register: fn(&SagaEngine),
}

/// A `#[step]` function with how it is undone. **Not a stable API.**
#[derive(Debug)]
pub struct StepDeclaration {
    /// The step's name, as logged.
    pub name: &'static str,
    /// Where it is declared (`file:line`).
    pub location: &'static str,
    /// Declares the step (its compensation, or that it is a pivot or needs none).
    pub declare: fn(&SagaEngine),
}

/// Every `#[saga]` in the program. **Not a stable API.**
#[linkme::distributed_slice]
pub static SAGA_DECLARATIONS: [SagaDeclaration];

/// Every `#[step]` in the program. **Not a stable API.**
#[linkme::distributed_slice]
pub static STEP_DECLARATIONS: [StepDeclaration];

/// Registers every declared step and saga with `engine`.
pub(crate) fn apply(engine: &SagaEngine) {
    for step in STEP_DECLARATIONS {
        (step.declare)(engine);
    }
    for saga in SAGA_DECLARATIONS {
        (saga.register)(engine);
    }
}

/// The first name declared twice, found once per process.
fn duplicate() -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    static FOUND: OnceLock<Option<(&str, &str, &str, &str)>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let sagas = SAGA_DECLARATIONS
                .iter()
                .map(|d| ("saga", d.name, d.location));
            let steps = STEP_DECLARATIONS
                .iter()
                .map(|d| ("step", d.name, d.location));
            let mut seen = std::collections::HashMap::new();
            for (kind, name, location) in sagas.chain(steps) {
                if let Some(first) = seen.insert((kind, name), location) {
                    return Some((kind, name, first, location));
                }
            }
            None
        })
        .as_ref()
}

/// Fails while two declarations share a name: the log could not tell their runs apart.
fn check_declarations() -> Result<(), SagaError> {
    match duplicate() {
        None => Ok(()),
        Some(&(kind, name, first, second)) => Err(SagaError::DuplicateDeclaration {
            kind,
            name: name.to_owned(),
            first,
            second,
        }),
    }
}

static ENGINE: tokio::sync::OnceCell<SagaEngine> = tokio::sync::OnceCell::const_new();

/// The process's saga engine, which `#[saga]` functions run on: the one
/// [installed](install_engine), or else one on the store the configuration names
/// (`coordination_store`, default `sqlite://coord.db`), opened on first use.
///
/// ```no_run
/// # async fn show() -> Result<(), coord_patterns::saga::SagaError> {
/// let engine = coord_patterns::saga::engine().await?;
/// engine.retry_compensation("order-17").await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`SagaError::Store`] when the store cannot be opened (tried again on the next call);
/// [`SagaError::DuplicateDeclaration`] when two `#[saga]` or two `#[step]` functions share
/// a name.
pub async fn engine() -> Result<&'static SagaEngine, SagaError> {
    check_declarations()?;
    ENGINE
        .get_or_try_init(|| async { Ok(SagaEngine::new(AnyStore::from_configuration().await?)) })
        .await
}

/// Makes `engine` the process's saga engine, before a `#[saga]` function first runs: to use
/// a store built in code, e.g. [`MemoryStore`](crate::store::MemoryStore) in a test, or to tune
/// its lease and compensation retries.
///
/// ```
/// use coord_patterns::saga::SagaEngine;
/// use coord_patterns::store::AnyStore;
/// use std::time::Duration;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = AnyStore::open("memory:").await?;
/// let engine = SagaEngine::new(store).lease(Duration::from_secs(10));
/// coord_patterns::saga::install_engine(engine)?;
/// assert!(coord_patterns::saga::install_engine(SagaEngine::new(AnyStore::open("memory:").await?)).is_err());
/// # Ok::<(), coord_patterns::saga::SagaError>(())
/// # }).unwrap();
/// ```
///
/// # Errors
/// [`SagaError::EngineInUse`] when the process's engine is already set (installed, or opened
/// by a saga that ran).
pub fn install_engine(engine: SagaEngine) -> Result<(), SagaError> {
    ENGINE.set(engine).map_err(|_| SagaError::EngineInUse)
}

/// Resumes the unfinished runs of the process's engine; see [`SagaEngine::recover`].
/// [`coord::init`](https://docs.rs/coord/latest/coord/fn.init.html) starts doing this in the
/// background when the program declares sagas; call it yourself to wait for it.
///
/// ```no_run
/// # async fn start() -> Result<(), coord_patterns::saga::SagaError> {
/// let recovered = coord_patterns::saga::recover().await?;
/// println!("{} runs resumed to completion", recovered.completed);
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`engine`] and [`SagaEngine::recover`].
pub async fn recover() -> Result<Recovered, SagaError> {
    engine().await?.recover().await
}

/// Whether the program declares any `#[saga]`.
pub(crate) fn any_declared() -> bool {
    !SAGA_DECLARATIONS.is_empty()
}

/// Runs declared saga `name` as run `id` on the process's engine. **Not a stable API.**
///
/// # Errors
/// As [`Saga::run`](super::Saga::run), and [`engine`]'s.
pub async fn run_declared<I, O, E, F, Fut>(
    name: &'static str,
    id: &str,
    input: Result<String, serde_json::Error>,
    body: F,
) -> Result<O, E>
where
    I: Serialize + DeserializeOwned + Send + 'static,
    O: Loggable + Send + 'static,
    E: From<SagaError> + Display + Send + 'static,
    F: Fn(SagaContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
{
    let engine = engine().await.map_err(E::from)?;
    engine.saga(name, body).run_logged(id, input).await
}
