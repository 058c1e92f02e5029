package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

func std(t testing.TB, s string, mode Mode) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(mode == HTML)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var cases = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<a href=\"x&y\">", "café ✓ 日本", "\u2028\u2029", "bad \xff utf8 \xc3", "emoji 😀",
}

func TestAppend_matchesEncodingJSON(t *testing.T) {
	for _, mode := range []Mode{Plain, HTML} {
		for _, s := range cases {
			if got, want := Append(nil, s, mode), std(t, s, mode); !bytes.Equal(got, want) {
				t.Errorf("mode %d %q: got %s, want %s", mode, s, got, want)
			}
		}
	}
}

func TestAppend_appendsToDst(t *testing.T) {
	if got := string(Append([]byte("x:"), "a<", HTML)); got != `x:"a\u003c"` {
		t.Fatalf("got %s", got)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, mode := range []Mode{Plain, HTML} {
			if got, want := Append(nil, s, mode), std(t, s, mode); !bytes.Equal(got, want) {
				t.Fatalf("mode %d %q: got %s, want %s", mode, s, got, want)
			}
		}
	})
}

// TestVerbatim8: the eight-byte test agrees with the byte table on every byte at every
// position.
func TestVerbatim8(t *testing.T) {
	for _, mode := range []Mode{Plain, HTML} {
		for c := 0; c < 256; c++ {
			for pos := range 8 {
				b := []byte("abcdefgh")
				b[pos] = byte(c)
				want := true
				for _, x := range b {
					want = want && verbatim[mode][x]
				}
				if got := verbatim8(string(b), mode); got != want {
					t.Fatalf("mode %d, byte %#x at %d: %v, want %v", mode, c, pos, got, want)
				}
			}
		}
	}
}

// BenchmarkAppend writes strings of the kinds records hold (ids, addresses, URLs).
func BenchmarkAppend(b *testing.B) {
	strs := []string{"01KJKB3RVDQAC44GS141E5041X", "saltenwerth@example.com", "user-63477", "https://example.com/some/path?q=1&r=2", "sent", "café ✓"}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		for _, s := range strs {
			buf = Append(buf[:0], s, Plain)
		}
	}
}

// TestSkipPlain: SkipPlain stops exactly where a byte-by-byte reader would, from every
// start, for every byte at every position.
func TestSkipPlain(t *testing.T) {
	slow := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if c := b[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				break
			}
		}
		return i
	}
	for c := 0; c < 256; c++ {
		for pos := range 20 {
			b := []byte("abcdefghijklmnopqrst")
			b[pos] = byte(c)
			for start := 0; start <= len(b); start++ {
				if got, want := SkipPlain(b, start), slow(b, start); got != want {
					t.Fatalf("byte %#x at %d, from %d: %d, want %d", c, pos, start, got, want)
				}
			}
		}
	}
}
