//! A service that exits while saga recovery is running: nothing panics on the way out.
//!
//! A child process (this test binary, as `child`) declares a saga, calls `coord::init()` (which
//! starts resuming unfinished runs on its runtime) and returns after a few hundred
//! microseconds, dropping the runtime while recovery may be inside a store call. The parent
//! runs it many times at spread-out exit points and reads each child's stderr.

use std::process::Command;
use std::time::Duration;

use coord::saga::{SagaContext, SagaError};

/// Exits tried: about one in twenty panicked before the fix, so 150 all but never miss it.
const ROUNDS: u64 = 150;

#[coord::saga(name = "shutdown.noop")]
async fn noop(_saga: SagaContext) -> Result<(), SagaError> {
    Ok(())
}

/// The child: init, wait the given microseconds, return (the runtime is dropped).
#[test]
fn child() {
    let Ok(micros) = std::env::var("COORD_SHUTDOWN_CHILD") else {
        return;
    };
    let micros: u64 = micros.parse().expect("micros");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        coord::init().expect("configuration");
        tokio::time::sleep(Duration::from_micros(micros)).await;
    });
    drop(runtime);
}

#[test]
fn exiting_while_recovery_runs_panics_nowhere() {
    let dir = std::env::temp_dir().join(format!("coord-shutdown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let store = format!("sqlite://{}", dir.join("coord.db").display());
    let mut panics = Vec::new();
    for round in 0..ROUNDS {
        let output = Command::new(std::env::current_exe().expect("this test binary"))
            .args(["child", "--exact", "--nocapture", "--test-threads", "1"])
            .env("COORD_SHUTDOWN_CHILD", (round * 40).to_string())
            .env("COORDINATION_STORE", &store)
            .env_remove("COORDINATION_CONFIG")
            .current_dir(&dir)
            .output()
            .expect("child");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if stderr.contains("panicked") || !output.status.success() {
            panics.push(format!("round {round} ({:?}): {stderr}", output.status));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        panics.is_empty(),
        "{} of {ROUNDS} exits panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}
