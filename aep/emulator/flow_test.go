package emulator

import (
	"testing"
)

type flowMap map[string]Flow

func (m flowMap) Flow(id string) (Flow, bool) { f, ok := m[id]; return f, ok }

func TestCollect_flowsRouteEachInlet(t *testing.T) {
	reject := MapperFunc(func([]byte) ([]byte, []string, error) {
		return []byte(`{}`), []string{"#: required key [_id] not found"}, nil
	})
	accept := MapperFunc(func([]byte) ([]byte, []string, error) { return []byte(`{"_id":"flow-b"}`), nil, nil })
	s, hs := newServer(t, Options{Mapper: accept, Flows: flowMap{"flow-a": {ID: "flow-a", Mapper: reject}, "flow-nil": {ID: "flow-nil"}}})
	for _, f := range []string{"flow-a", "flow-b", "flow-nil"} {
		post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id="+f, []byte(goodRaw), nil)
	}
	bad := s.Records(Filter{Status: "bad"})
	good := s.Records(Filter{Status: "good"})
	if len(bad) != 1 || bad[0].FlowID != "flow-a" || bad[0].Reasons[0] != "#: required key [_id] not found" {
		t.Errorf("bad = %+v, want flow-a's mapper to reject", bad)
	}
	if len(good) != 2 {
		t.Errorf("good = %+v, want the unknown flow and the flow without a mapper to use Options.Mapper", good)
	}
}
