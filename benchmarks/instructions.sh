#!/usr/bin/env bash
# Instructions per call of each valid-input validation path, counted by callgrind: the run with
# CALLS calls minus the run with none, divided by CALLS. Repeatable whatever else the machine is
# doing, unlike time; prints a Markdown table for BENCHMARKS.md.
#
#   bash benchmarks/instructions.sh        # from the workspace root; CALLS=20000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${CALLS:-20000}
cargo build --quiet --release -p coord-benchmarks --bin instructions
bin=target/release/instructions

count() { # path calls -> instructions collected
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "| path | instructions per call | × coord_api |"
echo "| --- | ---: | ---: |"
coord=""
for path in coord_api coord_attribute jsonschema_to_value jsonschema_prebuilt \
    jsonschema_prebuilt_is_valid validator; do
    base=$(count "$path" 0)
    full=$(count "$path" "$calls")
    per_call=$(((full - base) / calls))
    [ -z "$coord" ] && coord=$per_call
    ratio=$(awk -v a="$per_call" -v b="$coord" 'BEGIN { printf "%.2f", a / b }')
    echo "| $path | $per_call | ${ratio}× |"
done
