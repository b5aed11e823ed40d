//! One type for whichever store the configuration names, so code above the store is written
//! once and the backend is a matter of configuration.

use std::time::Duration;

#[cfg(feature = "postgres")]
use super::PostgresStore;
#[cfg(feature = "sqlite")]
use super::SqliteStore;
use super::{
    CoordinationStore, Location, MemoryStore, NewStep, RunRecord, RunState, RunSummary, Started,
    StepState, StoreError,
};

/// The store at a [`Location`]: SQLite, PostgreSQL or memory.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use coord_patterns::store::{AnyStore, CoordinationStore, Started};
/// use std::time::Duration;
///
/// let dir = std::env::temp_dir().join(format!("coord-any-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = AnyStore::open(&format!("sqlite://{}/coord.db", dir.display())).await?;
/// let started = store.start_run("r", "saga", "{}", "me", Duration::from_secs(30)).await?;
/// assert_eq!(started, Started::New);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), coord_patterns::store::StoreError>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum AnyStore {
    /// In memory: not durable.
    Memory(MemoryStore),
    /// A SQLite file.
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Which backend this is: `memory`, `sqlite` or `postgres`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            AnyStore::Memory(_) => "memory",
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(_) => "postgres",
        }
    }

    /// Opens the store `location` names (see [`Location::parse`]).
    ///
    /// # Errors
    /// [`StoreError::Location`] for a location this build cannot open (a backend whose cargo
    /// feature is off names the feature), and the backend's errors.
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        Self::open_at(&Location::parse(location)?).await
    }

    /// Opens the store the configuration names: `coordination_store` in the configuration
    /// file, or `COORDINATION_STORE`; by default `sqlite://coord.db` in the working directory.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    ///
    /// # Panics
    /// When the configuration has not been loaded and cannot be (as every first use of
    /// coord's configuration does); call `coord::init()` first to get that as an error.
    pub async fn from_configuration() -> Result<Self, StoreError> {
        Self::open_at(&coord_runtime::configuration().coordination_store).await
    }

    /// Opens the store at `location`.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub async fn open_at(location: &Location) -> Result<Self, StoreError> {
        match location {
            Location::Memory => Ok(AnyStore::Memory(MemoryStore::new())),
            #[cfg(feature = "sqlite")]
            Location::Sqlite(path) => Ok(AnyStore::Sqlite(SqliteStore::open(path).await?)),
            #[cfg(feature = "postgres")]
            Location::Postgres { url, schema } => Ok(AnyStore::Postgres(
                PostgresStore::connect(url, schema.as_deref()).await?,
            )),
            #[allow(unreachable_patterns)] // with both features on
            other => Err(StoreError::Location {
                location: other.to_string(),
                reason: format!(
                    "this build has no {} store: enable coord's `{}` feature",
                    other.backend(),
                    other.backend()
                ),
            }),
        }
    }
}

/// Calls `$method` on whichever store this is.
macro_rules! each {
    ($store:expr, $method:ident($($arg:expr),*)) => {
        match $store {
            AnyStore::Memory(store) => store.$method($($arg),*).await,
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(store) => store.$method($($arg),*).await,
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(store) => store.$method($($arg),*).await,
        }
    };
}

impl CoordinationStore for AnyStore {
    async fn start_run(
        &self,
        id: &str,
        saga: &str,
        input: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Started, StoreError> {
        each!(self, start_run(id, saga, input, owner, lease))
    }

    async fn record_intent(&self, run: &str, step: &NewStep<'_>) -> Result<(), StoreError> {
        each!(self, record_intent(run, step))
    }

    async fn finish_step(
        &self,
        run: &str,
        seq: u32,
        state: StepState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        each!(self, finish_step(run, seq, state, detail))
    }

    async fn finish_run(
        &self,
        run: &str,
        state: RunState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        each!(self, finish_run(run, state, detail))
    }

    async fn load_run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        each!(self, load_run(id))
    }

    async fn claim_unfinished(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<RunRecord>, StoreError> {
        each!(self, claim_unfinished(owner, lease, limit))
    }

    async fn reopen_compensation(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        each!(self, reopen_compensation(id, owner, lease))
    }

    async fn acquire_lock(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, StoreError> {
        each!(self, acquire_lock(key, owner, ttl))
    }

    async fn renew_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        each!(self, renew_lock(key, owner, token, ttl))
    }

    async fn release_lock(&self, key: &str, owner: &str, token: u64) -> Result<bool, StoreError> {
        each!(self, release_lock(key, owner, token))
    }

    async fn runs_in_state(
        &self,
        state: RunState,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        each!(self, runs_in_state(state, limit))
    }

    async fn renew_lease(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        each!(self, renew_lease(id, owner, lease))
    }
}
