package wiring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// TestLiveTransformer_reloadsWhatChanged: a save without an edit recompiles nothing, an
// edited mapping file recompiles only its own set, an edited schema every set, and a broken
// save keeps the sets in force.
func TestLiveTransformer_reloadsWhatChanged(t *testing.T) {
	dir := t.TempDir()
	mapping, schema := filepath.Join(dir, "mapping.json"), filepath.Join(dir, "schema.json")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set := func(extra string) string {
		return `{"mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}` + extra + `]}`
	}
	schemaWith := func(maxLen string) string {
		return `{"type":"object","properties":{"_acme":{"type":"object","properties":{"v":{"type":"string","maxLength":` + maxLen + `}}}}}`
	}
	write(mapping, set(""))
	write(schema, schemaWith("5"))
	l, err := NewLiveTransformer(mapping, "", "", schema)
	if err != nil {
		t.Fatal(err)
	}
	mappers := func() map[string]*xdm.Mapper {
		l.mu.RLock()
		defer l.mu.RUnlock()
		return l.cur.mappers
	}
	ev := tuiEvents(t, [2]string{"email", "opened"})[0].Bytes()
	ctx := context.Background()

	if err := l.Reload(ctx); !errors.Is(err, tui.ErrUnchanged) {
		t.Fatalf("reload without an edit: %v, want tui.ErrUnchanged", err)
	}

	was := mappers()
	write(mapping, set(`,{"sourceType":"STATIC","source":"toolong","destination":"_acme.v"}`))
	if err := l.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	now := mappers()
	if now[mapping] == was[mapping] {
		t.Error("the edited mapping file's set was not recompiled")
	}
	for _, name := range xdm.DefaultNames() {
		if now[name] != was[name] {
			t.Errorf("built-in set %s recompiled for a mapping file edit", name)
		}
	}
	if names := l.Names(); len(names) == 0 || names[0] != mapping {
		t.Errorf("names %v: the mapping file is not first", names)
	}
	res, err := l.TransformRecord(ctx, mapping, ev)
	if err != nil || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Msg, "maxLength") || res.Message != nil {
		t.Fatalf("record under the edited set: %+v, %v; want one maxLength problem and no message", res, err)
	}
	full, err := l.Transform(ctx, mapping, ev)
	if err != nil || string(full.Record) != string(res.Record) || len(full.Message) == 0 {
		t.Errorf("Transform and TransformRecord differ: %s / %s (message %d bytes)", full.Record, res.Record, len(full.Message))
	}

	// The schema: every set is compiled again, and validates with it.
	was = mappers()
	write(schema, schemaWith("9"))
	if err := l.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	now = mappers()
	for name := range was {
		if now[name] == was[name] {
			t.Errorf("set %s not recompiled for a schema edit", name)
		}
	}
	if res, _ := l.TransformRecord(ctx, mapping, ev); len(res.Problems) != 0 {
		t.Errorf("problems %v under the relaxed schema", res.Problems)
	}

	// A broken save: located, and the sets in force stay.
	was = mappers()
	write(mapping, `{"mappings":[{"sourceType":"EXPRESSION","source":"upper(","destination":"_acme.v"}]}`)
	if err := l.Reload(ctx); err == nil || !strings.Contains(err.Error(), "mapping.json:1:") {
		t.Errorf("broken mapping: %v, want its file:line", err)
	}
	if now := mappers(); now[mapping] != was[mapping] {
		t.Error("a broken save replaced the set in force")
	}
	// Saving the last good contents again is a change against the broken file but not
	// against what is in force.
	write(mapping, set(`,{"sourceType":"STATIC","source":"toolong","destination":"_acme.v"}`))
	if err := l.Reload(ctx); !errors.Is(err, tui.ErrUnchanged) {
		t.Errorf("last good set saved again: %v, want tui.ErrUnchanged", err)
	}
}
