package cmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/ops/opstest"
)

var anyListenRe = regexp.MustCompile(`listening on (https?://\S+)`)

// startServer runs a ciosim server command in-process and returns its base URL and a stop
// function returning the exit code and stderr.
func startServer(t *testing.T, env map[string]string, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, args, Streams{In: strings.NewReader(""), Out: io.MultiWriter(pw, io.Discard), Err: io.MultiWriter(pw, &errb)},
			func(k string) string { return env[k] })
		pw.Close()
		done <- code
	}()
	url := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := anyListenRe.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		cancel()
		t.Fatalf("server did not start (exit %d): %s", <-done, errb.String())
	}
	return url, func() (int, string) { cancel(); return <-done, errb.String() }
}

func scrape(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	return string(b)
}

// metricValue finds `name{labels} value` (labels as written by the exposition format).
func metricValue(t *testing.T, text, series string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	t.Errorf("metric %s not scraped", series)
	return ""
}

// The recorder over TLS with a generated certificate, a bucket and forwarding: /healthz,
// /readyz and /metrics answer, the counters move with the captures, and SIGHUP makes it
// serve a renewed certificate.
func TestRecord_TLSMetricsAndCertReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := opstest.WriteCert(t, dir, 1)
	pool := x509.NewCertPool()
	addPEM := func() {
		b, _ := os.ReadFile(certFile)
		blk, _ := pem.Decode(b)
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		pool.AddCert(c)
	}
	addPEM()
	_, fwd := emulatortest.Start(t, emulator.Options{})
	env := map[string]string{"CIOSIM_SIGNING_KEY": "k3y"}
	url, stop := startServer(t, env, "record", "--listen", "127.0.0.1:0", "--dir", t.TempDir(),
		"--tls-cert", certFile, "--tls-key", keyFile, "--store", "file://"+t.TempDir()+"?create_dir=1",
		"--forward", fwd.InletURL(), "--forward-flow-id", emulator.DefaultFlowID, "--log-format", "json",
		"--forward-journal", filepath.Join(t.TempDir(), "fwd.journal.jsonl"))
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("listening on %s, want https", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := client.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s = %d", p, resp.StatusCode)
		}
	}
	bodies := genBodies(t, 3)
	post := func(b []byte, key string) int {
		req, _ := http.NewRequest("POST", url+"/webhook", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			ts := time.Now().Unix()
			req.Header.Set(customerio.HeaderTimestamp, strconv.FormatInt(ts, 10))
			req.Header.Set(customerio.HeaderSignature, customerio.Sign([]byte(key), ts, b))
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	post(bodies[0], "k3y")
	post(bodies[1], "wrong")
	post([]byte("not json"), "")
	m := scrape(t, client, url)
	for series, want := range map[string]string{
		`ciosim_record_requests_total{status="200"}`:        "2",
		`ciosim_record_requests_total{status="400"}`:        "1",
		`ciosim_record_signatures_total{verdict="valid"}`:   "1",
		`ciosim_record_signatures_total{verdict="invalid"}`: "1",
		`ciosim_record_capture_bytes_total`:                 strconv.Itoa(len(bodies[0]) + len(bodies[1])),
		`ciosim_spool_segments`:                             "1",
		`ciosim_upload_lag_seconds`:                         "0",
		`ciosim_uploads_total`:                              "0",
	} {
		if got := metricValue(t, m, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
	for _, series := range []string{"ciosim_spool_lag_seconds", "ciosim_spool_bytes", "ciosim_forward_queue_depth", "ciosim_upload_errors_total"} {
		metricValue(t, m, series)
	}

	// SIGHUP reloads the renewed certificate (the test keeps SIGHUP from killing itself
	// should the recorder not have registered yet).
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGHUP)
	defer signal.Stop(guard)
	opstest.WriteCert(t, dir, 2)
	addPEM()
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{RootCAs: pool})
		if err != nil {
			t.Fatal(err)
		}
		serial := conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
		conn.Close()
		if serial == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("certificate not reloaded within 10s of SIGHUP")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, stderr := stop()
	if code != ExitInterrupted {
		t.Errorf("exit %d after an interrupt, want %d", code, ExitInterrupted)
	}
	if !strings.Contains(stderr, `"msg":"TLS certificate reloaded"`) || !strings.Contains(stderr, `"msg":"spool: segment shipped"`) {
		t.Errorf("JSON logs lack the reload or the final upload:\n%s", stderr)
	}
	if strings.Contains(stderr, "k3y") {
		t.Error("the signing key was logged")
	}
}

// The emulator counts good and bad records by dataflow on /metrics.
func TestServe_metricsByFlow(t *testing.T) {
	url, stop := startServer(t, nil, "serve", "--listen", "127.0.0.1:0", "--no-mapping")
	defer stop()
	bodies := genBodies(t, 2)
	inlet := url + "/collection/" + emulator.DefaultInletID + "?x-adobe-flow-id=" + emulator.DefaultFlowID
	for _, b := range [][]byte{bodies[0], bodies[1], []byte(`{"object_type":"nope"}`)} {
		resp, err := http.Post(inlet, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	m := scrape(t, http.DefaultClient, url)
	flow := `flow="` + emulator.DefaultFlowID + `"`
	if got := metricValue(t, m, `ciosim_emulator_records_total{`+flow+`,result="good"}`); got != "2" {
		t.Errorf("good = %s, want 2", got)
	}
	if got := metricValue(t, m, `ciosim_emulator_records_total{`+flow+`,result="bad"}`); got != "1" {
		t.Errorf("bad = %s, want 1", got)
	}
}
