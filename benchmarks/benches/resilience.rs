//! Criterion benchmarks of the resilience primitives' success paths, each group one
//! comparison measured in one run: a per-attempt timeout against a bare
//! `tokio::time::timeout`; a bulkhead and a rate limiter against the same function without
//! them (the difference is what they add) and against tower's `ConcurrencyLimit` and
//! `RateLimit` on the same body.
//!
//! ```sh
//! cargo bench -p coord-benchmarks --bench resilience
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use coord_benchmarks::resilience::{
    bulkheaded, bulkheaded_sync, rate_limited, rate_limited_sync, resilience_bulkhead,
    resilience_rate_limited, retried, retried_sync, through_any, timed, tower_concurrency_limited,
    tower_rate_limited, tower_service, work,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
}

/// Times `iters` awaited calls of `call` in one `block_on`, so the executor's entry is not
/// part of each call.
fn awaited<F, Fut>(runtime: &tokio::runtime::Runtime, iters: u64, mut call: F) -> Duration
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = u64>,
{
    runtime.block_on(async {
        let started = Instant::now();
        for i in 0..iters {
            black_box(call(i).await);
        }
        started.elapsed()
    })
}

/// Times `iters` calls through the service `make` builds (inside the runtime: some hold a
/// tokio timer), in one `block_on`.
fn through_service<S>(runtime: &tokio::runtime::Runtime, iters: u64, make: fn() -> S) -> Duration
where
    S: tower::Service<u64, Response = u64>,
{
    runtime.block_on(async {
        let mut service = make();
        let started = Instant::now();
        for i in 0..iters {
            black_box(through_any(&mut service, i).await);
        }
        started.elapsed()
    })
}

fn timeout(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let runtime = runtime();
    let mut group = c.benchmark_group("timeout");
    group.bench_function("bare", |b| {
        b.iter_custom(|iters| {
            awaited(
                &runtime,
                iters,
                |i| async move { work(i).await.unwrap_or(0) },
            )
        });
    });
    group.bench_function("tokio_timeout", |b| {
        b.iter_custom(|iters| {
            awaited(&runtime, iters, |i| async move {
                match tokio::time::timeout(Duration::from_secs(1), work(i)).await {
                    Ok(Ok(value)) => value,
                    _ => 0,
                }
            })
        });
    });
    group.bench_function("coord", |b| {
        b.iter_custom(|iters| {
            awaited(
                &runtime,
                iters,
                |i| async move { timed(i).await.unwrap_or(0) },
            )
        });
    });
    group.finish();
}

fn limits_async(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let runtime = runtime();
    let mut group = c.benchmark_group("limits_async");
    group.bench_function("coord_base", |b| {
        b.iter_custom(|iters| {
            awaited(
                &runtime,
                iters,
                |i| async move { retried(i).await.unwrap_or(0) },
            )
        });
    });
    group.bench_function("coord_bulkhead", |b| {
        b.iter_custom(|iters| {
            awaited(&runtime, iters, |i| async move {
                bulkheaded(i).await.unwrap_or(0)
            })
        });
    });
    group.bench_function("coord_rate_limit", |b| {
        b.iter_custom(|iters| {
            awaited(&runtime, iters, |i| async move {
                rate_limited(i).await.unwrap_or(0)
            })
        });
    });
    group.bench_function("tower_base", |b| {
        b.iter_custom(|iters| through_service(&runtime, iters, tower_service));
    });
    group.bench_function("tower_concurrency_limit", |b| {
        b.iter_custom(|iters| through_service(&runtime, iters, tower_concurrency_limited));
    });
    group.bench_function("tower_resilience_bulkhead", |b| {
        b.iter_custom(|iters| through_service(&runtime, iters, resilience_bulkhead));
    });
    group.bench_function("tower_resilience_rate_limiter", |b| {
        b.iter_custom(|iters| through_service(&runtime, iters, resilience_rate_limited));
    });
    group.bench_function("tower_rate_limit", |b| {
        b.iter_custom(|iters| through_service(&runtime, iters, tower_rate_limited));
    });
    group.finish();
}

fn limits_sync(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("limits_sync");
    group.bench_function("coord_base", |b| b.iter(|| retried_sync(black_box(7))));
    group.bench_function("coord_bulkhead", |b| {
        b.iter(|| bulkheaded_sync(black_box(7)))
    });
    group.bench_function("coord_rate_limit", |b| {
        b.iter(|| rate_limited_sync(black_box(7)));
    });
    group.finish();
}

criterion_group!(benches, timeout, limits_async, limits_sync);
criterion_main!(benches);
