package wiring

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/recordings"
)

// syncWriter is a strings.Builder safe for the forwarder's goroutine and the test.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncWriter) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestForwarder_queueFullNamesTheCapture: with a slow inlet, captures that do not fit the
// queue are named (file:line and event_id) as they are dropped, and the shutdown summary
// counts forwarded, failed and dropped.
func TestForwarder_queueFullNamesTheCapture(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		mu.Lock()
		n++
		fail := n == 2
		mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusBadRequest) // not retried: one capture fails
			return
		}
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer srv.Close()
	c, err := aep.New(aep.Options{URL: srv.URL + "/collection/inlet", FlowID: "f"})
	if err != nil {
		t.Fatal(err)
	}
	var out syncWriter
	f := newForwarder(context.Background(), c, &out, 2, "")
	g := generator.New(generator.Options{Seed: 3})
	var ids []string
	const total = 400 // far more than the pipeline reads ahead, so most must drop
	for i := range total {
		ev, err := g.Event("email", "sent")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.EventID)
		f.Enqueue(recordings.Result{Capture: recordings.Capture{Body: ev.Bytes()}, Event: customerio.FromBytes(ev.Bytes()),
			Stored: recordings.Location{File: "rec/cio-2026-01-01-001.jsonl", Line: i + 1}, Status: 200})
	}
	close(release)
	f.Close()
	got := out.String()
	// Some are in flight or queued (the pipeline reads ahead); the others were dropped, each
	// named with its own file:line and event id.
	dropRe := regexp.MustCompile(`forward queue full \(2 waiting\): capture rec/cio-2026-01-01-001\.jsonl:(\d+) \(event (\w+)\) stored but not forwarded`)
	drops := dropRe.FindAllStringSubmatch(got, -1)
	// How many the pipeline took before the queue filled depends on scheduling (3 drops
	// of 40 were seen under -race load); what it can hold while the inlet answers nothing
	// is bounded, so of 400 most must drop.
	if len(drops) < total/2 {
		t.Fatalf("%d drops named, want most of %d:\n%s", len(drops), total, got)
	}
	for _, m := range drops {
		line, _ := strconv.Atoi(m[1])
		if m[2] != ids[line-1] {
			t.Errorf("line %d named with event %s, want %s", line, m[2], ids[line-1])
		}
	}
	dropped := len(drops)
	if !strings.Contains(got, "ciosim: forward: failed rec/cio-2026-01-01-001.jsonl:2 (event "+ids[1]+"): aep: HTTP 400") {
		t.Errorf("the failure does not name its capture:\n%s", got)
	}
	sum := fmt.Sprintf("ciosim: forward: %d forwarded, 1 failed, %d dropped (queue full)", total-dropped-1, dropped)
	if !strings.Contains(got, sum) {
		t.Errorf("no summary %q in:\n%s", sum, got)
	}
	// After Close, a capture is named as not forwarded and counted.
	f.Enqueue(recordings.Result{Stored: recordings.Location{File: "x.jsonl", Line: 7}, Event: customerio.FromBytes([]byte(`{"event_id":"E7"}`))})
	if !strings.Contains(out.String(), "shutting down: capture x.jsonl:7 (event E7) stored but not forwarded") ||
		!strings.Contains(f.Summary(), "1 not forwarded (stored while shutting down)") {
		t.Errorf("closing drop: %s\n%s", out.String(), f.Summary())
	}
}
