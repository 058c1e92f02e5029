package main

// The docs-run test (issue 14): every shell example in README.md, docs/*.md and every
// command's `Example:` text is run, so no documented command can fail as written.
//
// What counts as an example:
//   - in Markdown, every line of a fenced block tagged sh, bash or shell (untagged blocks are
//     output or synopses); a line ending in \ continues;
//   - every line of a cobra command's Example text (read from `ciosim CMD --help`, so
//     commands added by any engineer are covered without registering them here).
//     A command ends where bash can parse it (bash -n): loops, pipes into while and open
//     quotes continue onto the next lines.
//
// How each is run: the binary is built once and put on PATH as `ciosim`; `go run .` means
// `ciosim`. The examples of one Markdown file (all its blocks, in order) or of one command's
// help run in one bash session, so variables, exports and background servers carry from
// line to line as they do for a reader following a tutorial. Each session starts in a fresh
// directory seeded with the files examples name (events.jsonl, my-scenario.yaml, mapping
// files, schemas, fixtures/golden, ciosim-recordings/, dead-letter files; see seed), with
// ../shared beside it, stdin empty, HOME private and nothing reaching the network. A line
// must exit 0 unless it says otherwise with `# docs-test:exit=N`. A line ending in & runs in
// the background until its session ends. Servers, watchers and paced runs (record, serve,
// --follow, --watch, --realtime) run for three seconds and pass when they have not failed by then. TUI lines
// (ciosim with flags and no command) run without a terminal: they pass when the flags are
// accepted and the TUI stops only for want of a terminal. A session may take sessionTimeout.
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
	sessionTimeout = 3 * time.Minute
	maxSkips       = 8
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
	start := 0
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
		if cont || !complete(cur.String()) {
			continue
		}
		out = append(out, example{where: fmt.Sprintf("%s:%d", where, start), cmd: strings.TrimSpace(cur.String())})
		cur.Reset()
	}
	if cur.Len() > 0 { // never completed: run it anyway, so the session reports the mistake
		out = append(out, example{where: fmt.Sprintf("%s:%d", where, start), cmd: strings.TrimSpace(cur.String())})
	}
	return out
}

// complete reports whether bash can parse s as it stands (a for/while/if or a quoted
// string still open is not complete): the command goes on on the next line.
func complete(s string) bool {
	out, err := exec.Command("bash", "-n", "-c", s).CombinedOutput()
	return err == nil || !strings.Contains(string(out), "unexpected end of file")
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
		// One shell session per file: a tutorial's blocks share variables and servers.
		var exs []example
		for _, m := range fenceRE.FindAllStringSubmatchIndex(s, -1) {
			line := strings.Count(s[:m[4]], "\n") + 1
			exs = append(exs, splitLines(f, s[m[4]:m[5]], line)...)
		}
		if len(exs) > 0 {
			out = append(out, block{where: f, examples: exs})
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
		if p := sharedtest.Path(t, "xdm"); p != "" {
			os.Symlink(filepath.Dir(p), filepath.Join(dir, "shared"))
		}
		var lines []example
		for _, ex := range b.examples {
			if m := skipRE.FindStringSubmatch(ex.cmd); m != nil {
				skipped = append(skipped, fmt.Sprintf("%s: %s (%s)", ex.where, stripComment(firstLine(ex.cmd)), strings.TrimSpace(m[1])))
				continue
			}
			if strings.HasPrefix(ex.cmd, "go test") {
				continue // this suite
			}
			ex.cmd = strings.ReplaceAll(ex.cmd, "go run .", "ciosim")
			lines = append(lines, ex)
		}
		ran += len(lines)
		began := time.Now()
		runSession(t, b.where, lines, dir, work, bin)
		if d := time.Since(began); d > 10*time.Second {
			t.Logf("slow: %s took %v", b.where, d.Round(100*time.Millisecond))
		}
	}
	t.Logf("docs: ran %d examples from %d sessions; %d skipped by marker:", ran, len(blocks), len(skipped))
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
	serverRE = regexp.MustCompile(`\bciosim (record|serve)\b|--follow\b|--realtime\b|--watch\b`)
	tuiRE    = regexp.MustCompile(`(^|\s|=\S*\s)ciosim(\s+-|\s*$)`)
	resultRE = regexp.MustCompile(`(?m)^(FAIL|START) (\d+) ?(\d*)$`)
)

