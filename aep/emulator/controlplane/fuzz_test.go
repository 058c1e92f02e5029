package controlplane

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
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

func TestToken_boundedAndFailedRecordsBounded(t *testing.T) {
	s, err := New(Options{MaxFailedRecords: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxTokens + 5 {
		s.tokens[fmt.Sprint("t", i)] = "c"
	}
	req := httptest.NewRequest("POST", "/ims/token/v3", strings.NewReader("grant_type=client_credentials&client_id=c&client_secret=s&scope=openid"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 200 || len(s.tokens) > maxTokens+5 {
		t.Errorf("token: %d, %d tokens kept", w.Code, len(s.tokens))
	}
	s.sandbox("prod").Flows["f"] = obj{"id": "f"}
	for range 5 {
		s.record("f", true, []string{"#: bad"}, json.RawMessage(`{}`), 2, 0)
	}
	for _, r := range s.sandbox("prod").Runs {
		if r.Failed != 5 || len(r.FailedRecords) != 2 {
			t.Errorf("run = %d failed, %d kept; want 5 counted, 2 kept", r.Failed, len(r.FailedRecords))
		}
	}
}
