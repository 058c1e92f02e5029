package generator

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/oklog/ulid/v2"
)

var fixedStart = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func TestGenerator_everyPairValidates(t *testing.T) {
	for _, seed := range []int64{1, 42, 20261129} {
		for _, opts := range []Options{
			{Seed: seed, Start: fixedStart},
			{Seed: seed, Start: fixedStart, BodyContent: true},
			{Seed: seed, Start: fixedStart, TestMode: true},
			{Seed: seed, Start: fixedStart, IDOnly: true},
		} {
			g := New(opts)
			for _, p := range customerio.Pairs() {
				for range 5 {
					ev, err := g.Event(p.ObjectType, p.Metric)
					if err != nil {
						t.Fatalf("seed %d %s: %v", seed, p.Name(), err)
					}
					if err := ev.Validate(); err != nil {
						t.Fatalf("seed %d %+v %s: %v\n%s", seed, opts, p.Name(), err, ev.Bytes())
					}
					if ev.ObjectType != p.ObjectType || ev.Metric != p.Metric {
						t.Fatalf("got %s, want %s", ev.Pair(), p.Name())
					}
				}
			}
		}
	}
	if n := len(customerio.Pairs()); n != 69 {
		t.Fatalf("len(Pairs()) = %d, want 69", n)
	}
}

func TestGenerator_deterministic(t *testing.T) {
	gen := func(seed int64) []byte {
		g := New(Options{Seed: seed, Start: fixedStart, BodyContent: true})
		var buf bytes.Buffer
		for _, p := range customerio.Pairs() {
			ev, err := g.Event(p.ObjectType, p.Metric)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(ev.Bytes())
			buf.WriteByte('\n')
		}
		return buf.Bytes()
	}
	a, b, c := gen(7), gen(7), gen(8)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
}

func TestGenerator_ulidTimeAfterTimestamp(t *testing.T) {
	g := New(Options{Seed: 3, Start: fixedStart})
	for range 500 {
		ev, err := g.Event("email", "delivered")
		if err != nil {
			t.Fatal(err)
		}
		u, err := ulid.ParseStrict(ev.EventID)
		if err != nil {
			t.Fatalf("event_id %q is not a ULID: %v", ev.EventID, err)
		}
		d := int64(u.Time()) - ev.Timestamp*1000
		if d < 500 || d > 2500 {
			t.Fatalf("ULID time is %d ms after timestamp, want 500–2500", d)
		}
	}
}

