package main

// The docs-run test (issue 14): every shell example in README.md, docs/*.md and every
// command's `Example:` text is run, so no documented command can fail as written.
//
// What counts as an example:
//   - in Markdown, every line of a fenced block tagged sh, bash or shell (untagged blocks are
//     output or synopses); a line ending in \ continues; a for/while/if runs to its done/fi;
//   - every line of a cobra command's Example text (read from `ciosim CMD --help`, so
//     commands added by any engineer are covered without registering them here).
//
// How each is run: the binary is built once and put on PATH as `ciosim`; `go run .` means
// `ciosim`. Each block runs in a fresh directory seeded with the files examples name
// (events.jsonl, my-scenario.yaml, mapping files, schemas, fixtures/golden,
// ciosim-recordings/, dead-letter files; see seed), with ../shared beside it, stdin empty, HOME private
// and nothing reaching the network. A line must exit 0 unless it says otherwise with
// `# docs-test:exit=N`. A line ending in & is started in the background and stopped when its
// block ends. Servers and paced runs (record, serve, --follow, --realtime) run for
// longRunning and pass when they have not failed by then. TUI lines (ciosim with flags and
// no command) run without a terminal: they pass when the flags are accepted and the TUI
// stops only for want of a terminal.
//
// Skip markers: a line carrying `# docs-test:skip REASON` is not run; the test lists every
// skipped line with its reason, and fails when there are more than maxSkips. `go test`
// lines are not run (they are this suite). Keep markers few: they are for what cannot run
// here at all (a real AEP endpoint on the internet).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ciosim/ciosim/internal/sharedtest"
)

const (
	longRunning = 3 * time.Second
	lineTimeout = 60 * time.Second
	maxSkips    = 8
)

type example struct {
	where string // README.md:132, or `ciosim generate --help`
	cmd   string
}

type block struct {
	where    string
	examples []example
}

var (
	fenceRE    = regexp.MustCompile("(?s)```(sh|bash|shell)\\n(.*?)```")
	skipRE     = regexp.MustCompile(`#\s*docs-test:skip\s*(.*)$`)
	exitRE     = regexp.MustCompile(`#\s*docs-test:exit=(\d+)`)
	commandsRE = regexp.MustCompile(`(?m)^  (\S+)\s{2,}\S`)
)

// splitLines turns a block's text into commands: continuations joined, compound commands
// kept whole. first is the 1-based line number of the block's first line.
func splitLines(where string, text string, first int) []example {
	var out []example
	var cur strings.Builder
	depth, start := 0, 0
	for i, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if cur.Len() == 0 {
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			start = first + i
		}
		cont := strings.HasSuffix(t, "\\")
		cur.WriteString(strings.TrimSuffix(t, "\\"))
		if cont {
			cur.WriteString(" ")
		} else {
			cur.WriteString("\n")
		}
		word := strings.Fields(t + " ")[0]
		switch word {
		case "for", "while", "until", "if":
			depth++
		case "done", "fi":
			depth--
		}
		if strings.HasSuffix(t, "; done") || strings.HasSuffix(t, "; fi") {
			depth--
		}
		if cont || depth > 0 {
			continue
		}
		out = append(out, example{where: fmt.Sprintf("%s:%d", where, start), cmd: strings.TrimSpace(cur.String())})
		cur.Reset()
	}
	return out
}

func markdownBlocks(t *testing.T) []block {
	files, _ := filepath.Glob("docs/*.md")
	files = append([]string{"README.md"}, files...)
	var out []block
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, m := range fenceRE.FindAllStringSubmatchIndex(s, -1) {
			line := strings.Count(s[:m[4]], "\n") + 1
			exs := splitLines(f, s[m[4]:m[5]], line)
			if len(exs) > 0 {
				out = append(out, block{where: fmt.Sprintf("%s:%d", f, line), examples: exs})
			}
		}
	}
	return out
}

