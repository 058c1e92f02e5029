package generator

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// Message is one campaign, broadcast, newsletter or transactional message of a run: a
// channel lifecycle sent to a share of the customers, with sends spread over a window.
type Message struct {
	// Name identifies the message in errors and in [Item.Message].
	Name      string
	Lifecycle Lifecycle
	// Origin is the message's origin; empty means campaign.
	Origin customerio.Origin
	// Reach is the share of customers who receive the message, in [0,1].
	Reach float64
	// At is when the first send happens, from the run's start; sends are spread evenly at
	// random over Spread after it, in the order of the customers.
	At, Spread time.Duration
	// Fixed origin ids; zero values are drawn once for the message. All deliveries of a
	// message share its origin ids, subject and tracked link.
	CampaignID, BroadcastID, NewsletterID, ActionID, TransactionalID int64
	// Subject fixes the message's subject (email subject, push title); "{first}" becomes
	// the recipient's first name. Empty draws one.
	Subject string
}

// StreamOptions describe a run: the customers and what they receive.
type StreamOptions struct {
	// Customers is the number of people in the workspace (at least 1).
	Customers int
	// IDOnlyShare is the share of customers identified by id alone, in [0,1].
	IDOnlyShare float64
	Messages    []Message
	// Subscriptions, when not nil, adds customer subscription events.
	Subscriptions *Subscriptions
	// EveryPair adds one event of every catalog pair (customers taken in turn), two
	// seconds apart from the start: a smoke test of everything a webhook can carry.
	EveryPair bool
}

// Item is one generated event and where it came from.
type Item struct {
	Event customerio.Event
	// Message is the index of the message in StreamOptions.Messages, or -1 for subscription
	// and every-pair events.
	Message int
	// Customer is the index of the person in the population.
	Customer int
}

// Stream generates a run's events in timestamp order without holding the run in memory:
// customers' identities are kept, and deliveries only while they have events still to come.
// Each message yields its deliveries in creation order; a delivery's lifecycle is planned
// when it is created and its events wait in a heap ordered by time until no earlier event
// can appear. The output is deterministic for the generator's seed and options.
type Stream struct {
	g       *Generator
	start   int64
	people  []Person
	sources []*source
	events  eventHeap
	seq     uint64
	steps   []Step
	pairs   []customerio.Pair
	subs    *Subscriptions
}

type sourceKind int

const (
	srcMessage sourceKind = iota
	srcSubscriptions
	srcPairs
)

type source struct {
	kind      sourceKind
	msg       int
	message   *Message
	tmpl      Delivery
	n, total  int // deliveries to make, customers to choose from
	selected  int
	idx       int
	u         float64
	start     int64
	spread    int64
	next      int64
	cust      int
	done      bool
	pairIndex int
}

type delivery struct {
	d    Delivery
	cust int
	msg  int
}

type pending struct {
	at         int64
	seq        uint64
	objectType string
	metric     string
	dv         *delivery
	// noDelivery builds a customer event without the delivery's origin fields.
	noDelivery bool
}

// MaxCustomers bounds a run's population, which [Generator.NewStream] draws up front and
// holds in memory with the deliveries in flight: welcome-email at 300,000 customers peaks
// at about 280 MB of RSS (906 MB at a million).
const MaxCustomers = 300_000

