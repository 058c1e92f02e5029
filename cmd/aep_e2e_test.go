package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/ciosim/ciosim/internal/sharedtest"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

const (
	e2eSecret = "e2e-client-secret-9f8e7d6c5b4a"
	e2eOrg    = "E2E00000000000000000000@AdobeOrg"
)

// syncBuf is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startServe runs `ciosim serve` in-process on a free port and returns its base URL and
// everything it prints.
func startServeCP(t *testing.T, args ...string) (string, *syncBuf) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuf{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Main(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), Streams{In: strings.NewReader(""), Out: pw, Err: logs}, func(string) string { return "" })
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	sc := bufio.NewScanner(pr)
	urlc := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			if u, ok := strings.CutPrefix(line, "AEP streaming emulator listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, logs
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not start: %s", logs.String())
		return "", nil
	}
}

// sharedCompatSchema is the derived ExperienceEvent schema from ../shared/xdm (through
// sharedtest.Path: it skips locally when missing and fails under CI=true).
const sharedCompatSchema = "xdm/derived/experienceevent-messaging.compat.schema.json"

// TestAEP_endToEnd is the path over real HTTP, no client mocks: serve → aep login →
// aep setup with a mapping file and a schema file → send good and bad events to the webhook
// URL it prints → aep status counts them → aep pull writes the same mapping → edit → aep
// diff exits 1 → aep push → the mapping version went up and new events use it. Finally
// every output, log and file is searched for the client secret and the token.
func TestAEP_endToEnd(t *testing.T) {
	schemaSrc, err := os.ReadFile(sharedtest.Path(t, sharedCompatSchema))
	if err != nil {
		t.Fatalf("the shared XDM schema is needed: %v", err)
	}
	work := t.TempDir()
	cache := t.TempDir()
	state := filepath.Join(work, "state.json")
	base, serveLogs := startServeCP(t, "--state", state)
	env := map[string]string{
		"AEP_CLIENT_ID": "e2e-client", "AEP_CLIENT_SECRET": e2eSecret, "AEP_IMS_ORG": e2eOrg, "AEP_SANDBOX_NAME": "dev",
		"AEP_PLATFORM_URL": base, "AEP_IMS_URL": base, "CIOSIM_CACHE_DIR": cache,
	}
	var outputs []string
	cli := func(stdin string, args ...string) (int, string) {
		t.Helper()
		code, out, stderr := run(t, env, stdin, args...)
		outputs = append(outputs, out, stderr)
		if code != 0 && code != 1 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, stderr)
		}
		return code, out + stderr
	}
	runEnv := func(e map[string]string, stdin string, args ...string) (int, string, string) {
		code, out, stderr := run(t, e, stdin, args...)
		outputs = append(outputs, out, stderr)
		return code, out, stderr
	}

	// login
	code, out := cli("", "aep", "login")
	if code != 0 || !strings.Contains(out, "tenant") || !strings.Contains(out, "ciosim") || !strings.Contains(out, e2eOrg) || !strings.Contains(out, "sandbox    dev") {
		t.Fatalf("aep login: %d %s", code, out)
	}

	// setup with a mapping file (the experience-event set without tenant fields) and a schema file
	ms, err := xdm.Default("experience-event", "")
	if err != nil {
		t.Fatal(err)
	}
	t0, _ := xdm.NormalizeTenant("")
	mappingFile := filepath.Join(work, "mapping.json")
	os.WriteFile(mappingFile, ms.Without(t0).JSON(), 0o644)
	schemaFile := filepath.Join(work, "schema.json")
	os.WriteFile(schemaFile, schemaSrc, 0o644)
	setupDir := filepath.Join(work, "setup")
	code, out = cli("", "aep", "setup", "--name", "cio-e2e", "--mapping", mappingFile, "--schema", schemaFile, "--out", setupDir, "--json")
	if code != 0 {
		t.Fatalf("aep setup: %s", out)
	}
	var setup dataflow.SetupResult
	if err := json.Unmarshal([]byte(out), &setup); err != nil {
		t.Fatalf("setup --json: %v\n%s", err, out)
	}
	df := setup.Dataflow
	if !strings.HasPrefix(df.WebhookURL, base+"/collection/") || !strings.HasSuffix(df.WebhookURL, "?x-adobe-flow-id="+df.FlowID) || df.MappingVersion != 0 {
		t.Fatalf("dataflow = %+v", df)
	}
	if len(setup.Steps) != 6 {
		t.Errorf("setup steps = %+v, want schema, dataset, two connections, mapping set, flow", setup.Steps)
	}
	// a second setup reuses everything by name
	code, out = cli("", "aep", "setup", "--name", "cio-e2e", "--mapping", mappingFile, "--schema", schemaFile)
	if code != 0 || strings.Contains(out, "created") || strings.Count(out, "reused") != 6 || !strings.Contains(out, df.WebhookURL) {
		t.Errorf("second setup: %s", out)
	}
	code, out = cli("", "aep", "setup", "--name", "other", "--mapping", mappingFile, "--schema-id", df.SchemaRef, "--dry-run")
	if code != 0 || !strings.Contains(out, "would create  flow") || !strings.Contains(out, "dry run") {
		t.Errorf("dry run: %s", out)
	}

	// send: 69 good events and 3 bad ones (no event_id → no _id) to the printed webhook URL
	good := generated(t)
	var bad strings.Builder
	for _, l := range strings.SplitN(good, "\n", 4)[:3] {
		bad.WriteString(strings.Replace(l, `"event_id":`, `"not_event_id":`, 1) + "\n")
	}
	inlet, flowID, _ := strings.Cut(df.WebhookURL, "?x-adobe-flow-id=")
	dead := filepath.Join(work, "dead.jsonl")
	send := func(events string) {
		t.Helper()
		code, out := cli(events, "send", "--to", inlet, "--flow-id", flowID, "--dead-letter", dead, "--no-progress", "--report", "json")
		if code != 0 {
			t.Fatalf("send: %s", out)
		}
	}
	send(good + bad.String())

	status := func() dataflow.Status {
		t.Helper()
		code, out := cli("", "aep", "status", flowID, "--since", "1h", "--json")
		var st dataflow.Status
		if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
			t.Fatalf("aep status: %s", out)
		}
		return st
	}
	st := status()
	if st.Totals.InputRecordCount != 72 || st.Totals.OutputRecordCount != 69 || st.Totals.FailedRecordCount != 3 || len(st.Failures) != 3 {
		t.Fatalf("status totals = %+v, failures %d", st.Totals, len(st.Failures))
	}
	if r := strings.Join(st.Failures[0].Reasons, ";"); !strings.Contains(r, "#: required key [_id] not found") {
		t.Errorf("failure reasons = %q", r)
	}
	if _, text := cli("", "aep", "status", flowID); !strings.Contains(text, "72 received, 69 ingested, 3 failed") {
		t.Errorf("status text: %s", text)
	}

	// flows lists it
	if _, text := cli("", "aep", "flows"); !strings.Contains(text, flowID) || !strings.Contains(text, "cio-e2e") {
		t.Errorf("aep flows: %s", text)
	}

	// pull: the mapping equals the one set up; mapping.json and schema.json drive transform
	pulled := filepath.Join(work, "pulled")
	if code, out := cli("", "aep", "pull", flowID, "--out", pulled); code != 0 {
		t.Fatalf("aep pull: %s", out)
	}
	d, err := dataflow.ReadDir(pulled)
	if err != nil {
		t.Fatal(err)
	}
	got, err := xdm.ParseMappingSet(d.Mapping)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := xdm.ParseMappingSet(ms.Without(t0).JSON())
	if !reflect.DeepEqual(got.Mappings, want.Mappings) || got.OutputSchema == nil || got.OutputSchema.SchemaRef.ID != df.SchemaRef {
		t.Errorf("pulled mapping differs from the one set up")
	}
	if d.Dataflow.FlowID != flowID || d.Dataflow.DatasetID != df.DatasetID || d.Dataflow.InletURL != inlet {
		t.Errorf("pulled dataflow.json = %+v", d.Dataflow)
	}
	raw, _ := os.ReadFile(filepath.Join(pulled, "dataflow.json"))
	for _, k := range []string{`"flowId"`, `"inletUrl"`, `"webhookUrl"`, `"datasetId"`, `"schemaRef"`, `"mappingId"`, `"mappingVersion"`, `"sourceConnectionId"`, `"targetConnectionId"`} {
		if !bytes.Contains(raw, []byte(k)) {
			t.Errorf("dataflow.json lacks %s", k)
		}
	}
	if code, out, stderr := runEnv(env, good, "transform", "--mapping", filepath.Join(pulled, "mapping.json"), "--validate", filepath.Join(pulled, "schema.json")); code != 0 || strings.Count(out, "\n") != 69 {
		t.Errorf("transform with the pulled files: exit %d: %.300s", code, stderr)
	}
	if code, _, stderr := runEnv(env, bad.String(), "transform", "--dataflow", pulled); code != 1 || !strings.Contains(stderr, "3 rejected") {
		t.Errorf("transform --dataflow on bad events: exit %d: %.300s", code, stderr)
	}
	if code, out := cli("", "aep", "diff", pulled); code != 0 || !strings.Contains(out, "same") {
		t.Errorf("diff right after pull: %d %s", code, out)
	}

	// edit: add a tenant field the closed schema does not allow, so new records fail
	var set map[string]any
	json.Unmarshal(d.Mapping, &set)
	set["mappings"] = append(set["mappings"].([]any), map[string]any{"sourceType": "ATTRIBUTE", "source": "metric", "destination": "_ciosim.metric"})
	edited, _ := json.MarshalIndent(set, "", "  ")
	os.WriteFile(filepath.Join(pulled, "mapping.json"), edited, 0o644)
	if code, out := cli("", "aep", "diff", pulled); code != 1 || !strings.Contains(out, `+      "destination": "_ciosim.metric",`) {
		t.Errorf("diff after edit: %d %s", code, out)
	}
	code, out = cli("", "aep", "push", pulled, "--json")
	var pr dataflow.PushResult
	if code != 0 || json.Unmarshal([]byte(out), &pr) != nil || pr.FromVersion != 0 || pr.ToVersion != 1 {
		t.Fatalf("push: %d %s", code, out)
	}
	if code, out := cli("", "aep", "diff", pulled); code != 0 {
		t.Errorf("diff after push: %d %s", code, out)
	}
	after, _ := dataflow.ReadDir(pulled)
	if after.Dataflow.MappingVersion != 1 {
		t.Errorf("dataflow.json mappingVersion after push = %d", after.Dataflow.MappingVersion)
	}
	// send --dataflow fires at the directory's inlet with its flow id
	if code, out := cli(strings.Join(strings.SplitN(good, "\n", 3)[:2], "\n")+"\n", "send", "--dataflow", pulled, "--dead-letter", dead, "--no-progress"); code != 0 || !strings.Contains(out, "delivered      2") {
		t.Fatalf("send --dataflow: %d %s", code, out)
	}
	// replay --dataflow too
	replayIn := filepath.Join(work, "replay.jsonl")
	os.WriteFile(replayIn, []byte(strings.SplitN(good, "\n", 2)[0]+"\n"), 0o644)
	if code, out := cli("", "replay", replayIn, "--dataflow", pulled, "--speed", "max"); code != 0 {
		t.Fatalf("replay --dataflow: %d %s", code, out)
	}
	st = status()
	if st.MappingVersion != 1 || st.Totals.InputRecordCount != 75 || st.Totals.FailedRecordCount != 6 {
		t.Errorf("after push: version %d, totals %+v", st.MappingVersion, st.Totals)
	}
	newest := strings.Join(st.Failures[len(st.Failures)-1].Reasons, ";")
	if !strings.Contains(newest, "extraneous key [_ciosim] is not permitted") {
		t.Errorf("new events were not judged by version 1: %q", newest)
	}

	// serve --dataflow loads the pulled directory, keeping the flow and inlet ids: the same
	// webhook path on another emulator judges with the directory's mapping and schema.
	base2, logs2 := startServeCP(t, "--dataflow", pulled)
	inletPath := strings.TrimPrefix(inlet, base)
	wantURL := base2 + inletPath + "?x-adobe-flow-id=" + flowID
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs2.String(), wantURL) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // serve prints its lines one by one
	}
	if !strings.Contains(logs2.String(), wantURL) {
		t.Errorf("serve --dataflow did not print the loaded webhook URL: %s", logs2.String())
	}
	if code, out := cli(strings.SplitN(good, "\n", 2)[0]+"\n", "send", "--to", base2+inletPath, "--flow-id", flowID, "--dead-letter", dead, "--no-progress"); code != 0 {
		t.Fatalf("send to the loaded flow: %s", out)
	}
	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["AEP_PLATFORM_URL"], env2["AEP_IMS_URL"] = base2, base2
	code, out, stderr := runEnv(env2, "", "aep", "status", flowID, "--json")
	outputs = append(outputs, logs2.String())
	var st2 dataflow.Status
	if code != 0 || json.Unmarshal([]byte(out), &st2) != nil || st2.Totals.InputRecordCount != 1 || st2.Totals.FailedRecordCount != 1 ||
		!strings.Contains(strings.Join(st2.Failures[0].Reasons, ";"), "extraneous key [_ciosim]") {
		t.Errorf("status on the loaded flow: %d %s %s", code, out, stderr)
	}

	// secrets: the token is only in the 0600 cache; neither it nor the client secret is
	// anywhere else — outputs, serve's logs, the state file, dataflow directories.
	caches, _ := filepath.Glob(filepath.Join(cache, "ims-token-*.json"))
	if len(caches) != 2 { // one per emulator (the IMS URL is part of the key)
		t.Fatalf("token cache files = %v", caches)
	}
	for _, c := range caches {
		if fi, _ := os.Stat(c); fi.Mode().Perm() != 0o600 {
			t.Errorf("token cache mode %#o", fi.Mode().Perm())
		}
	}
	creds := []string{e2eSecret}
	for _, c := range caches {
		var ct struct {
			AccessToken string `json:"access_token"`
		}
		cb, _ := os.ReadFile(c)
		json.Unmarshal(cb, &ct)
		if ct.AccessToken == "" {
			t.Fatal("no token in the cache")
		}
		creds = append(creds, ct.AccessToken)
	}
	outputs = append(outputs, serveLogs.String())
	for i, o := range outputs {
		for _, s := range creds {
			if strings.Contains(o, s) {
				t.Errorf("output %d holds a credential: %.200s", i, o)
			}
		}
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("state file: %v", err)
	}
	filepath.WalkDir(work, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range creds {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a credential", p)
			}
		}
		return nil
	})
}

