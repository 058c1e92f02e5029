package wiring

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/aep/platform"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
)

// A small schema and two mapping sets for it: one maps every field the schema requires,
// the other leaves eventType out, so its records are bad.
const (
	tuiTestSchema = `{"$id": "https://ns.adobe.com/ciosim/schemas/tuitest", "title": "tui test", "type": "object",
 "properties": {"_id": {"type": "string"}, "timestamp": {"type": "string", "format": "date-time"}, "eventType": {"type": "string"}},
 "required": ["_id", "timestamp", "eventType"]}`
	tuiGoodMapping = `{"mappings": [
 {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
 {"sourceType": "EXPRESSION", "source": "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", "destination": "timestamp"},
 {"sourceType": "EXPRESSION", "source": "concat(object_type, \".\", metric)", "destination": "eventType"}]}`
	tuiBadMapping = `{"mappings": [
 {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
 {"sourceType": "EXPRESSION", "source": "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", "destination": "timestamp"}]}`
	// tuiBadReason is the validator's (AEP's) words for the bad set's records.
	tuiBadReason = "required key [eventType] not found"
)

func writeTestDataflow(t *testing.T, dir, name, flowID, inlet, mapping string) {
	t.Helper()
	d := dataflow.Dir{Path: dir, Dataflow: dataflow.Dataflow{FlowID: flowID, Name: name, InletURL: inlet,
		WebhookURL: inlet + "?x-adobe-flow-id=" + flowID, DatasetID: strings.Repeat("d", 23) + name[:1],
		SchemaRef: "https://ns.adobe.com/ciosim/schemas/tuitest", IMSOrgID: emulator.DefaultOrgID},
		Mapping: []byte(mapping), Schema: []byte(tuiTestSchema)}
	if err := dataflow.WriteDir(d); err != nil {
		t.Fatal(err)
	}
}

func tuiTestEvent(t *testing.T) []byte {
	t.Helper()
	ev, err := generator.New(generator.Options{Seed: 3}).Event("email", "opened")
	if err != nil {
		t.Fatal(err)
	}
	return ev.Bytes()
}

// fire sends one event through an endpoint's sender and returns its result.
func fire(t *testing.T, ep tui.Endpoint, mode tui.Mode, mapping string, ev []byte) tui.Result {
	t.Helper()
	rs, err := ep.Sender.Send(t.Context(), mode, mapping, []tui.Payload{{ID: "1", Event: ev}})
	if err != nil || len(rs) != 1 {
		t.Fatalf("%s: send: %v %+v", ep.Label, err, rs)
	}
	return rs[0]
}

func wantVerdict(t *testing.T, what string, r tui.Result, good bool, reason string) {
	t.Helper()
	if r.Outcome != pipeline.Delivered || r.Verdict == nil {
		t.Fatalf("%s: outcome %s, verdict %v (err %v), want delivered with a verdict", what, r.Outcome, r.Verdict, r.Err)
	}
	if r.Verdict.Good != good || (reason != "" && !strings.Contains(strings.Join(r.Verdict.Reasons, "; "), reason)) {
		t.Errorf("%s: verdict good=%v %q, want good=%v with %q", what, r.Verdict.Good, r.Verdict.Reasons, good, reason)
	}
}

