//! What can go wrong with the coordination store.

use std::path::PathBuf;

/// A coordination store failed, or was asked something it cannot do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store's location is not one this build understands.
    #[error("coordination store `{location}`: {reason}")]
    Location {
        /// The location as given.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The SQLite file could not be opened or used.
    #[error("coordination store {}: {message}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// The PostgreSQL server could not be reached or refused a statement.
    #[error("coordination store (PostgreSQL): {message}")]
    Postgres {
        /// The server's or the client's message.
        message: String,
    },
    /// The database holds a schema newer than this build knows: an older binary must not
    /// write to it.
    #[error("coordination store schema is version {found}; this build knows up to {known}")]
    SchemaTooNew {
        /// The version found.
        found: i64,
        /// The newest version this build writes.
        known: i64,
    },
    /// The log disagrees with what is being written: another step at this position, or a run
    /// that does not exist.
    #[error("saga run `{run}`: {problem}")]
    Conflict {
        /// The run.
        run: String,
        /// What disagrees.
        problem: String,
    },
    /// A value in the log is not one this build understands (a state name, a number).
    #[error("saga run `{run}`: the log holds {what}")]
    Corrupt {
        /// The run.
        run: String,
        /// What was found.
        what: String,
    },
}

impl StoreError {
    /// A write to run `run`, which is not logged.
    pub(crate) fn no_run(run: &str) -> Self {
        StoreError::Conflict {
            run: run.to_owned(),
            problem: "no such run is logged".to_owned(),
        }
    }

    /// A result for step `seq` of `run`, whose intent is not logged.
    pub(crate) fn no_intent(run: &str, seq: u32) -> Self {
        StoreError::Conflict {
            run: run.to_owned(),
            problem: format!("step {seq} has no intent logged"),
        }
    }

    /// Step `seq` of `run` logged as `logged` where `step` is being written.
    pub(crate) fn diverged(
        run: &str,
        seq: impl std::fmt::Display,
        logged: &str,
        step: &str,
    ) -> Self {
        StoreError::Conflict {
            run: run.to_owned(),
            problem: format!("step {seq} is `{logged}` in the log, not `{step}`"),
        }
    }
}
