package main

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	ciosimcmd "github.com/ciosim/ciosim/cmd"
)

// dockerInstr is one Dockerfile instruction with its continuation lines joined.
type dockerInstr struct {
	cmd  string // upper case
	args string
}

func parseDockerfile(t *testing.T, path string) []dockerInstr {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstr
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (l == "" || strings.HasPrefix(l, "#")) {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\") + " ")
			continue
		}
		cur.WriteString(l)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstr{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// The Dockerfile (docker build is not available on every machine, so its properties are
// checked here): multi-stage, a static CGO_ENABLED=0 build of this module, a distroless or
// scratch final stage, a non-root user, and `ciosim record` as the default command,
// listening beyond loopback with its spool in a volume the user can write.
func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, "Dockerfile")
	var froms []int
	for i, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, i)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("FROM count = %d, want a multi-stage build", len(froms))
	}
	build, final := ins[froms[0]:froms[len(froms)-1]], ins[froms[len(froms)-1]:]
	if !strings.Contains(ins[froms[0]].args, " AS ") {
		t.Errorf("build stage is not named: FROM %s", ins[froms[0]].args)
	}
	static := false
	for _, in := range build {
		if in.cmd == "RUN" && strings.Contains(in.args, "CGO_ENABLED=0") && strings.Contains(in.args, "go build") {
			static = true
		}
	}
	if !static {
		t.Error("no RUN CGO_ENABLED=0 go build in the build stage")
	}
	base := ins[froms[len(froms)-1]].args
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final base %q, want distroless static or scratch", base)
	}
	get := func(cmd string) []string {
		var v []string
		for _, in := range final {
			if in.cmd == cmd {
				v = append(v, in.args)
			}
		}
		return v
	}
	users := get("USER")
	if len(users) == 0 {
		t.Fatal("no USER in the final stage: it would run as root")
	}
	if u, _, _ := strings.Cut(users[len(users)-1], ":"); u == "0" || u == "root" {
		t.Errorf("USER %s is root", users[len(users)-1])
	}
	var entry, cmd []string
	if e := get("ENTRYPOINT"); len(e) == 1 {
		json.Unmarshal([]byte(e[0]), &entry)
	}
	if c := get("CMD"); len(c) == 1 {
		json.Unmarshal([]byte(c[0]), &cmd)
	}
	if len(entry) != 1 || filepath.Base(entry[0]) != "ciosim" || len(cmd) == 0 || cmd[0] != "record" {
		t.Fatalf("ENTRYPOINT %q CMD %q, want ciosim record (exec form)", entry, cmd)
	}
	if !slices.Contains(cmd, "--listen") || cmd[slices.Index(cmd, "--listen")+1] != ":8787" {
		t.Errorf("CMD %q: the recorder must listen on all interfaces in a container", cmd)
	}
	spool := cmd[slices.Index(cmd, "--dir")+1]
	owned := false
	for _, in := range final {
		if in.cmd == "COPY" && strings.Contains(in.args, "--chown=65532") && strings.HasSuffix(in.args, " "+spool) {
			owned = true
		}
	}
	if !owned || !slices.ContainsFunc(get("VOLUME"), func(v string) bool { return strings.Contains(v, spool) }) {
		t.Errorf("spool %s is not a volume owned by the non-root user", spool)
	}
	// The default command parses: run it with --help.
	args := append(slices.Clone(cmd), "--help")
	var out strings.Builder
	if code := ciosimcmd.Main(context.Background(), args, ciosimcmd.Streams{In: strings.NewReader(""), Out: &out, Err: &out},
		func(string) string { return "" }); code != 0 {
		t.Errorf("ciosim %v: exit %d\n%s", args, code, out.String())
	}
}

// buildStatic builds ciosim with CGO_ENABLED=0, as the Dockerfile and .goreleaser.yaml do.
func buildStatic(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ciosim")
	// -trimpath and -ldflags as in the Dockerfile would not change how it links, only
	// force a rebuild of every package; leave them out.
	c := exec.Command("go", "build", "-o", bin, ".")
	c.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The binary built with CGO_ENABLED=0 is static: no program interpreter, no dynamic
// section, so it runs on distroless static or scratch.
func TestBinaryIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildStatic(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %v program header: it is dynamically linked", p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("binary has a .dynamic section")
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary imports %v", libs)
	}

	// The example CI workflow's steps run as written with this binary on PATH.
	t.Run("ci example", func(t *testing.T) { runCIExample(t, filepath.Dir(bin)) })
}

