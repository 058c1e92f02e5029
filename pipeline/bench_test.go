package pipeline

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
)

// okInlet is the cheapest inlet there is, so the benchmarks below measure the sending side:
// it reads the body and answers 200 with AEP's success body.
func okInlet(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"inletId":"`+inlet+`","xactionId":"1584479347507:2153:240","receivedTimeMs":1584479347507}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchRecords are n parsed catalog-like events.
func benchRecords(b *testing.B, n int) []recordings.Record {
	recs := make([]recordings.Record, n)
	for i := range recs {
		body := fmt.Appendf(nil, `{"data":{"customer_id":"user-%d","email_address":"p%d@example.com","identifiers":{"cio_id":"b03bbd92b604","email":"p%d@example.com","id":"user-%d"}},"event_id":"01KDVDNBV6T3Q9J5Q3W2N8F4H%d","metric":"sent","object_type":"email","timestamp":1767225600}`, i, i, i, i, i%10)
		ev, err := customerio.Parse(body)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = recordings.Record{File: "events.jsonl", Line: i + 1, Body: body, Event: ev}
	}
	return recs
}

// BenchmarkDeliver is the whole send path (source → Deliver's hot loop → aep client →
// HTTP → result, tally) at concurrency 32, over each transport (fasthttp with and without
// pipelining 8 deep); one op is one
// event. The in-process server's cost is included, so compare transports and builds
// with each other, not with other tools.
func BenchmarkDeliver(b *testing.B) {
	for _, tr := range []struct {
		name     string
		tr       aep.Transport
		pipeline int
	}{{"nethttp", aep.TransportNetHTTP, 0}, {"fasthttp", aep.TransportFastHTTP, 1}, {"fasthttp-pipelined", aep.TransportFastHTTP, 8}} {
		b.Run(tr.name, func(b *testing.B) {
			srv := okInlet(b)
			c, err := aep.New(aep.Options{URL: srv.URL + "/collection/" + inlet, FlowID: "f", Concurrency: 32, Transport: tr.tr, Pipeline: tr.pipeline})
			if err != nil {
				b.Fatal(err)
			}
			recs := benchRecords(b, 1000)
			tally := NewTally(nil)
			i := 0
			src := SourceFunc(func(context.Context) (recordings.Record, error) {
				if i == b.N {
					return recordings.Record{}, io.EOF
				}
				i++
				return recs[i%len(recs)], nil
			})
			b.ReportAllocs()
			b.ResetTimer()
			if err := Deliver(context.Background(), src, c, Options{Tally: tally}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if n := tally.Counts().Delivered; n != b.N {
				b.Fatalf("%d delivered of %d", n, b.N)
			}
		})
	}
}
