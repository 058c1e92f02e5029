package tui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/inspector"
)

// checkBatch is how many events one check command validates: small enough that a mapping
// switch or an edit is reflected soon, large enough that a 100,000-event file is not
// thousands of messages.
const checkBatch = 256

// checkedMsg reports the problems of a batch of list items under a mapping set.
type checkedMsg struct {
	mapping  string
	version  int // the reload the mapping set was at (live.go)
	problems map[int][]string
	events   map[int][]byte
}

// checkEvents validates events in a command: the Customer.io event against the catalog and,
// when a transformer is wired, the XDM record its mapping set produces against the schema.
// Each problem is one line: where it is and why.
func checkEvents(ctx context.Context, t Transformer, mapping string, version int, ids []int, events [][]byte) tea.Cmd {
	return func() tea.Msg {
		msg := checkedMsg{mapping: mapping, version: version, problems: make(map[int][]string, len(ids)), events: make(map[int][]byte, len(ids))}
		for i, id := range ids {
			if ctx.Err() != nil {
				break
			}
			msg.events[id] = events[i]
			msg.problems[id] = problemsOf(ctx, t, mapping, events[i])
		}
		return msg
	}
}

func problemsOf(ctx context.Context, t Transformer, mapping string, event []byte) []string {
	out, _, _ := checkOne(ctx, t, mapping, event)
	return out
}

// checkOne is problemsOf that also returns the transform's result (zero without a
// transformer or when the event does not parse) and its error.
func checkOne(ctx context.Context, t Transformer, mapping string, event []byte) ([]string, Transformed, error) {
	var out []string
	ev, err := customerio.Parse(event)
	if err != nil {
		return []string{"Customer.io: " + err.Error()}, Transformed{}, nil
	}
	var ve *customerio.ValidationError
	if errors.As(ev.Validate(), &ve) {
		for _, p := range ve.Problems {
			out = append(out, "Customer.io "+inspector.Problem{Path: p.Path, Msg: p.Msg}.String())
		}
	}
	if t == nil {
		return out, Transformed{}, nil
	}
	res, err := transformRecord(ctx, t, mapping, event)
	if err != nil {
		return append(out, "XDM: "+err.Error()), res, err
	}
	for _, p := range res.Problems {
		out = append(out, "XDM "+inspector.Problem{Path: p.Path, Msg: p.Msg}.String())
	}
	return out, res, nil
}

// keepChecking starts the next check when events wait for one and none is running, and
// queues every event again when the mapping set changed. Called after every Update.
func (m *Model) keepChecking() tea.Cmd {
	if m.checkMapping != m.mappingName() {
		m.checkMapping = m.mappingName()
		m.list.RecheckAll()
	}
	if m.checking || m.list.Unchecked() == 0 {
		return nil
	}
	items := m.list.TakeUnchecked(checkBatch)
	ids := make([]int, len(items))
	events := make([][]byte, len(items))
	for i, it := range items {
		ids[i], events[i] = it.ID, it.Event.Bytes()
	}
	m.checking = true
	return checkEvents(m.ctx, m.deps.Transformer, m.mappingName(), m.live.version, ids, events)
}

// onChecked records a check's results; those made under a mapping set no longer in use are
// dropped (every event was queued again when it changed).
func (m Model) onChecked(msg checkedMsg) (tea.Model, tea.Cmd) {
	m.checking = false
	switch {
	case msg.mapping != m.mappingName():
		// every event was queued again when the set changed
	case msg.version != m.live.version:
		// checked under a mapping set since reloaded: what the reload did not cover
		// (events added while it ran) is checked again
		var again []int
		for id := range msg.problems {
			if id >= m.live.covered {
				again = append(again, id)
			}
		}
		m.list.Recheck(again...)
	default:
		m.list.SetChecked(msg.problems, msg.events)
	}
	return m, nil
}
