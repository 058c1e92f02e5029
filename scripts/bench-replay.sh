#!/usr/bin/env bash
# Measures `ciosim replay --speed max` of COUNT captures into `ciosim serve` against vegeta
# sending the same bodies with one worker (replay sends with one worker too), alternately
# (replay, vegeta, replay, vegeta, ...), and prints per pair the events/s and CPU seconds
# (user+sys, /usr/bin/time) of each, their ratios, and the medians. Then peak RSS (never
# measured inside timed tests): `ciosim replay FILE` with the embedded emulator, and
# `ciosim serve --record-budget BUDGET` after everything it received; and, with GROWTH set,
# replay's CPU seconds at each size (linear growth expected).
# Usage: scripts/bench-replay.sh [COUNT [PAIRS]]        (default 100000 3)
#   BEFORE=/path/to/other/ciosim   also runs that build's replay in each pair
#   BUDGET=64MiB                   serve's --record-budget
#   GROWTH="10000 100000 1000000"  replay sizes for the growth table (default: none)
# Needs vegeta (go install github.com/tsenart/vegeta/v12@latest), python3, curl.
# Loopback only; every load is bounded by COUNT.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
pairs=${2:-3}
budget=${BUDGET:-64MiB}
work=$(mktemp -d)
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
vegeta=$(command -v vegeta || echo "$(go env GOPATH)/bin/vegeta")
go build -o "$work/ciosim" .
max=$count
for n in ${GROWTH:-}; do [ "$n" -gt "$max" ] && max=$n; done
"$work/ciosim" generate --all --count "$max" --seed 7 --start 2026-03-01T00:00:00Z --out "$work/events.jsonl" 2>/dev/null
# Captures as the recorder writes them, 1 ms apart, with the signature headers it keeps.
python3 - "$work/events.jsonl" "$work/all.jsonl" <<'P'
import sys, datetime
src, dst = sys.argv[1:]
t0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
hdr = b'{"Content-Type":"application/json","User-Agent":"Customer.io Webhooks","X-Cio-Signature":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","X-Cio-Timestamp":"1772323200"}'
with open(src, 'rb') as f, open(dst, 'wb') as o:
    for i, line in enumerate(f):
        at = (t0 + datetime.timedelta(milliseconds=i)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
        o.write(b'{"received_at":"%s","method":"POST","path":"/webhook","query":"","headers":%s,"body":%s,"signature":"valid","redacted":false}\n'
                % (at.encode(), hdr, line.rstrip(b"\n")))
P
head -n "$count" "$work/all.jsonl" > "$work/captures.jsonl"

/usr/bin/time -v -o "$work/serve.time" "$work/ciosim" serve --listen 127.0.0.1:0 --record-budget "$budget" > "$work/serve.log" 2>&1 &
serve_pid=$!
until grep -q 'listening on' "$work/serve.log" 2>/dev/null; do sleep 0.1; done
base=$(head -1 "$work/serve.log" | awk '{print $NF}')
inlet="$base/collection/c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0"
flow=c105e000-0000-4000-8000-000000000001
python3 - "$inlet?x-adobe-flow-id=$flow" "$work/events.jsonl" "$work/targets.jsonl" "$count" <<'P'
import sys, base64, json
url, src, dst, n = sys.argv[1:]
with open(src, 'rb') as f, open(dst, 'w') as o:
    for i, line in enumerate(f):
        if i == int(n): break
        o.write(json.dumps({"method": "POST", "url": url, "body": base64.b64encode(line.rstrip(b"\n")).decode(),
                            "header": {"Content-Type": ["application/json"]}}) + "\n")
P

# run NAME CMD...: runs CMD under /usr/bin/time, prints "wall cpu rss" into $work/NAME.t
timed() { local name=$1; shift; /usr/bin/time -f "%e %U %S %M" -o "$work/$name.t" "$@"; }
wall() { awk '{print $1}' "$work/$1.t"; }
cpu() { awk '{printf "%.2f", $2+$3}' "$work/$1.t"; }
ratios=()
for p in $(seq "$pairs"); do
  for who in ${BEFORE:+before} replay; do
    bin=$work/ciosim; [ "$who" = before ] && bin=$BEFORE
    curl -s -X POST "$base/emulator/reset"
    timed "$who" "$bin" replay "$work/captures.jsonl" --speed max --to "$inlet" --flow-id "$flow" > /dev/null 2> "$work/$who.err" ||
      { tail -3 "$work/$who.err"; exit 1; }
    good=$(curl -s "$base/emulator/counts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["good"])')
    echo "pair $p $who: $good good, wall $(wall "$who") s, CPU $(cpu "$who") s, $(python3 -c "print(round($count/$(wall "$who")))") events/s"
  done
  curl -s -X POST "$base/emulator/reset"
  timed vegeta "$vegeta" attack -lazy -format=json -targets="$work/targets.jsonl" -rate=0 -workers=1 -max-workers=1 > "$work/veg.bin"
  good=$(curl -s "$base/emulator/counts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["good"])')
  echo "pair $p vegeta: $good good, wall $(wall vegeta) s, CPU $(cpu vegeta) s, $(python3 -c "print(round($count/$(wall vegeta)))") events/s"
  r=$(python3 -c "print(f'{$(wall vegeta)/$(wall replay):.2f} {$(cpu vegeta)/$(cpu replay):.2f}')")
  echo "pair $p ratio replay ÷ vegeta: events/s $(echo "$r" | cut -d' ' -f1)×, CPU per event (vegeta's ÷ replay's) $(echo "$r" | cut -d' ' -f2)×"
  ratios+=("$r")
done
printf '%s\n' "${ratios[@]}" | python3 -c '
import sys, statistics
rs = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(f"median replay ÷ vegeta: events/s {statistics.median(r[0] for r in rs):.2f}×, CPU efficiency {statistics.median(r[1] for r in rs):.2f}×")'

echo "== peak RSS"
timed embedded "$work/ciosim" replay "$work/captures.jsonl" --speed max > /dev/null 2> "$work/embedded.err" || { tail -3 "$work/embedded.err"; exit 1; }
echo "replay $count captures with the embedded emulator: $(awk '{print $4}' "$work/embedded.t") KB, wall $(wall embedded) s, CPU $(cpu embedded) s"
curl -s "$base/emulator/counts" | python3 -c 'import json,sys; c=json.load(sys.stdin); print("serve kept %d records, %d bytes (budget %s)" % (c["kept"], c["kept_bytes"], sys.argv[1]))' "$budget"
# /usr/bin/time ignores SIGINT while it waits: interrupt serve itself, its child.
kill -INT "$(pgrep -P "$serve_pid")"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
echo "ciosim serve --record-budget $budget after $(( pairs * 2 * count )) events: $(grep 'Maximum resident' "$work/serve.time" | awk '{print $NF}') KB"

if [ -n "${GROWTH:-}" ]; then
  echo "== growth: replay with the embedded emulator, CPU seconds by size"
  for n in $GROWTH; do
    head -n "$n" "$work/all.jsonl" > "$work/g.jsonl"
    timed g "$work/ciosim" replay "$work/g.jsonl" --speed max > /dev/null 2>&1
    echo "$n captures: CPU $(cpu g) s ($(python3 -c "print(f'{($(cpu g))/$n*1e6:.1f}')") µs/event), wall $(wall g) s, peak RSS $(awk '{print $4}' "$work/g.t") KB"
  done
fi
