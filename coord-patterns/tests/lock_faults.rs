//! Lock backends failing during a hold. A Redis server restarted (it keeps nothing on disk)
//! forgets the hold: the holder learns it lost the lock at its next renewal and never believes
//! it still holds it. A PostgreSQL session killed under a holder (`pg_terminate_backend`)
//! loses nothing: the hold is a row, the store reconnects, renewal goes on, and nobody else
//! can take the lock meanwhile.
//!
//! The Redis test restarts the server this machine kind runs (127.0.0.1:6379, the command in
//! DEVELOPERS.md); it is skipped when `COORD_TEST_REDIS` points elsewhere.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use coord_patterns::lock::{AdvisoryLocks, LockBackend, install_backend, lock};
use coord_patterns::store::{AnyStore, PostgresStore};
use coord_runtime::Error;

const TTL: Duration = Duration::from_millis(900);

/// Starts the loopback Redis server again (as the machine kind starts it) when dropped, so a
/// failing test does not leave it down.
struct RedisBackUp;

impl Drop for RedisBackUp {
    fn drop(&mut self) {
        start_redis();
    }
}

fn start_redis() {
    let _ = Command::new("redis-server")
        .args([
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ])
        .status();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let pong = Command::new("redis-cli")
            .args(["-p", "6379", "ping"])
            .output();
        if pong.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("PONG")) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_hold_is_a_lost_lock_never_a_believed_one() {
    if std::env::var("COORD_TEST_REDIS").is_ok_and(|url| url != "redis://127.0.0.1:6379") {
        eprintln!(
            "skipped: COORD_TEST_REDIS is not this machine's server, which the test restarts"
        );
        return;
    }
    let Some(redis) = support::redis::connect("restart").await else {
        return;
    };
    install_backend("faults-redis", LockBackend::Redis(redis));
    let guard = lock("inv:restart")
        .backend("faults-redis")
        .ttl(TTL)
        .acquire()
        .await
        .unwrap();
    let back_up = RedisBackUp;
    let shutdown = Command::new("redis-cli")
        .args(["-p", "6379", "shutdown", "nosave"])
        .output()
        .expect("redis-cli");
    assert!(
        !String::from_utf8_lossy(&shutdown.stdout).contains("ERR"),
        "{shutdown:?}"
    );
    start_redis();
    drop(back_up);
    let started = Instant::now();
    tokio::time::timeout(TTL * 3, guard.lost())
        .await
        .expect("the holder learns it lost the lock within its TTL or so");
    assert!(!guard.is_held());
    eprintln!(
        "Redis restarted mid-hold: loss noticed after {:?}",
        started.elapsed()
    );
    assert!(matches!(guard.release().await, Err(Error::LockLost { .. })));
    // The server forgot everything, tokens included: a new hold starts again at 1 (what the
    // docs say a Redis without persistence does not guarantee).
    let again = lock("inv:restart")
        .backend("faults-redis")
        .acquire()
        .await
        .unwrap();
    assert_eq!(again.token(), 1);
    again.release().await.unwrap();
    support::redis::cleanup("restart").await;
}

/// A Redis server that stops answering (here: a relay holding its answers back) fails a lock
/// call after the documented 2 s with an error that says so, rather than leaving the caller
/// waiting for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_server_that_does_not_answer_fails_the_call_after_two_seconds() {
    let Some((link, slow)) = support::redis::connect_through_relay("no-answer").await else {
        return;
    };
    install_backend("faults-redis-silent", LockBackend::Redis(slow));
    link.delay(Duration::from_secs(30));
    let started = Instant::now();
    let silent = tokio::time::timeout(
        Duration::from_secs(10),
        lock("inv:silent")
            .backend("faults-redis-silent")
            .ttl(Duration::from_secs(20))
            .wait(Duration::ZERO)
            .acquire(),
    )
    .await
    .expect("the call gives up by itself");
    let took = started.elapsed();
    match silent {
        Err(Error::LockBackend { reason, .. }) => {
            assert!(reason.contains("no answer within 2s"), "{reason}");
        }
        other => panic!("a silent server's lock call ended as {other:?}"),
    }
    assert!(took >= Duration::from_secs(2), "gave up after {took:?}");
    eprintln!("a silent Redis: the call failed after {took:?}");
    support::redis::cleanup("no-answer").await;
}

