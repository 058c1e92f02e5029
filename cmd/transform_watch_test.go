package cmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitFor polls buf until it holds s.
func waitFor(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q in\n%s", s, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTransformWatch(t *testing.T) {
	_, events, mapping := checkSetup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		s := Streams{In: strings.NewReader(""), Out: &out, Err: &errb}
		done <- Main(ctx, []string{"transform", events, "--mapping", mapping, "--watch"}, s, func(string) string { return "" })
	}()
	waitFor(t, &out, "watching ")
	if !strings.Contains(out.String(), "run 1 (start): 3 events → 3 records, 0 rejected, 0 warnings, 0 unreadable lines") {
		t.Fatalf("first run:\n%s", out.String())
	}

	// A new destination: every record gets the field.
	writeMapping(t, mapping, `{"sourceType":"EXPRESSION","source":"upper(data.email_address)","destination":"_acme.email"}`,
		`{"sourceType":"STATIC","source":"v2","destination":"_acme.version"}`)
	waitFor(t, &out, "run 2 (")
	waitFor(t, &out, "since run 1: 3 of 3 records differ: 3 changed, 0 added, 0 removed\n    /_acme/version: added in 3 records\n")
	waitFor(t, &out, "record 1 (event_id e1):\n    /_acme/version: added \"v2\"")
	if s := out.String(); !strings.Contains(s, filepath.Base(mapping)+" saved") {
		t.Errorf("the run does not say what changed:\n%s", s)
	}

	// A syntax error: reported, and the next good run diffs against run 2.
	writeMapping(t, mapping, `{"sourceType":"EXPRESSION","source":"upper(data.email_address","destination":"_acme.email"}`)
	waitFor(t, &out, "run 3 (")
	waitFor(t, &out, "mapping.json:5:63: mapping 4 (→ _acme.email): syntax error at column 25")
	waitFor(t, &out, "the previous result stands")
	writeMapping(t, mapping, `{"sourceType":"EXPRESSION","source":"upper(data.email_address)","destination":"_acme.email"}`,
		`{"sourceType":"STATIC","source":"v2","destination":"_acme.version"}`)
	waitFor(t, &out, "run 4 (")
	waitFor(t, &out, "no change since run 2")

	cancel()
	select {
	case code := <-done:
		if code != ExitInterrupted {
			t.Errorf("exit %d after Ctrl-C, want %d", code, ExitInterrupted)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("--watch did not stop on cancel")
	}
	if e := errb.String(); strings.Contains(e, "error") {
		t.Errorf("stderr: %s", e)
	}
	t.Log(out.String())
}

func TestTransformWatch_usage(t *testing.T) {
	_, events, mapping := checkSetup(t)
	for _, args := range [][]string{
		{"transform", "--watch"},
		{"transform", "-", "--watch"},
		{"transform", events, "--mapping", mapping, "--watch", "--check", "x.jsonl"},
	} {
		if code, _, _ := run(t, nil, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
