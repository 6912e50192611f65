package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// totpCode returns the code of secret at now+d.
func totpCode(t *testing.T, secret string, d time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now().Add(d))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolTOTP enrols and confirms the caller in TOTP and returns the secret and recovery codes.
func enrolTOTP(t *testing.T, c *client) (string, []string) {
	t.Helper()
	r := c.post("auth/mfa/totp", nil).want(http.StatusCreated)
	secret, url := r.str("secret"), r.str("otpauth_url")
	if secret == "" || !strings.HasPrefix(url, "otpauth://totp/") || !strings.Contains(url, "secret="+secret) {
		t.Fatalf("enrolment: %s", r.raw)
	}
	if st := c.get("auth/mfa").want(http.StatusOK); st.str("totp") != "pending" || strings.Contains(string(st.raw), secret) {
		t.Fatalf("status while pending: %s", st.raw)
	}
	c.post("auth/mfa/totp/confirm", map[string]any{"code": "12345x"}).wantError(http.StatusBadRequest, "invalid_code", "code")
	r = c.post("auth/mfa/totp/confirm", map[string]any{"code": totpCode(t, secret, 0)}).want(http.StatusOK)
	raw, _ := r.at("recovery_codes").([]any)
	var codes []string
	for _, v := range raw {
		codes = append(codes, asString(v))
	}
	if len(codes) != 10 {
		t.Fatalf("confirm: %s", r.raw)
	}
	return secret, codes
}

func TestMFAOverHTTP(t *testing.T) {
	s := newServer(t)
	s.app.Auth.SecretKey = func() ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil }
	admin := s.login()
	secret, recovery := enrolTOTP(t, admin)
	st := admin.get("auth/mfa").want(http.StatusOK)
	if st.str("totp") != "active" || st.str("recovery_codes_left") != "10" || strings.Contains(string(st.raw), secret) {
		t.Fatalf("status: %s", st.raw)
	}
	admin.post("auth/mfa/totp", nil).wantError(http.StatusConflict, "mfa_already_enabled", "-")
	// The session that enrolled goes on.
	admin.get("auth/me").want(http.StatusOK)

	anon := s.anon()
	challenge := func(extra ...string) string {
		t.Helper()
		body := map[string]any{"email": adminEmail, "password": adminPassword}
		if len(extra) == 1 {
			body["session"] = extra[0]
		}
		r := anon.post("auth/login", body).want(http.StatusOK)
		if r.str("mfa_required") != "true" || r.str("token") != "" || r.str("expires_in") != "300" || len(r.cookies()) != 0 {
			t.Fatalf("login of an enrolled user: %s", r.raw)
		}
		return r.str("challenge")
	}
	verify := func(ch, code string) *response {
		t.Helper()
		return anon.post("auth/mfa/verify", map[string]any{"challenge": ch, "code": code})
	}

	ch := challenge()
	verify(ch, "000000").wantError(http.StatusUnauthorized, "invalid_code", "-")
	verify(ch, totpCode(t, secret, 0)).wantError(http.StatusUnauthorized, "invalid_code", "-") // spent on confirming
	next := totpCode(t, secret, 30*time.Second)
	r := verify(ch, next).want(http.StatusOK)
	tok := r.str("token")
	if tok == "" || r.str("token_type") != "Bearer" {
		t.Fatalf("verify: %s", r.raw)
	}
	(&client{t: t, s: s, token: tok}).get("auth/me").want(http.StatusOK)
	verify(ch, next).wantError(http.StatusUnauthorized, "invalid_challenge", "-")     // spent challenge
	verify(challenge(), next).wantError(http.StatusUnauthorized, "invalid_code", "-") // spent code
	verify("mfa_nonsense", next).wantError(http.StatusUnauthorized, "invalid_challenge", "-")

	// A recovery code works once; here it finishes a cookie sign-in.
	r = verify(challenge("cookie"), recovery[0]).want(http.StatusOK)
	if jar := r.cookies(); jar["meridian_session"] == nil || r.str("token") != "" || r.str("csrf_token") == "" {
		t.Fatalf("cookie sign-in through a challenge: %s %v", r.raw, r.header.Values("Set-Cookie"))
	}
	verify(challenge(), recovery[0]).wantError(http.StatusUnauthorized, "invalid_code", "-")

	// Disabling takes a code; an API key cannot manage factors.
	key := admin.post("auth/apikeys", map[string]any{"name": "ci"}).want(http.StatusCreated).str("key")
	(&client{t: t, s: s, token: key}).post("auth/mfa/totp/disable", map[string]any{"code": recovery[1]}).
		wantError(http.StatusForbidden, "session_required", "-")
	admin.post("auth/mfa/totp/disable", map[string]any{"code": "000000"}).wantError(http.StatusBadRequest, "invalid_code", "code")
	admin.post("auth/mfa/totp/disable", map[string]any{"code": recovery[1]}).want(http.StatusNoContent)
	if st := admin.get("auth/mfa").want(http.StatusOK); st.str("totp") != "none" || st.str("recovery_codes_left") != "0" {
		t.Fatalf("status after disabling: %s", st.raw)
	}
	anon.post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword}).want(http.StatusOK)
}

func TestMFAResetByAdministrator(t *testing.T) {
	s := newServer(t)
	s.app.Auth.SecretKey = func() ([]byte, error) { return []byte("0123456789abcdef0123456789abcdef"), nil }
	const pw = "alice's long password"
	alice := s.addUser("alice@example.com", pw)
	enrolTOTP(t, s.loginAs("alice@example.com", pw))
	r := s.anon().post("auth/login", map[string]any{"email": "alice@example.com", "password": pw}).want(http.StatusOK)
	if r.str("mfa_required") != "true" {
		t.Fatalf("login: %s", r.raw)
	}
	s.login().post("auth/users/"+alice+"/mfa/reset", nil).want(http.StatusNoContent)
	s.loginAs("alice@example.com", pw).get("auth/me").want(http.StatusOK)
}
