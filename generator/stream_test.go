package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// requires says, per channel, which metric must come earlier in the same delivery for a
// metric to appear. It is written from the reference's §7, independently of Plan.
var requires = map[string]map[string]string{
	"email":    {"delivered": "sent", "bounced": "sent", "spammed": "delivered", "opened": "delivered", "clicked": "opened", "converted": "clicked", "unsubscribed": "opened"},
	"push":     {"delivered": "sent", "bounced": "sent", "opened": "delivered", "clicked": "opened", "converted": "clicked"},
	"sms":      {"delivered": "sent", "bounced": "sent", "clicked": "delivered", "converted": "clicked", "replied": "delivered"},
	"whatsapp": {"delivered": "sent", "bounced": "sent", "opened": "delivered", "clicked": "opened", "converted": "clicked", "replied": "delivered"},
	"slack":    {"clicked": "sent"},
	"webhook":  {"clicked": "sent"},
	"in_app":   {"opened": "sent", "clicked": "opened", "converted": "clicked"},
}

// terminal metrics end a delivery: nothing of the same delivery may follow them.
var terminal = []string{"bounced", "failed", "dropped", "undeliverable", "spammed"}

// allChannels is a run with every channel and origin, full resolution on some messages.
func allChannels(t *testing.T, customers int, boost bool) StreamOptions {
	t.Helper()
	var msgs []Message
	origins := map[string]customerio.Origin{"email": customerio.OriginNewsletter, "push": customerio.OriginTransactional,
		"sms": customerio.OriginCampaign, "whatsapp": customerio.OriginBroadcast}
	for i, ch := range Channels() {
		l, err := DefaultLifecycle(ch)
		if err != nil {
			t.Fatal(err)
		}
		if boost { // make rare branches common so small runs exercise them
			r := &l.Rates
			r.Undeliverable, r.Attempted, r.Failed, r.Drafted = 0.05, 0.2, 0.05, 0.3
			if has(ch, "spammed") {
				r.Spammed = 0.05
			}
			if has(ch, "unsubscribed") {
				r.Unsubscribed = 0.2
			}
			if has(ch, "replied") {
				r.Replied = 0.4
			}
			if has(ch, "clicked") {
				r.Clicked = 0.6
			}
			r.Converted = min(1, r.Converted*3)
		}
		l.FullResolution = i%2 == 0
		msgs = append(msgs, Message{Name: ch, Lifecycle: l, Origin: origins[ch], Reach: 0.8, At: time.Duration(i) * time.Hour, Spread: 6 * time.Hour})
	}
	return StreamOptions{Customers: customers, IDOnlyShare: 0.2, Messages: msgs, EveryPair: true,
		Subscriptions: &Subscriptions{Reach: 0.3, Unsubscribed: 0.5, Resubscribed: 0.5, MessageCaused: 0.5, Spread: 24 * time.Hour,
			Resubscribe: Delay{Dist: Pareto, Min: time.Hour, Max: 30 * 24 * time.Hour}}}
}

type deliveryLog struct {
	channel  string
	metrics  []string
	times    []int64
	shared   map[string]string // identifiers, customer_id, origin ids, recipient
	customer int
}

// sharedKeys must be identical on every event of a delivery.
var sharedKeys = []string{"identifiers", "customer_id", "campaign_id", "broadcast_id", "newsletter_id", "action_id",
	"transactional_message_id", "journey_id", "trigger_event_id", "trigger_id", "parent_action_id", "content_id"}

func collect(t *testing.T, g *Generator, opts StreamOptions) (map[string]*deliveryLog, []customerio.Event) {
	t.Helper()
	s, err := g.NewStream(opts)
	if err != nil {
		t.Fatal(err)
	}
	logs := map[string]*deliveryLog{}
	var all []customerio.Event
	last := int64(0)
	for {
		it, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ev := it.Event
		if err := ev.Validate(); err != nil {
			t.Fatalf("invalid event: %v\n%s", err, ev.Bytes())
		}
		if ev.Timestamp < last {
			t.Fatalf("output not in timestamp order: %d after %d", ev.Timestamp, last)
		}
		last = ev.Timestamp
		all = append(all, ev)
		var data map[string]json.RawMessage
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatal(err)
		}
		if ev.ObjectType == "customer" {
			continue
		}
		var id string
		json.Unmarshal(data["delivery_id"], &id)
		if it.Message < 0 { // every-pair events are single events of their own delivery
			id = "pair:" + id
		}
		l := logs[id]
		if l == nil {
			l = &deliveryLog{channel: ev.ObjectType, shared: map[string]string{}, customer: it.Customer}
			for _, k := range sharedKeys {
				l.shared[k] = string(data[k])
			}
			logs[id] = l
		}
		if l.channel != ev.ObjectType || l.customer != it.Customer {
			t.Fatalf("delivery %s mixes %s/%d and %s/%d", id, l.channel, l.customer, ev.ObjectType, it.Customer)
		}
		for _, k := range sharedKeys {
			if got := string(data[k]); got != l.shared[k] {
				t.Fatalf("delivery %s: %s changed from %s to %s on %s", id, k, l.shared[k], got, ev.Metric)
			}
		}
		l.metrics = append(l.metrics, ev.Metric)
		l.times = append(l.times, ev.Timestamp)
	}
	return logs, all
}

