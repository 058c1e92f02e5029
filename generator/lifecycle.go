package generator

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// Channels are the message object types a [Lifecycle] models, in catalog order.
func Channels() []string {
	return []string{"email", "push", "sms", "whatsapp", "slack", "webhook", "in_app"}
}

// Dist names a delay distribution.
type Dist string

// The delay distributions.
const (
	// Uniform draws evenly between Min and Max.
	Uniform Dist = "uniform"
	// Pareto draws a Pareto (power-law) delay truncated to [Min, Max]: most values near Min,
	// a long tail towards Max, like the time people take to open a message.
	Pareto Dist = "pareto"
)

// Delay is a random delay between two events of a lifecycle.
type Delay struct {
	Dist     Dist
	Min, Max time.Duration
	// Alpha is the Pareto shape (smaller = longer tail); 0 means 1.16 (the 80/20 rule).
	Alpha float64
}

// sample draws a delay in milliseconds.
func (d Delay) sample(r *rand.Rand) int64 {
	lo, hi := d.Min.Milliseconds(), d.Max.Milliseconds()
	if hi <= lo {
		return lo
	}
	switch d.Dist {
	case Pareto:
		a := d.Alpha
		if a <= 0 {
			a = 1.16
		}
		l := math.Max(float64(lo), 1)
		h := float64(hi)
		// Inverse CDF of the Pareto distribution truncated to [l, h].
		u := r.Float64()
		x := l / math.Pow(1-u*(1-math.Pow(l/h, a)), 1/a)
		ms := int64(x)
		return min(max(ms, lo), hi)
	default:
		return lo + r.Int63n(hi-lo+1)
	}
}

func (d Delay) validate(name string) error {
	switch {
	case d.Dist != "" && d.Dist != Uniform && d.Dist != Pareto:
		return fmt.Errorf("%s: unknown distribution %q (valid: uniform, pareto)", name, d.Dist)
	case d.Min < 0 || d.Max < 0:
		return fmt.Errorf("%s: delays cannot be negative", name)
	case d.Max < d.Min:
		return fmt.Errorf("%s: max %s is less than min %s", name, d.Max, d.Min)
	case d.Alpha < 0:
		return fmt.Errorf("%s: alpha must be positive", name)
	}
	return nil
}

// Rates are the probabilities of a lifecycle's branches, each conditional on the event it
// follows (see [Lifecycle] for the order). Rates of metrics a channel lacks must be zero.
type Rates struct {
	// Undeliverable: the message is never attempted (message limit, delivery disabled).
	Undeliverable float64
	// Drafted: the message waits as a draft before it is sent.
	Drafted float64
	// Attempted: a first attempt fails temporarily and is retried.
	Attempted float64
	// Failed: sending fails for good (after the attempts, if any).
	Failed float64
	// Dropped: not sent because the recipient is suppressed.
	Dropped float64
	// Bounced: of sent messages, rejected by the provider instead of delivered.
	Bounced float64
	// Delivered: of sent, not bounced messages, the provider confirms delivery.
	Delivered float64
	// Spammed: of delivered emails, marked as spam (nothing follows).
	Spammed float64
	// Opened: of delivered messages (sent, for in_app), opened at least once.
	Opened float64
	// Clicked: of opened messages (delivered for sms, sent for slack and webhook), clicked.
	Clicked float64
	// Converted: of clicked messages, a conversion is attributed.
	Converted float64
	// Unsubscribed: of opened emails, the person unsubscribes through the message.
	Unsubscribed float64
	// Replied: of delivered sms and whatsapp messages, the person replies (within 72 h).
	Replied float64
	// RepeatOpen and RepeatClick: with full resolution, the chance of each further open or
	// click after one (at most 10 in all).
	RepeatOpen, RepeatClick float64
}

// Delays are the times between a lifecycle's events; each is measured from the event the
// metric follows (sent from the creation, draft or retry; delivered from sent; ...).
type Delays struct {
	Drafted, Sent, Retry, Failed, Undeliverable, Dropped Delay
	Bounced, Delivered, Spammed                          Delay
	Opened, RepeatOpen, Clicked, RepeatClick             Delay
	Converted, Unsubscribed, Replied                     Delay
}

// MaxReplyDelay is Customer.io's attribution window for replied events (72 hours).
const MaxReplyDelay = 72 * time.Hour

