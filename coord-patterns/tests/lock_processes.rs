//! Locks across processes, checked by the resource they protect. Child processes (this test
//! binary, as `worker`) take locks on a shared backend and write to a **fencing resource**: a
//! SQLite ledger outside every process that accepts a write only if its token is at least the
//! greatest it has seen for the key. The checker reads the ledger alone.
//!
//! - Contention: 3 processes × 12 critical sections on 2 keys; each section writes `start`
//!   and `end`. In the ledger, no two sections of one key interleave, and tokens never go back.
//! - A pause past the TTL: a holder frozen with SIGSTOP while another process takes the lock;
//!   after SIGCONT its writes are refused (0 stale writes accepted) and it learns `LockLost`.
//!
//! On SQLite always, and on PostgreSQL and Redis when they answer.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use coord_patterns::lock::{AdvisoryLocks, LockBackend, RedisLocks, install_backend, lock};
use coord_patterns::store::AnyStore;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

const WORKERS: u32 = 3;
const SECTIONS: u32 = 12;
const FREEZE_TTL: Duration = Duration::from_millis(400);

// ---- the fencing resource --------------------------------------------------------------------

fn resource(path: &Path) -> Connection {
    let resource = Connection::open(path).expect("resource");
    resource.busy_timeout(Duration::from_secs(10)).unwrap();
    resource
        .execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS fences (key TEXT PRIMARY KEY, token INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS writes (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 key TEXT NOT NULL, token INTEGER NOT NULL, worker TEXT NOT NULL,
                 what TEXT NOT NULL, accepted INTEGER NOT NULL);",
        )
        .unwrap();
    resource
}

/// Whether no process holds the resource's write lock now.
fn resource_is_free(path: &Path) -> bool {
    // A bare connection: `resource`'s set-up statements would wait on the lock themselves.
    let mut resource = Connection::open(path).expect("resource");
    resource.busy_timeout(Duration::ZERO).unwrap();
    resource
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .is_ok()
}

/// Writes `what` for `key` with `token`: accepted unless a greater token was seen for `key`.
fn write(path: &Path, key: &str, token: u64, worker: &str, what: &str) -> bool {
    let mut resource = resource(path);
    let tx = resource
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    let token = i64::try_from(token).unwrap();
    let fence: Option<i64> = tx
        .query_row("SELECT token FROM fences WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
        .unwrap();
    let accepted = fence.is_none_or(|fence| token >= fence);
    if accepted {
        tx.execute(
            "INSERT INTO fences VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET token = ?2",
            params![key, token],
        )
        .unwrap();
    }
    tx.execute(
        "INSERT INTO writes (key, token, worker, what, accepted) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key, token, worker, what, accepted],
    )
    .unwrap();
    tx.commit().unwrap();
    accepted
}

// ---- the workers -----------------------------------------------------------------------------

/// Installs the backend `COORD_LOCK_BACKEND` names as the default.
async fn install_from_env() {
    let location = std::env::var("COORD_LOCK_BACKEND").unwrap();
    let backend = if location.starts_with("redis://") {
        let prefix = std::env::var("COORD_LOCK_PREFIX").unwrap();
        LockBackend::Redis(RedisLocks::connect(&location, &prefix).await.unwrap())
    } else if let Some(server) = location.strip_prefix("advisory+") {
        let (url, schema) = server
            .split_once("?schema=")
            .map_or((server, None), |(url, schema)| (url, Some(schema)));
        LockBackend::Advisory(AdvisoryLocks::connect(url, schema).await.unwrap())
    } else {
        LockBackend::store(AnyStore::open(&location).await.unwrap())
    };
    install_backend("default", backend);
}

/// The child process. `contend`: critical sections on two keys. `freeze`: holds `frozen`
/// and writes with its token until it notices the loss. `take`: takes `frozen` once. A no-op
/// unless the parent set `COORD_LOCK_WORKER`.
#[test]
fn worker() {
    let Ok(mode) = std::env::var("COORD_LOCK_WORKER") else {
        return;
    };
    let name = std::env::var("COORD_LOCK_NAME").unwrap();
    let ledger = PathBuf::from(std::env::var("COORD_LOCK_RESOURCE").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        install_from_env().await;
        match mode.as_str() {
            "contend" => {
                for section in 0..SECTIONS {
                    let key = format!("stock:{}", section % 2);
                    lock(key.clone())
                        .wait(Duration::from_secs(30))
                        .run(|token| {
                            let (ledger, name, key) = (ledger.clone(), name.clone(), key.clone());
                            async move {
                                write(&ledger, &key, token, &name, "start");
                                tokio::time::sleep(Duration::from_millis(3)).await;
                                write(&ledger, &key, token, &name, "end");
                                Ok::<(), coord_runtime::Error>(())
                            }
                        })
                        .await
                        .expect("a critical section");
                }
            }
            "freeze" => {
                let guard = lock("frozen").ttl(FREEZE_TTL).acquire().await.unwrap();
                std::fs::write(ledger.with_extension("held"), "").unwrap();
                // Write, pause (SIGSTOP lands here, most likely), write again; stop only when
                // the guard says the hold is gone: the writes after the pause carry a stale
                // token, and the resource must refuse them.
                let mut writes = 0;
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    write(&ledger, "frozen", guard.token(), &name, "work");
                    writes += 1;
                    if !guard.is_held() || writes > 200 {
                        break;
                    }
                }
                let outcome = match guard.release().await {
                    Err(coord_runtime::Error::LockLost { .. }) => "lost".to_owned(),
                    other => format!("{other:?}"),
                };
                std::fs::write(ledger.with_extension("outcome"), outcome).unwrap();
            }
            "take" => {
                lock("frozen")
                    .wait(Duration::from_secs(10))
                    .run(|token| async move {
                        write(&ledger, "frozen", token, &name, "work");
                        Ok::<(), coord_runtime::Error>(())
                    })
                    .await
                    .expect("the lock is free once the frozen holder's lease ran out");
            }
            other => panic!("unknown mode {other}"),
        }
    });
}

