package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

type replayOptions struct {
	To           string
	Mode         string
	Speed        string
	MaxGap       time.Duration
	ShiftToNow   bool
	NewEventIDs  bool
	ResignKeyEnv string
	ResignFile   string
	Follow       bool
	JSON         bool
	Mapping      string
	Tenant       string
	FlowID       string
	Retries      int
	Timeout      time.Duration
	BatchBytes   int
	BatchCount   int
}

func newReplayCmd(a *app) *cobra.Command {
	o := replayOptions{}
	c := &cobra.Command{
		Use:   "replay FILE|DIR...",
		Short: "Replay recordings or event files at an endpoint, at the original pace or faster",
		Long: `replay sends every capture (Recording JSONL) or bare event (event JSONL) of the inputs, in
order, paced by the original arrival times (bare events: their timestamp) scaled by --speed.
A DIR means every *.jsonl file in it, by name (the recorder's names sort by time).

Without --shift-to-now, --new-event-ids and --resign-key-env the bytes sent are exactly the
bytes captured, with the captured X-CIO-Timestamp and X-CIO-Signature headers. Lines that
cannot be read are reported with file and line and skipped; the exit status is then 1.

--mode xdm maps each event to an XDM streaming message (as 'ciosim transform' does) and posts
it alone. --mode batch maps them the same way and posts {"messages":[...]} to
/collection/batch/{inletId}: events due at the same moment (all of them with --speed max)
share a request, up to --batch-max-messages and --batch-max-bytes; an event due later starts
a new one, so pacing holds. AEP answers 207 with a status per message: each event is reported
on its own, only retryable failures are resent, and any failed event makes the exit status 1.`,
		Example: `  ciosim replay recordings/ --to http://127.0.0.1:8788/collection/abc --speed 10 --max-gap 5s
  ciosim replay recordings/ --mode batch --speed max --to https://dcs.adobedc.net/collection/{inletId}
  CIOSIM_SIGNING_KEY=... ciosim replay capture.jsonl --to URL --shift-to-now --new-event-ids --resign-key-env CIOSIM_SIGNING_KEY`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return a.runReplay(o, args) },
	}
	f := c.Flags()
	f.StringVar(&o.To, "to", "", "inlet URL to send to, e.g. https://dcs.adobedc.net/collection/{inletId} (default: the embedded AEP emulator)")
	f.StringVar(&o.FlowID, "flow-id", "", "raw mode: dataflow id sent as ?x-adobe-flow-id= (the emulator's by default)")
	f.IntVar(&o.Retries, "retries", 3, "retries per event on 429, 5xx and transport errors (a retried event delays the ones after it)")
	f.DurationVar(&o.Timeout, "timeout", 10*time.Second, "per-request timeout")
	f.StringVar(&o.Mode, "mode", "raw", "raw (the captured bytes), xdm (each event mapped to an XDM streaming message) or batch (XDM messages grouped into {\"messages\":[...]} requests to /collection/batch/{inletId})")
	f.StringVar(&o.Mapping, "mapping", "experience-event", "--mode xdm|batch: built-in mapping set or mapping-set file, as for 'ciosim transform'")
	f.StringVar(&o.Tenant, "tenant", "", "--mode xdm|batch: tenant namespace of the built-in sets (env CIOSIM_TENANT)")
	f.IntVar(&o.BatchCount, "batch-max-messages", 1000, "--mode batch: at most this many messages per request")
	f.IntVar(&o.BatchBytes, "batch-max-bytes", aep.MaxRequestBytes, "--mode batch: at most this many bytes per request (AEP's limit, 1 MB, is the maximum)")
	f.StringVar(&o.Speed, "speed", "1", "pace: 1 = original pace, 10 = ten times faster, any positive number, or max (no waiting)")
	f.DurationVar(&o.MaxGap, "max-gap", 0, "cap any gap between two events to this (0 = no cap)")
	f.BoolVar(&o.ShiftToNow, "shift-to-now", false, "move every timestamp (and ULID event_id time) so the first event is now, keeping the gaps")
	f.BoolVar(&o.NewEventIDs, "new-event-ids", false, "mint a fresh ULID event_id per event (AEP would drop repeats as duplicates)")
	f.StringVar(&o.ResignKeyEnv, "resign-key-env", "", "environment variable holding a signing key: sign each request with a fresh X-CIO-Timestamp (raw mode)")
	f.StringVar(&o.ResignFile, "resign-key-file", "", "file holding the signing key to re-sign with")
	f.BoolVar(&o.Follow, "follow", false, "after the inputs end, keep watching them and replay new events as they land")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per event instead of a text line")
	return c
}

