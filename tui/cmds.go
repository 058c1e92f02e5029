package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/fieldpath"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/jsonview"
	"github.com/ciosim/ciosim/tui/source"
)

// genBox serialises use of the (not concurrency-safe) generator by commands and swaps it
// for a fresh one when the seed changes. It is created once in New; commands share it.
type genBox struct {
	mu   sync.Mutex
	make func(int64) EventGenerator
	seed int64
	g    EventGenerator
}

func (b *genBox) event(seed int64, objectType, metric string) (customerio.Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.g == nil || b.seed != seed {
		b.g, b.seed = b.make(seed), seed
	}
	return b.g.Event(objectType, metric)
}

// generateEvent makes one event of a pair with the generator for seed; replace >= 0 swaps
// that list item instead of appending.
func generateEvent(b *genBox, seed int64, objectType, metric string, replace int) tea.Cmd {
	return func() tea.Msg {
		ev, err := b.event(seed, objectType, metric)
		if err != nil {
			return generatedMsg{label: objectType + "/" + metric, replace: replace, err: err}
		}
		return generatedMsg{label: ev.Pair(), seed: seed, replace: replace,
			items: []eventlist.Item{eventlist.NewItem(ev, "generated")}}
	}
}

// generateScenario runs a built-in scenario for seed under the job's context.
func generateScenario(ctx context.Context, s Scenarios, job int, name string, seed int64) tea.Cmd {
	return func() tea.Msg {
		evs, err := s.Generate(ctx, name, seed)
		msg := generatedMsg{job: job, label: "scenario " + name, seed: seed, replace: -1, err: err}
		for _, ev := range evs {
			msg.items = append(msg.items, eventlist.NewItem(ev, "scenario "+name))
		}
		return msg
	}
}

// sendPayloads fires events through s and reports a sentMsg carrying the ids it was given.
// It captures values only, so the model may move on while it runs.
// Logging happens here, in the command, never in Update.
func sendPayloads(ctx context.Context, s Sender, log *slog.Logger, now func() time.Time, job int, mode Mode, mapping string, ids []int, events [][]byte, resend bool) tea.Cmd {
	return func() tea.Msg {
		ps := make([]Payload, len(ids))
		for i, id := range ids {
			ps[i] = Payload{ID: strconv.Itoa(id), Event: events[i]}
		}
		res, err := s.Send(ctx, mode, mapping, ps)
		for i, r := range res {
			if i < len(ids) {
				log.Info("sent", "event", ids[i], "mode", mode, "mapping", mapping, "outcome", r.Outcome, "status", r.Status,
					"xactionId", r.XactionID, "latency", r.Latency, "attempts", r.Attempts, "reason", r.Reason)
			}
		}
		if err != nil {
			log.Warn("send", "mode", mode, "events", len(ids), "err", err)
		}
		return sentMsg{job: job, mode: mode, ids: ids, results: res, err: err, at: now(), resend: resend}
	}
}

// isEventFile says whether a watched folder's file is listed: event and recording JSONL.
func isEventFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return !strings.HasPrefix(filepath.Base(name), ".")
	}
	return false
}

// isScenarioFile reports whether name may be a scenario file (YAML or JSON).
func isScenarioFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return !strings.HasPrefix(filepath.Base(name), ".")
	}
	return false
}

// scenarioFileMsg reports a scenario file read by describeScenario; handled by the root.
type scenarioFileMsg struct{ file source.ScenarioFile }

// describeScenario parses a scenario file in a command.
func describeScenario(sf ScenarioFiles, path string) tea.Cmd {
	return func() tea.Msg {
		desc, err := sf.Describe(path)
		f := source.ScenarioFile{Path: path, Description: desc}
		if err != nil {
			f.Err = err.Error()
		}
		return scenarioFileMsg{file: f}
	}
}

// listScenarioFiles finds the scenario files in the watched folders.
func listScenarioFiles(sf ScenarioFiles, dirs []string) tea.Cmd {
	var cmds []tea.Cmd
	for _, d := range dirs {
		if isBucket(d) {
			continue
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			continue // listFiles reports it
		}
		for _, e := range ents {
			if !e.IsDir() && isScenarioFile(e.Name()) {
				cmds = append(cmds, describeScenario(sf, filepath.Join(d, e.Name())))
			}
		}
	}
	return tea.Batch(cmds...)
}

