#!/usr/bin/env bash
# Soak test of the capturing receiver (not run in CI): `ciosim record` under `hey -c 64` for
# DURATION seconds (default 60) while a chaos process deletes and renames its files and its
# directory and fills the filesystem, then checks that every capture answered 2xx can be read
# back. Deleting is done as "hard-link aside, then unlink", renaming as a move within the same
# filesystem, so no acknowledged capture is destroyed by the chaos itself and the check can be
# exact: every probe capture (unique event_id) answered 200 must be found, and the readable
# captures must be at least the 2xx count (the store writes a line again when its file vanished
# under it, so a few duplicates are expected).
#
# The recording directory is on a small tmpfs (mounted when permitted, which needs root);
# otherwise the receiver runs under `ulimit -f` so its files hit a size limit instead.
# Needs hey (go install github.com/rakyll/hey@latest) and curl. Loopback only.
# Usage: scripts/soak-record.sh [DURATION_SECONDS] [TMPFS_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-60}
fs_mb=${2:-256}
work=$(mktemp -d)
pids=()
mounted=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$mounted" ]; then umount "$work/fs" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
hey=$(command -v hey || echo "$(go env GOPATH)/bin/hey")
[ -x "$hey" ] || { echo "hey not found: go install github.com/rakyll/hey@latest" >&2; exit 2; }
go build -o "$work/ciosim" .

mkdir -p "$work/fs"
limit=()
if mount -t tmpfs -o size="${fs_mb}m" tmpfs "$work/fs" 2>/dev/null; then
  mounted=1
  echo "recording on a ${fs_mb} MiB tmpfs"
else
  limit=(ulimit -f $((fs_mb * 2048 / 8)) "&&")
  echo "tmpfs not permitted: recording under ulimit -f $((fs_mb / 8)) MiB per file instead"
fi
rec="$work/fs/rec"
aside="$work/fs/aside"
mkdir -p "$aside"

key=soak-key-0123456789
port=18797
url=http://127.0.0.1:$port/
# Files of 4 MiB, so rotation happens under load too.
bash -c "${limit[*]} exec env CIOSIM_SIGNING_KEY=$key '$work/ciosim' record --listen 127.0.0.1:$port --dir '$rec' --max-file-size 4194304 --json" \
  > "$work/record.out" 2> "$work/record.err" &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/record.err" 2>/dev/null && break; sleep 0.1; done

"$work/ciosim" generate --type email --metric delivered --count 1 --seed 1 --start 2026-01-01T00:00:00Z | head -c -1 > "$work/body.json"

# The chaos: every 0.5 s one of: unlink a capture file (after hard-linking it aside), rename a
# capture file aside, move the whole directory aside; every 7 s, fill the filesystem for 2 s.
chaos() {
  local n=0
  while :; do
    n=$((n + 1))
    case $((n % 3)) in
      0) for f in "$rec"/*.jsonl; do [ -e "$f" ] && ln "$f" "$aside/unlinked-$n-$(basename "$f")" && rm -f "$f"; break; done ;;
      1) for f in "$rec"/*.jsonl; do [ -e "$f" ] && mv "$f" "$aside/renamed-$n-$(basename "$f")"; break; done ;;
      2) [ -d "$rec" ] && mv "$rec" "$aside/dir-$n" ;;
    esac
    if [ $((n % 14)) -eq 0 ]; then
      dd if=/dev/zero of="$work/fs/filler" bs=1M 2>/dev/null || true
      sleep 2
      rm -f "$work/fs/filler"
    fi
    sleep 0.5
  done
}
chaos 2>/dev/null &
pids+=($!)

# The probe: unique events, one at a time, noting which were answered 200.
probe() {
  local i=0
  while :; do
    i=$((i + 1))
    sed "s/\"event_id\":\"[^\"]*\"/\"event_id\":\"probe-$i\"/" "$work/body.json" > "$work/probe.json"
    ts=$(date +%s)
    sig=$(printf 'v0:%s:%s' "$ts" "$(cat "$work/probe.json")" | openssl dgst -sha256 -hmac "$key" -r | cut -d' ' -f1)
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -H "X-CIO-Timestamp: $ts" -H "X-CIO-Signature: $sig" --data-binary @"$work/probe.json" "$url" || true)
    echo "$i $code" >> "$work/probe.log"
  done
}
probe &
pids+=($!)

echo "== hey -c 64 -z ${dur}s against record, with chaos and probe"
"$hey" -z "${dur}s" -c 64 -m POST -T application/json -D "$work/body.json" "$url" > "$work/hey.out"
kill "${pids[2]}" "${pids[1]}" 2>/dev/null || true
sleep 1
kill -INT "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
grep -E 'Requests/sec|Status code|responses|Error distribution' -A0 "$work/hey.out" || true

ok_hey=$(grep -E '^\s+\[2[0-9][0-9]\]' "$work/hey.out" | awk '{s += $2} END {print s + 0}')
probe_sent=$(wc -l < "$work/probe.log")
probe_ok=$(awk '$2 ~ /^2/' "$work/probe.log" | wc -l)
rec_ok=$(grep -c '"status":200' "$work/record.out" || true)
found=$( (find "$work/fs" -name '*.jsonl' -print0 | xargs -0 cat || true) | grep -c '"received_at"' || true)
readable=$( (find "$work/fs" -name '*.jsonl' -print0 | xargs -0 "$work/ciosim" scan --json 2>&1 >/dev/null || true) |
  sed -n 's/.*scanned \([0-9]*\) records.*, \([0-9]*\) unreadable.*/\1 \2/p' | awk '{r += $1; b += $2} END {print r + 0, b + 0}')
(find "$work/fs" -name '*.jsonl' -print0 | xargs -0 grep -hoE '"event_id":"probe-[0-9]+"' || true) | sed 's/.*probe-\([0-9]*\)"/\1/' | sort -u > "$work/probe.found"
awk '$2 ~ /^2/ {print $1}' "$work/probe.log" | sort -u > "$work/probe.acked"
missing=$(comm -23 "$work/probe.acked" "$work/probe.found" | wc -l)
comm -23 "$work/probe.acked" "$work/probe.found" | head -5 | sed 's/^/answered 2xx but not found: probe-/'
echo "hey 2xx: $ok_hey; record printed 200: $rec_ok; capture lines on disk: $found; readable records, unreadable lines: $readable"
echo "probe: $probe_sent sent, $probe_ok answered 2xx, $missing of them missing"
echo "files: $(find "$work/fs" -name '*.jsonl' | wc -l); record's summary: $(grep "stored" "$work/record.err" | tail -1)"
read -r nread nbad <<< "$readable"
if [ "$missing" -ne 0 ] || [ "${nread:-0}" -lt "$rec_ok" ]; then
  echo "FAIL: a capture answered 200 cannot be read back"
  exit 1
fi
echo "PASS: every capture answered 2xx is readable"
