#!/usr/bin/env bash
# Replays a recording of SIZE_MB MiB (default 1024) straight from an S3 bucket and reports the
# peak RSS of `ciosim replay` (/usr/bin/time -v): the objects are streamed and merged, never
# downloaded whole, so memory must stay flat whatever the size. The bucket is gofakes3 in its
# own process (bucket/buckettest/fakes3) on loopback, seeded with 2 replicas × 64 MiB
# segments whose received_at interleave; the target is a discarding sink on loopback.
# Not part of CI. Last run (2026-12-01, 2 shared cores under load ~24): 1 GiB, 1,732,218 captures in
# 16 objects, all sent, peak RSS 55,504 KiB, 19 min wall clock. Usage: scripts/bench-bucket.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/ciosim" .
go build -o "$work/fakes3" ./bucket/buckettest/fakes3

mkdir "$work/sink" && cat > "$work/sink/main.go" <<'GO'
package main

import ("io"; "net/http"; "os")

func main() {
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
}
GO
(cd "$work/sink" && go mod init sink >/dev/null 2>&1 && go build -o "$work/sinkbin" .)
"$work/sinkbin" 127.0.0.1:18799 & pids+=($!)

"$work/fakes3" -mib "$size_mb" > "$work/url" 2> "$work/fakes3.log" & pids+=($!)
for _ in $(seq 600); do [ -s "$work/url" ] && break; sleep 0.5; done
url=$(cat "$work/url")
cat "$work/fakes3.log"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
/usr/bin/time -v "$work/ciosim" replay "$url" --speed max --to http://127.0.0.1:18799/collection/bench \
  --flow-id bench > /dev/null 2> "$work/replay.err" || { tail -20 "$work/replay.err"; exit 1; }
grep -E '^ciosim: replayed' "$work/replay.err"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$work/replay.err"
