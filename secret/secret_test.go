package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecret_neverPrints(t *testing.T) {
	const v = "super-secret-token-value-xyz"
	s := New(v + "\n")
	if s.Reveal() != v {
		t.Fatalf("Reveal() = %q, want %q", s.Reveal(), v)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "token", s)
	j, _ := json.Marshal(struct{ T Secret }{s})
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s),
		//lint:ignore S1025 the %s verb itself is under test
		"%s":   fmt.Sprintf("%s", s),
		"%#v":  fmt.Sprintf("%#v", s),
		"%+v":  fmt.Sprintf("%+v", struct{ S Secret }{s}),
		"json": string(j),
		"slog": logBuf.String(),
	} {
		if strings.Contains(out, v) || strings.Contains(out, "secret-token") {
			t.Errorf("%s leaked the secret: %s", name, out)
		}
	}
	if got := s.Mask(); got != "••••••yz" {
		t.Errorf("Mask() = %q", got)
	}
	if got := New("").Mask(); got != "(not set)" {
		t.Errorf("empty Mask() = %q", got)
	}
	if got := New("short").Mask(); strings.Contains(got, "rt") {
		t.Errorf("short Mask() = %q reveals characters", got)
	}
}
