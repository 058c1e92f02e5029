package generator

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"sync"
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
// customers are derived from (seed, index) whenever an event needs them, and a delivery is
// held only while it has events still to come, as a few numbers it is re-derived from.
// Each message yields its deliveries in creation order; a delivery's lifecycle is planned
// when it is created and its events wait in a heap ordered by time until no earlier event
// can appear. The output is deterministic for the generator's seed and options.
type Stream struct {
	g     *Generator
	start int64
	// r draws the run's schedule (who gets a message when, subscription changes); customers,
	// deliveries, plans and events have streams of their own.
	r           *rand.Rand
	customers   int
	idOnlyShare float64
	// deliveries counts the deliveries made, built the events returned: the indexes their
	// random streams are keyed by.
	deliveries, built uint64
	sources           []*source
	// batch holds the events scheduled ahead, ready the items built from them (returned from
	// pos on), gens a generator per building goroutine; err ends the run after ready.
	batch  []pending
	ready  []Item
	pos    int
	gens   []*Generator
	err    error
	events eventHeap
	seq    uint64
	steps  []Step
	pairs  []customerio.Pair
	subs   *Subscriptions
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

// pending is an event waiting for its time, with what its delivery is derived from. It is
// kept small (48 bytes): a run holds one per event still to come.
type pending struct {
	at  int64
	seq uint64
	// created and dnum derive the delivery: a message's deliveries from its template, the
	// others (subscription changes, every-pair events) with NewDelivery.
	created   int64
	dnum      uint64
	cust, msg int32
	// pair is the event's index in the catalog; dpair is a catalog pair of the object type
	// of a delivery made with NewDelivery, origin the index of its origin in origins.
	pair, dpair, origin uint8
	kind                deliveryKind
}

// origins indexes the origins a pending event can name.
var origins = [...]customerio.Origin{"", customerio.OriginCampaign, customerio.OriginBroadcast,
	customerio.OriginNewsletter, customerio.OriginTransactional}

func originIndex(o customerio.Origin) uint8 {
	for i, x := range origins {
		if x == o {
			return uint8(i)
		}
	}
	return 0
}

// pairIndex is the catalog index of objectType/metric, which the stream's lifecycles only
// ever produce for catalog pairs.
func (g *Generator) pairIndex(objectType, metric string) uint8 {
	return g.pairs[pairKey{objectType, metric}].idx
}

type deliveryKind uint8

const (
	// noDelivery builds a customer event without a delivery's origin fields.
	noDelivery deliveryKind = iota
	messageDelivery
	adHocDelivery
)

// MaxCustomers bounds a run's population. Customers are derived, not stored, so memory
// grows with the deliveries in flight only: welcome-email at 10,000,000 customers peaks at
// about 200 MB of RSS (see docs/performance.md).
const MaxCustomers = 10_000_000

// NewStream prepares a run. It draws the population first, so the same customers appear
// whatever the messages are.
func (g *Generator) NewStream(opts StreamOptions) (*Stream, error) {
	if opts.Customers < 1 {
		return nil, fmt.Errorf("generator: customers must be at least 1, got %d", opts.Customers)
	}
	if opts.Customers > MaxCustomers {
		return nil, fmt.Errorf("generator: customers %d is more than %d", opts.Customers, MaxCustomers)
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
	s := &Stream{g: g, start: g.start.UnixMilli(), customers: opts.Customers, idOnlyShare: opts.IDOnlyShare}
	s.r = rand.New(&splitmix{s: streamKey(g.opts.Seed, domStream, 0)})
	for i := range opts.Messages {
		m := &opts.Messages[i]
		src := &source{kind: srcMessage, msg: i, message: m, total: opts.Customers,
			n:     int(math.Round(m.Reach * float64(opts.Customers))),
			start: s.start + m.At.Milliseconds(), spread: m.Spread.Milliseconds()}
		o := m.Origin
		if o == "" {
			o = customerio.OriginCampaign
		}
		g.reseed(domTemplate, uint64(i))
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

// Customer returns customer i of the run's population (0 ≤ i < Customers), derived from
// (seed, i): the same person every time.
func (s *Stream) Customer(i int) Person { return s.g.personAt(i, s.idOnlyShare, true) }

// advance moves src to its next arrival: the next chosen customer and its time. Customers
// are chosen by selection sampling and times are sorted uniforms drawn in increasing order,
// so nothing but the position is stored.
func (s *Stream) advance(src *source) {
	r := s.r
	if src.kind == srcPairs {
		if src.pairIndex >= len(s.pairs) {
			src.done = true
			return
		}
		src.next = s.start + int64(src.pairIndex)*2000
		src.cust = src.pairIndex % s.customers
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

// streamBatch is how many events Next schedules ahead and builds on several cores at once.
const streamBatch = 1024

// Next returns the next event in timestamp order, or io.EOF after the last. Events are
// scheduled on the calling goroutine and built in batches on every core; event k of the run
// draws from (seed, k), so the bytes do not depend on the number of cores.
func (s *Stream) Next() (Item, error) {
	if s.pos < len(s.ready) {
		it := s.ready[s.pos]
		s.ready[s.pos] = Item{}
		s.pos++
		return it, nil
	}
	if s.err != nil {
		return Item{}, s.err
	}
	s.ready, s.pos = s.ready[:0], 0
	s.batch = s.batch[:0]
	for len(s.batch) < streamBatch {
		p, ok := s.schedule()
		if !ok {
			break
		}
		s.batch = append(s.batch, p)
	}
	if len(s.batch) == 0 {
		return Item{}, io.EOF
	}
	s.ready = slices.Grow(s.ready, len(s.batch))[:len(s.batch)]
	errs := make([]error, len(s.batch))
	first := s.built
	s.built += uint64(len(s.batch))
	workers := min(runtime.GOMAXPROCS(0), (len(s.batch)+63)/64)
	for len(s.gens) < workers {
		s.gens = append(s.gens, s.g.clone())
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < len(s.batch); j += workers {
				s.ready[j], errs[j] = s.buildWith(s.gens[w], s.batch[j], first+uint64(j))
			}
		}()
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			// Return the events before the failing one, then the error.
			s.ready, s.err = s.ready[:j], err
			break
		}
	}
	return s.Next()
}

// schedule runs arrivals until the next pending event is due and returns it; false at the
// end of the run.
func (s *Stream) schedule() (pending, bool) {
	for {
		var src *source
		for _, x := range s.sources {
			if !x.done && (src == nil || x.next < src.next) {
				src = x
			}
		}
		if len(s.events) > 0 && (src == nil || s.events[0].at <= src.next) {
			return s.events.pop(), true
		}
		if src == nil {
			return pending{}, false
		}
		s.arrive(src)
		if src.kind == srcPairs {
			src.pairIndex++
		}
		s.advance(src)
	}
}

// clone returns a generator with the same options, clock and workspace, for another goroutine.
func (g *Generator) clone() *Generator {
	opts := g.opts
	opts.Start = g.start
	return New(opts)
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
	r := s.r
	at := src.next
	cust := int32(src.cust)
	switch src.kind {
	case srcMessage:
		dnum := s.deliveries
		s.deliveries++
		g.reseed(domPlan, dnum)
		s.steps = g.Plan(src.message.Lifecycle, at, s.steps[:0])
		base := pending{created: at, dnum: dnum, cust: cust, msg: int32(src.msg), kind: messageDelivery}
		for _, st := range s.steps {
			p := base
			p.at, p.pair = st.At, g.pairIndex(src.tmpl.ObjectType, st.Metric)
			s.push(p)
			if st.Metric == "unsubscribed" {
				// Unsubscribing through a message sets the person's unsubscribed attribute.
				p.pair, p.kind = g.pairIndex("customer", "unsubscribed"), noDelivery
				s.push(p)
			}
		}
	case srcSubscriptions:
		sub := s.subs
		p := pending{at: at, cust: cust, msg: -1, kind: noDelivery}
		if r.Float64() < sub.Unsubscribed {
			p.pair = g.pairIndex("customer", "unsubscribed")
			s.push(p)
			if r.Float64() < sub.Resubscribed {
				p.at, p.pair = at+sub.Resubscribe.sample(r), g.pairIndex("customer", "subscribed")
				s.push(p)
			}
			return
		}
		p.pair = g.pairIndex("customer", "cio_subscription_preferences_changed")
		if r.Float64() < sub.MessageCaused {
			from := []customerio.Origin{customerio.OriginCampaign, customerio.OriginBroadcast, customerio.OriginNewsletter}
			p.kind, p.dpair, p.origin = adHocDelivery, g.pairIndex("email", "sent"), originIndex(from[r.Intn(len(from))])
			p.created = at - int64(r.Intn(3*86400_000))
			p.dnum = s.deliveries
			s.deliveries++
		}
		s.push(p)
	case srcPairs:
		pr := s.pairs[src.pairIndex]
		p := pending{at: at, cust: cust, msg: -1, pair: g.pairIndex(pr.ObjectType, pr.Metric), kind: noDelivery}
		if pr.ObjectType != "customer" {
			g.reseed(domPlan, s.deliveries)
			origin, _ := g.PickOrigin(pr)
			if origin == "" {
				origin = customerio.OriginCampaign
			}
			p.kind, p.dpair, p.origin = adHocDelivery, p.pair, originIndex(origin)
			p.created = at - int64(r.Intn(30_000))
			p.dnum = s.deliveries
			s.deliveries++
		}
		s.push(p)
	}
}

// buildWith builds event k of the run, p, with g (one of s.gens: only s's fields that do not
// change during a run are read).
func (s *Stream) buildWith(g *Generator, p pending, k uint64) (Item, error) {
	pr := &g.catalog[p.pair]
	person := g.personAt(int(p.cust), s.idOnlyShare, pr.ObjectType == "push")
	spec := Spec{ObjectType: pr.ObjectType, Metric: pr.Metric, At: time.UnixMilli(p.at), Person: person}
	var d Delivery
	switch p.kind {
	case messageDelivery:
		g.reseed(domDelivery, p.dnum)
		d = g.deliveryFrom(s.sources[p.msg].tmpl, time.UnixMilli(p.created), person)
		spec.Delivery = &d
	case adHocDelivery:
		g.reseed(domDelivery, p.dnum)
		d = g.NewDelivery(g.catalog[p.dpair].ObjectType, origins[p.origin], time.UnixMilli(p.created), person)
		spec.Delivery = &d
	}
	g.reseed(domStreamEvent, k)
	ev, err := g.Build(spec)
	if err != nil {
		return Item{}, err
	}
	return Item{Event: ev, Message: int(p.msg), Customer: int(p.cust)}, nil
}

// firstNameMark stands for the recipient's first name in a message's subject template
// ("{first}, your order shipped"), filled in per delivery.
const firstNameMark = "\x00first\x00"

// deliveryFrom makes a message's delivery for one person: the message's origin ids, subject
// and link, with its own id, creation time, journey and trigger event.
func (g *Generator) deliveryFrom(tmpl Delivery, created time.Time, p Person) Delivery {
	d := tmpl
	d.Created = created
	b := g.appendDeliveryID(g.strBuf[:0], tmpl.ObjectType, created, g.account)
	var cut [4]int
	cut[0] = len(b)
	b = g.appendULID(b, created.Add(-time.Duration(g.f.IntRange(1, 3600))*time.Second))
	cut[1] = len(b)
	b = g.appendULID(b, created.Add(-time.Duration(g.f.IntRange(1, 600))*time.Second))
	cut[2] = len(b)
	personal := strings.Contains(d.Subject, firstNameMark)
	if personal {
		subj := d.Subject
		for {
			before, after, ok := strings.Cut(subj, firstNameMark)
			b = append(b, before...)
			if !ok {
				break
			}
			b = append(b, p.FirstName...)
			subj = after
		}
	}
	cut[3] = len(b)
	str := string(b)
	g.strBuf = b
	d.ID, d.JourneyID, d.TriggerEventID = str[:cut[0]], str[cut[0]:cut[1]], str[cut[1]:cut[2]]
	if personal {
		d.Subject = str[cut[2]:cut[3]]
	}
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
