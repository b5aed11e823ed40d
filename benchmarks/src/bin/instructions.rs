//! Runs one benchmarked path a given number of times, for `benchmarks/instructions.sh` to count
//! its instructions under callgrind. Instruction counts do not depend on what else the machine
//! is doing, so they back the budgets where the time medians of a shared machine drift between
//! one benchmark and the next.
//!
//! ```sh
//! cargo run -p coord-benchmarks --release --bin instructions -- coord_api 1000
//! ```

use std::hint::black_box;
use std::process::ExitCode;

use coord_benchmarks::signup::{self, JSON_SCHEMA};
use coord_benchmarks::workloads::{
    api_retry, api_tracked, api_tracked_by_name, backon_retry, bare, coord_breaker, coord_retry,
    coord_tracked, counted_floor, failsafe_breaker,
};
use validator::Validate as _;

/// The paths, named as in the criterion groups (`retry/coord` is `retry_coord`).
const PATHS: [&str; 20] = [
    "bare",
    "tracking_coord",
    "tracking_coord_subscriber",
    "tracking_coord_untraced",
    "tracking_coord_traced",
    "breaker_coord",
    "breaker_failsafe",
    "retry_coord",
    "retry_backon",
    "retry_counted_floor",
    "api_tracked",
    "api_tracked_by_name",
    "api_retry",
    "coord_attribute",
    "coord_api",
    "coord_derive",
    "jsonschema_to_value",
    "jsonschema_prebuilt",
    "jsonschema_prebuilt_is_valid",
    "validator",
];

fn run(path: &str, calls: u64) -> bool {
    let input = signup::valid();
    let value = serde_json::to_value(&input).expect("serializable");
    // One call first, so every path has built its caches before the counted calls.
    let call: Box<dyn Fn()> = match path {
        "bare" => Box::new(|| {
            black_box(bare(black_box(7))).ok();
        }),
        "tracking_coord" => Box::new(|| {
            black_box(coord_tracked(black_box(7))).ok();
        }),
        // A trace id source installed (exemplars): answering none, then a trace each call.
        "tracking_coord_untraced" => {
            coord::export::set_trace_id_source(|| None);
            Box::new(|| {
                black_box(coord_tracked(black_box(7))).ok();
            })
        }
        "tracking_coord_traced" => {
            coord::export::set_trace_id_source(|| Some(0x0af7_6519_16cd_43dd));
            Box::new(|| {
                black_box(coord_tracked(black_box(7))).ok();
            })
        }
        "tracking_coord_subscriber" => {
            coord_benchmarks::install_span_subscriber();
            Box::new(|| {
                black_box(coord_tracked(black_box(7))).ok();
            })
        }
        "breaker_coord" => Box::new(|| {
            black_box(coord_breaker(black_box(7))).ok();
        }),
        "breaker_failsafe" => Box::new(|| {
            black_box(failsafe_breaker(black_box(7))).ok();
        }),
        "retry_coord" => Box::new(|| {
            black_box(coord_retry(black_box(7))).ok();
        }),
        "retry_backon" => Box::new(|| {
            black_box(backon_retry(black_box(7))).ok();
        }),
        "retry_counted_floor" => Box::new(|| {
            black_box(counted_floor(black_box(7))).ok();
        }),
        "api_tracked" => Box::new(|| {
            black_box(api_tracked(black_box(7))).ok();
        }),
        "api_tracked_by_name" => Box::new(|| {
            black_box(api_tracked_by_name(black_box(7))).ok();
        }),
        "api_retry" => Box::new(|| {
            black_box(api_retry(black_box(7))).ok();
        }),
        "coord_attribute" => Box::new(|| {
            black_box(signup::coord_attribute(black_box(&input))).ok();
        }),
        "coord_api" => Box::new(|| {
            black_box(signup::coord_errors(black_box(&input)));
        }),
        "coord_derive" => Box::new(|| {
            black_box(signup::coord_derive(black_box(&input)));
        }),
        "jsonschema_to_value" => Box::new(|| {
            let value = serde_json::to_value(black_box(&input)).expect("serializable");
            black_box(signup::jsonschema_errors(&value));
        }),
        "jsonschema_prebuilt" => Box::new(|| {
            black_box(signup::jsonschema_errors(black_box(&value)));
        }),
        "jsonschema_prebuilt_is_valid" => Box::new(|| {
            black_box(JSON_SCHEMA.is_valid(black_box(&value)));
        }),
        "validator" => Box::new(|| {
            black_box(black_box(&input).validate().is_ok());
        }),
        _ => return false,
    };
    call();
    counted_calls(&*call, calls);
    true
}

