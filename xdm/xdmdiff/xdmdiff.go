// Package xdmdiff compares XDM records: field by field (JSON pointers with old and new
// values) and record sets aligned by identity rather than by line. transform --check,
// transform --watch and the TUI's reload marks use it. It knows nothing of files or
// terminals beyond writing a report to an io.Writer.
package xdmdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind says how a field changed.
type Kind int

// The kinds of [Change].
const (
	Added Kind = iota + 1
	Removed
	Changed
)

// String returns added, removed or changed.
func (k Kind) String() string {
	switch k {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Changed:
		return "changed"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Change is one field that differs between two records.
type Change struct {
	// Pointer is the field's JSON pointer ("/a/b/0"; "" is the whole record).
	Pointer string `json:"pointer"`
	Kind    Kind   `json:"-"`
	// Old and New are the values as compact JSON; Old is nil when the field was added,
	// New when it was removed.
	Old json.RawMessage `json:"old,omitempty"`
	New json.RawMessage `json:"new,omitempty"`
}

// MarshalJSON writes the kind as its name.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	return json.Marshal(struct {
		Kind string `json:"kind"`
		plain
	}{c.Kind.String(), plain(c)})
}

// String is the change for people: `/a/b: "x" → "y"`, `/a/c: added 1`, `/a/d: removed (was 2)`.
func (c Change) String() string {
	p := c.Pointer
	if p == "" {
		p = "(record)"
	}
	switch c.Kind {
	case Added:
		return p + ": added " + clip(string(c.New), 80)
	case Removed:
		return p + ": removed (was " + clip(string(c.Old), 80) + ")"
	}
	return p + ": " + clip(string(c.Old), 80) + " → " + clip(string(c.New), 80)
}

// Fields lists the fields that differ from old to new, in document order (object keys
// sorted, array elements by index). Numbers compare by their text. An error means one of
// the two is not JSON.
func Fields(old, new []byte) ([]Change, error) {
	x, err := decode(old)
	if err != nil {
		return nil, fmt.Errorf("xdmdiff: old record: %w", err)
	}
	y, err := decode(new)
	if err != nil {
		return nil, fmt.Errorf("xdmdiff: new record: %w", err)
	}
	var out []Change
	walk("", x, y, &out)
	return out, nil
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func walk(ptr string, x, y any, out *[]Change) {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(a)+len(b))
		for k := range a {
			keys = append(keys, k)
		}
		for k := range b {
			if _, dup := a[k]; !dup {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := ptr + "/" + escape(k)
			va, ina := a[k]
			vb, inb := b[k]
			switch {
			case !ina:
				*out = append(*out, Change{Pointer: p, Kind: Added, New: compact(vb)})
			case !inb:
				*out = append(*out, Change{Pointer: p, Kind: Removed, Old: compact(va)})
			default:
				walk(p, va, vb, out)
			}
		}
		return
	case []any:
		b, ok := y.([]any)
		if !ok {
			break
		}
		for i := range max(len(a), len(b)) {
			p := ptr + "/" + strconv.Itoa(i)
			switch {
			case i >= len(a):
				*out = append(*out, Change{Pointer: p, Kind: Added, New: compact(b[i])})
			case i >= len(b):
				*out = append(*out, Change{Pointer: p, Kind: Removed, Old: compact(a[i])})
			default:
				walk(p, a[i], b[i], out)
			}
		}
		return
	}
	cx, cy := compact(x), compact(y)
	if !bytes.Equal(cx, cy) {
		*out = append(*out, Change{Pointer: ptr, Kind: Changed, Old: cx, New: cy})
	}
}

// escape writes a member name as a JSON pointer token (RFC 6901).
func escape(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func compact(v any) json.RawMessage {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
