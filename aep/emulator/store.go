package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// InspectPrefix is where the inspection API lives, on the same port as the collection API.
const InspectPrefix = "/emulator/"

// store keeps the newest records, oldest first, with the bytes they hold.
type store struct {
	recs  []Record
	head  int   // recs[head:] are kept
	bytes int64 // what recs[head:] hold (recordBytes)
}

func newStore() *store { return &store{} }

// recordBytes is what a kept record costs: its bodies and reasons plus a fixed overhead
// for the struct and its strings.
func recordBytes(r *Record) int64 {
	n := int64(len(r.Body) + len(r.Mapped) + len(r.EventID) + len(r.ObjectType) + len(r.Metric) +
		len(r.FlowID) + len(r.XactionID) + 256)
	for _, x := range r.Reasons {
		n += int64(len(x)) + 16
	}
	for _, v := range r.Violations {
		n += int64(len(v.Message)+len(v.Pointer)+len(v.SchemaLocation)+len(v.Keyword)) + 64
	}
	return n
}

func (st *store) len() int { return len(st.recs) - st.head }

// add keeps r and drops the oldest records until at most maxN records and maxBytes bytes
// are kept (r itself is always kept); it returns how many were dropped.
func (st *store) add(r Record, maxN int, maxBytes int64) int {
	st.recs = append(st.recs, r)
	st.bytes += recordBytes(&r)
	dropped := 0
	for st.len() > 1 && (st.len() > maxN || st.bytes > maxBytes) {
		st.bytes -= recordBytes(&st.recs[st.head])
		st.recs[st.head] = Record{} // let the bodies go
		st.head++
		dropped++
	}
	if st.head > 1024 && st.head > len(st.recs)/2 {
		n := copy(st.recs, st.recs[st.head:])
		clear(st.recs[n:])
		st.recs, st.head = st.recs[:n], 0
	}
	return dropped
}

// each calls f on records oldest first until f returns false.
func (st *store) each(f func(*Record) bool) {
	for i := st.head; i < len(st.recs); i++ {
		if !f(&st.recs[i]) {
			return
		}
	}
}

// Counts summarises what the emulator has seen since start or the last reset.
type Counts struct {
	// Received counts accepted messages; Good and Bad split them.
	Received int `json:"received"`
	Good     int `json:"good"`
	Bad      int `json:"bad"`
	// Dropped counts records no longer kept because of Options.MaxRecords or
	// Options.MaxRecordBytes; Kept and KeptBytes are what is kept now.
	Dropped   int   `json:"dropped"`
	Kept      int   `json:"kept"`
	KeptBytes int64 `json:"kept_bytes"`
	// SyncRejected counts messages refused by sync validation; BatchRejected batch messages
	// refused with a 400 element; SyncLimited sync-validation requests over the per-minute
	// limit (429).
	SyncRejected  int `json:"sync_rejected"`
	SyncLimited   int `json:"sync_limited"`
	BatchRejected int `json:"batch_rejected"`
	// ByPair counts accepted messages by "object_type/metric".
	ByPair map[string]int `json:"by_pair"`
	// Responses counts the HTTP answers by status.
	Responses map[int]int `json:"responses"`
	// Faults counts injected faults.
	Faults FaultCounts `json:"faults"`
}

// FaultCounts counts injected faults.
type FaultCounts struct {
	Timeouts int         `json:"timeouts"`
	Resets   int         `json:"resets"`
	Statuses map[int]int `json:"statuses"`
	Elements map[int]int `json:"elements"`
}

func newCounts() Counts {
	return Counts{ByPair: map[string]int{}, Responses: map[int]int{},
		Faults: FaultCounts{Statuses: map[int]int{}, Elements: map[int]int{}}}
}