func checkDelivery(id string, l *deliveryLog, fullRes bool) error {
	seen := map[string]int{}
	for i, m := range l.metrics {
		if i > 0 && l.times[i] < l.times[i-1] {
			return fmt.Errorf("time goes backwards at %s", m)
		}
		if i > 0 && slices.Contains(terminal, l.metrics[i-1]) {
			return fmt.Errorf("%s after terminal %s", m, l.metrics[i-1])
		}
		if req, ok := requires[l.channel][m]; ok && seen[req] == 0 {
			return fmt.Errorf("%s without an earlier %s", m, req)
		}
		if (m == "sent" || m == "drafted" || m == "attempted") && (seen["failed"]+seen["dropped"]+seen["undeliverable"]) > 0 {
			return fmt.Errorf("%s after a failure", m)
		}
		if m == "delivered" && seen["bounced"] > 0 || m == "bounced" && seen["delivered"] > 0 {
			return fmt.Errorf("both delivered and bounced")
		}
		if m == "replied" {
			j := slices.Index(l.metrics, "delivered")
			if d := time.Duration(l.times[i]-l.times[j]) * time.Second; d > MaxReplyDelay {
				return fmt.Errorf("replied %s after delivered, beyond 72h", d)
			}
		}
		seen[m]++
		if !fullRes && (m == "opened" || m == "clicked") && seen[m] > 1 {
			return fmt.Errorf("repeat %s without full resolution", m)
		}
		if m != "opened" && m != "clicked" && seen[m] > 1 {
			return fmt.Errorf("%s twice", m)
		}
	}
	return nil
}

func TestStream_lifecycleProperties(t *testing.T) {
	repeats := 0
	for seed := int64(1); seed <= 40; seed++ {
		opts := allChannels(t, 60, true)
		fullRes := map[string]bool{}
		for _, m := range opts.Messages {
			fullRes[m.Lifecycle.Channel] = m.Lifecycle.FullResolution
		}
		g := New(Options{Seed: seed, Start: fixedStart, BodyContent: seed%2 == 0, TestMode: seed%5 == 0})
		logs, all := collect(t, g, opts)
		if len(all) == 0 {
			t.Fatal("no events")
		}
		for id, l := range logs {
			if strings.HasPrefix(id, "pair:") {
				continue
			}
			if err := checkDelivery(id, l, fullRes[l.channel]); err != nil {
				t.Fatalf("seed %d delivery %s (%s): %v: %v", seed, id, l.channel, err, l.metrics)
			}
			n := 0
			for _, m := range l.metrics {
				if m == "opened" {
					n++
				}
			}
			if n > 1 {
				repeats++
			}
		}
	}
	if repeats == 0 {
		t.Fatal("full resolution never produced a repeat open")
	}
}

// TestStream_checkerCatchesViolations makes sure the property checker is not vacuous.
func TestStream_checkerCatchesViolations(t *testing.T) {
	bad := []deliveryLog{
		{channel: "email", metrics: []string{"sent", "clicked"}, times: []int64{1, 2}},
		{channel: "email", metrics: []string{"sent", "bounced", "delivered"}, times: []int64{1, 2, 3}},
		{channel: "email", metrics: []string{"sent", "delivered", "opened", "opened"}, times: []int64{1, 2, 3, 4}},
		{channel: "sms", metrics: []string{"sent", "delivered", "replied"}, times: []int64{1, 2, 2 + 73*3600}},
		{channel: "push", metrics: []string{"sent", "delivered"}, times: []int64{5, 4}},
		{channel: "in_app", metrics: []string{"failed", "sent"}, times: []int64{1, 2}},
	}
	for _, l := range bad {
		if err := checkDelivery("x", &l, false); err == nil {
			t.Errorf("checker accepted %s %v", l.channel, l.metrics)
		}
	}
}

func TestStream_deterministicAndSeeded(t *testing.T) {
	run := func(seed int64) string {
		var b strings.Builder
		_, all := collect(t, New(Options{Seed: seed, Start: fixedStart}), allChannels(t, 30, false))
		for _, ev := range all {
			b.Write(ev.Bytes())
			b.WriteByte('\n')
		}
		return b.String()
	}
	a, b, c := run(3), run(3), run(4)
	if a != b {
		t.Fatal("same seed gave different output")
	}
	if a == c {
		t.Fatal("different seeds gave the same output")
	}
}

