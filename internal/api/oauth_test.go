package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// logBuffer collects everything the server logs, at every level, to check that no secret is
// written there.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newLoggedServer is newServer with the server's log, at debug level, kept in a buffer, a secret
// key, and MERIDIAN_PUBLIC_URL set (single sign-on needs it).
func newLoggedServer(t *testing.T) (*server, *logBuffer) {
	t.Helper()
	s := (&server{t: t, dsn: storetest.DSN(t), publicURL: true, debug: true,
		configure: func(c *app.Config) { c.SecretKey = strings.Repeat("5a", 32) }}).run()
	return s, &s.logs
}

// wantNoSecrets fails if the log holds any of secrets.
func wantNoSecrets(t *testing.T, logs *logBuffer, secrets ...string) {
	t.Helper()
	text := logs.String()
	if !strings.Contains(text, "/api/v1/") {
		t.Fatal("the log buffer holds no request: the check would prove nothing")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("the server logged a secret (%.8s…)", s)
		}
	}
}

// tokenRequest posts a raw form to the token endpoint.
func tokenRequest(t *testing.T, s *server, form url.Values, basicID, basicSecret string, headers ...header) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", s.srv.URL+"/api/v1/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	for _, h := range headers {
		req.Header.Set(h.k, h.v)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("token endpoint answered %d without JSON: %v", res.StatusCode, err)
	}
	return res.StatusCode, res.Header, body
}

