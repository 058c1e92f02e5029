package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/recordings"
)

// verdictServer is an emulator over httptest that counts the ids asked of its verdict
// route per request.
type verdictServer struct {
	emu  *emulator.Server
	srv  *httptest.Server
	mu   sync.Mutex
	asks []int
}

func newVerdictServer(t *testing.T, o emulator.Options) *verdictServer {
	t.Helper()
	emu, err := emulator.New(o)
	if err != nil {
		t.Fatal(err)
	}
	v := &verdictServer{emu: emu}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == VerdictPath {
			b, _ := io.ReadAll(r.Body)
			var req emulator.VerdictRequest
			json.Unmarshal(b, &req)
			v.mu.Lock()
			v.asks = append(v.asks, len(req.XactionIDs))
			v.mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { emu.Close(); v.srv.Close() })
	return v
}

// badEvery3 judges raw posts: every third delivery is bad, in AEP's wording.
var badEvery3 = emulator.MapperFunc(func(body []byte) ([]byte, []string, error) {
	var ev struct {
		Data struct {
			DeliveryID string `json:"delivery_id"`
		} `json:"data"`
	}
	json.Unmarshal(body, &ev)
	var n int
	fmt.Sscanf(ev.Data.DeliveryID, "d%d", &n)
	switch n % 3 {
	case 1:
		return []byte(`{}`), []string{"#/_acme/email: [x] is not a valid email address"}, nil
	case 2:
		return []byte(`{}`), []string{"#/_acme: required key [email] not found"}, nil
	}
	return []byte(`{}`), nil, nil
})

// entityCheck judges XDM entities the same way, by their _id.
var entityCheck = emulator.ValidatorFunc(func(ent []byte) []emulator.Violation {
	var m struct {
		ID string `json:"_id"`
	}
	json.Unmarshal(ent, &m)
	var n int
	fmt.Sscanf(m.ID, "d%d", &n)
	if n%3 == 1 {
		return []emulator.Violation{{Pointer: "#/timestamp", SchemaLocation: "#/properties/timestamp", Keyword: "format", Message: "[x] is not a valid date-time"}}
	}
	return nil
})

func toXDM(rec recordings.Record, body []byte) ([]byte, error) {
	var ev struct {
		Data struct {
			DeliveryID string `json:"delivery_id"`
		} `json:"data"`
	}
	json.Unmarshal(body, &ev)
	return []byte(`{"header":{"schemaRef":{"id":"s","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"body":{"xdmMeta":{"schemaRef":{"id":"s"}},"xdmEntity":{"_id":"` + ev.Data.DeliveryID + `","timestamp":"2026-01-01T00:00:00Z"}}}`), nil
}

// sameVerdicts is what must agree between the in-process and the separate emulator: the
// counts and each reason with its count (the examples name whichever event came first).
func sameVerdicts(v *EmulatorVerdicts) string {
	if v == nil {
		return "no verdicts"
	}
	var kinds []string
	for _, k := range v.Why {
		kinds = append(kinds, fmt.Sprintf("%d×%s", k.Count, k.Kind))
	}
	slices.Sort(kinds)
	return fmt.Sprintf("good %d bad %d unknown %d %q note %q", v.Good, v.Bad, v.Unknown, kinds, v.Note)
}

