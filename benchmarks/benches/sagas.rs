//! A three-step saga through coord's engine against the floor that writes the same log rows
//! itself with the same durability (`saga_floor.rs`), on SQLite and, when a server answers at
//! `COORD_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`), on PostgreSQL.
//!
//! ```sh
//! cargo bench -p coord-benchmarks --bench sagas
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use coord::store::AnyStore;
use coord_benchmarks::saga_floor::{PostgresFloor, SqliteFloor};
use coord_benchmarks::sagas::three_steps;
use criterion::{Criterion, criterion_group, criterion_main};

static NEXT: AtomicU64 = AtomicU64::new(0);

fn next_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn sqlite(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("coord-bench-sagas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");
    let runtime = runtime();
    let store = runtime
        .block_on(AnyStore::open(&format!(
            "sqlite://{}",
            dir.join("coord.db").display()
        )))
        .expect("store");
    let (_engine, saga) = three_steps(store);
    let mut floor = SqliteFloor::open(&dir.join("floor.db"));

    let mut group = c.benchmark_group("saga_sqlite");
    group.sample_size(20);
    group.bench_function("floor", |b| b.iter(|| floor.run(&next_id("floor"), 3)));
    group.bench_function("coord", |b| {
        b.iter(|| {
            runtime
                .block_on(saga.run(&next_id("coord"), &1))
                .expect("saga")
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn postgres(c: &mut Criterion) {
    let url = std::env::var("COORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("coord_bench_{}", std::process::id());
    let runtime = runtime();
    let opened = runtime.block_on(async {
        let store = AnyStore::open(&format!("{url}?schema={schema}")).await?;
        let floor = PostgresFloor::connect(&url, &format!("{schema}_floor"))
            .await
            .map_err(|err| coord::store::StoreError::Postgres {
                message: err.to_string(),
            })?;
        Ok::<_, coord::store::StoreError>((store, floor))
    });
    let (store, mut floor) = match opened {
        Ok(opened) => opened,
        Err(err) => {
            eprintln!("saga_postgres skipped: {err}");
            return;
        }
    };
    let (_engine, saga) = three_steps(store);
    let mut group = c.benchmark_group("saga_postgres");
    group.sample_size(20);
    group.bench_function("floor", |b| {
        b.iter(|| runtime.block_on(floor.run(&next_id("floor"), 3)))
    });
    group.bench_function("coord", |b| {
        b.iter(|| {
            runtime
                .block_on(saga.run(&next_id("coord"), &1))
                .expect("saga")
        })
    });
    group.finish();
    runtime.block_on(async {
        if let Ok((client, connection)) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await
        {
            tokio::spawn(connection);
            let _ = client
                .batch_execute(&format!(
                    "DROP SCHEMA {schema} CASCADE; DROP SCHEMA {schema}_floor CASCADE"
                ))
                .await;
        }
    });
}

criterion_group!(benches, sqlite, postgres);
criterion_main!(benches);
