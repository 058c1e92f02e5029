package wiring

import (
	"strings"
	"testing"
)

func TestParseAllowIPs(t *testing.T) {
	got, err := parseAllowIPs([]string{"10.1.2.3/8, 127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	if strings.Join(s, " ") != "10.0.0.0/8 127.0.0.1/32 ::1/128" {
		t.Errorf("got %v", s)
	}
}

func FuzzParseFlowFlag(f *testing.F) {
	for _, s := range []string{"f=m.json", "f=m.json,s.json,ds", "f=,s.json", "=x", "f=a,b,c,d", "f", "a=b=c,,", " f = m , s , d "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := parseFlowFlag(s)
		if err != nil {
			return
		}
		if sp.ID == "" || (sp.Mapping == "" && sp.Schema == "") || strings.Contains(sp.Mapping+sp.Schema+sp.Dataset, ",") {
			t.Fatalf("parseFlowFlag(%q) = %+v", s, sp)
		}
	})
}
