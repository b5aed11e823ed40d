//! PostgreSQL advisory locks (feature `postgres`): a hold is a session-level
//! `pg_try_advisory_lock` on a session of its own, for services that already lock this way or
//! want the server to drop a dead holder's lock at once (a crashed process's session closes
//! and its locks go with it; the store's lock rows wait for the lease).
//!
//! Advisory locks have neither a token nor a TTL, so this backend adds both: the token is a
//! row of `coord_advisory_tokens` bumped in the same statement that takes the lock (only when
//! it is taken), and the TTL is the session's `idle_session_timeout` (PostgreSQL 14 or later):
//! the watchdog's renewal is a round trip on the session every third of the TTL, and a holder
//! that stops sending (frozen, partitioned) has its session ended by the server after the TTL,
//! which releases the lock. A renewal that finds the session gone means the lock is gone.
//!
//! **Not behind a transaction-mode pooler** (PgBouncer `pool_mode = transaction`): the pooler
//! hands the session to other clients between statements, so the lock would belong to whoever
//! gets the session next and the timeout would end their work. Connect to the server or a
//! session-mode pooler. Keys are hashed to the 64-bit lock id (`hashtextextended`): two keys
//! that collide exclude each other, which is safe and, at 64 bits, rare.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::{Client, NoTls, Statement};

use crate::store::session_gone;

/// Takes the lock on `$1` and, only if taken, sets the session's idle timeout to `$2` ms and
/// bumps and returns the key's token, in one round trip. No row: held elsewhere (and the
/// session untouched, ready for another try). Each CTE calls a volatile function, so each is
/// evaluated once, in order.
const TAKE: &str = "WITH taken AS (SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok),
         timed AS (SELECT set_config('idle_session_timeout', $2, false) FROM taken WHERE ok)
    INSERT INTO coord_advisory_tokens (key, token)
    SELECT $1, 1 FROM timed
    ON CONFLICT (key) DO UPDATE SET token = coord_advisory_tokens.token + 1
    RETURNING token";

/// Frees the lock on `$1`; no idle timeout while the session waits in the pool.
const FREE: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0)),
    set_config('idle_session_timeout', '0', false)";

/// The transaction-level advisory lock that serialises creating the token table ("coord_ad").
const CREATING: i64 = 0x636f_6f72_645f_6164;

/// A session and its prepared statements (prepared once: each is then one round trip).
struct Session {
    client: Client,
    take: Statement,
    free: Statement,
}

/// A PostgreSQL server whose advisory locks hold coord's locks.
///
/// ```no_run
/// # async fn connect() -> Result<(), String> {
/// use coord_patterns::lock::{AdvisoryLocks, LockBackend, install_backend};
///
/// let advisory = AdvisoryLocks::connect("postgres://app@db/app", Some("coord")).await?;
/// install_backend("advisory", LockBackend::Advisory(advisory));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AdvisoryLocks(Arc<Inner>);

struct Inner {
    url: String,
    schema: Option<String>,
    /// The URL without its password, for messages.
    shown: String,
    /// Sessions holding no lock, ready for the next acquisition.
    idle: Mutex<Vec<Session>>,
    /// The session of each hold, by its owner (unique to one acquisition).
    holds: Mutex<HashMap<String, Arc<Session>>>,
}

