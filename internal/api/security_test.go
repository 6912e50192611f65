package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/tenant"
)

// userClient creates a user in the default tenant with the given roles and signs it in.
func (s *server) userClient(email string, roles ...string) (*client, string) {
	s.t.Helper()
	ctx := context.Background()
	tn, err := s.app.EnsureTenant(ctx, "default", "Default")
	if err != nil {
		s.t.Fatal(err)
	}
	id, err := s.app.CreateUser(ctx, tn.ID, email, email, adminPassword, roles...)
	if err != nil {
		s.t.Fatal(err)
	}
	c := s.anon()
	c.token = c.post("auth/login", map[string]any{"email": email, "password": adminPassword}).want(http.StatusOK).str("token")
	return c, id
}

// TestSecurityAPI drives the security model through HTTP: an administrator defines a role,
// users holding it see only their own accounts, sharing (with expiry) and assigning move
// access, and only administrators manage roles and metadata.
func TestSecurityAPI(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	role := admin.post("security/roles", map[string]any{"name": "Sales rep", "privileges": []map[string]any{
		{"entity": "account", "privilege": "create", "depth": "user"},
		{"entity": "account", "privilege": "read", "depth": "user"},
		{"entity": "account", "privilege": "write", "depth": "user"},
		{"entity": "account", "privilege": "share", "depth": "user"},
		{"entity": "account", "privilege": "assign", "depth": "user"},
	}}).want(http.StatusCreated)
	roleID := role.str("id")
	if role.str("privileges.0.entity") != "account" || len(role.at("privileges").([]any)) != 5 {
		t.Fatalf("role %s", role.raw)
	}
	admin.post("security/roles", map[string]any{"name": "Sales rep"}).wantError(http.StatusConflict, "duplicate_key", "name")
	admin.post("security/roles", map[string]any{"name": "Bad", "privileges": []map[string]any{{"entity": "nope", "privilege": "fly", "depth": "galaxy"}}}).
		wantError(http.StatusBadRequest, "unknown_entity", "privileges[0].entity")
	if got := admin.get("security/roles").want(http.StatusOK).values(); len(got) != 2 {
		t.Fatalf("a refused role was kept: %d roles", len(got))
	}

	alice, aliceID := s.userClient("alice@example.com", "Sales rep")
	bob, bobID := s.userClient("bob@example.com", "Sales rep")
	mine := alice.create("accounts", map[string]any{"name": "Alice's account"})
	bob.create("accounts", map[string]any{"name": "Bob's account"})
	if got := alice.all("accounts?$select=name"); len(got) != 1 || field(got[0], "name") != "Alice's account" {
		t.Fatalf("alice lists %v", got)
	}
	bob.get("accounts("+mine+")").wantError(http.StatusNotFound, "not_found", "")
	bob.patch("accounts("+mine+")", map[string]any{"city": "x"}).wantError(http.StatusNotFound, "not_found", "")
	if n := bob.count("accounts"); n != 1 {
		t.Fatalf("bob counts %d accounts", n)
	}
	// Alice shares hers with Bob for an hour, read only.
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	alice.post("accounts("+mine+")/shares", map[string]any{"principal_id": bobID, "rights": []string{"read"}, "expires_at": exp}).want(http.StatusNoContent)
	bob.get("accounts(" + mine + ")").want(http.StatusOK)
	bob.patch("accounts("+mine+")", map[string]any{"city": "x"}).wantError(http.StatusForbidden, "access_denied", "")
	shares := alice.get("accounts(" + mine + ")/shares").want(http.StatusOK).values()
	if len(shares) != 1 || field(shares[0], "principal_id") != bobID || field(shares[0], "expires_at") == "" {
		t.Fatalf("shares %v", shares)
	}
	// Bob cannot pass on a right he lacks.
	bob.post("accounts("+mine+")/shares", map[string]any{"principal_id": aliceID, "rights": []string{"read"}}).wantError(http.StatusForbidden, "access_denied", "")
	alice.post("accounts("+mine+")/unshare", map[string]any{"principal_id": bobID}).want(http.StatusNoContent)
	bob.get("accounts("+mine+")").wantError(http.StatusNotFound, "not_found", "")
	// Assigning gives the record away.
	alice.post("accounts("+mine+")/assign", map[string]any{"owner_id": bobID}).want(http.StatusOK)
	bob.get("accounts(" + mine + ")").want(http.StatusOK)
	alice.get("accounts("+mine+")").wantError(http.StatusNotFound, "not_found", "")

	// Administration is for administrators.
	alice.post("security/roles", map[string]any{"name": "Mine"}).wantError(http.StatusForbidden, "admin_required", "")
	alice.post("metadata/entities", map[string]any{"name": "thing", "set_name": "things", "attributes": []any{}}).want(http.StatusForbidden)
	me := alice.get("security/me").want(http.StatusOK)
	if me.str("is_admin") != "false" || me.str("privileges.account.read") != "user" {
		t.Fatalf("security/me %s", me.raw)
	}
	if admin.get("security/me").want(http.StatusOK).str("is_admin") != "true" {
		t.Fatal("the bootstrap administrator is not an administrator")
	}
	// Taking the role away takes the access away at once.
	admin.delete("security/roles/" + roleID + "/members/" + bobID).want(http.StatusNoContent)
	bob.get("accounts("+mine+")").wantError(http.StatusForbidden, "access_denied", "")
	if members, _ := admin.get("security/roles/" + roleID + "/members").want(http.StatusOK).at("value").([]any); len(members) != 1 || members[0] != aliceID {
		t.Fatalf("role members %v, want only alice", members)
	}
	tpl := admin.post("security/access-team-templates", map[string]any{"name": "Deal team", "entity": "account", "rights": []string{"read", "write"}}).want(http.StatusCreated)
	if tpl.str("rights.1") != "write" {
		t.Fatalf("template %s", tpl.raw)
	}
}

