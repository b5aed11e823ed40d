//! The embedded store: one SQLite file (feature `sqlite`).
//!
//! Durability: WAL journal with `synchronous=FULL`, so a transaction that returned is on disk.
//! Writers take `BEGIN IMMEDIATE`, so two processes sharing the file never interleave a
//! read-then-write (two claimants of one run, for instance); a busy file is waited for up to
//! five seconds. SQLite calls block, so each runs on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::schema::{CREATE, VERSION, lease_change, run_detail_column, step_detail_column};
use super::{
    CoordinationStore, NewStep, RunRecord, RunState, RunSummary, Started, StepRecord, StepState,
    StoreError, millis,
};

/// The database clock, in milliseconds since the Unix epoch.
const NOW: &str = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

/// A coordination store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    path: Arc<PathBuf>,
    connection: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed, with its directory) the store in the file at `path`, and its
    /// tables.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the file cannot be opened or written,
    /// [`StoreError::SchemaTooNew`] when a newer build wrote it.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let opened_path = path.clone();
        let connection = blocking(&path, move || open_file(&opened_path)).await??;
        Ok(Self {
            path: Arc::new(path),
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection, on the blocking pool.
    async fn with<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let connection = Arc::clone(&self.connection);
        blocking(&self.path, move || {
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await?
    }

    fn error(&self) -> impl Fn(rusqlite::Error) -> StoreError + Send + 'static {
        let path = Arc::clone(&self.path);
        move |err| sqlite_error(&path, &err)
    }
}

/// Runs blocking `work` without stalling other tasks: on a multi-threaded runtime in place
/// (the worker hands its other tasks to the rest first: no thread hop, which measured a third
/// of a saga's overhead over the floor), elsewhere on the blocking pool.
///
/// Working in place leaves the rest of the poll on a thread that is no longer a worker, and
/// the runtime does not wait for it: if the program returned from `main` while `work` ran, the
/// caller would go on into a runtime whose timers are gone, and its next `sleep` panics ("A
/// Tokio 1.x context was found, but it is being shutdown"; tokio#2789). So when the runtime
/// has begun shutting down ([`shutting_down`]) the task yields instead, and the closed runtime
/// drops it. Yielding every time would be airtight but costs a cross-thread wake-up per
/// statement (a quarter of an uncontended SQLite lock cycle, a tenth of saga throughput); coord's
/// own timers after a store call yield first regardless ([`super::before_timer`]).
async fn blocking<R: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, StoreError> {
    let runtime = tokio::runtime::Handle::try_current()
        .ok()
        .filter(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if let Some(runtime) = runtime {
        let closing = shutting_down(&runtime);
        let done = tokio::task::block_in_place(work);
        if closing.load(Ordering::Acquire) {
            tokio::task::yield_now().await;
        }
        return Ok(done);
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::Sqlite {
            path: path.to_path_buf(),
            message: format!("the database task ended abnormally: {err}"),
        })
}

/// Set once `runtime` begins shutting down: a task spawned on it the first time holds a guard
/// that sets the flag when the shutting-down runtime drops it, which it does before it stops
/// its timers. Cached per thread, so a statement pays a thread-local read.
fn shutting_down(runtime: &tokio::runtime::Handle) -> Arc<AtomicBool> {
    thread_local! {
        static FLAG: std::cell::RefCell<Option<(tokio::runtime::Id, Arc<AtomicBool>)>> =
            const { std::cell::RefCell::new(None) };
    }
    let id = runtime.id();
    FLAG.with_borrow_mut(|cached| match cached {
        Some((cached_id, flag)) if *cached_id == id => Arc::clone(flag),
        _ => {
            let flag = sentinel(runtime, id);
            *cached = Some((id, Arc::clone(&flag)));
            flag
        }
    })
}

/// The flag of `runtime`, with its sentinel task spawned the first time it is asked for.
fn sentinel(runtime: &tokio::runtime::Handle, id: tokio::runtime::Id) -> Arc<AtomicBool> {
    static FLAGS: Mutex<Vec<(tokio::runtime::Id, Arc<AtomicBool>)>> = Mutex::new(Vec::new());
    let mut flags = FLAGS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, flag)) = flags.iter().find(|(known, _)| *known == id) {
        return Arc::clone(flag);
    }
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    let flag = Arc::new(AtomicBool::new(false));
    let guard = SetOnDrop(Arc::clone(&flag));
    runtime.spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    // Runtimes that ended keep their entry (a few bytes each): tests make many; services one.
    flags.push((id, Arc::clone(&flag)));
    flag
}