func TestOAuthClientCredentials(t *testing.T) {
	s, logs := newLoggedServer(t)
	admin := s.login()
	// The client acts as an application user that may do everything (the role is the test's
	// shortcut; a real deployment gives it a narrower one).
	userID, err := s.app.CreateUser(context.Background(), admin.get("auth/me").str("tenant_id"), "erp-sync@example.com", "ERP sync",
		"an unused long password", access.AdminRole)
	if err != nil {
		t.Fatal(err)
	}

	r := admin.post("auth/clients", map[string]any{"name": "ERP", "user_email": "ERP-Sync@example.com", "scopes": []string{"read", "write"}})
	r.want(http.StatusCreated)
	clientID, secret := r.str("client_id"), r.str("client_secret")
	if !strings.HasPrefix(clientID, "mrc_") || !strings.HasPrefix(secret, "mrs_") || r.str("user_id") != userID {
		t.Fatalf("created client: %s", r.raw)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the answer with the secret has Cache-Control %q", cc)
	}

	// The secret is shown once: not in the list.
	list := admin.get("auth/clients")
	list.want(http.StatusOK)
	if strings.Contains(string(list.raw), secret) || len(list.values()) != 1 || list.str("value.0.client_id") != clientID {
		t.Fatalf("client list: %s", list.raw)
	}

	ctx := context.Background()
	tokenURL := s.srv.URL + "/api/v1/oauth2/token"
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"client_secret_basic", oauth2.AuthStyleInHeader}, {"client_secret_post", oauth2.AuthStyleInParams}} {
		t.Run(style.name, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: tokenURL,
				Scopes: []string{"read"}, AuthStyle: style.style}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || tok.Extra("scope") != "read" {
				t.Fatalf("token type %q scope %v", tok.TokenType, tok.Extra("scope"))
			}
			if left := time.Until(tok.Expiry); left < 59*time.Minute || left > 61*time.Minute {
				t.Fatalf("token expires in %s, want an hour", left)
			}
			// The access token works as a bearer token on the whole API, as the client's user.
			hc := cfg.Client(ctx)
			res, err := hc.Get(s.srv.URL + "/api/v1/auth/me")
			if err != nil {
				t.Fatal(err)
			}
			var me map[string]any
			_ = json.NewDecoder(res.Body).Decode(&me)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || me["user_id"] != userID {
				t.Fatalf("me: %d %v", res.StatusCode, me)
			}
			res, err = hc.Get(s.srv.URL + "/api/v1/accounts?$top=1")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("accounts with a client's token: %d", res.StatusCode)
			}
			// Its scope restricts it like an API key's: read allows no writes.
			res, err = hc.Post(s.srv.URL+"/api/v1/accounts", "application/json", strings.NewReader(`{"name":"Contoso"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("a write with a read token: %d", res.StatusCode)
			}
		})
	}

	// A wrong secret is refused the OAuth way, through the client library too.
	bad := clientcredentials.Config{ClientID: clientID, ClientSecret: secret[:len(secret)-2] + "xx", TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}
	_, err = bad.Token(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %v", err)
	}

	good := url.Values{"grant_type": {"client_credentials"}}
	cases := []struct {
		name       string
		form       url.Values
		id, secret string // HTTP Basic when id is set
		headers    []header
		status     int
		code       string
	}{
		{"unknown grant type", url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, clientID, secret, nil, 400, "unsupported_grant_type"},
		{"no grant type", url.Values{}, clientID, secret, nil, 400, "invalid_request"},
		{"no client authentication", good, "", "", nil, 401, "invalid_client"},
		{"wrong secret in the form", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {"mrs_nope"}}, "", "", nil, 401, "invalid_client"},
		{"unknown client", good, "mrc_AAAA", secret, nil, 401, "invalid_client"},
		{"two authentication methods", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}, clientID, secret, nil, 400, "invalid_request"},
		{"bearer instead of client authentication", good, "", "", hdr("Authorization", "Bearer x"), 401, "invalid_client"},
		{"unknown scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"read admin"}}, clientID, secret, nil, 400, "invalid_scope"},
		{"repeated parameter", url.Values{"grant_type": {"client_credentials", "client_credentials"}}, clientID, secret, nil, 400, "invalid_request"},
		{"JSON body", good, clientID, secret, hdr("Content-Type", "application/json"), 400, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := tokenRequest(t, s, tc.form, tc.id, tc.secret, tc.headers...)
			if status != tc.status || body["error"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if _, ours := body["code"]; ours || h.Get("Cache-Control") != "no-store" {
				t.Fatalf("not an RFC 6749 error answer: %v %v", h, body)
			}
			if status == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("401 without a Basic challenge: %q", h.Get("WWW-Authenticate"))
			}
		})
	}
	// Secrets in the URL are refused, and only POST is allowed.
	res, err := s.srv.Client().Post(tokenURL+"?grant_type=client_credentials&client_secret="+url.QueryEscape(secret), "application/x-www-form-urlencoded", strings.NewReader("client_id="+clientID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("credentials in the URL: %d", res.StatusCode)
	}
	s.anon().get("/api/v1/oauth2/token").wantError(http.StatusMethodNotAllowed, "method_not_allowed", "-")

	// Without a scope the client gets all of its own; the raw answer has the RFC's fields.
	status, h, body := tokenRequest(t, s, good, clientID, secret)
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["scope"] != "read write" ||
		body["expires_in"] != float64(3600) || h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
		t.Fatalf("token answer: %d %v %v", status, h, body)
	}
	access := body["access_token"].(string)
	c := &client{t: t, s: s, token: access}
	c.get("auth/me").want(http.StatusOK)
	c.post("accounts", map[string]any{"name": "Written by a client"}).want(http.StatusCreated)
	// A client's token is an integration's credential: it mints no credentials.
	c.post("auth/apikeys", map[string]any{"name": "x"}).wantError(http.StatusForbidden, "session_required", "-")

	// Deleting the client revokes it and its tokens at once.
	admin.delete("auth/clients/" + clientID).want(http.StatusNoContent)
	c.get("auth/me").wantError(http.StatusUnauthorized, "invalid_token", "-")
	if status, _, body := tokenRequest(t, s, good, clientID, secret); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("a revoked client got %d %v", status, body)
	}
	admin.delete("auth/clients/"+clientID).wantError(http.StatusNotFound, "client_not_found", "-")
	if n := len(admin.get("auth/clients").values()); n != 0 {
		t.Fatalf("%d clients listed after revocation", n)
	}

	// Registration errors use the API's own format.
	admin.post("auth/clients", map[string]any{"name": "x"}).wantError(http.StatusBadRequest, "required", "user_id")
	admin.post("auth/clients", map[string]any{"name": "x", "user_email": "nobody@example.com"}).wantError(http.StatusBadRequest, "user_not_found", "user_email")
	admin.post("auth/clients", map[string]any{"user_id": userID}).wantError(http.StatusBadRequest, "required", "name")
	s.anon().get("auth/clients").wantError(http.StatusUnauthorized, "unauthenticated", "-")

	wantNoSecrets(t, logs, secret, access)
}

// TestOAuthClientsAreTenantScoped checks that an administrator of one tenant can neither see nor
// revoke another tenant's clients.
func TestOAuthClientsAreTenantScoped(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	r := admin.post("auth/clients", map[string]any{"name": "ERP", "user_email": adminEmail})
	r.want(http.StatusCreated)
	clientID := r.str("client_id")

	ctx := context.Background()
	other, err := s.app.EnsureTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.CreateUser(ctx, other.ID, "boss@other.example", "Boss", "another long password", access.AdminRole); err != nil {
		t.Fatal(err)
	}
	lr := s.anon().post("auth/login", map[string]any{"email": "boss@other.example", "password": "another long password"})
	lr.want(http.StatusOK)
	boss := &client{t: t, s: s, token: lr.str("token")}
	if me := boss.get("auth/me"); me.str("admin") != "true" {
		t.Fatalf("the other tenant's administrator: %s", me.raw)
	}
	if n := len(boss.get("auth/clients").values()); n != 0 {
		t.Fatalf("another tenant sees %d clients", n)
	}
	boss.delete("auth/clients/"+clientID).wantError(http.StatusNotFound, "client_not_found", "-")
	if n := len(admin.get("auth/clients").values()); n != 1 {
		t.Fatalf("the client is gone after another tenant's delete: %d left", n)
	}
}

// TestOAuthAdministrationNeedsAnAdministratorInPerson checks who may manage clients and identity
// providers: a tenant administrator signed in as a person, not a user without the role, and not
// a credential (an OAuth2 token of the administrator's own client).
func TestOAuthAdministrationNeedsAnAdministratorInPerson(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	ctx := context.Background()
	me := admin.get("auth/me")
	if _, err := s.app.CreateUser(ctx, me.str("tenant_id"), "clerk@example.com", "Clerk", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	lr := s.anon().post("auth/login", map[string]any{"email": "clerk@example.com", "password": "a long enough password"})
	lr.want(http.StatusOK)
	clerk := &client{t: t, s: s, token: lr.str("token")}
	for _, path := range []string{"auth/clients", "auth/oidc/providers"} {
		clerk.get(path).wantError(http.StatusForbidden, "forbidden", "-")
		clerk.post(path, map[string]any{"name": "x"}).wantError(http.StatusForbidden, "forbidden", "-")
	}

	r := admin.post("auth/clients", map[string]any{"name": "admin's robot", "user_email": adminEmail})
	r.want(http.StatusCreated)
	cfg := clientcredentials.Config{ClientID: r.str("client_id"), ClientSecret: r.str("client_secret"), TokenURL: s.srv.URL + "/api/v1/oauth2/token"}
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	robot := &client{t: t, s: s, token: tok.AccessToken}
	robot.get("auth/clients").wantError(http.StatusForbidden, "session_required", "-")
	robot.post("auth/clients", map[string]any{"name": "x", "user_email": adminEmail}).wantError(http.StatusForbidden, "session_required", "-")
}