impl std::fmt::Debug for AdvisoryLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl AdvisoryLocks {
    /// Connects to the PostgreSQL server at `url` (a libpq URL) and creates the token table in
    /// `schema` (created if missing; `public` when `None`). Needs PostgreSQL 14 or later.
    ///
    /// # Errors
    /// A message naming the URL (without its password) and what failed: the server does not
    /// answer, refuses, is older than 14, or `schema` is not a plain identifier.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, String> {
        let shown = coord_text::without_password(url);
        if let Some(schema) = schema
            && !coord_text::is_identifier(schema)
        {
            return Err(format!(
                "PostgreSQL advisory locks at {shown}: the schema `{schema}` is not a plain SQL \
                 identifier"
            ));
        }
        let locks = Self(Arc::new(Inner {
            url: url.to_owned(),
            schema: schema.map(str::to_owned),
            shown,
            idle: Mutex::new(Vec::new()),
            holds: Mutex::new(HashMap::new()),
        }));
        let first = locks.open().await?;
        locks
            .0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(first);
        Ok(locks)
    }

    pub(crate) fn describe(&self) -> String {
        format!("PostgreSQL advisory locks at {}", self.0.shown)
    }

    fn fail(&self, err: &tokio_postgres::Error) -> String {
        format!("{}: {err}", self.describe())
    }

    /// A new session: the schema, the token table, the version check, the statements.
    async fn open(&self) -> Result<Session, String> {
        let (client, connection) = tokio_postgres::connect(&self.0.url, NoTls)
            .await
            .map_err(|err| self.fail(&err))?;
        // Drives the session; when it ends (closed, or ended by the server), its locks are
        // released by the server and the client reports itself closed.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int", &[])
            .await
            .map_err(|err| self.fail(&err))?
            .get(0);
        if version < 140_000 {
            return Err(format!(
                "{}: advisory locks need PostgreSQL 14 or later (for `idle_session_timeout`, \
                 their TTL); this server is {version}",
                self.describe()
            ));
        }
        // Serialised across sessions: concurrent `CREATE … IF NOT EXISTS` can still collide
        // in PostgreSQL's catalogs.
        let schema = match &self.0.schema {
            Some(schema) => {
                format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema};")
            }
            None => String::new(),
        };
        client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({CREATING}); {schema} \
                 CREATE TABLE IF NOT EXISTS coord_advisory_tokens \
                 (key TEXT PRIMARY KEY, token BIGINT NOT NULL); COMMIT;"
            ))
            .await
            .map_err(|err| self.fail(&err))?;
        let take = client.prepare(TAKE).await.map_err(|err| self.fail(&err))?;
        let free = client.prepare(FREE).await.map_err(|err| self.fail(&err))?;
        Ok(Session { client, take, free })
    }

    /// An idle session still open, or a new one.
    async fn session(&self) -> Result<Session, String> {
        loop {
            let idle = self
                .0
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            match idle {
                Some(session) if session.client.is_closed() => {}
                Some(session) => return Ok(session),
                None => return self.open().await,
            }
        }
    }

    pub(crate) async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, String> {
        let ttl_ms = ttl.as_millis().max(1).to_string();
        let mut session = self.session().await?;
        // An error may leave the lock taken (session locks ignore transactions): the session
        // is dropped with it, and closing it releases whatever it held. A session the server
        // had ended while it sat in the pool held nothing: try once more on a new one.
        let taken = match session
            .client
            .query_opt(&session.take, &[&key, &ttl_ms])
            .await
        {
            Err(err) if session_gone(&err) || session.client.is_closed() => {
                session = self.open().await?;
                session
                    .client
                    .query_opt(&session.take, &[&key, &ttl_ms])
                    .await
            }
            taken => taken,
        }
        .map_err(|err| self.fail(&err))?;
        match taken {
            Some(row) => {
                let token = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
                self.0
                    .holds
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(owner.to_owned(), Arc::new(session));
                Ok(Some(token))
            }
            None => {
                self.0
                    .idle
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(session);
                Ok(None)
            }
        }
    }

    fn hold(&self, owner: &str) -> Option<Arc<Session>> {
        self.0
            .holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(owner)
            .cloned()
    }

    /// A round trip on the hold's session, which resets its idle timeout. The session alive
    /// means the lock is held (only it can free the lock); gone, the lock went with it.
    pub(crate) async fn renew(&self, owner: &str) -> Result<bool, String> {
        let Some(session) = self.hold(owner) else {
            return Ok(false);
        };
        Ok(session.client.simple_query("").await.is_ok())
    }

    /// Frees the lock on the hold's session and puts the session back; `false` when the
    /// session had ended (the server had released the lock: the hold was lost).
    pub(crate) async fn release(&self, key: &str, owner: &str) -> Result<bool, String> {
        let session = self
            .0
            .holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(owner);
        let Some(session) = session else {
            return Ok(false);
        };
        let freed = match session.client.query_one(&session.free, &[&key]).await {
            Ok(row) => row.get::<_, bool>(0),
            Err(_) if session.client.is_closed() => return Ok(false),
            Err(err) => return Err(self.fail(&err)),
        };
        if let Ok(session) = Arc::try_unwrap(session) {
            self.0
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(session);
        }
        Ok(freed)
    }
}
