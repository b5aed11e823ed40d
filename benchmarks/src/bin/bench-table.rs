//! Reads the medians criterion wrote under `target/criterion` and prints the tables and the
//! budget verdicts of `BENCHMARKS.md`, so the document is produced from a run, not typed.
//!
//! ```sh
//! cargo bench -p coord-benchmarks && cargo run -p coord-benchmarks --release --bin bench-table
//! bash benchmarks/run.sh 3   # three runs, each kept, and the budgets over all three
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

/// How a budget's figure is written and compared with its limit.
#[derive(Clone, Copy)]
enum Figure {
    /// Nanoseconds added; at most the limit.
    AddedNs,
    /// coord's cost as a multiple of another's (`0.41×`); at most the limit.
    Times,
    /// coord's cost as a fraction of another's (`1/17.8`, stored as 17.8); at least the limit.
    OneIn,
    /// Throughput on 2 threads over 1 (`2.01×`); at least the limit.
    Scaling,
}

impl Figure {
    fn show(self, value: f64) -> String {
        match self {
            Self::AddedNs => ns(value),
            Self::Times | Self::Scaling => format!("{value:.2}×"),
            Self::OneIn => format!("1/{value:.1}"),
        }
    }

    fn meets(self, value: f64, limit: f64) -> bool {
        match self {
            Self::AddedNs | Self::Times => value <= limit,
            Self::OneIn | Self::Scaling => value >= limit,
        }
    }
}

/// One budget as measured in one run.
struct Verdict {
    budget: &'static str,
    figure: Figure,
    value: f64,
    limit: f64,
}

impl Verdict {
    fn met(&self) -> bool {
        self.figure.meets(self.value, self.limit)
    }
}

fn verdicts(medians: &Medians) -> Vec<Verdict> {
    let get = |group: &str, function: &str| medians.get(group)?.get(function).copied();
    let mut verdicts = Vec::new();
    let mut push = |budget, figure, value, limit| {
        verdicts.push(Verdict {
            budget,
            figure,
            value,
            limit,
        });
    };
    if let (Some(bare), Some(floor), Some(coord), Some(auto)) = (
        get("tracking", "bare"),
        get("tracking", "floor"),
        get("tracking", "coord"),
        get("tracking", "autometrics"),
    ) {
        let (coord, floor, auto) = (coord - bare, floor - bare, auto - bare);
        push(
            "`#[track_performance]` overhead ≤ 1.25× the hand-written floor's",
            Figure::Times,
            coord / floor,
            1.25,
        );
        push(
            "`#[track_performance]` overhead ≤ 1/5 of `#[autometrics]`'s",
            Figure::OneIn,
            auto / coord,
            5.0,
        );
    }
    if let (Some(bare), Some(coord), Some(failsafe)) = (
        get("breaker", "bare"),
        get("breaker", "coord"),
        get("breaker", "failsafe"),
    ) {
        let (coord, failsafe) = (coord - bare, failsafe - bare);
        push(
            "breaker closed path adds ≤ 15 ns",
            Figure::AddedNs,
            coord,
            15.0,
        );
        push(
            "breaker closed path ≤ 1/2 of failsafe's",
            Figure::OneIn,
            failsafe / coord,
            2.0,
        );
    }
    if let (Some(bare), Some(coord)) = (get("retry", "bare"), get("retry", "coord")) {
        push(
            "retry with no failure adds ≤ 2 ns",
            Figure::AddedNs,
            coord - bare,
            2.0,
        );
    }
    // Not a budget of the issue: the same bound applied to the least any counting wrapper
    // costs, which tells whether the retry budget is reachable on this host at all.
    if let (Some(bare), Some(floor)) = (get("retry", "bare"), get("retry", "counted_floor")) {
        push(
            "(reference) a wrapper that only counts the call adds ≤ 2 ns",
            Figure::AddedNs,
            floor - bare,
            2.0,
        );
    }
    if let (Some(coord), Some(to_value), Some(prebuilt)) = (
        get("validation_valid", "coord_api"),
        get("validation_valid", "jsonschema_to_value"),
        get("validation_valid", "jsonschema_prebuilt_is_valid"),
    ) {
        push(
            "valid input: `coord::validate` ≤ 1/4 of `to_value` + jsonschema",
            Figure::OneIn,
            to_value / coord,
            4.0,
        );
        push(
            "valid input: `coord::validate` ≤ 1× jsonschema `is_valid` on a pre-built `Value`",
            Figure::Times,
            coord / prebuilt,
            1.0,
        );
    }
    if let (Some(derive), Some(validator)) = (
        get("validation_valid", "coord_derive"),
        get("validation_valid", "validator"),
    ) {
        push(
            "valid input: `#[derive(coord::Validate)]` ≤ 1× `validator`'s derive, same struct",
            Figure::Times,
            derive / validator,
            1.0,
        );
    }
    for (path, budget) in [
        (
            "tracked",
            "2 threads ≥ 1.6× the throughput of 1, tracked fn",
        ),
        (
            "breaker",
            "2 threads ≥ 1.6× the throughput of 1, breaker path",
        ),
    ] {
        if let (Some(one), Some(two)) = (
            get("contention", &format!("{path}/1_threads")),
            get("contention", &format!("{path}/2_threads")),
        ) {
            // Each thread makes the same number of calls per iteration.
            push(budget, Figure::Scaling, 2.0 * one / two, 1.6);
        }
    }
    verdicts
}

