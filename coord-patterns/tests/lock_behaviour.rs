//! Distributed locks in one process, on every backend: tokens that grow, waiting and timing
//! out, release on every path (return, panic, cancellation), a body stopped when its lock is
//! lost, a `run` inside a `run` of the same lock re-entering it, and bad input refused with a
//! clear error.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use coord_patterns::lock::{AdvisoryLocks, LockBackend, RedisLocks, held, install_backend, lock};
use coord_patterns::store::{AnyStore, SqliteStore};
use coord_runtime::Error;

const SHORT_TTL: Duration = Duration::from_millis(300);

/// A backend name unique to the test and its backend kind, installed with `backend`.
fn install(test: &str, kind: &str, backend: LockBackend) -> String {
    let name = format!("{test}-{kind}");
    install_backend(&name, backend);
    name
}

/// The PostgreSQL schema of `test` in this process.
fn schema(test: &str) -> String {
    format!("coord_lock_{test}_{}", std::process::id())
}

/// Every backend available here: memory, a SQLite file, and PostgreSQL (its lock rows and its
/// advisory locks) and Redis when they answer.
async fn backends(test: &str) -> Vec<String> {
    let mut names = vec![install(
        test,
        "memory",
        LockBackend::store(AnyStore::open("memory:").await.unwrap()),
    )];
    let dir = std::env::temp_dir().join(format!("coord-lock-{test}-{}", std::process::id()));
    let sqlite = SqliteStore::open(dir.join("locks.db")).await.unwrap();
    names.push(install(
        test,
        "sqlite",
        LockBackend::store(AnyStore::Sqlite(sqlite)),
    ));
    match coord_patterns::store::PostgresStore::connect(
        &support::postgres::url(),
        Some(&schema(test)),
    )
    .await
    {
        Ok(store) => {
            names.push(install(
                test,
                "postgres",
                LockBackend::store(AnyStore::Postgres(store)),
            ));
            let advisory = AdvisoryLocks::connect(&support::postgres::url(), Some(&schema(test)))
                .await
                .expect("advisory locks on the server that just answered");
            names.push(install(test, "advisory", LockBackend::Advisory(advisory)));
        }
        Err(err) => support::postgres::unreachable(&err),
    }
    if let Some(redis) = support::redis::connect(test).await {
        names.push(install(test, "redis", LockBackend::Redis(redis)));
    }
    names
}

