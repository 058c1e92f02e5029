package emulator

import "time"

// window is a sliding one-minute window of request times (a ring of the last
// SyncValidationPerMinute).
type window struct {
	at   [SyncValidationPerMinute]time.Time
	next int
	n    int
}

// syncAllowed records a sync-validation request on inlet at now and reports whether it is
// within AEP's limit of SyncValidationPerMinute per minute (refused requests do not count).
func (s *Server) syncAllowed(inlet string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.syncLimit[inlet]
	if w == nil {
		if len(s.syncLimit) > 4096 {
			clear(s.syncLimit) // bounded: inlet ids come from the request path
		}
		w = &window{}
		s.syncLimit[inlet] = w
	}
	if w.n == len(w.at) && now.Sub(w.at[w.next]) < time.Minute {
		return false
	}
	w.at[w.next] = now
	w.next = (w.next + 1) % len(w.at)
	w.n = min(w.n+1, len(w.at))
	return true
}
