package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthRequired(t *testing.T) {
	s := newServer(t)
	anon := s.anon()

	open := []struct{ method, path string }{
		{"GET", "/healthz"},
		{"GET", "/readyz"},
	}
	for _, tc := range open {
		anon.do(tc.method, tc.path, nil).want(http.StatusOK)
	}

	closed := []struct{ method, path string }{
		{"GET", "accounts"},
		{"POST", "accounts"},
		{"GET", "accounts(00000000-0000-0000-0000-000000000000)"},
		{"GET", "accounts/$count"},
		{"GET", "no_such_set"},
		{"GET", "$metadata"},
		{"GET", "openapi.json"},
		{"POST", "$batch"},
		{"GET", "metadata/entities"},
		{"POST", "metadata/entities"},
		{"GET", "auth/me"},
		{"POST", "auth/logout"},
		{"POST", "auth/apikeys"},
		{"GET", "auth/apikeys"},
		{"DELETE", "auth/apikeys/x"},
		{"GET", "auth/mfa"},
		{"POST", "auth/mfa/totp"},
		{"POST", "auth/mfa/totp/confirm"},
		{"POST", "auth/mfa/totp/disable"},
		{"POST", "auth/mfa/recovery-codes"},
		{"POST", "auth/users/x/unlock"},
		{"GET", "auth/users/x/lock"},
		{"POST", "auth/users/x/mfa/reset"},
	}
	for _, tc := range closed {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			c := &client{t: t, s: s}
			r := c.do(tc.method, tc.path, nil)
			r.wantError(http.StatusUnauthorized, "unauthenticated", "-")
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", r.header.Get("WWW-Authenticate"))
			}
		})
	}

	bad := []struct{ name, auth string }{
		{"basic scheme", "Basic YWRtaW46eA=="},
		{"empty bearer", "Bearer "},
		{"garbage token", "Bearer not-a-token"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c := &client{t: t, s: s}
			r := c.get("accounts", hdr("Authorization", tc.auth)...)
			r.want(http.StatusUnauthorized)
			if r.str("error.code") == "" || r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without error code or challenge: %v %s", r.header, r.raw)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	s := newServer(t)
	anon := s.anon()
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		target string
	}{
		{"wrong password", map[string]any{"email": adminEmail, "password": "wrong"}, 401, "invalid_credentials", "-"},
		{"unknown user", map[string]any{"email": "nobody@example.com", "password": "x"}, 401, "invalid_credentials", "-"},
		{"no email", map[string]any{"password": "x"}, 400, "required", "email"},
		{"no password", map[string]any{"email": adminEmail}, 400, "required", "password"},
		{"unknown field", map[string]any{"email": adminEmail, "password": "x", "otp": "1"}, 400, "unknown_field", "otp"},
		{"not json", "{", 400, "invalid_json", "-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &client{t: t, s: s}
			r := c.post("auth/login", tc.body)
			r.wantError(tc.status, tc.code, tc.target)
			if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	r := anon.post("auth/login", map[string]any{"email": strings.ToUpper(adminEmail), "password": adminPassword}).want(200)
	if r.str("token_type") != "Bearer" || r.str("user.id") == "" || r.str("expires_in") == "" {
		t.Errorf("login body: %s", r.raw)
	}
}

func TestSessionAPIKeyAndLogout(t *testing.T) {
	s := newServer(t)
	c := s.login()

	me := c.get("auth/me").want(http.StatusOK)
	if me.str("method") != "token" || me.str("user_id") == "" || me.str("tenant_id") == "" {
		t.Errorf("me: %s", me.raw)
	}

	c.post("auth/apikeys", map[string]any{}).wantError(400, "required", "name")
	c.post("auth/apikeys", map[string]any{"name": "x", "expires_in": "soon"}).wantError(400, "invalid_value", "expires_in")

	k := c.post("auth/apikeys", map[string]any{"name": "integration", "expires_in": "720h"}).want(http.StatusCreated)
	key := k.str("key")
	if key == "" || key == c.token {
		t.Fatalf("apikey response: %s", k.raw)
	}
	kc := &client{t: t, s: s, token: key}
	kme := kc.get("auth/me").want(http.StatusOK)
	if kme.str("user_id") != me.str("user_id") || kme.str("method") != "apikey" {
		t.Errorf("API key acts as %s, want %s", kme.str("user_id"), me.str("user_id"))
	}
	id := kc.create("accounts", map[string]any{"name": "Made with a key"})
	c.get("accounts(" + id + ")").want(http.StatusOK)

	// Logout revokes the session only; the API key keeps working.
	c.post("auth/logout", nil).want(http.StatusNoContent)
	r := c.get("accounts")
	r.want(http.StatusUnauthorized)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	kc.get("accounts").want(http.StatusOK)
	// The scheme is case-insensitive.
	(&client{t: t, s: s}).get("accounts", hdr("Authorization", "bearer "+key)...).want(http.StatusOK)

	// Revoking the key through its own logout ends it too.
	kc.post("auth/logout", nil).want(http.StatusNoContent)
	kc.get("accounts").want(http.StatusUnauthorized)
}
