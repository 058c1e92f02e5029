package customerio

import (
	"slices"
	"strings"
)

// JSONType is a set of JSON value kinds a field may hold.
type JSONType uint8

// JSON kinds. A field's type is their union, such as TypeInteger|TypeNull.
const (
	TypeString JSONType = 1 << iota
	TypeInteger
	TypeBoolean
	TypeObject
	TypeArray
	TypeNull
	// TypeNumber is a non-integer number; no catalog field accepts one, but validation
	// reports it by name.
	TypeNumber
)

// String names the kinds in t joined by "|", as in "integer|null".
func (t JSONType) String() string {
	var parts []string
	for _, k := range []struct {
		t JSONType
		n string
	}{{TypeString, "string"}, {TypeInteger, "integer"}, {TypeBoolean, "boolean"}, {TypeObject, "object"}, {TypeArray, "array"}, {TypeNull, "null"}, {TypeNumber, "number"}} {
		if t&k.t != 0 {
			parts = append(parts, k.n)
		}
	}
	return strings.Join(parts, "|")
}

// Origin is what produced a message: the four data variants of the Customer.io spec.
type Origin string

// The message origins. Transactional exists only for email and push.
const (
	OriginCampaign      Origin = "campaign"
	OriginBroadcast     Origin = "broadcast"
	OriginNewsletter    Origin = "newsletter"
	OriginTransactional Origin = "transactional"
)

// Origins lists every origin in catalog order.
func Origins() []Origin {
	return []Origin{OriginCampaign, OriginBroadcast, OriginNewsletter, OriginTransactional}
}

// Field describes one field of an event's data object.
type Field struct {
	// Path is the field's path inside data: "recipient", "identifiers.cio_id", or
	// "recipients[].device_id" for a field of every array item.
	Path string   `json:"path"`
	Type JSONType `json:"-"`
	// TypeName is Type's String form, for JSON output.
	TypeName string `json:"type"`
	Required bool   `json:"required"`
	// Origins, when not empty, limits the field to events of these origins.
	Origins []Origin `json:"origins,omitempty"`
	Doc     string   `json:"doc,omitempty"`
}

// Pair is one object_type × metric combination and the shape of its data.
type Pair struct {
	ObjectType string `json:"object_type"`
	Metric     string `json:"metric"`
	// Subscription is the name used in the webhook configuration's events list.
	Subscription string `json:"subscription"`
	Description  string `json:"description"`
	// HasPayload is false for the four names that can be subscribed to but have no
	// published payload schema (email deferred, sms dropped, slack and webhook converted).
	HasPayload bool `json:"has_payload"`
	// Origins are the message origins this pair may carry; empty for customer events that
	// no message caused.
	Origins []Origin `json:"origins"`
	// OriginOptional is true when the origin fields may be absent altogether
	// (cio_subscription_preferences_changed not caused by a message).
	OriginOptional bool    `json:"origin_optional,omitempty"`
	Fields         []Field `json:"fields"`
	// Note records a known error in Customer.io's spec and what ciosim does instead.
	Note string `json:"note,omitempty"`
}

// Name returns "object_type/metric".
func (p Pair) Name() string { return p.ObjectType + "/" + p.Metric }

// Field returns the field at path and whether the pair has it.
func (p Pair) Field(path string) (Field, bool) {
	for _, f := range p.Fields {
		if f.Path == path {
			return f, true
		}
	}
	return Field{}, false
}

// AllowsOrigin reports whether o is one of the pair's origins.
func (p Pair) AllowsOrigin(o Origin) bool { return slices.Contains(p.Origins, o) }

// ObjectTypes lists the object types in catalog order.
func ObjectTypes() []string {
	return []string{"customer", "email", "push", "in_app", "sms", "slack", "webhook", "whatsapp"}
}

// Catalog returns every pair, those with a payload schema and the config-only ones, in a
// stable order (object types as [ObjectTypes], metrics in lifecycle order). The slice is
// new on every call; callers may modify it.
func Catalog() []Pair {
	out := make([]Pair, 0, 73)
	for _, ot := range ObjectTypes() {
		for _, s := range catalogSpecs[ot] {
			out = append(out, s.build(ot))
		}
	}
	return out
}

