package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/wiring"
)

// batchRequest is one request a batch test server saw.
type batchRequest struct {
	path     string
	messages []json.RawMessage
}

// batchSpy records every request (path and decoded {"messages":[...]}) before handing it to
// next.
func batchSpy(t *testing.T, next http.Handler) (url string, got func() []batchRequest) {
	t.Helper()
	var mu sync.Mutex
	var all []batchRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, emulator.InspectPrefix) {
			// the emulator's verdicts, asked after delivery: not a post
			next.ServeHTTP(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var env struct {
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Errorf("%s: body is not {\"messages\":[...]}: %v: %.200s", r.URL.Path, err, b)
		}
		mu.Lock()
		all = append(all, batchRequest{r.URL.Path, env.Messages})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []batchRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]batchRequest(nil), all...)
	}
}

// xdmMessage is the part of an XDM streaming message the tests look at.
type xdmMessage struct {
	Header struct {
		DatasetID string              `json:"datasetId"`
		SchemaRef struct{ ID string } `json:"schemaRef"`
	} `json:"header"`
	Body struct {
		XDMEntity struct {
			ID string `json:"_id"`
		} `json:"xdmEntity"`
	} `json:"body"`
}

func writeEvents(t *testing.T, bodies [][]byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(f, append(bytes.Join(bodies, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReplay_batchModeEmulator replays through the real emulator at --speed max: requests go
// to /collection/batch/{inlet} as {"messages":[...]} of XDM messages, N events take
// ceil(N/limit) requests, every event id arrives exactly once and the emulator keeps them.
func TestReplay_batchModeEmulator(t *testing.T) {
	t.Parallel()
	bodies := genBodies(t, 23)
	f := writeEvents(t, bodies)
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	base, got := batchSpy(t, emu)
	to := base + "/collection/" + emulator.DefaultInletID
	env := map[string]string{"CIOSIM_DATASET_ID": "ds1", "CIOSIM_TENANT": "_acme"}
	tests := []struct {
		limit, requests int
	}{{5, 5}, {23, 1}, {1, 23}, {1000, 1}}
	seen := 0
	for _, tt := range tests {
		code, stdout, stderr := run(t, env, "", "replay", f, "--to", to, "--speed", "max", "--mode", "batch",
			"--batch-max-messages", fmt.Sprint(tt.limit), "--json")
		if code != 0 {
			t.Fatalf("limit %d: exit %d: %s", tt.limit, code, stderr)
		}
		reqs := got()[seen:]
		seen += len(reqs)
		if len(reqs) != tt.requests {
			t.Errorf("limit %d: %d requests, want %d", tt.limit, len(reqs), tt.requests)
		}
		ids := map[string]int{}
		for _, r := range reqs {
			if r.path != "/collection/batch/"+emulator.DefaultInletID {
				t.Errorf("path %s", r.path)
			}
			if len(r.messages) > tt.limit {
				t.Errorf("limit %d: a batch of %d", tt.limit, len(r.messages))
			}
			for _, m := range r.messages {
				var msg xdmMessage
				if err := json.Unmarshal(m, &msg); err != nil || msg.Header.DatasetID != "ds1" || msg.Header.SchemaRef.ID == "" {
					t.Errorf("not an XDM message with envelope: %v %.200s", err, m)
				}
				ids[msg.Body.XDMEntity.ID]++
			}
		}
		for i, b := range bodies {
			ev, _ := customerio.Parse(b)
			if ids[ev.EventID] != 1 {
				t.Errorf("limit %d: event %d (%s) sent %d times", tt.limit, i, ev.EventID, ids[ev.EventID])
			}
		}
		if len(ids) != len(bodies) {
			t.Errorf("limit %d: %d distinct ids, want %d", tt.limit, len(ids), len(bodies))
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != len(bodies) {
			t.Fatalf("limit %d: %d report lines, want one per event", tt.limit, len(lines))
		}
		for i, l := range lines {
			var rl wiring.ReplayLine
			if err := json.Unmarshal([]byte(l), &rl); err != nil || rl.Line != i+1 || rl.Status != 200 || rl.Error != "" {
				t.Errorf("limit %d: report %d: %v %s", tt.limit, i, err, l)
			}
		}
	}
	if c := emu.Counts(); c.Good != 4*len(bodies) || c.Bad != 0 {
		t.Errorf("emulator counts %+v", c)
	}
}

// TestReplay_batchModeNewIDsAndDefaultEmulator checks --new-event-ids reaches the batch
// messages, and that without --to the embedded emulator gets the batches.
func TestReplay_batchModeNewIDsAndDefaultEmulator(t *testing.T) {
	t.Parallel()
	bodies := genBodies(t, 7)
	f := writeEvents(t, bodies)
	code, stdout, stderr := run(t, nil, "", "replay", f, "--speed", "max", "--mode", "batch", "--new-event-ids")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "emulator       7 good, 0 bad records") || strings.Count(stdout, " 200 ") != len(bodies) {
		t.Errorf("stdout %s\nstderr %s", stdout, stderr)
	}

	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	base, got := batchSpy(t, emu)
	code, _, stderr = run(t, nil, "", "replay", f, "--to", base+"/collection/"+emulator.DefaultInletID, "--speed", "max", "--mode", "batch", "--new-event-ids")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	old := map[string]bool{}
	for _, b := range bodies {
		ev, _ := customerio.Parse(b)
		old[ev.EventID] = true
	}
	reqs := got()
	if len(reqs) != 1 || len(reqs[0].messages) != len(bodies) {
		t.Fatalf("requests %+v", reqs)
	}
	for _, m := range reqs[0].messages {
		var msg xdmMessage
		json.Unmarshal(m, &msg)
		if msg.Body.XDMEntity.ID == "" || old[msg.Body.XDMEntity.ID] {
			t.Errorf("event id %q not replaced", msg.Body.XDMEntity.ID)
		}
	}
}

// TestReplay_batchModePartialFailure: a 207 whose third element failed (400, not retried)
// reports that event failed and every other one delivered, and the exit status is 1.
func TestReplay_batchModePartialFailure(t *testing.T) {
	t.Parallel()
	bodies := genBodies(t, 6)
	f := writeEvents(t, bodies)
	var mu sync.Mutex
	requests := 0
	base, got := batchSpy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		var env struct{ Messages []json.RawMessage }
		json.NewDecoder(r.Body).Decode(&env)
		var els []string
		for i := range env.Messages {
			if i == 2 {
				els = append(els, `{"xactionId":"x:2","statusCode":400,"message":"missing _id"}`)
				continue
			}
			els = append(els, fmt.Sprintf(`{"xactionId":"x:%d"}`, i))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `{"inletId":"i","batchId":"x","receivedTimeMs":1,"responses":[%s]}`, strings.Join(els, ","))
	}))
	code, stdout, stderr := run(t, nil, "", "replay", f, "--to", base+"/collection/i", "--speed", "max", "--mode", "batch", "--json")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	if len(got()) != 1 {
		t.Errorf("%d requests: a 400 element must not be resent", len(got()))
	}
	if !strings.Contains(stderr, "replayed 6 events") || !strings.Contains(stderr, "delivered      5") || !strings.Contains(stderr, "failed         1") ||
		!strings.Contains(stderr, "events.jsonl:3 HTTP 400: aep: batch element 2: 400 Bad Request: missing _id") {
		t.Errorf("stderr %s", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(bodies) {
		t.Fatalf("%d report lines: %s", len(lines), stdout)
	}
	for i, l := range lines {
		var rl wiring.ReplayLine
		if err := json.Unmarshal([]byte(l), &rl); err != nil {
			t.Fatal(err)
		}
		ev, _ := customerio.Parse(bodies[i])
		if rl.EventID != ev.EventID {
			t.Errorf("line %d reports %s, want %s", i, rl.EventID, ev.EventID)
		}
		if i == 2 {
			if rl.Status != 400 || !strings.Contains(rl.Error, "missing _id") {
				t.Errorf("failed element reported as %s", l)
			}
			continue
		}
		if rl.Status != 200 || rl.Error != "" {
			t.Errorf("element %d reported as %s", i, l)
		}
	}
}

// TestReplay_batchModeFollow: with --follow, a batch is sent when the inputs are exhausted
// (before replay waits for more), not held until the next event lands.
func TestReplay_batchModeFollow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bodies := genBodies(t, 3)
	path := filepath.Join(dir, "live.jsonl")
	os.WriteFile(path, append(bytes.Join(bodies[:2], []byte("\n")), '\n'), 0o644)
	sizes := make(chan int, 10)
	base, _ := batchSpy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct{ Messages []json.RawMessage }
		json.NewDecoder(r.Body).Decode(&env)
		els := strings.TrimSuffix(strings.Repeat(`{"xactionId":"x"},`, len(env.Messages)), ",")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `{"responses":[%s]}`, els)
		sizes <- len(env.Messages)
	}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	var out, errb syncBuffer
	go func() {
		done <- Main(ctx, []string{"replay", dir, "--to", base + "/collection/i", "--mode", "batch", "--speed", "max", "--follow"},
			Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
	}()
	next := func() int {
		select {
		case n := <-sizes:
			return n
		case <-time.After(20 * time.Second):
			t.Fatalf("no batch; stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
			return 0
		}
	}
	if n := next(); n != 2 {
		t.Fatalf("first batch has %d messages, want the 2 already written", n)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(append(bodies[2], '\n'))
	f.Close()
	if n := next(); n != 1 {
		t.Fatalf("second batch has %d messages", n)
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	// The last answer may race the cancel (it is then reported as interrupted); the first
	// batch was answered before the third event was written.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], " 200 ") || !strings.Contains(lines[1], " 200 ") {
		t.Errorf("report:\n%s", out.String())
	}
}
