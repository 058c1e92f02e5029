package aep_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
)

var tiny = aep.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}

func TestSend_unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c, _ := aep.New(aep.Options{URL: "http://" + addr + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 2, Backoff: tiny})
	r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
	if r.Outcome != aep.DeadLettered || r.Attempts != 3 || r.Status != 0 || !strings.Contains(r.Reason, "connection refused") {
		t.Fatalf("result = %+v, want dead-lettered after 3 attempts with 'connection refused'", r)
	}
}

func TestSend_tlsError(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 5, Backoff: tiny})
	r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
	if r.Outcome != aep.DeadLettered || r.Attempts != 1 || !strings.Contains(r.Reason, "TLS error") ||
		!strings.Contains(r.Reason, "certificate") {
		t.Fatalf("result = %+v, want one attempt (certificates do not fix themselves) and a TLS reason", r)
	}
}

func TestRun_oversizeAndMixedBatch(t *testing.T) {
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

func TestRun_orderedPerCustomer(t *testing.T) {
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
