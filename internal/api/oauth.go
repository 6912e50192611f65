package api

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/fault"
)

// OAuthClients registers OAuth2 clients and runs the client credentials grant.
type OAuthClients interface {
	CreateClient(ctx context.Context, tenantID string, in auth.ClientInput, createdBy string) (auth.Client, string, error)
	ListClients(ctx context.Context, tenantID string) ([]auth.Client, error)
	RevokeClient(ctx context.Context, tenantID, clientID string) error
	ClientCredentials(ctx context.Context, clientID, secret, scope string, ttl time.Duration) (auth.ClientToken, error)
}

// maxTokenRequestBytes bounds a token request: a handful of short form fields.
const maxTokenRequestBytes = 16 << 10

// routeOAuth registers the OAuth2 and single sign-on endpoints: the token endpoint and the
// sign-in redirects are public (on mux), the administration endpoints need a token (on authed).
// limit wraps the sign-in endpoints in the per-address sign-in rate limit.
func (s *Server) routeOAuth(mux, authed *http.ServeMux, limit func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("/api/v1/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		s.methods(w, r, map[string]http.HandlerFunc{"POST": s.oauthToken})
	})
	authed.HandleFunc("GET /api/v1/auth/clients", s.listClients)
	authed.HandleFunc("POST /api/v1/auth/clients", s.createClient)
	authed.HandleFunc("DELETE /api/v1/auth/clients/{id}", s.revokeClient)
	s.routeOIDC(mux, authed, limit)
}

// tenantAdmin refuses callers who are not administrators of their tenant.
func (s *Server) tenantAdmin(w http.ResponseWriter, r *http.Request) bool {
	if p, _ := principalOf(r); !p.Admin {
		s.writeError(w, r, fault.New(fault.Permission, "forbidden", "only tenant administrators may manage sign-in settings and clients"))
		return false
	}
	return true
}

// clients returns the OAuth2 clients for an administrator signed in as a person: like API keys,
// credentials are not made by credentials.
func (s *Server) clients(w http.ResponseWriter, r *http.Request) (OAuthClients, bool) {
	if s.OAuth == nil {
		s.writeError(w, r, fault.New(fault.NotFound, "not_found", "OAuth2 clients are not enabled on this server"))
		return nil, false
	}
	if !s.tenantAdmin(w, r) {
		return nil, false
	}
	if _, ok := s.requireSession(w, r); !ok {
		return nil, false
	}
	return s.OAuth, true
}

// clientView is the JSON form of a client; the secret appears only in the answer to its creation.
type clientView struct {
	ClientID     string     `json:"client_id"`
	ClientSecret string     `json:"client_secret,omitempty"`
	Name         string     `json:"name"`
	UserID       string     `json:"user_id"`
	Scopes       []string   `json:"scopes"`
	CreatedAt    time.Time  `json:"created_at"`
	CreatedBy    string     `json:"created_by,omitempty"`
	LastUsedAt   *time.Time `json:"last_used_at"`
	Note         string     `json:"note,omitempty"`
}

func viewClient(c auth.Client) clientView {
	return clientView{ClientID: c.ClientID, Name: c.Name, UserID: c.UserID, Scopes: c.Scopes, CreatedAt: c.CreatedAt,
		CreatedBy: c.CreatedBy, LastUsedAt: c.LastUsedAt}
}

