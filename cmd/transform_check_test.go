package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkSetup writes three events and a mapping with volatile values, and returns their paths.
func checkSetup(t *testing.T) (dir, events, mapping string) {
	t.Helper()
	dir = t.TempDir()
	events = filepath.Join(dir, "events.jsonl")
	mapping = filepath.Join(dir, "mapping.json")
	ev := func(id, email string) string {
		return `{"data":{"customer_id":"1","email_address":"` + email + `","identifiers":{"id":"1"}},"event_id":"` + id + `","metric":"subscribed","object_type":"customer","timestamp":1613063089}`
	}
	os.WriteFile(events, []byte(ev("e1", "a@b.co")+"\n"+ev("e2", "c@d.co")+"\n"+ev("e3", "e@f.co")+"\n"), 0o644)
	writeMapping(t, mapping, `{"sourceType":"EXPRESSION","source":"upper(data.email_address)","destination":"_acme.email"}`)
	return dir, events, mapping
}

func writeMapping(t *testing.T, path string, extra ...string) {
	t.Helper()
	ms := `{"mappings":[
 {"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"},
 {"sourceType":"EXPRESSION","source":"now()","destination":"timestamp"},
 {"sourceType":"EXPRESSION","source":"uuid()","destination":"_acme.token"}`
	for _, e := range extra {
		ms += ",\n " + e
	}
	if err := os.WriteFile(path, []byte(ms+"]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTransformCheck(t *testing.T) {
	dir, events, mapping := checkSetup(t)
	fixture := filepath.Join(dir, "expected.jsonl")

	code, _, stderr := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture)
	if code != exitUnreadableFixture {
		t.Fatalf("missing fixture: exit %d, want %d (unreadable input); %s", code, exitUnreadableFixture, stderr)
	}

	code, out, stderr := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture, "--update")
	if code != 0 || out != "" || !strings.Contains(stderr, "expected.jsonl: written (3 records)") {
		t.Fatalf("--update: exit %d, out %q, stderr %q", code, out, stderr)
	}
	first, _ := os.ReadFile(fixture)
	if !strings.Contains(string(first), `"timestamp":"2026-01-01T00:00:00Z"`) {
		t.Errorf("now() not stable: %s", first)
	}

	t.Run("identical (uuid and now stable)", func(t *testing.T) {
		code, out, stderr := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture)
		if code != 0 || out != "" || !strings.Contains(stderr, "up to date (3 records)") {
			t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
		}
		code, _, _ = run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture, "--seed", "2")
		if code != 1 {
			t.Errorf("another seed: exit %d, want 1 (uuid() differs)", code)
		}
	})

	t.Run("one field changed", func(t *testing.T) {
		orig := readFile(t, events)
		defer os.WriteFile(events, []byte(orig), 0o644)
		os.WriteFile(events, []byte(strings.Replace(orig, "c@d.co", "x@d.co", 1)), 0o644)
		code, out, _ := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture)
		want := fixture + `: drift: 1 of 3 records differ: 1 changed, 0 added, 0 removed (fixture has 3 records, output 3)
record 2 (event_id e2):
  /_acme/email: "C@D.CO" → "X@D.CO"
`
		if code != 1 || out != want {
			t.Errorf("exit %d, got\n%s\nwant\n%s", code, out, want)
		}
	})

	t.Run("record removed and added: aligned by event_id", func(t *testing.T) {
		orig := readFile(t, events)
		defer os.WriteFile(events, []byte(orig), 0o644)
		lines := strings.SplitAfter(orig, "\n")
		e4 := strings.ReplaceAll(lines[2], `"e3"`, `"e4"`)
		os.WriteFile(events, []byte(lines[1]+lines[2]+e4), 0o644) // e1 gone, e4 new
		code, out, _ := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture)
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		for _, s := range []string{
			"2 of 4 records differ: 0 changed, 1 added, 1 removed",
			"fixture record 1 (event_id e1): not in the output\n  - {",
			"record 3 (event_id e4): not in the fixture\n  + {",
		} {
			if !strings.Contains(out, s) {
				t.Errorf("missing %q in\n%s", s, out)
			}
		}
		if strings.Contains(out, "event_id e2") || strings.Contains(out, "event_id e3)") {
			t.Errorf("records that only moved are reported:\n%s", out)
		}
	})

	t.Run("update rewrites atomically", func(t *testing.T) {
		writeMapping(t, mapping, `{"sourceType":"STATIC","source":"x","destination":"_acme.tag"}`)
		code, _, stderr := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture, "--update")
		if code != 0 || !strings.Contains(stderr, "updated: 3 of 3 records differ: 3 changed") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if b := readFile(t, fixture); !strings.Contains(b, `"tag":"x"`) || strings.Count(b, "\n") != 3 {
			t.Errorf("fixture: %s", b)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 3 {
			t.Errorf("left temporary files: %v", ents)
		}
		code, _, _ = run(t, nil, "", "transform", events, "--mapping", mapping, "--check", fixture)
		if code != 0 {
			t.Errorf("after --update: exit %d", code)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"--update"},
			{"--check", fixture, "--envelope"},
		} {
			if code, _, _ := run(t, nil, "", append([]string{"transform", events}, args...)...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})

	t.Run("not a fixture", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.jsonl")
		os.WriteFile(bad, []byte("{}\n[1]\n"), 0o644)
		code, _, stderr := run(t, nil, "", "transform", events, "--mapping", mapping, "--check", bad)
		if code == 0 || !strings.Contains(stderr, "bad.jsonl: line 2") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}

// exitUnreadableFixture is the exit code of a --check fixture that cannot be read.
// TODO(issue 16): ExitInput (3) once the exit-code table of branch small is on main.
const exitUnreadableFixture = ExitFailure

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