// TestAEP_loginErrors: wrong credentials, a world-readable config file with a secret and
// missing configuration fail with AEP's words and without the secret in any output.
func TestAEP_loginErrors(t *testing.T) {
	dir := t.TempDir()
	secFile := filepath.Join(dir, "secret")
	os.WriteFile(secFile, []byte("the-right-secret\n"), 0o600)
	base, logs := startServeCP(t, "--client-id", "cid", "--client-secret-file", secFile)
	env := map[string]string{"AEP_CLIENT_ID": "cid", "AEP_CLIENT_SECRET": e2eSecret, "AEP_IMS_ORG": e2eOrg,
		"AEP_PLATFORM_URL": base, "AEP_IMS_URL": base, "CIOSIM_CACHE_DIR": dir}
	code, out, stderr := run(t, env, "", "aep", "login")
	if code != 1 || !strings.Contains(stderr, "invalid_client: invalid client_secret parameter") {
		t.Errorf("wrong secret: exit %d: %s", code, stderr)
	}
	cfg := filepath.Join(dir, "aep.json")
	os.WriteFile(cfg, []byte(`{"org_id":"`+e2eOrg+`","client_id":"cid","secret":"`+e2eSecret+`"}`), 0o644)
	code2, out2, stderr2 := run(t, map[string]string{"AEP_PLATFORM_URL": base, "AEP_IMS_URL": base}, "", "aep", "login", "--config", cfg)
	if code2 != 2 || !strings.Contains(stderr2, "chmod 600") {
		t.Errorf("0644 config: exit %d: %s", code2, stderr2)
	}
	code3, _, stderr3 := run(t, map[string]string{}, "", "aep", "flows")
	if code3 != 2 || !strings.Contains(stderr3, "AEP_CLIENT_ID") {
		t.Errorf("no configuration: exit %d: %s", code3, stderr3)
	}
	for _, o := range []string{out, stderr, out2, stderr2, stderr3, logs.String()} {
		if strings.Contains(o, e2eSecret) || strings.Contains(o, "the-right-secret") {
			t.Errorf("a secret leaked: %s", o)
		}
	}
	// The right secret from the same 0600 config file works.
	os.WriteFile(cfg, []byte(`{"org_id":"`+e2eOrg+`","client_id":"cid","secret":"the-right-secret","sandbox-name":"prod"}`), 0o600)
	os.Chmod(cfg, 0o600)
	if code, out, stderr := run(t, map[string]string{"AEP_PLATFORM_URL": base, "AEP_IMS_URL": base, "CIOSIM_CACHE_DIR": dir}, "", "aep", "login", "--config", cfg, "--json"); code != 0 || !strings.Contains(out, `"sandboxName": "prod"`) || strings.Contains(out, "the-right-secret") {
		t.Errorf("login from config: exit %d: %s %s", code, out, stderr)
	}
}