// helpBlocks reads the Examples of every command from the binary's help, recursively.
func helpBlocks(t *testing.T, bin string, path []string) []block {
	out, err := exec.Command(bin, append(append([]string{}, path...), "--help")...).Output()
	if err != nil {
		t.Fatalf("ciosim %s --help: %v", strings.Join(path, " "), err)
	}
	help := string(out)
	name := strings.TrimSpace("ciosim " + strings.Join(path, " "))
	var blocks []block
	if i := strings.Index(help, "\nExamples:\n"); i >= 0 {
		text := help[i+len("\nExamples:\n"):]
		if j := strings.Index(text, "\n\n"); j >= 0 {
			text = text[:j]
		}
		if exs := splitLines("`"+name+" --help`", text, 1); len(exs) > 0 {
			blocks = append(blocks, block{where: "`" + name + " --help`", examples: exs})
		}
	}
	if i := strings.Index(help, "\nAvailable Commands:\n"); i >= 0 {
		text := help[i:]
		if j := strings.Index(text[1:], "\n\n"); j >= 0 {
			text = text[:j+1]
		}
		for _, m := range commandsRE.FindAllStringSubmatch(text, -1) {
			if m[1] == "help" || m[1] == "completion" {
				continue
			}
			blocks = append(blocks, helpBlocks(t, bin, append(append([]string{}, path...), m[1]))...)
		}
	}
	return blocks
}

