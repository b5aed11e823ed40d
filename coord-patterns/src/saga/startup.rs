//! What `coord::init` starts for sagas: when the program declares a `#[saga]`, a task on the
//! caller's tokio runtime that resumes unfinished runs now and then every half lease, so runs
//! a crashed instance left are taken over once their lease runs out.

use coord_runtime::CoordinationConfig;

use super::declared::{any_declared, engine};

#[linkme::distributed_slice(coord_runtime::__private::STARTUP_HOOKS)]
static START_RECOVERY: fn(&'static CoordinationConfig) = start_recovery;

fn start_recovery(_config: &'static CoordinationConfig) {
    if !any_declared() {
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(recover_for_ever());
        }
        Err(_) => tracing::warn!(
            "coord::init ran outside a tokio runtime, so it cannot resume unfinished saga runs: call `coord::recover().await` once the runtime runs"
        ),
    }
}

async fn recover_for_ever() {
    loop {
        let engine = match engine().await {
            Ok(engine) => engine,
            Err(error) => {
                tracing::error!(%error, "the saga engine cannot start; unfinished runs are not resumed");
                crate::store::before_timer().await;
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                continue;
            }
        };
        match engine.recover().await {
            Ok(recovered) if recovered != super::Recovered::default() => tracing::info!(
                completed = recovered.completed,
                compensated = recovered.compensated,
                failed = recovered.failed,
                skipped = recovered.skipped,
                "resumed unfinished saga runs"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "resuming unfinished saga runs failed"),
        }
        crate::store::before_timer().await;
        tokio::time::sleep(engine.lease_length() / 2).await;
    }
}