// TestStream_ratesWithinTolerance checks observed conditional rates against the lifecycle's
// for a large run: within 5 standard deviations of a binomial proportion.
func TestStream_ratesWithinTolerance(t *testing.T) {
	for _, ch := range []string{"email", "sms", "in_app"} {
		t.Run(ch, func(t *testing.T) {
			l, _ := DefaultLifecycle(ch)
			l.Rates.Attempted, l.Rates.Failed, l.Rates.Undeliverable = 0, 0, 0
			if ch == "email" {
				l.Rates.Spammed = 0
			}
			opts := StreamOptions{Customers: 8000, Messages: []Message{{Name: ch, Lifecycle: l, Reach: 1, Spread: time.Hour}}}
			logs, _ := collect(t, New(Options{Seed: 11, Start: fixedStart}), opts)
			count := map[string]int{}
			for _, d := range logs {
				for _, m := range slices.Compact(slices.Clone(d.metrics)) {
					count[m]++
				}
			}
			check := func(metric, of string, want float64) {
				n, k := float64(count[of]), float64(count[metric])
				if n < 100 {
					t.Fatalf("%s: only %v %s events", ch, n, of)
				}
				got := k / n
				sd := math.Sqrt(want * (1 - want) / n)
				if math.Abs(got-want) > 5*sd+1e-9 {
					t.Errorf("%s: %s/%s = %.4f, want %.4f ± %.4f", ch, metric, of, got, want, 5*sd)
				}
			}
			r := l.Rates
			switch ch {
			case "email":
				if got, want := count["sent"], int(float64(8000)*(1-r.Dropped)); math.Abs(float64(got-want)) > 5*math.Sqrt(8000*r.Dropped) {
					t.Errorf("sent %d, want about %d", got, want)
				}
				check("bounced", "sent", r.Bounced)
				check("opened", "delivered", r.Opened)
				check("clicked", "opened", r.Clicked)
				check("converted", "clicked", r.Converted)
			case "sms":
				check("clicked", "delivered", r.Clicked)
				check("replied", "delivered", r.Replied)
			case "in_app":
				check("opened", "sent", r.Opened)
				check("clicked", "opened", r.Clicked)
			}
		})
	}
}

func TestStream_populationStableAndIDOnly(t *testing.T) {
	opts := allChannels(t, 200, false)
	s, err := New(Options{Seed: 5, Start: fixedStart}).NewStream(opts)
	if err != nil {
		t.Fatal(err)
	}
	people := make([]Person, 200)
	for i := range people {
		people[i] = s.Customer(i)
	}
	idOnly := 0
	for _, p := range people {
		if p.IDOnly {
			idOnly++
		}
	}
	if idOnly < 20 || idOnly > 70 {
		t.Fatalf("%d of 200 ID-only, want about 40", idOnly)
	}
	seenIDs := map[string]int{}
	for {
		it, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var data struct {
			Identifiers map[string]string `json:"identifiers"`
		}
		json.Unmarshal(it.Event.Data, &data)
		p := people[it.Customer]
		want := map[string]string{"id": p.ID}
		if !p.IDOnly {
			want["email"], want["cio_id"] = p.Email, p.CioID
		}
		if !reflect.DeepEqual(data.Identifiers, want) {
			t.Fatalf("customer %d identifiers %v, want %v", it.Customer, data.Identifiers, want)
		}
		seenIDs[p.ID]++
	}
	reused := 0
	for _, n := range seenIDs {
		if n > 3 {
			reused++
		}
	}
	if reused < 100 {
		t.Fatalf("only %d customers appear in more than 3 events: identities are not reused", reused)
	}
}

