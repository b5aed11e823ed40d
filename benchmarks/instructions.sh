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
for path in coord_api coord_attribute coord_derive jsonschema_to_value jsonschema_prebuilt \
    jsonschema_prebuilt_is_valid validator; do
    n=$(per_call "$path")
    [ -z "$coord" ] && coord=$n
    ratio=$(awk -v a="$n" -v b="$coord" 'BEGIN { printf "%.2f", a / b }')
    echo "| $path | $n | ${ratio}× |"
done

echo
echo "| resilience path | instructions per call | added to its base |"
echo "| --- | ---: | ---: |"
async_bare=$(per_call async_bare)
async_retry=$(per_call async_retry)
sync_retry=$(per_call sync_retry)
tower_base=$(per_call tower_base)
row() { # path base-name base
    local n
    n=$(per_call "$1")
    echo "| $1 | $n | $((n - $3)) over $2 |"
}
row timeout_tokio async_bare "$async_bare"
row timeout_coord async_bare "$async_bare"
row async_bulkhead async_retry "$async_retry"
row async_rate_limit async_retry "$async_retry"
row sync_bulkhead sync_retry "$sync_retry"
row sync_rate_limit sync_retry "$sync_retry"
row tower_concurrency_limit tower_base "$tower_base"
row tower_rate_limit tower_base "$tower_base"
row tower_resilience_bulkhead tower_base "$tower_base"
row tower_resilience_rate_limiter tower_base "$tower_base"
