// Package secret holds credentials (signing keys, bearer tokens, API keys) in a type that
// never prints, logs or marshals its value. Only code that must use the value calls Reveal.
package secret

import (
	"log/slog"
	"strings"
)

// Secret is a credential. Its String, GoString, LogValue and MarshalText all return a mask,
// so passing it to fmt, slog or encoding/json cannot leak it.
type Secret struct{ v string }

// New wraps v. Surrounding white space (a trailing newline from a file) is removed.
func New(v string) Secret { return Secret{v: strings.TrimSpace(v)} }

// Reveal returns the credential itself, for the one place that must send or use it.
func (s Secret) Reveal() string { return s.v }

// Bytes returns the credential as bytes, for HMAC keys.
func (s Secret) Bytes() []byte { return []byte(s.v) }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.v == "" }

// Mask returns a display form that shows only that a value is set and its last two
// characters when it is long enough for that to be harmless: "••••••3f", or "(not set)".
func (s Secret) Mask() string {
	switch {
	case s.v == "":
		return "(not set)"
	case len(s.v) < 12:
		return "••••••"
	default:
		return "••••••" + s.v[len(s.v)-2:]
	}
}

// String returns [Secret.Mask].
func (s Secret) String() string { return s.Mask() }

// GoString returns [Secret.Mask], so %#v does not leak the value either.
func (s Secret) GoString() string { return s.Mask() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Mask()) }

// MarshalText implements encoding.TextMarshaler with the mask.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Mask()), nil }
