package main

// scripts/jq/experience-event.jq is the peer scripts/bench-transform.sh measures
// `ciosim transform --mapping experience-event` against (issue 17): a jq program that prints
// the same bytes. This test holds it to that, so the comparison cannot rot silently when
// the mapping set or the record writer changes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/cmd"
	"github.com/ciosim/ciosim/customerio"
)

const jqProgram = "scripts/jq/experience-event.jq"

// jqPath returns jq's path. jq is needed by CI anyway (README's examples pipe into it and
// the docs test runs them); without it this test skips locally and fails under CI=true.
func jqPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("jq")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("jq is not on PATH (%v): CI=true, and %s must be checked against transform; install jq (Debian: apt-get install jq)", err, jqProgram)
	}
	t.Skipf("jq is not on PATH (%v); skipping the check of %s", err, jqProgram)
	return ""
}

// runCiosim runs a ciosim command in-process with stdin and an empty environment, and
// returns its stdout.
func runCiosim(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	s := cmd.Streams{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	if code := cmd.Main(context.Background(), args, s, func(string) string { return "" }); code != 0 {
		t.Fatalf("ciosim %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.Bytes()
}

func runJQProgram(t *testing.T, jq string, events []byte) []byte {
	t.Helper()
	c := exec.Command(jq, "-c", "-f", jqProgram)
	c.Stdin = bytes.NewReader(events)
	var errb bytes.Buffer
	c.Stderr = &errb
	out, err := c.Output()
	if err != nil {
		t.Fatalf("jq -c -f %s: %v\n%s", jqProgram, err, errb.String())
	}
	return out
}

// sameLines fails the test at the first record where got and want differ, naming the event.
func sameLines(t *testing.T, events, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	ev := strings.Split(string(events), "\n")
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl, el string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if i < len(ev) {
			el = ev[i]
		}
		if gl != wl {
			at := 0
			for at < min(len(gl), len(wl)) && gl[at] == wl[at] {
				at++
			}
			from := max(0, at-40)
			t.Fatalf("%s differs from transform at record %d (of %d from transform, %d from jq), byte %d:\ntransform: …%s\njq:        …%s\nevent: %s\ntransform's record: %s",
				jqProgram, i+1, len(w)-1, len(g)-1, at+1, wl[from:min(len(wl), at+60)], gl[from:min(len(gl), at+60)], el, wl)
		}
	}
}

func TestJQProgram_experienceEvent(t *testing.T) {
	jq := jqPath(t)
	for _, seed := range []string{"1", "2"} {
		t.Run("seed "+seed, func(t *testing.T) {
			events := runCiosim(t, nil, "generate", "--all", "--count", "2000", "--seed", seed, "--start", "2026-03-01T00:00:00Z")
			// every kind of event the generator makes must be in the comparison
			kinds := map[string]bool{}
			for _, l := range bytes.Split(bytes.TrimSpace(events), []byte("\n")) {
				var e struct {
					ObjectType string `json:"object_type"`
					Metric     string `json:"metric"`
				}
				if err := json.Unmarshal(l, &e); err != nil {
					t.Fatal(err)
				}
				kinds[e.ObjectType+" "+e.Metric] = true
			}
			for _, p := range customerio.Pairs() {
				if !kinds[p.ObjectType+" "+p.Metric] {
					t.Errorf("generated events have no %s %s", p.ObjectType, p.Metric)
				}
			}
			want := runCiosim(t, events, "transform", "--mapping", "experience-event")
			sameLines(t, events, runJQProgram(t, jq, events), want)
		})
	}
	// Shapes the generator does not make, where the mapping's functions decide: empty and
	// partial recipient lists (holes in devices), no identifiers, a recipient without a
	// domain, false and true bot flags, fractional seconds, non-ASCII text.
	t.Run("edges", func(t *testing.T) {
		var b strings.Builder
		for i, data := range []string{
			`"object_type":"push","metric":"sent","data":{"recipients":[]}`,
			`"object_type":"push","metric":"clicked","data":{"recipients":[{"device_id":"d"},{}],"identifiers":{}}`,
			`"object_type":"push","metric":"failed","data":{"recipients":[{},{"failure_message":"x"}]},"timestamp":1772323200.5`,
			`"object_type":"sms","metric":"replied","data":{"recipient":"+15550001","to":"+1555"}`,
			`"object_type":"email","metric":"opened","data":{"recipient":"nobody","identifiers":{"id":"1"}}`,
			`"object_type":"email","metric":"dropped","data":{"recipient":"a@","machine":false}`,
			`"object_type":"in_app","metric":"clicked","data":{"recipient":"a@b@c.d","prefetched":true,"link_id":7,"href":"h"}`,
			`"object_type":"customer","metric":"subscribed","data":{"email_address":"é@ü.de","identifiers":{"id":"9"}},"timestamp":0`,
		} {
			if !strings.Contains(data, `"timestamp"`) {
				data += `,"timestamp":1772323200`
			}
			fmt.Fprintf(&b, "{\"event_id\":\"E%d\",%s}\n", i+1, data)
		}
		events := []byte(b.String())
		want := runCiosim(t, events, "transform", "--mapping", "experience-event")
		sameLines(t, events, runJQProgram(t, jq, events), want)
	})
}