// listFiles lists and scans the event files in the watched folders.
func listFiles(ctx context.Context, open OpenRecords, segments SegmentCounter, dirs []string) tea.Cmd {
	return func() tea.Msg {
		var msg filesListedMsg
		var errs []error
		for _, d := range dirs {
			if isBucket(d) {
				msg.files = append(msg.files, listBucket(ctx, open, segments, d))
				continue
			}
			ents, err := os.ReadDir(d)
			if err != nil {
				errs = append(errs, fmt.Errorf("list %s: %w", d, err))
				continue
			}
			for _, e := range ents {
				if e.IsDir() || !isEventFile(e.Name()) {
					continue
				}
				f, _ := readEvents(ctx, open, filepath.Join(d, e.Name()))
				msg.files = append(msg.files, f)
			}
		}
		msg.err = errors.Join(errs...)
		return msg
	}
}

// waitForChange is the watcher pump: it returns exactly one change, and the root re-issues
// it after each fileChangedMsg so that one read is pending at a time.
func waitForChange(ch <-chan FileChange) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		if !ok {
			return watchStoppedMsg{}
		}
		return fileChangedMsg{change: c}
	}
}

// scanFile re-reads a watched file after a change.
func scanFile(ctx context.Context, open OpenRecords, path string) tea.Cmd {
	return func() tea.Msg {
		f, items := readEvents(ctx, open, path)
		return fileScannedMsg{file: f, items: items}
	}
}

// readEvents reads a recording or event JSONL file tolerantly: bad lines are counted and
// the first is described in File.Err only when nothing could be read.
func readEvents(ctx context.Context, open OpenRecords, path string) (source.File, []eventlist.Item) {
	f := source.File{Path: path}
	items, errs, err := readItems(ctx, open, path)
	f.Records, f.Skipped = len(items), len(errs)
	if err != nil {
		f.Err = err.Error()
	}
	return f, items
}

// readItems reads a file through open, the reader every command uses.
func readItems(ctx context.Context, open OpenRecords, path string) (items []eventlist.Item, errs []string, err error) {
	if open == nil {
		return nil, nil, errors.New("no file reader configured")
	}
	r := open(path)
	defer r.Close()
	base := filepath.Base(path)
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return items, errs, nil
		}
		var le *recordings.LineError
		if errors.As(err, &le) {
			errs = append(errs, le.Error())
			continue
		}
		if err != nil {
			return items, errs, err
		}
		if rec.EventErr != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", path, rec.Line, rec.EventErr))
			continue
		}
		it := eventlist.NewItem(rec.Event, base)
		if rec.Capture != nil {
			it.ReceivedAt = rec.Capture.ReceivedAt
		}
		items = append(items, it)
	}
}

// loadFile reads a file's events into the list; replay asks the root to replay them.
func loadFile(ctx context.Context, open OpenRecords, path string, replay bool) tea.Cmd {
	return func() tea.Msg {
		items, errs, err := readItems(ctx, open, path)
		return fileLoadedMsg{path: path, items: items, errs: errs, err: err, replay: replay}
	}
}

// waitForCapture is the recorder pump: one capture per message, re-issued by the root.
func waitForCapture(ch <-chan recordings.Capture) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		if !ok {
			return capturesClosedMsg{}
		}
		ev, err := customerio.Parse(c.Body)
		if err != nil {
			return capturedMsg{err: fmt.Errorf("capture %s %s: %w", c.Method, c.Path, err)}
		}
		it := eventlist.NewItem(ev, "captured")
		it.ReceivedAt = c.ReceivedAt
		return capturedMsg{item: it}
	}
}

// startRecorder and stopRecorder drive the capturing receiver.
func startRecorder(ctx context.Context, r Recorder) tea.Cmd {
	return func() tea.Msg {
		addr, err := r.Start(ctx)
		return recorderMsg{started: err == nil, addr: addr, err: err}
	}
}

