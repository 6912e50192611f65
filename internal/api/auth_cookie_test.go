package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// cookies returns the cookies a response sets, by name.
func (r *response) cookies() map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// cookieLogin signs the administrator in for a browser and returns the session cookie, the
// CSRF cookie and the response.
func cookieLogin(t *testing.T, s *server) (session, csrf *http.Cookie, r *response) {
	t.Helper()
	r = s.anon().post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword, "session": "cookie"}).want(http.StatusOK)
	jar := r.cookies()
	session, csrf = jar["meridian_session"], jar["meridian_csrf"]
	if session == nil || csrf == nil {
		t.Fatalf("cookie login set %v", r.header.Values("Set-Cookie"))
	}
	return session, csrf, r
}

func TestCookieSession(t *testing.T) {
	s := newServer(t)

	// The test server listens on a loopback address: cookies are not Secure by default there.
	session, csrf, r := cookieLogin(t, s)
	if r.str("token") != "" || r.str("session") != "cookie" || r.str("csrf_token") != csrf.Value || r.str("user.id") == "" {
		t.Fatalf("cookie login body: %s", r.raw)
	}
	if !session.HttpOnly || session.Secure || session.SameSite != http.SameSiteLaxMode || session.Path != "/" ||
		session.MaxAge != int((12*time.Hour)/time.Second) || !strings.HasPrefix(session.Value, "mrd_") {
		t.Fatalf("session cookie %+v", session)
	}
	if csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Value == "" || csrf.Value == session.Value {
		t.Fatalf("CSRF cookie %+v", csrf)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	s.app.API.SecureCookies = true
	secure, secureCSRF, _ := cookieLogin(t, s)
	if !secure.Secure || !secureCSRF.Secure || !secure.HttpOnly {
		t.Fatalf("with SecureCookies: %+v %+v", secure, secureCSRF)
	}

	browser := s.anon()
	cookie := "meridian_session=" + session.Value + "; meridian_csrf=" + csrf.Value
	if me := browser.get("auth/me", hdr("Cookie", cookie)...).want(http.StatusOK); me.str("session") != "cookie" || me.str("method") != "token" {
		t.Fatalf("me: %s", me.raw)
	}
	browser.get("accounts", hdr("Cookie", cookie)...).want(http.StatusOK)

	account := map[string]any{"name": "Made in a browser"}
	browser.post("accounts", account, hdr("Cookie", cookie)...).wantError(http.StatusForbidden, "csrf_failed", "-")
	browser.post("accounts", account, hdr("Cookie", cookie, "X-CSRF-Token", "forged")...).wantError(http.StatusForbidden, "csrf_failed", "-")
	// Another session's CSRF token does not fit this one.
	browser.post("accounts", account, hdr("Cookie", cookie, "X-CSRF-Token", secureCSRF.Value)...).wantError(http.StatusForbidden, "csrf_failed", "-")
	if s.login().count("accounts") != 0 {
		t.Fatal("a refused request wrote")
	}
	id := browser.post("accounts", account, hdr("Cookie", cookie, "X-CSRF-Token", csrf.Value)...).want(http.StatusCreated).str("id")
	browser.delete("accounts("+id+")", hdr("Cookie", cookie)...).wantError(http.StatusForbidden, "csrf_failed", "-")

	// A bearer token needs no CSRF token, even with a cookie beside it.
	bearer := s.login()
	bearer.post("accounts", map[string]any{"name": "Made by a script"}).want(http.StatusCreated)
	bearer.post("accounts", map[string]any{"name": "Made by a script"}, hdr("Cookie", cookie)...).want(http.StatusCreated)

	// Logout revokes the session and clears both cookies.
	out := browser.post("auth/logout", nil, hdr("Cookie", cookie, "X-CSRF-Token", csrf.Value)...).want(http.StatusNoContent)
	cleared := out.cookies()
	for _, name := range []string{"meridian_session", "meridian_csrf"} {
		if c := cleared[name]; c == nil || c.Value != "" || c.MaxAge >= 0 {
			t.Fatalf("logout left cookie %s: %v", name, out.header.Values("Set-Cookie"))
		}
	}
	browser.get("accounts", hdr("Cookie", cookie)...).wantError(http.StatusUnauthorized, "invalid_token", "-")
}

func TestCookieLoginChecks(t *testing.T) {
	s := newServer(t)
	anon := s.anon()
	anon.post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword, "session": "jar"}).
		wantError(http.StatusBadRequest, "invalid_value", "session")
	// A cookie sign-in must be JSON, so that a cross-site form cannot make one (login CSRF).
	body := `{"email":"` + adminEmail + `","password":"` + adminPassword + `","session":"cookie"}`
	res, err := s.srv.Client().Post(s.srv.URL+"/api/v1/auth/login", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || len(res.Cookies()) != 0 {
		t.Fatalf("cookie sign-in as text/plain: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	// An API key in the session cookie is not a session.
	key := s.login().post("auth/apikeys", map[string]any{"name": "ci"}).want(http.StatusCreated).str("key")
	anon.get("accounts", hdr("Cookie", "meridian_session="+key)...).wantError(http.StatusUnauthorized, "invalid_token", "-")
	anon.get("accounts", hdr("Cookie", "meridian_session=garbage")...).wantError(http.StatusUnauthorized, "invalid_token", "-")
}
