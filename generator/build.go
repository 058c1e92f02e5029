package generator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// Build writes the event spec describes. Every field the catalog requires for the pair is
// set; optional fields appear with realistic frequencies (Body Content fields only when the
// option is on). The result passes [customerio.Event.Validate].
func (g *Generator) Build(spec Spec) (customerio.Event, error) {
	info, ok := g.pairs[pairKey{spec.ObjectType, spec.Metric}]
	if !ok {
		_, err := g.Pair(spec.ObjectType, spec.Metric)
		return customerio.Event{}, err
	}
	p := info.Pair
	if spec.ObjectType != "customer" && spec.Delivery == nil {
		return customerio.Event{}, &PairError{ObjectType: spec.ObjectType, Metric: spec.Metric, Msg: p.Name() + " needs a delivery"}
	}
	ts := spec.At.Unix()
	d := &g.obj
	d.reset()
	g.identifiers(spec.Person)
	g.idsBuf = g.ids.appendTo(g.idsBuf[:0])
	d.raw("identifiers", g.idsBuf)
	if spec.ObjectType == "customer" {
		d.str("customer_id", spec.Person.ID)
		if g.opts.IDOnly || spec.Person.IDOnly {
			d.null("email_address")
		} else {
			d.str("email_address", spec.Person.Email)
		}
	} else if spec.Person.ID != "" {
		d.str("customer_id", spec.Person.ID)
	}
	if spec.Delivery != nil {
		g.originFields(spec.Delivery)
	}
	for _, f := range info.top {
		if !d.has(f.Path) {
			g.field(f, spec, p)
		}
	}
	minted := time.Unix(ts, 0).Add(time.Duration(500+g.f.Rand.Intn(2001)) * time.Millisecond)
	g.scratch = d.appendTo(g.scratch[:0])
	return customerio.Assemble(g.ulidAt(minted), spec.ObjectType, spec.Metric, ts, g.scratch), nil
}

func (g *Generator) identifiers(p Person) {
	ids := &g.ids
	ids.reset()
	ids.str("id", p.ID)
	if g.opts.IDOnly || p.IDOnly {
		return
	}
	ids.str("email", p.Email)
	if !g.opts.TestMode && p.CioID != "" {
		ids.str("cio_id", p.CioID)
	}
}

func (g *Generator) originFields(dl *Delivery) {
	d := &g.obj
	d.str("delivery_id", dl.ID)
	idOrNull := func(key string, v int64) {
		if dl.NullOriginID {
			d.null(key)
		} else {
			d.int(key, v)
		}
	}
	switch dl.Origin {
	case customerio.OriginCampaign:
		idOrNull("campaign_id", dl.CampaignID)
		d.int("action_id", dl.ActionID)
		if dl.WithTriggerEvent {
			d.str("trigger_event_id", dl.TriggerEventID)
		}
	case customerio.OriginBroadcast:
		idOrNull("broadcast_id", dl.BroadcastID)
		d.int("action_id", dl.ActionID)
		if dl.WithTriggerID {
			d.int("trigger_id", dl.TriggerID)
		}
	case customerio.OriginNewsletter:
		idOrNull("newsletter_id", dl.NewsletterID)
		if dl.WithContentID {
			d.int("content_id", dl.ContentID)
		}
	case customerio.OriginTransactional:
		d.int("transactional_message_id", dl.TransactionalID)
	}
	if dl.Origin == customerio.OriginCampaign || dl.Origin == customerio.OriginBroadcast {
		if dl.WithJourney {
			d.str("journey_id", dl.JourneyID)
		}
		if dl.WithParent {
			d.int("parent_action_id", dl.ParentActionID)
		}
	}
}

