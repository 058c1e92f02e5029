package customerio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Problem is one reason an event does not match the catalog.
type Problem struct {
	// Path is the JSON path of the offending field, such as "data.recipients[0].device_id".
	Path string `json:"path"`
	// Msg says what was expected.
	Msg string `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// ValidationError lists every problem [Event.Validate] found.
type ValidationError struct {
	Pair     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	prefix := "customerio: invalid event"
	if e.Pair != "" && e.Pair != "/" {
		prefix += " " + e.Pair
	}
	return prefix + ": " + strings.Join(parts, "; ")
}

// Validate checks the event against the catalog: a known object_type and metric with a
// payload schema, an integer timestamp, a string event_id, every required data field present
// with the right JSON type (optional fields are type-checked when present), and the fields of
// exactly one origin where the pair has origins. Unknown data fields are allowed, as
// Customer.io adds fields over time. It returns a *[ValidationError] or nil.
func (e Event) Validate() error {
	var v validator
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(e.raw))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil || root == nil {
		return &ValidationError{Problems: []Problem{{Path: "$", Msg: "expected a JSON object"}}}
	}
	v.check(root, "event_id", TypeString, true)
	v.check(root, "object_type", TypeString, true)
	v.check(root, "metric", TypeString, true)
	v.check(root, "timestamp", TypeInteger, true)
	v.check(root, "data", TypeObject, true)
	ot, _ := root["object_type"].(string)
	metric, _ := root["metric"].(string)
	if ts, ok := root["timestamp"].(json.Number); ok && kindOf(ts) == TypeInteger {
		if n, _ := ts.Int64(); n <= 0 {
			v.add("timestamp", "expected Unix seconds > 0, got "+ts.String())
		}
	}
	pair, found := Lookup(ot, metric)
	switch {
	case ot == "" || metric == "":
		// already reported
	case !slices.Contains(ObjectTypes(), ot):
		v.add("object_type", fmt.Sprintf("unknown object type %q (want one of %s)", ot, strings.Join(ObjectTypes(), ", ")))
	case !found:
		v.add("metric", fmt.Sprintf("unknown metric %q for %s (want one of %s)", metric, ot, strings.Join(Metrics(ot), ", ")))
	case !pair.HasPayload:
		v.add("metric", fmt.Sprintf("%s/%s can be subscribed to but has no published payload", ot, metric))
	}
	if data, ok := root["data"].(map[string]any); ok && found && pair.HasPayload {
		v.data(pair, data)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Pair: ot + "/" + metric, Problems: v.problems}
}

type validator struct{ problems []Problem }

func (v *validator) add(path, msg string) {
	v.problems = append(v.problems, Problem{Path: path, Msg: msg})
}

// check reports a missing required key or a value of the wrong kind at obj[key].
func (v *validator) check(obj map[string]any, key string, t JSONType, required bool) {
	v.checkAt(obj, key, key, t, required)
}

func (v *validator) checkAt(obj map[string]any, key, path string, t JSONType, required bool) {
	val, ok := obj[key]
	if !ok {
		if required {
			v.add(path, "required field missing (expected "+t.String()+")")
		}
		return
	}
	if k := kindOf(val); k&t == 0 {
		v.add(path, fmt.Sprintf("expected %s, found %s", t, k))
	}
}

// OriginOf returns the origin that data's fields indicate, and false when none does.
func OriginOf(data map[string]any) (Origin, bool) {
	switch {
	case has(data, "transactional_message_id"):
		return OriginTransactional, true
	case has(data, "newsletter_id"):
		return OriginNewsletter, true
	case has(data, "broadcast_id"), has(data, "trigger_id"):
		return OriginBroadcast, true
	case has(data, "campaign_id"):
		return OriginCampaign, true
	}
	return "", false
}

func (v *validator) data(p Pair, data map[string]any) {
	origin, hasOrigin := OriginOf(data)
	if len(p.Origins) > 0 {
		switch {
		case !hasOrigin && !p.OriginOptional:
			names := make([]string, 0, len(p.Origins))
			for _, o := range p.Origins {
				names = append(names, originKey(o))
			}
			v.add("data", "missing origin: expected one of "+strings.Join(names, ", "))
		case hasOrigin && !p.AllowsOrigin(origin):
			v.add("data."+originKey(origin), fmt.Sprintf("%s events have no %s origin", p.ObjectType, origin))
		}
		var markers []string
		for _, o := range Origins() {
			if has(data, originKey(o)) {
				markers = append(markers, originKey(o))
			}
		}
		if len(markers) > 1 {
			v.add("data", "fields of more than one origin: "+strings.Join(markers, ", "))
		}
	}
	for _, f := range p.Fields {
		if len(f.Origins) > 0 && (!hasOrigin || !slices.Contains(f.Origins, origin)) {
			continue
		}
		parent, child, isItem := strings.Cut(f.Path, "[].")
		if isItem {
			items, _ := data[parent].([]any)
			for i, it := range items {
				obj, ok := it.(map[string]any)
				path := fmt.Sprintf("data.%s[%d]", parent, i)
				if !ok {
					if child == "device_id" { // report each bad item once
						v.add(path, "expected object, found "+kindOf(it).String())
					}
					continue
				}
				v.checkAt(obj, child, path+"."+child, f.Type, f.Required)
			}
			continue
		}
		if obj, key, ok := strings.Cut(f.Path, "."); ok {
			if m, isMap := data[obj].(map[string]any); isMap {
				v.checkAt(m, key, "data."+f.Path, f.Type, f.Required)
			}
			continue
		}
		v.checkAt(data, f.Path, "data."+f.Path, f.Type, f.Required)
	}
	if items, ok := data["recipients"].([]any); ok && len(items) == 0 {
		v.add("data.recipients", "expected at least one device")
	}
}

func originKey(o Origin) string {
	switch o {
	case OriginCampaign:
		return "campaign_id"
	case OriginBroadcast:
		return "broadcast_id"
	case OriginNewsletter:
		return "newsletter_id"
	default:
		return "transactional_message_id"
	}
}

func kindOf(v any) JSONType {
	switch x := v.(type) {
	case nil:
		return TypeNull
	case string:
		return TypeString
	case bool:
		return TypeBoolean
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return TypeNumber
		}
		return TypeInteger
	case map[string]any:
		return TypeObject
	case []any:
		return TypeArray
	}
	return 0
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }
