package api

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/fault"
)

// ssoCookie binds a sign-in to the browser that began it: it holds the state, and the callback
// accepts only a state that matches it (so nobody can make a victim's browser finish a sign-in
// the attacker began — login CSRF).
const ssoCookie = "meridian_sso_state"

func (s *Server) routeOIDC(mux, authed *http.ServeMux, limit func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /api/v1/auth/oidc/{tenant}/{provider}/login", s.ssoLogin)
	// A sign-in counts once against the per-address budget of sign-in attempts: at its callback.
	mux.Handle("GET /api/v1/auth/oidc/{tenant}/{provider}/callback", limit(s.ssoCallback))
	authed.HandleFunc("GET /api/v1/auth/oidc/providers", s.listProviders)
	authed.HandleFunc("POST /api/v1/auth/oidc/providers", s.createProvider)
	authed.HandleFunc("GET /api/v1/auth/oidc/providers/{name}", s.getProvider)
	authed.HandleFunc("PATCH /api/v1/auth/oidc/providers/{name}", s.updateProvider)
	authed.HandleFunc("DELETE /api/v1/auth/oidc/providers/{name}", s.deleteProvider)
}

func (s *Server) sso(w http.ResponseWriter, r *http.Request) (*auth.OIDC, bool) {
	if s.SSO == nil {
		s.writeError(w, r, fault.New(fault.NotFound, "not_found", "single sign-on is not enabled on this server"))
		return nil, false
	}
	return s.SSO, true
}

// ssoOrigin is the public URL single sign-on builds its redirect URI from. It must be
// configured: taken from the request's Host header, a forged one would make Meridian send the
// identity provider's code to a host of the forger's choosing.
func (s *Server) ssoOrigin() (string, error) {
	if s.PublicURL == "" {
		return "", fault.New(fault.Unavailable, "public_url_required",
			"single sign-on needs the server's public URL: its administrator must set MERIDIAN_PUBLIC_URL (e.g. https://crm.example.com)")
	}
	return s.origin(), nil
}

func ssoPath(tenantSlug, provider string) string {
	return "/api/v1/auth/oidc/" + url.PathEscape(tenantSlug) + "/" + url.PathEscape(provider) + "/"
}

// providerView is the JSON form of an identity provider; the client secret is never shown.
type providerView struct {
	Name            string    `json:"name"`
	IssuerURL       string    `json:"issuer_url"`
	ClientID        string    `json:"client_id"`
	HasClientSecret bool      `json:"has_client_secret"`
	AllowedDomains  []string  `json:"allowed_domains"`
	AutoProvision   bool      `json:"auto_provision"`
	RedirectURI     string    `json:"redirect_uri"` // to register with the provider
	LoginURL        string    `json:"login_url"`    // where users start signing in
	CreatedAt       time.Time `json:"created_at"`
	ModifiedAt      time.Time `json:"modified_at"`
}

func (s *Server) viewProvider(r *http.Request, p auth.OIDCProvider) providerView {
	base := s.origin() + ssoPath(p.TenantSlug, p.Name) // relative until MERIDIAN_PUBLIC_URL is set
	return providerView{Name: p.Name, IssuerURL: p.IssuerURL, ClientID: p.ClientID, HasClientSecret: p.HasClientSecret,
		AllowedDomains: p.AllowedDomains, AutoProvision: p.AutoProvision, RedirectURI: base + "callback", LoginURL: base + "login",
		CreatedAt: p.CreatedAt, ModifiedAt: p.ModifiedAt}
}

// providerRequest creates (all fields) or changes (fields given) a provider.
type providerRequest struct {
	Name           *string  `json:"name"`
	IssuerURL      *string  `json:"issuer_url"`
	ClientID       *string  `json:"client_id"`
	ClientSecret   *string  `json:"client_secret"`
	AllowedDomains []string `json:"allowed_domains"`
	AutoProvision  *bool    `json:"auto_provision"`
}

func (q providerRequest) input() auth.OIDCProviderInput {
	return auth.OIDCProviderInput{Name: q.Name, IssuerURL: q.IssuerURL, ClientID: q.ClientID, ClientSecret: q.ClientSecret,
		AllowedDomains: q.AllowedDomains, AutoProvision: q.AutoProvision}
}

