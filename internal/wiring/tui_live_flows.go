package wiring

import (
	"path/filepath"

	"github.com/ciosim/ciosim/aep/dataflow"
)

// compileFlows adds the dataflows' sets in force to t, each compiled with its own schema;
// a set named like a base set replaces it (a dataflow directory's mapping.json given as
// --mapping at start). Called by compileAll, before t is put in force.
func (l *liveTransformer) compileFlows(t *xdmTransformer) error {
	l.fmu.Lock()
	flows := append([]flowSet(nil), l.flows...)
	l.fmu.Unlock()
	for _, f := range flows {
		mp, env, err := f.compile()
		if err != nil {
			return err
		}
		t.add(f.name, mp, env)
	}
	return nil
}

// UseFlow compiles a dataflow's set and puts it in force beside the others (replacing one
// of the same name); reloads compile it again. On an error nothing changes.
func (l *liveTransformer) UseFlow(f flowSet) error {
	l.serial.Lock()
	defer l.serial.Unlock()
	mp, env, err := f.compile()
	if err != nil {
		return err
	}
	l.fmu.Lock()
	kept := l.flows[:0:0]
	for _, g := range l.flows {
		if g.name != f.name {
			kept = append(kept, g)
		}
	}
	l.flows = append(kept, f)
	l.fmu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.cur.clone() // the current one may be in use by a Transform: never changed in place
	t.add(f.name, mp, env)
	l.cur = t
	return nil
}

// WatchDataflows adds the dataflow directories' mapping.json and schema.json to the files
// Watched lists, so a save reloads the dataflow in force. Call it before Watched.
func (l *liveTransformer) WatchDataflows(dirs []string) {
	for _, d := range dirs {
		l.extra = append(l.extra, filepath.Join(d, dataflow.MappingFile))
		if rd, err := dataflow.ReadDir(d); err == nil && rd.Schema != nil {
			l.extra = append(l.extra, rd.SchemaPath())
		}
	}
}