// TestWireTUI_dataflows is the picker on the real wiring: two dataflow directories (a
// parent folder of them) and a flow created through the embedded emulator's control plane
// with `aep setup`'s calls; each, once chosen, maps and validates with its own mapping set
// and schema, fires at its inlet, and the emulator's verdict on each event comes from that
// flow's mapping and schema, in the validator's (AEP's) words, as for the built-in flow.
func TestWireTUI_dataflows(t *testing.T) {
	_, remote := emulatortest.Start(t, emulator.Options{}) // a `ciosim serve` elsewhere
	inlet := remote.URL + "/collection/" + strings.Repeat("ab", 32)
	parent := t.TempDir()
	goodDir, badDir := filepath.Join(parent, "a-good"), filepath.Join(parent, "b-bad")
	writeTestDataflow(t, goodDir, "good", "f0000000-0000-4000-8000-00000000000a", inlet, tuiGoodMapping)
	writeTestDataflow(t, badDir, "bad", "f0000000-0000-4000-8000-00000000000b", inlet, tuiBadMapping)
	os.Mkdir(filepath.Join(parent, "not-a-dataflow"), 0o755)
	dirs, err := ExpandDataflowDirs([]string{parent})
	if err != nil || len(dirs) != 2 || dirs[0] != goodDir || dirs[1] != badDir {
		t.Fatalf("ExpandDataflowDirs = %v, %v", dirs, err)
	}
	ev := tuiTestEvent(t)

	// as cmd configures it from the first directory
	d0, _ := dataflow.ReadDir(goodDir)
	cfg := TUIConfig{Mode: tui.ModeRaw, Seed: 1, Endpoint: inlet, FlowID: d0.Dataflow.FlowID, Mapping: d0.MappingPath(),
		Schema: d0.SchemaPath(), Dataflow: "good (flow f…a)", Dataflows: dirs}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	deps, opts, cleanup, err := WireTUI(ctx, cfg, nil, OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if len(deps.Endpoints) != 2 || !strings.Contains(deps.Endpoints[1].Label, "dataflow good · emulator") || opts.Dataflow.Key != goodDir {
		t.Fatalf("start endpoints %+v, dataflow %+v", deps.Endpoints, opts.Dataflow)
	}
	// E at start fires at the first dataflow's copy in the emulator, judged by its set
	wantVerdict(t, "start, emulator copy", fire(t, deps.Endpoints[1], tui.ModeRaw, opts.MappingSet, ev), true, "")
	if r := fire(t, deps.Endpoints[0], tui.ModeRaw, opts.MappingSet, ev); r.Outcome != pipeline.Delivered {
		t.Errorf("start, remote inlet: %+v", r)
	}

	// a flow created through the emulator's control plane, with the calls `aep setup` makes
	dfs := deps.Dataflows.(*tuiDataflows)
	res, err := dataflow.Setup(ctx, dfs.client, dataflow.SetupRequest{Name: "made-here", Mapping: []byte(tuiBadMapping), Schema: []byte(tuiTestSchema)})
	if err != nil {
		t.Fatalf("setup against the embedded emulator: %v", err)
	}

	list, err := deps.Dataflows.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range list {
		names = append(names, f.Name+"@"+f.Origin)
	}
	if got := strings.Join(names, ","); got != "good@dir "+goodDir+",bad@dir "+badDir+",made-here@emulator" {
		t.Fatalf("List = %s", got)
	}

	// the bad directory: its set, its schema, its inlets
	in, err := deps.Dataflows.Use(ctx, badDir)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := deps.Transformer.Transform(ctx, in.MappingSet, ev)
	if err != nil || len(tr.Problems) == 0 || !strings.Contains(tr.Problems[0].Msg, tuiBadReason) {
		t.Fatalf("transform with the bad dataflow's set: %+v %v", tr.Problems, err)
	}
	if len(in.Endpoints) != 2 || !strings.HasPrefix(in.Endpoints[0].Label, "dataflow bad http://127.0.0.1") || !strings.Contains(in.Endpoints[1].Label, "dataflow bad · emulator") {
		t.Fatalf("bad endpoints: %+v", in.Endpoints)
	}
	wantVerdict(t, "bad dir, emulator copy, raw", fire(t, in.Endpoints[1], tui.ModeRaw, in.MappingSet, ev), false, tuiBadReason)
	// xdm mode: the envelope names the flow, dataset and schema (the emulator checks them);
	// the record is judged bad by the same schema
	wantVerdict(t, "bad dir, emulator copy, xdm", fire(t, in.Endpoints[1], tui.ModeXDM, in.MappingSet, ev), false, tuiBadReason)
	if list2, _ := deps.Dataflows.List(ctx); len(list2) != 3 {
		t.Errorf("after loading the bad directory into the emulator: %d dataflows listed, want 3", len(list2))
	}

	// the control plane's flow: pulled, and fired at in the emulator
	in, err = deps.Dataflows.Use(ctx, "emulator:"+res.Dataflow.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Endpoints) != 1 || in.MappingSet != "emulator flow made-here v0" {
		t.Fatalf("emulator flow: %+v", in)
	}
	wantVerdict(t, "control-plane flow, raw", fire(t, in.Endpoints[0], tui.ModeRaw, in.MappingSet, ev), false, tuiBadReason)

	// the good directory again: good verdicts, xdm mode included
	in, err = deps.Dataflows.Use(ctx, goodDir)
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, "good dir, raw", fire(t, in.Endpoints[1], tui.ModeRaw, in.MappingSet, ev), true, "")
	wantVerdict(t, "good dir, xdm", fire(t, in.Endpoints[1], tui.ModeXDM, in.MappingSet, ev), true, "")

	// a save to a dataflow's mapping reloads it, and its copy in the emulator too
	os.WriteFile(filepath.Join(goodDir, dataflow.MappingFile), []byte(tuiBadMapping), 0o644)
	if err := deps.Reloader.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, "good dir after the save, raw", fire(t, in.Endpoints[1], tui.ModeRaw, in.MappingSet, ev), false, tuiBadReason)
}