// Lifecycle models the events of one message to one person on a channel:
//
//	undeliverable                                   (end)
//	drafted? → attempted? → failed                  (end)
//	                      → dropped                 (end)
//	                      → sent → bounced          (end)
//	                             → delivered → spammed (end)
//	                                         → opened (repeats) → clicked (repeats) → converted
//	                                                            → unsubscribed (email)
//	                                         → replied (sms, whatsapp; within 72 h)
//
// Channels without delivered (slack, webhook, in_app) continue from sent; sms has no opened,
// so its clicks follow delivered; slack and webhook clicks follow sent.
type Lifecycle struct {
	Channel string
	Rates   Rates
	Delays  Delays
	// FullResolution is the webhook's Send Frequency: false sends unique opens and clicks
	// only (at most one of each per delivery), true sends repeats too.
	FullResolution bool
}

// DefaultLifecycle returns typical rates and delays for channel.
func DefaultLifecycle(channel string) (Lifecycle, error) {
	if !slices.Contains(Channels(), channel) {
		return Lifecycle{}, fmt.Errorf("generator: unknown channel %q (valid: %s)", channel, strings.Join(Channels(), ", "))
	}
	sec, minute, hour, day := time.Second, time.Minute, time.Hour, 24*time.Hour
	l := Lifecycle{Channel: channel, Delays: Delays{
		Drafted:       Delay{Dist: Uniform, Min: 0, Max: 2 * sec},
		Sent:          Delay{Dist: Uniform, Min: 0, Max: 5 * sec},
		Retry:         Delay{Dist: Uniform, Min: 5 * minute, Max: 30 * minute},
		Failed:        Delay{Dist: Uniform, Min: 0, Max: 10 * sec},
		Undeliverable: Delay{Dist: Uniform, Min: 0, Max: 2 * sec},
		Dropped:       Delay{Dist: Uniform, Min: 0, Max: 2 * sec},
		Bounced:       Delay{Dist: Uniform, Min: 1 * sec, Max: 5 * minute},
		Delivered:     Delay{Dist: Uniform, Min: 1 * sec, Max: 30 * sec},
		Spammed:       Delay{Dist: Pareto, Min: 2 * minute, Max: 7 * day},
		Opened:        Delay{Dist: Pareto, Min: 10 * minute, Max: 7 * day, Alpha: 0.3},
		RepeatOpen:    Delay{Dist: Pareto, Min: 1 * minute, Max: 3 * day},
		Clicked:       Delay{Dist: Pareto, Min: 2 * sec, Max: 2 * hour},
		RepeatClick:   Delay{Dist: Pareto, Min: 5 * sec, Max: 1 * day},
		Converted:     Delay{Dist: Pareto, Min: 1 * minute, Max: 3 * day},
		Unsubscribed:  Delay{Dist: Uniform, Min: 5 * sec, Max: 10 * minute},
		Replied:       Delay{Dist: Pareto, Min: 30 * sec, Max: MaxReplyDelay},
	}}
	r := &l.Rates
	r.Undeliverable, r.Attempted, r.Failed = 0.002, 0.01, 0.005
	if has(channel, "opened") {
		r.RepeatOpen = 0.3
	}
	if has(channel, "clicked") {
		r.RepeatClick = 0.15
	}
	switch channel {
	case "email":
		r.Dropped, r.Bounced, r.Delivered, r.Spammed = 0.01, 0.02, 0.98, 0.001
		r.Opened, r.Clicked, r.Converted, r.Unsubscribed = 0.4, 0.25, 0.2, 0.01
	case "push":
		r.Dropped, r.Bounced, r.Delivered = 0.01, 0.03, 0.95
		r.Opened, r.Clicked, r.Converted = 0.08, 0.5, 0.1
		l.Delays.Opened = Delay{Dist: Pareto, Min: 5 * sec, Max: 6 * day, Alpha: 0.5}
	case "sms":
		r.Bounced, r.Delivered = 0.02, 0.97
		r.Clicked, r.Converted, r.Replied = 0.1, 0.15, 0.03
		l.Delays.Clicked = Delay{Dist: Pareto, Min: 10 * sec, Max: 2 * day}
	case "whatsapp":
		r.Dropped, r.Bounced, r.Delivered = 0.005, 0.01, 0.98
		r.Opened, r.Clicked, r.Converted, r.Replied = 0.7, 0.15, 0.1, 0.08
		l.Delays.Opened = Delay{Dist: Pareto, Min: 10 * sec, Max: 3 * day, Alpha: 0.8}
	case "slack", "webhook":
		r.Clicked = 0.05
		l.Delays.Clicked = Delay{Dist: Pareto, Min: 10 * sec, Max: 2 * day}
	case "in_app":
		r.Opened, r.Clicked, r.Converted = 0.6, 0.2, 0.1
		l.Delays.Opened = Delay{Dist: Pareto, Min: 1 * sec, Max: 14 * day, Alpha: 0.4}
	}
	return l, nil
}

