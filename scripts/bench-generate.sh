#!/usr/bin/env bash
# Measures `ciosim generate` against its peer, `jq -c .` re-printing the same events: both
# write the same JSON lines to /dev/null, so the ratio says how far generating an event costs
# more or less than merely re-printing it. Runs alternate (ciosim, jq, ciosim, jq, ...) so
# that load on a shared machine hits both alike; the script prints each pair's ratio
# (ciosim events/s ÷ jq events/s) and the median of the ratios and of each side's events/s.
# CPU seconds (user + system) are printed too, with their ratio (jq CPU ÷ ciosim CPU): on a
# loaded machine they are steadier than wall time, and ciosim's wall ratio on an idle machine
# is about the CPU ratio times the cores it gets. Then: peak RSS (/usr/bin/time -v) of the catalog run and of a welcome-email scenario for
# each population in CUSTOMERS, and the generator's Go benchmarks.
#
# Usage: scripts/bench-generate.sh [COUNT [PAIRS [CUSTOMERS...]]]
#        defaults: COUNT 1000000, PAIRS 3, CUSTOMERS 100000 1000000
# Environment: CIOSIM=path uses that binary instead of building one (to compare builds);
#              GOMAXPROCS limits ciosim's cores (default: all; jq uses one).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
pairs=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
customers=("$@")
[ ${#customers[@]} -gt 0 ] || customers=(100000 1000000)
command -v jq >/dev/null || { echo "bench-generate: jq is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-generate: /usr/bin/time (GNU time) is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=${CIOSIM:-$tmp/ciosim}
[ -n "${CIOSIM:-}" ] || go build -o "$bin" .
gen=("$bin" generate --all --count "$count" --seed 1 --start 2026-03-01T00:00:00Z)
"${gen[@]}" > "$tmp/events.jsonl"
echo "generate --all --count $count vs jq -c . on the same $(wc -c < "$tmp/events.jsonl") bytes; $(nproc) cores, GOMAXPROCS=${GOMAXPROCS:-all}"

# secs CMD... runs CMD with stdout to /dev/null and prints its wall and CPU (user + system)
# seconds.
secs() {
  /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" > /dev/null
  awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$tmp/t"
}

: > "$tmp/runs"
for i in $(seq 1 "$pairs"); do
  read -r a ac <<< "$(secs "${gen[@]}")"
  read -r b bc <<< "$(secs jq -c . "$tmp/events.jsonl")"
  awk -v i="$i" -v n="$count" -v a="$a" -v b="$b" -v ac="$ac" -v bc="$bc" 'BEGIN {
    printf "pair %d: ciosim %.2f s (%.2f s CPU) = %.0f events/s; jq %.2f s (%.2f s CPU) = %.0f events/s; ratio %.2f (CPU %.2f)\n",
      i, a, ac, n/a, b, bc, n/b, b/a, bc/ac }'
  echo "$a $b $ac $bc" >> "$tmp/runs"
done
awk -v n="$count" '
  function median(v, k,   i, j, t) { for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return k % 2 ? v[(k+1)/2] : (v[k/2] + v[k/2+1]) / 2 }
  { k++; ca[k] = n/$1; jb[k] = n/$2; r[k] = $2/$1; rc[k] = $4/$3; cc[k] = n/$3 }
  END { printf "median: ciosim %.0f events/s, jq %.0f events/s, ratio %.2f (min %.2f, max %.2f over %d pairs)\n",
          median(ca, k), median(jb, k), median(r, k), r[1], r[k], k
        printf "median CPU: ciosim %.0f events per CPU second, ratio jq CPU / ciosim CPU %.2f (min %.2f, max %.2f)\n",
          median(cc, k), median(rc, k), rc[1], rc[k] }' "$tmp/runs"

{
  /usr/bin/time -v "${gen[@]}" 2> "$tmp/time" > /dev/null
  echo "peak RSS, generate --all --count $count: $(awk -F': ' '/Maximum resident/ { printf "%.1f MiB", $2/1024 }' "$tmp/time")"
  for c in "${customers[@]}"; do
    if ! /usr/bin/time -v "$bin" generate --scenario welcome-email --customers "$c" --seed 1 2> "$tmp/time" > "$tmp/scenario.jsonl"; then
      echo "welcome-email --customers $c failed: $(head -1 "$tmp/time")"
      continue
    fi
    echo "peak RSS, generate --scenario welcome-email --customers $c: $(awk -F': ' '/Maximum resident/ { printf "%.1f MiB", $2/1024 }' "$tmp/time")," \
      "$(wc -l < "$tmp/scenario.jsonl") events in $(awk -F': ' '/Elapsed \(wall/ { print $2 }' "$tmp/time")"
    rm -f "$tmp/scenario.jsonl"
  done
}
go test ./generator -run '^$' -bench . -benchmem -benchtime 1s
