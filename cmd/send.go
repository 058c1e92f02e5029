package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
	"github.com/spf13/cobra"
)

// Environment variables send reads credentials from (or the files named by the --*-file flags).
const (
	envSigningKey  = "CIOSIM_SIGNING_KEY"
	envAccessToken = "AEP_ACCESS_TOKEN"
	envAPIKey      = "AEP_API_KEY"
	envOrgID       = "AEP_IMS_ORG"
	envSandbox     = "AEP_SANDBOX_NAME"
)

// toXDM converts one Customer.io event to an XDM message (header + body envelope) for the
// xdm and batch modes. It is provided by the xdm package, wired in sendDeps.
type toXDM func(event []byte) ([]byte, error)

// sendDeps are the pieces of send that come from other packages, injected so tests can fake
// them: the Customer.io → XDM message converter and the emulator's Data Prep mapper.
type sendDeps struct {
	convert toXDM
	mapper  emulator.Mapper
	// validator checks XDM posts to the emulator (xdm's one validator).
	validator emulator.Validator
	// load, when set, builds convert and mapper for a tenant on first use (so commands
	// other than send do not pay for compiling the mapping).
	load func(tenant string) (sendDeps, error)
}

type sendOptions struct {
	to             string
	mode           string
	flowID         string
	rate           string
	concurrency    int
	retries        int
	timeout        time.Duration
	deadLetter     string
	report         string
	syncValidation bool
	gzip           bool
	ordered        bool
	cioSemantics   bool
	timeScale      float64
	signingKeyFile string
	tokenFile      string
	apiKeyFile     string
	orgID          string
	sandbox        string
	noProgress     bool
	timeoutSet     bool
	tenant         string
	dataflow       string
}

// defaultSendDeps wires the real converter and mapper from the xdm package (see xdmDeps).
func defaultSendDeps() sendDeps { return sendDeps{load: xdmDeps} }

