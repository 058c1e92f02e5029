package tui

import (
	"context"
	"fmt"
	"github.com/ciosim/ciosim/pipeline"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/sendlog"
)

func (m Model) fireSelected() (tea.Model, tea.Cmd) {
	it, ok := m.list.Selected()
	if !ok {
		return m, m.setStatus(true, "no event selected: generate or load one first")
	}
	s := m.sender()
	if s == nil {
		return m, m.setStatus(true, "no endpoint configured")
	}
	m.list.SetStatus(it.ID, "...")
	return m, sendPayloads(m.ctx, s, m.log, m.now, 0, m.mode, m.mappingName(), []int{it.ID}, [][]byte{it.Event.Bytes()}, false)
}

func (m Model) fireAllVisible() (tea.Model, tea.Cmd) {
	ids := m.list.VisibleIDs()
	if len(ids) == 0 {
		return m, m.setStatus(true, "no events to fire")
	}
	if m.sender() == nil {
		return m, m.setStatus(true, "no endpoint configured")
	}
	if m.job != nil {
		return m, m.setStatus(true, "%s running: x cancels it", m.job.kind)
	}
	limit := m.opts.ConfirmAbove
	if limit <= 0 {
		limit = 100
	}
	if len(ids) > limit {
		m.modal = modalConfirm
		m.ask = fmt.Sprintf("Fire %d events at %s in %s mode? (y/n)", len(ids), m.endpointLabel(), m.mode)
		m.confirm = func(m Model) (Model, tea.Cmd) { return m.startFire(ids) }
		return m, nil
	}
	return m.startFire(ids)
}