// Pairs returns the pairs that have a payload schema (69), the ones ciosim can generate.
func Pairs() []Pair {
	all := Catalog()
	out := all[:0]
	for _, p := range all {
		if p.HasPayload {
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds the pair for objectType and metric, config-only ones included.
func Lookup(objectType, metric string) (Pair, bool) {
	for _, s := range catalogSpecs[objectType] {
		if s.metric == metric {
			return s.build(objectType), true
		}
	}
	return Pair{}, false
}

// Metrics lists the metrics of objectType (with a payload schema) in lifecycle order, or nil
// for an unknown object type.
func Metrics(objectType string) []string {
	var out []string
	for _, s := range catalogSpecs[objectType] {
		if !s.configOnly {
			out = append(out, s.metric)
		}
	}
	return out
}

// metricSpec is the compact form the catalog table is written in.
type metricSpec struct {
	metric     string
	desc       string
	fields     []Field
	configOnly bool
	note       string
}

func req(path string, t JSONType, doc string) Field {
	return Field{Path: path, Type: t, Required: true, Doc: doc}
}

func opt(path string, t JSONType, doc string) Field {
	return Field{Path: path, Type: t, Doc: doc}
}

const (
	str     = TypeString
	integer = TypeInteger
	boolean = TypeBoolean
)

var (
	fRecipientEmail = req("recipient", str, "email address the message went to")
	fSubject        = req("subject", str, "email subject")
	fFailure        = req("failure_message", str, "why the message failed")
	fHref           = req("href", str, "URL of the clicked link")
	fLinkID         = req("link_id", integer, "tracked link id")
	fRecipientPhone = req("recipient", str, "phone number, E.164")
	fRecipients     = req("recipients", TypeArray, "devices the push went to")
	fDeviceID       = req("recipients[].device_id", str, "device token")
	fDevicePlatform = opt("recipients[].device_platform", str, "ios or android")
	fDeviceFailure  = opt("recipients[].failure_message", str, "why this device failed")
	fContent        = opt("content", str, "message body; only with Body Content on")
)

func withRecipients(extra ...Field) []Field {
	return append([]Field{fRecipients, fDeviceID, fDevicePlatform, fDeviceFailure}, extra...)
}

func email(metric, desc string, extra ...Field) metricSpec {
	return metricSpec{metric: metric, desc: desc, fields: append([]Field{fRecipientEmail, fSubject}, extra...)}
}

func failure(metric, desc string) metricSpec {
	return metricSpec{metric: metric, desc: desc, fields: []Field{fFailure}}
}

func phone(metric, desc string, extra ...Field) metricSpec {
	return metricSpec{metric: metric, desc: desc, fields: append([]Field{fRecipientPhone}, extra...)}
}

func replied() metricSpec {
	return metricSpec{metric: "replied", desc: "the person replied within 72 hours of the delivery", fields: []Field{
		req("inbound_event_id", str, "id of the inbound message"),
		req("to", str, "number the person replied to (the original sender)"),
		req("recipient", str, "number of the person who replied"),
	}}
}

const pushDraftedNote = "the spec's push_drafted schema restricts metric to \"attempted\"; real events and the config name use \"drafted\", which ciosim follows"

var catalogSpecs = map[string][]metricSpec{
	"customer": {
		{metric: "subscribed", desc: "the person's unsubscribed attribute was set to false"},
		{metric: "unsubscribed", desc: "the person's unsubscribed attribute was set to true"},
		{metric: "cio_subscription_preferences_changed", desc: "the person's topic preferences changed",
			fields: []Field{opt("content", str, "stringified JSON of the changed preferences; only with Body Content on")},
			note:   "the spec names the envelope property object_type_type; ciosim sends object_type"},
	},
	"email": {
		email("drafted", "a draft was created, awaiting approval or queued"),
		failure("attempted", "could not reach the email provider; will retry"),
		email("sent", "handed to the email provider",
			opt("content", str, "HTML body; only with Body Content on"),
			opt("headers", TypeObject, "custom headers, name → [values]; only with Body Content on")),
		email("delivered", "the provider reports delivery"),
		{metric: "opened", desc: "the email was opened", fields: []Field{fRecipientEmail,
			opt("subject", str, "email subject"),
			opt("proxied", boolean, "fetched through a privacy proxy"),
			opt("prefetched", boolean, "opened by a mail client's prefetch or a machine"),
			opt("synthetic", boolean, "open inferred from a click")}},
		email("clicked", "a tracked link was clicked", fHref, fLinkID, opt("machine", boolean, "machine-generated click")),
		email("converted", "a conversion was attributed to the email"),
		email("unsubscribed", "the person unsubscribed through this email"),
		email("bounced", "the provider could not deliver", fFailure),
		email("dropped", "not sent: the recipient is suppressed", fFailure),
		email("spammed", "marked as spam"),
		email("failed", "could not be sent to the provider", fFailure),
		email("undeliverable", "message limit, cancelled newsletter or delivery disabled", fFailure),
		{metric: "deferred", desc: "subscribable in the webhook configuration; no payload is published", configOnly: true},
	},
	"push": {
		{metric: "drafted", desc: "a draft was created", note: pushDraftedNote},
		failure("attempted", "could not send (e.g. NoDevicesSynced); will retry"),
		{metric: "sent", desc: "handed to the push provider", fields: withRecipients(opt("content", str, "stringified push payload; only with Body Content on"))},
		{metric: "delivered", desc: "the provider reports delivery", fields: withRecipients()},
		{metric: "opened", desc: "the notification was opened", fields: withRecipients()},
		{metric: "clicked", desc: "a link in the notification was followed", fields: withRecipients(fHref, fLinkID)},
		{metric: "converted", desc: "a conversion was attributed to the push", fields: withRecipients()},
		{metric: "bounced", desc: "the provider reported an invalid token", fields: []Field{fRecipients, fDeviceID,
			req("recipients[].device_platform", str, "ios or android"), req("recipients[].failure_message", str, "why this device failed")}},
		{metric: "dropped", desc: "not sent: the token bounced before", fields: []Field{fRecipients, fDeviceID,
			req("recipients[].device_platform", str, "ios or android"), req("recipients[].failure_message", str, "why this device failed")}},
		failure("failed", "could not be sent to the provider"),
		failure("undeliverable", "message limit or delivery disabled"),
	},
	"in_app": {
		{metric: "drafted", desc: "a draft was created"},
		failure("attempted", "could not send; will retry"),
		{metric: "sent", desc: "queued for the app (shown when the app is next open)", fields: []Field{
			req("recipient", str, "person id or email the app SDK identifies"),
			opt("content", str, "message body; only with Body Content on")}},
		{metric: "opened", desc: "the message was shown (an impression)"},
		{metric: "clicked", desc: "an action in the message was tapped", fields: []Field{
			req("recipient", str, "person id or email the app SDK identifies"), fLinkID, fHref,
			opt("tracked_response", str, "the component's Action Name")}},
		{metric: "converted", desc: "a conversion was attributed to the message", fields: []Field{req("recipient", str, "person id or email the app SDK identifies")}},
		failure("failed", "could not be sent"),
		failure("undeliverable", "message limit or delivery disabled"),
	},
	"sms": {
		{metric: "drafted", desc: "a draft was created"},
		failure("attempted", "the provider refused (e.g. a Twilio error); will retry"),
		phone("sent", "handed to the SMS provider", opt("content", str, "message text; only with Body Content on")),
		phone("delivered", "the provider reports delivery"),
		phone("clicked", "a tracked link was clicked", fLinkID, fHref),
		phone("converted", "a conversion was attributed to the SMS"),
		phone("bounced", "the provider could not deliver", fFailure),
		{metric: "dropped", desc: "subscribable in the webhook configuration; no payload is published", configOnly: true},
		failure("failed", "could not be sent"),
		failure("undeliverable", "message limit or delivery disabled"),
		replied(),
	},
	"slack": {
		{metric: "drafted", desc: "a draft was created"},
		failure("attempted", "could not send; will retry"),
		{metric: "sent", desc: "posted to Slack", fields: []Field{req("recipient", str, "channel or person, e.g. #signups"), fContent}},
		{metric: "clicked", desc: "a tracked link was clicked", fields: []Field{req("recipient", str, "channel or person, e.g. #signups"), fHref, fLinkID}},
		{metric: "converted", desc: "subscribable in the webhook configuration; no payload is published", configOnly: true},
		failure("failed", "Slack refused the message"),
		{metric: "undeliverable", desc: "message limit or delivery disabled", fields: []Field{fFailure},
			note: "has a payload schema but is not in the webhook configuration's events list"},
	},
	"webhook": {
		{metric: "drafted", desc: "a draft was created"},
		failure("attempted", "the request could not be built or sent (e.g. a Liquid error); will retry"),
		{metric: "sent", desc: "the webhook request succeeded", fields: []Field{req("recipient", str, "the target URL"),
			opt("content", str, "stringified request payload; only with Body Content on")}},
		{metric: "clicked", desc: "a tracked link in the payload was opened", fields: []Field{req("recipient", str, "the target URL"), fLinkID, fHref}},
		{metric: "converted", desc: "subscribable in the webhook configuration; no payload is published", configOnly: true},
		failure("failed", "the target answered an error"),
		failure("undeliverable", "message limit or delivery disabled"),
	},
	"whatsapp": {
		{metric: "drafted", desc: "a draft was created"},
		failure("attempted", "the provider refused; will retry"),
		phone("sent", "handed to WhatsApp", opt("content", str, "message text; only with Body Content on")),
		phone("delivered", "WhatsApp reports delivery"),
		phone("opened", "a read receipt arrived"),
		phone("clicked", "a tracked link was clicked", fLinkID, fHref),
		phone("converted", "a conversion was attributed to the message"),
		phone("bounced", "WhatsApp could not deliver", fFailure),
		phone("dropped", "not sent: the recipient is suppressed", fFailure),
		failure("failed", "could not be sent"),
		failure("undeliverable", "message limit or delivery disabled"),
		replied(),
	},
}

// commonMessageFields are the identifiers and origin-variant fields of every message event.
func commonMessageFields(origins []Origin) []Field {
	only := func(f Field, os ...Origin) Field {
		var keep []Origin
		for _, o := range os {
			if slices.Contains(origins, o) {
				keep = append(keep, o)
			}
		}
		f.Origins = keep
		return f
	}
	fs := identifierFields()
	fs = append(fs,
		req("delivery_id", str, "one message instance to one person"),
		opt("customer_id", str, "deprecated person id; blank when the person was deleted"),
		only(req("campaign_id", integer|TypeNull, "campaign"), OriginCampaign),
		only(req("action_id", integer, "workflow action (the message block)"), OriginCampaign, OriginBroadcast),
		only(opt("journey_id", str, "ULID of the person's path through the workflow"), OriginCampaign, OriginBroadcast),
		only(opt("parent_action_id", integer, "parent action, e.g. a randomized split"), OriginCampaign, OriginBroadcast),
		only(opt("trigger_event_id", str|TypeNull, "ULID of the event that triggered the campaign"), OriginCampaign),
		only(req("broadcast_id", integer|TypeNull, "broadcast"), OriginBroadcast),
		only(opt("trigger_id", integer, "Trigger Broadcast API call id (API-triggered broadcasts only)"), OriginBroadcast),
		only(req("newsletter_id", integer|TypeNull, "newsletter"), OriginNewsletter),
		only(opt("content_id", integer, "newsletter variant"), OriginNewsletter),
	)
	if slices.Contains(origins, OriginTransactional) {
		fs = append(fs, only(req("transactional_message_id", integer, "transactional template"), OriginTransactional))
	}
	return fs
}

func identifierFields() []Field {
	return []Field{
		req("identifiers", TypeObject, "the person"),
		req("identifiers.id", str|TypeNull, "workspace person id"),
		opt("identifiers.email", str|TypeNull, "email; only in workspaces with email and id"),
		opt("identifiers.cio_id", str, "canonical person id, 12 hex; absent in test sends"),
	}
}

func (s metricSpec) build(objectType string) Pair {
	p := Pair{
		ObjectType:   objectType,
		Metric:       s.metric,
		Subscription: objectType + "_" + s.metric,
		Description:  s.desc,
		HasPayload:   !s.configOnly,
		Note:         s.note,
	}
	if s.metric == "cio_subscription_preferences_changed" {
		p.Subscription = "customer_subscription_preferences_changed"
	}
	if s.configOnly {
		return p
	}
	var common []Field
	switch {
	case objectType != "customer":
		p.Origins = []Origin{OriginCampaign, OriginBroadcast, OriginNewsletter}
		if objectType == "email" || objectType == "push" {
			p.Origins = append(p.Origins, OriginTransactional)
		}
		common = commonMessageFields(p.Origins)
	case s.metric == "cio_subscription_preferences_changed":
		p.Origins = []Origin{OriginCampaign, OriginBroadcast, OriginNewsletter}
		p.OriginOptional = true
		common = append(identifierFields(),
			req("customer_id", str, "person id"),
			req("email_address", str|TypeNull, "the person's email"))
		for _, f := range commonMessageFields(p.Origins)[len(identifierFields()):] {
			if f.Path == "customer_id" {
				continue
			}
			f.Required = false // present only when a message caused the change
			common = append(common, f)
		}
	default:
		common = append(identifierFields(),
			req("customer_id", str, "person id"),
			req("email_address", str|TypeNull, "the person's email"))
	}
	p.Fields = append(common, s.fields...)
	for i := range p.Fields {
		p.Fields[i].TypeName = p.Fields[i].Type.String()
	}
	return p
}
