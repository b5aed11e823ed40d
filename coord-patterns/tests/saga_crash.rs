//! Crash a process mid-saga and restart it: nothing is lost and nothing happens twice.
//!
//! A child process (this test binary, as `worker`) runs transfer sagas on a SQLite store
//! against a fake bank whose ledger lives in another SQLite file, outside the process, and
//! honours idempotency keys. At a failpoint placed at one of the engine's boundaries (before or
//! after a step's intent, after its effect, after it is logged done, before or after a
//! compensation) the child sends itself SIGKILL. A second child recovers and runs the round's
//! sagas again. After every round the test checks, against the ledger and the log: each saga is
//! completed or fully compensated, no effect was applied twice for one key, every effect of a
//! compensated saga is undone, and the money is conserved.
//!
//! `cargo test -p coord-patterns --all-features --test saga_crash` runs 12 rounds;
//! `-- --ignored` runs 200.

mod support;

use support::bank;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use coord_patterns::saga::{SagaEngine, SagaError, StepKey};
use coord_patterns::store::{AnyStore, CoordinationStore, RunState};

const SAGAS_PER_ROUND: u32 = 4;
const LEASE: Duration = Duration::from_millis(300);
const FAILPOINTS: [&str; 6] = [
    "before_intent",
    "after_intent",
    "after_effect",
    "after_done",
    "before_compensation",
    "after_compensation",
];

// ---- the saga, as the worker runs it --------------------------------------------------------

#[derive(Debug)]
struct TransferError(String);

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<SagaError> for TransferError {
    fn from(err: SagaError) -> Self {
        TransferError(err.to_string())
    }
}

fn transfer_saga(
    engine: &SagaEngine,
    bank: &Path,
) -> coord_patterns::saga::Saga<u32, (), TransferError> {
    for step in ["debit", "credit"] {
        let bank = bank.to_path_buf();
        engine.compensated(step, move |key: StepKey, _n: u32, _applied: Option<()>| {
            let bank = bank.clone();
            async move {
                bank::undo(&bank, key.as_str());
                Ok::<(), TransferError>(())
            }
        });
    }
    engine.no_compensation("audit");
    let bank = bank.to_path_buf();
    engine.register("transfer", move |saga, n: u32| {
        let bank = bank.clone();
        async move {
            let debit_bank = bank.clone();
            saga.step("debit", &n, |key| async move {
                bank::apply(&debit_bank, key.as_str(), "A", -10);
                Ok::<(), TransferError>(())
            })
            .await?;
            saga.step("credit", &n, |key| async move {
                bank::apply(&bank, key.as_str(), "B", 10);
                Ok::<(), TransferError>(())
            })
            .await?;
            saga.step("audit", &n, |_| async move {
                if n.is_multiple_of(3) {
                    Err(TransferError(format!("audit refused transfer {n}")))
                } else {
                    Ok(())
                }
            })
            .await
        }
    })
}

/// The child process: runs (or recovers and re-runs) one round's sagas. A no-op unless the
/// parent set `COORD_SAGA_WORKER`.
#[test]
fn worker() {
    let Ok(mode) = std::env::var("COORD_SAGA_WORKER") else {
        return;
    };
    let store = std::env::var("COORD_SAGA_STORE").unwrap();
    let bank = PathBuf::from(std::env::var("COORD_SAGA_BANK").unwrap());
    let round: u32 = std::env::var("COORD_SAGA_ROUND").unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = AnyStore::open(&store).await.unwrap();
        let engine = SagaEngine::new(store)
            .lease(LEASE)
            .compensation_retries(3, Duration::from_millis(1));
        let transfer = transfer_saga(&engine, &bank);
        if mode == "recover" {
            // The crashed worker's leases must run out first.
            tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
            engine.recover().await.expect("recover");
        }
        for n in 0..SAGAS_PER_ROUND {
            let _ = transfer.run(&format!("round{round}-{n}"), &n).await;
        }
    });
}

// ---- the parent: crash, recover, check ------------------------------------------------------

fn spawn_worker(
    mode: &str,
    dir: &Path,
    store: &str,
    bank: &Path,
    round: u32,
    failpoint: Option<String>,
) -> std::process::ExitStatus {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["worker", "--exact", "--nocapture", "--test-threads", "1"])
        .env("COORD_SAGA_WORKER", mode)
        .env("COORD_SAGA_STORE", store)
        .env("COORD_SAGA_BANK", bank)
        .env("COORD_SAGA_ROUND", round.to_string())
        .env_remove("COORD_FAILPOINT");
    if let Some(failpoint) = failpoint {
        command.env("COORD_FAILPOINT", failpoint);
    }
    // The harness's chatter stays out of this test's output; a worker's panic goes to a log
    // beside the databases, named in the failure.
    let log = dir.join(format!("worker-{round}-{mode}.log"));
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("worker log"));
    let mut child = command.spawn().expect("spawn worker");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("worker ({mode}, round {round}) did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn check_round(
    store: &AnyStore,
    bank: &Path,
    round: u32,
    runtime: &tokio::runtime::Runtime,
) -> (u32, u32) {
    let mut completed = 0;
    let mut compensated = 0;
    for n in 0..SAGAS_PER_ROUND {
        let id = format!("round{round}-{n}");
        let run = runtime
            .block_on(store.load_run(&id))
            .unwrap()
            .unwrap_or_else(|| panic!("{id} is not logged"));
        let effects = bank::effects(bank, &id);
        match run.state {
            RunState::Completed => {
                completed += 1;
                assert_ne!(n % 3, 0, "{id} should have failed its audit");
                assert_eq!(
                    effects.len(),
                    2,
                    "{id}: debit and credit applied: {effects:?}"
                );
                assert!(
                    effects.iter().all(|(_, undone)| *undone == 0),
                    "{id}: {effects:?}"
                );
            }
            RunState::Compensated => {
                compensated += 1;
                assert_eq!(n % 3, 0, "{id} was compensated without failing: {run:?}");
                assert!(
                    effects.iter().all(|(_, undone)| *undone == 1),
                    "{id}: an effect left: {effects:?}"
                );
            }
            other => panic!("{id} ended {other}: {run:?}"),
        }
    }
    let twice = bank::applied_twice(bank);
    assert_eq!(twice, 0, "an effect was applied twice for one key");
    let (a, b) = bank::balances(bank);
    assert_eq!(
        a + b,
        2 * bank::OPENING_BALANCE,
        "money was created or lost: A {a}, B {b}"
    );
    (completed, compensated)
}

