#!/usr/bin/env bash
# Measures `ciosim transform` throughput on one core for each built-in mapping set, on COUNT
# generated events (the generation is done first and not timed), then runs the xdm benchmarks.
# Usage: scripts/bench-transform.sh [COUNT]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/ciosim
go build -o "$bin" .
"$bin" generate --all --count "$count" --seed 1 --start 2026-03-01T00:00:00Z > "$tmp/events.jsonl"
for mapping in experience-event tutorial; do
  start=$(date +%s.%N)
  GOMAXPROCS=1 taskset -c 0 "$bin" transform "$tmp/events.jsonl" --mapping "$mapping" > /dev/null
  end=$(date +%s.%N)
  awk -v n="$count" -v s="$start" -v e="$end" -v m="$mapping" 'BEGIN { printf "%s: %d events in %.2f s = %.0f events/s\n", m, n, e-s, n/(e-s) }'
done
go test ./xdm -run '^$' -bench . -benchtime 2s
