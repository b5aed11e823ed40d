//! The fake bank of the saga crash tests: a ledger in a SQLite file outside the process under
//! test, idempotent by key, that counts every application actually made. Shared by
//! `coord-patterns/tests/saga_crash.rs` (the engine) and `tests/saga_restart.rs` (the
//! attributes, through `#[path]`).

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// What accounts A and B hold before any transfer.
pub const OPENING_BALANCE: i64 = 1_000;

pub fn ledger(path: &Path) -> Connection {
    let ledger = Connection::open(path).expect("ledger");
    ledger.busy_timeout(Duration::from_secs(5)).unwrap();
    ledger
        .execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, amount INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, account TEXT NOT NULL,
                 delta INTEGER NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE IF NOT EXISTS applications (key TEXT PRIMARY KEY, count INTEGER NOT NULL);
             INSERT OR IGNORE INTO balances VALUES ('A', 1000), ('B', 1000);",
        )
        .unwrap();
    ledger
}

/// Applies `delta` to `account` once per `key`; counts every application actually made.
pub fn apply(path: &Path, key: &str, account: &str, delta: i64) {
    let mut ledger = ledger(path);
    let tx = ledger
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    let known: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM effects WHERE key = ?1)",
            [key],
            |row| row.get(0),
        )
        .unwrap();
    if !known {
        tx.execute(
            "INSERT INTO effects (key, account, delta) VALUES (?1, ?2, ?3)",
            params![key, account, delta],
        )
        .unwrap();
        tx.execute(
            "UPDATE balances SET amount = amount + ?2 WHERE account = ?1",
            params![account, delta],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO applications VALUES (?1, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1",
            [key],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// Undoes the effect of `key` once, if it was applied.
pub fn undo(path: &Path, key: &str) {
    let mut ledger = ledger(path);
    let tx = ledger
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    let effect: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT account, delta, undone FROM effects WHERE key = ?1",
            [key],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .unwrap();
    if let Some((account, delta, 0)) = effect {
        tx.execute(
            "UPDATE balances SET amount = amount - ?2 WHERE account = ?1",
            params![account, delta],
        )
        .unwrap();
        tx.execute("UPDATE effects SET undone = 1 WHERE key = ?1", [key])
            .unwrap();
    }
    tx.commit().unwrap();
}

/// The balances of A and B.
pub fn balances(path: &Path) -> (i64, i64) {
    ledger(path)
        .query_row(
            "SELECT (SELECT amount FROM balances WHERE account = 'A'), (SELECT amount FROM balances WHERE account = 'B')",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

/// The effects of run `run`: each key and whether it was undone (1) or not (0).
pub fn effects(path: &Path, run: &str) -> Vec<(String, i64)> {
    let ledger = ledger(path);
    let mut statement = ledger
        .prepare("SELECT key, undone FROM effects WHERE key LIKE ?1 || '/%'")
        .unwrap();
    statement
        .query_map([run], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// How many keys were applied more than once (must be none).
pub fn applied_twice(path: &Path) -> i64 {
    ledger(path)
        .query_row(
            "SELECT COUNT(*) FROM applications WHERE count > 1",
            [],
            |row| row.get(0),
        )
        .unwrap()
}
