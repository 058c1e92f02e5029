// Package generator makes realistic, reproducible fake Customer.io Reporting Webhook events.
// All randomness comes from the Generator's seeded source (never gofakeit's package-level
// functions), re-keyed for every event, customer and delivery from (seed, index), so the same
// seed and options give byte-identical output however many goroutines build the events
// (see rng.go). It knows nothing about files, HTTP or the terminal.
package generator

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/ciosim/ciosim/customerio"
)

// Options configure a [Generator]. The zero value is usable: seed 0, clock at Now().
type Options struct {
	// Seed drives every random choice. The same Seed and Options give the same events.
	Seed int64
	// Start is the timestamp of the first event (a fixed clock). When zero, Now() is used.
	Start time.Time
	// Now is consulted only when Start is zero; nil means time.Now.
	Now func() time.Time
	// TestMode makes events like Customer.io's "Send Test": no identifiers.cio_id.
	TestMode bool
	// BodyContent adds content (and email headers) to sent events, as the webhook's
	// "Body Content" option does.
	BodyContent bool
	// IDOnly models a workspace that identifies people by id alone: identifiers has only id.
	IDOnly bool
	// Origin fixes the message origin; empty picks one per event, weighted like a typical
	// workspace (campaigns most often).
	Origin customerio.Origin
}

// Generator produces events. It is not safe for concurrent use: give each goroutine its own.
type Generator struct {
	opts Options
	// src is the random source behind f; reseed points it at one (seed, domain, index) stream.
	src   *splitmix
	f     *gofakeit.Faker
	start time.Time
	// n is the index of the next [Generator.Event].
	n     uint64
	pairs map[pairKey]pairInfo
	// catalog is customerio.Pairs(), indexed by pairInfo.idx.
	catalog []customerio.Pair
	obj     object
	ids     object
	// scratch holds the data object while the event is assembled, idsBuf the identifiers,
	// recBuf push recipients, strBuf the strings of a person or delivery being drawn,
	// devBuf a push device token.
	scratch, idsBuf, recBuf, strBuf, devBuf []byte
	// dl is the delivery of the catalog event being built (kept here, not on the heap).
	dl  Delivery
	rec object
	// account is the workspace's account number, embedded in delivery ids.
	account uint64
	company string
	// domain and appScheme derive from company: the workspace's web domain and app link scheme.
	domain, appScheme string
	// caps caches which metrics each channel publishes, for lifecycles.
	caps map[string]map[string]bool
}

// SeededStart is the time of the first event when a seed is given and no start (ciosim
// generate --seed N): seeded output must not depend on the clock.
func SeededStart() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// New returns a Generator for opts.
func New(opts Options) *Generator {
	// gofakeit.New(0) would seed from crypto/rand; build the Faker directly so that every
	// seed, 0 included, is reproducible.
	src := &splitmix{}
	f := &gofakeit.Faker{Rand: rand.New(src)}
	start := opts.Start
	if start.IsZero() {
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		start = now()
	}
	g := &Generator{opts: opts, src: src, f: f, start: start, pairs: map[pairKey]pairInfo{}}
	g.catalog = customerio.Pairs()
	for i, p := range g.catalog {
		info := pairInfo{Pair: p, idx: uint8(i)}
		for _, f := range p.Fields {
			// Origin fields and nested paths are written by their own rules.
			if len(f.Origins) == 0 && !strings.Contains(f.Path, ".") && !strings.Contains(f.Path, "[]") {
				info.top = append(info.top, f)
			}
		}
		g.pairs[pairKey{p.ObjectType, p.Metric}] = info
	}
	g.reseed(domWorkspace, 0)
	g.account = uint64(f.IntRange(200, 3000))
	g.company = f.Company()
	g.domain = domainFor(g.company)
	g.appScheme = strings.TrimSuffix(g.domain, ".com")
	return g
}

// Company is the workspace's company name, used in subjects, links and domains.
func (g *Generator) Company() string { return g.company }

// Options returns the options the generator was made with.
func (g *Generator) Options() Options { return g.opts }

type pairKey struct{ objectType, metric string }

// pairInfo is a catalog pair with its top-level data fields, computed once.
type pairInfo struct {
	customerio.Pair
	top []customerio.Field
	idx uint8
}

// PairError reports an object type, metric or origin the catalog does not have.
type PairError struct {
	ObjectType, Metric string
	Origin             customerio.Origin
	Msg                string
}

func (e *PairError) Error() string { return "generator: " + e.Msg }