// has reports whether the channel publishes metric.
func has(channel, metric string) bool {
	p, ok := customerio.Lookup(channel, metric)
	return ok && p.HasPayload
}

// capsOf returns the set of metrics channel publishes, cached per generator (the catalog
// is rebuilt on every customerio.Lookup).
func (g *Generator) capsOf(channel string) map[string]bool {
	if c, ok := g.caps[channel]; ok {
		return c
	}
	if g.caps == nil {
		g.caps = map[string]map[string]bool{}
	}
	c := map[string]bool{}
	for _, m := range customerio.Metrics(channel) {
		c[m] = has(channel, m)
	}
	g.caps[channel] = c
	return c
}

// rateFields lists the rates by metric name, for validation messages.
func (r *Rates) fields() []struct {
	name string
	v    *float64
} {
	return []struct {
		name string
		v    *float64
	}{
		{"undeliverable", &r.Undeliverable}, {"drafted", &r.Drafted}, {"attempted", &r.Attempted},
		{"failed", &r.Failed}, {"dropped", &r.Dropped}, {"bounced", &r.Bounced},
		{"delivered", &r.Delivered}, {"spammed", &r.Spammed}, {"opened", &r.Opened},
		{"clicked", &r.Clicked}, {"converted", &r.Converted}, {"unsubscribed", &r.Unsubscribed},
		{"replied", &r.Replied}, {"repeat_open", &r.RepeatOpen}, {"repeat_click", &r.RepeatClick},
	}
}

// Validate checks that every rate is a probability, that the channel has every metric with
// a non-zero rate, and that the delays are well formed (replies within 72 hours).
func (l Lifecycle) Validate() error {
	if !slices.Contains(Channels(), l.Channel) {
		return fmt.Errorf("unknown channel %q (valid: %s)", l.Channel, strings.Join(Channels(), ", "))
	}
	for _, f := range l.Rates.fields() {
		v := *f.v
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("rates.%s: %v is outside [0,1]", f.name, v)
		}
		metric, _ := strings.CutPrefix(f.name, "repeat_")
		if metric == "open" || metric == "click" {
			metric += "ed"
		}
		if v > 0 && !has(l.Channel, metric) {
			return fmt.Errorf("rates.%s: %s has no %s events (its metrics: %s)", f.name, l.Channel, metric,
				strings.Join(customerio.Metrics(l.Channel), ", "))
		}
	}
	d := l.Delays
	for _, x := range []struct {
		name string
		d    Delay
	}{{"drafted", d.Drafted}, {"sent", d.Sent}, {"retry", d.Retry}, {"failed", d.Failed},
		{"undeliverable", d.Undeliverable}, {"dropped", d.Dropped}, {"bounced", d.Bounced},
		{"delivered", d.Delivered}, {"spammed", d.Spammed}, {"opened", d.Opened},
		{"repeat_open", d.RepeatOpen}, {"clicked", d.Clicked}, {"repeat_click", d.RepeatClick},
		{"converted", d.Converted}, {"unsubscribed", d.Unsubscribed}, {"replied", d.Replied}} {
		if err := x.d.validate("delays." + x.name); err != nil {
			return err
		}
	}
	if d.Replied.Max > MaxReplyDelay {
		return fmt.Errorf("delays.replied: max %s is beyond Customer.io's 72h reply attribution window", d.Replied.Max)
	}
	return nil
}

// Step is one planned event of a delivery: its metric and time (Unix milliseconds).
type Step struct {
	Metric string
	At     int64
}

