package aep

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/valyala/fasthttp"
)

// The pipelined transport writes a request's bytes itself; they are exactly what
// fasthttp's request writer writes for the same request.
func TestPipeBuild_sameBytes(t *testing.T) {
	tp := &pipeTransport{}
	body := []byte(cioBody)
	for _, u := range []string{
		"http://127.0.0.1:8080/collection/" + inlet + "?x-adobe-flow-id=f",
		"http://localhost/collection/batch/" + inlet,
		"http://127.0.0.1:1/a%20b/collection/i?syncValidation=true&x-adobe-flow-id=f%2Fg",
		"http://[::1]:9/collection/i?q=%C3%A9&r=1",
		"http://user:pass@127.0.0.1:8080/collection/i",
	} {
		headers := func(set func(k, v string)) {
			set("Authorization", "Bearer t")
			set("X-Cio-Signature", "abc")
		}
		cl := tp.acquire()
		if err := tp.build(cl, u, body, headers); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		req := fasthttp.AcquireRequest()
		req.URI().DisablePathNormalizing = true
		req.SetRequestURI(u)
		req.Header.SetMethod(fasthttp.MethodPost)
		req.Header.SetContentType("application/json")
		req.Header.SetUserAgent(UserAgent)
		headers(req.Header.Set)
		req.SetBodyRaw(body)
		var want bytes.Buffer
		bw := bufio.NewWriter(&want)
		if err := req.Write(bw); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		fasthttp.ReleaseRequest(req)
		if !bytes.Equal(cl.wire, want.Bytes()) {
			t.Errorf("%s:\n got %q\nwant %q", u, cl.wire, want.Bytes())
		}
	}
}