// Pair looks up a generatable pair, with an error that lists the valid names.
func (g *Generator) Pair(objectType, metric string) (customerio.Pair, error) {
	if p, ok := g.pairs[pairKey{objectType, metric}]; ok {
		return p.Pair, nil
	}
	if !slices.Contains(customerio.ObjectTypes(), objectType) {
		return customerio.Pair{}, &PairError{ObjectType: objectType, Metric: metric,
			Msg: fmt.Sprintf("unknown object type %q (valid: %s)", objectType, strings.Join(customerio.ObjectTypes(), ", "))}
	}
	if p, ok := customerio.Lookup(objectType, metric); ok && !p.HasPayload {
		return customerio.Pair{}, &PairError{ObjectType: objectType, Metric: metric,
			Msg: fmt.Sprintf("%s/%s can be subscribed to but Customer.io publishes no payload for it (valid metrics: %s)", objectType, metric, strings.Join(customerio.Metrics(objectType), ", "))}
	}
	return customerio.Pair{}, &PairError{ObjectType: objectType, Metric: metric,
		Msg: fmt.Sprintf("unknown metric %q for %s (valid: %s)", metric, objectType, strings.Join(customerio.Metrics(objectType), ", "))}
}

// Delivery is one message instance to one person: what all events of a message share.
type Delivery struct {
	ID         string
	ObjectType string
	Created    time.Time
	Origin     customerio.Origin
	// Origin ids; only those of Origin are written.
	CampaignID, BroadcastID, NewsletterID int64
	ActionID, ContentID, TriggerID        int64
	ParentActionID, TransactionalID       int64
	JourneyID, TriggerEventID             string
	// Flags for the optional origin fields, drawn once per delivery.
	NullOriginID, WithJourney, WithParent, WithTriggerEvent, WithTriggerID, WithContentID bool
	Subject                                                                               string
	// Channel is the Slack channel, Endpoint the webhook URL, Sender the number SMS and
	// WhatsApp messages come from (the "to" of a reply).
	Channel, Endpoint, Sender string
	// Href and LinkID are the tracked link clicks on this delivery use.
	Href   string
	LinkID int64
}

// PickOrigin returns the configured origin, or draws one the object type allows.
func (g *Generator) PickOrigin(p customerio.Pair) (customerio.Origin, error) {
	if o := g.opts.Origin; o != "" {
		if !p.AllowsOrigin(o) {
			allowed := make([]string, len(p.Origins))
			for i, x := range p.Origins {
				allowed[i] = string(x)
			}
			return "", &PairError{ObjectType: p.ObjectType, Metric: p.Metric, Origin: o,
				Msg: fmt.Sprintf("%s has no %s origin (allowed: %s)", p.Name(), o, strings.Join(allowed, ", "))}
		}
		return o, nil
	}
	if len(p.Origins) == 0 {
		return "", nil
	}
	// Weights: campaign 50, broadcast 20, newsletter 20, transactional 10 (where allowed).
	total := 0
	for _, o := range p.Origins {
		total += originWeight(o)
	}
	n := g.f.Rand.Intn(total)
	for _, o := range p.Origins {
		if n < originWeight(o) {
			return o, nil
		}
		n -= originWeight(o)
	}
	return p.Origins[0], nil
}

func originWeight(o customerio.Origin) int {
	switch o {
	case customerio.OriginCampaign:
		return 50
	case customerio.OriginTransactional:
		return 10
	default:
		return 20
	}
}