// Plan draws the events of one delivery created at created (Unix ms), appending them to
// dst in time order. Times never go backwards; see [Lifecycle] for the model.
func (g *Generator) Plan(l Lifecycle, created int64, dst []Step) []Step {
	r := g.f.Rand
	rt := &l.Rates
	dl := &l.Delays
	c := g.capsOf(l.Channel)
	has := func(_, metric string) bool { return c[metric] }
	ch := l.Channel
	t := created
	hit := func(p float64) bool { return p > 0 && r.Float64() < p }
	emit := func(metric string, d Delay, from int64) int64 {
		at := from + d.sample(r)
		dst = append(dst, Step{Metric: metric, At: at})
		return at
	}
	if hit(rt.Undeliverable) {
		emit("undeliverable", dl.Undeliverable, t)
		return dst
	}
	if hit(rt.Drafted) {
		t = emit("drafted", dl.Drafted, t)
	}
	if hit(rt.Attempted) {
		t = emit("attempted", dl.Sent, t)
		t += dl.Retry.sample(r)
	}
	if hit(rt.Failed) {
		emit("failed", dl.Failed, t)
		return dst
	}
	if has(ch, "dropped") && hit(rt.Dropped) {
		emit("dropped", dl.Dropped, t)
		return dst
	}
	sent := emit("sent", dl.Sent, t)
	if has(ch, "bounced") && hit(rt.Bounced) {
		emit("bounced", dl.Bounced, sent)
		return dst
	}
	base := sent
	if has(ch, "delivered") {
		if !hit(rt.Delivered) {
			return dst // no delivery report (yet): nothing follows
		}
		base = emit("delivered", dl.Delivered, sent)
	}
	if has(ch, "spammed") && hit(rt.Spammed) {
		emit("spammed", dl.Spammed, base)
		return dst
	}
	clickFrom := base
	opened := int64(-1)
	if has(ch, "opened") {
		clickFrom = -1
		if hit(rt.Opened) {
			opened = emit("opened", dl.Opened, base)
			clickFrom = opened
			last := opened
			for n := 1; l.FullResolution && n < 10 && hit(rt.RepeatOpen); n++ {
				last = emit("opened", dl.RepeatOpen, last)
			}
		}
	}
	if clickFrom >= 0 && has(ch, "clicked") && hit(rt.Clicked) {
		clicked := emit("clicked", dl.Clicked, clickFrom)
		last := clicked
		for n := 1; l.FullResolution && n < 10 && hit(rt.RepeatClick); n++ {
			last = emit("clicked", dl.RepeatClick, last)
		}
		if has(ch, "converted") && hit(rt.Converted) {
			emit("converted", dl.Converted, clicked)
		}
	}
	if opened >= 0 && has(ch, "unsubscribed") && hit(rt.Unsubscribed) {
		emit("unsubscribed", dl.Unsubscribed, opened)
	}
	if has(ch, "replied") && hit(rt.Replied) {
		emit("replied", dl.Replied, base)
	}
	slices.SortStableFunc(dst, func(a, b Step) int { return cmpInt(a.At, b.At) })
	return dst
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Subscriptions model customer subscription events: people unsubscribing (and some coming
// back), and topic preference changes, some of them caused by a message.
type Subscriptions struct {
	// Reach is the share of customers whose subscription state changes during the run.
	Reach float64
	// Unsubscribed is, of those, the share who unsubscribe; the others change preferences.
	Unsubscribed float64
	// Resubscribed is, of the unsubscribed, the share who subscribe again later.
	Resubscribed float64
	// MessageCaused is the share of preference changes made from a message's subscription
	// center link (they carry the message's delivery and origin fields).
	MessageCaused float64
	// At and Spread place the first change of each person within the run.
	At, Spread time.Duration
	// Resubscribe is the delay from unsubscribing to subscribing again.
	Resubscribe Delay
}

// Validate checks the rates and delays.
func (s Subscriptions) Validate() error {
	for _, x := range []struct {
		name string
		v    float64
	}{{"reach", s.Reach}, {"unsubscribed", s.Unsubscribed}, {"resubscribed", s.Resubscribed}, {"message_caused", s.MessageCaused}} {
		if math.IsNaN(x.v) || x.v < 0 || x.v > 1 {
			return fmt.Errorf("subscriptions.%s: %v is outside [0,1]", x.name, x.v)
		}
	}
	if s.At < 0 || s.Spread < 0 {
		return fmt.Errorf("subscriptions: at and spread cannot be negative")
	}
	return s.Resubscribe.validate("subscriptions.resubscribe")
}