// ---- the parent ------------------------------------------------------------------------------

fn spawn(mode: &str, name: &str, backend: &str, prefix: &str, ledger: &Path) -> Child {
    let log = ledger.with_file_name(format!("{name}.log"));
    Command::new(std::env::current_exe().unwrap())
        .args(["worker", "--exact", "--nocapture", "--test-threads", "1"])
        .env("COORD_LOCK_WORKER", mode)
        .env("COORD_LOCK_NAME", name)
        .env("COORD_LOCK_BACKEND", backend)
        .env("COORD_LOCK_PREFIX", prefix)
        .env("COORD_LOCK_RESOURCE", ledger)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("spawn worker")
}

fn finish(mut child: Child, what: &str, ledger: &Path) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "{what} failed: {status}\n{}",
                std::fs::read_to_string(ledger.with_file_name(format!("{what}.log")))
                    .unwrap_or_default()
            );
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{what} did not finish in 90 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill(1)");
    assert!(status.success(), "kill -{signal}");
}

/// The backends to run on: SQLite always; PostgreSQL and Redis when they answer. Each is a
/// location, a key prefix (Redis) and what to clean up after.
async fn backends(test: &str, dir: &Path) -> Vec<(String, String, Option<String>)> {
    let mut backends = vec![(
        format!("sqlite://{}", dir.join("locks.db").display()),
        String::new(),
        None,
    )];
    let schema = format!("coord_lockproc_{test}_{}", std::process::id());
    match coord_patterns::store::PostgresStore::connect(&support::postgres::url(), Some(&schema))
        .await
    {
        Ok(_) => {
            backends.push((
                format!("{}?schema={schema}", support::postgres::url()),
                String::new(),
                Some(schema.clone()),
            ));
            let advisory = format!("{schema}_advisory");
            backends.push((
                format!("advisory+{}?schema={advisory}", support::postgres::url()),
                String::new(),
                Some(advisory),
            ));
        }
        Err(err) => support::postgres::unreachable(&err),
    }
    if support::redis::connect(test).await.is_some() {
        backends.push((support::redis::url(), support::redis::prefix(test), None));
    }
    backends
}

/// In the ledger, sections of one key never interleave and accepted tokens never go back.
fn check_exclusion(ledger: &Path, backend: &str) -> usize {
    let resource = resource(ledger);
    let mut statement = resource
        .prepare("SELECT key, token, worker, what, accepted FROM writes ORDER BY seq")
        .unwrap();
    let writes: Vec<(String, i64, String, String, bool)> = statement
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut open: std::collections::HashMap<String, (i64, String)> = Default::default();
    let mut last_token: std::collections::HashMap<String, i64> = Default::default();
    for (key, token, worker, what, accepted) in &writes {
        assert!(
            accepted,
            "{backend}: a write was refused under contention: {key} {token} {worker}"
        );
        let last = last_token.entry(key.clone()).or_insert(0);
        assert!(
            *token >= *last,
            "{backend}: token {token} after {last} on {key}"
        );
        *last = *token;
        match what.as_str() {
            "start" => {
                let other = open.insert(key.clone(), (*token, worker.clone()));
                assert!(
                    other.is_none(),
                    "{backend}: {worker} entered {key} with token {token} while {other:?} was in it"
                );
            }
            _ => {
                let section = open.remove(key);
                assert_eq!(
                    section,
                    Some((*token, worker.clone())),
                    "{backend}: {worker} left {key} ({token}) it was not alone in"
                );
            }
        }
    }
    writes.len()
}

