package expr

import (
	"testing"
	"time"
)

// flagReader records that a function read randomness.
type flagReader struct{ read *bool }

func (r flagReader) Read(p []byte) (int, error) {
	*r.read = true
	for i := range p {
		p[i] = 7
	}
	return len(p), nil
}

// TestVolatileFuncs_complete guards the compiled plan's per-pair cache: a function that
// reads the Env's clock or randomness must be listed in volatileFuncs, or its value would
// be computed once per (object_type, metric) and reused for every event. Every registered
// function is called with several argument shapes under an Env that notes any read.
func TestVolatileFuncs_complete(t *testing.T) {
	shapes := [][]any{
		{}, {"a"}, {"2024-01-02T03:04:05Z"}, {int64(3)}, {"a", "b"}, {"2024-01-02T03:04:05Z", "yyyy-MM-dd"},
		{"a", int64(1)}, {"a", "b", "c"}, {int64(1), int64(2), int64(3)},
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, {time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "yyyy"},
		{[]any{"a", "b"}}, {map[string]any{"a": int64(1)}}, {"a", "b", "c", "d"},
	}
	reg := DefaultRegistry()
	for name, def := range reg.funcs {
		var clock, random bool
		env := &Env{
			Now:  func() time.Time { clock = true; return time.Unix(0, 0) },
			Rand: flagReader{&random},
		}
		for _, args := range shapes {
			if len(args) < def.min || (def.max >= 0 && len(args) > def.max) {
				continue
			}
			func() {
				defer func() { _ = recover() }()
				_, _ = def.fn(env, append([]any(nil), args...))
			}()
		}
		if (clock || random) && !volatileFuncs[name] {
			t.Errorf("%s reads the clock or randomness but is not in volatileFuncs", name)
		}
		if volatileFuncs[name] && !clock && !random {
			t.Errorf("volatileFuncs lists %s, which read neither clock nor randomness here", name)
		}
	}
}