fn sqlite_error(path: &Path, err: &rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

fn open_file(path: &Path) -> Result<Connection, StoreError> {
    let fail = |err: rusqlite::Error| sqlite_error(path, &err);
    // A configured `sqlite://state/coord.db` works on a fresh machine: the directory is
    // created like the file.
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|err| StoreError::Sqlite {
            path: path.to_path_buf(),
            message: format!("cannot create its directory: {err}"),
        })?;
    }
    let mut connection = Connection::open(path).map_err(fail)?;
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(fail)?;
    // `journal_mode` answers with the mode in effect: WAL must have been taken.
    let mode: String = connection
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(fail)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Sqlite {
            path: path.to_path_buf(),
            message: format!("WAL journal refused (journal_mode is {mode})"),
        });
    }
    connection
        .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        .map_err(fail)?;
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    for statement in CREATE {
        tx.execute(statement, []).map_err(fail)?;
    }
    let found: Option<i64> = tx
        .query_row("SELECT version FROM coord_schema WHERE id = 1", [], |row| {
            row.get(0)
        })
        .optional()
        .map_err(fail)?;
    match found {
        None => {
            tx.execute(
                "INSERT INTO coord_schema (id, version) VALUES (1, ?1)",
                [VERSION],
            )
            .map_err(fail)?;
        }
        Some(found) if found > VERSION => {
            return Err(StoreError::SchemaTooNew {
                found,
                known: VERSION,
            });
        }
        Some(found) if found < VERSION => {
            tx.execute(
                "UPDATE coord_schema SET version = ?1 WHERE id = 1",
                [VERSION],
            )
            .map_err(fail)?;
        }
        Some(_) => {}
    }
    tx.commit().map_err(fail)?;
    Ok(connection)
}

fn corrupt(run: &str, what: String) -> StoreError {
    StoreError::Corrupt {
        run: run.to_owned(),
        what,
    }
}