// TestDisabledTenantIsLockedOut: disabling a tenant refuses its sign-ins and its open sessions.
func TestDisabledTenantIsLockedOut(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	admin.get("accounts").want(http.StatusOK)
	if _, err := tenant.SetStatus(context.Background(), s.app.Store, "default", tenant.Disabled); err != nil {
		t.Fatal(err)
	}
	s.app.Access.TTL = 0 // as if another node had disabled it
	admin.get("accounts").wantError(http.StatusForbidden, "tenant_disabled", "")
	s.anon().post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword}).want(http.StatusUnauthorized, http.StatusForbidden)
	if _, err := tenant.SetStatus(context.Background(), s.app.Store, "default", tenant.Active); err != nil {
		t.Fatal(err)
	}
	admin.get("accounts").want(http.StatusOK)
}

// TestSchemaChangesAreAudited: creating and changing custom entities is on the audit trail.
func TestSchemaChangesAreAudited(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	admin.post("metadata/entities", map[string]any{"name": "gadget", "set_name": "gadgets",
		"attributes": []any{map[string]any{"name": "title", "type": "string"}}}).want(http.StatusCreated)
	admin.post("metadata/entities/gadget/attributes", map[string]any{"name": "weight", "type": "decimal"}).want(http.StatusCreated)
	admin.delete("metadata/entities/gadget").want(http.StatusNoContent)
	got := admin.get("audit?$filter=action%20eq%20'schema_change'&$orderby=seq").want(http.StatusOK).values()
	if len(got) != 3 {
		t.Fatalf("%d schema changes audited, want 3: %v", len(got), got)
	}
	changes := []string{}
	for _, e := range got {
		c, _ := e["changes"].(map[string]any)
		changes = append(changes, asString(c["change"]))
	}
	if strings.Join(changes, ",") != "create_entity,update_entity,delete_entity" {
		t.Fatalf("changes %v", changes)
	}
	if c, _ := got[1]["changes"].(map[string]any); asString(c["attributes_added"]) != "[weight]" {
		t.Errorf("the added attribute is not named: %v", got[1]["changes"])
	}
}

// TestAPIKeyChangesAreAudited: creating and revoking an API key is on the audit trail, never
// with the key itself.
func TestAPIKeyChangesAreAudited(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	created := admin.post("auth/apikeys", map[string]any{"name": "erp"}).want(http.StatusCreated)
	key, id := created.str("key"), created.str("id")
	admin.delete("auth/apikeys/" + id).want(http.StatusNoContent)
	got := admin.get("audit?$filter=action%20eq%20'credential_change'&$orderby=seq").want(http.StatusOK)
	vals := got.values()
	if len(vals) != 2 {
		t.Fatalf("%d credential changes audited, want 2", len(vals))
	}
	if c, _ := vals[0]["changes"].(map[string]any); asString(c["change"]) != "create_api_key" || asString(c["name"]) != "erp" {
		t.Errorf("creation entry %v", vals[0]["changes"])
	}
	if c, _ := vals[1]["changes"].(map[string]any); asString(c["change"]) != "revoke_api_key" {
		t.Errorf("revocation entry %v", vals[1]["changes"])
	}
	if strings.Contains(string(got.raw), key) {
		t.Error("the audit trail holds the API key")
	}
}
