package generator

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6/data"
	"github.com/oklog/ulid/v2"
)

// Person is one customer: the identities Customer.io puts in identifiers and recipient
// fields. Lifecycles reuse a Person across deliveries so a run looks like one workspace.
type Person struct {
	ID    string
	Email string
	// CioID is Customer.io's 12-hex canonical id; empty in ID-only workspaces.
	CioID     string
	Phone     string
	FirstName string
	LastName  string
	Devices   []Device
	// IDOnly marks a person identified by id alone (as in an ID-only workspace): identifiers
	// has only id and customer events carry a null email_address, whatever Options.IDOnly says.
	IDOnly bool
}

// Device is a push device: a token and its platform.
type Device struct {
	ID       string
	Platform string
}

// NewPerson makes a realistic person, with one or two push devices, from the generator's
// current random stream.
func (g *Generator) NewPerson() Person { return g.person(true) }

// personAt derives customer i of a run from (seed, i): the same person whenever it is
// needed, so a run never stores its population. The push devices, long to draw, have a
// stream of their own and are drawn only when asked for.
func (g *Generator) personAt(i int, idOnlyShare float64, devices bool) Person {
	g.reseed(domPerson, uint64(i))
	p := g.person(false)
	p.IDOnly = idOnlyShare > 0 && g.f.Rand.Float64() < idOnlyShare
	if devices {
		g.reseed(domDevices, uint64(i))
		p.Devices = g.devices()
	}
	return p
}

// devices draws one or two push devices.
func (g *Generator) devices() []Device {
	n := 1
	if g.f.IntRange(0, 3) == 0 {
		n = 2
	}
	ds := make([]Device, n)
	for i := range ds {
		ds[i] = g.device()
	}
	return ds
}

func (g *Generator) person(devices bool) Person {
	f := g.f
	first, last := data.Person["first"], data.Person["last"]
	p := Person{FirstName: first[f.Rand.Intn(len(first))], LastName: last[f.Rand.Intn(len(last))]}
	// All of the person's strings share one allocation (see NewDelivery).
	b := g.strBuf[:0]
	switch f.IntRange(0, 3) {
	case 0:
		b = strconv.AppendInt(b, int64(f.IntRange(1, 999999)), 10)
	case 1:
		b = strconv.AppendInt(append(b, "user-"...), int64(f.IntRange(100, 99999)), 10)
	case 2:
		b = g.appendChars(append(b, "02"...), 8, decDigits)
	default:
		b = g.appendChars(b, 8, hexDigits)
		b = g.appendChars(append(b, '-'), 4, hexDigits)
		b = g.appendChars(append(b, '-', '4'), 3, hexDigits)
		b = g.appendChars(append(b, '-'), 4, hexDigits)
		b = g.appendChars(append(b, '-'), 12, hexDigits)
	}
	var cut [4]int
	cut[0] = len(b)
	domain := f.RandomString(emailDomains)
	b = appendLocal(b, p.FirstName)
	switch f.IntRange(0, 2) {
	case 0:
		b = appendLocal(append(b, '.'), p.LastName)
	case 1:
		if len(b) > cut[0]+1 {
			b = b[:cut[0]+1]
		}
		b = appendLocal(b, p.LastName)
	default:
		b = strconv.AppendInt(b, int64(f.IntRange(1, 99)), 10)
	}
	if len(b) == cut[0] || b[cut[0]] == '.' {
		b = append(b[:cut[0]], "user"...)
	}
	b = append(append(b, '@'), domain...)
	cut[1] = len(b)
	b = g.appendChars(b, 12, hexDigits)
	cut[2] = len(b)
	b = g.appendPhone(b)
	cut[3] = len(b)
	str := string(b)
	g.strBuf = b
	p.ID, p.Email, p.CioID, p.Phone = str[:cut[0]], str[cut[0]:cut[1]], str[cut[1]:cut[2]], str[cut[2]:cut[3]]
	if devices {
		p.Devices = g.devices()
	}
	return p
}

// appendLocal appends s lower-cased, keeping only what an email local part here may hold.
func appendLocal(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' {
			b = append(b, c)
		}
	}
	return b
}

var emailDomains = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
	"example.com", "example.org", "proton.me", "fastmail.com", "aol.com"}

