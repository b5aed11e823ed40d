//! Sagas per second: a three-step saga run by 16 concurrent tasks for a few seconds, on SQLite
//! and (when a server answers) PostgreSQL.
//!
//! ```sh
//! cargo run -p coord-benchmarks --release --bin saga-throughput [SECONDS]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use coord::store::AnyStore;
use coord_benchmarks::sagas::three_steps;

const TASKS: u64 = 16;

async fn measure(label: &str, store: AnyStore, seconds: u64) {
    let (_engine, saga) = three_steps(store);
    let saga = Arc::new(saga);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (saga, done) = (Arc::clone(&saga), Arc::clone(&done));
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < deadline {
                    let id = format!("throughput-{}-{task}-{n}", std::process::id());
                    saga.run(&id, &n).await.expect("saga");
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let sagas = done.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)] // a count of sagas
    let per_second = sagas as f64 / started.elapsed().as_secs_f64();
    println!(
        "{label}: {sagas} three-step sagas by {TASKS} tasks in {seconds} s: {per_second:.0} sagas/s"
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("coord-saga-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = AnyStore::open(&format!("sqlite://{}", dir.join("coord.db").display()))
        .await
        .expect("sqlite store");
    measure("sqlite", sqlite, seconds).await;
    let _ = std::fs::remove_dir_all(&dir);

    let url = std::env::var("COORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("coord_throughput_{}", std::process::id());
    match AnyStore::open(&format!("{url}?schema={schema}")).await {
        Ok(store) => {
            measure("postgres", store, seconds).await;
            if let Ok((client, connection)) =
                tokio_postgres::connect(&url, tokio_postgres::NoTls).await
            {
                tokio::spawn(connection);
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                    .await;
            }
        }
        Err(err) => println!("postgres: skipped ({err})"),
    }
}
