//! Heap allocations per call on each coord path, counted by a global allocator: first with no
//! `metrics` recorder (coord's own cost), then with coord's Prometheus recorder installed (the
//! exporter's storage included). Prints a Markdown table for `BENCHMARKS.md`.
//!
//! ```sh
//! cargo run -p coord-benchmarks --release --bin allocations
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use coord_benchmarks::signup;
use coord_benchmarks::workloads::{
    BenchError, api_retry, api_tracked, api_tracked_by_name, coord_breaker, coord_retry,
    coord_tracked,
};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CALLS: u64 = 100_000;

/// Every stage at once: validate, track, retry, breaker.
#[coord::coordinate_operation(
    name = "bench.coordinated",
    validate(rules = "bench_signup", arg = signup),
    retry(max_retries = 3),
    circuit_breaker = "bench.coordinated"
)]
#[inline(never)]
fn coordinated(signup: &signup::Signup) -> Result<u64, BenchError> {
    Ok(signup.age.into())
}

/// Allocations per call of `call` over `CALLS` calls, after as many warm-up calls.
fn per_call<R>(mut call: impl FnMut(u64) -> R) -> f64 {
    for i in 0..CALLS {
        black_box(call(i));
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for i in 0..CALLS {
        black_box(call(i));
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let per_call = (after - before) as f64 / CALLS as f64;
    per_call
}

/// Runs an async call to completion on `runtime` (inside it, so the runtime's own entry is
/// not counted per call).
fn awaited<F: std::future::Future>(
    runtime: &tokio::runtime::Runtime,
    call: impl Fn(u64) -> F,
) -> f64 {
    runtime.block_on(async {
        for i in 0..CALLS {
            black_box(call(i).await);
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for i in 0..CALLS {
            black_box(call(i).await);
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let per_call = (after - before) as f64 / CALLS as f64;
        per_call
    })
}

fn rows() -> Vec<(&'static str, f64)> {
    use coord_benchmarks::resilience::{
        bulkheaded, bulkheaded_sync, rate_limited, rate_limited_sync, timed,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let valid = signup::valid();
    let invalid = signup::invalid();
    vec![
        (
            "hand-written tracking (the floor)",
            per_call(coord_benchmarks::floor::floor_tracked),
        ),
        ("`#[track_performance]`", per_call(coord_tracked)),
        (
            "`#[handle_errors]` breaker, closed",
            per_call(coord_breaker),
        ),
        (
            "`#[handle_errors]` retry, no failure",
            per_call(coord_retry),
        ),
        ("`Operation::run` (runtime API)", per_call(api_tracked)),
        (
            "`coord::track_fn` by name (runtime API)",
            per_call(api_tracked_by_name),
        ),
        (
            "`ErrorHandling::call`, no failure (runtime API)",
            per_call(api_retry),
        ),
        (
            "`#[validate_input]`, valid",
            per_call(|_| signup::coord_attribute(&valid)),
        ),
        (
            "`coord::validate`, valid",
            per_call(|_| signup::coord_errors(&valid)),
        ),
        (
            "`coord::validate`, invalid (5 errors collected)",
            per_call(|_| signup::coord_errors(&invalid)),
        ),
        (
            "`#[coordinate_operation]`, valid",
            per_call(|_| coordinated(&valid)),
        ),
        (
            "`#[handle_errors(timeout)]`, async, in time",
            awaited(&runtime, timed),
        ),
        (
            "`bulkhead(...)`, async, admitted",
            awaited(&runtime, bulkheaded),
        ),
        ("`bulkhead(...)`, sync, admitted", per_call(bulkheaded_sync)),
        (
            "`rate_limit(...)`, async, admitted",
            awaited(&runtime, rate_limited),
        ),
        (
            "`rate_limit(...)`, sync, admitted",
            per_call(rate_limited_sync),
        ),
    ]
}

fn main() {
    signup::register_coord_rules();
    let without = rows();
    coord_benchmarks::install_recorder();
    let with = rows();
    println!("| path | allocations per call, no recorder | with coord's Prometheus recorder |");
    println!("| --- | ---: | ---: |");
    for ((path, none), (_, prometheus)) in without.iter().zip(&with) {
        println!("| {path} | {none:.3} | {prometheus:.3} |");
    }
}
