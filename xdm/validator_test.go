package xdm

import (
	"encoding/json"
	"testing"
)

// registryProfile is shaped like a Schema Registry export (xed-full) of a profile-class
// schema: resolved properties, meta:class, no additionalProperties of its own.
const registryProfile = `{
 "$id": "https://ns.adobe.com/acme/schemas/profile1",
 "meta:altId": "_acme.schemas.profile1",
 "meta:class": "https://ns.adobe.com/xdm/context/profile",
 "type": "object",
 "properties": {
  "_id": {"type": "string", "format": "uri-reference"},
  "person": {"type": "object", "properties": {"name": {"type": "object", "properties": {"firstName": {"type": "string"}}}}},
  "identityMap": {"type": "object", "meta:xdmType": "map",
   "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}},
  "_acme": {"type": "object", "properties": {"loyalty": {"type": "integer"}}}
 }
}`

func checkJSON(t *testing.T, c Checker, rec string) []Violation {
	t.Helper()
	vs, err := ValidateJSON(c, []byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestValidator_registryExport(t *testing.T) {
	s, err := LoadSchema(SchemaFile{Name: "profile1.json", Data: []byte(registryProfile)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Class() != ClassProfile {
		t.Errorf("Class() = %q", s.Class())
	}
	v := Validator(s)
	for _, tc := range []struct {
		rec  string
		want []Violation
	}{
		// a profile record without timestamp is fine: the class does not have one
		{`{"_id":"p1","person":{"name":{"firstName":"Ann"}},"identityMap":{"Email":[{"id":"a@b.c"}]}}`, nil},
		{`{"_id":"p1","workEmail":"a@b.c"}`, []Violation{{Pointer: "#", SchemaLocation: "#", Keyword: "additionalProperties", Message: "extraneous key [workEmail] is not permitted"}}},
		{`{"_id":"p1","person":{"nick":"x"}}`, []Violation{{Pointer: "#/person", SchemaLocation: "#/properties/person", Keyword: "additionalProperties", Message: "extraneous key [nick] is not permitted"}}},
		{`{"_id":42}`, []Violation{{Pointer: "#/_id", SchemaLocation: "#/properties/_id", Keyword: "type", Message: "expected type: String, found: Long"}}},
		{`{"_id":"p","_acme":{"loyalty":"gold"}}`, []Violation{{Pointer: "#/_acme/loyalty", SchemaLocation: "#/properties/_acme/properties/loyalty", Keyword: "type", Message: "expected type: Integer, found: String"}}},
	} {
		got := checkJSON(t, v, tc.rec)
		if g, w := js(got), js(tc.want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", tc.rec, g, w)
		}
	}
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestClassRules(t *testing.T) {
	v := Validator(nil)
	for _, tc := range []struct {
		rec  string
		want []Violation
	}{
		// record class (no timestamp, no eventType): only the shared rules
		{`{"_id":"p1","person":{"name":"Ann"}}`, nil},
		{`{"person":{"name":"Ann"}}`, nil},
		{`{"_id":5}`, []Violation{{Pointer: "#/_id", SchemaLocation: "#/properties/_id", Keyword: "type", Message: "expected type: String, found: Long"}}},
		// ExperienceEvent: wrong types are type errors, not "required key not found"
		{`{"_id":5,"timestamp":"2021-02-11T17:04:49Z"}`, []Violation{{Pointer: "#/_id", SchemaLocation: "#/properties/_id", Keyword: "type", Message: "expected type: String, found: Long"}}},
		{`{"_id":"e","timestamp":1613063089}`, []Violation{{Pointer: "#/timestamp", SchemaLocation: "#/properties/timestamp", Keyword: "type", Message: "expected type: String, found: Long"}}},
		{`{"_id":"e","timestamp":1613063089.5}`, []Violation{{Pointer: "#/timestamp", SchemaLocation: "#/properties/timestamp", Keyword: "type", Message: "expected type: String, found: Double"}}},
		{`{"_id":"e","timestamp":null}`, []Violation{{Pointer: "#/timestamp", SchemaLocation: "#/properties/timestamp", Keyword: "type", Message: "expected type: String, found: Null"}}},
		{`{"_id":"e","eventType":"x"}`, []Violation{{Pointer: "#", SchemaLocation: "#", Keyword: "required", Message: "required key [timestamp] not found"}}},
		{`{"timestamp":"2021-02-11T17:04:49Z"}`, []Violation{{Pointer: "#", SchemaLocation: "#", Keyword: "required", Message: "required key [_id] not found"}}},
		{`[1]`, []Violation{{Pointer: "#", SchemaLocation: "#", Keyword: "type", Message: "expected type: JSONObject, found: JSONArray"}}},
	} {
		got := checkJSON(t, v, tc.rec)
		if g, w := js(got), js(tc.want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", tc.rec, g, w)
		}
	}
	// a known class overrides the inference
	if vs := (ClassRules{Class: ClassExperienceEvent}).Check(map[string]any{"_id": "p"}); len(vs) != 1 || vs[0].Message != "required key [timestamp] not found" {
		t.Errorf("ExperienceEvent class without timestamp: %v", vs)
	}
}

// The official (derived, closed) ExperienceEvent schema answers in the same words.
func TestValidator_officialSchema(t *testing.T) {
	s := officialSchema(t)
	got := checkJSON(t, Validator(s), `{"_id":5,"timestamp":"2021-02-11T17:04:49Z","workEmail":"x"}`)
	want := []Violation{
		{Pointer: "#", SchemaLocation: "#", Keyword: "required", Message: "required key [_experience] not found"}, // Message Execution field group
		{Pointer: "#", SchemaLocation: "#", Keyword: "additionalProperties", Message: "extraneous key [workEmail] is not permitted"},
		{Pointer: "#/_id", SchemaLocation: "#/properties/_id", Keyword: "type", Message: "expected type: String, found: Long"},
	}
	if g, w := js(got), js(want); g != w {
		t.Errorf("\n got %s\nwant %s", g, w)
	}
}

func TestMappingSet_TargetClass(t *testing.T) {
	ee := MappingSet{Mappings: []Mapping{{Source: "event_id", Destination: "_id"}, {Source: "x", Destination: "timestamp"}}}
	rec := MappingSet{Mappings: []Mapping{{Source: "event_id", Destination: "_id"}, {Source: "x", Destination: "person.name"}}}
	if ee.TargetClass() != ClassExperienceEvent || rec.TargetClass() != "" {
		t.Errorf("TargetClass: %q %q", ee.TargetClass(), rec.TargetClass())
	}
	// a set that writes timestamp is judged as an ExperienceEvent even when timestamp failed
	if vs := (ClassRules{Class: ee.TargetClass()}).Check(map[string]any{"_id": "a"}); len(vs) != 1 || vs[0].Message != "required key [timestamp] not found" {
		t.Errorf("violations %v", vs)
	}
}
