// Command fakes3 serves an in-memory S3 bucket (gofakes3) on loopback for benchmarks, seeded
// with a synthetic recording: replicas × segments objects of capture lines named as the
// recorder names them, their received_at interleaved between replicas. It prints the
// s3:// URL to read them with on stdout and serves until interrupted. Not used by tests
// (they start buckettest in-process); scripts/bench-bucket.sh runs it.
//
//	go run ./bucket/buckettest/fakes3 -mib 1024 -replicas 2
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/oklog/ulid/v2"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/recordings"
)

func main() {
	mib := flag.Int("mib", 1024, "total size of the recording, in MiB")
	replicas := flag.Int("replicas", 2, "replicas whose segments interleave in time")
	segMiB := flag.Int("segment-mib", 64, "size of each object, in MiB")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (loopback)")
	flag.Parse()

	be := s3mem.New()
	if err := be.CreateBucket("rec"); err != nil {
		log.Fatal(err)
	}
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	g := generator.New(generator.Options{Seed: 1, Start: start})
	pairs := customerio.Pairs()
	segBytes := *segMiB << 20
	segs := max(1, (*mib<<20)/segBytes / *replicas)
	step := 500 * time.Microsecond // per capture and replica
	n, total := 0, 0
	for r := range *replicas {
		at := start.Add(time.Duration(r) * step / time.Duration(*replicas))
		for s := range segs {
			var buf bytes.Buffer
			buf.Grow(segBytes + 4096)
			first := at
			for buf.Len() < segBytes {
				p := pairs[n%len(pairs)]
				n++
				ev, err := g.Event(p.ObjectType, p.Metric)
				if err != nil {
					log.Fatal(err)
				}
				c := recordings.Capture{ReceivedAt: at, Method: "POST", Path: "/webhook",
					Headers: map[string]string{"Content-Type": "application/json"}, Body: ev.Bytes(),
					Signature: recordings.SignatureAbsent}
				b, _ := c.AppendJSON(nil)
				buf.Write(append(b, '\n'))
				at = at.Add(step)
			}
			id := ulid.MustNew(ulid.Timestamp(first), bytes.NewReader(bytes.Repeat([]byte{byte(r), byte(s)}, 5)))
			key := fmt.Sprintf("prod/%s/replica-%d-%s.jsonl", first.Format("2006/01/02"), r, id)
			total += buf.Len()
			if _, err := be.PutObject("rec", key, map[string]string{}, bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil); err != nil {
				log.Fatal(err)
			}
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	q := url.Values{"endpoint": {"http://" + ln.Addr().String()}, "region": {"us-east-1"},
		"use_path_style": {"true"}, "disable_https": {"true"}}
	fmt.Printf("s3://rec/prod/?%s\n", q.Encode())
	fmt.Fprintf(os.Stderr, "fakes3: %d captures, %d bytes in %d objects\n", n, total, segs**replicas)
	srv := &http.Server{Handler: gofakes3.New(be).Server(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go srv.Serve(ln)
	<-ctx.Done()
	srv.Close()
}
