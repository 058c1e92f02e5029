package customerio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse_roundTripIsByteIdentical(t *testing.T) {
	inputs := []string{
		vector2Body,
		// Spec order, spaces, an unknown top-level field, unicode and escapes.
		`{ "metric": "opened", "event_id": "01E4C4CT6YDC7Y5M7FE1GWWPQJ", "object_type": "email", "timestamp": 1613063089, "x_future": [1, 2.50, {"a": null}], "data": {"recipient": "z\u00e9@example.com", "subject": "a \"quoted\" <b>", "identifiers": {"id": "42"}, "delivery_id": "RPILAgUBcRhIBqSfeiIwdIYJKxTY", "campaign_id": 5, "action_id": 36} }`,
		"{\"event_id\":\"x\",\"object_type\":\"sms\",\"metric\":\"sent\",\"timestamp\":1,\"data\":{}}\n",
	}
	for _, in := range inputs {
		ev, err := Parse([]byte(in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if !bytes.Equal(ev.Bytes(), []byte(in)) {
			t.Errorf("Bytes() changed the input:\n got %s\nwant %s", ev.Bytes(), in)
		}
		out, err := ev.MarshalJSON()
		if err != nil || !bytes.Equal(out, []byte(in)) {
			t.Errorf("MarshalJSON changed the input: %s (%v)", out, err)
		}
	}
}

func TestParse_envelope(t *testing.T) {
	ev, err := Parse([]byte(vector2Body))
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventID != "01E2EMRMM6TZ12TF9WGZN0WJQT" || ev.ObjectType != "email" || ev.Metric != "sent" || ev.Timestamp != 1692633432 {
		t.Fatalf("envelope = %+v", ev)
	}
	if !strings.HasPrefix(string(ev.Data), `{"action_id":42`) || !strings.HasSuffix(string(ev.Data), `"Thanks for signing up"}`) {
		t.Fatalf("Data = %s", ev.Data)
	}
	if err := ev.Validate(); err != nil {
		t.Fatalf("published sample does not validate: %v", err)
	}
}

func TestParse_errors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{``, "empty input"},
		{`{"event_id":`, "invalid JSON"},
		{`[1,2]`, "not a JSON object"},
		{`{"a":1} {"b":2}`, "invalid JSON"},
		{`"str"`, "not a JSON object"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tt.in, err, tt.want)
		}
	}
	_, err := Parse([]byte(`{"event_id": }`))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 14 {
		t.Errorf("syntax error offset: %v", err)
	}
}

func TestAssemble_matchesParse(t *testing.T) {
	ev := Assemble("01E2EMRMM6TZ12TF9WGZN0WJQT", "email", "sent", 1692633432,
		[]byte(`{"action_id":42,"campaign_id":23,"content":"Welcome to the club, we are with you.","customer_id":"user-123","delivery_id":"RAECAAFwnUSneIa0ZXkmq8EdkAM==","headers":{"Custom-Header":["custom-value"]},"identifiers":{"id":"user-123"},"recipient":"test@example.com","subject":"Thanks for signing up"}`))
	if string(ev.Bytes()) != vector2Body {
		t.Fatalf("Assemble = %s", ev.Bytes())
	}
	p, _ := Parse(ev.Bytes())
	if p.EventID != ev.EventID || p.Timestamp != ev.Timestamp || !bytes.Equal(p.Data, ev.Data) {
		t.Fatalf("Parse(Assemble) = %+v, want %+v", p, ev)
	}
}

