#!/usr/bin/env bash
# Measures `ciosim send --concurrency C` against `ciosim serve` (no faults) on N events, next to
# vegeta and hey sending the same requests at the same concurrency. Rounds alternate the tools
# so that load from other processes on the machine hits them alike.
# Usage: scripts/bench-send.sh [COUNT] [CONCURRENCY] [ROUNDS]   (default 100000 32 3)
# BEFORE=/path/to/an/older/ciosim also runs that binary's send in each round (for before/after);
# send runs twice per round, with its delivery journal (the default) and with --no-journal.
# Needs: vegeta and/or hey on PATH (go install github.com/tsenart/vegeta/v12@latest,
# go install github.com/rakyll/hey@latest), python3 (to write vegeta's targets), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
conc=${2:-32}
rounds=${3:-3}
work=$(mktemp -d)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/ciosim" .
"$work/ciosim" generate --all --count "$count" --seed 7 --out "$work/events.jsonl" 2>/dev/null
"$work/ciosim" serve --listen 127.0.0.1:0 > "$work/serve.log" 2>&1 &
serve_pid=$!
until [ -s "$work/serve.log" ]; do sleep 0.1; done
base=$(head -1 "$work/serve.log" | awk '{print $NF}')
inlet="$base/collection/c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0"
flow=c105e000-0000-4000-8000-000000000001
python3 - "$inlet?x-adobe-flow-id=$flow" "$work/events.jsonl" "$work/targets.jsonl" <<'P'
import sys, base64, json
url, src, dst = sys.argv[1:]
with open(src, 'rb') as f, open(dst, 'w') as o:
    for line in f:
        o.write(json.dumps({"method": "POST", "url": url, "body": base64.b64encode(line.rstrip(b"\n")).decode(),
                            "header": {"Content-Type": ["application/json"]}}) + "\n")
P
sed -n 1p "$work/events.jsonl" > "$work/one.json"
for r in $(seq "$rounds"); do
  curl -s -X POST "$base/emulator/reset"
  for variant in ${BEFORE:+before} journal no-journal; do
    bin="$work/ciosim"; extra=()
    case $variant in
      before) bin=$BEFORE ;;
      no-journal) extra=(--no-journal) ;;
    esac
    curl -s -X POST "$base/emulator/reset"
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" send "$work/events.jsonl" --to "$inlet" --flow-id "$flow" \
      --concurrency "$conc" --report json --no-progress --dead-letter "$work/dl.jsonl" "${extra[@]}" > "$work/send.json" || true
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f'round $r ciosim send ($variant): {r[\"delivered\"]} delivered, {r[\"events_per_s\"]:.0f} events/s, p50 {r[\"latency_ms\"][\"p50\"]}ms p99 {r[\"latency_ms\"][\"p99\"]}ms, peak RSS ' + open(sys.argv[2]).read().strip() + ' KB')" "$work/send.json" "$work/rss"
  done
  if command -v vegeta >/dev/null; then
    curl -s -X POST "$base/emulator/reset"
    # vegeta has no request count: run for about as long as send took and compare rates.
    dur=$(python3 -c "import json; print(max(3, round(json.load(open('$work/send.json'))['elapsed_s'])))")
    /usr/bin/time -f "%M" -o "$work/rss" vegeta attack -format=json -targets="$work/targets.jsonl" -rate=0 \
      -max-workers="$conc" -workers="$conc" -duration="${dur}s" > "$work/veg.bin"
    echo "round $r vegeta: $(vegeta report < "$work/veg.bin" | grep -E '^Requests' | awk '{print $(NF-1)}' | tr -d ,) req/s, peak RSS $(cat "$work/rss") KB"
  fi
  if command -v hey >/dev/null; then
    curl -s -X POST "$base/emulator/reset"
    echo "round $r hey (one body repeated): $(hey -n "$count" -c "$conc" -m POST -T application/json -D "$work/one.json" "$inlet?x-adobe-flow-id=$flow" | grep Requests/sec | awk '{print $2}') req/s"
  fi
done