func stopRecorder(ctx context.Context, r Recorder) tea.Cmd {
	return func() tea.Msg { return recorderMsg{err: r.Stop(ctx)} }
}

// listDeadLetters reads the dead letters kept outside the session.
func listDeadLetters(ctx context.Context, d DeadLetters) tea.Cmd {
	return func() tea.Msg {
		l, err := d.List(ctx)
		return deadLettersMsg{list: l, err: err}
	}
}

// copyText copies text to the clipboard.
func copyText(ctx context.Context, c Clipboard, what, text string) tea.Cmd {
	return func() tea.Msg { return copiedMsg{what: what, err: c.Copy(ctx, text)} }
}

// saveFixture writes events as JSONL to path atomically (temp file + rename), so an
// interrupted save leaves no partial file.
func saveFixture(path string, events [][]byte) tea.Cmd {
	return func() tea.Msg {
		n, err := writeJSONL(path, events)
		return savedMsg{path: path, n: n, err: err}
	}
}

func writeJSONL(path string, events [][]byte) (int, error) {
	if path == "" {
		return 0, errors.New("save: no file name")
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("save %s: %w", path, err)
	}
	var buf bytes.Buffer
	for _, e := range events {
		buf.Write(bytes.TrimSpace(e))
		buf.WriteByte('\n')
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644) // CreateTemp makes 0600; a fixture is for sharing
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("save %s: %w", path, err)
	}
	return len(events), nil
}

// editEvent sets field (a path such as data.recipient, see [fieldpath]) of event to
// value, which must be JSON (text in quotes), and validates the result.
func editEvent(id int, origin string, event []byte, field, value string) tea.Cmd {
	return func() tea.Msg {
		b, err := setField(event, field, value)
		if err != nil {
			return editedMsg{id: id, err: err}
		}
		ev, err := customerio.Parse(b)
		if err != nil {
			return editedMsg{id: id, err: err}
		}
		msg := editedMsg{id: id, items: []eventlist.Item{eventlist.NewItem(ev, origin)}}
		var ve *customerio.ValidationError
		if errors.As(ev.Validate(), &ve) {
			for _, p := range ve.Problems {
				msg.problems = append(msg.problems, p.String())
			}
		}
		return msg
	}
}

// setField returns event with field set to value, through the setter `--set` uses.
// Objects along the path are created; array indexes must exist. Keys come out sorted, as
// Customer.io writes them.
func setField(event []byte, field, value string) ([]byte, error) {
	segs, err := fieldpath.Parse(strings.TrimSpace(field))
	if err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("edit: event is not JSON: %w", err)
	}
	// The path's mistakes first (a field inside a string), then the value's.
	if err := fieldpath.Set(root, segs, nil); err != nil {
		return nil, fmt.Errorf("edit: field %w", err)
	}
	v, err := fieldpath.ParseValue(value)
	if err != nil {
		return nil, fmt.Errorf("edit %s: %w", field, err)
	}
	if err := fieldpath.Set(root, segs, v); err != nil {
		return nil, fmt.Errorf("edit: field %w", err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("edit: %w", err)
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// fieldValue returns the compact JSON of field in event, for pre-filling the edit prompt.
func fieldValue(event []byte, field string) string {
	segs, err := fieldpath.Parse(strings.TrimSpace(field))
	if err != nil {
		return ""
	}
	ptr := fieldpath.Pointer(segs)
	doc, err := jsonview.Parse(event)
	if err != nil {
		return ""
	}
	for i, l := range doc.Lines {
		if l.Path != ptr {
			continue
		}
		if l.Kind != jsonview.KindPunct || strings.HasSuffix(l.Value, "}") || strings.HasSuffix(l.Value, "]") {
			return l.Value
		}
		// An object or array: compact its lines.
		var b strings.Builder
		for _, x := range doc.Lines[i:] {
			if x.Key != "" && x.Path != ptr {
				b.WriteString(x.Key + ":")
			}
			b.WriteString(x.Value)
			if x.Path == ptr && x.Kind == jsonview.KindPunct && (x.Value == "}" || x.Value == "]") {
				break
			}
			if x.Comma {
				b.WriteString(",")
			}
		}
		return b.String()
	}
	return ""
}
