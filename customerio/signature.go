package customerio

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"sync"
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
// signature is valid, or an error wrapping one of the Err* sentinels. A receiver checking
// many requests with one key uses a [Verifier].
func Verify(key []byte, ts, sig string, body []byte, opts VerifyOptions) error {
	return verify(&macState{h: hmac.New(sha256.New, key)}, ts, sig, body, opts)
}

// Verifier is [Verify] for one key, keeping its keyed HMAC states for reuse so that a
// check allocates nothing. It is safe for concurrent use.
type Verifier struct {
	pool sync.Pool // of *macState
}

// NewVerifier returns a Verifier for key (copied).
func NewVerifier(key []byte) *Verifier {
	key = bytes.Clone(key)
	return &Verifier{pool: sync.Pool{New: func() any { return &macState{h: hmac.New(sha256.New, key)} }}}
}

// Verify is [Verify] with the Verifier's key.
func (v *Verifier) Verify(ts, sig string, body []byte, opts VerifyOptions) error {
	st := v.pool.Get().(*macState)
	defer v.pool.Put(st)
	st.h.Reset()
	return verify(st, ts, sig, body, opts)
}

// macState is a keyed HMAC (freshly made or Reset) with scratch space for one check.
type macState struct {
	h   hash.Hash
	buf []byte // "v0:<ts>:", then the signature as sent (bounded by the caller's header cap)
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

func verify(st *macState, ts, sig string, body []byte, opts VerifyOptions) error {
	if ts == "" || sig == "" {
		return ErrSignatureMissing
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrTimestampInvalid, ts)
	}
	st.buf = append(append(append(st.buf[:0], "v0:"...), ts...), ':')
	st.h.Write(st.buf)
	st.h.Write(body)
	hex.Encode(st.hex[:], st.h.Sum(st.sum[:0]))
	st.buf = append(st.buf[:0], sig...)
	equal := hmac.Equal(st.hex[:], st.buf)
	if cap(st.buf) > 256 {
		st.buf = nil // an oversized header is not kept in the pool
	}
	if !equal {
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