#[test]
fn sections_of_one_key_never_overlap_across_processes() {
    if std::env::var("COORD_LOCK_WORKER").is_ok() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("coord-lock-contend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, (backend, prefix, schema)) in runtime
        .block_on(backends("contend", &dir))
        .into_iter()
        .enumerate()
    {
        let ledger = dir.join(format!("resource-{n}.db"));
        drop(resource(&ledger));
        let workers: Vec<(Child, String)> = (0..WORKERS)
            .map(|w| {
                let name = format!("contender-{n}-{w}");
                (spawn("contend", &name, &backend, &prefix, &ledger), name)
            })
            .collect();
        for (child, name) in workers {
            finish(child, &name, &ledger);
        }
        let writes = check_exclusion(&ledger, &backend);
        assert_eq!(writes, (WORKERS * SECTIONS * 2) as usize, "{backend}");
        eprintln!(
            "{backend}: {WORKERS} processes × {SECTIONS} sections, {writes} writes, none overlapping"
        );
        if let Some(schema) = schema {
            runtime.block_on(support::postgres::drop_schema(&schema));
        }
    }
    runtime.block_on(support::redis::cleanup("contend"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_holder_frozen_past_its_ttl_is_fenced_off_and_learns_it_lost_the_lock() {
    if std::env::var("COORD_LOCK_WORKER").is_ok() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("coord-lock-freeze-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, (backend, prefix, schema)) in runtime
        .block_on(backends("freeze", &dir))
        .into_iter()
        .enumerate()
    {
        let ledger = dir.join(format!("resource-{n}.db"));
        drop(resource(&ledger));
        let frozen_name = format!("frozen-{n}");
        let frozen = spawn("freeze", &frozen_name, &backend, &prefix, &ledger);
        let started = Instant::now();
        while !ledger.with_extension("held").exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{backend}: never held"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(120));
        // Not inside a write to the resource: frozen there, it would keep the file's write
        // lock and the taker could never write (a SQLite resource, unlike a server, has its
        // lock in the frozen process). Stop, check, and resume and try again if it is.
        loop {
            signal(&frozen, "STOP");
            if resource_is_free(&ledger) {
                break;
            }
            signal(&frozen, "CONT");
            std::thread::sleep(Duration::from_millis(7));
        }
        // Frozen well past its TTL: another process takes the lock and writes.
        std::thread::sleep(FREEZE_TTL * 3);
        let taker_name = format!("taker-{n}");
        finish(
            spawn("take", &taker_name, &backend, &prefix, &ledger),
            &taker_name,
            &ledger,
        );
        signal(&frozen, "CONT");
        finish(frozen, &frozen_name, &ledger);

        let outcome = std::fs::read_to_string(ledger.with_extension("outcome")).unwrap();
        assert_eq!(
            outcome, "lost",
            "{backend}: the frozen holder did not learn it lost the lock"
        );
        let resource = resource(&ledger);
        let taker_seq: i64 = resource
            .query_row(
                "SELECT seq FROM writes WHERE worker = ?1 AND accepted = 1",
                [&taker_name],
                |row| row.get(0),
            )
            .unwrap();
        let (stale_accepted, stale_refused): (i64, i64) = resource
            .query_row(
                "SELECT COALESCE(SUM(accepted), 0), COALESCE(SUM(1 - accepted), 0) FROM writes
                 WHERE worker = ?1 AND seq > ?2",
                params![frozen_name, taker_seq],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(stale_accepted, 0, "{backend}: a stale write was accepted");
        assert!(
            stale_refused >= 1,
            "{backend}: the frozen holder wrote nothing after resuming"
        );
        eprintln!(
            "{backend}: frozen holder resumed after the taker: {stale_refused} stale writes refused, 0 accepted, LockLost observed"
        );
        if let Some(schema) = schema {
            runtime.block_on(support::postgres::drop_schema(&schema));
        }
    }
    runtime.block_on(support::redis::cleanup("freeze"));
    std::fs::remove_dir_all(&dir).unwrap();
}
