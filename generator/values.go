package generator

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

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
// random source.
func (g *Generator) NewPerson() Person { return g.person(true) }

func (g *Generator) person(devices bool) Person {
	f := g.f
	p := Person{FirstName: f.FirstName(), LastName: f.LastName()}
	switch f.IntRange(0, 3) {
	case 0:
		p.ID = strconv.Itoa(f.IntRange(1, 999999))
	case 1:
		p.ID = "user-" + strconv.Itoa(f.IntRange(100, 99999))
	case 2:
		p.ID = "02" + g.digits(8)
	default:
		p.ID = g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + g.hex(4) + "-" + g.hex(12)
	}
	domain := f.RandomString(emailDomains)
	local := strings.ToLower(p.FirstName)
	switch f.IntRange(0, 2) {
	case 0:
		local += "." + strings.ToLower(p.LastName)
	case 1:
		local = local[:1] + strings.ToLower(p.LastName)
	default:
		local += strconv.Itoa(f.IntRange(1, 99))
	}
	p.Email = sanitizeLocal(local) + "@" + domain
	p.CioID = g.hex(12)
	p.Phone = g.phone()
	if !devices {
		return p
	}
	n := 1
	if f.IntRange(0, 3) == 0 {
		n = 2
	}
	for range n {
		p.Devices = append(p.Devices, g.device())
	}
	return p
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

// phone returns an E.164 number: mostly North American, some UK, German and Brazilian mobiles.
func (g *Generator) phone() string {
	f := g.f
	switch f.IntRange(0, 9) {
	case 0, 1:
		return "+447" + g.digits(9)
	case 2:
		return "+4915" + strconv.Itoa(f.IntRange(1, 9)) + g.digits(8)
	case 3:
		return "+55119" + g.digits(8)
	default:
		return "+1" + strconv.Itoa(f.IntRange(2, 9)) + g.digits(2) + strconv.Itoa(f.IntRange(2, 9)) + g.digits(6)
	}
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func (g *Generator) device() Device {
	if g.f.Bool() {
		// An FCM registration token: instance id, a colon, then "APA91b" and ~134 more chars.
		var b strings.Builder
		b.WriteString(g.chars(11, base62+"-_"))
		b.WriteString(":APA91b")
		b.WriteString(g.chars(134, base62+"-_"))
		return Device{ID: b.String(), Platform: "android"}
	}
	return Device{ID: strings.ToUpper(g.hex(64)), Platform: "ios"}
}

func (g *Generator) digits(n int) string { return g.chars(n, "0123456789") }
func (g *Generator) hex(n int) string    { return g.chars(n, hexDigits) }

func (g *Generator) chars(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.f.Rand.Intn(len(alphabet))]
	}
	return string(b)
}

// ulidAt returns a ULID whose time is t and whose entropy comes from the seeded source.
func (g *Generator) ulidAt(t time.Time) string {
	var u ulid.ULID
	_ = u.SetTime(ulid.Timestamp(t)) // only fails after the year 10889
	binary.BigEndian.PutUint64(u[6:14], g.f.Rand.Uint64())
	binary.BigEndian.PutUint16(u[14:16], uint16(g.f.Rand.Uint32()))
	return u.String()
}

// deliveryChannel is the channel byte of a delivery id. Email, webhook, sms, slack and push
// are decoded from real ids; in_app and whatsapp are not known and are guesses.
var deliveryChannel = map[string]byte{"email": 0x00, "webhook": 0x01, "sms": 0x02, "slack": 0x04,
	"push": 0x05, "in_app": 0x06, "whatsapp": 0x07}

// deliveryID builds an id in the layout decoded from real Customer.io delivery ids:
// 0x44, two small varints (account, environment), a channel byte, the 48-bit creation time
// in Unix ms, and 10 random bytes, URL-safe base64 with padding (28 characters).
func (g *Generator) deliveryID(objectType string, created time.Time, account uint64) []byte {
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
	for i := 0; i < 10; i++ {
		raw[n] = byte(g.f.Rand.Intn(256))
		n++
	}
	out := make([]byte, base64.URLEncoding.EncodedLen(n))
	base64.URLEncoding.Encode(out, raw[:n])
	return out
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

func (g *Generator) subject(p Person, company string) string {
	tmpl := g.f.RandomString(subjectTemplates)
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		end := strings.IndexByte(tmpl[open:], '}') + open
		b.WriteString(tmpl[:open])
		switch tmpl[open+1 : end] {
		case "company":
			b.WriteString(company)
		case "first":
			b.WriteString(p.FirstName)
		case "product":
			b.WriteString(g.f.ProductName())
		case "percent":
			b.WriteString(strconv.Itoa(5 * g.f.IntRange(2, 14)))
		case "category":
			b.WriteString(g.f.ProductCategory())
		}
		tmpl = tmpl[end+1:]
	}
}

var linkPaths = []string{"/", "/pricing", "/account", "/cart", "/blog/{slug}", "/products/{slug}", "/verify", "/unsubscribe", "/offers/{slug}"}

func (g *Generator) href(objectType string) string {
	if objectType == "push" || (objectType == "in_app" && g.f.Bool()) {
		return g.appScheme + "://product/" + strconv.Itoa(g.f.IntRange(1, 500))
	}
	path := g.f.RandomString(linkPaths)
	//lint:ignore S1017 the faker may be called only when there is a slug: seeded output depends on it
	if strings.Contains(path, "{slug}") {
		path = strings.Replace(path, "{slug}", strings.ToLower(g.f.Adjective()+"-"+g.f.Noun()), 1)
	}
	host := "https://www." + g.domain
	if g.f.Bool() {
		return host + path
	}
	return host + path + "?utm_source=customerio&utm_medium=" + objectType + "&utm_campaign=" + strings.ToLower(g.f.Noun())
}

func domainFor(company string) string {
	return strings.ToLower(sanitizeLocal(strings.ReplaceAll(strings.Fields(company + " co")[0], ",", ""))) + ".com"
}

var slackChannels = []string{"#general", "#signups", "#sales", "#support-alerts", "#growth", "#ops", "#vip-customers", "#billing"}

var trackedResponses = []string{"accept", "dismiss", "shop-now", "learn-more", "remind-me-later", "open-settings"}
