package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAPIKeyScopesOverHTTP(t *testing.T) {
	s := newServer(t)
	admin := s.login()

	admin.post("auth/apikeys", map[string]any{"name": "x", "scopes": []string{"admin"}}).wantError(http.StatusBadRequest, "invalid_scope", "scopes")
	admin.post("auth/apikeys", map[string]any{"name": "x", "expires_in": "1h", "expires_at": "2099-01-01T00:00:00Z"}).
		wantError(http.StatusBadRequest, "invalid_value", "expires_at")
	admin.post("auth/apikeys", map[string]any{"name": "x", "expires_at": "2001-01-01T00:00:00Z"}).wantError(http.StatusBadRequest, "invalid_value", "expires_at")
	admin.post("auth/apikeys", map[string]any{"name": "x", "expires_at": "tomorrow"}).wantError(http.StatusBadRequest, "invalid_value", "expires_at")

	r := admin.post("auth/apikeys", map[string]any{"name": "reporting", "scopes": []string{"read"}, "expires_at": "2099-01-01T00:00:00Z"}).want(http.StatusCreated)
	if r.str("scopes.0") != "read" || r.str("expires_at") != "2099-01-01T00:00:00Z" || r.str("id") == "" || !strings.HasPrefix(r.str("key"), "mrk_") {
		t.Fatalf("read key: %s", r.raw)
	}
	reader := &client{t: t, s: s, token: r.str("key")}
	readerID := r.str("id")
	w := admin.post("auth/apikeys", map[string]any{"name": "sync", "expires_in": "720h"}).want(http.StatusCreated)
	if w.str("scopes.0") != "write" || w.str("expires_at") == "" {
		t.Fatalf("write key: %s", w.raw)
	}
	writer := &client{t: t, s: s, token: w.str("key")}

	// A read key reads and nothing else.
	id := writer.create("accounts", map[string]any{"name": "Contoso"})
	reader.get("accounts").want(http.StatusOK)
	reader.get("accounts(" + id + ")").want(http.StatusOK)
	if me := reader.get("auth/me").want(http.StatusOK); me.str("scopes.0") != "read" {
		t.Fatalf("me: %s", me.raw)
	}
	reader.post("accounts", map[string]any{"name": "Nope"}).wantError(http.StatusForbidden, "insufficient_scope", "-")
	reader.patch("accounts("+id+")", map[string]any{"name": "Nope"}).wantError(http.StatusForbidden, "insufficient_scope", "-")
	reader.delete("accounts("+id+")").wantError(http.StatusForbidden, "insufficient_scope", "-")
	reader.post("$batch", map[string]any{"requests": []any{}}).wantError(http.StatusForbidden, "insufficient_scope", "-")
	writer.patch("accounts("+id+")", map[string]any{"name": "Contoso Ltd"}).want(http.StatusNoContent)

	// Only a signed-in person makes keys.
	writer.post("auth/apikeys", map[string]any{"name": "more"}).wantError(http.StatusForbidden, "session_required", "-")

	// The list shows every key of the caller, never a key itself.
	l := admin.get("auth/apikeys").want(http.StatusOK)
	if vals := l.values(); len(vals) != 2 || field(vals[0], "name") != "reporting" || field(vals[0], "key") != "" {
		t.Fatalf("list: %s", l.raw)
	}
	if strings.Contains(string(l.raw), reader.token) || strings.Contains(string(l.raw), writer.token) {
		t.Fatal("the list shows a key")
	}

	// Revocation takes effect at once, though the key was just used (and cached).
	admin.delete("auth/apikeys/" + readerID).want(http.StatusNoContent)
	reader.get("accounts").wantError(http.StatusUnauthorized, "invalid_token", "-")
	admin.delete("auth/apikeys/"+readerID).wantError(http.StatusNotFound, "token_not_found", "-")
	if vals := admin.get("auth/apikeys").want(http.StatusOK).values(); len(vals) != 1 {
		t.Fatalf("%d keys after revoking one", len(vals))
	}
	// Another user cannot revoke a key that is not theirs.
	s.addUser("bob@example.com", "bob's long password")
	s.loginAs("bob@example.com", "bob's long password").delete("auth/apikeys/"+w.str("id")).wantError(http.StatusNotFound, "token_not_found", "-")
	writer.get("accounts").want(http.StatusOK)
}

func TestExpiredAndLoggedOutKeys(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	short := admin.post("auth/apikeys", map[string]any{"name": "short", "expires_in": "1s"}).want(http.StatusCreated).str("key")
	read := admin.post("auth/apikeys", map[string]any{"name": "bi", "scopes": []string{"read"}}).want(http.StatusCreated).str("key")
	time.Sleep(1100 * time.Millisecond)
	(&client{t: t, s: s, token: short}).get("accounts").wantError(http.StatusUnauthorized, "token_expired", "-")

	// A read key may still end itself.
	rc := &client{t: t, s: s, token: read}
	rc.post("auth/logout", nil).want(http.StatusNoContent)
	rc.get("accounts").wantError(http.StatusUnauthorized, "invalid_token", "-")
}
