package xdm

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/ciosim/ciosim/xdm/expr"
)

func stdDecode(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

var jsonSeeds = []string{
	`{}`, `{"a":1,"b":-2.5e-7,"c":"x\"y\\z\n\u00e9\ud83d\ude00","d":[true,false,null,{"e":[]}]}`,
	`{"big":12345678901234567890,"neg":-0,"exp":1E400}`, `{"s":"\u2028<>&\u0001"}`, " {\"a\" : [ 1 , 2 ] } ",
	`{"bad":"\ud800x"}`, `{"a":1}x`, `[1]`, `null`, `{"a":01}`, `{"a":"` + "\xff" + `"}`, `{"k":1e21,"m":1e-7,"n":123.456}`,
}

// FuzzDecodeEncode checks the fast decoder and encoder against encoding/json: the same
// accept/reject decision, the same values, and the same bytes out.
func FuzzDecodeEncode(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ferr := decodeObject(b)
		std, serr := stdDecode(b)
		if (ferr == nil) != (serr == nil && std != nil) {
			t.Fatalf("accept mismatch on %q: fast %v, std %v", b, ferr, serr)
		}
		if ferr != nil {
			return
		}
		// Compare values as encoding/json writes them (numbers may differ in Go type).
		want, err := marshalStd(expr.FromJSON(std))
		if err != nil {
			return
		}
		got, err := marshal(fast)
		if err != nil {
			t.Fatalf("encode %q: %v", b, err)
		}
		if !bytes.Equal(got, want) {
			// FromJSON keeps floats beyond 2^53 as float64 while the fast decoder keeps
			// exact int64s; both are valid readings, compare them numerically.
			if !numericallyEqual(got, want) {
				t.Fatalf("on %q:\nfast %s\nstd  %s", b, got, want)
			}
		}
	})
}

func numericallyEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return deepNumEq(x, y)
}

func deepNumEq(x, y any) bool {
	switch xv := x.(type) {
	case float64:
		yv, ok := y.(float64)
		return ok && (xv == yv || math.Abs(xv-yv) <= 1e-9*math.Abs(xv))
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k := range xv {
			if !deepNumEq(xv[k], yv[k]) {
				return false
			}
		}
		return true
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !deepNumEq(xv[i], yv[i]) {
				return false
			}
		}
		return true
	}
	return x == y
}

func TestJSON_MatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonSeeds {
		fast, ferr := decodeObject([]byte(s))
		std, serr := stdDecode([]byte(s))
		if (ferr == nil) != (serr == nil && std != nil) {
			t.Errorf("%q: fast %v std %v", s, ferr, serr)
			continue
		}
		if ferr != nil {
			continue
		}
		got, _ := marshal(fast)
		want, _ := marshalStd(expr.FromJSON(std))
		if !bytes.Equal(got, want) && !numericallyEqual(got, want) {
			t.Errorf("%q:\nfast %s\nstd  %s", s, got, want)
		}
	}
	if _, err := marshal(map[string]any{"x": math.NaN()}); err == nil {
		t.Error("NaN encoded")
	}
}