/// The calls callgrind counts: `instructions.sh` collects inside this function only, on this
/// thread only, so set-up, clock calibration and coord's background publisher stay out of the
/// figure.
#[inline(never)]
fn counted_calls(call: &dyn Fn(), calls: u64) {
    for _ in 0..calls {
        call();
    }
}

/// The async and limit paths of the `resilience` bench, each run `calls` times inside one
/// `block_on` on a current-thread runtime.
const ASYNC_PATHS: [&str; 14] = [
    "async_bare",
    "tower_base",
    "timeout_tokio",
    "timeout_coord",
    "async_retry",
    "async_bulkhead",
    "async_rate_limit",
    "tower_concurrency_limit",
    "tower_rate_limit",
    "tower_resilience_bulkhead",
    "tower_resilience_rate_limiter",
    "sync_retry",
    "sync_bulkhead",
    "sync_rate_limit",
];

fn run_async(path: &str, calls: u64) -> bool {
    if !ASYNC_PATHS.contains(&path) {
        return false;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // One call first, so every path has built its caches (and services) before.
        counted_calls_async(path, 1).await;
        counted_calls_async(path, calls).await;
    });
    true
}

/// As `counted_calls`, for the async paths: `instructions.sh` collects inside this function
/// (its poll function) only.
#[inline(never)]
async fn counted_calls_async(path: &str, calls: u64) {
    use coord_benchmarks::resilience as r;
    use std::time::Duration;
    match path {
        "async_bare" => {
            for i in 0..calls {
                black_box(r::work(i).await.ok());
            }
        }
        "timeout_tokio" => {
            for i in 0..calls {
                black_box(
                    tokio::time::timeout(Duration::from_secs(1), r::work(i))
                        .await
                        .ok(),
                );
            }
        }
        "timeout_coord" => {
            for i in 0..calls {
                black_box(r::timed(i).await.ok());
            }
        }
        "async_retry" => {
            for i in 0..calls {
                black_box(r::retried(i).await.ok());
            }
        }
        "async_bulkhead" => {
            for i in 0..calls {
                black_box(r::bulkheaded(i).await.ok());
            }
        }
        "async_rate_limit" => {
            for i in 0..calls {
                black_box(r::rate_limited(i).await.ok());
            }
        }
        "sync_retry" => {
            for i in 0..calls {
                black_box(r::retried_sync(i).ok());
            }
        }
        "sync_bulkhead" => {
            for i in 0..calls {
                black_box(r::bulkheaded_sync(i).ok());
            }
        }
        "sync_rate_limit" => {
            for i in 0..calls {
                black_box(r::rate_limited_sync(i).ok());
            }
        }
        "tower_base" => tower_loop(r::tower_service(), calls).await,
        "tower_concurrency_limit" => tower_loop(r::tower_concurrency_limited(), calls).await,
        "tower_rate_limit" => tower_loop(r::tower_rate_limited(), calls).await,
        "tower_resilience_bulkhead" => tower_loop(r::resilience_bulkhead(), calls).await,
        "tower_resilience_rate_limiter" => tower_loop(r::resilience_rate_limited(), calls).await,
        _ => {}
    }
}

/// `calls` calls through a tower service; services are rebuilt per loop, so the warm-up call
/// builds nothing the counted loop needs, and building one is not counted in a loop of many.
async fn tower_loop<S: tower::Service<u64, Response = u64>>(mut service: S, calls: u64) {
    for i in 0..calls {
        black_box(coord_benchmarks::resilience::through_any(&mut service, i).await);
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(calls)) = (args.next(), args.next()) else {
        eprintln!(
            "usage: instructions <path> <calls>; paths: {}, {}",
            PATHS.join(", "),
            ASYNC_PATHS.join(", ")
        );
        return ExitCode::FAILURE;
    };
    let Ok(calls) = calls.parse::<u64>() else {
        eprintln!("instructions: `{calls}` is not a number of calls");
        return ExitCode::FAILURE;
    };
    signup::register_coord_rules();
    coord_benchmarks::install_recorder();
    if run(&path, calls) || run_async(&path, calls) {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "instructions: unknown path `{path}`; paths: {}",
            PATHS.join(", ")
        );
        ExitCode::FAILURE
    }
}
