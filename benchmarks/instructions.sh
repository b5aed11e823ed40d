#!/usr/bin/env bash
# Instructions per call of each benchmarked path, counted by callgrind inside the benchmark
# loop only (`counted_calls`, main thread only). Repeatable whatever else the machine is doing,
# unlike time; prints two Markdown tables for BENCHMARKS.md (hot paths against the bare
# function, valid-input validation against coord).
#
#   bash benchmarks/instructions.sh        # from the workspace root; CALLS=10000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${CALLS:-10000}
cargo build --quiet --release -p coord-benchmarks --bin instructions
bin=target/release/instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

per_call() { # path -> instructions per call, loop included
    rm -f "$out"/cg.*
    valgrind --tool=callgrind --separate-threads=yes --toggle-collect='*counted_calls*' \
        --callgrind-out-file="$out/cg.%p" "$bin" "$1" "$calls" >/dev/null 2>&1
    # The main thread's file is the one ending in -01.
    local total
    total=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$out"/cg.*-01)
    echo $((total / calls))
}

bare=$(per_call bare)
echo "| path | instructions per call | added to bare ($bare, loop included) |"
echo "| --- | ---: | ---: |"
for path in tracking_coord api_tracked api_tracked_by_name breaker_coord breaker_failsafe \
    retry_coord retry_counted_floor retry_backon api_retry; do
    n=$(per_call "$path")
    echo "| $path | $n | $((n - bare)) |"
done

echo
echo "| validation path, valid input | instructions per call | × coord_api |"
echo "| --- | ---: | ---: |"
coord=""
for path in coord_api coord_attribute jsonschema_to_value jsonschema_prebuilt \
    jsonschema_prebuilt_is_valid validator; do
    n=$(per_call "$path")
    [ -z "$coord" ] && coord=$n
    ratio=$(awk -v a="$n" -v b="$coord" 'BEGIN { printf "%.2f", a / b }')
    echo "| $path | $n | ${ratio}× |"
done
