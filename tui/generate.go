package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/eventlist"
)

// generateType makes one event of each of an object type's metrics, in catalog order, with
// the generator for seed: what g does on an object type row.
func generateType(b *genBox, seed int64, objectType string) tea.Cmd {
	return func() tea.Msg {
		metrics := customerio.Metrics(objectType)
		msg := generatedMsg{label: objectType + ", one of each metric", seed: seed, replace: -1}
		for _, mt := range metrics {
			ev, err := b.event(seed, objectType, mt)
			if err != nil {
				msg.err = err
				msg.label = objectType + "/" + mt
				return msg
			}
			msg.items = append(msg.items, eventlist.NewItem(ev, "generated"))
		}
		return msg
	}
}
