//! Every backend of the coordination store behaves alike: the same sequence of calls, the same
//! answers. Run on the in-memory store, on a SQLite file, and on PostgreSQL when a server is
//! reachable (`COORD_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`); each
//! PostgreSQL test works in a schema of its own and drops it. Without a server the PostgreSQL
//! tests say they are skipped, unless `COORD_REQUIRE_SERVICES=1`, which makes that a failure.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use coord_patterns::store::{
    CoordinationStore, MemoryStore, NewStep, PostgresStore, RunState, RunSummary, SqliteStore,
    Started, StepState, StoreError,
};

const LONG: Duration = Duration::from_secs(60);
const EXPIRED: Duration = Duration::ZERO;

fn step<'a>(seq: u32, name: &'a str, key: &'a str) -> NewStep<'a> {
    NewStep {
        seq,
        step: name,
        key,
        input: "{\"n\":1}",
    }
}

/// The behaviour every backend must show, on an empty store.
async fn conformance(store: &impl CoordinationStore) {
    // Start idempotency: the second start returns the first run.
    let started = store
        .start_run("r1", "place_order", "{\"order\":7}", "a", LONG)
        .await
        .unwrap();
    assert_eq!(started, Started::New);
    let again = store
        .start_run("r1", "place_order", "{\"order\":8}", "b", LONG)
        .await
        .unwrap();
    let Started::Existing(existing) = again else {
        panic!("expected the existing run, got {again:?}")
    };
    assert_eq!(existing.input, "{\"order\":7}");
    assert_eq!(existing.state, RunState::Running);

    // Intent before effect; logging it again is harmless, another step there is a conflict.
    store
        .record_intent("r1", &step(0, "reserve", "r1/reserve/0"))
        .await
        .unwrap();
    store
        .record_intent("r1", &step(0, "reserve", "r1/reserve/0"))
        .await
        .unwrap();
    let diverged = store
        .record_intent("r1", &step(0, "charge", "r1/charge/0"))
        .await;
    assert!(
        matches!(&diverged, Err(StoreError::Conflict { problem, .. }) if problem.contains("`reserve`")),
        "{diverged:?}"
    );
    store
        .finish_step("r1", 0, StepState::Done, Some("\"res-1\""))
        .await
        .unwrap();
    store
        .record_intent("r1", &step(1, "charge", "r1/charge/1"))
        .await
        .unwrap();
    store
        .finish_step("r1", 1, StepState::Failed, Some("declined"))
        .await
        .unwrap();
    store
        .finish_run("r1", RunState::Compensating, Some("charge: declined"))
        .await
        .unwrap();
    store
        .finish_step("r1", 0, StepState::Compensated, None)
        .await
        .unwrap();
    store
        .finish_run("r1", RunState::Compensated, None)
        .await
        .unwrap();

    let run = store.load_run("r1").await.unwrap().expect("logged");
    assert_eq!(run.saga, "place_order");
    assert_eq!(run.state, RunState::Compensated);
    assert_eq!(
        run.error.as_deref(),
        Some("charge: declined"),
        "kept when not replaced"
    );
    let steps: Vec<_> = run
        .steps
        .iter()
        .map(|s| {
            (
                s.seq,
                s.step.as_str(),
                s.key.as_str(),
                s.state,
                s.output.as_deref(),
                s.error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                0,
                "reserve",
                "r1/reserve/0",
                StepState::Compensated,
                Some("\"res-1\""),
                None
            ),
            (
                1,
                "charge",
                "r1/charge/1",
                StepState::Failed,
                None,
                Some("declined")
            ),
        ]
    );

    // Writing to what is not logged is an error, not a silent no-op.
    assert!(
        store
            .finish_step("r1", 9, StepState::Done, None)
            .await
            .is_err()
    );
    assert!(
        store
            .finish_run("nope", RunState::Completed, None)
            .await
            .is_err()
    );
    assert!(
        store
            .record_intent("nope", &step(0, "x", "k"))
            .await
            .is_err()
    );
    assert_eq!(store.load_run("nope").await.unwrap(), None);

    // Claims: only unfinished runs whose lease has expired; each claimant renews its own.
    store
        .start_run("r2", "s", "{}", "dead", EXPIRED)
        .await
        .unwrap();
    store
        .start_run("r3", "s", "{}", "alive", LONG)
        .await
        .unwrap();
    store
        .start_run("r4", "s", "{}", "dead", EXPIRED)
        .await
        .unwrap();
    store
        .finish_run("r4", RunState::Compensating, None)
        .await
        .unwrap();
    let claimed = store.claim_unfinished("b", LONG, 10).await.unwrap();
    let ids: Vec<&str> = claimed.iter().map(|run| run.id.as_str()).collect();
    assert_eq!(ids, ["r2", "r4"], "r1 is finished, r3's lease is alive");
    assert!(
        store
            .claim_unfinished("c", LONG, 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed by b"
    );
    assert!(store.renew_lease("r2", "b", LONG).await.unwrap());
    assert!(
        !store.renew_lease("r2", "c", LONG).await.unwrap(),
        "not c's lease"
    );
    assert!(
        !store.renew_lease("r1", "a", LONG).await.unwrap(),
        "a finished run has no lease"
    );
    store
        .finish_run("r2", RunState::Completed, Some("\"ok\""))
        .await
        .unwrap();
    assert_eq!(
        store
            .load_run("r2")
            .await
            .unwrap()
            .unwrap()
            .output
            .as_deref(),
        Some("\"ok\"")
    );
    // An operator's retry reopens only a run whose compensation failed, leased to them.
    assert!(
        !store.reopen_compensation("r1", "op", LONG).await.unwrap(),
        "r1 is compensated"
    );
    store.start_run("r5", "s", "{}", "a", LONG).await.unwrap();
    store
        .finish_run("r5", RunState::CompensationFailed, Some("refund down"))
        .await
        .unwrap();
    // The runs waiting for an operator, for the report: in id order, up to the limit.
    store.start_run("r6", "t", "{}", "a", LONG).await.unwrap();
    store
        .finish_run("r6", RunState::CompensationFailed, Some("void down"))
        .await
        .unwrap();
    let waiting = store
        .runs_in_state(RunState::CompensationFailed, 10)
        .await
        .unwrap();
    assert_eq!(
        waiting,
        [
            RunSummary {
                id: "r5".to_owned(),
                saga: "s".to_owned(),
                error: Some("refund down".to_owned()),
            },
            RunSummary {
                id: "r6".to_owned(),
                saga: "t".to_owned(),
                error: Some("void down".to_owned()),
            },
        ]
    );
    assert_eq!(
        store
            .runs_in_state(RunState::CompensationFailed, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.reopen_compensation("r5", "op", LONG).await.unwrap());
    assert_eq!(
        store.load_run("r5").await.unwrap().unwrap().state,
        RunState::Compensating
    );
    assert!(
        store.renew_lease("r5", "op", LONG).await.unwrap(),
        "leased to the operator"
    );
    store
        .finish_run("r5", RunState::Compensated, None)
        .await
        .unwrap();
    // The limit is honoured.
    for n in 0..5 {
        store
            .start_run(&format!("bulk{n}"), "s", "{}", "dead", EXPIRED)
            .await
            .unwrap();
    }
    assert_eq!(store.claim_unfinished("d", LONG, 2).await.unwrap().len(), 2);
}

/// Two stores on one log claim at once: every expired run goes to exactly one of them.
async fn claims_are_exclusive(first: &impl CoordinationStore, second: &impl CoordinationStore) {
    for n in 0..40 {
        first
            .start_run(&format!("c{n:02}"), "s", "{}", "dead", EXPIRED)
            .await
            .unwrap();
    }
    let (a, b) = tokio::join!(
        async {
            let mut got = Vec::new();
            for _ in 0..10 {
                got.extend(first.claim_unfinished("first", LONG, 3).await.unwrap());
            }
            got
        },
        async {
            let mut got = Vec::new();
            for _ in 0..10 {
                got.extend(second.claim_unfinished("second", LONG, 3).await.unwrap());
            }
            got
        }
    );
    let a: BTreeSet<String> = a.into_iter().map(|run| run.id).collect();
    let b: BTreeSet<String> = b.into_iter().map(|run| run.id).collect();
    assert!(
        a.is_disjoint(&b),
        "claimed twice: {:?}",
        a.intersection(&b).collect::<Vec<_>>()
    );
    assert_eq!(a.len() + b.len(), 40, "every run claimed once");
}

#[tokio::test]
async fn the_memory_store_conforms() {
    conformance(&MemoryStore::new()).await;
}

fn temp_file(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "coord-store-{name}-{}-{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("coord.db");
    (dir, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_store_conforms_and_survives_reopening() {
    let (dir, file) = temp_file("conformance");
    {
        let store = SqliteStore::open(&file).await.unwrap();
        conformance(&store).await;
    }
    // Reopened (another process would do the same): everything is there.
    let reopened = SqliteStore::open(&file).await.unwrap();
    let run = reopened.load_run("r1").await.unwrap().expect("durable");
    assert_eq!(run.state, RunState::Compensated);
    assert_eq!(run.steps.len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_sqlite_store_creates_its_directory() {
    let (dir, _) = temp_file("nested");
    let file = dir.join("state/deeper/coord.db");
    let store = SqliteStore::open(&file)
        .await
        .expect("opened in a new directory");
    store.start_run("n1", "s", "{}", "a", LONG).await.unwrap();
    assert!(file.is_file());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sqlite_connections_claim_each_run_once() {
    let (dir, file) = temp_file("claims");
    let first = SqliteStore::open(&file).await.unwrap();
    let second = SqliteStore::open(&file).await.unwrap();
    claims_are_exclusive(&first, &second).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_store_written_by_a_newer_build_is_refused() {
    let (dir, file) = temp_file("newer");
    drop(SqliteStore::open(&file).await.unwrap());
    // What a newer build would leave: a higher version in the schema row.
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute("UPDATE coord_schema SET version = 99 WHERE id = 1", [])
        .unwrap();
    let refused = SqliteStore::open(&file).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::SchemaTooNew {
                found: 99,
                known: 2
            })
        ),
        "{refused:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_version_1_store_gains_the_lock_table_and_keeps_its_runs() {
    let (dir, file) = temp_file("migrate");
    let store = SqliteStore::open(&file).await.unwrap();
    store.start_run("old", "s", "{}", "a", LONG).await.unwrap();
    drop(store);
    // What the previous build left: version 1, no lock table.
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection
        .execute_batch("DROP TABLE coord_locks; UPDATE coord_schema SET version = 1 WHERE id = 1;")
        .unwrap();
    drop(connection);
    let store = SqliteStore::open(&file).await.unwrap();
    assert!(store.load_run("old").await.unwrap().is_some());
    assert_eq!(store.acquire_lock("k", "a", LONG).await.unwrap(), Some(1));
    let version: i64 = rusqlite::Connection::open(&file)
        .unwrap()
        .query_row("SELECT version FROM coord_schema", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 2);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The lock behaviour every backend must show: tokens that only grow per key, holds that
/// exclude, owner-checked renewal and release, and a lease that runs out.
async fn lock_conformance(store: &impl CoordinationStore) {
    let short = Duration::from_millis(150);
    let first = store.acquire_lock("inv:1", "a", LONG).await.unwrap();
    assert_eq!(first, Some(1));
    assert_eq!(
        store.acquire_lock("inv:1", "b", LONG).await.unwrap(),
        None,
        "held by a"
    );
    assert_eq!(
        store.acquire_lock("inv:2", "b", LONG).await.unwrap(),
        Some(1),
        "keys are independent"
    );
    // Renewal and release check the owner and the token.
    assert!(store.renew_lock("inv:1", "a", 1, LONG).await.unwrap());
    assert!(
        !store.renew_lock("inv:1", "b", 1, LONG).await.unwrap(),
        "not b's"
    );
    assert!(
        !store.renew_lock("inv:1", "a", 7, LONG).await.unwrap(),
        "not that token"
    );
    assert!(
        !store.release_lock("inv:1", "b", 1).await.unwrap(),
        "b cannot release a's lock"
    );
    assert_eq!(
        store.acquire_lock("inv:1", "c", LONG).await.unwrap(),
        None,
        "still a's"
    );
    assert!(store.release_lock("inv:1", "a", 1).await.unwrap());
    assert!(
        !store.release_lock("inv:1", "a", 1).await.unwrap(),
        "released once"
    );
    // The next holder gets a greater token; so does every one after.
    assert_eq!(
        store.acquire_lock("inv:1", "b", short).await.unwrap(),
        Some(2)
    );
    tokio::time::sleep(short + Duration::from_millis(100)).await;
    // b's lease ran out: its renewal is refused, and c takes the lock with token 3.
    assert!(
        !store.renew_lock("inv:1", "b", 2, LONG).await.unwrap(),
        "expired"
    );
    assert_eq!(
        store.acquire_lock("inv:1", "c", LONG).await.unwrap(),
        Some(3)
    );
    assert!(
        !store.release_lock("inv:1", "b", 2).await.unwrap(),
        "b's release cannot free c's lock"
    );
    assert_eq!(
        store.acquire_lock("inv:1", "d", LONG).await.unwrap(),
        None,
        "c holds it"
    );
}

#[tokio::test]
async fn every_backend_locks_alike() {
    lock_conformance(&MemoryStore::new()).await;
    let (dir, file) = temp_file("locks");
    lock_conformance(&SqliteStore::open(&file).await.unwrap()).await;
    // Tokens survive reopening: the next token of inv:1 is 4.
    let reopened = SqliteStore::open(&file).await.unwrap();
    assert!(reopened.release_lock("inv:1", "c", 3).await.unwrap());
    assert_eq!(
        reopened.acquire_lock("inv:1", "e", LONG).await.unwrap(),
        Some(4)
    );
    std::fs::remove_dir_all(dir).unwrap();
    if let Some((store, _, schema)) = postgres("locks").await {
        lock_conformance(&store).await;
        support::postgres::drop_schema(&schema).await;
    }
}

/// Two stores on the tests' PostgreSQL server in a schema of the test's own, if one answers.
async fn postgres(test: &str) -> Option<(PostgresStore, PostgresStore, String)> {
    let url = support::postgres::url();
    let schema = format!("coord_test_{test}_{}", std::process::id());
    match PostgresStore::connect(&url, Some(&schema)).await {
        Ok(first) => {
            let second = PostgresStore::connect(&url, Some(&schema)).await.unwrap();
            Some((first, second, schema))
        }
        Err(err) => {
            support::postgres::unreachable(&err);
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_conforms() {
    let Some((store, _, schema)) = postgres("conformance").await else {
        return;
    };
    conformance(&store).await;
    support::postgres::drop_schema(&schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_instances_claim_each_run_once() {
    let Some((first, second, schema)) = postgres("claims").await else {
        return;
    };
    claims_are_exclusive(&first, &second).await;
    support::postgres::drop_schema(&schema).await;
}

/// A terminated session (as a server restart leaves it) fails at most the call that meets it;
/// the next call connects again, and what was logged before is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_reconnects_after_losing_its_session() {
    let url = support::postgres::url();
    let name = format!("coord_reconnect_{}", std::process::id());
    let separator = if url.contains('?') { '&' } else { '?' };
    let tagged = format!("{url}{separator}application_name={name}");
    let schema = format!("coord_test_reconnect_{}", std::process::id());
    let store = match PostgresStore::connect(&tagged, Some(&schema)).await {
        Ok(store) => store,
        Err(err) => {
            support::postgres::unreachable(&err);
            return;
        }
    };
    store.start_run("k1", "s", "{}", "a", LONG).await.unwrap();

    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let killed = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            &[&name],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(killed, 1, "our session was terminated");

    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(store.load_run("k1").await.map(|run| run.map(|run| run.id)));
    }
    assert!(
        answers[1..]
            .iter()
            .all(|answer| matches!(answer, Ok(Some(id)) if id == "k1")),
        "{answers:?}"
    );
    support::postgres::drop_schema(&schema).await;
}
