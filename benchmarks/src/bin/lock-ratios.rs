//! Uncontended lock acquire + release, interleaved: each round times a batch of each variant
//! in turn (coord, its floor, and on Redis `rslock`), so drift on a shared machine hits all
//! alike; prints the median per cycle of each and the ratios. The criterion bench (`locks`)
//! measures the same cycles one after the other.
//!
//! ```sh
//! cargo run --release -p coord-benchmarks --bin lock-ratios [ROUNDS]
//! ```

use std::time::{Duration, Instant};

use coord::lock::{LockBackend, RedisLocks, install_backend};
use coord::store::AnyStore;
use coord_benchmarks::lock_floor::{PostgresLockFloor, RedisFloor, SqliteLockFloor};

const BATCH: u32 = 50;

async fn coord_cycle(name: &'static str, key: &str) {
    let guard = coord::lock(key)
        .backend(name)
        .ttl(Duration::from_secs(30))
        .wait(Duration::ZERO)
        .acquire()
        .await
        .expect("uncontended");
    guard.release().await.expect("released");
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(backend: &str, results: &mut [(&str, Vec<Duration>)]) {
    let medians: Vec<(&str, Duration)> = results
        .iter_mut()
        .map(|(name, samples)| (*name, median(samples)))
        .collect();
    let floor = medians[1].1;
    for (name, per_cycle) in &medians {
        println!(
            "{backend:<9} {name:<7} {:>8.1} µs per acquire+release   {:.3}× the floor",
            per_cycle.as_secs_f64() * 1e6,
            per_cycle.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

/// 16 tasks, each taking and releasing a key of its own 200 times: acquire + release cycles
/// per second of coord, the floor and rslock, one after another, three times.
async fn concurrent(floor: &RedisFloor, rslock: &rslock::LockManager) {
    const TASKS: usize = 16;
    const CYCLES: usize = 200;
    for _ in 0..3 {
        let started = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                tokio::spawn(async move {
                    let key = format!("coord-key-{task}");
                    for _ in 0..CYCLES {
                        coord_cycle("ratio-redis", &key).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        let coord = (TASKS * CYCLES) as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let runs = (0..TASKS).map(|task| async move {
            let key = format!("floor-key-{task}");
            for _ in 0..CYCLES {
                floor.cycle(&key).await;
            }
        });
        futures_join_all(runs).await;
        let floor_rate = (TASKS * CYCLES) as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let runs = (0..TASKS).map(|task| async move {
            let key = format!("bench:rslock-key-{task}");
            for _ in 0..CYCLES {
                let lock = rslock
                    .lock(key.as_str(), Duration::from_secs(30))
                    .await
                    .expect("uncontended");
                rslock.unlock(&lock).await;
            }
        });
        futures_join_all(runs).await;
        let rslock_rate = (TASKS * CYCLES) as f64 / started.elapsed().as_secs_f64();
        println!(
            "redis     {TASKS} tasks on keys of their own: coord {coord:>7.0}/s, floor {floor_rate:>7.0}/s, rslock {rslock_rate:>7.0}/s"
        );
    }
}

/// Runs every future to completion, concurrently, on this task.
async fn futures_join_all<F: std::future::Future<Output = ()>>(futures: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut pending: Vec<_> = set.iter_mut().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut left = false;
        for slot in &mut pending {
            if let Some(future) = slot {
                if future.as_mut().poll(cx).is_pending() {
                    left = true;
                } else {
                    *slot = None;
                }
            }
        }
        if left {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let redis_url =
        std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let postgres_url = std::env::var("COORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());

    runtime.block_on(async {
        // Redis: coord, the floor, rslock.
        match RedisLocks::connect(&redis_url, "bench:").await {
            Ok(locks) => {
                install_backend("ratio-redis", LockBackend::Redis(locks));
                let floor = RedisFloor::connect(&redis_url).await;
                let rslock = rslock::LockManager::new(vec![redis_url.clone()]);
                let mut results = vec![
                    ("coord", Vec::new()),
                    ("floor", Vec::new()),
                    ("rslock", Vec::new()),
                ];
                for round in 0..rounds {
                    for turn in 0..3 {
                        let variant = (round + turn) % 3;
                        let started = Instant::now();
                        for _ in 0..BATCH {
                            match variant {
                                0 => coord_cycle("ratio-redis", "coord-key").await,
                                1 => {
                                    floor.cycle("floor-key").await;
                                }
                                _ => {
                                    let lock = rslock
                                        .lock("bench:rslock-key", Duration::from_secs(30))
                                        .await
                                        .expect("uncontended");
                                    rslock.unlock(&lock).await;
                                }
                            }
                        }
                        results[variant].1.push(started.elapsed() / BATCH);
                    }
                }
                report("redis", &mut results);
                concurrent(&floor, &rslock).await;
            }
            Err(err) => println!("redis     skipped: {err}"),
        }

        // SQLite: coord and the floor.
        let dir = std::env::temp_dir().join(format!("coord-lock-ratios-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let store = AnyStore::open(&format!("sqlite://{}", dir.join("coord.db").display()))
            .await
            .expect("store");
        install_backend("ratio-sqlite", LockBackend::store(store));
        let mut floor = SqliteLockFloor::open(&dir.join("floor.db"));
        let mut results = vec![("coord", Vec::new()), ("floor", Vec::new())];
        for round in 0..rounds {
            for turn in 0..2 {
                let variant = (round + turn) % 2;
                let started = Instant::now();
                for _ in 0..BATCH {
                    if variant == 0 {
                        coord_cycle("ratio-sqlite", "coord-key").await;
                    } else {
                        floor.cycle("floor-key");
                    }
                }
                results[variant].1.push(started.elapsed() / BATCH);
            }
        }
        report("sqlite", &mut results);
        let _ = std::fs::remove_dir_all(&dir);

        // PostgreSQL: coord and the floor.
        let schema = format!("coord_lock_ratios_{}", std::process::id());
        match AnyStore::open(&format!("{postgres_url}?schema={schema}")).await {
            Ok(store) => {
                install_backend("ratio-postgres", LockBackend::store(store));
                let floor =
                    PostgresLockFloor::connect(&postgres_url, &format!("{schema}_floor")).await;
                let mut results = vec![("coord", Vec::new()), ("floor", Vec::new())];
                for round in 0..rounds {
                    for turn in 0..2 {
                        let variant = (round + turn) % 2;
                        let started = Instant::now();
                        for _ in 0..BATCH {
                            if variant == 0 {
                                coord_cycle("ratio-postgres", "coord-key").await;
                            } else {
                                floor.cycle("floor-key").await;
                            }
                        }
                        results[variant].1.push(started.elapsed() / BATCH);
                    }
                }
                report("postgres", &mut results);
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&postgres_url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!(
                            "DROP SCHEMA {schema} CASCADE; DROP SCHEMA {schema}_floor CASCADE;"
                        ))
                        .await;
                }
            }
            Err(err) => println!("postgres  skipped: {err}"),
        }
    });
}
