package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

var tiny = aep.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}

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

// outcome collects what Deliver emitted.
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
	i := 0
	src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
		if i == len(msgs) {
			return recordings.Record{}, io.EOF
		}
		m := msgs[i]
		i++
		ev, _ := customerio.Parse(m.Body)
		return recordings.Record{File: "mem", Line: i, Body: m.Body, Event: ev}, nil
	})
	key := func(rec recordings.Record) string { return msgs[rec.Line-1].Key }
	err := pipeline.Deliver(context.Background(), src, c, pipeline.Options{Key: key, OnResult: func(pr pipeline.Result) {
		r := pr.Result
		r.Message.EventID = msgs[r.Message.Seq].EventID
		o.results = append(o.results, r)
		o.seen[r.Message.Seq]++
		switch r.Outcome {
		case aep.Delivered:
			o.delivered[r.Message.EventID] = true
		case aep.Failed:
			o.dead = append(o.dead, r)
			if err := dl.Write(r); err != nil {
				t.Error(err)
			}
		default:
			t.Errorf("event %d has no outcome: %+v", r.Message.Seq, r)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
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
		payloads[r.Message.EventID] = msgs[r.Message.Seq].Body
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

func TestDeliver_noEventLost(t *testing.T) {
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

func TestDeliver_oversizeAndMixedBatch(t *testing.T) {
	s, run := emulatortest.Start(t, emulator.Options{})
	big := `{"event_id":"big","pad":"` + strings.Repeat("x", aep.MaxRequestBytes) + `"}`
	good := func(id string) []byte {
		return []byte(`{"header":{"schemaRef":{"id":"s","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
			`"body":{"xdmMeta":{"schemaRef":{"id":"s"}},"xdmEntity":{"_id":"` + id + `","timestamp":"2026-01-01T00:00:00Z"}}}`)
	}
	msgs := []aep.Message{
		{Seq: 0, EventID: "g1", Body: good("g1")},
		{Seq: 1, EventID: "nohdr", Body: []byte(`{"body":{"xdmEntity":{}}}`)},
		{Seq: 2, EventID: "big", Body: []byte(big)},
		{Seq: 3, EventID: "g2", Body: good("g2")},
	}
	for _, mode := range []aep.Mode{aep.ModeBatch, aep.ModeXDM} {
		t.Run(string(mode), func(t *testing.T) {
			s.Reset()
			c, err := aep.New(aep.Options{Mode: mode, URL: run.InletURL(), Retries: 3, Backoff: tiny})
			if err != nil {
				t.Fatal(err)
			}
			o := runAll(t, c, msgs)
			checkNothingLost(t, o, msgs, s)
			want := map[string]int{"g1": 200, "nohdr": 400, "big": 413, "g2": 200}
			for _, r := range o.results {
				if r.Status != want[r.Message.EventID] {
					t.Errorf("%s: status %d (%s), want %d", r.Message.EventID, r.Status, r.Reason, want[r.Message.EventID])
				}
				if r.Status >= 400 && (r.Attempts != 1 || r.Reason == "") {
					t.Errorf("%s: %d attempts, reason %q; want 1 attempt and a reason", r.Message.EventID, r.Attempts, r.Reason)
				}
			}
		})
	}
}

func TestDeliver_orderedPerCustomer(t *testing.T) {
	s, run := emulatortest.Start(t, emulator.Options{})
	c, _ := aep.New(aep.Options{URL: run.InletURL(), FlowID: "f", Concurrency: 8, Ordered: true})
	evs := events(t, 400)
	msgs := make([]aep.Message, len(evs))
	for i, ev := range evs {
		msgs[i] = aep.Message{Seq: i, EventID: ev.EventID, Key: []string{"c1", "c2", "c3"}[i%3], Body: ev.Bytes()}
	}
	runAll(t, c, msgs)
	last := map[string]int{}
	pos := map[string]int{}
	for i, m := range msgs {
		pos[m.EventID] = i
	}
	for _, r := range s.Records(emulator.Filter{}) {
		i := pos[r.EventID]
		k := msgs[i].Key
		if p, ok := last[k]; ok && i < p {
			t.Fatalf("customer %s: event %d arrived after event %d", k, i, p)
		}
		last[k] = i
	}
}