/// `rounds` of crash and recovery with the saga log at `location` (`None`: a SQLite file
/// beside the ledger).
fn crash_and_recover(rounds: u32, location: Option<&str>) {
    let dir = std::env::temp_dir().join(format!(
        "coord-saga-crash-{}-{rounds}-{}",
        std::process::id(),
        location.map_or("sqlite", |_| "postgres")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = location.map_or_else(
        || format!("sqlite://{}", dir.join("coord.db").display()),
        str::to_owned,
    );
    let bank = dir.join("bank.db");
    drop(bank::ledger(&bank));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = runtime.block_on(AnyStore::open(&store_path)).unwrap();
    let (mut killed, mut completed, mut compensated) = (0, 0, 0);
    for round in 0..rounds {
        let point = FAILPOINTS[(round as usize) % FAILPOINTS.len()];
        // Which pass of that boundary: spread over the round's steps and compensations.
        let pass = 1 + (round / FAILPOINTS.len() as u32 * 5 + round) % 6;
        let status = spawn_worker(
            "run",
            &dir,
            &store_path,
            &bank,
            round,
            Some(format!("{point}:{pass}")),
        );
        if status.signal() == Some(9) {
            killed += 1;
        } else {
            assert!(
                status.success(),
                "round {round}: the worker failed: {status}"
            );
        }
        let status = spawn_worker("recover", &dir, &store_path, &bank, round, None);
        assert!(
            status.success(),
            "round {round}: recovery failed: {status}\n{}",
            std::fs::read_to_string(dir.join(format!("worker-{round}-recover.log")))
                .unwrap_or_default()
        );
        let (done, undone) = check_round(&store, &bank, round, &runtime);
        completed += done;
        compensated += undone;
    }
    let (a, b) = bank::balances(&bank);
    assert_eq!(
        a,
        bank::OPENING_BALANCE - 10 * i64::from(completed),
        "each completed transfer moved 10 once"
    );
    assert_eq!(b, bank::OPENING_BALANCE + 10 * i64::from(completed));
    eprintln!(
        "{rounds} rounds: {killed} workers killed by SIGKILL at a failpoint; {completed} sagas completed, {compensated} compensated; ledger A {a}, B {b}"
    );
    assert!(
        killed >= rounds / 2,
        "too few rounds crashed ({killed} of {rounds}): the failpoints are not reached"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sagas_survive_sigkill_at_every_boundary() {
    if std::env::var("COORD_SAGA_WORKER").is_ok() {
        return;
    }
    crash_and_recover(12, None);
}

#[test]
#[ignore = "long: 200 kill-and-recover rounds"]
fn sagas_survive_two_hundred_kills() {
    if std::env::var("COORD_SAGA_WORKER").is_ok() {
        return;
    }
    crash_and_recover(200, None);
}

/// The tests' PostgreSQL server as a store location in a schema of the test's own, if one
/// answers.
fn postgres_location(test: &str) -> Option<(String, String)> {
    let url = support::postgres::url();
    let schema = format!("coord_crash_{test}_{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match runtime.block_on(coord_patterns::store::PostgresStore::connect(
        &url,
        Some(&schema),
    )) {
        Ok(_) => Some((format!("{url}?schema={schema}"), schema)),
        Err(err) => {
            support::postgres::unreachable(&err);
            None
        }
    }
}

fn drop_schema(schema: &str) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(support::postgres::drop_schema(schema));
}

#[test]
fn sagas_on_postgres_survive_sigkill_at_every_boundary() {
    if std::env::var("COORD_SAGA_WORKER").is_ok() {
        return;
    }
    let Some((location, schema)) = postgres_location("short") else {
        return;
    };
    crash_and_recover(6, Some(&location));
    drop_schema(&schema);
}

#[test]
#[ignore = "long: 200 kill-and-recover rounds on PostgreSQL"]
fn sagas_on_postgres_survive_two_hundred_kills() {
    if std::env::var("COORD_SAGA_WORKER").is_ok() {
        return;
    }
    let Some((location, schema)) = postgres_location("long") else {
        return;
    };
    crash_and_recover(200, Some(&location));
    drop_schema(&schema);
}