func newSendCmd(a *app, deps sendDeps) *cobra.Command {
	var o sendOptions
	c := &cobra.Command{
		Use:   "send [FILE...|-]",
		Short: "Fire events at an AEP streaming endpoint (by default the embedded emulator)",
		Long: `send reads Customer.io events (bare JSONL, recordings, or a dead-letter file from an earlier
send) and posts them to an AEP streaming inlet, then prints a report: counts by status and by
object_type/metric, latency percentiles, retries and dead letters.

Modes:
  raw    each body byte-for-byte to {inlet URL}?x-adobe-flow-id={flow id}, as Customer.io posts
         it (signed with X-CIO-Timestamp/X-CIO-Signature when CIOSIM_SIGNING_KEY is set)
  xdm    one XDM message per request to /collection/{inletId}
  batch  {"messages":[...]} to /collection/batch/{inletId}, split under 1 MB, 207 read per message
In xdm and batch modes, input lines that are already XDM messages (with "header" and "body")
are sent as they are; Customer.io events are mapped with the built-in experience-event
mapping set (see 'ciosim transform') and wrapped in the XDM message envelope. The embedded
emulator applies the same mapping to raw posts and keeps what it rejects as bad records.

Without --to, send starts the AEP streaming emulator in-process on loopback and fires at it.

Retries: 429, 5xx and timeouts are retried with exponential back-off and jitter, honouring
Retry-After; 400/401/403/413 are not. What still fails goes to the dead-letter file (only
created when something failed), which send reads back as it is. Exit status 1 when anything
was dead-lettered or an input line could not be read.

Credentials come only from the environment or files, never flags, and are never printed:
  CIOSIM_SIGNING_KEY (or --signing-key-file)  Reporting Webhook signing key (raw mode)
  AEP_ACCESS_TOKEN   (or --token-file)        IMS access token: Authorization: Bearer
  AEP_API_KEY        (or --api-key-file)      x-api-key
  AEP_IMS_ORG, AEP_SANDBOX_NAME (or --org-id, --sandbox): x-gw-ims-org-id, x-sandbox-name`,
		Example: `  ciosim generate --all --count 1000 --seed 7 | ciosim send
  ciosim send events.jsonl --to https://dcs.adobedc.net/collection/$INLET --flow-id $FLOW --rate 50
  ciosim send events.jsonl --mode batch --concurrency 4 --report json
  ciosim send dead-letters.jsonl --to ... --flow-id ...     # re-send what failed`,
		RunE: func(c *cobra.Command, args []string) error {
			o.timeoutSet = c.Flags().Changed("timeout")
			if err := applySendDataflow(&o); err != nil {
				return err
			}
			return a.runSend(o, deps, args)
		},
	}
	f := c.Flags()
	f.StringVar(&o.to, "to", "", "inlet URL, https://dcs.adobedc.net/collection/{inletId} (default: the embedded emulator)")
	f.StringVar(&o.mode, "mode", "raw", "request shape: raw, xdm or batch")
	f.StringVar(&o.dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): fire at its inlet with its flow id")
	f.StringVar(&o.flowID, "flow-id", "", "dataflow id for raw mode (sent as ?x-adobe-flow-id=); the emulator's by default")
	f.StringVar(&o.rate, "rate", "", "requests per second, e.g. 100 or 100/s (default: unlimited)")
	f.IntVar(&o.concurrency, "concurrency", 8, "requests in flight")
	f.IntVar(&o.retries, "retries", 5, "retries per event after the first attempt")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout (4s with --customerio-semantics)")
	f.StringVar(&o.deadLetter, "dead-letter", "dead-letters.jsonl", "file for events that could not be delivered (replaced; created only when needed)")
	f.StringVar(&o.report, "report", "text", "final report format: text or json (on stdout)")
	f.BoolVar(&o.syncValidation, "sync-validation", false, "ask AEP to validate synchronously (?syncValidation=true; not on batch)")
	f.BoolVar(&o.gzip, "gzip", false, "gzip request bodies (Content-Encoding: gzip)")
	f.BoolVar(&o.ordered, "ordered", false, "keep each customer's events in order (one worker per customer)")
	f.BoolVar(&o.cioSemantics, "customerio-semantics", false, "send like Customer.io: 4 s timeout, one at a time in order, a failing event holds back the rest, one-hour first wait")
	f.Float64Var(&o.timeScale, "time-scale", 1, "multiply every wait (back-off, Retry-After, Customer.io's hour) by this, e.g. 0.001")
	f.StringVar(&o.signingKeyFile, "signing-key-file", "", "file holding the signing key (instead of "+envSigningKey+")")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the IMS access token (instead of "+envAccessToken+")")
	f.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key (instead of "+envAPIKey+")")
	f.StringVar(&o.orgID, "org-id", "", "IMS org id for x-gw-ims-org-id (default $"+envOrgID+")")
	f.StringVar(&o.sandbox, "sandbox", "", "sandbox name for x-sandbox-name (default $"+envSandbox+")")
	f.StringVar(&o.tenant, "tenant", "", "tenant namespace of the built-in experience-event mapping, like _acme (env CIOSIM_TENANT)")
	f.BoolVar(&o.noProgress, "no-progress", false, "no progress bar, even on a terminal")
	return c
}

// credential reads a secret from file when given, else from the environment variable env.
func (a *app) credential(env, file string) (secret.Secret, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read credential file: %w", err)
		}
		return secret.New(string(b)), nil
	}
	return secret.New(a.getenv(env)), nil
}

