//! The floor a saga is compared with: code that writes the same log rows itself, with the same
//! durability, each row change committed on its own as the store commits it (a run row, then
//! each step's intent and result, then the run's end), as single autocommitted statements (the
//! cheapest correct way), and nothing else: no engine, no serialization of values, no leases
//! renewed, no blocking-pool hop.

use std::path::Path;

use rusqlite::{Connection, params};

/// The floor's own SQLite file, opened as the store opens its file.
pub struct SqliteFloor(Connection);

impl SqliteFloor {
    /// Opens (creating) the floor's log at `path`.
    ///
    /// # Panics
    /// When the file cannot be opened: a benchmark has nothing to measure then.
    pub fn open(path: &Path) -> Self {
        let connection = Connection::open(path).expect("open the floor's file");
        connection
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                 CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, saga TEXT, state TEXT,
                     input TEXT, output TEXT);
                 CREATE TABLE IF NOT EXISTS steps (run_id TEXT, seq INTEGER, step TEXT,
                     idempotency_key TEXT, state TEXT, input TEXT, output TEXT,
                     PRIMARY KEY (run_id, seq));",
            )
            .expect("create the floor's tables");
        Self(connection)
    }

    fn write(&mut self, sql: &str, values: impl rusqlite::Params) {
        self.0.execute(sql, values).expect("write");
    }

    /// Logs run `id` of `steps` steps, each done.
    pub fn run(&mut self, id: &str, steps: u32) {
        self.write(
            "INSERT INTO runs (id, saga, state, input) VALUES (?1, 'bench', 'running', '1')",
            [id],
        );
        for seq in 0..steps {
            let key = format!("{id}/step/{seq}");
            self.write(
                "INSERT INTO steps (run_id, seq, step, idempotency_key, state, input)
                 VALUES (?1, ?2, 'step', ?3, 'intent', '1')",
                params![id, seq, key],
            );
            self.write(
                "UPDATE steps SET state = 'done', output = '2' WHERE run_id = ?1 AND seq = ?2",
                params![id, seq],
            );
        }
        self.write(
            "UPDATE runs SET state = 'completed', output = '3' WHERE id = ?1",
            [id],
        );
    }
}

/// The same floor on PostgreSQL, in schema `schema`.
pub struct PostgresFloor(tokio_postgres::Client);

impl PostgresFloor {
    /// Connects to `url` and creates the floor's tables in `schema`.
    ///
    /// # Errors
    /// When the server cannot be reached.
    pub async fn connect(url: &str, schema: &str) -> Result<Self, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema};
                 CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, saga TEXT, state TEXT,
                     input TEXT, output TEXT);
                 CREATE TABLE IF NOT EXISTS steps (run_id TEXT, seq BIGINT, step TEXT,
                     idempotency_key TEXT, state TEXT, input TEXT, output TEXT,
                     PRIMARY KEY (run_id, seq));"
            ))
            .await?;
        Ok(Self(client))
    }

    /// Logs run `id` of `steps` steps, each done.
    ///
    /// # Panics
    /// When a statement fails.
    pub async fn run(&mut self, id: &str, steps: u32) {
        let client = &mut self.0;
        let write =
            async |client: &mut tokio_postgres::Client,
                   sql: &str,
                   values: &[&(dyn tokio_postgres::types::ToSql + Sync)]| {
                let tx = client.transaction().await.expect("begin");
                tx.execute(sql, values).await.expect("write");
                tx.commit().await.expect("commit");
            };
        write(
            client,
            "INSERT INTO runs (id, saga, state, input) VALUES ($1, 'bench', 'running', '1')",
            &[&id],
        )
        .await;
        for seq in 0..i64::from(steps) {
            let key = format!("{id}/step/{seq}");
            write(
                client,
                "INSERT INTO steps (run_id, seq, step, idempotency_key, state, input)
                 VALUES ($1, $2, 'step', $3, 'intent', '1')",
                &[&id, &seq, &key],
            )
            .await;
            write(
                client,
                "UPDATE steps SET state = 'done', output = '2' WHERE run_id = $1 AND seq = $2",
                &[&id, &seq],
            )
            .await;
        }
        write(
            client,
            "UPDATE runs SET state = 'completed', output = '3' WHERE id = $1",
            &[&id],
        )
        .await;
    }
}