/// The connection dropped and the server taking new connections but never answering (frozen
/// behind an accepting proxy): the calls waiting to reconnect fail with the one attempt made
/// for them all, rather than each trying in turn — eight calls would queue eight connection
/// timeouts, 16 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_on_a_reconnection_that_fails_fail_with_it() {
    const DB: u8 = 7;
    let Some((link, silent)) = support::redis::connect_through_relay_in_db("frozen", DB).await
    else {
        return;
    };
    install_backend("faults-redis-frozen", LockBackend::Redis(silent));
    link.go_silent();
    support::redis::kill_clients_in_db(DB).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let calls: Vec<_> = (0..8)
        .map(|n| {
            tokio::spawn(
                lock(format!("inv:frozen-{n}"))
                    .backend("faults-redis-frozen")
                    .wait(Duration::ZERO)
                    .acquire(),
            )
        })
        .collect();
    for call in calls {
        let failed = call.await.expect("the call's task");
        assert!(
            matches!(failed, Err(Error::LockBackend { .. })),
            "a call to a frozen server ended as {failed:?}"
        );
    }
    let took = started.elapsed();
    eprintln!("8 calls during a failed reconnection: all failed after {took:?}");
    assert!(
        took < Duration::from_secs(8),
        "the calls queued a connection timeout apiece: {took:?}"
    );
}