func TestExpandDataflowDirs_errors(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(empty, "x.json")
	os.WriteFile(file, []byte("{}"), 0o644)
	for _, args := range [][]string{{empty}, {file}, {filepath.Join(empty, "missing")}} {
		if _, err := ExpandDataflowDirs(args); err == nil {
			t.Errorf("ExpandDataflowDirs(%v) accepted", args)
		}
	}
}

// TestRun_verdictsForAControlPlaneFlow: events fired at the inlet of a flow created through
// the emulator's Flow Service (with the calls `aep setup` makes) get the same per-event
// verdicts, in the same words, in the send report as the same mapping and schema given as a
// built-in flow (`serve --flow`).
func TestRun_verdictsForAControlPlaneFlow(t *testing.T) {
	ctx := t.Context()
	good := tuiTestEvent(t)
	bad := []byte(strings.Replace(string(good), `"event_id":`, `"no_event_id":`, 1))
	input := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(input, []byte(string(good)+"\n"+string(bad)+"\n"), 0o644)

	report := func(dcs *emulator.Server, url, flowID string) pipeline.Report {
		t.Helper()
		c, err := aep.New(aep.Options{URL: url, FlowID: flowID, Mode: aep.ModeRaw, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		run := Run{Command: "send", Client: c, Emulator: dcs, Stderr: io.Discard, Options: pipeline.Options{OnResult: func(r pipeline.Result) {
			if r.Verdict != nil {
				lines = append(lines, fmt.Sprint(r.Verdict.Good, r.Verdict.Reasons))
			}
		}}}
		src := NewFileSource([]string{input}, nil)
		defer src.Close()
		rep, err := run.Deliver(ctx, src)
		if err != nil || len(lines) != 2 {
			t.Fatalf("deliver: %v, verdicts %q", err, lines)
		}
		return rep
	}

	// the control plane's flow
	cp, err := controlplane.New(controlplane.Options{Compile: ControlPlaneCompile})
	if err != nil {
		t.Fatal(err)
	}
	dcs, err := emulator.New(emulator.Options{Flows: cp})
	if err != nil {
		t.Fatal(err)
	}
	run, err := controlplane.Start("127.0.0.1:0", httpserve.Config{}, dcs, cp)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	cli, err := platform.New(platform.Config{ClientID: "c", ClientSecret: secret.New("s"), OrgID: emulator.DefaultOrgID, PlatformURL: run.URL, IMSURL: run.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dataflow.Setup(ctx, cli, dataflow.SetupRequest{Name: "made-here", Mapping: []byte(tuiGoodMapping), Schema: []byte(tuiTestSchema)})
	if err != nil {
		t.Fatal(err)
	}
	cpRep := report(dcs, inletBase(res.Dataflow.InletURL), res.Dataflow.FlowID)

	// the same mapping and schema as a built-in flow
	m, v, _, err := CompileFlow([]byte(tuiGoodMapping), []byte(tuiTestSchema), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	static, err := emulator.NewStaticFlows(emulator.Flow{ID: emulator.DefaultFlowID, Mapper: m, Validator: v})
	if err != nil {
		t.Fatal(err)
	}
	bdcs, brun := emulatortest.Start(t, emulator.Options{Flows: static})
	builtinRep := report(bdcs, brun.InletURL(), emulator.DefaultFlowID)

	if cpRep.Emulator == nil || cpRep.Emulator.Good != 1 || cpRep.Emulator.Bad != 1 || len(cpRep.Emulator.Why) != 1 ||
		!strings.Contains(cpRep.Emulator.Why[0].Kind, "required key [_id] not found") {
		t.Fatalf("control-plane flow's verdicts: %+v", cpRep.Emulator)
	}
	if a, b := fmt.Sprint(cpRep.Emulator.Good, cpRep.Emulator.Bad, cpRep.Emulator.Why[0].Kind), fmt.Sprint(builtinRep.Emulator.Good, builtinRep.Emulator.Bad, builtinRep.Emulator.Why[0].Kind); a != b {
		t.Errorf("verdicts differ: control plane %s, built-in %s", a, b)
	}
	var text strings.Builder
	cpRep.WriteText(&text)
	if !strings.Contains(text.String(), "emulator       1 good, 1 bad records") {
		t.Errorf("report:\n%s", text.String())
	}
	// and the flow's run counted both
	runs, err := cli.ListRuns(ctx, res.Dataflow.FlowID)
	if err != nil || len(runs) != 1 || runs[0].Metrics.RecordSummary.InputRecordCount != 2 || runs[0].Metrics.RecordSummary.FailedRecordCount != 1 {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

// TestTUIFlow_switchDataflows is the picker end to end on the real wiring at 80×24: start
// with a folder of two dataflows, generate, open the picker (D), choose the second, move to
// its copy in the emulator (E), fire: the send log shows the emulator's verdict by that
// flow's own mapping and schema; back to the first, fire again: good.
func TestTUIFlow_switchDataflows(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	_, remote := emulatortest.Start(t, emulator.Options{})
	inlet := remote.URL + "/collection/" + strings.Repeat("cd", 32)
	parent := t.TempDir()
	writeTestDataflow(t, filepath.Join(parent, "orders"), "orders", "f0000000-0000-4000-8000-00000000000a", inlet, tuiGoodMapping)
	writeTestDataflow(t, filepath.Join(parent, "signups"), "signups", "f0000000-0000-4000-8000-00000000000b", inlet, tuiBadMapping)
	dirs, err := ExpandDataflowDirs([]string{parent})
	if err != nil {
		t.Fatal(err)
	}
	d0, _ := dataflow.ReadDir(dirs[0])
	cfg := TUIConfig{Mode: tui.ModeRaw, Seed: 42, Endpoint: inlet, FlowID: d0.Dataflow.FlowID, Mapping: d0.MappingPath(),
		Schema: d0.SchemaPath(), Dataflow: "orders", Dataflows: dirs}
	deps, opts, cleanup, err := WireTUI(t.Context(), cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	tm := teatest.NewTestModel(t, tui.New(t.Context(), deps, opts), teatest.WithInitialTermSize(80, 24))
	wait := func(want ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, w := range want {
				if !bytes.Contains(b, []byte(w)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	keys := func(ks ...string) {
		for _, k := range ks {
			switch k {
			case "enter":
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			default:
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
			}
		}
	}
	wait("D dataflows")
	keys("j", "l", "j", "j", "j", "j", "j", "g") // email/opened
	wait("email/opened")
	keys("D")
	wait("signups · dir")
	keys("j", "j", "enter")
	wait("dataflow signups: firing")
	keys("E", "f")
	wait("bad: #: require")
	keys("D", "k", "enter") // the cursor stayed on signups: up to orders
	wait("dataflow orders: firing")
	keys("E", "f")
	wait("good · ")
	keys("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(tui.Model)
	log := fm.SendLog()
	if len(log) != 2 || log[0].Status != 200 || log[0].Bad != "#: "+tuiBadReason || !log[1].Good || log[1].Bad != "" {
		t.Fatalf("send log = %+v, want the emulator's bad verdict by the signups flow's schema, then good by orders'", log)
	}
	if name, ep := fm.Dataflow(); name != "orders" || !strings.Contains(ep, "dataflow orders · emulator") {
		t.Errorf("dataflow in force = %q at %q", name, ep)
	}
}

// TestWireTUI_remoteServeFlowVerdict: a dataflow pulled from a separate emulator (`ciosim
// serve`), made there through its Flow Service, is fired at on that emulator from the TUI,
// and its verdict, asked of that emulator over HTTP, reaches the send log's result in the
// validator's words.
func TestWireTUI_remoteServeFlowVerdict(t *testing.T) {
	cp, err := controlplane.New(controlplane.Options{Compile: ControlPlaneCompile})
	if err != nil {
		t.Fatal(err)
	}
	dcs, err := emulator.New(emulator.Options{Flows: cp})
	if err != nil {
		t.Fatal(err)
	}
	run, err := controlplane.Start("127.0.0.1:0", httpserve.Config{}, dcs, cp)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	cli, err := platform.New(platform.Config{ClientID: "c", ClientSecret: secret.New("s"), OrgID: emulator.DefaultOrgID, PlatformURL: run.URL, IMSURL: run.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dataflow.Setup(t.Context(), cli, dataflow.SetupRequest{Name: "remote", Mapping: []byte(tuiBadMapping), Schema: []byte(tuiTestSchema)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := dataflow.Pull(t.Context(), cli, res.Dataflow.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	d.Path = filepath.Join(t.TempDir(), "remote")
	if err := dataflow.WriteDir(d); err != nil {
		t.Fatal(err)
	}
	deps, _, cleanup, err := WireTUI(t.Context(), TUIConfig{Mode: tui.ModeRaw, Seed: 1, Dataflows: []string{d.Path}}, nil, OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	in, err := deps.Dataflows.Use(t.Context(), d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(in.Endpoints[0].Label, "dataflow remote "+run.URL) {
		t.Fatalf("first endpoint %q, want the separate emulator's inlet", in.Endpoints[0].Label)
	}
	wantVerdict(t, "separate emulator", fire(t, in.Endpoints[0], tui.ModeRaw, in.MappingSet, tuiTestEvent(t)), false, tuiBadReason)
}