func sanitizeLocal(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

// appendPhone appends an E.164 number: mostly North American, some UK, German and
// Brazilian mobiles.
func (g *Generator) appendPhone(b []byte) []byte {
	f := g.f
	switch f.IntRange(0, 9) {
	case 0, 1:
		return g.appendChars(append(b, "+447"...), 9, decDigits)
	case 2:
		return g.appendChars(append(b, '+', '4', '9', '1', '5', byte('0'+f.IntRange(1, 9))), 8, decDigits)
	case 3:
		return g.appendChars(append(b, "+55119"...), 8, decDigits)
	default:
		b = append(b, '+', '1', byte('0'+f.IntRange(2, 9)))
		b = g.appendChars(b, 2, decDigits)
		b = append(b, byte('0'+f.IntRange(2, 9)))
		return g.appendChars(b, 6, decDigits)
	}
}

const (
	decDigits = "0123456789"
	upperHex  = "0123456789ABCDEF"
	// fcmAlphabet is base64url's: what FCM registration tokens are written in.
	fcmAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
)

func (g *Generator) device() Device {
	// drawn into a kept buffer: appending 145 characters to nil grew it five times
	b, platform := g.appendDevice(g.devBuf[:0])
	g.devBuf = b
	return Device{ID: string(b), Platform: platform}
}

// appendDevice appends a push device token and returns its platform.
func (g *Generator) appendDevice(b []byte) ([]byte, string) {
	if g.f.Bool() {
		// An FCM registration token: instance id, a colon, then "APA91b" and ~134 more chars.
		b = g.appendChars(b, 11, fcmAlphabet)
		b = append(b, ":APA91b"...)
		return g.appendChars(b, 134, fcmAlphabet), "android"
	}
	return g.appendChars(b, 64, upperHex), "ios"
}

// ulidAt returns a ULID whose time is t and whose entropy comes from the seeded source.
func (g *Generator) ulidAt(t time.Time) string {
	var b [ulid.EncodedSize]byte
	return string(g.appendULID(b[:0], t))
}

// appendULID appends a ULID whose time is t and whose entropy comes from the seeded source.
func (g *Generator) appendULID(b []byte, t time.Time) []byte {
	var u ulid.ULID
	_ = u.SetTime(ulid.Timestamp(t)) // only fails after the year 10889
	binary.BigEndian.PutUint64(u[6:14], g.src.Uint64())
	binary.BigEndian.PutUint16(u[14:16], uint16(g.src.Uint64()))
	n := len(b)
	b = append(b, make([]byte, ulid.EncodedSize)...)
	_ = u.MarshalTextTo(b[n:]) // the destination has the size
	return b
}

// deliveryChannel is the channel byte of a delivery id. Email, webhook, sms, slack and push
// are decoded from real ids; in_app and whatsapp are not known and are guesses.
var deliveryChannel = map[string]byte{"email": 0x00, "webhook": 0x01, "sms": 0x02, "slack": 0x04,
	"push": 0x05, "in_app": 0x06, "whatsapp": 0x07}

// deliveryID builds an id in the layout decoded from real Customer.io delivery ids:
// 0x44, two small varints (account, environment), a channel byte, the 48-bit creation time
// in Unix ms, and 10 random bytes, URL-safe base64 with padding (28 characters).
func (g *Generator) appendDeliveryID(dst []byte, objectType string, created time.Time, account uint64) []byte {
	var raw [24]byte
	n := 0
	raw[n] = 0x44
	n++
	n += binary.PutUvarint(raw[n:], account)
	n += binary.PutUvarint(raw[n:], 2)
	raw[n] = deliveryChannel[objectType]
	n++
	ms := uint64(created.UnixMilli())
	for i := 5; i >= 0; i-- {
		raw[n+5-i] = byte(ms >> (8 * i))
	}
	n += 6
	binary.LittleEndian.PutUint64(raw[n:], g.src.Uint64())
	binary.LittleEndian.PutUint16(raw[n+8:], uint16(g.src.Uint64()))
	n += 10
	return base64.URLEncoding.AppendEncode(dst, raw[:n])
}

var failureMessages = map[string][]string{
	"email_attempted": {"dial tcp: lookup smtp.mailgun.org: no such host", "421 4.7.0 Try again later, closing connection",
		"Post \"https://api.sendgrid.com/v3/mail/send\": context deadline exceeded"},
	"email": {"550 5.5.0 Requested action not taken: mailbox unavailable", "550 5.1.1 The email account that you tried to reach does not exist",
		"552 5.2.2 The email account that you tried to reach is over quota", "554 5.7.1 Message rejected as spam by Content Filtering",
		"Address is on the suppression list", "Message limit reached for this campaign", "Delivery disabled in this environment"},
	"push": {"NoDevicesSynced", "Requested entity was not found.", "The registration token is not a valid FCM registration token",
		"Message limit reached for this campaign", "Delivery disabled in this environment"},
	"push_device": {"BadDeviceToken", "Unregistered", "NotRegistered", "InvalidRegistration", "DeviceTokenNotForTopic"},
	"sms": {"Twilio Error 21408: Permission to send an SMS has not been enabled for the region indicated by the 'To' number: %s.",
		"Twilio Error 21211: Invalid 'To' Phone Number: %s", "Twilio Error 21610: Attempt to send to unsubscribed recipient",
		"Twilio Error 30003: Unreachable destination handset", "Twilio Error 30005: Unknown destination handset"},
	"whatsapp": {"(#131026) Message Undeliverable", "(#131047) Re-engagement message: more than 24 hours have passed since the recipient last replied",
		"(#131051) Unsupported message type", "(#130472) User's number is part of an experiment"},
	"slack":   {"value passed for channel was invalid", "channel_not_found", "not_in_channel", "invalid_auth", "ratelimited"},
	"webhook": {"Variable 'customer.test' is missing", "HTTP 404 Not Found []", "HTTP 500 Internal Server Error []", "HTTP 401 Unauthorized []", "Post \"https://hooks.example.com/ingest\": dial tcp 10.0.0.5:443: connect: connection refused"},
	"in_app":  {"No active in-app session for person", "Message limit reached for this campaign", "Delivery disabled in this environment"},
}

func (g *Generator) failure(objectType, metric string, p Person) string {
	key := objectType
	if objectType == "email" && metric == "attempted" {
		key = "email_attempted"
	}
	msg := g.f.RandomString(failureMessages[key])
	return strings.Replace(msg, "%s", p.Phone, 1)
}

var subjectTemplates = []string{
	"Welcome to {company}, {first}!", "Thanks for signing up", "Your {product} is on its way",
	"{first}, your weekly digest is here", "Don't miss out: {percent}% off {category}",
	"Your receipt from {company}", "Confirm your email address", "Reset your password",
	"{first}, we saved your cart", "New in {category}: {product}", "Your {company} account summary",
	"Last chance: {percent}% off ends tonight", "How was your {product}?",
}

func (g *Generator) appendSubject(b []byte, p Person, company string) []byte {
	tmpl := g.f.RandomString(subjectTemplates)
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			return append(b, tmpl...)
		}
		end := strings.IndexByte(tmpl[open:], '}') + open
		b = append(b, tmpl[:open]...)
		switch tmpl[open+1 : end] {
		case "company":
			b = append(b, company...)
		case "first":
			b = append(b, p.FirstName...)
		case "product":
			b = append(b, g.f.ProductName()...)
		case "percent":
			b = strconv.AppendInt(b, int64(5*g.f.IntRange(2, 14)), 10)
		case "category":
			b = append(b, g.f.ProductCategory()...)
		}
		tmpl = tmpl[end+1:]
	}
}

