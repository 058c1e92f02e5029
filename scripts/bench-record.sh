#!/usr/bin/env bash
# Measures the capturing receiver on loopback:
#   1. `ciosim record --require-signature` with signed bodies against a plain Go server that
#      appends each body as a line to a file (same fsync policy: group commit for "always"),
#      alternately (record, plain, record, plain, ...), `hey -n REQUESTS -c 64` each run, for
#      --fsync always and never: requests/s, the server's CPU seconds (user+sys,
#      /usr/bin/time) and peak RSS, per pair and the medians of the ratios;
#   2. replay pacing error p50/p99 at --speed 1 over 1,000 events (Go benchmark, real clock);
#   3. with SIZE_MB > 0, peak RSS of `ciosim replay --speed max` over a recording that large.
# Usage: scripts/bench-record.sh [REQUESTS [PAIRS [SIZE_MB]]]   (default 100000 3 0)
#   BEFORE=/path/to/other/ciosim also runs that build's record in each pair.
# Needs hey (go install github.com/rakyll/hey@latest) and openssl. Loopback only, bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-100000}
pairs=${2:-3}
size_mb=${3:-0}
conc=64
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/ciosim" .
hey=$(command -v hey || echo "$(go env GOPATH)/bin/hey")

# The peer: a plain net/http server appending each body as one line, fsync by group commit.
mkdir "$work/plain" && cat > "$work/plain/main.go" <<'GO'
package main

import (
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
)

func main() {
	f, err := os.OpenFile(os.Args[2], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		panic(err)
	}
	fsync := os.Args[3] == "always"
	var (
		mu      sync.Mutex
		written atomic.Uint64
		smu     sync.Mutex
		cond    = sync.NewCond(&smu)
		durable uint64
		syncing bool
	)
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			return // the script's readiness probe
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		_, err = f.Write(append(body, '\n'))
		seq := written.Add(1)
		mu.Unlock()
		if err != nil {
			w.WriteHeader(500)
			return
		}
		if fsync {
			smu.Lock()
			for durable < seq {
				if syncing {
					cond.Wait()
					continue
				}
				syncing = true
				target := written.Load()
				smu.Unlock()
				f.Sync()
				smu.Lock()
				syncing = false
				durable = max(durable, target)
				cond.Broadcast()
			}
			smu.Unlock()
		}
		w.WriteHeader(200)
	}))
}
GO
(cd "$work/plain" && go mod init plain >/dev/null 2>&1 && go build -o "$work/plainbin" .)

"$work/ciosim" generate --type email --metric delivered --count 1 --seed 1 | head -c -1 > "$work/body.json"
key=bench-key
port=18787

# serve NAME CMD...: starts the server CMD under /usr/bin/time; stop NAME ends it.
start() {
  local name=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$work/$name.t" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  server=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
}
stop() { kill -TERM "$(pgrep -P "$server")" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
load() {
  # signed afresh for each run: the receiver refuses timestamps over 5 minutes old
  ts=$(date +%s)
  sig=$(printf 'v0:%s:%s' "$ts" "$(cat "$work/body.json")" | openssl dgst -sha256 -hmac "$key" -r | cut -d' ' -f1)
  "$hey" -n "$requests" -c "$conc" -m POST -T application/json -H "X-CIO-Timestamp: $ts" -H "X-CIO-Signature: $sig" \
    -D "$work/body.json" "http://127.0.0.1:$port/" > "$work/hey.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/hey.out")
  codes=$(grep -E '^\s+\[[0-9]+\]' "$work/hey.out" | tr -s ' ' | tr '\n' ' ')
}

for mode in always never; do
  echo "== --fsync $mode: $requests signed requests, hey -c $conc"
  ratios=()
  for p in $(seq "$pairs"); do
    for who in ${BEFORE:+before} record plain; do
      rm -rf "$work/dir"; mkdir -p "$work/dir"
      case $who in
        record|before)
          bin=$work/ciosim; [ "$who" = before ] && bin=$BEFORE
          CIOSIM_SIGNING_KEY=$key start "$who" "$bin" record --listen "127.0.0.1:$port" --dir "$work/dir" \
            --fsync "$mode" --require-signature ;;
        plain) start plain "$work/plainbin" "127.0.0.1:$port" "$work/dir/plain.jsonl" "$mode" ;;
      esac
      load
      stop
      lines=$(cat "$work"/dir/*.jsonl | wc -l)
      cpu=$(tail -1 "$work/$who.t" | awk '{printf "%.2f", $1+$2}')
      echo "pair $p $who: $rps req/s, server CPU $cpu s, peak RSS $(tail -1 "$work/$who.t" | awk '{print $3}') KB, $lines lines stored, statuses $codes"
      eval "rps_$who=$rps cpu_$who=$cpu"
    done
    r="$(python3 -c "print(f'{$rps_record/$rps_plain:.2f} {$cpu_plain/$cpu_record:.2f}')")"
    echo "pair $p ratio record ÷ plain: req/s $(echo "$r" | cut -d' ' -f1)×, CPU per request (plain's ÷ record's) $(echo "$r" | cut -d' ' -f2)×"
    ratios+=("$r")
  done
  printf '%s\n' "${ratios[@]}" | python3 -c '
import sys, statistics
rs = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(f"median record ÷ plain: req/s {statistics.median(r[0] for r in rs):.2f}×, CPU efficiency {statistics.median(r[1] for r in rs):.2f}×")'
done

echo "== replay pacing at --speed 1, 1,000 events"
go test ./pipeline -run '^$' -bench ReplayPacing -benchtime 1x -count 3 | grep -E 'Benchmark|ok'

if [ "$size_mb" -gt 0 ]; then
  echo "== replay RSS over ${size_mb} MiB"
  mkdir "$work/sink" && cat > "$work/sink/main.go" <<'GO'
package main

import ("io"; "net/http"; "os")

func main() {
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
}
GO
  (cd "$work/sink" && go mod init sink >/dev/null 2>&1 && go build -o "$work/sinkbin" .)
  "$work/ciosim" generate --all --count 2000 --seed 3 > "$work/events.jsonl"
  while [ "$(stat -c %s "$work/big.jsonl" 2>/dev/null || echo 0)" -lt $((size_mb << 20)) ]; do cat "$work/events.jsonl" >> "$work/big.jsonl"; done
  "$work/sinkbin" 127.0.0.1:18788 & pids+=($!)
  sleep 1
  /usr/bin/time -f "peak RSS: %M KB, wall %e s" "$work/ciosim" replay "$work/big.jsonl" --to http://127.0.0.1:18788/ --speed max > /dev/null
fi
