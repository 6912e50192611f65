package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// Accounts is what the sign-in, second-factor, lockout and API key endpoints need from
// authentication beyond checking tokens (implemented by *auth.Service).
type Accounts interface {
	SignIn(ctx context.Context, in auth.LoginInput) (auth.LoginResult, error)
	VerifyMFA(ctx context.Context, challenge, code string, ttl time.Duration) (auth.LoginResult, error)
	MFA(ctx context.Context, tenantID, userID string) (auth.MFAStatus, error)
	EnrollTOTP(ctx context.Context, tenantID, userID string) (auth.TOTPEnrolment, error)
	ConfirmTOTP(ctx context.Context, tenantID, userID, code string) ([]string, error)
	DisableTOTP(ctx context.Context, tenantID, userID, code string) error
	RegenerateRecoveryCodes(ctx context.Context, tenantID, userID, code string) ([]string, error)
	ResetMFA(ctx context.Context, tenantID, userID string) error
	Unlock(ctx context.Context, tenantID, userID string) error
	LockState(ctx context.Context, tenantID, userID string) (auth.Lock, error)
	CreateAPIKey(ctx context.Context, tenantID, userID string, in auth.APIKeyInput) (auth.APIKey, string, error)
	ListAPIKeys(ctx context.Context, tenantID, userID string) ([]auth.APIKey, error)
	RevokeAPIKey(ctx context.Context, tenantID, userID, id string) error
	SetPassword(ctx context.Context, tenantID, userID, pw string) error
	ChangePassword(ctx context.Context, in auth.PasswordChange) (auth.PasswordChanged, error)
}

// routeAuth registers the authenticated account endpoints beyond me, logout and creating a key
// (POST /api/v1/auth/login and /api/v1/auth/mfa/verify are public and registered with the
// sign-in rate limit).
func (s *Server) routeAuth(authed *http.ServeMux) {
	authed.HandleFunc("POST /api/v1/auth/password", s.changePassword)
	authed.HandleFunc("GET /api/v1/auth/apikeys", s.listAPIKeys)
	authed.HandleFunc("DELETE /api/v1/auth/apikeys/{id}", s.revokeAPIKey)
	authed.HandleFunc("GET /api/v1/auth/mfa", s.mfaStatus)
	authed.HandleFunc("POST /api/v1/auth/mfa/totp", s.enrollTOTP)
	authed.HandleFunc("POST /api/v1/auth/mfa/totp/confirm", s.confirmTOTP)
	authed.HandleFunc("POST /api/v1/auth/mfa/totp/disable", s.disableTOTP)
	authed.HandleFunc("POST /api/v1/auth/mfa/recovery-codes", s.regenerateRecoveryCodes)
	authed.HandleFunc("GET /api/v1/auth/users/{id}/lock", s.lockState)
	authed.HandleFunc("POST /api/v1/auth/users/{id}/unlock", s.unlockUser)
	authed.HandleFunc("POST /api/v1/auth/users/{id}/mfa/reset", s.resetMFA)
}

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

// Session modes of a sign-in.
const (
	sessionToken  = "token"  // the session token in the JSON answer, sent back as a bearer token
	sessionCookie = "cookie" // the session token in an HttpOnly cookie, for the web client
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Tenant   string `json:"tenant,omitempty"`
	Session  string `json:"session,omitempty"` // "token" (default) or "cookie"
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
	if err := checkSessionMode(r, &req.Session); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.auth.SignIn(r.Context(), auth.LoginInput{Tenant: req.Tenant, Email: req.Email, Password: req.Password,
		TTL: s.limits.SessionTTL, Session: req.Session})
	// A right password awaiting its second factor is recorded when the second factor comes.
	if err != nil || res.Challenge == "" {
		if aerr := s.auditLogin(r, req.Tenant, req.Email, res.Principal, err); aerr != nil {
			s.writeError(w, r, aerr) // no token without its audit entry
			return
		}
	}
	if err != nil {
		s.writeAuthError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if res.Challenge != "" {
		writeJSON(w, http.StatusOK, map[string]any{"mfa_required": true, "challenge": res.Challenge,
			"expires_in": int(res.ChallengeTTL / time.Second), "methods": []string{"totp", "recovery_code"}})
		return
	}
	s.signedIn(w, r, res)
}

// checkSessionMode validates the session mode a sign-in asks for. A cookie session must be
// asked for with a JSON body: a cross-site form cannot send one without a CORS preflight, which
// Meridian does not grant, so another site cannot sign a browser in (login CSRF).
func checkSessionMode(r *http.Request, mode *string) error {
	switch *mode {
	case "":
		*mode = sessionToken
	case sessionToken:
	case sessionCookie:
		return requireJSON(r)
	default:
		return fault.Field("session", "invalid_value", "session is %q or %q", sessionToken, sessionCookie)
	}
	return nil
}

// requireJSON refuses a body not declared as JSON.
func requireJSON(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return fault.New(fault.Invalid, "invalid_content_type", "send this request as Content-Type: application/json")
	}
	return nil
}

