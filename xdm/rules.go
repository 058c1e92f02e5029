package xdm

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ExperienceEventRules is the built-in check of the ExperienceEvent class rules, used when
// no schema is given: _id a non-empty uri-reference string, timestamp an RFC 3339
// date-time, identityMap a map of arrays of identity items with a string id, a boolean
// primary and an authenticatedState of ambiguous|authenticated|loggedOut. (Several primary
// identities are not a validation error: neither the XDM schema nor AEP's streaming
// validation documents such a rule.)
type ExperienceEventRules struct{}

var _ Checker = ExperienceEventRules{}

// checkKeys lists the members Check reads, so the mapper need not build the rest as maps.
func (ExperienceEventRules) checkKeys() []string {
	return []string{"_id", "timestamp", "eventType", "identityMap"}
}

// Check implements [Checker].
func (ExperienceEventRules) Check(record any) []Violation { return classCheck(record, true) }

// The XDM class ids ciosim knows by name.
const (
	ClassExperienceEvent = "https://ns.adobe.com/xdm/context/experienceevent"
	ClassProfile         = "https://ns.adobe.com/xdm/context/profile"
)

// ClassRules is the built-in check used when no schema is known: only the rules of the
// record's class. Class is the class $id; "" infers it per record: a record with a
// timestamp or eventType member is an ExperienceEvent (of the standard classes only
// time-series ones have them), any other record is a record-class (e.g. profile) record.
// ExperienceEvent rules are those of [ExperienceEventRules]; record classes get only
// the rules every class shares: _id, when present, a uri-reference string, and identityMap
// well formed. So a profile record without a timestamp passes, as AEP accepts it.
type ClassRules struct{ Class string }

var _ Checker = ClassRules{}

// checkKeys lists the members Check reads (the same as ExperienceEventRules').
func (ClassRules) checkKeys() []string { return ExperienceEventRules{}.checkKeys() }

// Check implements [Checker].
func (c ClassRules) Check(record any) []Violation {
	ee := c.Class == ClassExperienceEvent
	if c.Class == "" {
		if m, ok := record.(map[string]any); ok {
			_, ts := m["timestamp"]
			_, et := m["eventType"]
			ee = ts || et
		}
	}
	return classCheck(record, ee)
}

// TargetClass is the class the set's records belong to as far as its destinations tell:
// ClassExperienceEvent when it writes timestamp or eventType (so a record whose
// timestamp failed is still judged as an ExperienceEvent), "" (infer per record) otherwise.
func (ms MappingSet) TargetClass() string {
	for _, m := range ms.Mappings {
		if d := strings.TrimSpace(m.Destination); d == "timestamp" || d == "eventType" {
			return ClassExperienceEvent
		}
	}
	return ""
}

// Validator is the one validator of ciosim (transform --validate, the emulator, the TUI):
// the schema when one is known, else the built-in rules of the record's class. Violations
// are in AEP's wording, with keyword, schemaLocation and pointerToViolation, at most
// MaxViolations.
func Validator(s *Schema) Checker {
	if s != nil {
		return s
	}
	return ClassRules{}
}

// ValidateJSON runs c on a record given as JSON bytes (numbers as AEP reads them: whole
// numbers are Long).
func ValidateJSON(c Checker, record []byte) ([]Violation, error) {
	v, err := decodeRecord(record)
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*Schema); !ok {
		v = plainNumbers(v)
	}
	return c.Check(v), nil
}

// plainNumbers turns json.Number values into int64 or float64, as the built-in rules read them.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	}
	return v
}

