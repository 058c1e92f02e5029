package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/tui/inspector"
)

// liveState is the live mapping loop: the watched mapping set and schema are reloaded on
// every save, every loaded event is transformed again, and what changed is kept per event
// for the inspector and summed up for the event list.
type liveState struct {
	// version counts the reloads put in force; checks carry it so a check made under an
	// older set is not taken for a current one.
	version int
	// reloading says a reload command runs; dirty that a save arrived meanwhile, so
	// another reload follows (a burst of saves costs at most two).
	reloading, dirty bool
	// covered is how many list items the last good reload transformed.
	covered int
	// err is the last reload's failure, shown until a reload succeeds.
	err error
	// records are the events' XDM records and validity under the set in force, by list id;
	// replaced, never changed in place, since a reload command reads it.
	records map[int]liveRecord
	// diffs are the changes of the last good reload, by list id (only changed events).
	diffs map[int]inspector.Diff
	// changed, becameValid and becameInvalid sum up the last good reload.
	changed, becameValid, becameInvalid int
	// files are the names of the files that changed, for the status line.
	files []string
}

// liveRecord is one event's XDM record and verdict under one version of the mapping set,
// with the event's Customer.io problems (which no mapping changes) kept for the next reload.
type liveRecord struct {
	event  []byte
	record []byte
	valid  bool
	cio    []string
	// problems are all the event's problems under the set (Customer.io's, then XDM's), kept
	// for a reload that finds the files unchanged.
	problems []string
}

// mappingChangedMsg reports a save of a watched mapping or schema file; sent by
// waitForMappingChange and handled by Update, which reloads and re-issues the pump.
type mappingChangedMsg struct{ change FileChange }

// mappingWatchStoppedMsg reports that the mapping watcher's channel closed.
type mappingWatchStoppedMsg struct{}

// reloadedMsg carries a reload's outcome: err when the set did not compile (nothing else is
// set then), else every covered event's problems and its record before and after.
type reloadedMsg struct {
	err      error
	covered  int
	events   map[int][]byte
	problems map[int][]string
	before   map[int]liveRecord
	after    map[int]liveRecord
}

// waitForMappingChange is the pump of the mapping watcher: one change per message.
func waitForMappingChange(ch <-chan FileChange) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		if !ok {
			return mappingWatchStoppedMsg{}
		}
		return mappingChangedMsg{change: c}
	}
}

// reload reloads the mapping set and schema and, when they compile, transforms and checks
// every event again, on every core (the Transformer is safe for concurrent use). Events
// without a record under the previous set (loaded since the last reload) are transformed
// before the reload too, so every event has a before and an after. prev is read, never
// written: the model replaces its map when the result arrives.
func reload(ctx context.Context, r Reloader, t Transformer, mapping string, ids []int, events [][]byte, prev map[int]liveRecord) tea.Cmd {
	return func() tea.Msg {
		before := make([]liveRecord, len(ids))
		for i, id := range ids {
			if p, ok := prev[id]; ok && string(p.event) == string(events[i]) {
				before[i] = p
			}
		}
		run := func(fn func(i int)) {
			workers := min(runtime.GOMAXPROCS(0), max(len(ids)/64, 1))
			var wg sync.WaitGroup
			next := make(chan int, workers)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						fn(i)
					}
				}()
			}
			for i := range ids {
				if ctx.Err() != nil {
					break
				}
				next <- i
			}
			close(next)
			wg.Wait()
		}
		transform := func(i int) (liveRecord, []string) {
			lr := liveRecord{event: events[i], cio: before[i].cio}
			var xdmProbs []string
			if before[i].event == nil {
				ps, res, err := checkOne(ctx, t, mapping, events[i])
				lr.record, lr.valid = res.Record, err == nil && len(res.Problems) == 0
				// checkOne lists the Customer.io problems first, then the XDM ones.
				n := 0
				for n < len(ps) && !strings.HasPrefix(ps[n], "XDM") {
					n++
				}
				lr.cio, xdmProbs = ps[:n:n], ps[n:]
				lr.problems = append(append([]string(nil), lr.cio...), xdmProbs...)
				return lr, lr.problems
			}
			res, err := transformRecord(ctx, t, mapping, events[i])
			if err != nil {
				xdmProbs = []string{"XDM: " + err.Error()}
			}
			for _, p := range res.Problems {
				xdmProbs = append(xdmProbs, "XDM "+inspector.Problem{Path: p.Path, Msg: p.Msg}.String())
			}
			lr.record, lr.valid = res.Record, err == nil && len(res.Problems) == 0
			lr.problems = append(append([]string(nil), lr.cio...), xdmProbs...)
			return lr, lr.problems
		}
		run(func(i int) {
			if before[i].event == nil {
				before[i], _ = transform(i)
			}
		})
		// Files saved without an edit: every record stays as it is (a uuid() or now() in
		// the set would otherwise show as a change).
		err := r.Reload(ctx)
		unchanged := errors.Is(err, ErrUnchanged)
		if err != nil && !unchanged {
			return reloadedMsg{err: err}
		}
		after := make([]liveRecord, len(ids))
		problems := make([][]string, len(ids))
		run(func(i int) {
			if unchanged {
				after[i], problems[i] = before[i], before[i].problems
				return
			}
			after[i], problems[i] = transform(i)
		})
		msg := reloadedMsg{covered: len(ids), before: make(map[int]liveRecord, len(ids)), events: make(map[int][]byte, len(ids)),
			problems: make(map[int][]string, len(ids)), after: make(map[int]liveRecord, len(ids))}
		for i, id := range ids {
			if after[i].event == nil {
				continue // cancelled
			}
			msg.before[id], msg.after[id] = before[i], after[i]
			msg.events[id], msg.problems[id] = events[i], problems[i]
		}
		return msg
	}
}

