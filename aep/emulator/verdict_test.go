package emulator

import (
	"fmt"
	"testing"
	"time"
)

func TestVerdict_findsRecordsByXactionID(t *testing.T) {
	s, err := New(Options{MaxRecords: 100})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	ids := map[string]bool{}
	for i := range 250 { // wraps the ring twice and a half
		id, seq := s.xaction(now)
		s.keep(Record{Seq: seq, XactionID: id, Good: i%3 != 0, Reasons: map[bool][]string{true: {fmt.Sprint("bad ", i)}}[i%3 == 0]})
		ids[id] = i%3 != 0
	}
	found := 0
	for id, good := range ids {
		v, ok := s.Verdict(id)
		if !ok {
			continue
		}
		found++
		if v.Good != good || (!good && len(v.Reasons) != 1) {
			t.Errorf("Verdict(%s) = %+v, want good=%v", id, v, good)
		}
	}
	if found != 100 {
		t.Errorf("found %d verdicts, want the 100 kept", found)
	}
	for _, id := range []string{"", "x", "1:2:999999", "1:2:1"} {
		if _, ok := s.Verdict(id); ok {
			t.Errorf("Verdict(%q) found a record", id)
		}
	}
}
