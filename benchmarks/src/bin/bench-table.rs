//! Reads the medians criterion wrote under `target/criterion` and prints the tables and the
//! budget verdicts of `BENCHMARKS.md`, so the document is produced from a run, not typed.
//!
//! ```sh
//! cargo bench -p coord-benchmarks && cargo run -p coord-benchmarks --release --bin bench-table
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Median nanoseconds per benchmark, by group then function.
type Medians = BTreeMap<String, BTreeMap<String, f64>>;

fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
            PathBuf::from,
        )
        .join("criterion")
}

/// Every `new/benchmark.json` below `dir`, with its median.
fn collect(dir: &Path, medians: &mut Medians) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            let read = |file: &str| -> Option<serde_json::Value> {
                serde_json::from_str(&std::fs::read_to_string(path.join(file)).ok()?).ok()
            };
            if let (Some(id), Some(estimates)) = (read("benchmark.json"), read("estimates.json"))
                && let (Some(group), Some(function), Some(median)) = (
                    id["group_id"].as_str(),
                    id["function_id"].as_str(),
                    estimates["median"]["point_estimate"].as_f64(),
                )
            {
                medians
                    .entry(group.to_owned())
                    .or_default()
                    .insert(function.to_owned(), median);
            }
        } else {
            collect(&path, medians)?;
        }
    }
    Ok(())
}

fn ns(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} µs", value / 1000.0)
    } else {
        format!("{value:.2} ns")
    }
}

fn print_group(group: &str, functions: &BTreeMap<String, f64>) {
    println!("\n### `{group}`\n");
    let baseline = functions.get("bare").copied();
    println!("| benchmark | median | × bare | added to bare |");
    println!("| --- | ---: | ---: | ---: |");
    for (function, median) in functions {
        let (ratio, added) = match baseline {
            Some(bare) if function != "bare" => {
                (format!("{:.2}×", median / bare), ns(median - bare))
            }
            _ => ("".to_owned(), "".to_owned()),
        };
        println!("| {function} | {} | {ratio} | {added} |", ns(*median));
    }
}

/// One budget: the measured figure, the limit, and whether it holds.
struct Verdict {
    budget: &'static str,
    measured: String,
    met: bool,
}

fn verdicts(medians: &Medians) -> Vec<Verdict> {
    let get = |group: &str, function: &str| medians.get(group)?.get(function).copied();
    let mut verdicts = Vec::new();
    if let (Some(bare), Some(floor), Some(coord), Some(auto)) = (
        get("tracking", "bare"),
        get("tracking", "floor"),
        get("tracking", "coord"),
        get("tracking", "autometrics"),
    ) {
        let (coord, floor, auto) = (coord - bare, floor - bare, auto - bare);
        verdicts.push(Verdict {
            budget: "`#[track_performance]` overhead ≤ 1.25× the hand-written floor's",
            measured: format!("{} vs {}: {:.2}×", ns(coord), ns(floor), coord / floor),
            met: coord <= 1.25 * floor,
        });
        verdicts.push(Verdict {
            budget: "`#[track_performance]` overhead ≤ 1/5 of `#[autometrics]`'s",
            measured: format!("{} vs {}: 1/{:.1}", ns(coord), ns(auto), auto / coord),
            met: coord * 5.0 <= auto,
        });
    }
    if let (Some(bare), Some(coord), Some(failsafe)) = (
        get("breaker", "bare"),
        get("breaker", "coord"),
        get("breaker", "failsafe"),
    ) {
        let (coord, failsafe) = (coord - bare, failsafe - bare);
        verdicts.push(Verdict {
            budget: "breaker closed path adds ≤ 15 ns",
            measured: ns(coord),
            met: coord <= 15.0,
        });
        verdicts.push(Verdict {
            budget: "breaker closed path ≤ 1/2 of failsafe's",
            measured: format!(
                "{} vs {}: 1/{:.1}",
                ns(coord),
                ns(failsafe),
                failsafe / coord
            ),
            met: coord * 2.0 <= failsafe,
        });
    }
    if let (Some(bare), Some(coord)) = (get("retry", "bare"), get("retry", "coord")) {
        verdicts.push(Verdict {
            budget: "retry with no failure adds ≤ 2 ns",
            measured: ns(coord - bare),
            met: coord - bare <= 2.0,
        });
    }
    if let (Some(coord), Some(to_value), Some(prebuilt)) = (
        get("validation_valid", "coord_api"),
        get("validation_valid", "jsonschema_to_value"),
        get("validation_valid", "jsonschema_prebuilt_is_valid"),
    ) {
        verdicts.push(Verdict {
            budget: "valid input: `coord::validate` ≤ 1/4 of `to_value` + jsonschema",
            measured: format!(
                "{} vs {}: 1/{:.1}",
                ns(coord),
                ns(to_value),
                to_value / coord
            ),
            met: coord * 4.0 <= to_value,
        });
        verdicts.push(Verdict {
            budget: "valid input: `coord::validate` ≤ 1× jsonschema on a pre-built `Value`",
            measured: format!(
                "{} vs {}: {:.2}×",
                ns(coord),
                ns(prebuilt),
                coord / prebuilt
            ),
            met: coord <= prebuilt,
        });
    }
    for path in ["tracked", "breaker"] {
        if let (Some(one), Some(two)) = (
            get("contention", &format!("{path}/1_threads")),
            get("contention", &format!("{path}/2_threads")),
        ) {
            // Each thread makes the same number of calls per iteration.
            let scaling = 2.0 * one / two;
            verdicts.push(Verdict {
                budget: if path == "tracked" {
                    "2 threads ≥ 1.6× the throughput of 1, tracked fn"
                } else {
                    "2 threads ≥ 1.6× the throughput of 1, breaker path"
                },
                measured: format!("{scaling:.2}×"),
                met: scaling >= 1.6,
            });
        }
    }
    verdicts
}

fn main() -> ExitCode {
    let dir = criterion_dir();
    let mut medians = Medians::new();
    if let Err(err) = collect(&dir, &mut medians) {
        eprintln!(
            "bench-table: cannot read {}: {err} (run `cargo bench -p coord-benchmarks` first)",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    println!(
        "## Medians\n\nTimes per call; `× bare` and `added to bare` against the group's bare function."
    );
    for (group, functions) in &medians {
        print_group(group, functions);
    }
    println!("\n## Scaling from 1 to 2 threads\n");
    println!(
        "Throughput on 2 threads ÷ throughput on 1 (each thread makes the same calls; 2.00 is perfect).\n"
    );
    println!("| group | path | scaling |");
    println!("| --- | --- | ---: |");
    for group in ["contention_without_recorder", "contention"] {
        for path in ["bare", "floor", "tracked", "breaker"] {
            let get = |threads: u32| {
                medians
                    .get(group)?
                    .get(&format!("{path}/{threads}_threads"))
                    .copied()
            };
            if let (Some(one), Some(two)) = (get(1), get(2)) {
                println!("| {group} | {path} | {:.2}× |", 2.0 * one / two);
            }
        }
    }
    println!("\n## Budgets\n");
    println!("| budget | measured | verdict |");
    println!("| --- | --- | --- |");
    for verdict in verdicts(&medians) {
        println!(
            "| {} | {} | {} |",
            verdict.budget,
            verdict.measured,
            if verdict.met { "met" } else { "**missed**" }
        );
    }
    ExitCode::SUCCESS
}
