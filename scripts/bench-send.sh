#!/usr/bin/env bash
# Measures `ciosim send --concurrency 32` next to the HTTP load generators wrk, hey and vegeta,
# run alternately (ciosim, peer, ciosim, peer, ...) so that load from other processes on the
# machine hits them alike, and prints each pair's ratios and their medians:
#   events/s ratio   = ciosim events/s ÷ peer requests/s (wall time of each process)
#   CPU/request ratio = ciosim (user+sys)/event ÷ peer (user+sys)/request (from /usr/bin/time)
# Two targets:
#   ok     a trivial Go server that reads the body and answers 200 (scripts/okserver): the
#          client's own cost (issue 17: goal ≥ 0.9× wrk's events/s, CPU/request ≤ hey's);
#   serve  `ciosim serve`, the emulator, next to hey against the same inlet, send with its
#          delivery journal (the default) and with --no-journal (issue 10: the journal costs
#          ≤ 5 %).
# Usage: scripts/bench-send.sh [COUNT] [PAIRS]     (default 100000 events, 3 pairs)
#   PART=ok|serve|all     which target (default all)
#   BEFORE=<commit>       also builds that commit's ciosim and runs its send in every pair
#   CONC=32               concurrency of every tool
# Installs what is missing: wrk (apt-get), hey and vegeta (go install). Needs python3, curl
# and /usr/bin/time (GNU time). Loopback only. Takes about 5 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
pairs=${2:-3}
part=${PART:-all}
conc=${CONC:-32}
gobin=$(go env GOPATH)/bin
export PATH="$PATH:$gobin"

command -v /usr/bin/time >/dev/null || { echo "bench-send: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 || echo "bench-send: wrk not installed; skipping it" >&2
fi
command -v hey >/dev/null || go install github.com/rakyll/hey@latest
command -v vegeta >/dev/null || go install github.com/tsenart/vegeta/v12@latest

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/ciosim" .
go build -o "$work/okserver" ./scripts/okserver
if [ -n "${BEFORE:-}" ]; then
  mkdir "$work/before-src"
  git archive "$BEFORE" | tar -x -C "$work/before-src"
  (cd "$work/before-src" && go build -o "$work/ciosim-before" .)
  echo "before: $(git rev-parse --short "$BEFORE"), after: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
fi
"$work/ciosim" generate --all --count "$count" --seed 7 --start 2026-03-01T00:00:00Z --out "$work/events.jsonl" 2>/dev/null
head -1 "$work/events.jsonl" > "$work/one.json"
python3 - "$work/one.json" "$work/post.lua" <<'P'
import json, sys
body = open(sys.argv[1]).read().rstrip("\n")
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
P
results="$work/results.tsv"
: > "$results"

# measure TARGET PAIR TOOL N CMD...: runs CMD under /usr/bin/time; N is its request count
# ("-" when the tool reports it: wrk, vegeta). Appends "target pair tool requests wall cpu".
measure() {
  local target=$1 pair=$2 tool=$3 n=$4; shift 4
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || true
  read -r wall user sys rss < <(tail -1 "$work/time")
  case $n in
    wrk) n=$(awk '/requests in/ {print $1}' "$work/out") ;;
    vegeta) n=$(vegeta report -type=json < "$work/out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["requests"] if r["status_codes"].get("200")==r["requests"] else 0)') ;;
    send) n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["delivered"])' "$work/out") ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$pair" "$tool" "$n" "$wall" "$(python3 -c "print($user+$sys)")" >> "$results"
  printf '  %-22s %8d requests %7.2f s wall %6.2f s CPU  %8.0f /s  %5.1f µs CPU/request  RSS %d KB\n' \
    "$tool" "$n" "$wall" "$(python3 -c "print($user+$sys)")" "$(python3 -c "print($n/max($wall,1e-9))")" \
    "$(python3 -c "print(($user+$sys)/max($n,1)*1e6)")" "$rss"
}

send_cmd() { # BIN URL FLOW [flags...]
  local bin=$1 url=$2 flow=$3; shift 3
  echo "$bin" send "$work/events.jsonl" --to "$url" --flow-id "$flow" --concurrency "$conc" --report json \
    --no-progress --dead-letter "$work/dl.jsonl" "$@"
}