func TestLifecycle_validate(t *testing.T) {
	l, _ := DefaultLifecycle("sms")
	tests := []struct {
		name    string
		mutate  func(*Lifecycle)
		wantErr string
	}{
		{"rate above 1", func(l *Lifecycle) { l.Rates.Delivered = 1.2 }, "rates.delivered: 1.2 is outside [0,1]"},
		{"negative rate", func(l *Lifecycle) { l.Rates.Clicked = -0.1 }, "rates.clicked"},
		{"metric the channel lacks", func(l *Lifecycle) { l.Rates.Opened = 0.3 }, "sms has no opened events"},
		{"reply window", func(l *Lifecycle) { l.Delays.Replied.Max = 80 * time.Hour }, "72h"},
		{"max below min", func(l *Lifecycle) { l.Delays.Delivered.Max = 0 }, "delays.delivered: max"},
		{"bad dist", func(l *Lifecycle) { l.Delays.Opened.Dist = "normal" }, "unknown distribution"},
		{"unknown channel", func(l *Lifecycle) { l.Channel = "fax" }, "unknown channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := l
			tt.mutate(&x)
			err := x.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
	for _, ch := range Channels() {
		l, _ := DefaultLifecycle(ch)
		if err := l.Validate(); err != nil {
			t.Errorf("default %s lifecycle invalid: %v", ch, err)
		}
	}
}

func TestDelay_paretoSkewedAndBounded(t *testing.T) {
	g := New(Options{Seed: 1, Start: fixedStart})
	l, _ := DefaultLifecycle("email")
	d := l.Delays.Opened
	var xs []int64
	for range 20000 {
		x := d.sample(g.f.Rand)
		if x < d.Min.Milliseconds() || x > d.Max.Milliseconds() {
			t.Fatalf("sample %d outside [%v, %v]", x, d.Min, d.Max)
		}
		xs = append(xs, x)
	}
	slices.Sort(xs)
	median, p95 := time.Duration(xs[len(xs)/2])*time.Millisecond, time.Duration(xs[len(xs)*95/100])*time.Millisecond
	if median < 15*time.Minute || median > 6*time.Hour || p95 < 24*time.Hour {
		t.Fatalf("not Pareto-skewed: median %v, p95 %v", median, p95)
	}
}

func TestStream_messageSubjectPerRecipient(t *testing.T) {
	l, _ := DefaultLifecycle("email")
	for _, subject := range []string{"Welcome, {first}!", ""} {
		s, err := New(Options{Seed: 2, Start: fixedStart}).NewStream(StreamOptions{Customers: 30,
			Messages: []Message{{Name: "w", Lifecycle: l, Reach: 1, Spread: time.Hour, Subject: subject, CampaignID: 12}}})
		if err != nil {
			t.Fatal(err)
		}
		subjects := map[string]bool{}
		for {
			it, err := s.Next()
			if err != nil {
				break
			}
			var data struct {
				Subject    string `json:"subject"`
				CampaignID int64  `json:"campaign_id"`
			}
			json.Unmarshal(it.Event.Data, &data)
			if it.Event.ObjectType == "customer" {
				continue
			}
			if data.CampaignID != 12 {
				t.Fatalf("campaign_id %d, want the message's 12", data.CampaignID)
			}
			if data.Subject == "" {
				continue
			}
			if strings.Contains(data.Subject, "\x00") {
				t.Fatalf("name marker leaked: %q", data.Subject)
			}
			if subject != "" && data.Subject != "Welcome, "+s.Customer(it.Customer).FirstName+"!" {
				t.Fatalf("subject %q for %s", data.Subject, s.Customer(it.Customer).FirstName)
			}
			subjects[strings.Split(data.Subject, s.Customer(it.Customer).FirstName)[0]] = true
		}
		if len(subjects) != 1 {
			t.Fatalf("subject %q: one message has several subject templates: %v", subject, subjects)
		}
	}
}

func TestNewStream_customersBounded(t *testing.T) {
	t.Parallel()
	g := New(Options{Seed: 1})
	_, err := g.NewStream(StreamOptions{Customers: MaxCustomers + 1})
	if err == nil || !strings.Contains(err.Error(), "more than 10000000") {
		t.Errorf("err = %v", err)
	}
}

// A pending event names its pair by a one-byte catalog index.
func TestStream_catalogIndexFitsAByte(t *testing.T) {
	g := New(Options{Seed: 1, Start: fixedStart})
	if n := len(g.catalog); n > 256 {
		t.Fatalf("the catalog has %d pairs; pending.pair is a uint8", n)
	}
	for i, p := range g.catalog {
		if got := g.pairIndex(p.ObjectType, p.Metric); int(got) != i {
			t.Fatalf("pairIndex(%s) = %d, want %d", p.Name(), got, i)
		}
	}
}

// A run's bytes do not depend on how many cores build its events.
func TestStream_sameBytesWhateverTheCores(t *testing.T) {
	opts := allChannels(t, 300, true)
	run := func() []byte {
		s, err := New(Options{Seed: 11, Start: fixedStart, BodyContent: true}).NewStream(opts)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for {
			it, err := s.Next()
			if errors.Is(err, io.EOF) {
				return out.Bytes()
			}
			if err != nil {
				t.Fatal(err)
			}
			out.Write(it.Event.Bytes())
			out.WriteByte('\n')
		}
	}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	want := run()
	if n := bytes.Count(want, []byte{'\n'}); n < 3*streamBatch {
		t.Fatalf("only %d events: too few to span several batches", n)
	}
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		if got := run(); !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: output differs from GOMAXPROCS 1", procs)
		}
	}
}
