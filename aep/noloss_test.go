package aep_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/recordings"
)

// events returns n valid generated events.
func events(t testing.TB, n int) []customerio.Event {
	t.Helper()
	g := generator.New(generator.Options{Seed: 7, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	pairs := customerio.Pairs()
	out := make([]customerio.Event, n)
	for i := range out {
		p := pairs[i%len(pairs)]
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ev
	}
	return out
}

// outcome collects what Run emitted.
type outcome struct {
	results   []aep.Result
	seen      map[int]int
	delivered map[string]bool
	dead      []aep.Result
	dlFile    bytes.Buffer
}

func runAll(t *testing.T, c *aep.Client, msgs []aep.Message) *outcome {
	t.Helper()
	o := &outcome{seen: map[int]int{}, delivered: map[string]bool{}}
	dl := c.NewDeadLetterWriter(&o.dlFile)
	src := make(chan aep.Message, 256)
	go func() {
		for _, m := range msgs {
			src <- m
		}
		close(src)
	}()
	c.Run(context.Background(), src, func(r aep.Result) {
		o.results = append(o.results, r)
		o.seen[r.Message.Seq]++
		switch r.Outcome {
		case aep.Delivered:
			o.delivered[r.Message.EventID] = true
		case aep.DeadLettered:
			o.dead = append(o.dead, r)
			if err := dl.Write(r); err != nil {
				t.Error(err)
			}
		default:
			t.Errorf("event %d has no outcome: %+v", r.Message.Seq, r)
		}
	})
	if err := dl.Flush(); err != nil {
		t.Fatal(err)
	}
	return o
}

// checkNothingLost asserts delivered + dead-lettered = all, each event reported once, every
// dead letter has a reason and is re-readable, and the emulator holds every delivered id.
func checkNothingLost(t *testing.T, o *outcome, msgs []aep.Message, s *emulator.Server) {
	t.Helper()
	if len(o.results) != len(msgs) {
		t.Fatalf("%d results for %d events", len(o.results), len(msgs))
	}
	for i := range msgs {
		if o.seen[i] != 1 {
			t.Fatalf("event %d reported %d times, want once", i, o.seen[i])
		}
	}
	if len(o.delivered)+len(o.dead) != len(msgs) {
		t.Fatalf("delivered %d + dead-lettered %d != %d", len(o.delivered), len(o.dead), len(msgs))
	}
	for _, r := range o.dead {
		if r.Reason == "" || r.Attempts == 0 {
			t.Errorf("dead letter %s without a reason or attempts: %+v", r.Message.EventID, r)
		}
	}
	// The dead-letter file re-reads as captures whose bodies are the original events, and
	// each line carries its failure record.
	var infos []aep.DeadLetter
	payloads := map[string][]byte{}
	for _, r := range o.dead {
		payloads[r.Message.EventID] = r.Message.Body
	}
	sc := bufio.NewScanner(bytes.NewReader(o.dlFile.Bytes()))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		dl, ok := aep.ReadDeadLetter(sc.Bytes())
		if !ok || dl.Reason == "" || dl.Attempts == 0 {
			t.Errorf("dead letter line %d: %+v ok=%v", len(infos)+1, dl, ok)
		}
		infos = append(infos, dl)
	}
	rd := recordings.NewReader(bytes.NewReader(o.dlFile.Bytes()), "dead.jsonl")
	for i := range infos {
		rec, err := rd.Next()
		if err != nil {
			t.Fatalf("dead letter line %d does not read as a capture: %v", i+1, err)
		}
		if want := payloads[infos[i].EventID]; !bytes.Equal(rec.Body, want) {
			t.Errorf("dead letter line %d (%s): body %.60q, want the payload %.60q", i+1, infos[i].EventID, rec.Body, want)
		}
	}
	if len(infos) != len(o.dead) {
		t.Errorf("dead-letter file has %d lines, want %d", len(infos), len(o.dead))
	}
	received := map[string]bool{}
	for _, r := range s.Records(emulator.Filter{}) {
		received[r.EventID] = true
	}
	for id := range o.delivered {
		if !received[id] {
			t.Fatalf("delivered %s but the emulator never received it", id)
		}
	}
}

func TestRun_noEventLost(t *testing.T) {
	const n = 10_000
	s, run := emulatortest.Start(t, emulator.Options{Faults: emulator.Faults{Seed: 1,
		Rates: map[int]float64{503: 0.30, 429: 0.10}, Timeout: 0.05, RetryAfter: time.Second}})
	c, err := aep.New(aep.Options{URL: run.InletURL(), FlowID: emulator.DefaultFlowID,
		Concurrency: 48, Retries: 6, Timeout: 200 * time.Millisecond, TimeScale: 0.001,
		Backoff: aep.Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Multiplier: 2, Jitter: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, n)
	msgs := make([]aep.Message, n)
	for i, ev := range evs {
		msgs[i] = aep.Message{Seq: i, EventID: ev.EventID, ObjectType: ev.ObjectType, Metric: ev.Metric, Body: ev.Bytes()}
	}
	o := runAll(t, c, msgs)
	checkNothingLost(t, o, msgs, s)
	cnt := s.Counts()
	t.Logf("delivered %d, dead-lettered %d; emulator: %d received, faults %+v", len(o.delivered), len(o.dead), cnt.Received, cnt.Faults)
	if cnt.Faults.Statuses[503] == 0 || cnt.Faults.Statuses[429] == 0 || cnt.Faults.Timeouts == 0 {
		t.Errorf("faults were not injected: %+v", cnt.Faults)
	}
	if len(o.dead) == 0 || len(o.delivered) == 0 {
		t.Logf("note: delivered %d, dead %d", len(o.delivered), len(o.dead))
	}
}

var _ = net.Listen
var _ = httptest.NewServer
var _ = strings.Contains
