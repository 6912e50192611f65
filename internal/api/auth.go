package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

func principalOf(r *http.Request) (principal.Principal, bool) { return principal.From(r.Context()) }

// bearerToken returns the token of an "Authorization: Bearer <token>" header, or "". The scheme
// is matched case-insensitively (RFC 9110 §11.1).
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Tenant   string `json:"tenant,omitempty"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Email == "" {
		s.writeError(w, r, fault.Field("email", "required", "email is required"))
		return
	}
	if req.Password == "" {
		s.writeError(w, r, fault.Field("password", "required", "password is required"))
		return
	}
	token, p, err := s.auth.Login(r.Context(), req.Tenant, req.Email, req.Password, s.limits.SessionTTL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token": token, "token_type": "Bearer", "expires_in": int(s.limits.SessionTTL.Seconds()),
		"user": map[string]string{"id": p.UserID, "name": p.Name, "tenant_id": p.TenantID},
	})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	writeJSON(w, http.StatusOK, map[string]any{"user_id": p.UserID, "name": p.Name, "tenant_id": p.TenantID, "method": p.Method, "admin": p.Admin})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	if err := s.auth.Revoke(r.Context(), p.TenantID, bearerToken(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type apiKeyRequest struct {
	Name      string `json:"name"`
	ExpiresIn string `json:"expires_in,omitempty"` // Go duration, e.g. "720h"; empty: no expiry
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var req apiKeyRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Name == "" {
		s.writeError(w, r, fault.Field("name", "required", "name the key after the integration that will use it"))
		return
	}
	var ttl time.Duration
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			s.writeError(w, r, fault.Field("expires_in", "invalid_value", "expires_in is a duration such as 720h"))
			return
		}
		ttl = d
	}
	p, _ := principalOf(r)
	key, err := s.auth.IssueToken(r.Context(), p.TenantID, p.UserID, "apikey", req.Name, ttl)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": key, "name": req.Name,
		"note": "store the key now: Meridian keeps only its hash and cannot show it again"})
}
