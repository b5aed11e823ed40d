//! An uncontended lock acquire + release through coord against the floor that sends the same
//! two commands itself (`lock_floor.rs`), on Redis (and `rslock` on the same server), SQLite,
//! and PostgreSQL, each server when it answers (`COORD_TEST_REDIS`, `COORD_TEST_POSTGRES`).
//!
//! ```sh
//! cargo bench -p coord-benchmarks --bench locks
//! ```

use std::time::Duration;

use coord::lock::{LockBackend, RedisLocks, install_backend};
use coord::store::AnyStore;
use coord_benchmarks::lock_floor::{PostgresLockFloor, RedisFloor, SqliteLockFloor};
use coord_benchmarks::locks::coord_cycle;
use criterion::{Criterion, criterion_group, criterion_main};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn redis(c: &mut Criterion) {
    let url =
        std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let runtime = runtime();
    let Ok(locks) = runtime.block_on(RedisLocks::connect(&url, "bench:")) else {
        eprintln!("skipped: no Redis at {url}");
        return;
    };
    install_backend("bench-redis", LockBackend::Redis(locks));
    let floor = runtime.block_on(RedisFloor::connect(&url));
    let rslock = rslock::LockManager::new(vec![url.clone()]);

    let mut group = c.benchmark_group("lock_redis");
    group.bench_function("floor", |b| {
        b.iter(|| runtime.block_on(floor.cycle("floor-key")))
    });
    group.bench_function("coord", |b| {
        b.iter(|| runtime.block_on(coord_cycle("bench-redis", "coord-key")))
    });
    group.bench_function("rslock", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let lock = rslock
                    .lock("bench:rslock-key", Duration::from_secs(30))
                    .await
                    .expect("uncontended");
                rslock.unlock(&lock).await;
            })
        })
    });
    group.finish();
    runtime.block_on(async {
        if let Ok(client) = redis::Client::open(url.as_str())
            && let Ok(mut connection) = client.get_multiplexed_async_connection().await
        {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg("bench:*")
                .query_async(&mut connection)
                .await
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: Result<(), _> = redis::cmd("DEL")
                    .arg(keys)
                    .query_async(&mut connection)
                    .await;
            }
        }
    });
}

fn sqlite(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("coord-bench-locks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    let runtime = runtime();
    let store = runtime
        .block_on(AnyStore::open(&format!(
            "sqlite://{}",
            dir.join("coord.db").display()
        )))
        .expect("store");
    install_backend("bench-sqlite", LockBackend::store(store));
    let mut floor = SqliteLockFloor::open(&dir.join("floor.db"));

    let mut group = c.benchmark_group("lock_sqlite");
    group.sample_size(30);
    group.bench_function("floor", |b| b.iter(|| floor.cycle("floor-key")));
    group.bench_function("coord", |b| {
        b.iter(|| runtime.block_on(coord_cycle("bench-sqlite", "coord-key")))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn postgres(c: &mut Criterion) {
    let url = std::env::var("COORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let runtime = runtime();
    let schema = format!("coord_bench_locks_{}", std::process::id());
    let Ok(store) = runtime.block_on(AnyStore::open(&format!("{url}?schema={schema}"))) else {
        eprintln!("skipped: no PostgreSQL at {url}");
        return;
    };
    install_backend("bench-postgres", LockBackend::store(store));
    let floor_schema = format!("{schema}_floor");
    let floor = runtime.block_on(PostgresLockFloor::connect(&url, &floor_schema));

    let mut group = c.benchmark_group("lock_postgres");
    group.bench_function("floor", |b| {
        b.iter(|| runtime.block_on(floor.cycle("floor-key")))
    });
    group.bench_function("coord", |b| {
        b.iter(|| runtime.block_on(coord_cycle("bench-postgres", "coord-key")))
    });
    group.finish();
    runtime.block_on(async {
        if let Ok((client, connection)) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await
        {
            tokio::spawn(connection);
            let _ = client
                .batch_execute(&format!(
                    "DROP SCHEMA {schema} CASCADE; DROP SCHEMA {floor_schema} CASCADE;"
                ))
                .await;
        }
    });
}

criterion_group!(benches, redis, sqlite, postgres);
criterion_main!(benches);