func (s *Server) keep(r Record) {
	if s.o.OnRecord != nil {
		defer s.o.OnRecord(r) // runs after the unlock below
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.Dropped += s.store.add(r, s.o.MaxRecords, s.o.MaxRecordBytes)
	s.counts.Received++
	if r.Good {
		s.counts.Good++
	} else {
		s.counts.Bad++
	}
	s.counts.ByPair[r.ObjectType+"/"+r.Metric]++
}

// Filter selects records. Zero fields match everything.
type Filter struct {
	// Status is "good", "bad" or "" / "all".
	Status     string
	ObjectType string
	Metric     string
	EventID    string
	// Limit caps the number returned (the newest are kept); 0 means no cap.
	Limit int
}

func (f Filter) match(r *Record) bool {
	switch f.Status {
	case "good":
		if !r.Good {
			return false
		}
	case "bad":
		if r.Good {
			return false
		}
	}
	return (f.ObjectType == "" || r.ObjectType == f.ObjectType) &&
		(f.Metric == "" || r.Metric == f.Metric) &&
		(f.EventID == "" || r.EventID == f.EventID)
}

// Records returns the kept records matching f, oldest first.
func (s *Server) Records(f Filter) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	s.store.each(func(r *Record) bool {
		if f.match(r) {
			out = append(out, *r)
		}
		return true
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Counts returns a copy of the counters.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	c.Kept, c.KeptBytes = s.store.len(), s.store.bytes
	c.ByPair = cloneMap(c.ByPair)
	c.Responses = cloneMap(c.Responses)
	c.Faults.Statuses = cloneMap(c.Faults.Statuses)
	c.Faults.Elements = cloneMap(c.Faults.Elements)
	return c
}

func cloneMap[K comparable](m map[K]int) map[K]int {
	out := make(map[K]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Reset forgets every record and counter.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store = newStore()
	s.counts = newCounts()
}

// inspect serves the inspection API:
//
//	GET  /emulator/records?status=good|bad|all&type=T&metric=M&event_id=ID&limit=N
//	GET  /emulator/verdicts?xactionId=A&xactionId=B   (POST {"xactionIds":[...]} too)
//	GET  /emulator/counts
//	POST /emulator/reset   (DELETE /emulator/records does the same)
//	GET  /emulator/        a short description of the endpoints
func (s *Server) inspect(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, InspectPrefix)
	switch {
	case path == "records" && r.Method == http.MethodGet:
		q := r.URL.Query()
		f := Filter{Status: q.Get("status"), ObjectType: q.Get("type"), Metric: q.Get("metric"), EventID: q.Get("event_id")}
		switch f.Status {
		case "", "all", "good", "bad":
		default:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("status=%q: want good, bad or all", f.Status)})
			return
		}
		if l := q.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil || n < 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("limit=%q: want a whole number", l)})
				return
			}
			f.Limit = n
		}
		recs := s.Records(f)
		if recs == nil {
			recs = []Record{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": len(recs), "records": recs})
	case path == "verdicts":
		s.serveVerdicts(w, r)
	case path == "counts" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Counts())
	case path == "reset" && r.Method == http.MethodPost, path == "records" && r.Method == http.MethodDelete:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case path == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{
			"inletId": DefaultInletID, "flowId": DefaultFlowID,
			"endpoints": map[string]string{
				"collect":       "POST /collection/{inletId}[?x-adobe-flow-id=...][&syncValidation=true]",
				"collect_batch": "POST /collection/batch/{inletId}",
				"records":       "GET " + InspectPrefix + "records?status=good|bad|all&type=&metric=&event_id=&limit=",
				"verdicts":      "GET " + InspectPrefix + "verdicts?xactionId=...&xactionId=... (or POST {\"xactionIds\":[...]}), at most " + strconv.Itoa(MaxVerdictIDs),
				"counts":        "GET " + InspectPrefix + "counts",
				"reset":         "POST " + InspectPrefix + "reset",
			},
		})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such inspection endpoint: " + r.Method + " " + r.URL.Path})
	}
}