/// The run `id` and its steps, read in `connection`.
fn read_run(connection: &Connection, id: &str) -> Result<Option<RunRecord>, ReadError> {
    let run = connection
        .query_row(
            "SELECT saga, state, input, output, error FROM coord_saga_runs WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((saga, state, input, output, error)) = run else {
        return Ok(None);
    };
    let state = RunState::parse(&state)
        .ok_or_else(|| ReadError::Corrupt(corrupt(id, format!("the run state `{state}`"))))?;
    let mut statement = connection.prepare(
        "SELECT seq, step, idempotency_key, state, input, output, error
         FROM coord_saga_steps WHERE run_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut steps = Vec::new();
    for row in rows {
        let (seq, step, key, step_state, step_input, step_output, step_error) = row?;
        steps.push(StepRecord {
            seq: u32::try_from(seq)
                .map_err(|_| ReadError::Corrupt(corrupt(id, format!("the step position {seq}"))))?,
            step,
            key,
            state: StepState::parse(&step_state).ok_or_else(|| {
                ReadError::Corrupt(corrupt(id, format!("the step state `{step_state}`")))
            })?,
            input: step_input,
            output: step_output,
            error: step_error,
        });
    }
    Ok(Some(RunRecord {
        id: id.to_owned(),
        saga,
        state,
        input,
        output,
        error,
        steps,
    }))
}

/// Why a run could not be read: SQLite failed, or the log holds something unknown.
enum ReadError {
    Sqlite(rusqlite::Error),
    Corrupt(StoreError),
}

impl From<rusqlite::Error> for ReadError {
    fn from(err: rusqlite::Error) -> Self {
        ReadError::Sqlite(err)
    }
}

impl ReadError {
    fn into_store(self, fail: &impl Fn(rusqlite::Error) -> StoreError) -> StoreError {
        match self {
            ReadError::Sqlite(err) => fail(err),
            ReadError::Corrupt(err) => err,
        }
    }
}

impl CoordinationStore for SqliteStore {
    async fn start_run(
        &self,
        id: &str,
        saga: &str,
        input: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Started, StoreError> {
        let (id, saga, input, owner) = (
            id.to_owned(),
            saga.to_owned(),
            input.to_owned(),
            owner.to_owned(),
        );
        let fail = self.error();
        self.with(move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&fail)?;
            // One statement for a new run (the common case); the log is read only for an id
            // that ran before.
            let inserted = tx
                .execute(
                    &format!(
                        "INSERT INTO coord_saga_runs
                       (id, saga, state, input, lease_owner, lease_until, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW} + ?6, {NOW}, {NOW})
                     ON CONFLICT (id) DO NOTHING"
                    ),
                    params![
                        id,
                        saga,
                        RunState::Running.as_str(),
                        input,
                        owner,
                        millis(lease)
                    ],
                )
                .map_err(&fail)?;
            if inserted == 0 {
                let existing = read_run(&tx, &id)
                    .map_err(|err| err.into_store(&fail))?
                    .ok_or_else(|| StoreError::no_run(&id))?;
                return Ok(Started::Existing(existing));
            }
            tx.commit().map_err(&fail)?;
            Ok(Started::New)
        })
        .await
    }

    async fn record_intent(&self, run: &str, step: &NewStep<'_>) -> Result<(), StoreError> {
        let run = run.to_owned();
        let (seq, name, key, input) = (
            i64::from(step.seq),
            step.step.to_owned(),
            step.key.to_owned(),
            step.input.to_owned(),
        );
        let fail = self.error();
        self.with(move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&fail)?;
            // One statement for a new intent (the common case): the run's existence is the
            // foreign key's to check, and a step already at this position is read only then.
            let inserted = tx
                .execute(
                    &format!(
                        "INSERT INTO coord_saga_steps
                           (run_id, seq, step, idempotency_key, state, input, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})
                         ON CONFLICT (run_id, seq) DO NOTHING"
                    ),
                    params![run, seq, name, key, StepState::Intent.as_str(), input],
                )
                .map_err(|err| match err.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::no_run(&run),
                    _ => fail(err),
                })?;
            if inserted == 0 {
                let logged: String = tx
                    .query_row(
                        "SELECT step FROM coord_saga_steps WHERE run_id = ?1 AND seq = ?2",
                        params![run, seq],
                        |row| row.get(0),
                    )
                    .map_err(&fail)?;
                if logged != name {
                    return Err(StoreError::diverged(&run, seq, &logged, &name));
                }
                return Ok(());
            }
            tx.commit().map_err(&fail)?;
            Ok(())
        })
        .await
    }

    async fn finish_step(
        &self,
        run: &str,
        seq: u32,
        state: StepState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let run = run.to_owned();
        let detail = detail.map(str::to_owned);
        let fail = self.error();
        self.with(move |connection| {
            let column = step_detail_column(state);
            let changed = connection
                .execute(
                    &format!(
                        "UPDATE coord_saga_steps
                         SET state = ?3, {column} = COALESCE(?4, {column}), updated_at = {NOW}
                         WHERE run_id = ?1 AND seq = ?2"
                    ),
                    params![run, i64::from(seq), state.as_str(), detail],
                )
                .map_err(&fail)?;
            if changed == 0 {
                return Err(StoreError::no_intent(&run, seq));
            }
            Ok(())
        })
        .await
    }

    async fn finish_run(
        &self,
        run: &str,
        state: RunState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let run = run.to_owned();
        let detail = detail.map(str::to_owned);
        let fail = self.error();
        self.with(move |connection| {
            let column = run_detail_column(state);
            let lease = lease_change(state);
            let changed = connection
                .execute(
                    &format!(
                        "UPDATE coord_saga_runs
                         SET state = ?2, {column} = COALESCE(?3, {column}), updated_at = {NOW}{lease}
                         WHERE id = ?1"
                    ),
                    params![run, state.as_str(), detail],
                )
                .map_err(&fail)?;
            if changed == 0 {
                return Err(StoreError::no_run(&run));
            }
            Ok(())
        })
        .await
    }

    async fn load_run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let id = id.to_owned();
        let fail = self.error();
        self.with(move |connection| read_run(connection, &id).map_err(|err| err.into_store(&fail)))
            .await
    }

    async fn claim_unfinished(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<RunRecord>, StoreError> {
        let owner = owner.to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let fail = self.error();
        self.with(move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&fail)?;
            let ids: Vec<String> = {
                let mut statement = tx
                    .prepare(&format!(
                        "SELECT id FROM coord_saga_runs
                         WHERE state IN ('running', 'compensating')
                           AND (lease_until IS NULL OR lease_until <= {NOW})
                         ORDER BY id LIMIT ?1"
                    ))
                    .map_err(&fail)?;
                let rows = statement
                    .query_map([limit], |row| row.get(0))
                    .map_err(&fail)?;
                rows.collect::<Result<_, _>>().map_err(&fail)?
            };
            let mut claimed = Vec::with_capacity(ids.len());
            for id in &ids {
                tx.execute(
                    &format!(
                        "UPDATE coord_saga_runs SET lease_owner = ?2, lease_until = {NOW} + ?3
                         WHERE id = ?1"
                    ),
                    params![id, owner, millis(lease)],
                )
                .map_err(&fail)?;
                let run = read_run(&tx, id)
                    .map_err(|err| err.into_store(&fail))?
                    .ok_or_else(|| corrupt(id, "a run that vanished while claimed".to_owned()))?;
                claimed.push(run);
            }
            tx.commit().map_err(&fail)?;
            Ok(claimed)
        })
        .await
    }

    async fn reopen_compensation(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let (id, owner) = (id.to_owned(), owner.to_owned());
        let fail = self.error();
        self.with(move |connection| {
            let changed = connection
                .execute(
                    &format!(
                        "UPDATE coord_saga_runs
                         SET state = 'compensating', lease_owner = ?2, lease_until = {NOW} + ?3,
                             updated_at = {NOW}
                         WHERE id = ?1 AND state = 'compensation_failed'"
                    ),
                    params![id, owner, millis(lease)],
                )
                .map_err(&fail)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn acquire_lock(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, StoreError> {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        let fail = self.error();
        self.with(move |connection| {
            let token: Option<i64> = connection
                .query_row(
                    &format!(
                        "INSERT INTO coord_locks (key, token, owner, lease_until)
                         VALUES (?1, 1, ?2, {NOW} + ?3)
                         ON CONFLICT (key) DO UPDATE SET token = coord_locks.token + 1,
                             owner = excluded.owner, lease_until = excluded.lease_until
                         WHERE coord_locks.owner IS NULL OR coord_locks.lease_until <= {NOW}
                         RETURNING token"
                    ),
                    params![key, owner, millis(ttl)],
                    |row| row.get(0),
                )
                .optional()
                .map_err(&fail)?;
            Ok(token.and_then(|token| u64::try_from(token).ok()))
        })
        .await
    }

    async fn renew_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        let token = i64::try_from(token).unwrap_or(i64::MAX);
        let fail = self.error();
        self.with(move |connection| {
            let changed = connection
                .execute(
                    &format!(
                        "UPDATE coord_locks SET lease_until = {NOW} + ?4
                         WHERE key = ?1 AND owner = ?2 AND token = ?3 AND lease_until > {NOW}"
                    ),
                    params![key, owner, token, millis(ttl)],
                )
                .map_err(&fail)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn release_lock(&self, key: &str, owner: &str, token: u64) -> Result<bool, StoreError> {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        let token = i64::try_from(token).unwrap_or(i64::MAX);
        let fail = self.error();
        self.with(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE coord_locks SET owner = NULL, lease_until = NULL
                     WHERE key = ?1 AND owner = ?2 AND token = ?3",
                    params![key, owner, token],
                )
                .map_err(&fail)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn runs_in_state(
        &self,
        state: RunState,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let fail = self.error();
        self.with(move |connection| {
            let mut statement = connection
                .prepare(
                    "SELECT id, saga, error FROM coord_saga_runs
                     WHERE state = ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(&fail)?;
            let rows = statement
                .query_map(params![state.as_str(), limit], |row| {
                    Ok(RunSummary {
                        id: row.get(0)?,
                        saga: row.get(1)?,
                        error: row.get(2)?,
                    })
                })
                .map_err(&fail)?;
            rows.collect::<Result<_, _>>().map_err(&fail)
        })
        .await
    }

    async fn renew_lease(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let (id, owner) = (id.to_owned(), owner.to_owned());
        let fail = self.error();
        self.with(move |connection| {
            let changed = connection
                .execute(
                    &format!(
                        "UPDATE coord_saga_runs SET lease_until = {NOW} + ?3
                         WHERE id = ?1 AND lease_owner = ?2
                           AND state IN ('running', 'compensating')"
                    ),
                    params![id, owner, millis(lease)],
                )
                .map_err(&fail)?;
            Ok(changed == 1)
        })
        .await
    }
}
