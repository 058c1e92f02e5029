package wiring

import (
	"strings"
	"testing"
)

func TestInletURL_flowIDFromTheURL(t *testing.T) {
	const in = "https://dcs.adobedc.net/collection/abc?x-adobe-flow-id=f1"
	u, flow, err := InletURL("--to", in, "", nil)
	if err != nil || u != "https://dcs.adobedc.net/collection/abc" || flow != "f1" {
		t.Fatalf("InletURL = %q %q %v", u, flow, err)
	}
	if _, flow, err := InletURL("--to", in, "f1", nil); err != nil || flow != "f1" {
		t.Errorf("the same flow id twice: %q %v", flow, err)
	}
	_, _, err = InletURL("--to", in, "f2", nil)
	if err == nil || !strings.Contains(err.Error(), "f1") || !strings.Contains(err.Error(), "f2") {
		t.Errorf("conflicting --flow-id: %v, want an error naming both", err)
	}
	var warned string
	if _, _, err := InletURL("--to", "http://example.com/collection/abc", "", func(s string) { warned = s }); err != nil || !strings.Contains(warned, "unencrypted") {
		t.Errorf("plain http to another host: %v, warned %q", err, warned)
	}
	for _, bad := range []string{"ftp://x/collection/a", "not a url", "https:///collection/a"} {
		if _, _, err := InletURL("--to", bad, "", nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
