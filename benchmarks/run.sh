#!/usr/bin/env bash
# Runs every benchmark group RUNS times (default 3), keeping each run's criterion results, then
# prints BENCHMARKS.md's tables: the last run's medians and every budget over all runs. On a
# shared machine a drift in speed can fall between two benchmarks of one run; the median over
# runs is what the verdicts use.
#
#   bash benchmarks/run.sh [RUNS]      # from the workspace root; about 3.5 minutes per run
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3}
kept=target/criterion-runs
rm -rf "$kept"
mkdir -p "$kept"
for ((n = 1; n <= runs; n++)); do
    rm -rf target/criterion
    cargo bench --quiet -p coord-benchmarks >/dev/null
    mv target/criterion "$kept/$n"
done
dirs=()
for ((n = 1; n <= runs; n++)); do dirs+=("$kept/$n"); done
cargo run --quiet -p coord-benchmarks --release --bin bench-table -- "${dirs[@]}"
