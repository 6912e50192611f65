package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestChangePassword: a signed-in user changes their password with the current one. The session
// of the request stays signed in; the user's other sessions (bearer or cookie) are signed out;
// API keys stay unless asked; a weak new password, a wrong current one and an API key are
// refused; the change and the refused guess are on the audit trail.
func TestChangePassword(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	const email, first, second, third = "carol@example.com", "Carol's first long password", "amber kettle 1907 rain", "lantern over the moor"
	admin.post("security/users", map[string]any{"email": email, "full_name": "Carol Mendes", "password": first}).want(http.StatusCreated)
	signIn := func(pw string) *client {
		c := s.anon()
		c.token = c.post("auth/login", map[string]any{"email": email, "password": pw}).want(http.StatusOK).str("token")
		return c
	}
	here, other := signIn(first), signIn(first)
	key := &client{t: t, s: s, token: here.post("auth/apikeys", map[string]any{"name": "script"}).want(http.StatusCreated).str("key")}

	// Both passwords are required; an API key is not a person.
	here.post("auth/password", map[string]any{}).wantError(http.StatusBadRequest, "required", "current_password")
	key.post("auth/password", map[string]any{"current_password": first, "new_password": second}).
		wantError(http.StatusForbidden, "session_required", "-")

	// A wrong current password is refused, counted and audited; a weak new one is refused with
	// the reason, on new_password.
	here.post("auth/password", map[string]any{"current_password": "not my password", "new_password": second}).
		wantError(http.StatusBadRequest, "wrong_password", "current_password")
	weak := here.post("auth/password", map[string]any{"current_password": first, "new_password": "carolmendes2030"}).
		wantError(http.StatusBadRequest, "weak_password", "new_password")
	if code := weak.str("error.details.0.code"); code != "password_has_name" {
		t.Fatalf("reason %q, want password_has_name\n%s", code, weak.raw)
	}
	here.post("auth/password", map[string]any{"current_password": first, "new_password": first}).
		wantError(http.StatusBadRequest, "same_password", "new_password")
	other.get("auth/me").want(http.StatusOK) // nothing changed yet

	res := here.post("auth/password", map[string]any{"current_password": first, "new_password": second}).want(http.StatusOK)
	if res.str("revoked_sessions") != "1" || res.str("revoked_api_keys") != "0" || res.str("api_keys") != "1" {
		t.Fatalf("answer %s", res.raw)
	}
	here.get("auth/me").want(http.StatusOK)
	other.get("auth/me").wantError(http.StatusUnauthorized, "invalid_token", "-")
	key.get("auth/me").want(http.StatusOK)
	s.anon().post("auth/login", map[string]any{"email": email, "password": first}).wantError(http.StatusUnauthorized, "invalid_credentials", "-")
	fresh := signIn(second)

	// Asked to, the change revokes the API keys too.
	res = fresh.post("auth/password", map[string]any{"current_password": second, "new_password": third, "revoke_api_keys": true}).want(http.StatusOK)
	if res.str("revoked_sessions") != "1" || res.str("revoked_api_keys") != "1" || res.str("api_keys") != "0" {
		t.Fatalf("answer %s", res.raw)
	}
	key.get("auth/me").wantError(http.StatusUnauthorized, "invalid_token", "-")
	here.get("auth/me").wantError(http.StatusUnauthorized, "invalid_token", "-")
	fresh.get("auth/me").want(http.StatusOK)

	entries := auditOf(admin, "$orderby=seq&$filter="+url.QueryEscape("action eq 'credential_change' and entity eq 'user'"))
	var got []string
	for _, e := range entries {
		if c, ok := e["changes"].(map[string]any); ok && e["user_name"] == "Carol Mendes" {
			got = append(got, field(c, "change")+" refused="+field(c, "refused")+" sessions="+field(c, "revoked_sessions")+
				" keys="+field(c, "revoked_api_keys")+"/"+field(c, "api_keys"))
		}
	}
	want := []string{
		"create_api_key refused= sessions= keys=/",
		"change_password refused=wrong_password sessions= keys=/",
		"change_password refused= sessions=1 keys=0/1",
		"change_password refused= sessions=1 keys=1/0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestChangePasswordLockout: wrong current passwords count as failed sign-ins: the fifth locks the
// email address (429 account_locked with Retry-After), and while it is locked even the right
// current password is refused unchecked.
func TestChangePasswordLockout(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	const email, pw = "dan@example.com", "Dan's rather long password"
	admin.post("security/users", map[string]any{"email": email, "full_name": "Dan Ortiz", "password": pw}).want(http.StatusCreated)
	dan := s.anon()
	dan.token = dan.post("auth/login", map[string]any{"email": email, "password": pw}).want(http.StatusOK).str("token")
	for i := 1; i < 5; i++ {
		dan.post("auth/password", map[string]any{"current_password": "guess number one", "new_password": "amber kettle 1907 rain"}).
			wantError(http.StatusBadRequest, "wrong_password", "current_password")
	}
	r := dan.post("auth/password", map[string]any{"current_password": "guess number five", "new_password": "amber kettle 1907 rain"}).
		wantError(http.StatusTooManyRequests, "account_locked", "-")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	dan.post("auth/password", map[string]any{"current_password": pw, "new_password": "amber kettle 1907 rain"}).
		wantError(http.StatusTooManyRequests, "account_locked", "-")
	s.anon().post("auth/login", map[string]any{"email": email, "password": pw}).wantError(http.StatusTooManyRequests, "account_locked", "-")
}
