package emulator

import (
	"strconv"
	"strings"
)

// Verdict is the emulator's judgement of one message it accepted: good (mapped and
// validated), or bad with the reasons, as kept in its [Record].
type Verdict struct {
	Good    bool
	Reasons []string
}

// verdictWindow is how far from its estimated place in the ring a record is looked for:
// records are kept in about the order of their sequence numbers, give or take the
// requests in flight.
const verdictWindow = 512

// Verdict returns the verdict on the message the emulator answered with xactionID, and
// false when it no longer keeps that record (see Options.MaxRecords) or never gave that id.
// It costs O(1) in the number of records kept: the id's last part is the record's sequence
// number, which says where in the ring to look.
func (s *Server) Verdict(xactionID string) (Verdict, bool) {
	i := strings.LastIndexByte(xactionID, ':')
	seq, err := strconv.ParseInt(xactionID[i+1:], 10, 64)
	if i < 0 || err != nil {
		return Verdict{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	n := st.len()
	if n == 0 {
		return Verdict{}, false
	}
	at := func(k int) *Record { return &st.recs[st.head+k] }
	guess := int(seq - at(0).Seq)
	for d := 0; d <= verdictWindow; d++ {
		for _, k := range [2]int{guess - d, guess + d} {
			if k >= 0 && k < n {
				if r := at(k); r.XactionID == xactionID {
					return Verdict{Good: r.Good, Reasons: append([]string(nil), r.Reasons...)}, true
				}
			}
		}
	}
	return Verdict{}, false
}
