#!/bin/sh
# TUI figures: Update+View benchmarks (first frame, key press to frame with 100,000 events,
# filter keystroke, inspector rendering) and, when tmux is installed, the wall time from
# starting ciosim to its first frame on a real terminal (tmux's own start-up included).
set -e
cd "$(dirname "$0")/.."
go test ./tui/ -run '^$' -bench . -benchtime 2s
go test ./cmd -run '^$' -bench 'InspectorRenderXDM|WireTUI' -benchtime 2s
command -v tmux >/dev/null || exit 0
bin=$(mktemp -d)/ciosim
go build -o "$bin" .
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	tmux new-session -d -s ciosim-ff -x 100 -y 30 "$bin"
	until tmux capture-pane -p -t ciosim-ff 2>/dev/null | grep -q CATALOG; do sleep 0.002; done
	e=$(date +%s%N)
	echo "start to first frame (tmux): $(( (e - s) / 1000000 )) ms"
	tmux kill-session -t ciosim-ff
done
rm -rf "$(dirname "$bin")"