// NewStream prepares a run. It draws the population first, so the same customers appear
// whatever the messages are.
func (g *Generator) NewStream(opts StreamOptions) (*Stream, error) {
	if opts.Customers < 1 {
		return nil, fmt.Errorf("generator: customers must be at least 1, got %d", opts.Customers)
	}
	if opts.Customers > MaxCustomers {
		return nil, fmt.Errorf("generator: customers %d is more than %d: a run holds its whole population in memory (about 900 bytes a customer)", opts.Customers, MaxCustomers)
	}
	if math.IsNaN(opts.IDOnlyShare) || opts.IDOnlyShare < 0 || opts.IDOnlyShare > 1 {
		return nil, fmt.Errorf("generator: id-only share %v is outside [0,1]", opts.IDOnlyShare)
	}
	for i, m := range opts.Messages {
		if err := m.Lifecycle.Validate(); err != nil {
			return nil, fmt.Errorf("generator: message %d (%s): %w", i, m.Name, err)
		}
		if math.IsNaN(m.Reach) || m.Reach < 0 || m.Reach > 1 {
			return nil, fmt.Errorf("generator: message %d (%s): reach %v is outside [0,1]", i, m.Name, m.Reach)
		}
		if m.At < 0 || m.Spread < 0 {
			return nil, fmt.Errorf("generator: message %d (%s): at and spread cannot be negative", i, m.Name)
		}
		o := m.Origin
		if o == "" {
			o = customerio.OriginCampaign
		}
		p, _ := customerio.Lookup(m.Lifecycle.Channel, "sent")
		if !p.AllowsOrigin(o) {
			return nil, fmt.Errorf("generator: message %d (%s): %s messages have no %s origin (the catalog allows %v)", i, m.Name, m.Lifecycle.Channel, o, p.Origins)
		}
	}
	if opts.Subscriptions != nil {
		if err := opts.Subscriptions.Validate(); err != nil {
			return nil, fmt.Errorf("generator: %w", err)
		}
	}
	s := &Stream{g: g, start: g.clock.UnixMilli()}
	s.people = make([]Person, opts.Customers)
	for i := range s.people {
		s.people[i] = g.NewPerson()
		s.people[i].IDOnly = opts.IDOnlyShare > 0 && g.f.Rand.Float64() < opts.IDOnlyShare
	}
	for i := range opts.Messages {
		m := &opts.Messages[i]
		src := &source{kind: srcMessage, msg: i, message: m, total: opts.Customers,
			n:     int(math.Round(m.Reach * float64(opts.Customers))),
			start: s.start + m.At.Milliseconds(), spread: m.Spread.Milliseconds()}
		o := m.Origin
		if o == "" {
			o = customerio.OriginCampaign
		}
		src.tmpl = g.NewDelivery(m.Lifecycle.Channel, o, time.UnixMilli(src.start), Person{FirstName: firstNameMark})
		t := &src.tmpl
		setIf := func(dst *int64, v int64) {
			if v != 0 {
				*dst = v
			}
		}
		setIf(&t.CampaignID, m.CampaignID)
		setIf(&t.BroadcastID, m.BroadcastID)
		setIf(&t.NewsletterID, m.NewsletterID)
		setIf(&t.ActionID, m.ActionID)
		setIf(&t.TransactionalID, m.TransactionalID)
		if m.Subject != "" {
			t.Subject = strings.ReplaceAll(m.Subject, "{first}", firstNameMark)
		}
		s.sources = append(s.sources, src)
	}
	if sub := opts.Subscriptions; sub != nil {
		s.sources = append(s.sources, &source{kind: srcSubscriptions, msg: -1, total: opts.Customers,
			n:     int(math.Round(sub.Reach * float64(opts.Customers))),
			start: s.start + sub.At.Milliseconds(), spread: sub.Spread.Milliseconds()})
		s.sources[len(s.sources)-1].message = &Message{Name: "subscriptions"}
	}
	if opts.EveryPair {
		s.pairs = customerio.Pairs()
		s.sources = append(s.sources, &source{kind: srcPairs, msg: -1, start: s.start, next: s.start})
	}
	s.subs = opts.Subscriptions
	for _, src := range s.sources {
		s.advance(src)
	}
	return s, nil
}

// Customers returns the run's population (shared; do not modify).
func (s *Stream) Customers() []Person { return s.people }

// advance moves src to its next arrival: the next chosen customer and its time. Customers
// are chosen by selection sampling and times are sorted uniforms drawn in increasing order,
// so nothing but the position is stored.
func (s *Stream) advance(src *source) {
	r := s.g.f.Rand
	if src.kind == srcPairs {
		if src.pairIndex >= len(s.pairs) {
			src.done = true
			return
		}
		src.next = s.start + int64(src.pairIndex)*2000
		src.cust = src.pairIndex % len(s.people)
		return
	}
	if src.selected >= src.n {
		src.done = true
		return
	}
	for ; src.idx < src.total; src.idx++ {
		if float64(src.total-src.idx)*r.Float64() < float64(src.n-src.selected) {
			break
		}
	}
	src.cust = src.idx
	src.idx++
	k := src.n - src.selected
	src.u += (1 - src.u) * (1 - math.Pow(r.Float64(), 1/float64(k)))
	src.selected++
	src.next = src.start + int64(src.u*float64(src.spread))
}

// Next returns the next event in timestamp order, or io.EOF after the last.
func (s *Stream) Next() (Item, error) {
	for {
		var src *source
		for _, x := range s.sources {
			if !x.done && (src == nil || x.next < src.next) {
				src = x
			}
		}
		if len(s.events) > 0 && (src == nil || s.events[0].at <= src.next) {
			return s.build(s.events.pop())
		}
		if src == nil {
			return Item{}, io.EOF
		}
		s.arrive(src)
		if src.kind == srcPairs {
			src.pairIndex++
		}
		s.advance(src)
	}
}