// TestDeliver_separateEmulatorVerdicts: a delivery to an emulator it does not hold in
// process (a separate `ciosim serve`) gets every verdict over HTTP, in bounded batches, into
// the same Result field, so the report is the one the in-process lookup gives — raw, xdm and
// batch modes.
func TestDeliver_separateEmulatorVerdicts(t *testing.T) {
	recs := captureRecords(t, make([]time.Duration, 599))
	for _, mode := range []aep.Mode{aep.ModeRaw, aep.ModeXDM, aep.ModeBatch} {
		t.Run(string(mode), func(t *testing.T) {
			vs := newVerdictServer(t, emulator.Options{Mapper: badEvery3, Validator: entityCheck})
			c, err := aep.New(aep.Options{Mode: mode, URL: vs.srv.URL + "/collection/" + inlet, FlowID: "f",
				Concurrency: 4, BatchMaxMessages: 50})
			if err != nil {
				t.Fatal(err)
			}
			o := Options{}
			if mode != aep.ModeRaw {
				o.Transform = toXDM
			}
			deliver := func(o Options) (Report, []Result) {
				o.Tally = NewTally(nil)
				res, err := collect(t, context.Background(), sliceSource(recs), c, o)
				if err != nil || len(res) != len(recs) {
					t.Fatalf("%d results, err %v", len(res), err)
				}
				return o.Tally.Report("send", string(mode), false), res
			}
			remote, res := deliver(o)
			for _, r := range res {
				want, ok := vs.emu.Verdict(r.XactionID)
				if !ok || r.Verdict == nil || r.Verdict.Good != want.Good || !reflect.DeepEqual(r.Verdict.Reasons, want.Reasons) {
					t.Fatalf("%s: verdict %+v, emulator's %+v (%v)", r.Message.Source, r.Verdict, want, ok)
				}
			}
			o.Verdict = func(x string) (Verdict, bool) {
				v, ok := vs.emu.Verdict(x)
				return Verdict{Good: v.Good, Reasons: v.Reasons}, ok
			}
			local, _ := deliver(o)
			if a, b := sameVerdicts(remote.Emulator), sameVerdicts(local.Emulator); a != b {
				t.Errorf("separate emulator: %s\nin process:        %s", a, b)
			}
			wantBad := 400
			if mode != aep.ModeRaw {
				wantBad = 200
			}
			if remote.Emulator == nil || remote.Emulator.Bad != wantBad || remote.Emulator.Good != 600-wantBad || remote.Emulator.Unknown != 0 {
				t.Errorf("verdicts %+v, want %d bad", remote.Emulator, wantBad)
			}
			vs.mu.Lock()
			defer vs.mu.Unlock()
			total := 0
			for _, n := range vs.asks {
				total += n
				if n < 1 || n > MaxVerdictBatch {
					t.Errorf("a verdict request asked about %d ids", n)
				}
			}
			if total != 600 {
				t.Errorf("verdicts asked for %d events, want the 600 delivered (once each)", total)
			}
		})
	}
}

// TestDeliver_noVerdictRequestsToAEP: an endpoint that does not identify itself as the
// emulator (AEP) is never asked anything but the posts, and the report has no verdicts.
func TestDeliver_noVerdictRequestsToAEP(t *testing.T) {
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if !strings.HasPrefix(r.URL.Path, "/collection/") {
			t.Errorf("AEP was asked %s %s", r.Method, r.URL.Path)
		}
		return false
	})
	for _, mode := range []aep.Mode{aep.ModeRaw, aep.ModeBatch} {
		tally := NewTally(nil)
		o := Options{Tally: tally}
		if mode == aep.ModeBatch {
			o.Transform = toXDM
		}
		res, err := collect(t, context.Background(), sliceSource(captureRecords(t, make([]time.Duration, 49))), e.client(t, aep.Options{Mode: mode}), o)
		if err != nil || len(res) != 50 {
			t.Fatalf("%d results, err %v", len(res), err)
		}
		if rep := tally.Report("send", string(mode), false); rep.Emulator != nil || rep.Delivered != 50 {
			t.Errorf("%s: report %+v", mode, rep)
		}
	}
	if got := e.n.Load(); got != 50+1 {
		t.Errorf("%d requests, want 51 (50 posts, 1 batch)", got)
	}
}

// TestDeliver_verdictRouteFails: when the emulator cannot be asked, the events stay
// delivered, the report counts them as without a verdict and says why, and it is asked once.
func TestDeliver_verdictRouteFails(t *testing.T) {
	var asked atomic.Int32
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		w.Header().Set(aep.HeaderEmulator, "1")
		if r.URL.Path == VerdictPath {
			asked.Add(1)
			http.NotFound(w, r)
			return true
		}
		return false
	})
	tally := NewTally(nil)
	res, err := collect(t, context.Background(), sliceSource(captureRecords(t, make([]time.Duration, 29))), e.client(t, aep.Options{}), Options{Tally: tally})
	if err != nil || len(res) != 30 {
		t.Fatalf("%d results, err %v", len(res), err)
	}
	rep := tally.Report("send", "raw", false)
	if rep.Delivered != 30 || rep.Emulator == nil || rep.Emulator.Unknown != 30 || !strings.Contains(rep.Emulator.Note, "HTTP 404") {
		t.Errorf("report %+v emulator %+v", rep.Counts, rep.Emulator)
	}
	if asked.Load() != 1 {
		t.Errorf("verdict route asked %d times, want once", asked.Load())
	}
	var b strings.Builder
	rep.WriteText(&b)
	if !strings.Contains(b.String(), "30 delivered without a verdict") {
		t.Errorf("text report:\n%s", b.String())
	}
}

func TestHeaderEmulator_isTheEmulators(t *testing.T) {
	if aep.HeaderEmulator != emulator.Header || VerdictPath != emulator.InspectPrefix+"verdicts" || MaxVerdictBatch != emulator.MaxVerdictIDs {
		t.Errorf("the client's and the emulator's protocol differ: %q %q %q", aep.HeaderEmulator, emulator.Header, VerdictPath)
	}
}
