//! The floors an uncontended lock acquire + release is compared with: the same two commands
//! sent directly — on Redis the same pipeline and Lua script through the `redis` crate, on SQLite and
//! PostgreSQL the same upsert and release statements through `rusqlite` and `tokio-postgres`,
//! with the same durability — and nothing else: no key checks, no watchdog task, no metrics,
//! no backend lookup.

use std::path::Path;

use redis::Script;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use rusqlite::{Connection, OptionalExtension, params};

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// The Redis floor: coord's acquire pipeline and release script through the `redis`
/// crate's multiplexed connection (what coord and `rslock` send on), with no reconnection
/// and no bound on a call. Clones share the connection.
#[derive(Clone)]
pub struct RedisFloor {
    connection: MultiplexedConnection,
    scripts: Scripts,
}

impl RedisFloor {
    /// Connects to `url`.
    ///
    /// # Panics
    /// When the server does not answer: nothing to measure then.
    pub async fn connect(url: &str) -> Self {
        let client = redis::Client::open(url).expect("a Redis URL");
        Self {
            connection: client
                .get_multiplexed_async_connection()
                .await
                .expect("Redis answers"),
            scripts: Scripts::new(),
        }
    }

    /// Takes and releases `key` once; the token.
    ///
    /// # Panics
    /// When the server fails, or the key is held.
    pub async fn cycle(&self, key: &str) -> u64 {
        self.scripts.cycle(&mut self.connection.clone(), key).await
    }
}

/// coord's acquire pipeline (`SET NX PX`, `INCR`) and release script.
#[derive(Clone)]
struct Scripts {
    release: Script,
}

impl Scripts {
    fn new() -> Self {
        Self {
            release: Script::new(RELEASE),
        }
    }

    async fn cycle(&self, connection: &mut impl ConnectionLike, key: &str) -> u64 {
        let (taken, token): (redis::Value, u64) = redis::pipe()
            .cmd("SET")
            .arg(format!("bench:coord:lock:{key}"))
            .arg("floor")
            .arg("NX")
            .arg("PX")
            .arg(30_000)
            .cmd("INCR")
            .arg(format!("bench:coord:lock-token:{key}"))
            .query_async(connection)
            .await
            .expect("acquire");
        assert_ne!(taken, redis::Value::Nil, "uncontended");
        let released: i64 = self
            .release
            .key(format!("bench:coord:lock:{key}"))
            .arg("floor")
            .invoke_async(connection)
            .await
            .expect("release");
        assert_eq!(released, 1);
        token
    }
}

const NOW: &str = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

/// The SQLite floor: the store's two statements on a file opened as the store opens its own.
pub struct SqliteLockFloor(Connection);

impl SqliteLockFloor {
    /// Opens (creating) the floor's file at `path`.
    ///
    /// # Panics
    /// When the file cannot be opened.
    pub fn open(path: &Path) -> Self {
        let connection = Connection::open(path).expect("open the floor's file");
        connection
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                 CREATE TABLE IF NOT EXISTS coord_locks (key TEXT PRIMARY KEY,
                     token BIGINT NOT NULL, owner TEXT, lease_until BIGINT);",
            )
            .expect("create the floor's table");
        Self(connection)
    }

    /// Takes and releases `key` once; the token.
    ///
    /// # Panics
    /// When a statement fails, or the key is held.
    pub fn cycle(&mut self, key: &str) -> i64 {
        let token: i64 = self
            .0
            .query_row(
                &format!(
                    "INSERT INTO coord_locks (key, token, owner, lease_until)
                     VALUES (?1, 1, 'floor', {NOW} + 30000)
                     ON CONFLICT (key) DO UPDATE SET token = coord_locks.token + 1,
                         owner = excluded.owner, lease_until = excluded.lease_until
                     WHERE coord_locks.owner IS NULL OR coord_locks.lease_until <= {NOW}
                     RETURNING token"
                ),
                params![key],
                |row| row.get(0),
            )
            .optional()
            .expect("acquire")
            .expect("uncontended");
        let released = self
            .0
            .execute(
                "UPDATE coord_locks SET owner = NULL, lease_until = NULL
                 WHERE key = ?1 AND owner = 'floor' AND token = ?2",
                params![key, token],
            )
            .expect("release");
        assert_eq!(released, 1);
        token
    }
}

