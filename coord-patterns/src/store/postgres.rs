//! The fleet store: PostgreSQL (feature `postgres`), shared by every instance of a service.
//!
//! One connection per store, its statements serialised by a lock; each operation is one
//! transaction. Claiming unfinished runs uses `FOR UPDATE SKIP LOCKED`, so instances
//! recovering at once split the runs between them instead of queueing or claiming one twice.
//! Lease times come from the server's clock. A lost connection (a restarted server, a
//! terminated session) fails the call that meets it and is re-established by the next one.
//! The tables are created on first use under an advisory lock, so instances starting together
//! do not race on `CREATE TABLE`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::{Client, GenericClient, NoTls, Row};

use super::schema::{CREATE, VERSION, lease_change, run_detail_column, step_detail_column};
use super::{
    CoordinationStore, NewStep, RunRecord, RunState, RunSummary, Started, StepRecord, StepState,
    StoreError, millis,
};
use coord_text::is_identifier;

/// The server clock, in milliseconds since the Unix epoch.
const NOW: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// Taken while creating the tables (an arbitrary constant: "coord" in ASCII).
const SCHEMA_LOCK: i64 = 0x63_6f6f_7264;

/// A coordination store in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    client: Arc<Mutex<Client>>,
    /// To connect again when the connection is lost (the server restarted, the session was
    /// terminated): the next call reconnects instead of failing for ever.
    url: Arc<str>,
    schema: Option<String>,
    /// Set when a call failed in a way that may mean the session is gone: the next call checks
    /// it (one empty query) before using it, since the client notices a closed connection only
    /// once its connection task has.
    suspect: Arc<AtomicBool>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn pg(err: &tokio_postgres::Error) -> StoreError {
    StoreError::Postgres {
        message: match err.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => err.to_string(),
        },
    }
}

impl PostgresStore {
    /// Connects to `url` (a libpq URL) and creates coord's tables in `schema` (created if
    /// missing; `public` when `None`). Must be called inside a tokio runtime, which drives the
    /// connection.
    ///
    /// # Errors
    /// [`StoreError::Postgres`] when the server cannot be reached or refuses;
    /// [`StoreError::Location`] for a schema name that is not a plain identifier;
    /// [`StoreError::SchemaTooNew`] when a newer build wrote the tables.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        if let Some(schema) = schema
            && !is_identifier(schema)
        {
            return Err(StoreError::Location {
                location: format!("schema {schema}"),
                reason: "not a plain SQL identifier".to_owned(),
            });
        }
        let mut client = session(url, schema).await?;
        let tx = client.transaction().await.map_err(|err| pg(&err))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .await
            .map_err(|err| pg(&err))?;
        for statement in CREATE {
            tx.batch_execute(statement).await.map_err(|err| pg(&err))?;
        }
        let found = tx
            .query_opt("SELECT version FROM coord_schema WHERE id = 1", &[])
            .await
            .map_err(|err| pg(&err))?
            .map(|row| row.get::<_, i64>(0));
        match found {
            None => {
                tx.execute(
                    "INSERT INTO coord_schema (id, version) VALUES (1, $1)",
                    &[&VERSION],
                )
                .await
                .map_err(|err| pg(&err))?;
            }
            Some(found) if found > VERSION => {
                return Err(StoreError::SchemaTooNew {
                    found,
                    known: VERSION,
                });
            }
            Some(found) if found < VERSION => {
                tx.execute(
                    "UPDATE coord_schema SET version = $1 WHERE id = 1",
                    &[&VERSION],
                )
                .await
                .map_err(|err| pg(&err))?;
            }
            Some(_) => {}
        }
        tx.commit().await.map_err(|err| pg(&err))?;
        Ok(Self {
            client: Arc::new(Mutex::new(client)),
            url: url.into(),
            schema: schema.map(str::to_owned),
            suspect: Arc::default(),
        })
    }

    /// The connection, connected again first if it was lost.
    async fn client(&self) -> Result<tokio::sync::MutexGuard<'_, Client>, StoreError> {
        let mut client = self.client.lock().await;
        let lost = client.is_closed()
            || (self.suspect.swap(false, Ordering::Relaxed)
                && client.simple_query("").await.is_err());
        if lost {
            *client = session(&self.url, self.schema.as_deref()).await?;
        }
        Ok(client)
    }

    /// `err` as a store error, noting when it may mean the session is gone.
    fn failed(&self, err: &tokio_postgres::Error) -> StoreError {
        if session_gone(err) {
            self.suspect.store(true, Ordering::Relaxed);
        }
        pg(err)
    }
}

/// Whether `err` may mean the session is gone: the connection failed or closed, or the server
/// ended the session (SQLSTATE classes 08, connection exception, and 57, operator
/// intervention, as `pg_terminate_backend` and a shutdown send).
pub(crate) fn session_gone(err: &tokio_postgres::Error) -> bool {
    err.as_db_error().is_none_or(|db| {
        let code = db.code().code();
        code.starts_with("08") || code.starts_with("57")
    })
}

