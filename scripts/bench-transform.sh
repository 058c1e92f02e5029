#!/usr/bin/env bash
# Measures `ciosim transform --mapping experience-event` side by side with `jq -c .` merely
# re-printing the same events, and the cost of --validate, on COUNT generated events (the
# generation is done first and not timed). Runs alternate (ciosim, jq, ciosim --validate,
# ciosim on one core; repeated PAIRS times) so load on a shared machine hits both alike;
# it prints each run and the medians of the per-pair ratios. Then the xdm benchmarks.
# Each pair ends with transform and scripts/jq/experience-event.jq, a jq program that prints
# the same bytes, on the first JQCOUNT events (default: COUNT, at most 100000, since the jq
# program does a few thousand events per CPU-second); its output is checked with cmp against
# transform's once before anything is timed. JQCOUNT=0 leaves it out.
# Usage: scripts/bench-transform.sh [COUNT]   (default 1000000; env PAIRS, default 3;
# BIN=path measures that build instead of this tree's; NOBENCH=1 skips the Go benchmarks)
# --validate uses ../shared/xdm's derived ExperienceEvent schema with the tenant field
# group of xdm/testdata (as the xdm tests do); set SCHEMA=file to use another.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
pairs=${PAIRS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=${BIN:-}   # a prebuilt ciosim to measure (e.g. an older build), else this tree's
if [ -z "$bin" ]; then
  bin=$tmp/ciosim
  go build -o "$bin" .
fi
ev=$tmp/events.jsonl
"$bin" generate --all --count "$count" --seed 1 --start 2026-03-01T00:00:00Z > "$ev"
jqprog=scripts/jq/experience-event.jq
jqcount=${JQCOUNT:-$((count < 100000 ? count : 100000))}
jqcount=$((jqcount < count ? jqcount : count))
jev=$tmp/jq-events.jsonl
if [ "$jqcount" -gt 0 ]; then
  head -n "$jqcount" "$ev" > "$jev"
  # the comparison means something only while the outputs are the same bytes
  "$bin" transform "$jev" --mapping experience-event > "$tmp/transform.out"
  jq -c -f "$jqprog" "$jev" > "$tmp/jq.out"
  if ! cmp "$tmp/transform.out" "$tmp/jq.out"; then
    echo "bench-transform: $jqprog does not print transform's bytes on these $jqcount events (see go test -run TestJQProgram .)" >&2
    exit 1
  fi
  rm -f "$tmp/transform.out" "$tmp/jq.out"
fi
schema=${SCHEMA:-}
if [ -z "$schema" ]; then
  schema=$tmp/schema.json
  jq --slurpfile t xdm/testdata/tenant-fieldgroup.schema.json '.properties._tenant = $t[0]' \
    ../shared/xdm/derived/experienceevent-messaging.compat.schema.json > "$schema"
fi

# run NAME CMD...: time one run of $n events, print it, leave the wall seconds in $secs
n=$count
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" > /dev/null
  read -r secs user sys rss < "$tmp/time"
  cpu=$(awk -v u="$user" -v y="$sys" 'BEGIN { print u+y }')
  awk -v n="$n" -v s="$secs" -v u="$user" -v y="$sys" -v r="$rss" -v m="$name" \
    'BEGIN { printf "  %-26s %6.2f s wall %6.2f s CPU %8.0f events/s  peak RSS %4.0f MiB\n", m, s, u+y, n/s, r/1024 }'
}

echo "transform on $count events, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=() cratios=() vcost=() vcpu=() one=() conec=() jqr=() jqc=()
for i in $(seq "$pairs"); do
  echo "pair $i"
  run "ciosim transform" "$bin" transform "$ev" --mapping experience-event; a=$secs ac=$cpu
  run "jq -c ." jq -c . "$ev"; b=$secs bc=$cpu
  run "ciosim transform --validate" "$bin" transform "$ev" --mapping experience-event --validate "$schema"; v=$secs vc=$cpu
  run "ciosim transform GOMAXPROCS=1" env GOMAXPROCS=1 "$bin" transform "$ev" --mapping experience-event; o=$secs oc=$cpu
  ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { print b/a }')")
  cratios+=("$(awk -v a="$ac" -v b="$bc" 'BEGIN { print b/a }')")
  vcost+=("$(awk -v a="$a" -v v="$v" 'BEGIN { print (v/a-1)*100 }')")
  vcpu+=("$(awk -v a="$ac" -v v="$vc" 'BEGIN { print (v/a-1)*100 }')")
  one+=("$(awk -v o="$o" -v b="$b" 'BEGIN { print b/o }')")
  conec+=("$(awk -v o="$oc" -v b="$bc" 'BEGIN { print b/o }')")
  if [ "$jqcount" -gt 0 ]; then
    n=$jqcount
    run "ciosim transform ($jqcount)" "$bin" transform "$jev" --mapping experience-event; t=$secs tc=$cpu
    run "jq experience-event.jq" jq -c -f "$jqprog" "$jev"; j=$secs jc=$cpu
    n=$count
    jqr+=("$(awk -v t="$t" -v j="$j" 'BEGIN { print j/t }')")
    jqc+=("$(awk -v t="$tc" -v j="$jc" 'BEGIN { print j/t }')")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) }'; }
# Wall-clock ratios are what a user sees; on a loaded machine the CPU ratios (events per
# CPU-second) say more about the code, since both programs wait for the same cores.
printf 'ciosim ÷ jq -c ., wall (events/s):             %.2f×  (pairs: %s)\n' "$(median "${ratios[@]}")" "${ratios[*]}"
printf 'ciosim ÷ jq -c ., CPU (events per CPU-second):  %.2f×  (pairs: %s)\n' "$(median "${cratios[@]}")" "${cratios[*]}"
printf 'one core ÷ jq -c ., wall:                       %.2f×  (pairs: %s)\n' "$(median "${one[@]}")" "${one[*]}"
printf 'one core ÷ jq -c ., CPU:                        %.2f×  (pairs: %s)\n' "$(median "${conec[@]}")" "${conec[*]}"
printf -- '--validate cost over no validation, wall:       %+.0f %%  (pairs: %s)\n' "$(median "${vcost[@]}")" "${vcost[*]}"
printf -- '--validate cost over no validation, CPU:        %+.0f %%  (pairs: %s)\n' "$(median "${vcpu[@]}")" "${vcpu[*]}"
if [ "$jqcount" -gt 0 ]; then
  printf 'ciosim ÷ jq program (same bytes, %s events), wall: %.2f×  (pairs: %s)\n' "$jqcount" "$(median "${jqr[@]}")" "${jqr[*]}"
  printf 'ciosim ÷ jq program (same bytes, %s events), CPU:  %.2f×  (pairs: %s)\n' "$jqcount" "$(median "${jqc[@]}")" "${jqc[*]}"
fi
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${NOBENCH:-}" ] || go test ./xdm -run '^$' -bench . -benchtime 2s
