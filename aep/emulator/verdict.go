package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
// It costs O(1) in the number of records kept: the id says where in the ring to look (a
// single message's id ends in its sequence number; a batch element's, "<batchId>:<i>",
// in the batch's number and the element's index).
func (s *Server) Verdict(xactionID string) (Verdict, bool) {
	seq, ok := seqGuess(xactionID)
	if !ok {
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

// seqGuess estimates the sequence number of the record an xactionId names: the last part of
// "ms:k:seq", or seq+i+1 for a batch element "ms:k:seq:i" (its elements take the numbers
// after the batch's, unless other requests interleave).
func seqGuess(id string) (int64, bool) {
	parts := strings.Split(id, ":")
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	}
	switch len(parts) {
	case 3:
		return num(parts[2])
	case 4:
		seq, ok1 := num(parts[2])
		i, ok2 := num(parts[3])
		return seq + i + 1, ok1 && ok2
	}
	return 0, false
}

// MaxVerdictIDs bounds the xactionIds one /emulator/verdicts request may ask about.
const MaxVerdictIDs = 1000

// VerdictRequest is the body of POST /emulator/verdicts.
type VerdictRequest struct {
	XactionIDs []string `json:"xactionIds"`
}

// VerdictAnswer is one element of the /emulator/verdicts answer, in the order asked:
// Known is false when the emulator no longer keeps (or never gave) that xactionId.
type VerdictAnswer struct {
	XactionID string   `json:"xactionId"`
	Known     bool     `json:"known"`
	Good      bool     `json:"good"`
	Reasons   []string `json:"reasons,omitempty"`
}

// VerdictsResponse is the answer of /emulator/verdicts.
type VerdictsResponse struct {
	Verdicts []VerdictAnswer `json:"verdicts"`
}

// serveVerdicts answers GET /emulator/verdicts?xactionId=A&xactionId=B and POST
// /emulator/verdicts {"xactionIds":[...]}: the verdict on each message, in the order asked,
// at most MaxVerdictIDs at a time.
func (s *Server) serveVerdicts(w http.ResponseWriter, r *http.Request) {
	var ids []string
	switch r.Method {
	case http.MethodGet:
		ids = r.URL.Query()["xactionId"]
	case http.MethodPost:
		var req VerdictRequest
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err == nil && len(b) > MaxBodyBytes {
			err = fmt.Errorf("body over %d bytes", MaxBodyBytes)
		}
		if err == nil {
			err = json.Unmarshal(b, &req)
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `verdicts: want {"xactionIds":["..."]}: ` + err.Error()})
			return
		}
		ids = req.XactionIDs
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "verdicts: use GET or POST"})
		return
	}
	if len(ids) > MaxVerdictIDs {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("verdicts: %d xactionIds asked, at most %d at a time", len(ids), MaxVerdictIDs)})
		return
	}
	out := VerdictsResponse{Verdicts: make([]VerdictAnswer, len(ids))}
	for i, id := range ids {
		v, ok := s.Verdict(id)
		out.Verdicts[i] = VerdictAnswer{XactionID: id, Known: ok, Good: v.Good, Reasons: v.Reasons}
	}
	writeJSON(w, http.StatusOK, out)
}