// parseRate reads "100", "100/s", "6000/m" as requests per second.
func parseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, usageErrorf("--rate %q: want a number per second, e.g. 100 or 100/s", s)
	}
	switch unit {
	case "", "s":
	case "m":
		n /= 60
	case "h":
		n /= 3600
	default:
		return 0, usageErrorf("--rate %q: unit must be /s, /m or /h", s)
	}
	return n, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *app) sendConfig(o sendOptions) (aep.Options, error) {
	var ao aep.Options
	mode := aep.Mode(o.mode)
	if !slices.Contains([]aep.Mode{aep.ModeRaw, aep.ModeXDM, aep.ModeBatch}, mode) {
		return ao, usageErrorf("--mode %q: want raw, xdm or batch", o.mode)
	}
	if o.report != "text" && o.report != "json" {
		return ao, usageErrorf("--report %q: want text or json", o.report)
	}
	if o.concurrency < 1 {
		return ao, usageErrorf("--concurrency must be at least 1, got %d", o.concurrency)
	}
	if o.retries < 0 {
		return ao, usageErrorf("--retries must not be negative, got %d", o.retries)
	}
	if o.timeScale <= 0 {
		return ao, usageErrorf("--time-scale must be greater than 0, got %g", o.timeScale)
	}
	rate, err := parseRate(o.rate)
	if err != nil {
		return ao, err
	}
	if o.to != "" {
		u, err := url.Parse(o.to)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ao, usageErrorf("--to %q: want an inlet URL like https://dcs.adobedc.net/collection/{inletId}", o.to)
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			fmt.Fprintf(a.s.Err, "ciosim: warning: --to uses plain http:// to %s; events and credentials travel unencrypted\n", u.Host)
		}
		if mode == aep.ModeRaw && o.flowID == "" {
			return ao, usageErrorf("raw mode needs --flow-id (the dataflow id AEP gave the Customer.io source)")
		}
	}
	ao = aep.Options{Mode: mode, URL: o.to, FlowID: o.flowID, SyncValidation: o.syncValidation, Gzip: o.gzip,
		Retries: o.retries, Rate: rate, Concurrency: o.concurrency, Ordered: o.ordered,
		CustomerIOSemantics: o.cioSemantics, TimeScale: o.timeScale}
	if !o.cioSemantics || o.timeoutSet {
		ao.Timeout = o.timeout
	}
	if ao.SigningKey, err = a.credential(envSigningKey, o.signingKeyFile); err != nil {
		return ao, err
	}
	if ao.Auth.Token, err = a.credential(envAccessToken, o.tokenFile); err != nil {
		return ao, err
	}
	if ao.Auth.APIKey, err = a.credential(envAPIKey, o.apiKeyFile); err != nil {
		return ao, err
	}
	ao.Auth.OrgID = cmp(o.orgID, a.getenv(envOrgID))
	ao.Auth.Sandbox = cmp(o.sandbox, a.getenv(envSandbox))
	return ao, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *app) runSend(o sendOptions, deps sendDeps, args []string) error {
	ao, err := a.sendConfig(o)
	if err != nil {
		return err
	}
	if deps.load != nil {
		if deps, err = deps.load(cmp(o.tenant, a.getenv("CIOSIM_TENANT"))); err != nil {
			return &UsageError{Err: err}
		}
	}
	var emu *emulator.Server
	if ao.URL == "" {
		emu, err = emulator.New(emulator.Options{Mapper: deps.mapper, Validator: deps.validator})
		if err != nil {
			return err
		}
		run, err := emu.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer run.Close()
		ao.URL = run.InletURL()
		if ao.FlowID == "" {
			ao.FlowID = emulator.DefaultFlowID
		}
	}
	client, err := aep.New(ao)
	if err != nil {
		return &UsageError{Err: err}
	}

	dlFile, err := createAtomic(o.deadLetter)
	if err != nil {
		return err
	}
	defer dlFile.Abort()
	dl := client.NewDeadLetterWriter(dlFile)

	total := 0
	if !o.noProgress && isTerminal(a.s.Err) {
		total = countLines(args)
	}
	rep := newSendReport(ao.Mode)
	bar := newSendProgress(a.s.Err, !o.noProgress && isTerminal(a.s.Err), total)
	var dlErr error
	var emitMu sync.Mutex // results come from the client's workers and from the reader
	emit := func(r aep.Result) {
		emitMu.Lock()
		defer emitMu.Unlock()
		rep.add(r)
		if r.Outcome == aep.DeadLettered {
			if err := dl.Write(r); err != nil && dlErr == nil {
				dlErr = err
			}
		}
		bar.update(rep)
	}

	src := make(chan aep.Message, 4*ao.Concurrency+64)
	done := make(chan struct{})
	go func() {
		client.Run(a.ctx, src, emit)
		close(done)
	}()
	seq := 0
	skipped, readErr := a.readRecords(args, func(rec recordings.Record) error {
		m := aep.Message{Seq: seq, Source: rec.File + ":" + strconv.Itoa(rec.Line), Body: rec.Body,
			EventID: rec.Event.EventID, ObjectType: rec.Event.ObjectType, Metric: rec.Event.Metric}
		seq++
		if ao.Ordered {
			m.Key = customerKey(rec.Event.Data)
		}
		if ao.Mode != aep.ModeRaw && !isXDMMessage(rec.Body) {
			if deps.convert == nil {
				emitDirect(emit, m, "convert to XDM: no Customer.io → XDM converter in this build; give XDM messages as input or use --mode raw")
				return nil
			}
			x, err := deps.convert(rec.Body)
			if err != nil {
				emitDirect(emit, m, "convert to XDM: "+err.Error())
				return nil
			}
			m.Payload, m.Body = rec.Body, x
		}
		src <- m
		return nil
	})
	close(src)
	<-done
	rep.unreadable = skipped
	rep.finish()
	bar.done()
	if err := dl.Flush(); err != nil && dlErr == nil {
		dlErr = err
	}
	if rep.deadLettered > 0 && dlErr == nil {
		dlErr = dlFile.Commit()
		rep.deadLetterFile = o.deadLetter
	}
	if emu != nil {
		c := emu.Counts()
		rep.Emulator = &emulatorSummary{Good: c.Good, Bad: c.Bad}
	}
	if err := rep.write(a.s.Out, o.report); err != nil {
		return err
	}
	switch {
	case readErr != nil:
		return readErr
	case dlErr != nil:
		return dlErr
	case rep.deadLettered > 0 || skipped > 0:
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// emitDirect reports an event that could not even be sent, as a dead letter with no attempt.
func emitDirect(emit func(aep.Result), m aep.Message, reason string) {
	emit(aep.Result{Message: m, Outcome: aep.DeadLettered, Reason: reason})
}

// isXDMMessage reports whether b is already an XDM message envelope ({"header":..,"body":..}).
func isXDMMessage(b []byte) bool {
	if !bytes.Contains(b, []byte(`"header"`)) {
		return false
	}
	var probe struct {
		Header json.RawMessage `json:"header"`
		Body   json.RawMessage `json:"body"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Header != nil && probe.Body != nil
}

// customerKey is the customer an event belongs to, for --ordered: data.customer_id, else
// data.identifiers.id, else data.identifiers.email.
func customerKey(data json.RawMessage) string {
	var d struct {
		CustomerID  string `json:"customer_id"`
		Identifiers struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"identifiers"`
	}
	json.Unmarshal(data, &d)
	return cmp(d.CustomerID, cmp(d.Identifiers.ID, d.Identifiers.Email))
}

// countLines counts the lines of the named files (0 when reading stdin), for the progress bar.
func countLines(names []string) int {
	n := 0
	for _, name := range names {
		if name == "-" {
			return 0
		}
		f, err := os.Open(name)
		if err != nil {
			return 0
		}
		buf := make([]byte, 256*1024)
		for {
			k, err := f.Read(buf)
			n += bytes.Count(buf[:k], []byte{'\n'})
			if err != nil {
				break
			}
		}
		f.Close()
	}
	if len(names) == 0 {
		return 0
	}
	return n
}

// sendReport accumulates results for the final report.
type sendReport struct {
	mu           sync.Mutex
	mode         aep.Mode
	started      time.Time
	hist         *hdrhistogram.Histogram
	total        int
	delivered    int
	deadLettered int
	retries      int
	unreadable   int
	byStatus     map[string]int
	byPair       map[[2]string]*pairCount

	deadLetterFile string
	elapsed        time.Duration
	Emulator       *emulatorSummary
}

type pairCount struct {
	Delivered    int `json:"delivered"`
	DeadLettered int `json:"dead_lettered"`
}

type emulatorSummary struct {
	Good int `json:"good"`
	Bad  int `json:"bad"`
}

func newSendReport(mode aep.Mode) *sendReport {
	return &sendReport{mode: mode, started: time.Now(), hist: hdrhistogram.New(1, 10*60*1_000_000, 3),
		byStatus: map[string]int{}, byPair: map[[2]string]*pairCount{}}
}

func (r *sendReport) add(res aep.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	status := strconv.Itoa(res.Status)
	switch {
	case res.Attempts == 0:
		status = "not sent"
	case res.Status == 0:
		status = "no response"
	}
	r.byStatus[status]++
	pair := [2]string{res.Message.ObjectType, res.Message.Metric}
	pc := r.byPair[pair]
	if pc == nil {
		pc = &pairCount{}
		r.byPair[pair] = pc
	}
	if res.Outcome == aep.Delivered {
		r.delivered++
		pc.Delivered++
	} else {
		r.deadLettered++
		pc.DeadLettered++
	}
	if res.Attempts > 1 {
		r.retries += res.Attempts - 1
	}
	if res.Attempts > 0 {
		r.hist.RecordValue(max(1, res.Latency.Microseconds()))
	}
}

func (r *sendReport) finish() { r.elapsed = time.Since(r.started) }

// reportJSON is the --report json document.
type reportJSON struct {
	Mode           string                `json:"mode"`
	Events         int                   `json:"events"`
	Delivered      int                   `json:"delivered"`
	DeadLettered   int                   `json:"dead_lettered"`
	Unreadable     int                   `json:"unreadable_lines"`
	Retries        int                   `json:"retries"`
	ByStatus       map[string]int        `json:"by_status"`
	ByPair         map[string]*pairCount `json:"by_type"`
	LatencyMs      map[string]float64    `json:"latency_ms"`
	ElapsedS       float64               `json:"elapsed_s"`
	EventsPerS     float64               `json:"events_per_s"`
	DeadLetterFile string                `json:"dead_letter_file,omitempty"`
	Emulator       *emulatorSummary      `json:"emulator,omitempty"`
}

func (r *sendReport) json() reportJSON {
	q := func(p float64) float64 { return float64(r.hist.ValueAtQuantile(p)) / 1000 }
	byPair := make(map[string]*pairCount, len(r.byPair))
	for k, v := range r.byPair {
		name := k[0] + "/" + k[1]
		if name == "/" {
			name = "(unknown)"
		}
		if have := byPair[name]; have != nil { // e.g. "a/" and "/a" never collide with real pairs
			have.Delivered += v.Delivered
			have.DeadLettered += v.DeadLettered
			continue
		}
		c := *v
		byPair[name] = &c
	}
	return reportJSON{Mode: string(r.mode), Events: r.total, Delivered: r.delivered, DeadLettered: r.deadLettered,
		Unreadable: r.unreadable, Retries: r.retries, ByStatus: r.byStatus, ByPair: byPair,
		LatencyMs: map[string]float64{"p50": q(50), "p90": q(90), "p99": q(99), "max": float64(r.hist.Max()) / 1000},
		ElapsedS:  r.elapsed.Seconds(), EventsPerS: float64(r.total) / max(r.elapsed.Seconds(), 1e-9),
		DeadLetterFile: r.deadLetterFile, Emulator: r.Emulator}
}

func (r *sendReport) write(w io.Writer, format string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.json()
	if format == "json" {
		b, err := json.MarshalIndent(j, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d events (%s mode) in %s, %.0f events/s\n", j.Events, j.Mode, r.elapsed.Round(time.Millisecond), j.EventsPerS)
	fmt.Fprintf(&b, "  delivered      %d\n  dead-lettered  %d", j.Delivered, j.DeadLettered)
	if j.DeadLetterFile != "" {
		fmt.Fprintf(&b, "  → %s", j.DeadLetterFile)
	}
	fmt.Fprintf(&b, "\n  retries        %d\n", j.Retries)
	if j.Unreadable > 0 {
		fmt.Fprintf(&b, "  unreadable     %d input lines (see messages above)\n", j.Unreadable)
	}
	if r.Emulator != nil {
		fmt.Fprintf(&b, "  emulator       %d good, %d bad records\n", r.Emulator.Good, r.Emulator.Bad)
	}
	fmt.Fprintf(&b, "latency (last attempt): p50 %.1fms  p90 %.1fms  p99 %.1fms  max %.1fms\n",
		j.LatencyMs["p50"], j.LatencyMs["p90"], j.LatencyMs["p99"], j.LatencyMs["max"])
	b.WriteString("by status:\n")
	for _, k := range sortedKeys(j.ByStatus) {
		fmt.Fprintf(&b, "  %-12s %d\n", k, j.ByStatus[k])
	}
	b.WriteString("by object_type/metric:                           delivered  dead-lettered\n")
	for _, k := range sortedKeys(j.ByPair) {
		fmt.Fprintf(&b, "  %-46s %9d  %13d\n", k, j.ByPair[k].Delivered, j.ByPair[k].DeadLettered)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sendProgress draws a progress bar (or a counter when the total is unknown) on a terminal.
type sendProgress struct {
	w     io.Writer
	on    bool
	total int
	last  time.Time
	start time.Time
}

func newSendProgress(w io.Writer, on bool, total int) *sendProgress {
	return &sendProgress{w: w, on: on, total: total, start: time.Now()}
}

// update is called with r.mu not held, from emit (which is serialised).
func (p *sendProgress) update(r *sendReport) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	r.mu.Lock()
	n, ok, dead := r.total, r.delivered, r.deadLettered
	r.mu.Unlock()
	rate := float64(n) / now.Sub(p.start).Seconds()
	if p.total > 0 {
		const width = 30
		fill := min(width, n*width/p.total)
		fmt.Fprintf(p.w, "\r\x1b[K[%s%s] %d/%d  ok %d  dead %d  %.0f/s", strings.Repeat("█", fill),
			strings.Repeat("░", width-fill), n, p.total, ok, dead, rate)
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[Ksent %d  ok %d  dead %d  %.0f/s", n, ok, dead, rate)
}

func (p *sendProgress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