// sessionPrelude is the shell every session runs in: job control (so servers get process
// groups of their own and can be stopped), and the checks each line reports through fd 3.
const sessionPrelude = `set -m
__bg=()
trap 'for __p in "${__bg[@]}"; do kill -KILL -- "-$__p" 2>/dev/null; done' EXIT
__check() { # rc line want tui
  if [ "$1" = "$3" ]; then return; fi
  if [ "$4" = 1 ] && [ "$1" = 1 ] && grep -q "the TUI needs a terminal" "$__out/$2"; then return; fi
  echo "FAIL $2 $1" >&3
}
__long() { # pid line: a server or paced run passes if it has not failed after a while
  for __i in $(seq 30); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then kill -KILL -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; return; fi
  __r=0; wait "$1" || __r=$?; __check "$__r" "$2" 0 0
}
`

// runSession runs a session's lines in one bash process, in order, so variables, exports
// and background servers carry from one line to the next as they would for a reader.
func runSession(t *testing.T, where string, lines []example, dir, work, bin string) {
	t.Helper()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString(sessionPrelude)
	for i, ex := range lines {
		want := "0"
		if m := exitRE.FindStringSubmatch(ex.cmd); m != nil {
			want = m[1]
		}
		code := stripComment(ex.cmd)
		tui := "0"
		if tuiRE.MatchString(code) && !strings.Contains(code, "|") {
			tui = "1"
		}
		fmt.Fprintf(&sb, "echo \"START %d\" >&3\n", i)
		switch {
		case strings.HasSuffix(code, "&"):
			fmt.Fprintf(&sb, "{ %s } >\"$__out/%d\" 2>&1 </dev/null\n__bg+=($!); sleep 1\n", code, i)
		case serverRE.MatchString(code) && tui == "0":
			fmt.Fprintf(&sb, "{ %s & } >\"$__out/%d\" 2>&1 </dev/null\n__long $! %d\n", code, i, i)
		default:
			fmt.Fprintf(&sb, "{ %s\n} >\"$__out/%d\" 2>&1 </dev/null\n__check $? %d %s %s\n", code, i, i, want, tui)
		}
	}
	sb.WriteString("set +eu\nfor __p in \"${__bg[@]}\"; do kill -KILL -- \"-$__p\" 2>/dev/null; done\nwait 2>/dev/null\n")
	script := filepath.Join(dir, "session.sh")
	if err := os.WriteFile(script, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	status := filepath.Join(dir, "status")
	sf, err := os.Create(status)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", script)
	c.Dir = work
	c.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+filepath.Join(dir, "home"), "NO_COLOR=1", "CIOSIM_CONFIG=", "__out="+out)
	c.ExtraFiles = []*os.File{sf}
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	var stderr bytes.Buffer
	c.Stderr = &capped{b: &stderr, n: 8 << 10}
	c.WaitDelay = 5 * time.Second // a background example holding stderr must not hang the test
	runErr := c.Run()
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL) // end whatever the examples left running
	}
	st, _ := os.ReadFile(status)
	last := -1
	for _, m := range resultRE.FindAllStringSubmatch(string(st), -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "START" {
			last = n
			continue
		}
		msg, _ := os.ReadFile(filepath.Join(out, m[2]))
		if len(msg) > 4096 {
			msg = msg[:4096]
		}
		t.Errorf("%s: exit %s, want 0:\n  %s\n%s", lines[n].where, m[3], lines[n].cmd, indent(string(msg)))
	}
	if ctx.Err() != nil && last >= 0 {
		t.Errorf("%s: still running after the session's %v:\n  %s", lines[last].where, sessionTimeout, lines[last].cmd)
	} else if runErr != nil && ctx.Err() == nil {
		at := ""
		if last >= 0 {
			msg, _ := os.ReadFile(filepath.Join(out, strconv.Itoa(last)))
			at = fmt.Sprintf(" at %s:\n  %s\n%s", lines[last].where, lines[last].cmd, indent(string(msg)))
		}
		t.Errorf("%s: the session stopped (%v)%s\n%s", where, runErr, at, stderr.String())
	}
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