async fn cleanup(test: &str) {
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("coord-lock-{test}-{}", std::process::id())),
    );
    support::redis::cleanup(test).await;
    if coord_patterns::store::PostgresStore::connect(&support::postgres::url(), None)
        .await
        .is_ok()
    {
        support::postgres::drop_schema(&schema(test)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_exclude_and_each_gets_a_greater_token() {
    for backend in backends("tokens").await {
        let first = lock("inv:1")
            .backend(backend.clone())
            .acquire()
            .await
            .unwrap();
        assert!(first.is_held(), "{backend}");
        let busy = lock("inv:1")
            .backend(backend.clone())
            .wait(Duration::ZERO)
            .acquire()
            .await
            .unwrap_err();
        assert!(
            matches!(busy, Error::LockTimeout { ref key, .. } if key == "inv:1"),
            "{backend}: {busy}"
        );
        let token = first.token();
        first.release().await.unwrap();
        let second = lock("inv:1")
            .backend(backend.clone())
            .acquire()
            .await
            .unwrap();
        assert!(second.token() > token, "{backend}");
        second.release().await.unwrap();
    }
    cleanup("tokens").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_gets_the_lock_once_it_is_released() {
    for backend in backends("wait").await {
        let holder = lock("inv:2")
            .backend(backend.clone())
            .acquire()
            .await
            .unwrap();
        let waiter = tokio::spawn({
            let backend = backend.clone();
            async move {
                let started = Instant::now();
                let guard = lock("inv:2")
                    .backend(backend)
                    .wait(Duration::from_secs(5))
                    .acquire()
                    .await
                    .unwrap();
                (started.elapsed(), guard.token())
            }
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        let token = holder.token();
        holder.release().await.unwrap();
        let (waited, next) = waiter.await.unwrap();
        assert!(
            waited >= Duration::from_millis(100),
            "{backend}: {waited:?}"
        );
        assert!(next > token, "{backend}");
    }
    cleanup("wait").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_outlives_its_ttl_while_the_watchdog_renews_it() {
    for backend in backends("renew").await {
        let guard = lock("inv:3")
            .backend(backend.clone())
            .ttl(SHORT_TTL)
            .acquire()
            .await
            .unwrap();
        tokio::time::sleep(SHORT_TTL * 3).await;
        assert!(guard.is_held(), "{backend}: renewed");
        let taken = lock("inv:3")
            .backend(backend.clone())
            .wait(Duration::ZERO)
            .acquire()
            .await;
        assert!(matches!(taken, Err(Error::LockTimeout { .. })), "{backend}");
        guard.release().await.unwrap();
    }
    cleanup("renew").await;
}

/// Holds taken and released in between one another (the watchdog reuses a released hold's
/// place for the next): every hold still held is renewed past its TTL, and none released is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hold_is_renewed_while_others_come_and_go() {
    for backend in backends("churn").await {
        // A wait, so an acquisition a loaded host answers later than the TTL (given back,
        // see `acquire`) is tried again rather than failing the test.
        let take = |key: &'static str| {
            lock(key)
                .backend(backend.clone())
                .ttl(SHORT_TTL)
                .wait(Duration::from_secs(2))
                .acquire()
        };
        let busy = |key: &'static str| {
            lock(key)
                .backend(backend.clone())
                .wait(Duration::ZERO)
                .acquire()
        };
        let a = take("churn:a").await.unwrap();
        let b = take("churn:b").await.unwrap();
        let c = take("churn:c").await.unwrap();
        b.release().await.unwrap();
        let d = take("churn:d").await.unwrap();
        a.release().await.unwrap();
        let e = take("churn:e").await.unwrap();
        tokio::time::sleep(SHORT_TTL * 3).await;
        for (held, key) in [(&c, "churn:c"), (&d, "churn:d"), (&e, "churn:e")] {
            assert!(held.is_held(), "{backend}: {key} renewed");
            assert!(
                matches!(busy(key).await, Err(Error::LockTimeout { .. })),
                "{backend}: {key} still held on the server"
            );
        }
        for key in ["churn:a", "churn:b"] {
            take(key)
                .await
                .unwrap_or_else(|err| panic!("{backend}: {key} released, not renewed: {err}"))
                .release()
                .await
                .unwrap();
        }
        for held in [c, d, e] {
            held.release().await.unwrap();
        }
    }
    cleanup("churn").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_gives_the_body_its_token_and_releases_on_every_path() {
    for backend in backends("paths").await {
        // Return: the token is the body's, and `held()` sees it.
        let (token, seen) = lock("inv:4")
            .backend(backend.clone())
            .run(|token| async move { Ok::<_, Error>((token, held())) })
            .await
            .unwrap();
        assert_eq!(
            seen.map(|held| (held.key, held.token)),
            Some(("inv:4".to_owned(), token))
        );
        assert_eq!(held(), None);
        // An error return releases too.
        let failed: Result<(), Error> = lock("inv:4")
            .backend(backend.clone())
            .run(|_| async {
                Err(Error::InvalidLock {
                    key: "x".into(),
                    problem: "body".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        // A panic: the guard is dropped while unwinding and the lock released.
        let panicked = tokio::spawn({
            let backend = backend.clone();
            async move {
                let result: Result<(), Error> = lock("inv:4")
                    .backend(backend)
                    .run(|_| async { panic!("the body panicked") })
                    .await;
                result
            }
        })
        .await;
        assert!(panicked.is_err(), "{backend}");
        // A cancellation: the caller gives up while the body runs.
        let cancelled = tokio::time::timeout(
            Duration::from_millis(100),
            lock("inv:4").backend(backend.clone()).run(|_| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok::<(), Error>(())
            }),
        )
        .await;
        assert!(cancelled.is_err(), "{backend}");
        // Every path released: the lock is free within a moment (the drop's release runs in
        // a task of its own).
        let again = lock("inv:4")
            .backend(backend.clone())
            .wait(Duration::from_secs(1))
            .acquire()
            .await
            .unwrap();
        assert!(
            again.token() >= token + 4,
            "{backend}: {} after {token}",
            again.token()
        );
        again.release().await.unwrap();
    }
    cleanup("paths").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_inside_a_run_of_the_same_lock_reuses_its_hold() {
    let backends = backends("reentrant").await;
    for backend in &backends {
        // Another backend's lock of the same key is another lock.
        let elsewhere = backends.iter().find(|other| *other != backend).cloned();
        let (outer, inner, seen) = lock("inv:5")
            .backend(backend.clone())
            .run(|outer| async move {
                // The same key on the same backend, within its run: the enclosing hold, not a
                // wait on this task's own lock (a zero wait would time out).
                let (inner, seen) = lock("inv:5")
                    .backend(backend.clone())
                    .wait(Duration::ZERO)
                    .run(|inner| async move { Ok::<_, Error>((inner, held())) })
                    .await?;
                // The inner run's end left the hold in place: another task still waits.
                let other_task = tokio::spawn(
                    lock("inv:5")
                        .backend(backend.clone())
                        .wait(Duration::ZERO)
                        .acquire(),
                )
                .await
                .unwrap();
                assert!(
                    matches!(other_task, Err(Error::LockTimeout { .. })),
                    "{backend}: {other_task:?}"
                );
                // A guard could only wait for this task's own hold: refused at once.
                let guard = lock("inv:5")
                    .backend(backend.clone())
                    .wait(Duration::from_secs(30))
                    .acquire()
                    .await;
                assert!(
                    matches!(&guard, Err(Error::InvalidLock { problem, .. })
                        if problem.contains("already held by this task")),
                    "{backend}: {guard:?}"
                );
                if let Some(elsewhere) = &elsewhere {
                    lock("inv:5")
                        .backend(elsewhere.clone())
                        .wait(Duration::ZERO)
                        .acquire()
                        .await?
                        .release()
                        .await?;
                }
                Ok::<_, Error>((outer, inner, seen))
            })
            .await
            .unwrap();
        assert_eq!(inner, outer, "{backend}");
        assert_eq!(
            seen.map(|held| (held.key, held.token)),
            Some(("inv:5".to_owned(), outer))
        );
        // The outer run released it.
        lock("inv:5")
            .backend(backend.clone())
            .wait(Duration::from_secs(1))
            .acquire()
            .await
            .unwrap()
            .release()
            .await
            .unwrap();
    }
    cleanup("reentrant").await;
}

/// Sets a flag when dropped: whether the body's future was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_whose_lock_is_lost_is_stopped_and_the_caller_told() {
    let dir = std::env::temp_dir().join(format!("coord-lock-lost-{}", std::process::id()));
    let file = dir.join("locks.db");
    let store = SqliteStore::open(&file).await.unwrap();
    let backend = install(
        "lost",
        "sqlite",
        LockBackend::store(AnyStore::Sqlite(store)),
    );
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(Arc::clone(&dropped));
    let started = Instant::now();
    let running = tokio::spawn(lock("inv:5").backend(backend).ttl(SHORT_TTL).run(
        move |_| async move {
            let _flag = flag;
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<(), Error>(())
        },
    ));
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Another process takes the row over (as if this one had paused past its TTL).
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute(
            "UPDATE coord_locks SET owner = 'thief', token = token + 1 WHERE key = 'inv:5'",
            [],
        )
        .unwrap();
    let outcome = running.await.unwrap();
    assert!(
        matches!(outcome, Err(Error::LockLost { ref key }) if key == "inv:5"),
        "{outcome:?}"
    );
    assert!(
        dropped.load(Ordering::SeqCst),
        "the body's future was dropped"
    );
    assert!(
        started.elapsed() < SHORT_TTL * 2,
        "noticed at the next renewal: {:?}",
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn bad_locks_are_refused_with_what_is_wrong() {
    let backend = install(
        "invalid",
        "memory",
        LockBackend::store(AnyStore::open("memory:").await.unwrap()),
    );
    let problem = |result: Result<_, Error>| match result {
        Err(Error::InvalidLock { problem, .. }) => problem,
        other => panic!("expected InvalidLock, got {other:?}"),
    };
    assert!(problem(lock("").backend(backend.clone()).acquire().await).contains("empty"));
    assert!(
        problem(
            lock("k".repeat(600))
                .backend(backend.clone())
                .acquire()
                .await
        )
        .contains("600 bytes")
    );
    assert!(
        problem(
            lock("k")
                .backend(backend.clone())
                .ttl(Duration::ZERO)
                .acquire()
                .await
        )
        .contains("`ttl`")
    );
    assert!(
        problem(
            lock("k")
                .backend(backend.clone())
                .wait(Duration::from_secs(7200))
                .acquire()
                .await
        )
        .contains("`wait`")
    );
    let unknown = problem(lock("k").backend("nowhere").acquire().await);
    assert!(
        unknown.contains("no lock backend named `nowhere`"),
        "{unknown}"
    );
}

#[tokio::test]
async fn a_redis_url_that_does_not_answer_is_named_without_its_password() {
    let refused = RedisLocks::connect("redis://app:s3cret@127.0.0.1:1/0", "t:")
        .await
        .unwrap_err();
    assert!(
        refused.contains("redis://app:***@127.0.0.1:1/0"),
        "{refused}"
    );
    assert!(!refused.contains("s3cret"), "{refused}");
}

/// A Redis connection the server closed (an idle timeout, `CLIENT KILL`, a restart) costs no
/// failed call: an acquire, a release and a renewal that find it dropped reconnect and send
/// again (each written so a repeat cannot take, free or extend a hold twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_connection_the_server_closed_costs_no_failed_call() {
    const DB: u8 = 6;
    let Some(redis) = support::redis::connect_in_db("closed", DB).await else {
        return;
    };
    let backend = install("closed", "redis", LockBackend::Redis(redis));
    let guard = lock("inv:1")
        .backend(backend.clone())
        .acquire()
        .await
        .unwrap();
    let token = guard.token();
    guard.release().await.unwrap();

    // Closed while idle: the next acquire goes through.
    support::redis::kill_clients_in_db(DB).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // (A wait only so a reconnection a loaded host makes slower than the TTL is tried again:
    // a failed call is not retried, and fails the test.)
    let guard = lock("inv:1")
        .backend(backend.clone())
        .ttl(SHORT_TTL)
        .wait(Duration::from_secs(2))
        .acquire()
        .await
        .expect("taken over a new connection");
    assert!(guard.token() > token);

    // Closed while held: the renewals go through, and the hold is never lost.
    support::redis::kill_clients_in_db(DB).await;
    tokio::time::sleep(SHORT_TTL).await;
    assert!(guard.is_held(), "renewed over a new connection");
    guard.release().await.unwrap();

    // Closed while held with no renewal due: the release goes through.
    let guard = lock("inv:1")
        .backend(backend.clone())
        .ttl(Duration::from_secs(30))
        .acquire()
        .await
        .unwrap();
    support::redis::kill_clients_in_db(DB).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    guard
        .release()
        .await
        .expect("released over a new connection");
    support::redis::cleanup_db("closed", DB).await;
}

#[tokio::test]
async fn advisory_locks_refuse_a_bad_schema_and_name_a_server_that_does_not_answer() {
    let bad = AdvisoryLocks::connect(&support::postgres::url(), Some("a;drop"))
        .await
        .unwrap_err();
    assert!(
        bad.contains("`a;drop` is not a plain SQL identifier"),
        "{bad}"
    );
    let refused = AdvisoryLocks::connect("postgres://app:s3cret@127.0.0.1:1/db", None)
        .await
        .unwrap_err();
    assert!(
        refused.contains("advisory locks at postgres://app:***@127.0.0.1:1/db"),
        "{refused}"
    );
    assert!(!refused.contains("s3cret"), "{refused}");
}
