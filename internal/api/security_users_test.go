package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCreateUserAPI: an administrator creates a user with a password, a unit and roles in one
// request; the user signs in and holds the roles. A weak password, an unknown role or a taken
// email writes nothing; a non-administrator is refused.
func TestCreateUserAPI(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	role := admin.post("security/roles", map[string]any{"name": "Reader", "privileges": []map[string]any{
		{"entity": "account", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated).str("id")
	unit := admin.create("business_units", map[string]any{"name": "East"})
	users := admin.count("users")
	audited := len(admin.all("audit?$filter=action%20eq%20'credential_change'"))

	// A weak password: 400 on the password, nothing written.
	admin.post("security/users", map[string]any{"email": "weak@example.com", "full_name": "Weak", "password": "short", "roles": []string{role}}).
		wantError(http.StatusBadRequest, "weak_password", "password")
	// An unknown role: 400 on roles, the user record written in the same transaction rolled back.
	admin.post("security/users", map[string]any{"email": "norole@example.com", "full_name": "No role", "password": adminPassword,
		"roles": []string{"00000000-0000-7000-8000-000000000000"}}).wantError(http.StatusBadRequest, "role_not_found", "roles")
	if n := admin.count("users"); n != users {
		t.Fatalf("refused creations left users behind: %d, want %d", n, users)
	}
	s.anon().post("auth/login", map[string]any{"email": "norole@example.com", "password": adminPassword}).want(http.StatusUnauthorized)

	created := admin.post("security/users", map[string]any{"email": "Carol@Example.com", "full_name": "Carol", "password": adminPassword,
		"business_unit_id": unit, "roles": []string{role}}).want(http.StatusCreated)
	id := created.str("id")
	if created.str("full_name") != "Carol" || created.str("business_unit_id") != unit || !strings.EqualFold(created.str("email"), "carol@example.com") {
		t.Fatalf("created %s", created.raw)
	}
	if loc := created.header.Get("Location"); !strings.HasSuffix(loc, "/api/v1/users("+id+")") {
		t.Errorf("Location = %q", loc)
	}
	if n := admin.count("users"); n != users+1 {
		t.Fatalf("%d users, want %d", n, users+1)
	}
	members, _ := admin.get("security/roles/" + role + "/members").want(http.StatusOK).at("value").([]any)
	if len(members) != 1 || members[0] != id {
		t.Fatalf("role members %v, want %s", members, id)
	}
	if got := admin.all("audit?$filter=action%20eq%20'credential_change'"); len(got) != audited+1 || field(got[len(got)-1], "record_id") != id {
		t.Fatalf("credential changes audited: %v", got)
	}

	// The new user signs in with the password and holds the role's privileges, not more.
	carol := s.anon()
	carol.token = carol.post("auth/login", map[string]any{"email": "carol@example.com", "password": adminPassword}).want(http.StatusOK).str("token")
	me := carol.get("security/me").want(http.StatusOK)
	if me.str("is_admin") != "false" || me.str("privileges.account.read") != "organization" {
		t.Fatalf("security/me %s", me.raw)
	}
	// A non-administrator may not create users.
	carol.post("security/users", map[string]any{"email": "dave@example.com", "full_name": "Dave", "password": adminPassword}).
		wantError(http.StatusForbidden, "admin_required", "")
	// The email is taken: refused, nothing more written.
	admin.post("security/users", map[string]any{"email": "carol@example.com", "full_name": "Carol 2", "password": adminPassword}).want(http.StatusConflict)
	if n := admin.count("users"); n != users+1 {
		t.Fatalf("%d users after refusals, want %d", n, users+1)
	}
}