// parseSpeed reads --speed: a positive number, or "max" (returned as 0: no waiting).
func parseSpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, usageErrorf("--speed %q: want a positive number or max", s)
	}
	return v, nil
}

func (a *app) runReplay(o replayOptions, args []string) error {
	speed, err := parseSpeed(o.Speed)
	if err != nil {
		return err
	}
	var transform func(recordings.Record, []byte) ([]byte, error)
	switch o.Mode {
	case "raw":
	case "xdm", "batch":
		if transform, err = a.xdmTransform(o.Mapping, o.Tenant); err != nil {
			return err
		}
	default:
		return usageErrorf("--mode %q: want raw, xdm or batch", o.Mode)
	}
	if o.Retries < 0 {
		return usageErrorf("--retries must not be negative")
	}
	if o.BatchCount < 1 {
		return usageErrorf("--batch-max-messages must be at least 1")
	}
	if o.BatchBytes < 1 || o.BatchBytes > aep.MaxRequestBytes {
		return usageErrorf("--batch-max-bytes must be between 1 and %d (AEP's request limit)", aep.MaxRequestBytes)
	}
	if o.MaxGap < 0 {
		return usageErrorf("--max-gap must not be negative")
	}
	key, err := a.loadKey(o.ResignKeyEnv, o.ResignFile)
	if err != nil {
		return err
	}
	if (o.ResignKeyEnv != "" || o.ResignFile != "") && key.IsZero() {
		return usageErrorf("--resign-key-env %s: the variable is empty", o.ResignKeyEnv)
	}
	files, dirs, err := a.replayInputs(args)
	if err != nil {
		return err
	}
	target := aepTarget{URL: o.To, Mode: aep.Mode(o.Mode), FlowID: o.FlowID, SigningKey: key,
		Retries: o.Retries, Timeout: o.Timeout, BatchMaxBytes: o.BatchBytes, BatchMaxMessages: o.BatchCount}
	var emu *emulator.Server
	if target.URL == "" {
		deps, err := xdmDeps(cmp(o.Tenant, a.getenv("CIOSIM_TENANT")))
		if err != nil {
			return &UsageError{Err: err}
		}
		if emu, err = emulator.New(emulator.Options{Mapper: deps.mapper}); err != nil {
			return err
		}
		run, err := emu.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer run.Close()
		target.URL = run.InletURL()
		if target.FlowID == "" {
			target.FlowID = emulator.DefaultFlowID
		}
		fmt.Fprintf(a.s.Err, "ciosim: replaying to the embedded AEP emulator at %s\n", target.URL)
	}
	sender, err := a.newAEPSender(target)
	if err != nil {
		return err
	}
	src := newFileSource(files)
	src.open = a.openInput
	defer src.Close()
	if o.Follow {
		for _, arg := range args {
			if bucket.IsURL(arg) {
				return usageErrorf("--follow reads local files and directories, not %s", arg)
			}
		}
		w, err := recordings.Watch(a.ctx, append(dirs, parentDirs(args)...)...)
		if err != nil {
			return err
		}
		src.follow(w, args)
	}
	opts := pipeline.ReplayOptions{Speed: speed, MaxGap: o.MaxGap, ShiftToNow: o.ShiftToNow,
		NewEventIDs: o.NewEventIDs, Transform: transform, // the aep client signs (target.SigningKey)
		OnSkip:   func(err error) { fmt.Fprintf(a.s.Err, "ciosim: %v\n", err) },
		OnResult: func(r pipeline.ReplayResult) { a.printReplay(r, o.JSON) }}
	var st pipeline.ReplayStats
	if o.Mode == "batch" {
		// The same limits the aep client is built with: a batch never needs splitting.
		st, err = pipeline.ReplayBatch(a.ctx, src, sender, opts, pipeline.BatchOptions{
			MaxRequests: o.BatchCount, MaxBytes: o.BatchBytes, Overhead: len(`{"messages":[]}`)})
	} else {
		st, err = pipeline.Replay(a.ctx, src, sender, opts)
	}
	fmt.Fprintf(a.s.Err, "ciosim: replayed %d: %d sent, %d failed, %d lines skipped\n",
		st.Sent+st.Failed, st.Sent, st.Failed, st.Skipped)
	if emu != nil {
		c := emu.Counts()
		fmt.Fprintf(a.s.Err, "ciosim: emulator kept %d good and %d bad records\n", c.Good, c.Bad)
	}
	if err != nil {
		return err
	}
	if st.Failed > 0 || st.Skipped > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// replayInputs expands the arguments: a file stays itself, a directory becomes its *.jsonl
// files sorted by name. It fails for a missing input or a directory without any.
func (a *app) replayInputs(args []string) (files, dirs []string, err error) {
	for _, arg := range args {
		if bucket.IsURL(arg) {
			files = append(files, arg) // read merged by fileSource (cmd/bucketinput.go)
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			return nil, nil, fmt.Errorf("open input: %w", err)
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		dirs = append(dirs, arg)
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, nil, fmt.Errorf("read input dir: %w", err)
		}
		var found []string
		ignored := 0
		for _, e := range entries {
			switch {
			case e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".jsonl"):
				found = append(found, filepath.Join(arg, e.Name()))
			case !e.IsDir():
				ignored++
			}
		}
		if ignored > 0 {
			fmt.Fprintf(a.s.Err, "ciosim: %s: ignored %d files without the .jsonl extension\n", arg, ignored)
		}
		if len(found) == 0 && ignored > 0 {
			return nil, nil, fmt.Errorf("%s: no .jsonl files to replay", arg)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, dirs, nil
}

func parentDirs(args []string) []string {
	var out []string
	for _, arg := range args {
		if info, err := os.Stat(arg); err == nil && !info.IsDir() {
			out = append(out, filepath.Dir(arg))
		}
	}
	return out
}

type replayLine struct {
	File     string  `json:"file"`
	Line     int     `json:"line"`
	EventID  string  `json:"event_id,omitempty"`
	Pair     string  `json:"pair,omitempty"`
	Status   int     `json:"status,omitempty"`
	LagMs    float64 `json:"lag_ms"`
	Latency  float64 `json:"latency_ms"`
	Bytes    int     `json:"bytes"`
	Error    string  `json:"error,omitempty"`
	SentBody bool    `json:"rewritten,omitempty"`
}

func (a *app) printReplay(r pipeline.ReplayResult, asJSON bool) {
	l := replayLine{File: r.Record.File, Line: r.Record.Line, EventID: r.Record.Event.EventID,
		Status: r.Response.Status, LagMs: float64(r.Lag.Microseconds()) / 1000,
		Latency: float64(r.Response.Latency.Microseconds()) / 1000, Bytes: len(r.Request.Body)}
	if r.Record.EventErr == nil {
		l.Pair = r.Record.Event.Pair()
	}
	if r.Err != nil {
		l.Error = r.Err.Error()
		var se *pipeline.StatusError
		if errors.As(r.Err, &se) {
			l.Status = se.Status
		}
	}
	if asJSON {
		b, _ := json.Marshal(l)
		a.s.Out.Write(append(b, '\n'))
		return
	}
	fmt.Fprintf(a.s.Out, "%s:%d %-24s %3d %7.1fms lag %6.2fms", filepath.Base(l.File), l.Line, orDash(l.Pair), l.Status, l.Latency, l.LagMs)
	if l.Error != "" {
		fmt.Fprintf(a.s.Out, " error: %s", l.Error)
	}
	fmt.Fprintln(a.s.Out)
}

// fileSource reads the inputs one after another as a [pipeline.Source]; with follow, it
// then waits for changes and reads lines appended to known files and new files in the
// watched directories.
type fileSource struct {
	files  []string
	i      int
	f      io.ReadCloser
	open   func(string) (io.ReadCloser, error) // nil: os.Open
	rd     *recordings.Reader
	offset map[string]int64 // bytes consumed per file, for follow
	lines  map[string]int   // lines consumed per file, to number resumed reads
	w      <-chan recordings.Change
	roots  []string
}

var _ pipeline.ReadySource = (*fileSource)(nil)

func newFileSource(files []string) *fileSource {
	return &fileSource{files: files, offset: map[string]int64{}, lines: map[string]int{}}
}

func (s *fileSource) follow(w <-chan recordings.Change, roots []string) {
	s.w, s.roots = w, roots
}

func (s *fileSource) Close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// Ready reports whether Next would return without waiting for the watcher: always without
// --follow; with it, while files remain or the current file has bytes not read yet (a torn
// last line counts as unread, so a batch can then wait for the writer to finish it).
func (s *fileSource) Ready() bool {
	if s.w == nil || s.i < len(s.files)-1 {
		return true
	}
	if s.i == len(s.files) {
		return false
	}
	name := s.files[s.i]
	read := s.offset[name]
	if s.rd != nil {
		read += s.rd.Consumed()
	}
	info, err := os.Stat(name)
	return err == nil && info.Size() > read
}

func (s *fileSource) Next(ctx context.Context) (recordings.Record, error) {
	for {
		if s.rd == nil {
			if s.i == len(s.files) {
				if s.w == nil {
					return recordings.Record{}, io.EOF
				}
				if err := s.wait(ctx); err != nil {
					return recordings.Record{}, err
				}
				continue
			}
			name := s.files[s.i]
			var f io.ReadCloser
			var err error
			if s.open != nil {
				f, err = s.open(name) // its errors name the operation
			} else if f, err = os.Open(name); err != nil {
				err = fmt.Errorf("open input: %w", err)
			}
			if err != nil {
				return recordings.Record{}, err
			}
			if off := s.offset[name]; off > 0 {
				if _, err := f.(io.Seeker).Seek(off, io.SeekStart); err != nil {
					f.Close()
					return recordings.Record{}, fmt.Errorf("seek %s: %w", name, err)
				}
			}
			s.f = f
			s.rd = recordings.NewReader(f, name)
		}
		rec, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			// In follow mode a torn (still being written) last line is re-read later: only
			// complete lines count as consumed.
			s.offset[s.files[s.i]] += s.rd.Consumed()
			s.lines[s.files[s.i]] += s.rd.ConsumedLines()
			s.Close()
			s.rd = nil
			s.i++
			continue
		}
		var le *recordings.LineError
		if s.w != nil && errors.As(err, &le) && le.Torn {
			continue // the writer has not finished this line: re-read it from Consumed later
		}
		base := s.lines[s.files[s.i]]
		if le != nil {
			le.Line += base
		}
		rec.Line += base
		return rec, err
	}
}

// wait blocks until a watched file changes, then queues the files to read again.
func (s *fileSource) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ch, ok := <-s.w:
		if !ok {
			return io.EOF
		}
		if ch.Kind == recordings.Removed || !s.wanted(ch.Path) {
			return nil
		}
		s.files = append(s.files, ch.Path)
		return nil
	}
}

// wanted reports whether a changed path is one of the inputs or inside an input directory.
func (s *fileSource) wanted(path string) bool {
	for _, r := range s.roots {
		if filepath.Clean(r) == filepath.Clean(path) || filepath.Clean(r) == filepath.Dir(path) {
			return true
		}
	}
	return false
}
