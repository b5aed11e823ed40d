//! What `coord::init` checks of the lock backend the configuration names (`lock_backend`): a
//! Redis server or a PostgreSQL database (its lock rows or its advisory locks) must answer, so a wrong URL is an error at start-up
//! naming it (without its password), not at the first acquisition.

use std::time::Duration;

use coord_runtime::{ConfigError, CoordinationConfig};
use coord_text::{LockLocation, StoreLocation};

#[linkme::distributed_slice(coord_runtime::__private::STARTUP_CHECKS)]
static CHECK_LOCK_BACKEND: fn(&CoordinationConfig) -> Result<(), ConfigError> = check;

fn check(config: &CoordinationConfig) -> Result<(), ConfigError> {
    let Some(location) = config.lock_backend.clone() else {
        return Ok(());
    };
    let unavailable = |reason: String| ConfigError::Unavailable {
        key: "lock_backend",
        reason,
    };
    // Only servers are tried: opening a SQLite file would create it.
    if !matches!(
        location,
        LockLocation::Redis { .. }
            | LockLocation::Advisory { .. }
            | LockLocation::Store(StoreLocation::Postgres { .. })
    ) {
        return Ok(());
    }
    // `init` is synchronous and may run inside a runtime: connect on a thread of its own.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|err| unavailable(format!("cannot check {location}: {err}")))?;
                runtime.block_on(async {
                    tokio::time::timeout(Duration::from_secs(5), super::registry::open(&location))
                        .await
                        .map_err(|_| unavailable(format!("{location} did not answer within 5 s")))?
                        .map(drop)
                        .map_err(unavailable)
                })
            })
            .join()
            .unwrap_or_else(|_| Err(unavailable(format!("checking {location} panicked"))))
    })
}
