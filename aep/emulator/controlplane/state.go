package controlplane

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// obj is a JSON object as stored: numbers are json.Number so ids and times survive a
// round trip through the state file exactly.
type obj = map[string]any

// state is everything the control plane keeps, per sandbox; it is what --state persists.
type state struct {
	Version   int                 `json:"version"`
	Sandboxes map[string]*sandbox `json:"sandboxes"`
}

type sandbox struct {
	ID                string                 `json:"id"`
	SourceConnections map[string]obj         `json:"sourceConnections"`
	TargetConnections map[string]obj         `json:"targetConnections"`
	Flows             map[string]obj         `json:"flows"`
	MappingSets       map[string]*mappingSet `json:"mappingSets"`
	Schemas           map[string]obj         `json:"schemas"`
	Datasets          map[string]obj         `json:"datasets"`
	Runs              map[string]*run        `json:"runs"`
}

// mappingSet keeps every version's body, as posted.
type mappingSet struct {
	ID       string        `json:"id"`
	Name     string        `json:"name,omitempty"`
	Created  int64         `json:"created"`
	Versions []mappingBody `json:"versions"`
}

type mappingBody struct {
	Body     obj   `json:"body"`
	Modified int64 `json:"modified"`
}

// run is one flow's hourly window of what its inlet received.
type run struct {
	ID      string `json:"id"`
	FlowID  string `json:"flowId"`
	Start   int64  `json:"start"` // ms, the hour's start
	Updated int64  `json:"updated"`
	Input   int64  `json:"input"`
	Output  int64  `json:"output"`
	Failed  int64  `json:"failed"`
	// InputBytes and OutputBytes are the bytes received and ingested (sizeSummary).
	InputBytes  int64            `json:"inputBytes,omitempty"`
	OutputBytes int64            `json:"outputBytes,omitempty"`
	Reasons     map[string]int64 `json:"reasons,omitempty"`
	// FailedRecords are the last failed records (bounded), each with _validationErrors.
	FailedRecords []json.RawMessage `json:"failedRecords,omitempty"`
}

func newState() *state { return &state{Version: 1, Sandboxes: map[string]*sandbox{}} }

func newSandbox() *sandbox {
	return &sandbox{ID: newUUID(), SourceConnections: map[string]obj{}, TargetConnections: map[string]obj{},
		Flows: map[string]obj{}, MappingSets: map[string]*mappingSet{}, Schemas: map[string]obj{},
		Datasets: map[string]obj{}, Runs: map[string]*run{}}
}

// sandbox returns the named sandbox, creating it on first use. Called with s.mu held.
func (s *Server) sandbox(name string) *sandbox {
	sb := s.st.Sandboxes[name]
	if sb == nil {
		sb = newSandbox()
		s.st.Sandboxes[name] = sb
	}
	return sb
}

func decodeState(b []byte) (*state, error) {
	st := newState()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(st); err != nil {
		return nil, err
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("state version %d: want 1", st.Version)
	}
	if st.Sandboxes == nil {
		st.Sandboxes = map[string]*sandbox{}
	}
	for name, sb := range st.Sandboxes {
		fresh := newSandbox()
		if sb == nil {
			st.Sandboxes[name] = fresh
			continue
		}
		if sb.SourceConnections == nil {
			sb.SourceConnections = fresh.SourceConnections
		}
		if sb.TargetConnections == nil {
			sb.TargetConnections = fresh.TargetConnections
		}
		if sb.Flows == nil {
			sb.Flows = fresh.Flows
		}
		if sb.MappingSets == nil {
			sb.MappingSets = fresh.MappingSets
		}
		if sb.Schemas == nil {
			sb.Schemas = fresh.Schemas
		}
		if sb.Datasets == nil {
			sb.Datasets = fresh.Datasets
		}
		if sb.Runs == nil {
			sb.Runs = fresh.Runs
		}
	}
	return st, nil
}

// decodeObj decodes a request body as a JSON object with json.Number numbers.
func decodeObj(b []byte) (obj, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var o obj
	if err := d.Decode(&o); err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	return o, nil
}

func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// clone deep-copies a JSON value.
func clone(v any) any {
	switch t := v.(type) {
	case obj:
		o := make(obj, len(t))
		for k, x := range t {
			o[k] = clone(x)
		}
		return o
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = clone(x)
		}
		return a
	}
	return v
}

// str reads a string member along a path of keys.
func str(o obj, path ...string) string {
	var cur any = o
	for _, k := range path {
		m, ok := cur.(obj)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

// at reads any member along a path of keys (array indexes as decimal strings).
func at(v any, path ...string) any {
	cur := v
	for _, k := range path {
		switch t := cur.(type) {
		case obj:
			cur = t[k]
		case []any:
			var i int
			if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(t) {
				return nil
			}
			cur = t[i]
		default:
			return nil
		}
	}
	return cur
}
