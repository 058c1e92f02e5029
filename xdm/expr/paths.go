package expr

import (
	"strconv"
	"strings"
)

// pathExists reports whether the source record holds something (null included) at a
// Data Prep path such as data.identifiers.cio_id, address.street\.name, ${First Name}
// or emails[0].
func pathExists(root map[string]any, path string) bool {
	names, ok := splitPath(path)
	if !ok {
		return false
	}
	var cur any = root
	for _, n := range names {
		if n.index >= 0 {
			arr, ok := cur.([]any)
			if !ok || n.index >= len(arr) {
				return false
			}
			cur = arr[n.index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[n.key]; !ok {
			return false
		}
	}
	return true
}

type pathStep struct {
	key   string
	index int // -1: a key
}

// splitPath reads a path into keys and indexes; ok is false when it is malformed.
func splitPath(s string) ([]pathStep, bool) {
	var out []pathStep
	var b strings.Builder
	named := false
	flush := func() {
		if named {
			out = append(out, pathStep{key: b.String(), index: -1})
		}
		b.Reset()
		named = false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			named = true
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			names, n, msg := SplitBraced(s[i:])
			if msg != "" {
				return nil, false
			}
			for k, name := range names {
				if k > 0 {
					flush()
				}
				b.WriteString(name)
				named = true
			}
			i += n - 1
		case c == '.':
			if !named {
				return nil, false
			}
			flush()
		case c == '[':
			flush()
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil || n < 0 {
				return nil, false
			}
			out = append(out, pathStep{index: n})
			i += end
		default:
			b.WriteByte(c)
			named = true
		}
	}
	flush()
	return out, len(out) > 0
}
