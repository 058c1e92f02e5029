package gsblob

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParams: any query either opens with known parameters or is refused with an error; an
// accepted one never asks for gRPC, and an accepted universe domain cannot change the
// endpoint's host part. Any STORAGE_EMULATOR_HOST value gives an http(s) base URL on the JSON
// API path, or an error.
func FuzzParams(f *testing.F) {
	for _, s := range []string{"", "anonymous=true", "access_id=-", "grpc=false", "grpc=true", "zonal=1",
		"universe_domain=example.com", "universe_domain=a/b", "private_key_path=/k", "x=1", "anonymous=yes"} {
		f.Add(s, "127.0.0.1:4443")
	}
	f.Add("", "http://[::1]:9000/x")
	f.Add("", "ftp://h")
	f.Fuzz(func(t *testing.T, query, host string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := parseParams(q)
		if err == nil {
			for _, k := range []string{"grpc", "zonal"} {
				if v := q.Get(k); v == "true" || v == "1" {
					t.Fatalf("%q accepted", query)
				}
			}
			if ud := p.universeDomain; ud != "" {
				u, err := url.Parse("https://storage." + ud + "/storage/v1/")
				if err != nil || u.Host != "storage."+ud || u.Path != "/storage/v1/" {
					t.Fatalf("universe domain %q makes endpoint %v (%v)", ud, u, err)
				}
			}
		}
		base, err := emulatorBase(host)
		if err == nil && !(strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://")) || err == nil && !strings.HasSuffix(base, "/storage/v1/") {
			t.Fatalf("emulator host %q gives base %q", host, base)
		}
	})
}