type clientRequest struct {
	Name      string   `json:"name"`
	UserID    string   `json:"user_id,omitempty"`
	UserEmail string   `json:"user_email,omitempty"`
	Scopes    []string `json:"scopes,omitempty"`
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request) {
	oc, ok := s.clients(w, r)
	if !ok {
		return
	}
	var req clientRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := principalOf(r)
	userID := req.UserID
	switch {
	case userID != "" && req.UserEmail != "":
		s.writeError(w, r, fault.Field("user_email", "invalid_value", "give user_id or user_email, not both"))
		return
	case userID == "" && req.UserEmail == "":
		s.writeError(w, r, fault.Field("user_id", "required", "a client acts as a user: give user_id or user_email"))
		return
	case userID == "":
		id, err := s.records.IDByKey(r.Context(), "user", map[string]string{"email": strings.ToLower(strings.TrimSpace(req.UserEmail))})
		if err != nil {
			if fault.Is(err, fault.NotFound) {
				err = fault.Field("user_email", "user_not_found", "no user has this email address")
			}
			s.writeError(w, r, err)
			return
		}
		userID = id
	}
	c, secret, err := oc.CreateClient(r.Context(), p.TenantID, auth.ClientInput{Name: req.Name, UserID: userID, Scopes: req.Scopes}, p.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := viewClient(c)
	v.ClientSecret = secret
	v.Note = "store the secret now: Meridian keeps only its hash and cannot show it again"
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) {
	oc, ok := s.clients(w, r)
	if !ok {
		return
	}
	p, _ := principalOf(r)
	all, err := oc.ListClients(r.Context(), p.TenantID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]clientView, len(all))
	for i, c := range all {
		out[i] = viewClient(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) revokeClient(w http.ResponseWriter, r *http.Request) {
	oc, ok := s.clients(w, r)
	if !ok {
		return
	}
	p, _ := principalOf(r)
	if err := oc.RevokeClient(r.Context(), p.TenantID, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// The token endpoint speaks OAuth 2.0 (RFC 6749 §4.4, §5), not the API's own JSON: requests are
// form-encoded, and errors are {"error","error_description"} with the RFC's codes, so that any
// OAuth2 client library works unchanged.

type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (s *Server) oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="meridian", charset="UTF-8"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	b, _ := json.Marshal(oauthErrorBody{Error: code, Description: desc})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// tokenResponse is a successful answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// clientCredentials returns the client authentication of a token request: HTTP Basic
// (client_secret_basic, with the form-urlencoded ID and secret of RFC 6749 §2.3.1) or the
// client_id and client_secret form fields (client_secret_post). Using both is an error.
func clientCredentials(r *http.Request) (id, secret, errCode, errDesc string) {
	bid, bsecret, basic := r.BasicAuth()
	pid, psecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if !basic {
		if strings.TrimSpace(r.Header.Get("Authorization")) != "" {
			return "", "", "invalid_client", "the Authorization header must use the Basic scheme"
		}
		if pid == "" || psecret == "" {
			return "", "", "invalid_client", "authenticate the client with HTTP Basic or client_id and client_secret"
		}
		return pid, psecret, "", ""
	}
	if psecret != "" {
		return "", "", "invalid_request", "use one client authentication method, not both"
	}
	id, err1 := url.QueryUnescape(bid)
	secret, err2 := url.QueryUnescape(bsecret)
	if err1 != nil || err2 != nil {
		return "", "", "invalid_client", "the Basic credentials are not form-urlencoded"
	}
	if pid != "" && pid != id {
		return "", "", "invalid_request", "client_id differs from the authenticated client"
	}
	return id, secret, "", ""
}

// oauthToken is the token endpoint: POST /api/v1/oauth2/token with
// grant_type=client_credentials.
func (s *Server) oauthToken(w http.ResponseWriter, r *http.Request) {
	if s.OAuth == nil {
		s.oauthError(w, http.StatusNotFound, "invalid_request", "OAuth2 clients are not enabled on this server")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", "the request must be application/x-www-form-urlencoded")
		return
	}
	// Credentials in the URL would end up in logs and histories (RFC 6749 §2.3.1, §3.2).
	if q := r.URL.Query(); q.Has("client_secret") || q.Has("grant_type") {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", "send the parameters in the request body, not the URL")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBytes)
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", "the request body is not a valid form")
		return
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			s.oauthError(w, http.StatusBadRequest, "invalid_request", "parameter "+k+" is repeated")
			return
		}
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		s.oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		s.oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint supports grant_type=client_credentials only")
		return
	}
	id, secret, code, desc := clientCredentials(r)
	if code != "" {
		status := http.StatusBadRequest
		if code == "invalid_client" {
			status = http.StatusUnauthorized
		}
		s.oauthError(w, status, code, desc)
		return
	}
	tok, err := s.OAuth.ClientCredentials(r.Context(), id, secret, r.PostForm.Get("scope"), 0)
	if err != nil {
		switch fault.CodeOf(err) {
		case "invalid_client":
			s.oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		case "invalid_scope":
			fe, _ := fault.As(err)
			s.oauthError(w, http.StatusBadRequest, "invalid_scope", fe.Message)
		case "unauthorized_client":
			s.oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client may not obtain tokens: its user or tenant is disabled")
		default:
			s.log.ErrorContext(r.Context(), "token request failed", "err", err)
			s.oauthError(w, http.StatusInternalServerError, "server_error", "the server failed to process the request; it has been logged")
		}
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer",
		ExpiresIn: int(tok.ExpiresIn / time.Second), Scope: strings.Join(tok.Scopes, " ")})
}