// signedIn answers a completed sign-in: the token in the body, or the session in cookies.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res auth.LoginResult) {
	p := res.Principal
	if s.Access != nil {
		// A disabled tenant or user gets no session (the token issued is never handed out).
		if _, err := s.Access.Admit(principal.With(r.Context(), p)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	body := map[string]any{
		"expires_in": int(res.TTL / time.Second),
		"user":       map[string]string{"id": p.UserID, "name": p.Name, "tenant_id": p.TenantID},
	}
	if res.Session == sessionCookie {
		body["session"], body["csrf_token"] = sessionCookie, s.setSessionCookies(w, res.Token, res.TTL)
	} else {
		body["token"], body["token_type"] = res.Token, "Bearer"
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// writeAuthError sends err, with Retry-After when the refusal lifts at a known time.
func (s *Server) writeAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		secs := max(int64((ra.RetryAfter()+time.Second-1)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	s.writeError(w, r, err)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	body := map[string]any{"user_id": p.UserID, "name": p.Name, "tenant_id": p.TenantID, "method": p.Method, "admin": p.Admin}
	lang, err := s.userLanguage(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if lang != "" {
		body["language"] = lang
	}
	if p.Scopes != nil {
		body["scopes"] = p.Scopes
	}
	if cred, ok := credentialOf(r); ok && cred.cookie {
		body["session"] = sessionCookie
	}
	writeJSON(w, http.StatusOK, body)
}

// logout revokes the credential of the call (a session, or an API key) and clears the cookies
// of a cookie session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	cred, _ := credentialOf(r)
	if err := s.auth.Revoke(r.Context(), p.TenantID, cred.token); err != nil {
		s.writeError(w, r, err)
		return
	}
	if cred.cookie {
		s.clearSessionCookies(w)
	}
	w.WriteHeader(http.StatusNoContent)
}

// interactive reports whether the caller signed in as a person (a session), as opposed to an
// integration's credential: only a person manages credentials.
func interactive(p principal.Principal) bool {
	return (p.Method == "token" || p.Method == "password") && p.Scopes == nil && p.KeyID == ""
}

func (s *Server) requireSession(w http.ResponseWriter, r *http.Request) (principal.Principal, bool) {
	p, _ := principalOf(r)
	if !interactive(p) {
		s.writeError(w, r, fault.New(fault.Permission, "session_required", "sign in as a user to manage credentials: an API key cannot"))
		return p, false
	}
	return p, true
}

func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request) (principal.Principal, bool) {
	p, _ := principalOf(r)
	if !p.Admin {
		s.writeError(w, r, fault.New(fault.Permission, "forbidden", "only tenant administrators may do this"))
		return p, false
	}
	return p, true
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	RevokeAPIKeys   bool   `json:"revoke_api_keys,omitempty"`
}

// changePassword serves POST /api/v1/auth/password: the signed-in user replaces their password,
// proving the current one (counted like a sign-in by the lockout). The session of the request
// stays signed in; the user's other sessions are revoked, and the API keys too when asked.
// Recorded on the audit trail in the change's transaction; a wrong current password too.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	var req passwordChangeRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var missing []*fault.Error
	if req.CurrentPassword == "" {
		missing = append(missing, fault.Field("current_password", "required", "current_password is required"))
	}
	if req.NewPassword == "" {
		missing = append(missing, fault.Field("new_password", "required", "new_password is required"))
	}
	if err := fault.Join(missing); err != nil {
		s.writeError(w, r, err)
		return
	}
	cred, _ := credentialOf(r)
	res, err := s.auth.ChangePassword(r.Context(), auth.PasswordChange{TenantID: p.TenantID, UserID: p.UserID,
		Current: req.CurrentPassword, New: req.NewPassword, Keep: cred.token, RevokeAPIKeys: req.RevokeAPIKeys,
		Record: func(ctx context.Context, res auth.PasswordChanged) error {
			return s.auditCredential(ctx, p, "change_password", map[string]any{"revoked_sessions": res.Sessions,
				"revoked_api_keys": res.APIKeys, "api_keys": res.KeptAPIKeys})
		}})
	if err != nil {
		if code := fault.CodeOf(err); code == "wrong_password" || fault.Is(err, fault.RateLimited) {
			// A guess of the password by whoever holds the session: on the record even though refused.
			if aerr := s.auditCredential(r.Context(), p, "change_password", map[string]any{"refused": code}); aerr != nil {
				s.writeError(w, r, aerr)
				return
			}
		}
		s.writeAuthError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, res)
}

type apiKeyRequest struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes,omitempty"`     // "read", "write"; default write
	ExpiresIn string   `json:"expires_in,omitempty"` // Go duration, e.g. "720h"
	ExpiresAt string   `json:"expires_at,omitempty"` // RFC 3339; at most one of the two
}

// apiKeyView is an API key as the API shows it: never the key itself, except once on creation.
type apiKeyView struct {
	ID         string     `json:"id"`
	Key        string     `json:"key,omitempty"`
	Prefix     string     `json:"prefix"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Note       string     `json:"note,omitempty"`
}

func viewAPIKey(k auth.APIKey) apiKeyView {
	scopes := k.Scopes
	if len(scopes) == 0 {
		scopes = []string{auth.ScopeWrite} // keys from before scopes are not restricted
	}
	return apiKeyView{ID: k.ID, Prefix: k.Prefix, Name: k.Name, Scopes: scopes, CreatedAt: k.CreatedAt.UTC(),
		ExpiresAt: utcPtr(k.ExpiresAt), LastUsedAt: utcPtr(k.LastUsedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	var req apiKeyRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		s.writeError(w, r, fault.Field("name", "required", "name the key after the integration that will use it"))
		return
	}
	in := auth.APIKeyInput{Name: req.Name, Scopes: req.Scopes}
	switch {
	case req.ExpiresIn != "" && req.ExpiresAt != "":
		s.writeError(w, r, fault.Field("expires_at", "invalid_value", "give expires_in or expires_at, not both"))
		return
	case req.ExpiresIn != "":
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			s.writeError(w, r, fault.Field("expires_in", "invalid_value", "expires_in is a duration such as 720h"))
			return
		}
		in.ExpiresIn = d
	case req.ExpiresAt != "":
		t, err := time.Parse(time.RFC3339, req.ExpiresAt)
		if err != nil {
			s.writeError(w, r, fault.Field("expires_at", "invalid_value", "expires_at is an RFC 3339 time such as 2030-01-31T00:00:00Z"))
			return
		}
		in.ExpiresAt = t
	}
	var k auth.APIKey
	var key string
	err := s.st.WithTx(r.Context(), func(ctx context.Context) error {
		var err error
		if k, key, err = s.auth.CreateAPIKey(ctx, p.TenantID, p.UserID, in); err != nil {
			return err
		}
		return s.auditCredential(ctx, p, "create_api_key", map[string]any{"key_prefix": k.Prefix, "name": k.Name, "scopes": k.Scopes, "expires_at": k.ExpiresAt})
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := viewAPIKey(k)
	v.Key, v.Note = key, "store the key now: Meridian keeps only its hash and cannot show it again"
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	keys, err := s.auth.ListAPIKeys(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]apiKeyView, len(keys))
	for i, k := range keys {
		out[i] = viewAPIKey(k)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	err := s.st.WithTx(r.Context(), func(ctx context.Context) error {
		if err := s.auth.RevokeAPIKey(ctx, p.TenantID, p.UserID, r.PathValue("id")); err != nil {
			return err
		}
		return s.auditCredential(ctx, p, "revoke_api_key", map[string]any{"key_id_prefix": clipID(r.PathValue("id"))})
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// auditCredential records a change of the caller's credentials (API keys) in ctx's transaction.
func (s *Server) auditCredential(ctx context.Context, p principal.Principal, change string, details map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	details["change"] = change
	return s.Audit.Event(ctx, audit.Event{Action: "credential_change", Entity: "user", RecordID: p.UserID, Details: details})
}

// clipID shortens a key id for the audit trail (the id is a hash; its start identifies it).
func clipID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
