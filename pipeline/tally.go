package pipeline

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Tally counts results for the one report every firing command prints and the TUI's
// status bar shows: counts by outcome, status and object_type/metric, latency percentiles,
// retries, the emulator's verdicts, and each kind of failure with a count and its first
// example. It is safe for concurrent use; a nil *Tally counts nothing.
type Tally struct {
	mu         sync.Mutex
	now        func() time.Time
	started    time.Time
	elapsed    time.Duration
	hist       *hdrhistogram.Histogram
	counts     Counts
	retries    int
	unread     int
	skipped    int
	byStatus   map[string]int
	byPair     map[string]*PairCounts
	failures   []*Kind
	failureIdx map[string]int
	good, bad  int
	badKinds   []*Kind
	badIdx     map[string]int
	// emulated is set once a delivered event's answer came from a ciosim emulator;
	// unknown counts those delivered without a verdict, note says why when it is known.
	emulated bool
	unknown  int
	note     string
}

// Counts are the events by outcome.
type Counts struct {
	Events    int `json:"events"`
	Delivered int `json:"delivered"`
	Rejected  int `json:"rejected"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
}

// String says the counts by outcome in one short phrase, the one progress commands print
// and the TUI's status bar shows: "12 delivered, 1 rejected, 2 failed, 3 cancelled" (zero
// counts other than delivered left out).
func (c Counts) String() string {
	s := strconv.Itoa(c.Delivered) + " delivered"
	for _, p := range []struct {
		n    int
		name string
	}{{c.Rejected, "rejected"}, {c.Failed, "failed"}, {c.Cancelled, "cancelled"}} {
		if p.n > 0 {
			s += ", " + strconv.Itoa(p.n) + " " + p.name
		}
	}
	return s
}

// Add counts one outcome.
func (c *Counts) Add(o Outcome) {
	c.Events++
	switch o {
	case Delivered:
		c.Delivered++
	case Rejected:
		c.Rejected++
	case Cancelled:
		c.Cancelled++
	default:
		c.Failed++
	}
}

// PairCounts are the outcomes of one object_type/metric.
type PairCounts struct {
	Delivered int `json:"delivered"`
	Rejected  int `json:"rejected,omitempty"`
	Failed    int `json:"failed,omitempty"`
	Cancelled int `json:"cancelled,omitempty"`
}

// Kind is one kind of failure (or of bad verdict): how many events had it, and the first.
type Kind struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// NewTally starts counting now (now nil means time.Now).
func NewTally(now func() time.Time) *Tally {
	if now == nil {
		now = time.Now
	}
	return &Tally{now: now, started: now(), hist: hdrhistogram.New(1, 10*60*1_000_000, 3),
		byStatus: map[string]int{}, byPair: map[string]*PairCounts{}, failureIdx: map[string]int{}, badIdx: map[string]int{}}
}

// FailureKind names the kind of a failed, rejected or cancelled result, as reports group
// them. A rejection's kind is its reason (up to maxKindLen bytes), so that each different
// reason is shown with an example.
func FailureKind(r Result) string {
	switch {
	case r.Outcome == Rejected:
		k := "rejected: " + r.Reason
		if len(k) > maxKindLen {
			k = k[:maxKindLen] + "…"
		}
		return k
	case r.Outcome == Cancelled:
		return "cancelled"
	case r.Kind != "":
		return r.Kind
	case r.Status != 0:
		return "HTTP " + strconv.Itoa(r.Status)
	}
	return "not sent"
}

// Add counts r and reports whether it is the first failure of its kind (a failed or
// rejected event whose [FailureKind] was not seen before).
func (t *Tally) Add(r Result) (first bool) {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts.Events++
	status := strconv.Itoa(r.Status)
	switch {
	case r.Outcome == Rejected:
		status = "rejected"
	case r.Attempts == 0:
		status = "not sent"
	case r.Status == 0:
		status = "no response"
	}
	t.byStatus[status]++
	name := r.Message.ObjectType + "/" + r.Message.Metric
	if name == "/" {
		name = "(unknown)"
	}
	pc := t.byPair[name]
	if pc == nil {
		pc = &PairCounts{}
		t.byPair[name] = pc
	}
	switch r.Outcome {
	case Delivered:
		t.counts.Delivered++
		pc.Delivered++
	case Rejected:
		t.counts.Rejected++
		pc.Rejected++
	case Cancelled:
		t.counts.Cancelled++
		pc.Cancelled++
	default:
		t.counts.Failed++
		pc.Failed++
	}
	if r.Attempts > 1 {
		t.retries += r.Attempts - 1
	}
	if r.Attempts > 0 && r.Latency > 0 {
		t.hist.RecordValue(max(1, r.Latency.Microseconds()))
	}
	if r.Outcome == Delivered && r.Emulator {
		t.emulated = true
		if r.Verdict == nil {
			t.unknown++
		}
	}
	if v := r.Verdict; v != nil {
		if v.Good {
			t.good++
		} else {
			t.bad++
			reason := "bad record"
			if len(v.Reasons) > 0 {
				reason = v.Reasons[0]
			}
			addKind(&t.badKinds, t.badIdx, reason, r.Message.Source+": "+strings.Join(v.Reasons, "; "))
		}
	}
	if r.Outcome == Failed || r.Outcome == Rejected {
		return addKind(&t.failures, t.failureIdx, FailureKind(r), r.Message.Source+": "+r.Reason)
	}
	return false
}

// maxKindLen bounds a kind's name; maxKinds the kinds kept (later ones are counted under
// "other").
const (
	maxKindLen = 160
	maxKinds   = 50
)

func addKind(kinds *[]*Kind, idx map[string]int, kind, example string) bool {
	if _, ok := idx[kind]; !ok && len(*kinds) >= maxKinds {
		kind = "other"
	}
	if i, ok := idx[kind]; ok {
		(*kinds)[i].Count++
		return false
	}
	idx[kind] = len(*kinds)
	*kinds = append(*kinds, &Kind{Kind: kind, Count: 1, Example: example})
	return true
}

func (t *Tally) unreadable() {
	if t != nil {
		t.mu.Lock()
		t.unread++
		t.mu.Unlock()
	}
}

func (t *Tally) resumed() {
	if t != nil {
		t.mu.Lock()
		t.skipped++
		t.mu.Unlock()
	}
}

// Counts returns the events by outcome so far (for progress lines and the status bar).
func (t *Tally) Counts() Counts {
	if t == nil {
		return Counts{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts
}

// Unreadable returns the number of input lines that could not be read.
func (t *Tally) Unreadable() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unread
}

// Finish stops the clock for the report's rate.
func (t *Tally) Finish() {
	t.mu.Lock()
	t.elapsed = t.now().Sub(t.started)
	t.mu.Unlock()
}

// Report is the end-of-run report, as JSON (--report json) or text.
type Report struct {
	Command string `json:"command"`
	Mode    string `json:"mode"`
	Counts
	Unreadable int `json:"unreadable_lines"`
	// AlreadyDone counts events a resumed run did not send because the journal shows them
	// delivered or rejected; MaybeDuplicates those it sent again that may have reached the
	// endpoint before the interruption (in flight, or cancelled after an attempt).
	AlreadyDone     int                    `json:"already_done,omitempty"`
	MaybeDuplicates int                    `json:"maybe_duplicates,omitempty"`
	Retries         int                    `json:"retries"`
	ByStatus        map[string]int         `json:"by_status"`
	ByPair          map[string]*PairCounts `json:"by_type"`
	Failures        []Kind                 `json:"failures,omitempty"`
	LatencyMs       map[string]float64     `json:"latency_ms"`
	ElapsedS        float64                `json:"elapsed_s"`
	EventsPerS      float64                `json:"events_per_s"`
	DeadLetterFile  string                 `json:"dead_letter_file,omitempty"`
	JournalFile     string                 `json:"journal_file,omitempty"`
	Emulator        *EmulatorVerdicts      `json:"emulator,omitempty"`
}

// EmulatorVerdicts are the emulator's verdicts on the delivered events (the embedded one, or
// a separate `ciosim serve` asked over HTTP). Unknown counts delivered events the emulator
// had no verdict for (it no longer keeps them, or could not be asked: Note says why).
type EmulatorVerdicts struct {
	Good    int    `json:"good"`
	Bad     int    `json:"bad"`
	Unknown int    `json:"unknown,omitempty"`
	Why     []Kind `json:"bad_reasons,omitempty"`
	Note    string `json:"note,omitempty"`
}

// verdictsUnavailable records why verdicts could not be fetched (the first reason only).
func (t *Tally) verdictsUnavailable(why string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	if t.note == "" {
		t.note = why
	}
	t.mu.Unlock()
}

// Report returns the report for command ("send", "replay", ...) in mode; withVerdicts adds
// the emulator's verdicts (the endpoint is the embedded emulator). They are added too when
// any answer came from a ciosim emulator (see [aep.Result.Emulator]).
func (t *Tally) Report(command, mode string, withVerdicts bool) Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	el := t.elapsed
	if el == 0 {
		el = t.now().Sub(t.started)
	}
	q := func(p float64) float64 { return float64(t.hist.ValueAtQuantile(p)) / 1000 }
	r := Report{Command: command, Mode: mode, Counts: t.counts, Unreadable: t.unread, AlreadyDone: t.skipped,
		Retries: t.retries, ByStatus: map[string]int{}, ByPair: map[string]*PairCounts{},
		LatencyMs: map[string]float64{"p50": q(50), "p90": q(90), "p99": q(99), "max": float64(t.hist.Max()) / 1000},
		ElapsedS:  el.Seconds(), EventsPerS: float64(t.counts.Events) / max(el.Seconds(), 1e-9)}
	for k, v := range t.byStatus {
		r.ByStatus[k] = v
	}
	for k, v := range t.byPair {
		c := *v
		r.ByPair[k] = &c
	}
	for _, k := range t.failures {
		r.Failures = append(r.Failures, *k)
	}
	if withVerdicts || t.emulated {
		r.Emulator = &EmulatorVerdicts{Good: t.good, Bad: t.bad, Unknown: t.unknown, Note: t.note}
		for _, k := range t.badKinds {
			r.Emulator.Why = append(r.Emulator.Why, *k)
		}
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// WriteText writes the report for people.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	verb := map[string]string{"replay": "replayed", "generate": "fired", "record": "forwarded"}[r.Command]
	if verb == "" {
		verb = "sent"
	}
	fmt.Fprintf(&b, "%s %d events (%s mode) in %s, %.0f events/s\n", verb, r.Events, r.Mode,
		time.Duration(r.ElapsedS*float64(time.Second)).Round(time.Millisecond), r.EventsPerS)
	fmt.Fprintf(&b, "  delivered      %d\n", r.Delivered)
	fmt.Fprintf(&b, "  rejected       %d", r.Rejected)
	if r.Rejected > 0 {
		b.WriteString("  (by the local mapping: not posted)")
	}
	fmt.Fprintf(&b, "\n  failed         %d", r.Failed)
	if r.DeadLetterFile != "" {
		fmt.Fprintf(&b, "  → %s", r.DeadLetterFile)
	}
	fmt.Fprintf(&b, "\n  cancelled      %d\n", r.Cancelled)
	if r.AlreadyDone > 0 {
		fmt.Fprintf(&b, "  already done   %d  (the journal shows them delivered or rejected)\n", r.AlreadyDone)
	}
	if r.MaybeDuplicates > 0 {
		fmt.Fprintf(&b, "  may be duplicates %d  (sent again; they may have reached the endpoint before the interruption)\n", r.MaybeDuplicates)
	}
	fmt.Fprintf(&b, "  retries        %d\n", r.Retries)
	if r.Unreadable > 0 {
		fmt.Fprintf(&b, "  unreadable     %d input lines (see messages above)\n", r.Unreadable)
	}
	if r.Emulator != nil {
		fmt.Fprintf(&b, "  emulator       %d good, %d bad records", r.Emulator.Good, r.Emulator.Bad)
		if r.Emulator.Unknown > 0 {
			fmt.Fprintf(&b, ", %d delivered without a verdict", r.Emulator.Unknown)
		}
		b.WriteString("\n")
		if r.Emulator.Note != "" {
			fmt.Fprintf(&b, "    (%s)\n", r.Emulator.Note)
		}
		for _, k := range r.Emulator.Why {
			fmt.Fprintf(&b, "    bad ×%d: %s\n      e.g. %s\n", k.Count, k.Kind, k.Example)
		}
	}
	if r.JournalFile != "" {
		fmt.Fprintf(&b, "  journal        %s\n", r.JournalFile)
	}
	if len(r.Failures) > 0 {
		b.WriteString("failures:\n")
		for _, k := range r.Failures {
			if strings.HasPrefix(k.Kind, "rejected: ") {
				fmt.Fprintf(&b, "  rejected ×%d  e.g. %s\n", k.Count, k.Example)
				continue
			}
			fmt.Fprintf(&b, "  %-20s ×%d  e.g. %s\n", k.Kind, k.Count, k.Example)
		}
	}
	fmt.Fprintf(&b, "latency (last attempt): p50 %.1fms  p90 %.1fms  p99 %.1fms  max %.1fms\n",
		r.LatencyMs["p50"], r.LatencyMs["p90"], r.LatencyMs["p99"], r.LatencyMs["max"])
	b.WriteString("by status:\n")
	for _, k := range sortedKeys(r.ByStatus) {
		fmt.Fprintf(&b, "  %-12s %d\n", k, r.ByStatus[k])
	}
	b.WriteString("by object_type/metric:                           delivered  rejected  failed  cancelled\n")
	for _, k := range sortedKeys(r.ByPair) {
		p := r.ByPair[k]
		fmt.Fprintf(&b, "  %-46s %9d  %8d  %6d  %9d\n", k, p.Delivered, p.Rejected, p.Failed, p.Cancelled)
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
