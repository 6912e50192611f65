package api_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestLanguagePreference: a person with no privilege on users sets their own UI language; it is
// kept on their user record, so a new session (another browser) starts in it. Only the language
// can be changed this way, only to a language the product has, and only by a signed-in person;
// the change is audited under their name.
func TestLanguagePreference(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	role := admin.post("security/roles", map[string]any{"name": "Rep", "privileges": []map[string]any{
		{"entity": "account", "privilege": "read", "depth": "user"},
	}}).want(http.StatusCreated).str("id")
	id := admin.post("security/users", map[string]any{"email": "lin@example.com", "full_name": "Lin", "password": adminPassword,
		"roles": []string{role}}).want(http.StatusCreated).str("id")
	signIn := func() *client {
		c := s.anon()
		c.token = c.post("auth/login", map[string]any{"email": "lin@example.com", "password": adminPassword}).want(http.StatusOK).str("token")
		return c
	}
	lin := signIn()
	if me := lin.get("auth/me").want(http.StatusOK); me.at("language") != nil {
		t.Fatalf("no preference yet, got %s", me.raw)
	}
	// The rep may not edit user records in general…
	lin.patch("users("+id+")", map[string]any{"language": "zh"}).want(http.StatusForbidden, http.StatusNotFound)

	// …but sets their own language.
	if me := lin.patch("auth/me", map[string]any{"language": "zh"}).want(http.StatusOK); me.str("language") != "zh" || me.str("user_id") != id {
		t.Fatalf("PATCH auth/me: %s", me.raw)
	}
	if got := signIn().get("auth/me").want(http.StatusOK).str("language"); got != "zh" {
		t.Fatalf("a new session starts in %q, want zh", got)
	}
	if got := admin.get("users(" + id + ")").want(http.StatusOK).str("language"); got != "zh" {
		t.Fatalf("user record language %q", got)
	}
	changes := auditOf(admin, "$filter="+url.QueryEscape("action eq 'update' and entity eq 'user' and record_id eq "+id))
	if len(changes) != 1 || field(changes[0], "user_id") != id {
		t.Fatalf("the change is audited as the user's own: %v", changes)
	}

	// Bad input: a language the product lacks, another field, nothing at all. Nothing changes.
	lin.patch("auth/me", map[string]any{"language": "fr"}).wantError(http.StatusBadRequest, "invalid_choice", "language")
	lin.patch("auth/me", map[string]any{"full_name": "Boss"}).want(http.StatusBadRequest)
	lin.patch("auth/me", map[string]any{}).wantError(http.StatusBadRequest, "required", "language")
	if got := admin.get("users(" + id + ")").want(http.StatusOK); got.str("language") != "zh" || got.str("full_name") != "Lin" {
		t.Fatalf("refused changes wrote: %s", got.raw)
	}

	// An API key is not a person: it cannot set preferences.
	key := lin.post("auth/apikeys", map[string]any{"name": "sync"}).want(http.StatusCreated).str("key")
	(&client{t: t, s: s, token: key}).patch("auth/me", map[string]any{"language": "en"}).
		wantError(http.StatusForbidden, "session_required", "")
	if got := signIn().get("auth/me").want(http.StatusOK).str("language"); got != "zh" {
		t.Fatalf("after the refused key: %q", got)
	}
}