func TestDocs_examplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every documented example")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "ciosim"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seedDir := seed(t, root, filepath.Join(bin, "ciosim"))

	blocks := append(markdownBlocks(t), helpBlocks(t, filepath.Join(bin, "ciosim"), nil)...)
	var skipped []string
	ran := 0
	for bi, b := range blocks {
		dir := filepath.Join(root, fmt.Sprintf("b%03d", bi))
		work := filepath.Join(dir, "work")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(work, os.DirFS(seedDir)); err != nil {
			t.Fatal(err)
		}
		shared := filepath.Join(dir, "shared")
		if p := sharedtest.Path(t, "xdm"); p != "" {
			os.Symlink(filepath.Dir(p), shared)
		}
		env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"HOME="+filepath.Join(dir, "home"), "NO_COLOR=1", "CIOSIM_CONFIG=")
		var background []*exec.Cmd
		for _, ex := range b.examples {
			line := ex.cmd
			if m := skipRE.FindStringSubmatch(line); m != nil {
				skipped = append(skipped, fmt.Sprintf("%s: %s (%s)", ex.where, stripComment(firstLine(line)), strings.TrimSpace(m[1])))
				continue
			}
			if strings.HasPrefix(line, "go test") {
				continue // this suite
			}
			line = strings.ReplaceAll(line, "go run .", "ciosim")
			ran++
			began := time.Now()
			if c, ok := runExample(t, ex.where, line, work, env); ok && c != nil {
				background = append(background, c)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Logf("slow: %s took %v", ex.where, d.Round(100*time.Millisecond))
			}
		}
		for _, c := range background {
			syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
			c.Wait()
		}
	}
	t.Logf("docs: ran %d examples from %d blocks; %d skipped by marker:", ran, len(blocks), len(skipped))
	for _, s := range skipped {
		t.Logf("  skip %s", s)
	}
	if len(skipped) > maxSkips {
		t.Errorf("%d docs-test:skip markers (at most %d): make the examples run instead", len(skipped), maxSkips)
	}
	if ran < 30 {
		t.Errorf("only %d examples ran: is the extraction broken?", ran)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

var (
	serverRE = regexp.MustCompile(`\bciosim (record|serve)\b|--follow\b|--realtime\b`)
	tuiRE    = regexp.MustCompile(`(^|\s|=\S*\s)ciosim(\s+-|\s*$|\s+#)`)
)

// runExample runs one line; it returns the command when the line was started in the
// background.
func runExample(t *testing.T, where, line, dir string, env []string) (*exec.Cmd, bool) {
	t.Helper()
	want := 0
	if m := exitRE.FindStringSubmatch(line); m != nil {
		want, _ = strconv.Atoi(m[1])
	}
	code := stripComment(line)
	bg := strings.HasSuffix(code, "&")
	if bg {
		code = strings.TrimSpace(strings.TrimSuffix(code, "&"))
	}
	long := bg || serverRE.MatchString(code)
	tui := tuiRE.MatchString(code) && !strings.Contains(code, "|")
	timeout := lineTimeout
	if long {
		timeout = longRunning
	}
	var out bytes.Buffer
	w := &capped{b: &out, n: 8 << 10}
	c := exec.Command("bash", "-c", "set -o pipefail; "+code)
	c.Dir, c.Env, c.Stdout, c.Stderr = dir, env, w, w
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if bg {
		time.Sleep(time.Second) // let a server start listening
		if c.ProcessState != nil {
			t.Errorf("%s: background example ended at once:\n%s\n%s", where, line, out.String())
		}
		return c, true
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case err := <-done:
		got := 0
		if ee, ok := err.(*exec.ExitError); ok {
			got = ee.ExitCode()
		} else if err != nil {
			t.Errorf("%s: %v", where, err)
			return nil, false
		}
		if tui && got == 1 && strings.Contains(out.String(), "the TUI needs a terminal") {
			return nil, false // the flags were accepted; only the terminal is missing
		}
		if got != want {
			t.Errorf("%s: exit %d, want %d:\n  %s\n%s", where, got, want, line, indent(out.String()))
		}
	case <-ctx.Done():
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		<-done
		if !long {
			t.Errorf("%s: still running after %v:\n  %s\n%s", where, timeout, line, indent(out.String()))
		}
	}
	return nil, false
}

// stripComment removes a trailing shell comment (a # after white space, outside quotes).
func stripComment(s string) string {
	inS, inD := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' && !inD:
			inS = !inS
		case c == '"' && !inS:
			inD = !inD
		case c == '#' && !inS && !inD && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return strings.TrimSpace(s)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// capped keeps the first n bytes written (an example may write a million events).
type capped struct {
	b *bytes.Buffer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.b.Len(); room > 0 {
		c.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// schemaWithTenant is what `--validate schema.json` means in the docs: the user's schema,
// here the official derived ExperienceEvent schema with the test tenant field group under
// _tenant (as the xdm package's tests build it), under the $id the mapping sets name.
func schemaWithTenant(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedtest.Path(t, "xdm/derived/experienceevent-messaging.compat.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fg, err := os.ReadFile(filepath.Join("xdm", "testdata", "tenant-fieldgroup.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tenant any
	if err := json.Unmarshal(fg, &tenant); err != nil {
		t.Fatal(err)
	}
	doc["properties"].(map[string]any)["_tenant"] = tenant
	// The $id the built-in mapping set's outputSchema names, as the user's schema has.
	doc["$id"] = "https://ns.adobe.com/_tenant/schemas/customerio-experience-event"
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seed makes the directory every block starts from: the files the examples name.
func seed(t *testing.T, root, bin string) string {
	t.Helper()
	dir := filepath.Join(root, "seed")
	mustRun := func(name string, args ...string) []byte {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("seed %s: ciosim %s: %v", name, strings.Join(args, " "), err)
		}
		return out
	}
	files := map[string][]byte{
		"events.jsonl":       mustRun("events.jsonl", "generate", "--all", "--seed", "7"),
		"dl.jsonl":           mustRun("dl.jsonl", "generate", "--count", "3", "--seed", "7"),
		"dead-letters.jsonl": mustRun("dead-letters.jsonl", "generate", "--count", "3", "--seed", "8"),
		"my-mapping.json":    mustRun("my-mapping.json", "transform", "--print-mapping", "experience-event"),
		"mapping.json":       mustRun("mapping.json", "transform", "--print-mapping", "experience-event"),
		"events.json":        mustRun("events.json", "transform", "--print-mapping", "experience-event"),
		"profile.schema.json": []byte(`{"$schema":"http://json-schema.org/draft-06/schema#","title":"Profile",` +
			`"meta:class":"https://ns.adobe.com/xdm/context/profile","type":"object",` +
			`"properties":{"_id":{"type":"string"},"personID":{"type":"string"}}}`),
		"my-scenario.yaml": []byte("name: my-scenario\ndescription: a small scenario for the docs\n" +
			"seed: 7\nstart: 2026-03-01T00:00:00Z\ncustomers: 3\nevery_pair: true\n"),
	}
	// A recording as `ciosim redact` leaves it (so `ciosim scan` finds nothing).
	raw := filepath.Join(root, "raw.jsonl")
	if err := os.WriteFile(raw, mustRun("recording", "generate", "--type", "email", "--metric", "opened", "--count", "5", "--seed", "7"), 0o644); err != nil {
		t.Fatal(err)
	}
	redact := exec.Command(bin, "redact", raw)
	redact.Env = append(os.Environ(), "CIOSIM_REDACT_KEY=docs-test-redaction-key-0123456789")
	rec, err := redact.Output()
	if err != nil {
		t.Fatalf("seed recording: %v", err)
	}
	files["ciosim-recordings/capture-2026-11-29-001.jsonl"] = rec
	files["schema.json"] = schemaWithTenant(t)
	files["events.schema.json"] = files["schema.json"]
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(dir, "fixtures", "golden"), os.DirFS(filepath.Join("fixtures", "golden"))); err != nil {
		t.Fatal(err)
	}
	return dir
}