func TestGenerator_compactSortedKeys(t *testing.T) {
	g := New(Options{Seed: 5, Start: fixedStart, BodyContent: true})
	for _, p := range customerio.Pairs() {
		ev, _ := g.Event(p.ObjectType, p.Metric)
		// Re-marshal through a map: Go writes maps compact with sorted keys, as Customer.io does.
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(ev.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(m)
		if !bytes.Equal(want, ev.Bytes()) {
			t.Fatalf("%s not compact/sorted like encoding/json:\n got %s\nwant %s", p.Name(), ev.Bytes(), want)
		}
	}
}

func decodeData(t *testing.T, ev customerio.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGenerator_originFields(t *testing.T) {
	tests := []struct {
		origin  customerio.Origin
		want    []string
		notWant []string
	}{
		{customerio.OriginCampaign, []string{"campaign_id", "action_id", "delivery_id"}, []string{"broadcast_id", "newsletter_id", "transactional_message_id", "trigger_id", "content_id"}},
		{customerio.OriginBroadcast, []string{"broadcast_id", "action_id", "trigger_id"}, []string{"campaign_id", "newsletter_id", "transactional_message_id", "trigger_event_id"}},
		{customerio.OriginNewsletter, []string{"newsletter_id", "delivery_id"}, []string{"action_id", "campaign_id", "broadcast_id", "journey_id", "trigger_id"}},
		{customerio.OriginTransactional, []string{"transactional_message_id", "delivery_id"}, []string{"action_id", "campaign_id", "broadcast_id", "newsletter_id", "journey_id"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.origin), func(t *testing.T) {
			g := New(Options{Seed: 11, Start: fixedStart, Origin: tt.origin})
			for range 50 {
				ev, err := g.Event("email", "opened")
				if err != nil {
					t.Fatal(err)
				}
				data := decodeData(t, ev)
				for _, k := range tt.want {
					if _, ok := data[k]; !ok {
						t.Errorf("%s event lacks %s: %s", tt.origin, k, ev.Bytes())
					}
				}
				for _, k := range tt.notWant {
					if _, ok := data[k]; ok {
						t.Errorf("%s event has %s: %s", tt.origin, k, ev.Bytes())
					}
				}
			}
		})
	}
	_, err := New(Options{Seed: 1, Origin: customerio.OriginTransactional}).Event("sms", "sent")
	if err == nil || !strings.Contains(err.Error(), "no transactional origin") {
		t.Fatalf("transactional sms: err = %v, want a clear refusal", err)
	}
}

func TestGenerator_modes(t *testing.T) {
	g := New(Options{Seed: 2, Start: fixedStart, TestMode: true, BodyContent: true})
	ev, _ := g.Event("email", "sent")
	data := decodeData(t, ev)
	ids := data["identifiers"].(map[string]any)
	if _, ok := ids["cio_id"]; ok {
		t.Errorf("test mode event has cio_id: %s", ev.Bytes())
	}
	if _, ok := data["content"]; !ok {
		t.Errorf("body content event lacks content: %s", ev.Bytes())
	}
	g = New(Options{Seed: 2, Start: fixedStart, IDOnly: true})
	ev, _ = g.Event("email", "sent")
	data = decodeData(t, ev)
	ids = data["identifiers"].(map[string]any)
	if len(ids) != 1 || ids["id"] == nil {
		t.Errorf("ID-only identifiers = %v, want only id", ids)
	}
	if _, ok := data["content"]; ok {
		t.Errorf("content without Body Content: %s", ev.Bytes())
	}
	g = New(Options{Seed: 2, Start: fixedStart})
	ev, _ = g.Event("email", "sent")
	ids = decodeData(t, ev)["identifiers"].(map[string]any)
	if cio, _ := ids["cio_id"].(string); len(cio) != 12 || strings.Trim(cio, "0123456789abcdef") != "" {
		t.Errorf("cio_id = %q, want 12 lowercase hex", cio)
	}
}

func TestGenerator_channelValues(t *testing.T) {
	g := New(Options{Seed: 9, Start: fixedStart})
	for range 100 {
		for _, ot := range []string{"sms", "whatsapp"} {
			ev, _ := g.Event(ot, "delivered")
			r := decodeData(t, ev)["recipient"].(string)
			if !isE164(r) {
				t.Fatalf("%s recipient %q is not E.164", ot, r)
			}
		}
		ev, _ := g.Event("slack", "sent")
		if r := decodeData(t, ev)["recipient"].(string); !strings.HasPrefix(r, "#") {
			t.Fatalf("slack recipient %q", r)
		}
		ev, _ = g.Event("webhook", "sent")
		if r := decodeData(t, ev)["recipient"].(string); !strings.HasPrefix(r, "https://") {
			t.Fatalf("webhook recipient %q", r)
		}
		ev, _ = g.Event("push", "delivered")
		recips := decodeData(t, ev)["recipients"].([]any)
		if len(recips) == 0 || recips[0].(map[string]any)["device_id"] == "" {
			t.Fatalf("push recipients %v", recips)
		}
		ev, _ = g.Event("email", "clicked")
		data := decodeData(t, ev)
		if h := data["href"].(string); !strings.HasPrefix(h, "https://") {
			t.Fatalf("email href %q", h)
		}
	}
}

func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}

func TestGenerator_deliveryIDLayout(t *testing.T) {
	g := New(Options{Seed: 4, Start: fixedStart})
	ev, _ := g.Event("email", "sent")
	id := decodeData(t, ev)["delivery_id"].(string)
	if len(id) != 28 || id[0] != 'R' {
		t.Fatalf("delivery_id %q: want 28 chars starting with R", id)
	}
}

func BenchmarkGenerator_Event(b *testing.B) {
	g := New(Options{Seed: 1, Start: fixedStart})
	pairs := customerio.Pairs()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		if _, err := g.Event(p.ObjectType, p.Metric); err != nil {
			b.Fatal(err)
		}
	}
}
