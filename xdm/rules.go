package xdm

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// ExperienceEventRules is the built-in check of the ExperienceEvent class rules, used when
// no schema is given: _id a non-empty uri-reference string, timestamp an RFC 3339
// date-time, identityMap a map of arrays of identity items with a string id, a boolean
// primary, an authenticatedState of ambiguous|authenticated|loggedOut, and at most one
// primary identity.
type ExperienceEventRules struct{}

var _ Checker = ExperienceEventRules{}

// checkKeys lists the members Check reads, so the mapper need not build the rest as maps.
func (ExperienceEventRules) checkKeys() []string {
	return []string{"_id", "timestamp", "eventType", "identityMap"}
}

// Check implements [Checker].
func (ExperienceEventRules) Check(record any) []Violation {
	var out []Violation
	add := func(ptr, loc, kw, msg string) {
		out = append(out, Violation{Pointer: ptr, SchemaLocation: loc, Keyword: kw, Message: msg})
	}
	m, ok := record.(map[string]any)
	if !ok {
		add("#", "#", "type", "expected type: JSONObject, found: "+jsonKind(record))
		return out
	}
	switch id := m["_id"].(type) {
	case nil:
		add("#", "#", "required", "required key [_id] not found")
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
	switch ts := m["timestamp"].(type) {
	case nil:
		add("#", "#", "required", "required key [timestamp] not found")
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
			primaries := 0
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
						b, isBool := pv.(bool)
						if !isBool {
							add(ip()+"/primary", loc+"/items/properties/primary", "type", "expected type: Boolean, found: "+jsonKind(pv))
						} else if b {
							primaries++
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
			if primaries > 1 {
				add("#/identityMap", "#/properties/identityMap", "primary", fmt.Sprintf("%d identities are marked primary; at most one may be", primaries))
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
