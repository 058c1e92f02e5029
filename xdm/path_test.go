package xdm

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestParsePath_Braced: dots inside ${} separate names and \. is a literal dot (Adobe's
// mapping docs: "a literal . in a key is escaped with \", names with spaces or reserved
// words are wrapped in ${}).
func TestParsePath_Braced(t *testing.T) {
	for in, want := range map[string][]string{
		`${data.identifiers.cio_id}`:  {"data", "identifiers", "cio_id"},
		`${First Name}`:               {"First Name"},
		`data.${first-name}.x`:        {"data", "first-name", "x"},
		`${address.street\.name}`:     {"address", "street.name"},
		`address.street\.name`:        {"address", "street.name"},
		`${null}.${new}`:              {"null", "new"},
		`${a b.c-d}[0].e`:             {"a b", "c-d", "[0]", "e"},
		`_acme.${Customer IO}.metric`: {"_acme", "Customer IO", "metric"},
		`${x\}y}`:                     {"x}y"},
		`${back\\slash}`:              {`back\slash`},
	} {
		p, err := ParsePath(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := segNames(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s → %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{`${}`, `${a..b}`, `${a.}`, `${a`, `${.a}`} {
		if _, err := ParsePath(in); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}

func segNames(p Path) []string {
	var out []string
	for _, s := range p.segs {
		switch {
		case s.wild:
			out = append(out, "[*]")
		case s.isIdx:
			out = append(out, "["+strconv.Itoa(s.index)+"]")
		default:
			out = append(out, s.key)
		}
	}
	return out
}

// FuzzParsePath: any path that parses can be written back with every name in ${} (dots,
// backslashes and braces escaped) and parses to the same names.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{`data.identifiers.cio_id`, `${First Name}`, `${a.b\.c}[0].d`, `emails[*].name`, `a\.b`, `${x\}y}`, `${`, `a[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		if err != nil {
			return
		}
		var b strings.Builder
		for i, s := range p.segs {
			switch {
			case s.wild:
				b.WriteString("[*]")
			case s.isIdx:
				b.WriteString("[" + strconv.Itoa(s.index) + "]")
			default:
				if i > 0 {
					b.WriteByte('.')
				}
				r := strings.NewReplacer(`\`, `\\`, `.`, `\.`, `}`, `\}`)
				b.WriteString("${" + r.Replace(s.key) + "}")
			}
		}
		q, err := ParsePath(b.String())
		if err != nil {
			t.Fatalf("%q → %q: %v", in, b.String(), err)
		}
		if !reflect.DeepEqual(segNames(p), segNames(q)) {
			t.Fatalf("%q → %q: %q != %q", in, b.String(), segNames(p), segNames(q))
		}
	})
}
