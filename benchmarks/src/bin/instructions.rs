//! Runs one validation path a given number of times, for `benchmarks/instructions.sh` to count
//! its instructions under callgrind. Instruction counts do not depend on what else the machine
//! is doing, so they back the validation budgets where the time medians of a shared machine
//! drift between one benchmark and the next.
//!
//! ```sh
//! cargo run -p coord-benchmarks --release --bin instructions -- coord_api 1000
//! ```

use std::hint::black_box;
use std::process::ExitCode;

use coord_benchmarks::signup::{self, JSON_SCHEMA};
use validator::Validate as _;

/// The paths, named as in the criterion group `validation_valid`.
const PATHS: [&str; 6] = [
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
    for _ in 0..calls {
        call();
    }
    true
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
