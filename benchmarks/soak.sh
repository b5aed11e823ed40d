#!/usr/bin/env bash
# Soak check: runs the service example for 60 s under its built-in load and samples its resident
# memory every 5 s, printing a Markdown table for BENCHMARKS.md. Memory that keeps growing would
# mean something (histogram samples, per-thread counts, breaker windows) is never drained.
#
#   bash benchmarks/soak.sh            # from the workspace root
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${SOAK_SECONDS:-60}
cargo build --quiet --release --example service
./target/release/examples/service --duration "$duration" --listen 127.0.0.1:0 >/tmp/coord-soak.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

echo "| seconds | resident memory (KiB) | requests so far |"
echo "| ---: | ---: | ---: |"
for ((t = 0; t <= duration; t += 5)); do
    rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    [ -z "$rss" ] && break
    requests=$(grep -o 'requests= *[0-9]*' /tmp/coord-soak.log | tail -1 | tr -dc '0-9' || true)
    echo "| $t | $rss | ${requests:-0} |"
    sleep 5
done
wait $pid