if [ "$part" = all ] || [ "$part" = ok ]; then
  "$work/okserver" > "$work/ok.addr" & pids+=($!)
  until [ -s "$work/ok.addr" ]; do sleep 0.1; done
  ok=$(head -1 "$work/ok.addr")
  inlet="$ok/collection/c10519e0"
  url="$inlet?x-adobe-flow-id=f1"
  printf '{"method":"POST","url":"%s","body":"%s","header":{"Content-Type":["application/json"]}}\n' "$url" \
    "$(base64 -w0 < "$work/one.json")" > "$work/targets.json"
  echo "== target ok: trivial Go 200 server ($ok), $count events, c=$conc"
  for r in $(seq "$pairs"); do
    echo "pair $r"
    measure ok "$r" send send $(send_cmd "$work/ciosim" "$inlet" f1)
    dur=$(python3 -c "print(max(3, round(float('$(tail -1 "$results" | cut -f5)'))))")
    if [ -n "${BEFORE:-}" ]; then measure ok "$r" send-before send $(send_cmd "$work/ciosim-before" "$inlet" f1); fi
    if command -v wrk >/dev/null; then measure ok "$r" wrk wrk wrk -t2 -c"$conc" -d"${dur}s" -s "$work/post.lua" "$url"; fi
    measure ok "$r" hey "$count" hey -n "$count" -c "$conc" -m POST -T application/json -D "$work/one.json" "$url"
    measure ok "$r" vegeta vegeta vegeta attack -format=json -targets="$work/targets.json" -rate=0 \
      -workers="$conc" -max-workers="$conc" -duration="${dur}s"
  done
fi

if [ "$part" = all ] || [ "$part" = serve ]; then
  "$work/ciosim" serve --listen 127.0.0.1:0 > "$work/serve.log" 2>&1 & pids+=($!)
  until grep -q "raw (Customer.io webhook URL)" "$work/serve.log" 2>/dev/null; do sleep 0.1; done
  base=$(head -1 "$work/serve.log" | awk '{print $NF}')
  inlet="$base/collection/c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0"
  flow=c105e000-0000-4000-8000-000000000001
  echo "== target serve: ciosim serve ($base), $count events, c=$conc"
  for r in $(seq "$pairs"); do
    echo "pair $r"
    curl -s -X POST "$base/emulator/reset" >/dev/null
    measure serve "$r" send send $(send_cmd "$work/ciosim" "$inlet" "$flow")
    curl -s -X POST "$base/emulator/reset" >/dev/null
    measure serve "$r" send-no-journal send $(send_cmd "$work/ciosim" "$inlet" "$flow" --no-journal)
    if [ -n "${BEFORE:-}" ]; then
      curl -s -X POST "$base/emulator/reset" >/dev/null
      measure serve "$r" send-before send $(send_cmd "$work/ciosim-before" "$inlet" "$flow")
    fi
    curl -s -X POST "$base/emulator/reset" >/dev/null
    measure serve "$r" hey "$count" hey -n "$count" -c "$conc" -m POST -T application/json -D "$work/one.json" "$inlet?x-adobe-flow-id=$flow"
  done
fi

python3 - "$results" <<'P'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {}
for target, pair, tool, n, wall, cpu in rows:
    n, wall, cpu = int(n), float(wall), float(cpu)
    by[(target, int(pair), tool)] = (n / wall if wall else 0, cpu / n if n else float("inf"))
print("\nmedians of per-pair ratios (events/s ratio: higher is better for ciosim; CPU/request ratio: lower is better)")
for target in ("ok", "serve"):
    pairs = sorted({p for t, p, _ in by if t == target})
    tools = sorted({x for t, _, x in by if t == target})
    for a in [x for x in tools if x.startswith("send")]:
        # each send against every peer, and the build's send against its variants
        for b in [x for x in tools if x != a and (not x.startswith("send") or a == "send")]:
            rs = [by[(target, p, a)][0] / by[(target, p, b)][0] for p in pairs if (target, p, a) in by and (target, p, b) in by and by[(target, p, b)][0]]
            cs = [by[(target, p, a)][1] / by[(target, p, b)][1] for p in pairs if (target, p, a) in by and (target, p, b) in by]
            if rs:
                print(f"  {target:5} {a:16} ÷ {b:16} events/s {st.median(rs):5.2f}×  CPU/request {st.median(cs):5.2f}×   (pairs: {' '.join(f'{x:.2f}' for x in rs)} | {' '.join(f'{x:.2f}' for x in cs)})")
    for x in tools:
        v = [by[(target, p, x)] for p in pairs if (target, p, x) in by]
        print(f"  {target:5} {x:16} median {st.median(r for r, _ in v):8.0f} /s  {st.median(c for _, c in v)*1e6:6.1f} µs CPU/request")
P
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
