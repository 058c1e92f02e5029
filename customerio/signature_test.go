package customerio

import (
	"errors"
	"testing"
	"time"
)

// The two published test vectors (see reference §6.2).
const (
	vector1Key  = "signing-secret"
	vector1TS   = "1614265384"
	vector1Body = `{"event_id":"abc","object_type":"email","metric":"delivered"}`
	vector1Sig  = "6f55cf23f9b73a2ff07733fe04421f64ce9ec5e409696edda6b2a80311944230"

	vector2Key  = "755781b5e03a973f3405a85474d5a032a60fd56fabaad66039b12eadd83955fa"
	vector2TS   = "1692633432"
	vector2Body = `{"data":{"action_id":42,"campaign_id":23,"content":"Welcome to the club, we are with you.","customer_id":"user-123","delivery_id":"RAECAAFwnUSneIa0ZXkmq8EdkAM==","headers":{"Custom-Header":["custom-value"]},"identifiers":{"id":"user-123"},"recipient":"test@example.com","subject":"Thanks for signing up"},"event_id":"01E2EMRMM6TZ12TF9WGZN0WJQT","metric":"sent","object_type":"email","timestamp":1692633432}`
	vector2Sig  = "c097b83a7d57a0810625180a61213eab7e0389a54b33dd11c3a6f17790c8427a"
)

func TestSign_publishedVectors(t *testing.T) {
	tests := []struct {
		name, key, body, want string
		ts                    int64
	}{
		{"customerio-node golden value", vector1Key, vector1Body, vector1Sig, 1614265384},
		{"async-customerio vector", vector2Key, vector2Body, vector2Sig, 1692633432},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign([]byte(tt.key), tt.ts, []byte(tt.body)); got != tt.want {
				t.Errorf("Sign() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	at := func(unix int64) func() time.Time { return func() time.Time { return time.Unix(unix, 0) } }
	tests := []struct {
		name         string
		key, ts, sig string
		body         string
		opts         VerifyOptions
		wantErr      error
	}{
		{"vector 1 valid", vector1Key, vector1TS, vector1Sig, vector1Body, VerifyOptions{}, nil},
		{"vector 2 valid", vector2Key, vector2TS, vector2Sig, vector2Body, VerifyOptions{}, nil},
		{"timestamp one second later", vector1Key, "1614265385", vector1Sig, vector1Body, VerifyOptions{}, ErrSignatureMismatch},
		{"body tampered", vector1Key, vector1TS, vector1Sig, `{"event_id":"abc","object_type":"email","metric":"bounced"}`, VerifyOptions{}, ErrSignatureMismatch},
		{"wrong key", "other-secret", vector1TS, vector1Sig, vector1Body, VerifyOptions{}, ErrSignatureMismatch},
		{"uppercase hex is not what Customer.io sends", vector1Key, vector1TS, "6F55CF23F9B73A2FF07733FE04421F64CE9EC5E409696EDDA6B2A80311944230", vector1Body, VerifyOptions{}, ErrSignatureMismatch},
		{"vector 2 key hex-decoded would not match", "\x75\x57", vector2TS, vector2Sig, vector2Body, VerifyOptions{}, ErrSignatureMismatch},
		{"missing signature", vector1Key, vector1TS, "", vector1Body, VerifyOptions{}, ErrSignatureMissing},
		{"missing timestamp", vector1Key, "", vector1Sig, vector1Body, VerifyOptions{}, ErrSignatureMissing},
		{"non-integer timestamp", vector1Key, "16142653.84", vector1Sig, vector1Body, VerifyOptions{}, ErrTimestampInvalid},
		{"within tolerance", vector1Key, vector1TS, vector1Sig, vector1Body, VerifyOptions{Now: at(1614265384 + 299)}, nil},
		{"stale", vector1Key, vector1TS, vector1Sig, vector1Body, VerifyOptions{Now: at(1614265384 + 301)}, ErrTimestampStale},
		{"from the future", vector1Key, vector1TS, vector1Sig, vector1Body, VerifyOptions{Now: at(1614265384 - 400)}, ErrTimestampStale},
		{"custom tolerance", vector1Key, vector1TS, vector1Sig, vector1Body, VerifyOptions{Now: at(1614265384 + 3000), Tolerance: time.Hour}, nil},
	}
	verifiers := map[string]*Verifier{} // one per key, reused across the cases and runs
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify([]byte(tt.key), tt.ts, tt.sig, []byte(tt.body), tt.opts)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Verify() = %v, want %v", err, tt.wantErr)
			}
			v := verifiers[tt.key]
			if v == nil {
				v = NewVerifier([]byte(tt.key))
				verifiers[tt.key] = v
			}
			for range 2 { // a reused state must give the same answer
				err := v.Verify(tt.ts, tt.sig, []byte(tt.body), tt.opts)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("Verifier.Verify() = %v, want %v", err, tt.wantErr)
				}
			}
		})
	}
}

// TestVerifier_noAllocations: a receiver checks every request's signature; the Verifier
// reuses its keyed HMAC states, so a check allocates nothing (hmac.New per request made
// about a tenth of the recorder's allocations).
func TestVerifier_noAllocations(t *testing.T) {
	if raceOn {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	key := []byte(vector1Key)
	v := NewVerifier(key)
	body := []byte(vector1Body)
	key[0] ^= 1 // the Verifier holds its own copy
	if n := testing.AllocsPerRun(100, func() {
		if err := v.Verify(vector1TS, vector1Sig, body, VerifyOptions{}); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per check, want 0", n)
	}
}
