package controlplane

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// tokenLifetime is expires_in, in seconds, as IMS usually answers (reference §1.2).
const tokenLifetime = 86399

// maxTokens bounds the tokens the emulator remembers.
const maxTokens = 10000

// token answers POST /ims/token/v2 and /v3 (form body or query string) with AEP's shapes
// (reference §1.1–1.3). Tokens live in memory only: after a restart clients get 401 and ask
// again.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/ims/token/v3" && r.URL.Path != "/ims/token/v2" {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not_found", "error_description": "use /ims/token/v3"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "method_not_allowed", "error_description": "use POST"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "the body is not a form"})
		return
	}
	id, sec := r.Form.Get("client_id"), r.Form.Get("client_secret")
	switch {
	case r.Form.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
		return
	case id == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client", "error_description": "missing client_id parameter"})
		return
	case s.o.ClientID != "" && id != s.o.ClientID:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client", "error_description": "invalid client_id parameter"})
		return
	case sec == "" || (!s.o.ClientSecret.IsZero() && subtle.ConstantTimeCompare([]byte(sec), s.o.ClientSecret.Bytes()) != 1):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client", "error_description": "invalid client_secret parameter"})
		return
	case strings.TrimSpace(r.Form.Get("scope")) == "":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_scope", "error_description": "missing scope parameter"})
		return
	}
	tok := "ciosim-emulator." + newHex(32)
	s.mu.Lock()
	if len(s.tokens) >= maxTokens {
		for old := range s.tokens { // forget one at random: its client asks again on 401
			delete(s.tokens, old)
			break
		}
	}
	s.tokens[tok] = id
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": tokenLifetime})
}
