#!/usr/bin/env bash
# Measures the capturing receiver and replay on loopback:
#   1. `ciosim record` capacity with signed bodies (needs `hey`: go install github.com/rakyll/hey@latest),
#      for --fsync always and never: requests/s and latency percentiles;
#   2. replay pacing error p50/p99 at --speed 1 over 1,000 events (Go benchmark, real clock);
#   3. peak RSS of `ciosim replay --speed max` over a recording of SIZE_MB (default 1024) MiB.
# Usage: scripts/bench-record.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/ciosim" .
hey=$(command -v hey || echo "$(go env GOPATH)/bin/hey")

# A tiny sink that accepts and discards, for replay.
mkdir "$work/sink" && cat > "$work/sink/main.go" <<'GO'
package main

import ("io"; "net/http"; "os")

func main() {
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
}
GO
(cd "$work/sink" && go mod init sink >/dev/null 2>&1 && go build -o "$work/sinkbin" .)

"$work/ciosim" generate --type email --metric delivered --count 1 --seed 1 | head -c -1 > "$work/body.json"
key=bench-key
ts=$(date +%s)
sig=$(printf 'v0:%s:%s' "$ts" "$(cat "$work/body.json")" | openssl dgst -sha256 -hmac "$key" -r | cut -d' ' -f1)

if [ -x "$hey" ]; then
  for mode in always never; do
    CIOSIM_SIGNING_KEY=$key "$work/ciosim" record --listen 127.0.0.1:18787 --dir "$work/rec-$mode" \
      --fsync "$mode" --require-signature > /dev/null 2>&1 &
    pids+=($!)
    sleep 1
    "$hey" -n 2000 -c 50 -m POST -T application/json -H "X-CIO-Timestamp: $ts" -H "X-CIO-Signature: $sig" \
      -D "$work/body.json" http://127.0.0.1:18787/ > /dev/null
    echo "== record --fsync $mode (50 connections, 10 s)"
    "$hey" -z 10s -c 50 -m POST -T application/json -H "X-CIO-Timestamp: $ts" -H "X-CIO-Signature: $sig" \
      -D "$work/body.json" http://127.0.0.1:18787/ | grep -E 'Requests/sec|50%|95%|99%|responses'
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  done
else
  echo "hey not found: skipping receiver capacity"
fi

echo "== replay pacing at --speed 1, 1,000 events"
go test ./pipeline -run '^$' -bench ReplayPacing -benchtime 1x -count 3

echo "== replay RSS over ${size_mb} MiB"
line=$(ls "$work"/rec-always/*.jsonl 2>/dev/null | head -1)
if [ -z "$line" ]; then
  "$work/ciosim" generate --all --count 2000 --seed 3 > "$work/events.jsonl"
  src="$work/events.jsonl"
else
  src=$line
fi
while [ "$(stat -c %s "$work/big.jsonl" 2>/dev/null || echo 0)" -lt $((size_mb << 20)) ]; do cat "$src" >> "$work/big.jsonl"; done
ls -la "$work/big.jsonl"
"$work/sinkbin" 127.0.0.1:18788 &
pids+=($!)
sleep 1
/usr/bin/time -f "peak RSS: %M KB, wall %e s" "$work/ciosim" replay "$work/big.jsonl" --to http://127.0.0.1:18788/ --speed max > /dev/null