func (s *Server) listProviders(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok || !s.tenantAdmin(w, r) {
		return
	}
	p, _ := principalOf(r)
	all, err := o.ListProviders(r.Context(), p.TenantID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]providerView, len(all))
	for i, x := range all {
		out[i] = s.viewProvider(r, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) createProvider(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok || !s.tenantAdmin(w, r) {
		return
	}
	var req providerRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Name == nil {
		s.writeError(w, r, fault.Field("name", "required", "name the provider: it appears in the sign-in URL"))
		return
	}
	p, _ := principalOf(r)
	x, err := o.CreateProvider(r.Context(), p.TenantID, req.input())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.warnClearSecret(r, req, x)
	v := s.viewProvider(r, x)
	w.Header().Set("Location", "/api/v1/auth/oidc/providers/"+url.PathEscape(x.Name))
	writeJSON(w, http.StatusCreated, v)
}

// warnClearSecret tells the operator that a client secret was stored without a secret key.
func (s *Server) warnClearSecret(r *http.Request, req providerRequest, x auth.OIDCProvider) {
	if req.ClientSecret != nil && *req.ClientSecret != "" && !s.SSO.EncryptsSecrets() {
		s.log.WarnContext(r.Context(), "identity provider client secret stored unencrypted: set MERIDIAN_SECRET_KEY and enter it again",
			"tenant_id", x.TenantID, "provider", x.Name)
	}
}

func (s *Server) getProvider(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok || !s.tenantAdmin(w, r) {
		return
	}
	p, _ := principalOf(r)
	x, err := o.Provider(r.Context(), p.TenantID, r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.viewProvider(r, x))
}

func (s *Server) updateProvider(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok || !s.tenantAdmin(w, r) {
		return
	}
	var req providerRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := principalOf(r)
	x, err := o.UpdateProvider(r.Context(), p.TenantID, r.PathValue("name"), req.input())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.warnClearSecret(r, req, x)
	writeJSON(w, http.StatusOK, s.viewProvider(r, x))
}

func (s *Server) deleteProvider(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok || !s.tenantAdmin(w, r) {
		return
	}
	p, _ := principalOf(r)
	if err := o.DeleteProvider(r.Context(), p.TenantID, r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ssoLogin starts a sign-in: it records state, nonce and PKCE verifier, binds the state to the
// browser with a cookie, and redirects to the identity provider. ?session=cookie asks for a
// browser session (cookies) instead of a token, and ?return_to=/path for a redirect there once
// signed in.
func (s *Server) ssoLogin(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok {
		return
	}
	tenantSlug, provider := r.PathValue("tenant"), r.PathValue("provider")
	q := r.URL.Query()
	after := auth.OIDCAfter{Session: q.Get("session"), ReturnTo: q.Get("return_to")}
	switch after.Session {
	case "":
		after.Session = sessionToken
	case sessionToken, sessionCookie:
	default:
		s.writeError(w, r, fault.Field("session", "invalid_value", "session is %q or %q", sessionToken, sessionCookie))
		return
	}
	if after.ReturnTo != "" && (after.Session != sessionCookie || !localPath(after.ReturnTo)) {
		s.writeError(w, r, fault.Field("return_to", "invalid_value", "return_to is a path on this server (/…), with session=cookie"))
		return
	}
	base, err := s.ssoOrigin()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	start, err := o.Begin(r.Context(), tenantSlug, provider, base+ssoPath(tenantSlug, provider)+"callback", after)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: start.State, Path: ssoPath(tenantSlug, provider),
		MaxAge: int(auth.OIDCLoginTTL / time.Second), HttpOnly: true, Secure: strings.HasPrefix(base, "https://"),
		SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, start.AuthURL, http.StatusFound)
}

// ssoCallback finishes a sign-in where the identity provider sends the browser back.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	o, ok := s.sso(w, r)
	if !ok {
		return
	}
	tenantSlug, provider := r.PathValue("tenant"), r.PathValue("provider")
	q := r.URL.Query()
	w.Header().Set("Cache-Control", "no-store")
	// The cookie has served its purpose whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: ssoPath(tenantSlug, provider), MaxAge: -1,
		HttpOnly: true, Secure: strings.HasPrefix(s.origin(), "https://"), SameSite: http.SameSiteLaxMode})
	if e := q.Get("error"); e != "" {
		s.writeError(w, r, fault.Newf(fault.Unauthenticated, "sso_denied", "the identity provider did not sign you in (%s)", oauthCode(e)))
		return
	}
	state := q.Get("state")
	c, err := r.Cookie(ssoCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		s.writeError(w, r, fault.New(fault.Unauthenticated, "invalid_state",
			"the sign-in is unknown, was already used, or began in another browser: start again"))
		return
	}
	sess, err := o.Finish(r.Context(), tenantSlug, provider, state, q.Get("code"), s.limits.SessionTTL)
	if code := fault.CodeOf(err); code != "invalid_state" && code != "provider_not_found" {
		// Every answer of the provider is on the login audit trail, success or not.
		who := sess.Principal
		if who.Method == "" {
			who.Method = "oidc" // a refused single sign-on is not a password attempt
		}
		if aerr := s.auditLogin(r, tenantSlug, sess.Email, who, err); aerr != nil {
			if err == nil {
				_ = s.auth.Revoke(r.Context(), sess.Principal.TenantID, sess.Token) // no session without its audit entry
			}
			s.writeError(w, r, aerr)
			return
		}
	}
	if err != nil {
		// Administrators need the reason (a wrong audience, an expired token…); it holds no secret.
		if fe, ok := fault.As(err); ok && fe.Kind != fault.Internal {
			s.log.WarnContext(r.Context(), "single sign-on refused", "tenant", tenantSlug, "provider", provider,
				"code", fe.Code, "reason", err.Error())
		}
		s.writeError(w, r, err)
		return
	}
	res := auth.LoginResult{Token: sess.Token, Principal: sess.Principal, TTL: sess.TTL, Session: sess.After.Session}
	if sess.After.Session == sessionCookie && sess.After.ReturnTo != "" {
		// A browser that came from the web client goes back to it, signed in.
		s.setSessionCookies(w, res.Token, res.TTL)
		http.Redirect(w, r, sess.After.ReturnTo, http.StatusSeeOther)
		return
	}
	s.signedIn(w, r, res) // as a password sign-in answers: the token, or the session in cookies
}

// localPath reports whether p is a path on this server, so that a redirect to it cannot leave
// the site (no scheme, no host, no "//" or "/\" that browsers read as another host).
func localPath(p string) bool {
	if len(p) > 2000 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// oauthCode keeps an error code from a provider printable: it is shown back to the user.
func oauthCode(s string) string {
	var b strings.Builder
	for _, c := range s {
		if b.Len() == 40 {
			break
		}
		if c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
