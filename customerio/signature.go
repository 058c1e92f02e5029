package customerio

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Header names Customer.io sets on every Reporting Webhook request.
const (
	HeaderTimestamp = "X-CIO-Timestamp"
	HeaderSignature = "X-CIO-Signature"
)

// DefaultTolerance is how far X-CIO-Timestamp may be from now before [Verify] calls it stale.
// Customer.io publishes no replay window; five minutes follows common practice.
const DefaultTolerance = 5 * time.Minute

// Sentinel errors returned by [Verify]; test with errors.Is.
var (
	ErrSignatureMissing  = errors.New("customerio: signature or timestamp header missing")
	ErrSignatureMismatch = errors.New("customerio: signature does not match")
	ErrTimestampStale    = errors.New("customerio: signature timestamp outside tolerance")
	ErrTimestampInvalid  = errors.New("customerio: signature timestamp is not an integer")
)

// Sign returns the X-CIO-Signature value for body sent with X-CIO-Timestamp ts: the lowercase
// hex HMAC-SHA256 of "v0:<ts>:<body>" keyed with the signing key's literal bytes.
func Sign(key []byte, ts int64, body []byte) string {
	return signString(key, strconv.FormatInt(ts, 10), body)
}

func signString(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("v0:"))
	m.Write([]byte(ts))
	m.Write([]byte(":"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyOptions tunes [Verify]. The zero value checks the signature only (no clock check).
type VerifyOptions struct {
	// Now, when set, enables the staleness check against Tolerance.
	Now func() time.Time
	// Tolerance is the allowed distance between X-CIO-Timestamp and Now; 0 means
	// [DefaultTolerance].
	Tolerance time.Duration
}

// Verify checks sig (the X-CIO-Signature header) and ts (the X-CIO-Timestamp header, as
// sent) against body with key. The comparison is constant-time. It returns nil when the
// signature is valid, or an error wrapping one of the Err* sentinels.
func Verify(key []byte, ts, sig string, body []byte, opts VerifyOptions) error {
	if ts == "" || sig == "" {
		return ErrSignatureMissing
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrTimestampInvalid, ts)
	}
	want := signString(key, ts, body)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrSignatureMismatch
	}
	if opts.Now != nil {
		tol := opts.Tolerance
		if tol <= 0 {
			tol = DefaultTolerance
		}
		d := opts.Now().Sub(time.Unix(n, 0))
		if d > tol || d < -tol {
			return fmt.Errorf("%w: %s off (tolerance %s)", ErrTimestampStale, d.Round(time.Second), tol)
		}
	}
	return nil
}
