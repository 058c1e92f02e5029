package wiring

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// liveTransformer is the TUI's transformer when a mapping-set or schema file is watched:
// Reload compiles what changed and swaps the compiled sets in only when they compile, so a
// broken save leaves the last good sets in force. Transform is safe for concurrent use with
// Reload.
type liveTransformer struct {
	mapping, tenant, flowID, schema string
	builtin                         bool // mapping names a built-in set, not a file

	mu  sync.RWMutex
	cur *xdmTransformer
	// mappingData and schemaData are the file contents cur was compiled from (nil when
	// not a file); compiledSchema is schemaData compiled.
	mappingData, schemaData []byte
	compiledSchema          *xdm.Schema
	// known says mappingData and schemaData are what cur was compiled from.
	known bool

	// flows are the dataflows' mapping sets put in force by the picker, and extra the
	// dataflow directories' files, watched too (tui_live_flows.go).
	fmu    sync.Mutex
	serial sync.Mutex // Reload and UseFlow, one at a time
	flows  []flowSet
	extra  []string
}

var (
	_ tui.Transformer       = (*liveTransformer)(nil)
	_ tui.Reloader          = (*liveTransformer)(nil)
	_ tui.RecordTransformer = (*liveTransformer)(nil)
)

// NewLiveTransformer compiles the mapping set (a built-in name or a file) and, when schema
// is not empty, validates with that schema file; files are re-read by Reload.
func NewLiveTransformer(mapping, tenant, flowID, schema string) (*liveTransformer, error) {
	l := &liveTransformer{mapping: mapping, tenant: tenant, flowID: flowID, schema: schema,
		builtin: slices.Contains(xdm.DefaultNames(), mapping)}
	mb, sb := l.read()
	cur, compiled, err := l.compileAll()
	if err != nil {
		return nil, err
	}
	l.cur, l.compiledSchema = cur, compiled
	// What was compiled is known only when the files did not change meanwhile; if they
	// did, the next Reload compiles everything.
	if mb2, sb2 := l.read(); bytes.Equal(mb, mb2) && bytes.Equal(sb, sb2) {
		l.mappingData, l.schemaData, l.known = mb, sb, true
	}
	return l, nil
}

// read returns the watched files' contents, nil for what is not a file or not readable.
func (l *liveTransformer) read() (mapping, schema []byte) {
	if !l.builtin {
		mapping, _ = os.ReadFile(l.mapping)
	}
	if l.schema != "" {
		schema, _ = os.ReadFile(l.schema)
	}
	return mapping, schema
}

// compileAll compiles every set from the files as they are on disk.
func (l *liveTransformer) compileAll() (*xdmTransformer, *xdm.Schema, error) {
	var s *xdm.Schema
	if l.schema != "" {
		var err error
		if s, err = LoadSchemaFiles(l.schema, nil); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", l.schema, err)
		}
	}
	t, err := NewXDMTransformerWith(l.mapping, l.tenant, l.flowID, s)
	if err != nil && !l.builtin {
		err = LocateMapping(l.mapping, err)
	}
	if err == nil {
		err = l.compileFlows(t)
	}
	return t, s, err
}

// Reload reads the watched files and compiles only what changed: a changed schema
// recompiles every set (each validates with it), a changed mapping file only its own set.
// When neither changed it returns tui.ErrUnchanged and the sets in force stay; on any
// other error too. Once the picker has put a dataflow in force, every reload compiles
// everything (the dataflows' own files are watched too, each with its own schema).
func (l *liveTransformer) Reload(context.Context) error {
	l.serial.Lock() // a dataflow put in force meanwhile (UseFlow) is not lost by the swap
	defer l.serial.Unlock()
	l.fmu.Lock()
	withFlows := len(l.flows) > 0
	l.fmu.Unlock()
	if withFlows {
		return l.reloadAll()
	}
	var mb, sb []byte
	var err error
	if !l.builtin {
		if mb, err = os.ReadFile(l.mapping); err != nil {
			return fmt.Errorf("read mapping: %w", err)
		}
	}
	if l.schema != "" {
		if sb, err = os.ReadFile(l.schema); err != nil {
			return fmt.Errorf("%s: read schema: %w", l.schema, err)
		}
	}
	l.mu.RLock()
	cur, schema := l.cur, l.compiledSchema
	sameMapping := l.known && bytes.Equal(mb, l.mappingData)
	sameSchema := l.known && bytes.Equal(sb, l.schemaData)
	l.mu.RUnlock()
	if sameMapping && sameSchema {
		return tui.ErrUnchanged
	}
	next := cur
	if !sameSchema {
		if sb != nil {
			if schema, err = xdm.LoadSchema(xdm.SchemaFile{Name: l.schema, Data: sb}); err != nil {
				return fmt.Errorf("%s: %w", l.schema, err)
			}
		}
		// The built-in sets validate with the schema too.
		if next, err = NewXDMTransformerWith("", l.tenant, l.flowID, schema); err != nil {
			return err
		}
	}
	if !l.builtin && (!sameMapping || !sameSchema) {
		if next, err = l.recompileMapping(next, mb, schema); err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.cur, l.mappingData, l.schemaData, l.compiledSchema, l.known = next, mb, sb, schema, true
	l.mu.Unlock()
	return nil
}

// reloadAll compiles every set, the dataflows' included, from the files on disk.
func (l *liveTransformer) reloadAll() error {
	mb, sb := l.read()
	t, s, err := l.compileAll()
	if err != nil {
		return err
	}
	mb2, sb2 := l.read()
	l.mu.Lock()
	l.cur, l.mappingData, l.schemaData, l.compiledSchema = t, mb, sb, s
	// Known only when the files did not change while compiling.
	l.known = bytes.Equal(mb, mb2) && bytes.Equal(sb, sb2)
	l.mu.Unlock()
	return nil
}

// recompileMapping compiles the mapping file's set from data, keeping cur's other sets.
func (l *liveTransformer) recompileMapping(cur *xdmTransformer, data []byte, schema *xdm.Schema) (*xdmTransformer, error) {
	ms, err := xdm.ParseMappingSet(data)
	if err != nil {
		return nil, locateIn(l.mapping, data, err)
	}
	ms.Name = l.mapping
	mp, env, err := compileMappingSet(ms, false, l.mapping, l.flowID, schema)
	if err != nil {
		return nil, locateIn(l.mapping, data, err)
	}
	return cur.with(l.mapping, mp, env), nil
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

// TransformRecord is Transform without the streaming message.
func (l *liveTransformer) TransformRecord(ctx context.Context, name string, event []byte) (tui.Transformed, error) {
	l.mu.RLock()
	t := l.cur
	l.mu.RUnlock()
	return t.TransformRecord(ctx, name, event)
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

// WatchFiles adapts recordings.WatchFiles to the TUI's change channel, with the short quiet
// period of files saved from an editor (recordings.EditDebounce, EditSettle): the user waits
// on it between a save and the screen.
func WatchFiles(ctx context.Context, files []string) (<-chan tui.FileChange, error) {
	opts := recordings.WatchOptions{Debounce: recordings.EditDebounce, Settle: recordings.EditSettle}
	in, err := recordings.WatchFiles(ctx, opts, files...)
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