// classCheck checks _id and identityMap, and with ee the ExperienceEvent class's own
// requirements (_id and timestamp required, timestamp a date-time, eventType a string).
func classCheck(record any, ee bool) []Violation {
	var out []Violation
	add := func(ptr, loc, kw, msg string) {
		out = append(out, Violation{Pointer: ptr, SchemaLocation: loc, Keyword: kw, Message: msg})
	}
	m, ok := record.(map[string]any)
	if !ok {
		add("#", "#", "type", "expected type: JSONObject, found: "+jsonKind(record))
		return out
	}
	switch id, present := m["_id"]; id := id.(type) {
	case nil:
		switch {
		case present:
			add("#/_id", "#/properties/_id", "type", "expected type: String, found: Null")
		case ee:
			add("#", "#", "required", "required key [_id] not found")
		}
	case string:
		if unreservedOnly(id) {
			break // a valid relative reference; url.Parse would say so, more slowly
		}
		if u, err := url.Parse(id); id == "" || err != nil || (u.Scheme == "" && hasColonInFirstSegment(id)) {
			add("#/_id", "#/properties/_id", "format", fmt.Sprintf("[%s] is not a valid URI reference", id))
		}
	default:
		add("#/_id", "#/properties/_id", "type", "expected type: String, found: "+jsonKind(id))
	}
	switch ts, present := m["timestamp"]; ts := ts.(type) {
	case nil:
		switch {
		case present:
			add("#/timestamp", "#/properties/timestamp", "type", "expected type: String, found: Null")
		case ee:
			add("#", "#", "required", "required key [timestamp] not found")
		}
	case string:
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			add("#/timestamp", "#/properties/timestamp", "format", fmt.Sprintf("[%s] is not a valid date-time. Expected [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}Z, yyyy-MM-dd'T'HH:mm:ss[+-]HH:mm, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}[+-]HH:mm]", ts))
		}
	default:
		add("#/timestamp", "#/properties/timestamp", "type", "expected type: String, found: "+jsonKind(ts))
	}
	if et, ok := m["eventType"]; ok {
		if _, isStr := et.(string); !isStr {
			add("#/eventType", "#/properties/eventType", "type", "expected type: String, found: "+jsonKind(et))
		}
	}
	if im, ok := m["identityMap"]; ok {
		imm, ok := im.(map[string]any)
		if !ok {
			add("#/identityMap", "#/properties/identityMap", "type", "expected type: JSONObject, found: "+jsonKind(im))
		} else {
			keys := make([]string, 0, len(imm))
			for k := range imm {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, ns := range keys {
				// pointers are only built for a violation
				p := func() string { return "#/identityMap/" + ns }
				loc := "#/properties/identityMap/additionalProperties"
				arr, ok := imm[ns].([]any)
				if !ok {
					add(p(), loc, "type", "expected type: JSONArray, found: "+jsonKind(imm[ns]))
					continue
				}
				for i, it := range arr {
					ip := func() string { return p() + "/" + strconv.Itoa(i) }
					item, ok := it.(map[string]any)
					if !ok {
						add(ip(), loc+"/items", "type", "expected type: JSONObject, found: "+jsonKind(it))
						continue
					}
					if _, ok := item["id"].(string); !ok {
						if item["id"] == nil {
							add(ip(), loc+"/items", "required", "required key [id] not found")
						} else {
							add(ip()+"/id", loc+"/items/properties/id", "type", "expected type: String, found: "+jsonKind(item["id"]))
						}
					}
					if pv, ok := item["primary"]; ok {
						if _, isBool := pv.(bool); !isBool {
							add(ip()+"/primary", loc+"/items/properties/primary", "type", "expected type: Boolean, found: "+jsonKind(pv))
						}
					}
					if as, ok := item["authenticatedState"]; ok {
						switch as {
						case "ambiguous", "authenticated", "loggedOut":
						default:
							add(ip()+"/authenticatedState", loc+"/items/properties/authenticatedState", "enum", fmt.Sprintf("%v is not a valid enum value", as))
						}
					}
				}
			}
		}
	}
	if len(out) > MaxViolations {
		out = out[:MaxViolations]
	}
	return out
}

// unreservedOnly reports whether s is non-empty and made only of RFC 3986 unreserved
// characters (ALPHA DIGIT - . _ ~), as event ids are: such a string is a valid relative
// reference with no scheme and no colon.
func unreservedOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func hasColonInFirstSegment(s string) bool {
	for _, c := range s {
		switch c {
		case ':':
			return true
		case '/', '?', '#':
			return false
		}
	}
	return false
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "Null"
	case string:
		return "String"
	case bool:
		return "Boolean"
	case int64, int:
		return "Long"
	case float64:
		if x == float64(int64(x)) {
			return "Long"
		}
		return "Double"
	case []any:
		return "JSONArray"
	case map[string]any:
		return "JSONObject"
	}
	return fmt.Sprintf("%T", v)
}