func TestValidate_problems(t *testing.T) {
	base := `{"data":%s,"event_id":"01E2EMRMM6TZ12TF9WGZN0WJQT","metric":"%s","object_type":"%s","timestamp":%s}`
	good := `{"campaign_id":1,"action_id":2,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipient":"a@b.co","subject":"s"}`
	tests := []struct {
		name                 string
		data, metric, ot, ts string
		wantPath, wantMsg    string
	}{
		{"unknown object type", good, "sent", "fax", "1700000000", "object_type", `unknown object type "fax"`},
		{"unknown metric", good, "exploded", "email", "1700000000", "metric", `unknown metric "exploded" for email`},
		{"config-only metric", good, "deferred", "email", "1700000000", "metric", "no published payload"},
		{"missing required field", `{"campaign_id":1,"action_id":2,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipient":"a@b.co"}`, "sent", "email", "1700000000", "data.subject", "required field missing (expected string)"},
		{"wrong type", `{"campaign_id":"1","action_id":2,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipient":"a@b.co","subject":"s"}`, "sent", "email", "1700000000", "data.campaign_id", "expected integer|null, found string"},
		{"float timestamp", good, "sent", "email", "1700000000.5", "timestamp", "expected integer, found number"},
		{"string timestamp", good, "sent", "email", `"1700000000"`, "timestamp", "expected integer, found string"},
		{"no origin", `{"delivery_id":"RAEC","identifiers":{"id":"1"},"recipient":"a@b.co","subject":"s"}`, "sent", "email", "1700000000", "data", "missing origin"},
		{"transactional sms", `{"transactional_message_id":3,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipient":"+15551234567"}`, "sent", "sms", "1700000000", "data.transactional_message_id", "no transactional origin"},
		{"missing identifiers.id", `{"campaign_id":1,"action_id":2,"delivery_id":"RAEC","identifiers":{"email":"a@b.co"},"recipient":"a@b.co","subject":"s"}`, "sent", "email", "1700000000", "data.identifiers.id", "required field missing"},
		{"push device without token", `{"campaign_id":1,"action_id":2,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipients":[{"device_platform":"ios"}]}`, "sent", "push", "1700000000", "data.recipients[0].device_id", "required field missing"},
		{"bounced device without failure", `{"campaign_id":1,"action_id":2,"delivery_id":"RAEC","identifiers":{"id":"1"},"recipients":[{"device_id":"x","device_platform":"ios"}]}`, "bounced", "push", "1700000000", "data.recipients[0].failure_message", "required field missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(fmt.Sprintf(base, tt.data, tt.metric, tt.ot, tt.ts))
			ev, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			err = ev.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Path == tt.wantPath && strings.Contains(p.Msg, tt.wantMsg) {
					return
				}
			}
			t.Fatalf("problems %v lack %s: %s", ve.Problems, tt.wantPath, tt.wantMsg)
		})
	}
	ok, _ := Parse([]byte(fmt.Sprintf(base, good, "sent", "email", "1700000000")))
	if err := ok.Validate(); err != nil {
		t.Fatalf("good event: %v", err)
	}
}