// startFire sends ids with Concurrency requests in flight (BatchSize per request in batch
// mode); each answer releases the next request.
func (m Model) startFire(ids []int) (Model, tea.Cmd) {
	j := m.newJob("fire")
	j.total = len(ids)
	j.queue = ids
	var cmds []tea.Cmd
	for i := 0; i < m.concurrency() && len(j.queue) > 0; i++ {
		cmds = append(cmds, m.nextFire())
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) nextFire() tea.Cmd {
	j := m.job
	n := 1
	if m.mode == ModeBatch {
		n = m.opts.BatchSize
		if n <= 0 {
			n = 50
		}
	}
	n = min(n, len(j.queue))
	ids := j.queue[:n:n]
	j.queue = j.queue[n:]
	j.inflight++
	events := make([][]byte, n)
	for i, id := range ids {
		it, _ := m.list.Item(id)
		events[i] = it.Event.Bytes()
		m.list.SetStatus(id, "...")
	}
	return sendPayloads(j.ctx, m.sender(), m.log, m.now, j.id, m.mode, m.mappingName(), ids, events, false)
}

func (m Model) onSent(msg sentMsg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	failed := 0
	for i, id := range msg.ids {
		it, _ := m.list.Item(id)
		var r pipeline.Result
		if i < len(msg.results) {
			r = msg.results[i]
		} else {
			r.Outcome, r.Kind, r.Reason = pipeline.Failed, "no result", "no result from the sender"
			if msg.err != nil {
				r.Reason = msg.err.Error()
			}
		}
		out := r.Outcome
		e := sendlog.Entry{At: msg.at, Event: id, Label: it.Event.Pair(), Mode: string(msg.mode), Result: r}
		m.log_.Add(e)
		status := strconv.Itoa(r.Status)
		switch {
		case out == pipeline.Rejected:
			status = "REJ"
		case out == pipeline.Cancelled:
			status = "CXL"
		case out != pipeline.Delivered && r.Status == 0:
			status = "ERR"
		case e.Bad() != "":
			status += " bad"
		}
		m.list.SetStatus(id, status)
		m.counts.Add(out)
		switch out {
		case pipeline.Delivered:
			if msg.resend {
				m.delivered[string(it.Event.Bytes())] = true
			}
			m.dead = removeDead(m.dead, strconv.Itoa(id))
		case pipeline.Cancelled:
			// Interrupted by the user: neither a failure nor a dead letter.
		default:
			failed++
			m.dead = mergeDead(m.dead, []DeadLetter{{ID: strconv.Itoa(id), Mode: msg.mode, Event: it.Event.Bytes(),
				Status: r.Status, Body: firstNonEmpty(e.Body(), e.Err()), Attempts: r.Attempts}})
		}
	}
	if len(msg.ids) == 1 && msg.job == 0 {
		e := m.log_.Entries()[len(m.log_.Entries())-1]
		switch {
		case e.OK() && e.Bad() != "":
			cmds = append(cmds, m.setStatus(true, "#%d %s → %d %s, but the emulator keeps it as bad: %s", e.Event, e.Label, e.Status, e.XactionID, e.Bad()))
		case e.OK():
			cmds = append(cmds, m.setStatus(false, "#%d %s → %d %s", e.Event, e.Label, e.Status, e.XactionID))
		case e.Outcome == pipeline.Rejected:
			cmds = append(cmds, m.setStatus(true, "#%d %s rejected (not sent): %s", e.Event, e.Label, e.Err()))
		case e.Status == 0:
			cmds = append(cmds, m.setStatus(true, "#%d %s failed: %s", e.Event, e.Label, e.Err()))
		default:
			cmds = append(cmds, m.setStatus(true, "#%d %s → %s", e.Event, e.Label, strings.TrimSpace(fmt.Sprint(e.Status, " ", e.Err(), " ", e.Body()))))
		}
	}
	if m.job != nil && m.job.id == msg.job {
		j := m.job
		j.done += len(msg.ids)
		j.failed += failed
		j.inflight--
		if j.kind == "fire" && len(j.queue) > 0 {
			cmds = append(cmds, m.nextFire())
		}
		if j.waiting && !j.paused {
			j.waiting = false
			cmds = append(cmds, m.scheduleReplay())
		}
		if j.done >= j.total && j.total > 0 && (j.kind != "fire" || j.inflight == 0) {
			cmds = append(cmds, m.finishJob())
		}
	}
	return m, tea.Batch(cmds...)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func mergeDead(have, more []DeadLetter) []DeadLetter {
	for _, d := range more {
		replaced := false
		for i := range have {
			// The same failure may come from this session and from the dead-letter file.
			if (have[i].ID == d.ID && d.ID != "") || (len(d.Event) > 0 && string(have[i].Event) == string(d.Event)) {
				if !replaced {
					id := have[i].ID
					have[i], replaced = d, true
					if _, err := strconv.Atoi(id); err == nil {
						have[i].ID = id // keep the list row it belongs to
					}
				}
			}
		}
		if !replaced {
			have = append(have, d)
		}
	}
	return have
}

func removeDead(have []DeadLetter, id string) []DeadLetter {
	out := have[:0:0]
	for _, d := range have {
		if d.ID != id {
			out = append(out, d)
		}
	}
	return out
}

func (m Model) startReplay() (tea.Model, tea.Cmd) {
	sel := m.source.Selected()
	if sel.Path == "" {
		return m, m.setStatus(true, "select a recording or fixture file in the source pane, then p")
	}
	if m.job != nil {
		return m, m.setStatus(true, "%s running: x cancels it", m.job.kind)
	}
	if m.sender() == nil {
		return m, m.setStatus(true, "no endpoint configured")
	}
	return m, loadFile(m.ctx, m.deps.OpenRecords, sel.Path, true)
}

func (m Model) onFileLoaded(msg fileLoadedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.setStatus(true, "load %s: %v", msg.path, msg.err)
	}
	first := m.list.Append(msg.items...)
	m.loaded[msg.path] = len(msg.items)
	cmds := []tea.Cmd{m.showSelected()}
	if len(msg.errs) > 0 {
		cmds = append(cmds, m.setStatus(true, "%s: %d lines skipped, first: %s", msg.path, len(msg.errs), msg.errs[0]))
	} else {
		cmds = append(cmds, m.setStatus(false, "loaded %d events from %s", len(msg.items), msg.path))
	}
	if !msg.replay || len(msg.items) == 0 {
		return m, tea.Batch(cmds...)
	}
	if m.job != nil {
		return m, tea.Batch(append(cmds, m.setStatus(true, "%s running: x cancels it", m.job.kind))...)
	}
	j := m.newJob("replay " + shortPath(msg.path))
	j.total = len(msg.items)
	j.sched = pipeline.NewSchedule(nowClock(m.now), m.speeds[m.speed], 0)
	for i, it := range msg.items {
		j.ids = append(j.ids, first+i)
		t := it.ReceivedAt
		if t.IsZero() {
			t = it.At
		}
		j.times = append(j.times, t)
	}
	tag, id := j.tag, j.id
	cmds = append(cmds, func() tea.Msg { return replayTickMsg{job: id, tag: tag, index: 0} })
	return m, tea.Batch(cmds...)
}

func shortPath(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 && strings.Contains(p, "://") {
		p = strings.TrimSuffix(p[:i], "/") // a bucket URL: its prefix, without driver parameters
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// onReplayTick sends event index of the replay and schedules the next one after the
// captured gap divided by the speed (read now, so speed changes apply to the next gap).
func (m Model) onReplayTick(msg replayTickMsg) (tea.Model, tea.Cmd) {
	j := m.job
	if j == nil || j.id != msg.job || j.tag != msg.tag || j.paused || msg.index >= len(j.ids) {
		return m, nil
	}
	id := j.ids[msg.index]
	it, _ := m.list.Item(id)
	m.list.SetStatus(id, "...")
	j.place(msg.index) // the first placement anchors the schedule now
	j.next = msg.index + 1
	j.inflight++
	cmds := []tea.Cmd{sendPayloads(j.ctx, m.sender(), m.log, m.now, j.id, m.mode, m.mappingName(), []int{id}, [][]byte{it.Event.Bytes()}, false)}
	if j.next < len(j.ids) {
		if j.inflight >= m.concurrency() {
			// Back-pressure: the endpoint is slower than the pace (always so at max speed);
			// the next event goes when an answer comes back, so requests never pile up.
			j.waiting = true
		} else {
			cmds = append(cmds, m.scheduleReplay())
		}
	}
	return m, tea.Batch(cmds...)
}

func (m Model) concurrency() int {
	if m.opts.Concurrency > 0 {
		return m.opts.Concurrency
	}
	return 4
}

// place puts the replay's events up to index i on the schedule, in order, once each.
func (j *job) place(i int) time.Duration {
	for len(j.offsets) <= i {
		t := j.times[len(j.offsets)]
		j.offsets = append(j.offsets, j.sched.Place(t, !t.IsZero()))
	}
	return j.offsets[i]
}

// scheduleReplay ticks for the next event of the replay when the schedule says it is due:
// the delay is asked of the schedule each time (absolute, like `ciosim replay`), so a tick
// that fires late does not push the later ones back.
func (m *Model) scheduleReplay() tea.Cmd {
	j := m.job
	d := j.sched.DueAt(j.place(j.next)).Sub(m.now())
	msg := replayTickMsg{job: j.id, tag: j.tag, index: j.next}
	if d <= 0 {
		return func() tea.Msg { return msg }
	}
	return m.after(d, func(time.Time) tea.Msg { return msg })
}

func (m Model) togglePause() (tea.Model, tea.Cmd) {
	j := m.job
	if j == nil || !strings.HasPrefix(j.kind, "replay") {
		return m, m.setStatus(false, "no replay running")
	}
	j.paused = !j.paused
	j.tag++ // drop the tick already scheduled
	if j.paused {
		j.sched.Pause()
		return m, m.setStatus(false, "replay paused at %d/%d", j.next, j.total)
	}
	j.sched.Resume()
	status := m.setStatus(false, "replay resumed at %s", m.speedLabel())
	if j.inflight >= m.concurrency() {
		j.waiting = true // the next answer releases the next event
		return m, status
	}
	j.waiting = false
	return m, tea.Batch(m.scheduleReplay(), status)
}

// respeed applies the speed to a running replay: the schedule keeps the position reached
// and the next tick is asked for again.
func (m *Model) respeed() tea.Cmd {
	j := m.job
	if j == nil || j.sched == nil {
		return nil
	}
	j.sched.SetSpeed(m.speeds[m.speed])
	if j.paused || j.waiting || j.next >= len(j.ids) || j.next == 0 {
		return nil
	}
	j.tag++ // drop the tick scheduled at the old speed
	return m.scheduleReplay()
}

// nowClock adapts the model's clock to pipeline.Clock; the TUI never sleeps on it (it
// ticks with tea.Tick), so Sleep only waits in real time.
type nowClock func() time.Time

func (c nowClock) Now() time.Time { return c() }

func (c nowClock) Sleep(ctx context.Context, d time.Duration) error {
	return pipeline.RealClock{}.Sleep(ctx, d)
}

func (m Model) toggleRecord() (tea.Model, tea.Cmd) {
	r := m.deps.Recorder
	if r == nil {
		return m, m.setStatus(true, "recorder not wired")
	}
	if m.recording {
		return m, stopRecorder(m.ctx, r)
	}
	return m, startRecorder(m.ctx, r)
}

func (m Model) onRecorder(msg recorderMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.setStatus(true, "recorder: %v", msg.err)
	}
	if !msg.started {
		m.recording = false
		return m, m.setStatus(false, "recording stopped: %d captured", m.captured)
	}
	m.recording, m.recAddr = true, msg.addr
	cmds := []tea.Cmd{m.setStatus(false, "recording: webhooks posted to http://%s are captured", msg.addr)}
	if !m.pumping {
		m.pumping = true
		cmds = append(cmds, waitForCapture(m.deps.Recorder.Captures()))
	}
	return m, tea.Batch(cmds...)
}

func (m Model) deadKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc", "d", "q":
		m.modal = modalNone
	case "up", "k":
		m.deadCursor = max(m.deadCursor-1, 0)
	case "down", "j":
		m.deadCursor = min(m.deadCursor+1, max(len(m.dead)-1, 0))
	case "home":
		m.deadCursor = 0
	case "end":
		m.deadCursor = max(len(m.dead)-1, 0)
	case "enter":
		return m.openDeadDetail()
	case "r":
		if len(m.dead) == 0 || m.sender() == nil {
			return m, nil
		}
		d := m.dead[m.deadCursor]
		id, err := strconv.Atoi(d.ID)
		if it, ok := m.list.Item(id); err != nil || !ok || string(it.Event.Bytes()) != string(d.Event) {
			// A dead letter from the file (an earlier run): put it in the list so that its
			// answer has a row to land on.
			ev, perr := customerio.Parse(d.Event)
			if perr != nil {
				return m, m.setStatus(true, "dead letter %s: %v", d.ID, perr)
			}
			id = m.list.Append(eventlist.NewItem(ev, "dead letter"))
			m.dead[m.deadCursor].ID = strconv.Itoa(id)
		}
		mode := d.Mode
		if mode == "" {
			mode = m.mode
		}
		m.list.SetStatus(id, "...")
		return m, sendPayloads(m.ctx, m.sender(), m.log, m.now, 0, mode, m.mappingName(), []int{id}, [][]byte{d.Event}, true)
	}
	return m, nil
}

