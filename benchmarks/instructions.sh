#!/usr/bin/env bash
# Instructions per call of each benchmarked path, counted by callgrind: the run with CALLS calls
# minus the run with none, divided by CALLS. Repeatable whatever else the machine is doing,
# unlike time; prints two Markdown tables for BENCHMARKS.md (hot paths against the bare function,
# valid-input validation against coord).
#
#   bash benchmarks/instructions.sh        # from the workspace root; CALLS=20000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${CALLS:-20000}
cargo build --quiet --release -p coord-benchmarks --bin instructions
bin=target/release/instructions

per_call() { # path -> instructions per call
    local base full
    base=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" 0 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    full=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$calls" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo $(((full - base) / calls))
}

bare=$(per_call bare)
echo "| path | instructions per call | added to bare ($bare) |"
echo "| --- | ---: | ---: |"
for path in tracking_coord breaker_coord breaker_failsafe retry_coord retry_backon; do
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
