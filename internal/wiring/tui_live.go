package wiring

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// liveTransformer is the TUI's transformer when a mapping-set or schema file is watched:
// Reload compiles them again and swaps the compiled sets in only when they compile, so a
// broken save leaves the last good sets in force. Transform is safe for concurrent use with
// Reload.
type liveTransformer struct {
	mapping, tenant, flowID, schema string

	mu  sync.RWMutex
	cur *xdmTransformer

	// flows are the dataflows' mapping sets put in force by the picker, and extra the
	// dataflow directories' files, watched too (tui_live_flows.go).
	fmu    sync.Mutex
	serial sync.Mutex // Reload and UseFlow, one at a time
	flows  []flowSet
	extra  []string
}

var (
	_ tui.Transformer = (*liveTransformer)(nil)
	_ tui.Reloader    = (*liveTransformer)(nil)
)

// NewLiveTransformer compiles the mapping set (a built-in name or a file) and, when schema
// is not empty, validates with that schema file; files are re-read by Reload.
func NewLiveTransformer(mapping, tenant, flowID, schema string) (*liveTransformer, error) {
	l := &liveTransformer{mapping: mapping, tenant: tenant, flowID: flowID, schema: schema}
	cur, err := l.compile()
	if err != nil {
		return nil, err
	}
	l.cur = cur
	return l, nil
}

func (l *liveTransformer) compile() (*xdmTransformer, error) {
	var s *xdm.Schema
	if l.schema != "" {
		var err error
		if s, err = LoadSchemaFiles(l.schema, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", l.schema, err)
		}
	}
	t, err := NewXDMTransformerWith(l.mapping, l.tenant, l.flowID, s)
	if err != nil && !slices.Contains(xdm.DefaultNames(), l.mapping) {
		err = LocateMapping(l.mapping, err)
	}
	if err == nil {
		err = l.compileFlows(t)
	}
	return t, err
}

// Reload compiles the watched files again; on an error the previous sets stay in force.
func (l *liveTransformer) Reload(context.Context) error {
	l.serial.Lock() // a dataflow put in force meanwhile (UseFlow) is not lost by the swap
	defer l.serial.Unlock()
	t, err := l.compile()
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.cur = t
	l.mu.Unlock()
	return nil
}

// Names lists the mapping sets, the configured one first.
func (l *liveTransformer) Names() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Names()
}

// Transform maps event with the named set in force.
func (l *liveTransformer) Transform(ctx context.Context, name string, event []byte) (tui.Transformed, error) {
	l.mu.RLock()
	t := l.cur
	l.mu.RUnlock()
	return t.Transform(ctx, name, event)
}

// Watched lists the files a reload reads: the mapping set when it is a file, the schema.
func (l *liveTransformer) Watched() []string {
	var fs []string
	if !slices.Contains(xdm.DefaultNames(), l.mapping) {
		fs = append(fs, l.mapping)
	}
	if l.schema != "" {
		fs = append(fs, l.schema)
	}
	for _, f := range l.extra {
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// WatchFiles adapts recordings.WatchFiles to the TUI's change channel.
func WatchFiles(ctx context.Context, files []string) (<-chan tui.FileChange, error) {
	in, err := recordings.WatchFiles(ctx, recordings.WatchOptions{}, files...)
	if err != nil {
		return nil, err
	}
	out := make(chan tui.FileChange)
	go func() {
		defer close(out)
		for c := range in {
			select {
			case out <- tui.FileChange{Path: c.Path, Removed: c.Kind == recordings.Removed}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