func (s *Stream) push(p pending) {
	s.seq++
	p.seq = s.seq
	s.events.push(p)
}

// arrive creates what src's current arrival starts: a delivery and its planned events, a
// subscription change, or one smoke event.
func (s *Stream) arrive(src *source) {
	g := s.g
	r := g.f.Rand
	at := src.next
	person := s.people[src.cust]
	switch src.kind {
	case srcMessage:
		dv := &delivery{cust: src.cust, msg: src.msg}
		dv.d = g.deliveryFrom(src.tmpl, time.UnixMilli(at), person)
		s.steps = g.Plan(src.message.Lifecycle, at, s.steps[:0])
		for _, st := range s.steps {
			s.push(pending{at: st.At, objectType: dv.d.ObjectType, metric: st.Metric, dv: dv})
			if st.Metric == "unsubscribed" {
				// Unsubscribing through a message sets the person's unsubscribed attribute.
				s.push(pending{at: st.At, objectType: "customer", metric: "unsubscribed", dv: dv, noDelivery: true})
			}
		}
	case srcSubscriptions:
		sub := s.subs
		dv := &delivery{cust: src.cust, msg: -1}
		if r.Float64() < sub.Unsubscribed {
			s.push(pending{at: at, objectType: "customer", metric: "unsubscribed", dv: dv, noDelivery: true})
			if r.Float64() < sub.Resubscribed {
				s.push(pending{at: at + sub.Resubscribe.sample(r), objectType: "customer", metric: "subscribed", dv: dv, noDelivery: true})
			}
			return
		}
		caused := r.Float64() < sub.MessageCaused
		if caused {
			origins := []customerio.Origin{customerio.OriginCampaign, customerio.OriginBroadcast, customerio.OriginNewsletter}
			dv.d = g.NewDelivery("email", origins[r.Intn(len(origins))], time.UnixMilli(at-int64(r.Intn(3*86400_000))), person)
		}
		s.push(pending{at: at, objectType: "customer", metric: "cio_subscription_preferences_changed", dv: dv, noDelivery: !caused})
	case srcPairs:
		p := s.pairs[src.pairIndex]
		dv := &delivery{cust: src.cust, msg: -1}
		noDelivery := p.ObjectType == "customer"
		if !noDelivery {
			origin, _ := g.PickOrigin(p)
			if origin == "" {
				origin = customerio.OriginCampaign
			}
			dv.d = g.NewDelivery(p.ObjectType, origin, time.UnixMilli(at-int64(r.Intn(30_000))), person)
		}
		s.push(pending{at: at, objectType: p.ObjectType, metric: p.Metric, dv: dv, noDelivery: noDelivery})
	}
}

func (s *Stream) build(p pending) (Item, error) {
	spec := Spec{ObjectType: p.objectType, Metric: p.metric, At: time.UnixMilli(p.at), Person: s.people[p.dv.cust]}
	if !p.noDelivery {
		spec.Delivery = &p.dv.d
	}
	ev, err := s.g.Build(spec)
	if err != nil {
		return Item{}, err
	}
	return Item{Event: ev, Message: p.dv.msg, Customer: p.dv.cust}, nil
}

// firstNameMark stands for the recipient's first name in a message's subject template
// ("{first}, your order shipped"), filled in per delivery.
const firstNameMark = "\x00first\x00"

// deliveryFrom makes a message's delivery for one person: the message's origin ids, subject
// and link, with its own id, creation time, journey and trigger event.
func (g *Generator) deliveryFrom(tmpl Delivery, created time.Time, p Person) Delivery {
	d := tmpl
	if strings.Contains(d.Subject, firstNameMark) {
		d.Subject = strings.ReplaceAll(d.Subject, firstNameMark, p.FirstName)
	}
	d.ID = string(g.deliveryID(tmpl.ObjectType, created, g.account))
	d.Created = created
	d.JourneyID = g.ulidAt(created.Add(-time.Duration(g.f.IntRange(1, 3600)) * time.Second))
	d.TriggerEventID = g.ulidAt(created.Add(-time.Duration(g.f.IntRange(1, 600)) * time.Second))
	return d
}

// eventHeap is a binary min-heap of pending events by (time, sequence).
type eventHeap []pending

func (h eventHeap) less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].seq < h[j].seq)
}

func (h *eventHeap) push(p pending) {
	*h = append(*h, p)
	a := *h
	i := len(a) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !a.less(i, parent) {
			break
		}
		a[i], a[parent] = a[parent], a[i]
		i = parent
	}
}

func (h *eventHeap) pop() pending {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a[last] = pending{}
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a.less(r, l) {
			m = r
		}
		if !a.less(m, i) {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