/// The budgets of every run side by side; the verdict is on the median of the runs' figures,
/// since a shared machine's speed can drift between two benchmarks of one run.
fn print_budgets(runs: &[Vec<Verdict>]) {
    let Some(first) = runs.first() else { return };
    print!("| budget |");
    for n in 1..=runs.len() {
        print!(" run {n} |");
    }
    println!(" median | verdict |");
    print!("| --- |");
    for _ in 0..=runs.len() {
        print!(" ---: |");
    }
    println!(" --- |");
    for (index, budget) in first.iter().enumerate() {
        let mut values: Vec<f64> = runs
            .iter()
            .filter_map(|run| run.get(index).map(|verdict| verdict.value))
            .collect();
        print!("| {} |", budget.budget);
        for run in runs {
            let cell = run.get(index).map_or_else(String::new, |verdict| {
                let shown = verdict.figure.show(verdict.value);
                if verdict.met() {
                    shown
                } else {
                    format!("*{shown}*")
                }
            });
            print!(" {cell} |");
        }
        values.sort_by(f64::total_cmp);
        let median = values[values.len() / 2];
        let met_in = runs
            .iter()
            .filter(|run| run.get(index).is_some_and(Verdict::met))
            .count();
        let verdict = if budget.figure.meets(median, budget.limit) {
            "met"
        } else {
            "**missed**"
        };
        println!(
            " {} | {verdict}; met in {met_in} of {} runs |",
            budget.figure.show(median),
            runs.len()
        );
    }
}

fn main() -> ExitCode {
    // Each argument is the criterion directory of one run (`benchmarks/run.sh` keeps them);
    // without arguments, the last run's `target/criterion`.
    let mut dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs.push(criterion_dir());
    }
    let mut runs = Vec::new();
    for dir in &dirs {
        let mut medians = Medians::new();
        if let Err(err) = collect(dir, &mut medians) {
            eprintln!(
                "bench-table: cannot read {}: {err} (run `cargo bench -p coord-benchmarks` first)",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
        runs.push(medians);
    }
    let Some(medians) = runs.last() else {
        return ExitCode::FAILURE;
    };
    println!(
        "## Medians of run {}\n\nTimes per call; `× bare` and `added to bare` against the group's bare function.",
        runs.len()
    );
    for (group, functions) in medians {
        print_group(group, functions);
    }
    println!("\n## Scaling from 1 to 2 threads, run {}\n", runs.len());
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
    println!("Figures outside a budget are in italics.\n");
    let verdicts: Vec<Vec<Verdict>> = runs.iter().map(verdicts).collect();
    print_budgets(&verdicts);
    ExitCode::SUCCESS
}