// NewDelivery makes a delivery of objectType from origin, created at created, drawing from
// the generator's current random stream.
func (g *Generator) NewDelivery(objectType string, origin customerio.Origin, created time.Time, p Person) Delivery {
	f := g.f
	d := Delivery{ObjectType: objectType, Created: created, Origin: origin}
	switch origin {
	case customerio.OriginCampaign:
		d.CampaignID = int64(f.IntRange(1, 250))
		d.ActionID = int64(f.IntRange(1, 900))
		d.WithJourney = f.IntRange(0, 3) > 0
		d.WithParent = f.IntRange(0, 4) == 0
		d.WithTriggerEvent = f.IntRange(0, 2) == 0
	case customerio.OriginBroadcast:
		d.BroadcastID = int64(f.IntRange(1, 120))
		d.ActionID = int64(f.IntRange(1, 900))
		d.WithTriggerID = true
		d.TriggerID = int64(f.IntRange(1, 5000))
		d.WithJourney = f.IntRange(0, 3) > 0
		d.WithParent = f.IntRange(0, 4) == 0
	case customerio.OriginNewsletter:
		d.NewsletterID = int64(f.IntRange(1, 800))
		d.WithContentID = f.IntRange(0, 2) > 0
		d.ContentID = int64(f.IntRange(1, 2000))
	case customerio.OriginTransactional:
		d.TransactionalID = int64(f.IntRange(1, 60))
	}
	d.ParentActionID = d.ActionID - int64(f.IntRange(1, 5))
	if d.ParentActionID < 1 {
		d.ParentActionID = 1
	}
	d.LinkID = int64(f.IntRange(1, 40))
	// The delivery's strings share one allocation: they are appended to strBuf and cut out
	// of one string at the end. Only what this channel's events can carry is drawn.
	b := g.appendDeliveryID(g.strBuf[:0], objectType, created, g.account)
	var cut [6]int
	cut[0] = len(b)
	if d.WithJourney {
		b = g.appendULID(b, created.Add(-time.Duration(f.IntRange(1, 3600))*time.Second))
	}
	cut[1] = len(b)
	if d.WithTriggerEvent {
		b = g.appendULID(b, created.Add(-time.Duration(f.IntRange(1, 600))*time.Second))
	}
	cut[2] = len(b)
	switch objectType {
	case "email", "push":
		b = g.appendSubject(b, p, g.company)
	case "slack":
		d.Channel = f.RandomString(slackChannels)
	case "webhook":
		b = append(append(append(b, "https://hooks."...), g.domain...), '/')
		b = append(b, f.RandomString(webhookPaths)...)
	case "sms", "whatsapp":
		b = append(b, '+', '1', byte('0'+f.IntRange(2, 9)))
		b = g.appendChars(b, 2, decDigits)
		b = append(b, "555"...)
		b = g.appendChars(b, 4, decDigits)
	}
	cut[3] = len(b)
	b = g.appendHref(b, objectType)
	cut[4] = len(b)
	str := string(b)
	g.strBuf = b
	d.ID, d.JourneyID, d.TriggerEventID = str[:cut[0]], str[cut[0]:cut[1]], str[cut[1]:cut[2]]
	switch objectType {
	case "email", "push":
		d.Subject = str[cut[2]:cut[3]]
	case "webhook":
		d.Endpoint = str[cut[2]:cut[3]]
	case "sms", "whatsapp":
		d.Sender = str[cut[2]:cut[3]]
	}
	d.Href = str[cut[3]:cut[4]]
	return d
}

var webhookPaths = []string{"customerio", "webhooks/cio", "ingest", "api/v1/events"}

// Spec says what event to build: the pair, when, for whom, and of which delivery.
type Spec struct {
	ObjectType, Metric string
	// At is the event time; it is truncated to whole seconds.
	At     time.Time
	Person Person
	// Delivery is required for message events. For customer events it is optional; when
	// set on cio_subscription_preferences_changed, the message's origin fields are added.
	Delivery *Delivery
	// Devices limits push recipients; nil uses all of the person's devices.
	Devices []Device
	// Href and LinkID override the delivery's link for clicks (several links per message).
	Href   string
	LinkID int64
}

// EventSpacing is the mean time between catalog events: event i of a generator is at
// Start + i×EventSpacing plus a random offset below EventSpacing.
const EventSpacing = 2 * time.Second

// Event builds the generator's next catalog event (see [Generator.EventAt]).
func (g *Generator) Event(objectType, metric string) (customerio.Event, error) {
	ev, err := g.EventAt(g.n, objectType, metric)
	g.n++
	return ev, err
}

// EventAt builds catalog event i: one event of objectType/metric for a new person, at
// Start + i×EventSpacing plus up to EventSpacing. Its randomness comes from (seed, i) alone,
// so events can be built in any order, on any goroutine (each with its own Generator made
// with the same Options), with the same bytes.
func (g *Generator) EventAt(i uint64, objectType, metric string) (customerio.Event, error) {
	g.reseed(domEvent, i)
	p, err := g.Pair(objectType, metric)
	if err != nil {
		return customerio.Event{}, err
	}
	origin, err := g.PickOrigin(p)
	if err != nil {
		return customerio.Event{}, err
	}
	at := g.start.Add(time.Duration(i)*EventSpacing + time.Duration(g.f.Rand.Int63n(int64(EventSpacing/time.Millisecond)))*time.Millisecond)
	person := g.person(objectType == "push")
	spec := Spec{ObjectType: objectType, Metric: metric, At: at, Person: person}
	if objectType != "customer" || (metric == "cio_subscription_preferences_changed" && g.f.IntRange(0, 2) == 0) {
		if origin == "" {
			origin = customerio.OriginCampaign
		}
		g.dl = g.NewDelivery(objectType, origin, at.Add(-time.Duration(g.f.IntRange(0, 30000))*time.Millisecond), person)
		spec.Delivery = &g.dl
	}
	return g.Build(spec)
}

// Clock is the base time of the next [Generator.Event].
func (g *Generator) Clock() time.Time { return g.start.Add(time.Duration(g.n) * EventSpacing) }
