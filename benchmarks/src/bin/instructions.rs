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
const PATHS: [&str; 16] = [
    "bare",
    "tracking_coord",
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

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(calls)) = (args.next(), args.next()) else {
        eprintln!(
            "usage: instructions <path> <calls>; paths: {}",
            PATHS.join(", ")
        );
        return ExitCode::FAILURE;
    };
    let Ok(calls) = calls.parse::<u64>() else {
        eprintln!("instructions: `{calls}` is not a number of calls");
        return ExitCode::FAILURE;
    };
    signup::register_coord_rules();
    coord_benchmarks::install_recorder();
    if run(&path, calls) {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "instructions: unknown path `{path}`; paths: {}",
            PATHS.join(", ")
        );
        ExitCode::FAILURE
    }
}