func TestCatalog_counts(t *testing.T) {
	want := map[string]int{"customer": 3, "email": 13, "push": 11, "sms": 10, "whatsapp": 12, "slack": 6, "webhook": 6, "in_app": 8}
	got := map[string]int{}
	for _, p := range Pairs() {
		got[p.ObjectType]++
	}
	for ot, n := range want {
		if got[ot] != n {
			t.Errorf("%s: %d pairs, want %d", ot, got[ot], n)
		}
	}
	var configOnly []string
	for _, p := range Catalog() {
		if !p.HasPayload {
			configOnly = append(configOnly, p.Subscription)
		}
	}
	if strings.Join(configOnly, ",") != "email_deferred,sms_dropped,slack_converted,webhook_converted" {
		t.Errorf("config-only = %v", configOnly)
	}
	p, ok := Lookup("push", "drafted")
	if !ok || p.Note == "" {
		t.Errorf("push/drafted should record the spec's metric-enum bug")
	}
	p, _ = Lookup("customer", "cio_subscription_preferences_changed")
	if p.Subscription != "customer_subscription_preferences_changed" {
		t.Errorf("subscription name = %s", p.Subscription)
	}
	for _, ot := range []string{"sms", "whatsapp", "slack", "webhook", "in_app"} {
		p, _ := Lookup(ot, "sent")
		if p.AllowsOrigin(OriginTransactional) {
			t.Errorf("%s allows transactional", ot)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(vector2Body))
	f.Add([]byte(vector1Body))
	f.Add([]byte(`{"data":{"recipients":[{"device_id":"x"}]},"timestamp":-1}`))
	f.Add([]byte(`{"a":"\"\\","b":[{"c":"}"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := Parse(b)
		// Parse accepts exactly: valid JSON (after trimming space), an object, whose
		// members the envelope scan can walk from the first byte.
		tr := bytes.TrimSpace(b)
		want := len(tr) > 0 && json.Valid(tr) && tr[0] == '{' && scanMembers(b, func(_, _ []byte) {}) == nil
		if (err == nil) != want {
			t.Fatalf("Parse(%q) error %v, want success %v", b, err, want)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(ev.Bytes(), b) {
			t.Fatalf("round trip changed bytes")
		}
		// Validate must never panic, and must agree with encoding/json on the envelope.
		_ = ev.Validate()
		// encoding/json matches struct fields case-insensitively; decode into a map for an
		// exact-key oracle (the last duplicate wins in both).
		var env map[string]json.RawMessage
		if json.Unmarshal(b, &env) == nil {
			var id string
			if json.Unmarshal(env["event_id"], &id) == nil && id != ev.EventID {
				t.Fatalf("event_id %q, encoding/json says %q", ev.EventID, id)
			}
			var ts int64
			if json.Unmarshal(env["timestamp"], &ts) == nil && env["timestamp"] != nil && ts != ev.Timestamp {
				t.Fatalf("timestamp %d, encoding/json says %d", ev.Timestamp, ts)
			}
			var ot string
			if json.Unmarshal(env["object_type"], &ot) == nil && ot != ev.ObjectType {
				t.Fatalf("object_type %q, encoding/json says %q", ev.ObjectType, ot)
			}
			var metric string
			if json.Unmarshal(env["metric"], &metric) == nil && metric != ev.Metric {
				t.Fatalf("metric %q, encoding/json says %q", ev.Metric, metric)
			}
			if d := env["data"]; d != nil && !bytes.Equal(bytes.TrimSpace(d), bytes.TrimSpace(ev.Data)) {
				t.Fatalf("data %q, encoding/json says %q", ev.Data, d)
			}
		}
	})
}

// FuzzValidJSON: Parse's validator accepts exactly what json.Valid accepts.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{vector1Body, vector2Body, `{"a":"\"\\","b":[{"c":"}"}]}`, `-0.5e+3`, `[1,2,]`, `{"a":1,}`,
		`"\u00e9\ud83d"`, "\"\x01\"", `01`, `1.`, `1e`, `-`, `tru`, `nulll`, `{"a" 1}`, `[[[]]]`, "\"\xff\"", `{"a":[true,false,null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

// TestValidJSON_Depth: nesting is limited like encoding/json's (10000 levels).
func TestValidJSON_Depth(t *testing.T) {
	for _, n := range []int{maxNestingDepth, maxNestingDepth + 1} {
		b := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("depth %d: validJSON %v, json.Valid %v", n, got, want)
		}
	}
}

// BenchmarkParse parses a generated email clicked event.
func BenchmarkParse(b *testing.B) {
	body := []byte(`{"data":{"action_id":102,"campaign_id":92,"customer_id":"user-67654","delivery_id":"RIEVAgABoiWUYh8mPZjwEBjXHtwd","href":"https://www.appex.com/unsubscribe","identifiers":{"cio_id":"70f5230aa843","email":"labshire@hotmail.com","id":"user-67654"},"journey_id":"01M8JNZP77HMW90HK9F9KBB9FG","link_id":30,"machine":true,"parent_action_id":99,"recipient":"labshire@hotmail.com","subject":"Don't miss out: 50% off stationery"},"event_id":"01M8JS9869RBTJY9VEQJY412Q2","metric":"clicked","object_type":"email","timestamp":1795926825}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCatalogString: an object type or metric reads as rawString reads it, and a catalog
// name costs no allocation.
func TestCatalogString(t *testing.T) {
	for _, r := range []string{`"email"`, `"sent"`, `"cio_subscription_preferences_changed"`, `"em\u0061il"`, `"emailx"`, `""`, `"\"sent"`, `5`, `null`, "\"s\xffnt\""} {
		if got, want := catalogString(json.RawMessage(r)), rawString(json.RawMessage(r)); got != want {
			t.Errorf("%s: %q, want %q", r, got, want)
		}
	}
	raw := json.RawMessage(`"delivered"`)
	if n := testing.AllocsPerRun(100, func() { catalogString(raw) }); n != 0 {
		t.Errorf("catalogString allocates %.1f times for a catalog name", n)
	}
}

// TestEvent_OnlyEnvelope: true when the top-level members are all envelope fields.
func TestEvent_OnlyEnvelope(t *testing.T) {
	for in, want := range map[string]bool{
		`{}`: true,
		`{"event_id":"a","object_type":"email","metric":"sent","timestamp":1,"data":{"x":1}}`: true,
		`{"event_id":"a","received_at":"x"}`:                                                  false,
		` [1] `:                                                                               true, // not an object: no members
		`{"data":{},"body":{}}`:                                                               false,
		"{\"data\":{} , \"extra\" : 1}\n":                                                     false,
	} {
		ev, _ := Parse([]byte(in))
		if got := ev.OnlyEnvelope(); got != want {
			t.Errorf("%s: OnlyEnvelope %v, want %v", in, got, want)
		}
	}
}