var linkPaths = []string{"/", "/pricing", "/account", "/cart", "/blog/{slug}", "/products/{slug}", "/verify", "/unsubscribe", "/offers/{slug}"}

func (g *Generator) appendHref(b []byte, objectType string) []byte {
	if objectType == "push" || (objectType == "in_app" && g.f.Bool()) {
		b = append(append(b, g.appScheme...), "://product/"...)
		return strconv.AppendInt(b, int64(g.f.IntRange(1, 500)), 10)
	}
	path := g.f.RandomString(linkPaths)
	b = append(append(b, "https://www."...), g.domain...)
	if slug, _, ok := strings.Cut(path, "{slug}"); ok {
		b = append(b, slug...)
		b = appendLocal(b, g.f.Adjective())
		b = appendLocal(append(b, '-'), g.f.Noun())
	} else {
		b = append(b, path...)
	}
	if g.f.Bool() {
		return b
	}
	b = append(append(b, "?utm_source=customerio&utm_medium="...), objectType...)
	return appendLocal(append(b, "&utm_campaign="...), g.f.Noun())
}

func domainFor(company string) string {
	return strings.ToLower(sanitizeLocal(strings.ReplaceAll(strings.Fields(company + " co")[0], ",", ""))) + ".com"
}

var slackChannels = []string{"#general", "#signups", "#sales", "#support-alerts", "#growth", "#ops", "#vip-customers", "#billing"}

var trackedResponses = []string{"accept", "dismiss", "shop-now", "learn-more", "remind-me-later", "open-settings"}
