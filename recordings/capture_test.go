package recordings

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// appendHeaders writes exactly what json.Marshal writes for the header map (the bytes on
// disk did not change when the encoder stopped using reflection).
func TestAppendHeaders_asJSONMarshal(t *testing.T) {
	cases := []map[string]string{
		nil, {}, {"A": "1"},
		{"X-Cio-Timestamp": "1", "Content-Type": "application/json", "User-Agent": "<&>\u2028", "B": "\xff\xfe", "a": "é\"\\\n"},
	}
	big := map[string]string{}
	for i := range 40 {
		big[string(rune('z'-i%26))+string(rune('A'+i))] = "v"
	}
	cases = append(cases, big)
	for _, h := range cases {
		want, _ := json.Marshal(h)
		if h == nil {
			want = []byte("{}")
		}
		if got := appendHeaders(nil, h); !bytes.Equal(got, want) {
			t.Errorf("appendHeaders(%v) = %s, want %s", h, got, want)
		}
	}
}

func FuzzAppendHeaders(f *testing.F) {
	f.Add("Content-Type", "application/json", "X-A", "<b>&\u2028", "x", "\xff")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		h := map[string]string{k1: v1, k2: v2, k3: v3}
		want, _ := json.Marshal(h)
		if got := appendHeaders(nil, h); !bytes.Equal(got, want) {
			t.Fatalf("appendHeaders(%q) = %s, want %s", h, got, want)
		}
	})
}

// A body marked valid (the handler parsed it) is written exactly as an unmarked one: the
// mark only skips the second validation.
func TestAppendJSON_validBodySameBytes(t *testing.T) {
	for _, body := range []string{`{"a":1}`, `{"a": [1, 2]}`, ` {"a":1}`, "{\"a\":\n1}", `{"a":"\u2028"}`} {
		if _, err := customerio.Parse([]byte(body)); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		c := Capture{ReceivedAt: time.Unix(1, 0), Method: "POST", Path: "/", Headers: map[string]string{"A": "b"}, Body: []byte(body)}
		want, _ := c.AppendJSON(nil)
		got, _ := c.WithValidBody().AppendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Errorf("%q: marked %s, unmarked %s", body, got, want)
		}
	}
}