// onMappingChanged starts a reload, or asks for one more when one is running.
func (m Model) onMappingChanged(msg mappingChangedMsg) (tea.Model, tea.Cmd) {
	next := waitForMappingChange(m.deps.MappingChanges)
	name := filepath.Base(msg.change.Path)
	if !containsString(m.live.files, name) {
		m.live.files = append(m.live.files, name)
	}
	if m.live.reloading {
		m.live.dirty = true
		return m, next
	}
	return m, tea.Batch(next, m.startReload())
}

func (m *Model) startReload() tea.Cmd {
	if m.deps.Reloader == nil {
		return nil
	}
	m.live.reloading, m.live.dirty = true, false
	n := m.list.Len()
	ids := make([]int, 0, n)
	events := make([][]byte, 0, n)
	for id := range n {
		it, ok := m.list.Item(id)
		if !ok {
			continue
		}
		ids = append(ids, id)
		events = append(events, it.Event.Bytes())
	}
	return reload(m.ctx, m.deps.Reloader, m.deps.Transformer, m.mappingName(), ids, events, m.live.records)
}

// onReloaded puts a good reload's results in force (validity in the list, marks in the
// inspector, counts in the list's title) or shows why the reload failed, keeping the
// previous set's results on screen.
func (m Model) onReloaded(msg reloadedMsg) (tea.Model, tea.Cmd) {
	m.live.reloading = false
	var cmds []tea.Cmd
	if m.live.dirty {
		cmds = append(cmds, m.startReload())
	}
	files := strings.Join(m.live.files, ", ")
	m.live.files = nil
	if msg.err != nil {
		m.live.err = msg.err
		return m, tea.Batch(cmds...)
	}
	m.live.err = nil
	m.live.version++
	m.live.covered = msg.covered
	// A new map: the reload command that produced msg read the old one.
	m.live.records = msg.after
	m.live.diffs = map[int]inspector.Diff{}
	m.live.changed, m.live.becameValid, m.live.becameInvalid = 0, 0, 0
	for id, now := range msg.after {
		was := msg.before[id]
		d := inspector.Diff{Version: m.live.version}
		switch {
		case was.valid && !now.valid:
			d.Became = "invalid"
			m.live.becameInvalid++
		case !was.valid && now.valid:
			d.Became = "valid"
			m.live.becameValid++
		}
		if string(was.record) != string(now.record) && len(was.record) > 0 {
			d.Old = was.record // the fields are compared when the inspector renders it
		}
		if d.Old != nil || d.Became != "" {
			m.live.diffs[id] = d
			m.live.changed++
		}
	}
	m.list.SetChecked(msg.problems, msg.events)
	m.checkMapping = m.mappingName()
	cmds = append(cmds, m.showSelected(), m.insp.SetVersion(m.live.version),
		m.setStatus(false, "%s reloaded: %s", files, m.live.summary()))
	return m, tea.Batch(cmds...)
}

// summary is "3 records changed, 1 became valid, 2 invalid".
func (l liveState) summary() string {
	s := fmt.Sprintf("%d records changed", l.changed)
	if l.changed == 1 {
		s = "1 record changed"
	}
	if l.becameValid+l.becameInvalid > 0 {
		s += fmt.Sprintf(", %d became valid, %d invalid", l.becameValid, l.becameInvalid)
	}
	return s
}

// diffFor returns the selected event's changes in the last reload.
func (m Model) diffFor(id int) inspector.Diff {
	return m.live.diffs[id]
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
