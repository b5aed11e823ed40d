#!/usr/bin/env bash
# Fuzzes coord's rule file loader and configuration file loader with cargo-fuzz (libFuzzer),
# SECONDS each (default 600), starting from the committed seeds in fuzz/seeds/. What libFuzzer
# finds goes to fuzz/corpus/ (new inputs) and fuzz/artifacts/ (crashes, hangs, out-of-memory),
# both ignored by git: a crash found becomes a regression test in tests/, not a file here.
#
#   cargo install cargo-fuzz      # once
#   bash fuzz/run.sh [SECONDS]
#
# `-s none`: the toolchain is stable, and AddressSanitizer needs nightly. The targets are safe
# Rust; what is looked for is a panic, a hang (-timeout) or unbounded memory (-rss_limit_mb).
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-600}
for target in rules_loader config_loader; do
    mkdir -p "corpus/$target" "artifacts/$target"
    cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target/" -print_final_stats=1
done
