//! The tables, written once for both SQL backends, and their version.
//!
//! `coord_schema` holds one row: the version the tables are at. Opening a store creates the
//! tables when there is no row and refuses a version newer than [`VERSION`]; a later build
//! adds its migration here, applied in the same transaction that bumps the row.
//!
//! Times are milliseconds since the Unix epoch, from the database's clock.

use super::{RunState, StepState};

/// The column a step's detail goes to: its output when done, else its error.
pub(crate) fn step_detail_column(state: StepState) -> &'static str {
    if state == StepState::Done {
        "output"
    } else {
        "error"
    }
}

/// The column a run's detail goes to: its output when completed, else its error.
pub(crate) fn run_detail_column(state: RunState) -> &'static str {
    if state == RunState::Completed {
        "output"
    } else {
        "error"
    }
}

/// What else an update to `state` sets: a finished run holds no lease, since nobody needs to
/// recover it.
pub(crate) fn lease_change(state: RunState) -> &'static str {
    if state.is_unfinished() {
        ""
    } else {
        ", lease_owner = NULL, lease_until = NULL"
    }
}

/// The schema version this build writes: 1 added the saga log, 2 the lock table. Opening a
/// version-1 database creates the lock table and moves the row to 2.
pub(crate) const VERSION: i64 = 2;

/// Statements creating the current version (each `IF NOT EXISTS`, so they also migrate an
/// older one), valid for SQLite and PostgreSQL alike.
pub(crate) const CREATE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS coord_schema (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS coord_saga_runs (
        id TEXT PRIMARY KEY,
        saga TEXT NOT NULL,
        state TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        lease_owner TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS coord_saga_runs_unfinished
        ON coord_saga_runs (state, lease_until)",
    "CREATE TABLE IF NOT EXISTS coord_saga_steps (
        run_id TEXT NOT NULL REFERENCES coord_saga_runs (id),
        seq BIGINT NOT NULL,
        step TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        state TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, seq)
    )",
    // One row per lock key, kept after release so its fencing token only grows.
    "CREATE TABLE IF NOT EXISTS coord_locks (
        key TEXT PRIMARY KEY,
        token BIGINT NOT NULL,
        owner TEXT,
        lease_until BIGINT
    )",
];
