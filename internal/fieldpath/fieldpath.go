// Package fieldpath is ciosim's one way to name and change a field of a JSON event: the
// path syntax shared by `--set`/`--unset` (fixtures) and the TUI's field editor, and the
// setter both use.
//
// A path is dot-separated keys; a numeric segment indexes an array:
// "data.campaign_id", "data.recipients.0.device_id". "data.recipients[0].device_id" is
// accepted as the same path.
package fieldpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// MaxLen bounds a path's length; paths come from flags and the keyboard.
const MaxLen = 1024

// Parse splits path into its segments.
func Parse(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("empty path: name a field such as data.campaign_id")
	}
	if len(path) > MaxLen {
		return nil, fmt.Errorf("path of %d bytes is longer than %d", len(path), MaxLen)
	}
	var segs []string
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			return nil, fmt.Errorf("path %q has an empty segment", path)
		case '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", path)
			}
			idx := path[i+1 : i+j]
			if n, err := strconv.Atoi(idx); err != nil || n < 0 {
				return nil, fmt.Errorf("path %q: [%s] is not an array index", path, idx)
			}
			segs = append(segs, idx)
			i += j + 1
		default:
			j := strings.IndexAny(path[i:], ".[")
			if j < 0 {
				j = len(path) - i
			}
			segs = append(segs, path[i:i+j])
			i += j
		}
		if i < len(path) && path[i] == '.' {
			i++
			if i == len(path) {
				return nil, fmt.Errorf("path %q has an empty segment", path)
			}
		}
	}
	return segs, nil
}

// String writes segs back in the canonical dot form.
func String(segs []string) string { return strings.Join(segs, ".") }

// Pointer returns segs as an RFC 6901 JSON pointer ("/data/recipients/0").
func Pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// Set stores v at segs in root, a decoded JSON value (map[string]any and []any). Objects
// missing along the way are created; array indexes must exist.
func Set(root any, segs []string, v any) error {
	node := root
	for i, s := range segs {
		last := i == len(segs)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[s] = v
				return nil
			}
			next, ok := n[s]
			if !ok || next == nil {
				next = map[string]any{}
				n[s] = next
			}
			node = next
		case []any:
			idx, err := strconv.Atoi(s)
			if err != nil || idx < 0 || idx >= len(n) {
				return fmt.Errorf("%s: index %q out of range (the array has %d items)", String(segs[:i+1]), s, len(n))
			}
			if last {
				n[idx] = v
				return nil
			}
			node = n[idx]
		default:
			return fmt.Errorf("%s: %s is a %s, not an object or array", String(segs[:i+1]), describe(segs[:i]), kind(node))
		}
	}
	return errors.New("empty path")
}

// Unset removes segs from root and returns the new root (arrays shrink). A path that does
// not exist changes nothing.
func Unset(node any, segs []string) any {
	if len(segs) == 0 {
		return node
	}
	switch n := node.(type) {
	case map[string]any:
		if len(segs) == 1 {
			delete(n, segs[0])
			return n
		}
		if c, ok := n[segs[0]]; ok {
			n[segs[0]] = Unset(c, segs[1:])
		}
		return n
	case []any:
		idx, err := strconv.Atoi(segs[0])
		if err != nil || idx < 0 || idx >= len(n) {
			return n
		}
		if len(segs) == 1 {
			return slices.Delete(n, idx, idx+1)
		}
		n[idx] = Unset(n[idx], segs[1:])
		return n
	}
	return node
}

// Get returns the value at segs in root.
func Get(root any, segs []string) (any, bool) {
	node := root
	for _, s := range segs {
		switch n := node.(type) {
		case map[string]any:
			v, ok := n[s]
			if !ok {
				return nil, false
			}
			node = v
		case []any:
			idx, err := strconv.Atoi(s)
			if err != nil || idx < 0 || idx >= len(n) {
				return nil, false
			}
			node = n[idx]
		default:
			return nil, false
		}
	}
	return node, true
}

// ParseValue reads s as one JSON value (numbers kept exact as json.Number). A string must
// be quoted: ParseValue(`"soon"`), not ParseValue(`soon`).
func ParseValue(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%q is not JSON (%v); to enter text, quote it: %s", s, err, jsonstr.Append(nil, s, jsonstr.Plain))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%q is not one JSON value; to enter text, quote it: %s", s, jsonstr.Append(nil, s, jsonstr.Plain))
	}
	return v, nil
}

func describe(segs []string) string {
	if len(segs) == 0 {
		return "the document"
	}
	return String(segs)
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, int64, int:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}