/// A session on `url` with coord's schema (created if missing) first on the search path.
async fn session(url: &str, schema: Option<&str>) -> Result<Client, StoreError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|err| pg(&err))?;
    // Drives the connection; when the server goes away it ends, the client reports itself
    // closed, and the next call connects again.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    if let Some(schema) = schema {
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .await
            .map_err(|err| pg(&err))?;
    }
    Ok(client)
}

async fn read_run(client: &impl GenericClient, id: &str) -> Result<Option<RunRecord>, StoreError> {
    let Some(run) = client
        .query_opt(
            "SELECT saga, state, input, output, error FROM coord_saga_runs WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(|err| pg(&err))?
    else {
        return Ok(None);
    };
    let state: String = run.get(1);
    let state = RunState::parse(&state).ok_or_else(|| StoreError::Corrupt {
        run: id.to_owned(),
        what: format!("the run state `{state}`"),
    })?;
    let rows = client
        .query(
            "SELECT seq, step, idempotency_key, state, input, output, error
             FROM coord_saga_steps WHERE run_id = $1 ORDER BY seq",
            &[&id],
        )
        .await
        .map_err(|err| pg(&err))?;
    let steps = rows
        .iter()
        .map(|row| step(id, row))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(RunRecord {
        id: id.to_owned(),
        saga: run.get(0),
        state,
        input: run.get(2),
        output: run.get(3),
        error: run.get(4),
        steps,
    }))
}

fn step(run: &str, row: &Row) -> Result<StepRecord, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt {
        run: run.to_owned(),
        what,
    };
    let seq: i64 = row.get(0);
    let state: String = row.get(3);
    Ok(StepRecord {
        seq: u32::try_from(seq).map_err(|_| corrupt(format!("the step position {seq}")))?,
        step: row.get(1),
        key: row.get(2),
        state: StepState::parse(&state)
            .ok_or_else(|| corrupt(format!("the step state `{state}`")))?,
        input: row.get(4),
        output: row.get(5),
        error: row.get(6),
    })
}