/// A Redis answer that comes back more than a TTL after the acquisition was sent is not
/// trusted: the hold may have lapsed and been taken by another before its token was drawn.
/// The hold is given back and the caller told why; an answer as slow but within the TTL is a
/// hold like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_hold_granted_after_its_ttl_is_given_back_not_believed() {
    let Some((link, slow)) = support::redis::connect_through_relay("late-answer").await else {
        return;
    };
    let direct = support::redis::connect("late-answer")
        .await
        .expect("the same server answered through the relay");
    install_backend("faults-redis-slow", LockBackend::Redis(slow));
    install_backend("faults-redis-direct", LockBackend::Redis(direct));
    let delay = Duration::from_millis(300);
    link.delay(delay);

    let late = lock("inv:late")
        .backend("faults-redis-slow")
        .ttl(Duration::from_millis(200))
        .wait(Duration::ZERO)
        .acquire()
        .await;
    match late {
        Err(Error::LockBackend { reason, .. }) => {
            assert!(reason.contains("longer than the TTL"), "{reason}");
        }
        other => panic!("a hold granted after its TTL was handed out: {other:?}"),
    }
    // Given back (or lapsed): free for the next holder, whose token is greater.
    let next = lock("inv:late")
        .backend("faults-redis-direct")
        .wait(Duration::ZERO)
        .acquire()
        .await
        .expect("the late hold does not linger");
    let token = next.token();
    next.release().await.unwrap();

    let in_time = lock("inv:late")
        .backend("faults-redis-slow")
        .ttl(Duration::from_secs(2))
        .wait(Duration::ZERO)
        .acquire()
        .await
        .expect("an answer slower than usual but within the TTL is a hold");
    assert!(in_time.token() > token);
    assert!(in_time.is_held());
    in_time.release().await.unwrap();
    support::redis::cleanup("late-answer").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_postgres_session_does_not_lose_a_held_lock() {
    let schema = format!("coord_lockfault_{}", std::process::id());
    let store = match PostgresStore::connect(&support::postgres::url(), Some(&schema)).await {
        Ok(store) => store,
        Err(err) => {
            support::postgres::unreachable(&err);
            return;
        }
    };
    install_backend("faults-pg", LockBackend::store(AnyStore::Postgres(store)));
    let guard = lock("inv:kill")
        .backend("faults-pg")
        .ttl(TTL)
        .acquire()
        .await
        .unwrap();
    // Kill the sessions that last touched this schema's lock table: ours.
    let client = support::postgres::admin().await;
    let killed = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE pid <> pg_backend_pid() AND datname = current_database()
               AND query LIKE '%coord_locks%'",
            &[],
        )
        .await
        .unwrap()
        .len();
    assert!(killed >= 1, "no session of the holder found to kill");
    // Past two TTLs: renewal went on over a new session.
    tokio::time::sleep(TTL * 2).await;
    assert!(
        guard.is_held(),
        "the hold is a row: a killed session loses nothing"
    );
    let other = lock("inv:kill")
        .backend("faults-pg")
        .wait(Duration::ZERO)
        .acquire()
        .await;
    assert!(matches!(other, Err(Error::LockTimeout { .. })), "{other:?}");
    guard.release().await.unwrap();
    eprintln!(
        "PostgreSQL: {killed} holder session(s) killed mid-hold; the hold renewed over a new session"
    );
    support::postgres::drop_schema(&schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_advisory_session_is_a_lost_lock_and_frees_it_at_once() {
    let schema = format!("coord_lockfault_advisory_{}", std::process::id());
    let url = support::postgres::url();
    let connect = || AdvisoryLocks::connect(&url, Some(&schema));
    let (holder, taker) = match (connect().await, connect().await) {
        (Ok(holder), Ok(taker)) => (holder, taker),
        (Err(err), _) | (_, Err(err)) => {
            assert!(
                std::env::var("COORD_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "PostgreSQL required (COORD_REQUIRE_SERVICES=1) but unreachable: {err}"
            );
            eprintln!("skipped: {err}");
            return;
        }
    };
    install_backend("faults-advisory", LockBackend::Advisory(holder));
    install_backend("faults-advisory-taker", LockBackend::Advisory(taker));
    let guard = lock("inv:advisory")
        .backend("faults-advisory")
        .ttl(TTL)
        .acquire()
        .await
        .unwrap();
    // The session holding the advisory lock on this key's 64-bit id.
    let client = support::postgres::admin().await;
    let killed = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_locks
             WHERE locktype = 'advisory' AND objsubid = 1 AND granted
               AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)",
            &[&"inv:advisory"],
        )
        .await
        .unwrap()
        .len();
    assert_eq!(
        killed, 1,
        "the holder's session holds the key's advisory lock"
    );
    // The server released the lock with the session: another takes it at once, fenced ahead.
    let taken = lock("inv:advisory")
        .backend("faults-advisory-taker")
        .wait(Duration::from_secs(2))
        .acquire()
        .await
        .expect("free once the holder's session is gone");
    assert!(taken.token() > guard.token());
    // And the holder learns it at its next renewal, well before its TTL runs out.
    let started = Instant::now();
    tokio::time::timeout(TTL, guard.lost())
        .await
        .expect("the loss noticed at the next renewal");
    assert!(!guard.is_held());
    assert!(matches!(guard.release().await, Err(Error::LockLost { .. })));
    taken.release().await.unwrap();
    eprintln!(
        "PostgreSQL advisory: holder session killed; lock taken over at once, loss noticed after {:?}",
        started.elapsed()
    );
    support::postgres::drop_schema(&schema).await;
}

/// An advisory session the server ended while it sat idle in the pool (`pg_terminate_backend`,
/// a server restart, an idle timeout) costs no failed call: the next acquisition skips it or,
/// if the client has not yet seen it end, tries once more on a new session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advisory_session_ended_while_idle_costs_no_failed_call() {
    let schema = format!("coord_lockfault_idle_{}", std::process::id());
    let name = format!("coord_idle_{}", std::process::id());
    let separator = if support::postgres::url().contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{separator}application_name={name}",
        support::postgres::url()
    );
    let advisory = match AdvisoryLocks::connect(&url, Some(&schema)).await {
        Ok(advisory) => advisory,
        Err(err) => {
            support::postgres::unreachable(&err);
            return;
        }
    };
    install_backend("faults-advisory-idle", LockBackend::Advisory(advisory));
    let client = support::postgres::admin().await;
    let mut last = 0;
    for round in 0..6 {
        let guard = lock("inv:idle")
            .backend("faults-advisory-idle")
            .wait(Duration::ZERO)
            .acquire()
            .await
            .unwrap_or_else(|err| panic!("round {round}: {err}"));
        assert!(guard.token() > last);
        last = guard.token();
        guard.release().await.unwrap();
        // End the pooled session; every other round, acquire before the client can notice.
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .await
            .unwrap();
        if round % 2 == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    support::postgres::drop_schema(&schema).await;
}
