#!/usr/bin/env bash
# Measures `ciosim generate` throughput on one core: events per second and peak RSS.
# Usage: scripts/bench-generate.sh [COUNT]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
bin=$(mktemp -d)/ciosim
go build -o "$bin" .
for run in 1 2 3; do
  start=$(date +%s.%N)
  GOMAXPROCS=1 "$bin" generate --all --count "$count" --seed "$run" > /dev/null
  end=$(date +%s.%N)
  awk -v n="$count" -v s="$start" -v e="$end" -v r="$run" 'BEGIN { printf "run %d: %d events in %.2f s = %.0f events/s\n", r, n, e-s, n/(e-s) }'
done
if command -v /usr/bin/time >/dev/null; then
  /usr/bin/time -f "peak RSS: %M KB" env GOMAXPROCS=1 "$bin" generate --all --count "$count" --seed 1 > /dev/null
fi
go test ./generator -run '^$' -bench . -benchtime 2s
rm -f "$bin"
