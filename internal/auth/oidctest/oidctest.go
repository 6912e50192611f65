// Package oidctest is an OpenID Connect identity provider for tests. It speaks the real protocol
// over HTTP — discovery, a JWKS with an RSA key, an authorization endpoint that approves a
// configured user at once and redirects back with a code, and a token endpoint that checks the
// code, the client's authentication, the PKCE verifier and the redirect URI and answers with an
// RS256-signed ID token — so that the relying party under test runs unchanged. Knobs make it
// misbehave the ways real providers (or attackers) do: a wrong audience, an expired token, a
// foreign nonce, a broken signature.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is the person the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Provider is a running test identity provider. Change its exported fields between sign-ins
// only (they are read under no lock by the handlers while a flow runs).
type Provider struct {
	// Issuer is the provider's URL, its issuer identifier.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURIs are the callback URLs registered for the client; the authorization and
	// token endpoints refuse any other.
	RedirectURIs []string
	User         User
	// Now tells the time of the tokens (time.Now by default).
	Now func() time.Time
	// TokenLifetime is the ID token's validity (exp − iat); negative makes expired tokens.
	TokenLifetime time.Duration
	// Claims, when set, may change the ID token's claims just before signing.
	Claims func(claims map[string]any)
	// BreakSignature alters the signature of the ID token after signing.
	BreakSignature bool

	srv *httptest.Server
	key *rsa.PrivateKey
	kid string

	mu            sync.Mutex
	codes         map[string]*grant
	tokenRequests int
	authRequests  []url.Values
}

// grant is an issued authorization code.
type grant struct {
	clientID, redirectURI, nonce, challenge string
	user                                    User
	expires                                 time.Time
	used                                    bool
}

// New starts a provider for t (closed when the test ends) with a fresh key, client credentials
// and a verified user.
func New(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{
		ClientID: "meridian-test", ClientSecret: random(),
		User:          User{Subject: "u-1001", Email: "li.lei@example.com", EmailVerified: true, Name: "Li Lei"},
		Now:           time.Now,
		TokenLifetime: 5 * time.Minute,
		key:           key, kid: "k-" + random()[:8], codes: map[string]*grant{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.Issuer = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// TokenRequests returns how many requests the token endpoint has received.
func (p *Provider) TokenRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenRequests
}

// AuthRequests returns the query parameters of every authorization request received.
func (p *Provider) AuthRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authRequests)
}

func random() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError answers with an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oidctest"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize approves p.User at once and redirects to the client's redirect URI with a code.
// Errors that concern the redirect URI itself are shown, not redirected (RFC 6749 §4.1.2.1).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authRequests = append(p.authRequests, q)
	p.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if q.Get("client_id") != p.ClientID || !slices.Contains(p.RedirectURIs, redirect) {
		http.Error(w, "unknown client or unregistered redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		for k, vs := range params {
			v[k] = vs
		}
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case !slices.Contains(scopes, "openid"):
		back(url.Values{"error": {"invalid_scope"}, "error_description": {"openid is required"}})
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"PKCE with S256 is required"}})
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = &grant{clientID: p.ClientID, redirectURI: redirect, nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), user: p.User, expires: p.Now().Add(time.Minute)}
	p.mu.Unlock()
	back(url.Values{"code": {code}})
}

// clientAuth returns the client credentials of a token request: HTTP Basic
// (client_secret_basic) or form fields (client_secret_post), never both.
func clientAuth(r *http.Request) (id, secret string, ok bool) {
	bid, bsecret, basic := r.BasicAuth()
	pid, psecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	switch {
	case basic && psecret != "":
		return "", "", false
	case basic:
		id, err1 := url.QueryUnescape(bid)
		secret, err2 := url.QueryUnescape(bsecret)
		return id, secret, err1 == nil && err2 == nil
	}
	return pid, psecret, pid != ""
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.tokenRequests++
	p.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	id, secret, ok := clientAuth(r)
	if !ok || id != p.ClientID || secret != p.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	p.mu.Lock()
	g := p.codes[r.PostForm.Get("code")]
	valid := g != nil && !g.used && p.Now().Before(g.expires)
	if g != nil {
		g.used = true // a code serves once, even when the request fails
	}
	p.mu.Unlock()
	switch {
	case !valid || g.clientID != id:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	case challenge(r.PostForm.Get("code_verifier")) != g.challenge:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": random(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
	})
}

// challenge is the S256 code challenge of a verifier (RFC 7636 §4.2).
func challenge(verifier string) string {
	if verifier == "" {
		return "-"
	}
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func (p *Provider) idToken(g *grant) (string, error) {
	now := p.Now()
	claims := map[string]any{
		"iss": p.Issuer, "sub": g.user.Subject, "aud": p.ClientID,
		"iat": now.Unix(), "exp": now.Add(p.TokenLifetime).Unix(), "auth_time": now.Unix(),
		"email": g.user.Email, "email_verified": g.user.EmailVerified, "name": g.user.Name,
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if p.Claims != nil {
		p.Claims(claims)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.kid))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		return "", err
	}
	if p.BreakSignature {
		// Flip bits in the middle of the signature; it stays valid base64url.
		i := strings.LastIndexByte(compact, '.') + 10
		c := compact[i]
		repl := byte('A')
		if c == 'A' {
			repl = 'B'
		}
		compact = compact[:i] + string(repl) + compact[i+1:]
	}
	return compact, nil
}