/// A session on `url` with `schema` (created) on its search path and the floor's `table`
/// (a `name (columns)` definition) created in it.
async fn postgres_session(url: &str, schema: &str, table: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL answers");
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema};
             CREATE TABLE IF NOT EXISTS {table};"
        ))
        .await
        .expect("create the floor's table");
    client
}

const PG_NOW: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// The PostgreSQL floor: the store's two statements on one connection.
pub struct PostgresLockFloor(tokio_postgres::Client);

impl PostgresLockFloor {
    /// Connects to `url` and creates the floor's table in `schema`.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn connect(url: &str, schema: &str) -> Self {
        Self(
            postgres_session(
                url,
                schema,
                "coord_locks (key TEXT PRIMARY KEY, token BIGINT NOT NULL, owner TEXT,
                     lease_until BIGINT)",
            )
            .await,
        )
    }

    /// Takes and releases `key` once; the token.
    ///
    /// # Panics
    /// When a statement fails, or the key is held.
    pub async fn cycle(&self, key: &str) -> i64 {
        let token: i64 = self
            .0
            .query_one(
                &format!(
                    "INSERT INTO coord_locks (key, token, owner, lease_until)
                     VALUES ($1, 1, 'floor', {PG_NOW} + 30000)
                     ON CONFLICT (key) DO UPDATE SET token = coord_locks.token + 1,
                         owner = excluded.owner, lease_until = excluded.lease_until
                     WHERE coord_locks.owner IS NULL OR coord_locks.lease_until <= {PG_NOW}
                     RETURNING token"
                ),
                &[&key],
            )
            .await
            .expect("acquire")
            .get(0);
        let released = self
            .0
            .execute(
                "UPDATE coord_locks SET owner = NULL, lease_until = NULL
                 WHERE key = $1 AND owner = 'floor' AND token = $2",
                &[&key, &token],
            )
            .await
            .expect("release");
        assert_eq!(released, 1);
        token
    }
}

/// The advisory-lock floor: the backend's take and free statements, prepared once, on one
/// session (the session's idle timeout set on take and cleared on free, as coord does).
pub struct AdvisoryLockFloor {
    client: tokio_postgres::Client,
    take: tokio_postgres::Statement,
    free: tokio_postgres::Statement,
}

impl AdvisoryLockFloor {
    /// Connects to `url` and creates the token table in `schema`.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn connect(url: &str, schema: &str) -> Self {
        let client = postgres_session(
            url,
            schema,
            "coord_advisory_tokens (key TEXT PRIMARY KEY, token BIGINT NOT NULL)",
        )
        .await;
        let take = client
            .prepare(
                "WITH taken AS (SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok),
                      timed AS (SELECT set_config('idle_session_timeout', $2, false)
                                FROM taken WHERE ok)
                 INSERT INTO coord_advisory_tokens (key, token) SELECT $1, 1 FROM timed
                 ON CONFLICT (key) DO UPDATE SET token = coord_advisory_tokens.token + 1
                 RETURNING token",
            )
            .await
            .expect("prepare take");
        let free = client
            .prepare(
                "SELECT pg_advisory_unlock(hashtextextended($1, 0)),
                        set_config('idle_session_timeout', '0', false)",
            )
            .await
            .expect("prepare free");
        Self { client, take, free }
    }

    /// Takes and releases `key` once; the token.
    ///
    /// # Panics
    /// When a statement fails, or the key is held.
    pub async fn cycle(&self, key: &str) -> i64 {
        let token: i64 = self
            .client
            .query_one(&self.take, &[&key, &"30000"])
            .await
            .expect("uncontended")
            .get(0);
        let freed: bool = self
            .client
            .query_one(&self.free, &[&key])
            .await
            .expect("free")
            .get(0);
        assert!(freed);
        token
    }
}
