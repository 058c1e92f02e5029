package controlplane

import (
	"encoding/json"
	"testing"
)

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"flowId==abc", "name!=a,b", "createdAt>1700000000000", "sourceConnectionIds[]==x", "inheritedAttributes.properties.isSourceFlow==true", "state"} {
		f.Add(s)
	}
	o := obj{"flowId": "abc", "name": "a", "createdAt": json.Number("1700000000001"), "sourceConnectionIds": []any{"x"}}
	f.Fuzz(func(t *testing.T, p string) {
		fl, err := parseFilter(p)
		if err != nil {
			return
		}
		fl.match(o)
	})
}

func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"version":1,"sandboxes":{"prod":{"id":"x","flows":{"f":{"id":"f"}}}}}`))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err != nil {
			return
		}
		for _, sb := range st.Sandboxes {
			if sb == nil {
				continue
			}
			if sb.Flows == nil || sb.Runs == nil || sb.MappingSets == nil {
				t.Fatal("decodeState left a nil map")
			}
		}
	})
}