// runCIExample runs the run: steps of docs/examples/ci.yml (all but the install) in one
// shell, with the emulator it starts stopped at the end.
func runCIExample(t *testing.T, binDir string) {
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
				Uses string `yaml:"uses"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	b, err := os.ReadFile("docs/examples/ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("docs/examples/ci.yml: %v", err)
	}
	script := "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
	var names []string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Run == "" || strings.HasPrefix(s.Run, "go install ") {
				continue
			}
			names = append(names, s.Name)
			script += s.Run + "\n"
		}
	}
	if !strings.Contains(script, "ciosim generate") || !strings.Contains(script, "--check") || !strings.Contains(script, "ciosim send") {
		t.Fatalf("the workflow does not use generate --check and send:\n%s", script)
	}
	// The example's emulator port may be taken on a shared machine: use a free one.
	port := freePort(t)
	script = strings.ReplaceAll(script, "127.0.0.1:8788", "127.0.0.1:"+port)
	work := t.TempDir()
	os.CopyFS(filepath.Join(work, "fixtures"), os.DirFS("fixtures"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", "-c", script)
	c.Dir = work
	c.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("steps %q failed: %v\n%s", names, err, out)
	}
	rep, err := os.ReadFile(filepath.Join(work, "send-report.json"))
	if err != nil || !regexp.MustCompile(`"delivered": [1-9]`).Match(rep) {
		t.Errorf("send report: %v\n%s", err, rep)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := strings.Cut(ln.Addr().String(), ":")
	return port
}

// .goreleaser.yaml builds static archives for linux, darwin and windows on amd64 and arm64,
// with checksums.
func TestGoreleaserConfig(t *testing.T) {
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main   string   `yaml:"main"`
			Env    []string `yaml:"env"`
			Goos   []string `yaml:"goos"`
			Goarch []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			Formats []string `yaml:"formats"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"checksum"`
	}
	b, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) == 0 || cfg.Checksum.NameTemplate == "" {
		t.Fatalf("config = %+v", cfg)
	}
	bd := cfg.Builds[0]
	if !slices.Contains(bd.Env, "CGO_ENABLED=0") {
		t.Error("builds are not static (CGO_ENABLED=0)")
	}
	for _, want := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(bd.Goos, want) {
			t.Errorf("goos lacks %s", want)
		}
	}
	for _, want := range []string{"amd64", "arm64"} {
		if !slices.Contains(bd.Goarch, want) {
			t.Errorf("goarch lacks %s", want)
		}
	}
}

// compose.yaml runs two recorder replicas behind a proxy, both writing to one bucket with
// distinct replica names and spools.
func TestComposeExample(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Command   []string `yaml:"command"`
			Volumes   []string `yaml:"volumes"`
			DependsOn any      `yaml:"depends_on"`
		} `yaml:"services"`
	}
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	stores, hosts, spools := map[string]bool{}, map[string]bool{}, map[string]bool{}
	recorders := 0
	for _, s := range c.Services {
		if len(s.Command) == 0 || s.Command[0] != "record" {
			continue
		}
		recorders++
		for _, a := range s.Command {
			if v, ok := strings.CutPrefix(a, "--store="); ok {
				stores[v] = true
			}
			if v, ok := strings.CutPrefix(a, "--store-host="); ok {
				hosts[v] = true
			}
		}
		for _, v := range s.Volumes {
			spools[v] = true
		}
	}
	if recorders != 2 || len(stores) != 1 || len(hosts) != 2 || len(spools) != 2 {
		t.Errorf("recorders %d, stores %v, hosts %v, spools %v: want two replicas, one bucket, own names and spools",
			recorders, stores, hosts, spools)
	}
	proxy, ok := c.Services["proxy"]
	if !ok || !strings.Contains(strings.Join(proxy.Command, " "), "recorder-a:8787") ||
		!strings.Contains(strings.Join(proxy.Command, " "), "recorder-b:8787") {
		t.Errorf("no proxy in front of both recorders: %v", proxy.Command)
	}
}

func netListen() (interface {
	Close() error
	Addr() net.Addr
}, error) {
	return net.Listen("tcp", "127.0.0.1:0")
}