impl CoordinationStore for PostgresStore {
    async fn start_run(
        &self,
        id: &str,
        saga: &str,
        input: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Started, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|err| pg(&err))?;
        let inserted = tx
            .execute(
                &format!(
                    "INSERT INTO coord_saga_runs
                       (id, saga, state, input, lease_owner, lease_until, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, {NOW} + $6, {NOW}, {NOW})
                     ON CONFLICT (id) DO NOTHING"
                ),
                &[
                    &id,
                    &saga,
                    &RunState::Running.as_str(),
                    &input,
                    &owner,
                    &millis(lease),
                ],
            )
            .await
            .map_err(|err| pg(&err))?;
        let started = if inserted == 1 {
            Started::New
        } else {
            Started::Existing(
                read_run(&tx, id)
                    .await?
                    .ok_or_else(|| StoreError::no_run(id))?,
            )
        };
        tx.commit().await.map_err(|err| pg(&err))?;
        Ok(started)
    }

    async fn record_intent(&self, run: &str, step: &NewStep<'_>) -> Result<(), StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let seq = i64::from(step.seq);
        let client = self.client().await?;
        // One statement for a new intent (the common case, its own transaction): the foreign
        // key checks the run exists, and the step at this position is read only when one is
        // already logged there.
        let inserted = client
            .execute(
                &format!(
                    "INSERT INTO coord_saga_steps
                       (run_id, seq, step, idempotency_key, state, input, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, {NOW})
                     ON CONFLICT (run_id, seq) DO NOTHING"
                ),
                &[
                    &run,
                    &seq,
                    &step.step,
                    &step.key,
                    &StepState::Intent.as_str(),
                    &step.input,
                ],
            )
            .await
            .map_err(|err| {
                if err.code() == Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) {
                    StoreError::no_run(run)
                } else {
                    pg(&err)
                }
            })?;
        if inserted == 1 {
            return Ok(());
        }
        let logged: String = client
            .query_one(
                "SELECT step FROM coord_saga_steps WHERE run_id = $1 AND seq = $2",
                &[&run, &seq],
            )
            .await
            .map_err(|err| pg(&err))?
            .get(0);
        if logged == step.step {
            Ok(())
        } else {
            Err(StoreError::diverged(run, seq, &logged, step.step))
        }
    }

    async fn finish_step(
        &self,
        run: &str,
        seq: u32,
        state: StepState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let column = step_detail_column(state);
        let client = self.client().await?;
        let changed = client
            .execute(
                &format!(
                    "UPDATE coord_saga_steps
                     SET state = $3, {column} = COALESCE($4, {column}), updated_at = {NOW}
                     WHERE run_id = $1 AND seq = $2"
                ),
                &[&run, &i64::from(seq), &state.as_str(), &detail],
            )
            .await
            .map_err(|err| pg(&err))?;
        if changed == 0 {
            return Err(StoreError::no_intent(run, seq));
        }
        Ok(())
    }

    async fn finish_run(
        &self,
        run: &str,
        state: RunState,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let column = run_detail_column(state);
        let lease = lease_change(state);
        let client = self.client().await?;
        let changed = client
            .execute(
                &format!(
                    "UPDATE coord_saga_runs
                     SET state = $2, {column} = COALESCE($3, {column}), updated_at = {NOW}{lease}
                     WHERE id = $1"
                ),
                &[&run, &state.as_str(), &detail],
            )
            .await
            .map_err(|err| pg(&err))?;
        if changed == 0 {
            return Err(StoreError::no_run(run));
        }
        Ok(())
    }

    async fn load_run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let client = self.client().await?;
        // Any failure here may be the session's: the next call checks it.
        read_run(&*client, id)
            .await
            .inspect_err(|_| self.suspect.store(true, Ordering::Relaxed))
    }

    async fn claim_unfinished(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<RunRecord>, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|err| pg(&err))?;
        let ids: Vec<String> = tx
            .query(
                &format!(
                    "UPDATE coord_saga_runs SET lease_owner = $1, lease_until = {NOW} + $2
                     WHERE id IN (
                       SELECT id FROM coord_saga_runs
                       WHERE state IN ('running', 'compensating')
                         AND (lease_until IS NULL OR lease_until <= {NOW})
                       ORDER BY id LIMIT $3
                       FOR UPDATE SKIP LOCKED)
                     RETURNING id"
                ),
                &[&owner, &millis(lease), &limit],
            )
            .await
            .map_err(|err| pg(&err))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut claimed = Vec::with_capacity(ids.len());
        for id in &ids {
            claimed.push(
                read_run(&tx, id)
                    .await?
                    .ok_or_else(|| StoreError::no_run(id))?,
            );
        }
        claimed.sort_by(|a, b| a.id.cmp(&b.id));
        tx.commit().await.map_err(|err| pg(&err))?;
        Ok(claimed)
    }

    async fn reopen_compensation(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let client = self.client().await?;
        let changed = client
            .execute(
                &format!(
                    "UPDATE coord_saga_runs
                     SET state = 'compensating', lease_owner = $2, lease_until = {NOW} + $3,
                         updated_at = {NOW}
                     WHERE id = $1 AND state = 'compensation_failed'"
                ),
                &[&id, &owner, &millis(lease)],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(changed == 1)
    }

    async fn acquire_lock(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!(
                    "INSERT INTO coord_locks (key, token, owner, lease_until)
                     VALUES ($1, 1, $2, {NOW} + $3)
                     ON CONFLICT (key) DO UPDATE SET token = coord_locks.token + 1,
                         owner = excluded.owner, lease_until = excluded.lease_until
                     WHERE coord_locks.owner IS NULL OR coord_locks.lease_until <= {NOW}
                     RETURNING token"
                ),
                &[&key, &owner, &millis(ttl)],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(row.and_then(|row| u64::try_from(row.get::<_, i64>(0)).ok()))
    }

    async fn renew_lock(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let token = i64::try_from(token).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let changed = client
            .execute(
                &format!(
                    "UPDATE coord_locks SET lease_until = {NOW} + $4
                     WHERE key = $1 AND owner = $2 AND token = $3 AND lease_until > {NOW}"
                ),
                &[&key, &owner, &token, &millis(ttl)],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(changed == 1)
    }

    async fn release_lock(&self, key: &str, owner: &str, token: u64) -> Result<bool, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let token = i64::try_from(token).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE coord_locks SET owner = NULL, lease_until = NULL
                 WHERE key = $1 AND owner = $2 AND token = $3",
                &[&key, &owner, &token],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(changed == 1)
    }

    async fn runs_in_state(
        &self,
        state: RunState,
        limit: usize,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, saga, error FROM coord_saga_runs
                 WHERE state = $1 ORDER BY id LIMIT $2",
                &[&state.as_str(), &limit],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(rows
            .iter()
            .map(|row| RunSummary {
                id: row.get(0),
                saga: row.get(1),
                error: row.get(2),
            })
            .collect())
    }

    async fn renew_lease(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let pg = |err: &tokio_postgres::Error| self.failed(err);
        let client = self.client().await?;
        let changed = client
            .execute(
                &format!(
                    "UPDATE coord_saga_runs SET lease_until = {NOW} + $3
                     WHERE id = $1 AND lease_owner = $2
                       AND state IN ('running', 'compensating')"
                ),
                &[&id, &owner, &millis(lease)],
            )
            .await
            .map_err(|err| pg(&err))?;
        Ok(changed == 1)
    }
}
