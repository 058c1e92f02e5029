#!/usr/bin/env bash
# Runs every scripts/bench-*.sh that measures ciosim against a peer (generate, transform,
# send, replay, record), one after the other on the same machine, keeps each full log in
# OUT (default bench-all.<date>/), and prints the summary lines of each (medians, ratios,
# peak RSS) at the end, so that the whole table of issue 17 comes from one run.
#
# Usage: scripts/bench-all.sh [SCALE]
#   SCALE=full   (default) the sizes issue 17 names: 10⁶ events for generate and transform,
#                10⁵ for send, replay and record, 3 pairs each (about 25 minutes when quiet)
#   SCALE=quick  10⁵ / 2×10⁴ events, 3 pairs (a few minutes; ratios only indicative)
# Environment: OUT=dir for the logs. Each script's own environment variables still apply.
# Needs what the scripts need: jq, wrk, hey, vegeta, python3, curl, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-full}
case "$scale" in
  full)  big=1000000 small=100000 ;;
  quick) big=100000 small=20000 ;;
  *) echo "bench-all: SCALE is full or quick, not $scale" >&2; exit 2 ;;
esac
out=${OUT:-bench-all.$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
echo "bench-all: $scale scale, logs in $out; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), main at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

run() { # run NAME SCRIPT ARGS...: runs one script, its log to $out/NAME.log
  local name=$1; shift
  echo "== $name: $* ($(date -u +%H:%M:%S))"
  if ! "$@" > "$out/$name.log" 2>&1; then
    echo "bench-all: $name failed; its log: $out/$name.log" >&2
    tail -5 "$out/$name.log" >&2
    return 1
  fi
}

status=0
NOBENCH=1 run generate scripts/bench-generate.sh "$big" 3 "$small" "$big" || status=1
NOBENCH=1 PAIRS=3 run transform scripts/bench-transform.sh "$big" || status=1
run send scripts/bench-send.sh "$small" 3 || status=1
run replay scripts/bench-replay.sh "$small" 3 || status=1
run record scripts/bench-record.sh "$small" 3 || status=1

echo
echo "== summary (load now $(cut -d' ' -f1-3 /proc/loadavg))"
for name in generate transform send replay record; do
  [ -f "$out/$name.log" ] || continue
  echo "-- $name"
  grep -E 'median|÷|cost over|peak RSS|ratio|^==| KB' "$out/$name.log" | grep -v '^pair ' | grep -v '^  ' || true
  grep -E '^  ok .*÷' "$out/$name.log" || true
done
exit $status
