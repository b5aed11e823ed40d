//! `#[distributed_lock]` and `#[coordinate_operation(lock(...))]` through the public API: keys
//! from arguments, tokens the body reads, a body stopped when its lock is lost, the order of
//! the parts (an invalid call never takes the lock; retries run under one hold), a locked
//! function calling one locked on the same key (run under the one hold), and the lock series
//! labelled by the key template.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::lock::{LockBackend, install_backend};
use coord::store::{AnyStore, SqliteStore};

#[derive(Debug, thiserror::Error)]
enum StockError {
    #[error("sold out")]
    SoldOut,
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Coord(#[from] coord::Error),
}

/// One SQLite backend for the whole test binary, in cargo's scratch directory.
async fn backend() {
    static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("coord-lock-attributes-{}", std::process::id()))
                .join("locks.db");
            let store = SqliteStore::open(file).await.expect("the store opens");
            install_backend("default", LockBackend::store(AnyStore::Sqlite(store)));
        })
        .await;
}

#[coord::distributed_lock(key = "attr.stock:{sku}:{{v1}}", ttl = "2s", wait = "1s")]
async fn reserve(sku: &str, units: u32) -> Result<(u64, String), StockError> {
    if units > 100 {
        return Err(StockError::SoldOut);
    }
    let held = coord::lock::held().expect("the body holds its lock");
    Ok((held.token, held.key))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_built_from_the_arguments_and_each_hold_gets_a_greater_token() {
    backend().await;
    let (first, key) = reserve("tea", 1).await.unwrap();
    assert_eq!(key, "attr.stock:tea:{v1}");
    let (second, _) = reserve("tea", 2).await.unwrap();
    assert!(second > first);
    // An `Err` return releases too: the next call does not wait.
    assert!(matches!(
        reserve("tea", 500).await,
        Err(StockError::SoldOut)
    ));
    let (third, _) = reserve("tea", 3).await.unwrap();
    assert!(third > second);
}

#[coord::distributed_lock(key = "attr.slow:{id}", ttl = "300ms", wait = "0s")]
async fn hold_for(id: u32, hold: Duration) -> Result<(), StockError> {
    tokio::time::sleep(hold).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_lock_times_out_a_second_caller_and_is_renewed_past_its_ttl() {
    backend().await;
    let holder = tokio::spawn(hold_for(1, Duration::from_millis(900)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = hold_for(1, Duration::ZERO).await;
    assert!(
        matches!(refused, Err(StockError::Coord(coord::Error::LockTimeout { ref key, .. })) if key == "attr.slow:1"),
        "{refused:?}"
    );
    // Three TTLs long: the watchdog kept renewing.
    holder.await.unwrap().unwrap();
}

#[coord::distributed_lock(key = "attr.lost:{id}", ttl = "300ms")]
async fn stolen(id: u32, finished: &AtomicU32) -> Result<(), StockError> {
    tokio::time::sleep(Duration::from_secs(30)).await;
    finished.fetch_add(id, Ordering::SeqCst);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_whose_lock_is_taken_away_is_stopped_with_lock_lost() {
    backend().await;
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("coord-lock-attributes-{}", std::process::id()))
        .join("locks.db");
    let finished = AtomicU32::new(0);
    let thief = async {
        tokio::time::sleep(Duration::from_millis(80)).await;
        rusqlite::Connection::open(&file)
            .unwrap()
            .execute(
                "UPDATE coord_locks SET owner = 'other', token = token + 1 WHERE key = 'attr.lost:7'",
                [],
            )
            .unwrap();
    };
    let (outcome, ()) = tokio::join!(stolen(7, &finished), thief);
    assert!(
        matches!(outcome, Err(StockError::Coord(coord::Error::LockLost { ref key })) if key == "attr.lost:7"),
        "{outcome:?}"
    );
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the body did not run on"
    );
}

/// Tokens seen by each attempt of `restock`.
static ATTEMPT_TOKENS: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[coord::coordinate_operation(
    name = "attr.restock",
    validate(field(units, type = "integer", min = 1)),
    lock(key = "attr.restock:{sku}", ttl = "2s"),
    retry(max_retries = 2, base_delay = "1ms", jitter = "none")
)]
async fn restock(sku: &str, units: i64) -> Result<u64, StockError> {
    let token = coord::lock::held().expect("held").token;
    let mut tokens = ATTEMPT_TOKENS.lock().unwrap();
    tokens.push(token);
    if tokens.len() < 3 {
        return Err(StockError::Busy);
    }
    Ok(token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_comes_before_the_lock_and_every_retry_runs_under_one_hold() {
    backend().await;
    let exporter = coord::prometheus().install().unwrap();
    // Invalid: refused before the lock is asked for.
    let invalid = restock("tea", 0).await;
    assert!(
        matches!(invalid, Err(StockError::Coord(coord::Error::Validation(_)))),
        "{invalid:?}"
    );
    let metrics = exporter.render();
    assert!(
        !metrics.contains(r#"lock="attr.restock:{sku}""#),
        "an invalid call took the lock:\n{metrics}"
    );
    // Valid: two busy attempts and a third that succeeds, all with the same token.
    let token = restock("tea", 5).await.unwrap();
    assert_eq!(*ATTEMPT_TOKENS.lock().unwrap(), [token, token, token]);
    let metrics = exporter.render();
    assert!(
        metrics.contains(
            r#"coord_lock_acquisitions_total{lock="attr.restock:{sku}",outcome="acquired"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"coord_locks_held{lock="attr.restock:{sku}"} 0"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("coord_lock_held_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("attr.restock:tea"),
        "a filled-in key became a label:\n{metrics}"
    );
    // The report's lock section counts the same.
    let report = coord::report();
    let row = report
        .locks
        .iter()
        .find(|row| row.lock == "attr.restock:{sku}")
        .expect("a lock row");
    assert_eq!((row.acquired, row.held, row.lost), (1, 0, 0));
    assert!(report.to_string().contains("distributed locks"), "{report}");
}

#[coord::distributed_lock(key = "attr.shelf:{shelf}", wait = "0s")]
async fn count_shelf(shelf: u32) -> Result<u64, StockError> {
    Ok(coord::lock::held().expect("held").token)
}

#[coord::distributed_lock(key = "attr.shelf:{shelf}", wait = "0s")]
async fn restack_shelf(shelf: u32) -> Result<(u64, u64), StockError> {
    let outer = coord::lock::held().expect("held").token;
    let inner = count_shelf(shelf).await?;
    Ok((outer, inner))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_function_calling_one_on_the_same_key_runs_it_under_its_hold() {
    backend().await;
    // Not a wait on its own lock (with `wait = "0s"` that would time out at once): the inner
    // call runs under the outer hold, with its token.
    let (outer, inner) = restack_shelf(1).await.unwrap();
    assert_eq!(outer, inner);
    // Released by the outer call alone: the next one takes it anew.
    let (next, _) = restack_shelf(1).await.unwrap();
    assert!(next > outer);
    // Two acquisitions, not four: the inner calls took nothing.
    let report = coord::report();
    let row = report
        .locks
        .iter()
        .find(|row| row.lock == "attr.shelf:{shelf}")
        .expect("a lock row");
    assert_eq!((row.acquired, row.held), (2, 0));
}