func (m Model) copyPayload(xdm bool) (tea.Model, tea.Cmd) {
	if m.deps.Clipboard == nil {
		return m, m.setStatus(true, "clipboard not wired")
	}
	r, ready := m.insp.Current(), m.insp.Ready()
	if !ready {
		return m, m.setStatus(true, "nothing to copy yet")
	}
	if xdm {
		if r.XDMPlain == "" {
			return m, m.setStatus(true, "no XDM payload to copy")
		}
		return m, copyText(m.ctx, m.deps.Clipboard, "XDM payload", r.XDMPlain)
	}
	return m, copyText(m.ctx, m.deps.Clipboard, "Customer.io JSON", r.CIOPlain)
}

func (m *Model) openPrompt(kind promptKind, ask, value string) {
	m.modal = modalPrompt
	m.pkind = kind
	m.ask = ask
	m.input.Prompt = ask
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.input.Width = max(m.width-len(ask)-4, 10)
	m.input.Focus()
	m.pfresh = kind == promptEditValue && value != ""
}

func (m Model) promptKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		m.modal = modalNone
		m.input.Blur()
		return m, m.setStatus(false, "cancelled")
	case tea.KeyEnter:
		v := strings.TrimSpace(m.input.Value())
		m.modal = modalNone
		m.input.Blur()
		switch m.pkind {
		case promptEditField:
			it, ok := m.list.Item(m.pitem)
			if !ok || v == "" {
				return m, nil
			}
			m.pfield = v
			m.openPrompt(promptEditValue, v+" = ", fieldValue(it.Event.Bytes(), v))
			return m, m.setStatus(false, `a JSON value (text in "quotes"); typing replaces the current value, ←/→ edit it`)
		case promptEditValue:
			it, ok := m.list.Item(m.pitem)
			if !ok {
				return m, nil
			}
			return m, editEvent(it.ID, it.Origin, it.Event.Bytes(), m.pfield, m.input.Value())
		case promptSave:
			var events [][]byte
			for _, it := range m.list.Items() {
				events = append(events, it.Event.Bytes())
			}
			return m, saveFixture(v, events)
		}
		return m, nil
	}
	if m.pfresh {
		// The current value is selected: typed text replaces it, deleting clears it.
		switch msg.Type {
		case tea.KeyRunes, tea.KeySpace:
			m.input.SetValue("")
		case tea.KeyBackspace, tea.KeyDelete:
			m.input.SetValue("")
			m.pfresh = false
			return m, nil
		}
		m.pfresh = false
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

func (m Model) startEdit() (tea.Model, tea.Cmd) {
	it, ok := m.list.Selected()
	if !ok {
		return m, m.setStatus(true, "no event selected")
	}
	m.pitem = it.ID
	m.openPrompt(promptEditField, "edit field (e.g. data.recipient): ", "")
	return m, nil
}

func (m Model) onEdited(msg editedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		return m, m.setStatus(true, "%v", msg.err)
	}
	m.list.Replace(msg.id, msg.items[0].Event)
	cmd := m.showSelected()
	if len(msg.problems) > 0 {
		return m, tea.Batch(cmd, m.setStatus(true, "edited #%d; now invalid: %s", msg.id, strings.Join(msg.problems, "; ")))
	}
	return m, tea.Batch(cmd, m.setStatus(false, "edited #%d; still valid", msg.id))
}
