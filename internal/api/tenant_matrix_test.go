package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminEndpointsAcrossTenants is the cross-tenant matrix of the administration endpoints:
// tenant alpha's administrator makes one of each kind of configuration (a role, a field security
// profile, an access team template, a shared view, an OAuth client, an API key, duplicate
// rules, audit retention, a custom entity); tenant beta's administrator — an administrator, so
// that only tenancy stands in the way — must neither find them in any listing, nor read, change
// or delete them by id.
func TestAdminEndpointsAcrossTenants(t *testing.T) {
	s := newServer(t)
	a := s.login()
	b := s.tenantAdmin("beta")

	a.post("metadata/entities", map[string]any{"name": "alpha_thing", "attributes": []map[string]any{{"name": "title", "type": "string"}}}).want(http.StatusCreated)
	role := a.post("security/roles", map[string]any{"name": "Alpha marker role", "privileges": []map[string]any{
		{"entity": "alpha_thing", "privilege": "read", "depth": "organization"}}}).want(http.StatusCreated).str("id")
	a.patch("metadata/entities/account/attributes/revenue", map[string]any{"secured": true}).want(http.StatusOK)
	profile := a.post("security/field-profiles", map[string]any{"name": "Alpha marker profile", "permissions": []map[string]any{
		{"entity": "account", "attribute": "revenue", "read": true}}}).want(http.StatusCreated).str("id")
	a.post("security/access-team-templates", map[string]any{"name": "Alpha marker team", "entity": "account", "rights": []string{"read"}}).want(http.StatusCreated)
	view := a.post("views", map[string]any{"entity": "accounts", "name": "Alpha marker view", "shared": true}).want(http.StatusCreated).str("id")
	client := a.post("auth/clients", map[string]any{"name": "Alpha marker client", "user_email": adminEmail}).want(http.StatusCreated).str("client_id")
	key := a.post("auth/apikeys", map[string]any{"name": "Alpha marker key"}).want(http.StatusCreated).str("id")
	a.do("PUT", "duplicaterules/contact", map[string]any{"rules": []map[string]any{{"name": "alpha_marker_rule", "match": "email", "attributes": []string{"email"}}}}).want(http.StatusOK)
	a.do("PUT", "audit/retention", map[string]any{"days": 4242}).want(http.StatusOK)
	a.create("accounts", map[string]any{"name": "Alpha marker account"})

	// Nothing of alpha's in any of beta's listings.
	for _, path := range []string{"security/roles", "security/field-profiles", "security/access-team-templates", "views?entity=accounts",
		"auth/clients", "auth/apikeys", "duplicaterules/contact", "audit/retention", "audit", "jobs", "jobs/stats", "imports",
		"metadata/entities", "metadata/relationships", "$metadata", "openapi.json", "accounts", "search?q=marker", "security/me"} {
		body := string(b.get(path).want(http.StatusOK).raw)
		for _, m := range []string{"Alpha marker", "alpha_marker", "alpha_thing", "4242", role, profile, view, client, key} {
			if strings.Contains(body, m) {
				t.Errorf("beta's %s shows alpha's %q", path, m)
			}
		}
	}
	// Nor by id: every read, change and delete of alpha's configuration is a 404 for beta.
	member := map[string]any{"principal_id": "01234567-89ab-7def-8123-456789abcdef"}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "security/roles/" + role, nil}, {"DELETE", "security/roles/" + role, nil}, {"GET", "security/roles/" + role + "/members", nil},
		{"PUT", "security/roles/" + role + "/privileges", map[string]any{"privileges": []any{}}}, {"POST", "security/roles/" + role + "/members", member},
		{"GET", "security/field-profiles/" + profile, nil}, {"PUT", "security/field-profiles/" + profile + "/permissions", map[string]any{"permissions": []any{}}},
		{"POST", "security/field-profiles/" + profile + "/members", member},
		{"GET", "views/" + view, nil}, {"PATCH", "views/" + view, map[string]any{"name": "Taken over"}}, {"DELETE", "views/" + view, nil},
		{"DELETE", "auth/clients/" + client, nil}, {"DELETE", "auth/apikeys/" + key, nil},
		{"GET", "metadata/entities/alpha_thing", nil}, {"PATCH", "metadata/entities/alpha_thing", map[string]any{"display_name": map[string]any{"en": "Taken over"}}},
		{"DELETE", "metadata/entities/alpha_thing?force=true", nil}, {"GET", "alpha_things", nil},
	} {
		r := b.do(tc.method, tc.path, tc.body)
		if r.status != http.StatusNotFound {
			t.Errorf("beta %s %s: %d %s, want 404", tc.method, tc.path, r.status, clip(r.raw))
		}
	}
	// Alpha's configuration is intact.
	a.get("security/roles/" + role).want(http.StatusOK)
	a.get("security/field-profiles/" + profile).want(http.StatusOK)
	a.get("views/" + view).want(http.StatusOK)
	a.get("metadata/entities/alpha_thing").want(http.StatusOK)
	if got := a.get("duplicaterules/contact").want(http.StatusOK).str("rules.0.name"); got != "alpha_marker_rule" {
		t.Errorf("alpha's duplicate rules: %s", got)
	}
	if got := a.get("audit/retention").want(http.StatusOK).str("days"); got != "4242" {
		t.Errorf("alpha's retention: %s", got)
	}
}