func TestTransform_printMappingWithoutTenantFields(t *testing.T) {
	code, out, _ := run(t, nil, "", "transform", "--print-mapping", "experience-event", "--no-tenant-fields")
	if code != 0 || strings.Contains(out, `"destination": "_tenant`) || !strings.Contains(out, `"destination": "_id"`) {
		t.Errorf("exit %d: %.300s", code, out)
	}
}

func TestTUI_dataflowFlag(t *testing.T) {
	dir := t.TempDir()
	d := dataflow.Dir{Path: dir, Dataflow: dataflow.Dataflow{FlowID: "flow-1", InletURL: "http://127.0.0.1:1/collection/" + strings.Repeat("a", 64)},
		Mapping: []byte(`{"mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}]}`)}
	if err := dataflow.WriteDir(d); err != nil {
		t.Fatal(err)
	}
	o := tuiOptions{dataflows: []string{dir}, mode: "raw", seed: 1, flowID: "given"}
	changed := func(f string) bool { return f == "flow-id" }
	if err := applyTUIDataflow(&o, changed); err != nil {
		t.Fatal(err)
	}
	a := &app{ctx: context.Background(), getenv: func(string) string { return "" }}
	cfg, err := a.tuiConfig(o, changed)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != d.Dataflow.InletURL || cfg.FlowID != "given" || cfg.Mapping != filepath.Join(dir, "mapping.json") || o.dataflowLabel != "unnamed (flow flow-1)" {
		t.Errorf("tui config = %+v", cfg)
	}
	if err := applyTUIDataflow(&tuiOptions{dataflows: []string{t.TempDir()}}, changed); err == nil {
		t.Error("an empty directory was accepted")
	}
}

func TestTUI_dataflowEndpointLabel(t *testing.T) {
	cfg := tuiConfig{Mode: tui.ModeRaw, Seed: 1, Endpoint: "http://127.0.0.1:1/collection/" + strings.Repeat("a", 64), FlowID: "f", Dataflow: "customerio (flow f)"}
	deps, opts, cleanup, err := wiring.WireTUI(context.Background(), cfg, nil, wiring.OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if len(deps.Endpoints) != 2 || !strings.HasPrefix(deps.Endpoints[0].Label, "dataflow customerio (flow f) ") || !strings.Contains(opts.Info, "dataflow customerio") {
		t.Errorf("endpoints %+v, info %q", deps.Endpoints, opts.Info)
	}
}