// field writes one top-level data field of the pair (common and origin fields are done).
func (g *Generator) field(f customerio.Field, spec Spec, p customerio.Pair) {
	d := &g.obj
	dl := spec.Delivery
	person := spec.Person
	sent := spec.Metric == "sent"
	switch f.Path {
	case "delivery_id", "customer_id":
		// written with the origin fields; a customer event caused by no message has none
	case "recipient":
		if spec.Metric == "replied" {
			d.str("recipient", person.Phone)
			return
		}
		d.str("recipient", g.recipient(spec.ObjectType, person, dl))
	case "subject":
		if f.Required || g.f.IntRange(0, 3) > 0 {
			d.str("subject", dl.Subject)
		}
	case "failure_message":
		d.str("failure_message", g.failure(spec.ObjectType, spec.Metric, person))
	case "href":
		if spec.Href != "" {
			d.str("href", spec.Href)
		} else {
			d.str("href", dl.Href)
		}
	case "link_id":
		if spec.LinkID != 0 {
			d.int("link_id", spec.LinkID)
		} else {
			d.int("link_id", dl.LinkID)
		}
	case "content":
		if !g.opts.BodyContent || !(sent || spec.Metric == "cio_subscription_preferences_changed") {
			return
		}
		d.str("content", g.content(spec, p))
	case "headers":
		if g.opts.BodyContent && sent && g.f.Bool() {
			d.raw("headers", g.emailHeaders())
		}
	case "proxied", "prefetched", "synthetic", "machine":
		// Present on most real opens/clicks; true only for a minority of them.
		if g.f.IntRange(0, 3) > 0 {
			d.bool(f.Path, g.f.IntRange(0, 4) == 0)
		}
	case "recipients":
		d.raw("recipients", g.recipients(spec))
	case "inbound_event_id":
		d.str("inbound_event_id", g.ulidAt(spec.At.Add(-time.Duration(g.f.IntRange(1000, 5000))*time.Millisecond)))
	case "to":
		d.str("to", dl.Sender)
	case "tracked_response":
		if g.f.IntRange(0, 4) > 0 {
			d.str("tracked_response", g.f.RandomString(trackedResponses))
		}
	default:
		if f.Required {
			// A new required field in the catalog without a generator rule is a bug here.
			panic(fmt.Sprintf("generator: no rule for required field %s of %s", f.Path, p.Name()))
		}
	}
}

func (g *Generator) recipient(objectType string, p Person, dl *Delivery) string {
	switch objectType {
	case "sms", "whatsapp":
		return p.Phone
	case "slack":
		return dl.Channel
	case "webhook":
		return dl.Endpoint
	case "in_app":
		if g.opts.IDOnly || len(p.ID)%2 == 0 {
			return p.ID
		}
		return p.Email
	default:
		return p.Email
	}
}

func (g *Generator) recipients(spec Spec) []byte {
	devs := spec.Devices
	if devs == nil {
		devs = spec.Person.Devices
	}
	if len(devs) == 0 {
		devs = []Device{g.device()}
	}
	failing := spec.Metric == "bounced" || spec.Metric == "dropped"
	out := append(g.recBuf[:0], '[')
	o := &g.rec
	for i, dv := range devs {
		if i > 0 {
			out = append(out, ',')
		}
		o.reset()
		o.str("device_id", dv.ID)
		// Real clicked payloads sometimes carry the token alone.
		if failing || spec.Metric != "clicked" || g.f.Bool() {
			o.str("device_platform", dv.Platform)
		}
		if failing {
			o.str("failure_message", g.f.RandomString(failureMessages["push_device"]))
		}
		out = o.appendTo(out)
	}
	g.recBuf = append(out, ']')
	return g.recBuf
}

func (g *Generator) emailHeaders() []byte {
	var o object
	o.raw(g.f.RandomString([]string{"X-Campaign-Tag", "Custom-Header", "X-Mailer-Source", "List-Id"}),
		appendJSONString([]byte{'['}, g.f.RandomString([]string{"custom-value", "spring-sale", "onboarding", "weekly-digest"})))
	o.buf = append(o.buf, ']')
	o.keys[0].end = len(o.buf)
	return o.appendTo(nil)
}

func (g *Generator) content(spec Spec, p customerio.Pair) string {
	f := g.f
	switch spec.ObjectType {
	case "email":
		return "<!DOCTYPE html><html><body><h1>Hi " + spec.Person.FirstName + ",</h1><p>" +
			f.Sentence(12) + "</p><p><a href=\"" + spec.Delivery.Href + "\">" + f.RandomString([]string{"Shop now", "Read more", "Get started", "View your account"}) +
			"</a></p></body></html>"
	case "push":
		var o object
		o.str("title", spec.Delivery.Subject)
		o.str("body", f.Sentence(8))
		o.str("link", spec.Delivery.Href)
		return string(o.appendTo(nil))
	case "webhook":
		var o object
		o.str("email", spec.Person.Email)
		o.str("id", spec.Person.ID)
		o.str("event", f.RandomString([]string{"signed_up", "trial_started", "order_completed", "plan_upgraded"}))
		return string(o.appendTo(nil))
	case "in_app":
		var o object
		o.str("message", f.Sentence(6))
		o.str("action", f.RandomString(trackedResponses))
		return string(o.appendTo(nil))
	case "customer":
		return `{"topics":{"topic_` + strconv.Itoa(f.IntRange(1, 12)) + `":` + strconv.FormatBool(f.Bool()) + `}}`
	default: // sms, whatsapp, slack: plain text
		return "Hi " + spec.Person.FirstName + ", " + strings.ToLower(f.Sentence(10)) + " " + spec.Delivery.Href
	}
}
