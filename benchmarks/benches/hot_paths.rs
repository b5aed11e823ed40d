//! Criterion benchmarks of coord's hot paths. Each comparison is one group, so the ratios in
//! `BENCHMARKS.md` come from medians measured in the same run on the same machine.
//!
//! ```sh
//! cargo bench -p coord-benchmarks                      # everything
//! cargo bench -p coord-benchmarks -- --quick tracking  # one group, short
//! cargo run -p coord-benchmarks --release --bin bench-table  # the table for BENCHMARKS.md
//! ```

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use coord_benchmarks::floor::floor_tracked;
use coord_benchmarks::signup::{self, JSON_SCHEMA};
use coord_benchmarks::workloads::{
    autometrics_tracked, backon_retry, bare, coord_breaker, coord_retry, coord_tracked,
    failsafe_breaker,
};
use criterion::{Criterion, criterion_group, criterion_main};
use validator::Validate as _;

fn tracking(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("tracking");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(7))));
    group.bench_function("floor", |b| b.iter(|| floor_tracked(black_box(7))));
    group.bench_function("coord", |b| b.iter(|| coord_tracked(black_box(7))));
    group.bench_function("autometrics", |b| {
        b.iter(|| autometrics_tracked(black_box(7)));
    });
    group.finish();
}

fn breaker(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("breaker");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(7))));
    group.bench_function("coord", |b| b.iter(|| coord_breaker(black_box(7))));
    group.bench_function("failsafe", |b| b.iter(|| failsafe_breaker(black_box(7))));
    group.finish();
}

fn retry(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("retry");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(7))));
    group.bench_function("coord", |b| b.iter(|| coord_retry(black_box(7))));
    group.bench_function("backon", |b| b.iter(|| backon_retry(black_box(7))));
    group.finish();
}

fn validation(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    signup::register_coord_rules();
    for (group_name, input) in [
        ("validation_valid", signup::valid()),
        ("validation_invalid", signup::invalid()),
    ] {
        let value = serde_json::to_value(&input).expect("serializable");
        let mut group = c.benchmark_group(group_name);
        group.bench_function("coord_attribute", |b| {
            b.iter(|| signup::coord_attribute(black_box(&input)));
        });
        group.bench_function("coord_api", |b| {
            b.iter(|| signup::coord_errors(black_box(&input)));
        });
        group.bench_function("jsonschema_to_value", |b| {
            b.iter(|| {
                let value = serde_json::to_value(black_box(&input)).expect("serializable");
                signup::jsonschema_errors(&value)
            });
        });
        group.bench_function("jsonschema_prebuilt", |b| {
            b.iter(|| signup::jsonschema_errors(black_box(&value)));
        });
        if group_name == "validation_valid" {
            group.bench_function("jsonschema_prebuilt_is_valid", |b| {
                b.iter(|| JSON_SCHEMA.is_valid(black_box(&value)));
            });
        }
        group.bench_function("validator", |b| {
            b.iter(|| black_box(&input).validate().is_ok());
        });
        group.finish();
    }
}

/// One path measured under contention: a call that reports success.
type Path = fn(u64) -> bool;

/// Wall time for `threads` threads each making `iters` calls of `call`, started together.
/// Reported per iteration, so equal times for 1 and 2 threads mean twice the throughput.
fn on_threads(threads: usize, iters: u64, call: Path) -> Duration {
    let start_line = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start_line.wait();
                for i in 0..iters {
                    black_box(call(black_box(i)));
                }
            });
        }
        start_line.wait();
        let started = Instant::now();
        // Scope end joins every thread: the time covers the slowest.
        started
    })
    .elapsed()
}

fn contention(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("contention");
    let paths: [(&str, Path); 3] = [
        ("bare", |x| bare(x).is_ok()),
        ("tracked", |x| coord_tracked(x).is_ok()),
        ("breaker", |x| coord_breaker(x).is_ok()),
    ];
    for (name, call) in paths {
        for threads in [1, 2] {
            group.bench_function(format!("{name}/{threads}_threads"), |b| {
                b.iter_custom(|iters| on_threads(threads, iters, call));
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = tracking, breaker, retry, validation, contention
}
criterion_main!(hot_paths);
