//! Criterion benchmarks of coord's hot paths. Each comparison is one group, so the ratios in
//! `BENCHMARKS.md` come from medians measured in the same run on the same machine.
//!
//! ```sh
//! cargo bench -p coord-benchmarks                      # everything
//! cargo bench -p coord-benchmarks -- --quick tracking  # one group, short
//! cargo run -p coord-benchmarks --release --bin bench-table  # the table for BENCHMARKS.md
//! ```

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use coord_benchmarks::floor::floor_tracked;
use coord_benchmarks::signup::{self, JSON_SCHEMA};
use coord_benchmarks::workloads::{
    api_retry, api_tracked, api_tracked_by_name, autometrics_tracked, backon_retry, bare,
    coord_breaker, coord_retry, coord_tracked, counted_floor, failsafe_breaker,
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

/// The tracking path's span (`coord.operation`) taken by a subscriber: run last, as the
/// subscriber it installs is global and stays. Compare with `tracking/coord` (a span compiled
/// in, nobody listening) and with a `--no-default-features` run (spans compiled out).
fn tracking_with_subscriber(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    coord_benchmarks::install_span_subscriber();
    let mut group = c.benchmark_group("tracking_spans");
    group.bench_function("coord_with_subscriber", |b| {
        b.iter(|| coord_tracked(black_box(7)));
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
    group.bench_function("counted_floor", |b| {
        b.iter(|| counted_floor(black_box(7)));
    });
    group.bench_function("coord", |b| b.iter(|| coord_retry(black_box(7))));
    group.bench_function("backon", |b| b.iter(|| backon_retry(black_box(7))));
    group.finish();
}

/// The runtime API against the attributes it underlies: the same paths, written by hand.
fn runtime_api(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    let mut group = c.benchmark_group("runtime_api");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(7))));
    group.bench_function("attribute_tracked", |b| {
        b.iter(|| coord_tracked(black_box(7)));
    });
    group.bench_function("operation_run", |b| b.iter(|| api_tracked(black_box(7))));
    group.bench_function("track_fn_by_name", |b| {
        b.iter(|| api_tracked_by_name(black_box(7)));
    });
    group.bench_function("attribute_retry", |b| b.iter(|| coord_retry(black_box(7))));
    group.bench_function("error_handling_call", |b| {
        b.iter(|| api_retry(black_box(7)));
    });
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
        group.bench_function("coord_derive", |b| {
            b.iter(|| signup::coord_derive(black_box(&input)));
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

/// Long-lived threads that run `call` together on demand, as a service's workers do (threads
/// spawned per sample would measure thread start-up and exit instead).
struct Workers {
    threads: Vec<std::thread::JoinHandle<()>>,
    shared: Arc<WorkersShared>,
}

struct WorkersShared {
    start: Barrier,
    done: Barrier,
    iters: AtomicU64,
    stop: AtomicBool,
}

impl Workers {
    fn new(count: usize, call: Path) -> Self {
        let shared = Arc::new(WorkersShared {
            start: Barrier::new(count + 1),
            done: Barrier::new(count + 1),
            iters: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let threads = (0..count)
            .map(|_| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    loop {
                        shared.start.wait();
                        if shared.stop.load(Ordering::Acquire) {
                            return;
                        }
                        for i in 0..shared.iters.load(Ordering::Acquire) {
                            black_box(call(black_box(i)));
                        }
                        shared.done.wait();
                    }
                })
            })
            .collect();
        Self { threads, shared }
    }

    /// Wall time for every worker to make `iters` calls, started together. Reported per
    /// iteration, so equal times for 1 and 2 threads mean twice the throughput.
    fn run(&self, iters: u64) -> Duration {
        self.shared.iters.store(iters, Ordering::Release);
        self.shared.start.wait();
        let started = Instant::now();
        self.shared.done.wait();
        started.elapsed()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.start.wait();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The paths measured on 1 and 2 threads.
const CONTENDED: [(&str, Path); 4] = [
    ("bare", |x| bare(x).is_ok()),
    ("floor", |x| floor_tracked(x).is_ok()),
    ("tracked", |x| coord_tracked(x).is_ok()),
    ("breaker", |x| coord_breaker(x).is_ok()),
];

fn contended_paths(c: &mut Criterion, group: &str, paths: &[(&str, Path)]) {
    let mut group = c.benchmark_group(group);
    for &(name, call) in paths {
        for threads in [1, 2] {
            let workers = Workers::new(threads, call);
            group.bench_function(format!("{name}/{threads}_threads"), |b| {
                b.iter_custom(|iters| workers.run(iters));
            });
        }
    }
    group.finish();
}

/// Before any recorder is installed (so it must run first): coord's own share of the cost,
/// every metric handle a no-op.
fn contention_without_recorder(c: &mut Criterion) {
    // Not the floor: its handles, cached before any recorder exists, would stay no-ops for the
    // rest of the run (coord's call sites notice a new recorder; hand-written code does not).
    let paths: Vec<(&str, Path)> = CONTENDED
        .into_iter()
        .filter(|(name, _)| *name != "floor")
        .collect();
    contended_paths(c, "contention_without_recorder", &paths);
}

/// With coord's Prometheus recorder: what a service pays.
fn contention(c: &mut Criterion) {
    coord_benchmarks::install_recorder();
    contended_paths(c, "contention", &CONTENDED);
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    // `contention_without_recorder` first: every other group installs the recorder; the span
    // subscriber last, as it stays installed.
    targets = contention_without_recorder, tracking, breaker, retry, runtime_api, validation, contention, tracking_with_subscriber
}
criterion_main!(hot_paths);
