//! Uncontended lock acquire + release, interleaved: each round times a batch of each variant
//! in turn (coord, its floor, and on Redis `rslock`), so drift on a shared machine hits all
//! alike; prints the median per cycle of each and the ratios. Everything runs in a task on the
//! runtime's workers, as a service's handlers do. The criterion bench (`locks`)
//! measures the same cycles one after the other.
//!
//! ```sh
//! cargo run --release -p coord-benchmarks --bin lock-ratios [ROUNDS]
//! ```

use std::time::{Duration, Instant};

use coord::lock::{AdvisoryLocks, LockBackend, RedisLocks, install_backend};
use coord::store::AnyStore;
use coord_benchmarks::lock_floor::{
    AdvisoryLockFloor, PostgresLockFloor, RedisFloor, SqliteLockFloor,
};
use coord_benchmarks::locks::coord_cycle;

const BATCH: u32 = 50;

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

/// Times batches of coord's cycle on `backend` and of `floor`'s, in turn, over `rounds` rounds,
/// and prints the medians as `label`.
async fn coord_against<F, Fut>(label: &str, backend: &'static str, rounds: usize, mut floor: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future,
{
    let mut results = vec![("coord", Vec::new()), ("floor", Vec::new())];
    for round in 0..rounds {
        for turn in 0..2 {
            let variant = (round + turn) % 2;
            let started = Instant::now();
            for _ in 0..BATCH {
                if variant == 0 {
                    coord_cycle(backend, "coord-key").await;
                } else {
                    floor().await;
                }
            }
            results[variant].1.push(started.elapsed() / BATCH);
        }
    }
    report(label, &mut results);
}

/// coord's batch time over rslock's in the same round, round by round: drift between rounds
/// cancels out of each ratio. Their median, and in how many rounds coord was the faster.
fn paired_ratios(coord: &[Duration], rslock: &[Duration]) -> String {
    let mut ratios: Vec<f64> = coord
        .iter()
        .zip(rslock)
        .map(|(coord, rslock)| coord.as_secs_f64() / rslock.as_secs_f64())
        .collect();
    let faster = ratios.iter().filter(|ratio| **ratio < 1.0).count();
    ratios.sort_by(f64::total_cmp);
    format!(
        "redis     coord ÷ rslock in the same round: median {:.3}×, coord faster in {faster} of {} rounds",
        ratios[ratios.len() / 2],
        ratios.len()
    )
}

/// 16 tasks, each taking and releasing a key of its own 200 times: acquire + release cycles
/// per second of coord, the floor (its connection shared by the tasks, as coord's is) and
/// rslock, interleaved over `rounds` rounds; the medians.
async fn concurrent(floor: &RedisFloor, rslock: &rslock::LockManager, rounds: usize) {
    const TASKS: usize = 16;
    const CYCLES: usize = 200;
    let mut rates: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        for turn in 0..3 {
            let variant = (round + turn) % 3;
            let started = Instant::now();
            join((0..TASKS).map(|task| {
                let (floor, rslock) = (floor.clone(), rslock.clone());
                tokio::spawn(async move {
                    let key = format!("concurrent-{variant}-{task}");
                    for _ in 0..CYCLES {
                        match variant {
                            0 => {
                                coord_cycle("ratio-redis", &key).await;
                            }
                            1 => {
                                floor.cycle(&key).await;
                            }
                            _ => {
                                let lock = rslock
                                    .lock(format!("bench:{key}").as_str(), Duration::from_secs(30))
                                    .await
                                    .expect("uncontended");
                                rslock.unlock(&lock).await;
                            }
                        }
                    }
                })
            }))
            .await;
            rates[variant].push((TASKS * CYCLES) as f64 / started.elapsed().as_secs_f64());
        }
    }
    let faster = rates[0]
        .iter()
        .zip(&rates[2])
        .filter(|(coord, rslock)| coord > rslock)
        .count();
    let rounds = rates[0].len();
    let [coord, floor, rslock] = rates.map(|mut rates| {
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    });
    println!(
        "redis     {TASKS} tasks on keys of their own (medians): coord {coord:>7.0}/s, floor {floor:>7.0}/s, rslock {rslock:>7.0}/s; coord faster in {faster} of {rounds} rounds"
    );
}

/// Waits for every task.
async fn join(tasks: impl Iterator<Item = tokio::task::JoinHandle<()>>) {
    for task in tasks.collect::<Vec<_>>() {
        task.await.expect("task");
    }
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

    // The measurements run in a task on the runtime's workers, as a service's handlers do
    // (not on the thread blocking on the runtime).
    let measured = runtime.spawn(async move {
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
                                0 => {
                                    coord_cycle("ratio-redis", "coord-key").await;
                                }
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
                let paired = paired_ratios(&results[0].1, &results[2].1);
                report("redis", &mut results);
                println!("{paired}");
                concurrent(&floor, &rslock, rounds / 2).await;
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
        coord_against("sqlite", "ratio-sqlite", rounds, || {
            floor.cycle("floor-key");
            std::future::ready(())
        })
        .await;
        let _ = std::fs::remove_dir_all(&dir);

        // PostgreSQL: coord and the floor.
        let schema = format!("coord_lock_ratios_{}", std::process::id());
        match AnyStore::open(&format!("{postgres_url}?schema={schema}")).await {
            Ok(store) => {
                install_backend("ratio-postgres", LockBackend::store(store));
                let floor =
                    PostgresLockFloor::connect(&postgres_url, &format!("{schema}_floor")).await;
                coord_against("postgres", "ratio-postgres", rounds, || floor.cycle("floor-key"))
                    .await;

                // PostgreSQL advisory locks: coord and the floor.
                let advisory = AdvisoryLocks::connect(&postgres_url, Some(&format!("{schema}_adv")))
                    .await
                    .expect("the server just answered");
                install_backend("ratio-advisory", LockBackend::Advisory(advisory));
                let floor =
                    AdvisoryLockFloor::connect(&postgres_url, &format!("{schema}_adv_floor")).await;
                coord_against("advisory", "ratio-advisory", rounds, || floor.cycle("floor-key"))
                    .await;
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&postgres_url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!(
                            "DROP SCHEMA {schema} CASCADE; DROP SCHEMA {schema}_floor CASCADE;
                             DROP SCHEMA {schema}_adv CASCADE; DROP SCHEMA {schema}_adv_floor CASCADE;"
                        ))
                        .await;
                }
            }
            Err(err) => println!("postgres  skipped: {err}"),
        }
    });
    runtime.block_on(measured).expect("the measurements");
}
