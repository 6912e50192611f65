package api_test

import (
	"net/http"
	"testing"
)

// TestSecurityConfigurationIsAdministrators: the security configuration — roles, their
// privileges and holders, field security profiles and theirs — is read and changed by tenant
// administrators only (403 admin_required, whether the item exists or not); business units,
// users, teams and team members are records that need a role's privilege (403 access_denied);
// access team templates are listed for the entities the caller may read. Checked as a user with
// no role and as one whose role reads accounts only.
func TestSecurityConfigurationIsAdministrators(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	role := admin.post("security/roles", map[string]any{"name": "Account reader", "privileges": []map[string]any{
		{"entity": "account", "privilege": "read", "depth": "organization"}}}).want(http.StatusCreated).str("id")
	admin.patch("metadata/entities/account/attributes/revenue", map[string]any{"secured": true}).want(http.StatusOK)
	profile := admin.post("security/field-profiles", map[string]any{"name": "Finance", "permissions": []map[string]any{
		{"entity": "account", "attribute": "revenue", "read": true}}}).want(http.StatusCreated).str("id")
	admin.post("security/access-team-templates", map[string]any{"name": "Deal team", "entity": "account", "rights": []string{"read"}}).want(http.StatusCreated)
	admin.post("security/access-team-templates", map[string]any{"name": "Case team", "entity": "case", "rights": []string{"read"}}).want(http.StatusCreated)
	unit := admin.get("business_units?$top=1").values()[0]["id"]
	team := admin.create("teams", map[string]any{"name": "Night shift", "business_unit_id": unit})
	nobody, nobodyID := s.userClient("nobody@example.com")
	reader, readerID := s.userClient("reader@example.com", "Account reader")
	admin.post("security/field-profiles/"+profile+"/members", map[string]any{"principal_id": readerID}).want(http.StatusNoContent)

	for _, c := range []struct {
		who    string
		client *client
	}{{"no role", nobody}, {"account reader", reader}} {
		t.Run(c.who, func(t *testing.T) {
			u := c.client.in(t)
			principal := map[string]any{"principal_id": nobodyID}
			for _, r := range []struct {
				method, path string
				body         any
			}{
				{"GET", "security/roles", nil},
				{"GET", "security/roles/" + role, nil},
				{"GET", "security/roles/00000000-0000-7000-8000-000000000000", nil},
				{"GET", "security/roles/" + role + "/members", nil},
				{"POST", "security/roles", map[string]any{"name": "Mine", "is_admin": true}},
				{"PUT", "security/roles/" + role + "/privileges", map[string]any{"privileges": []any{}}},
				{"DELETE", "security/roles/" + role, nil},
				{"POST", "security/roles/" + role + "/members", principal},
				{"DELETE", "security/roles/" + role + "/members/" + readerID, nil},
				{"GET", "security/field-profiles", nil},
				{"GET", "security/field-profiles/" + profile, nil},
				{"POST", "security/field-profiles", map[string]any{"name": "Mine"}},
				{"PUT", "security/field-profiles/" + profile + "/permissions", map[string]any{"permissions": []any{}}},
				{"POST", "security/field-profiles/" + profile + "/members", principal},
				{"DELETE", "security/field-profiles/" + profile + "/members/" + readerID, nil},
				{"POST", "security/access-team-templates", map[string]any{"name": "Mine", "entity": "account", "rights": []string{"read"}}},
				{"POST", "security/users", map[string]any{"email": "x@example.com", "full_name": "X", "password": adminPassword}},
			} {
				u.do(r.method, r.path, r.body).wantError(http.StatusForbidden, "admin_required", "-")
			}
			// Units, users, teams and their members are records: a role's privilege decides.
			for _, path := range []string{"business_units", "business_units(" + asString(unit) + ")", "users", "users(" + readerID + ")",
				"teams", "teams(" + team + ")", "teams(" + team + ")/members"} {
				u.get(path).wantError(http.StatusForbidden, "access_denied", "-")
			}
			u.post("teams("+team+")/members/$ref", map[string]any{"@odata.id": "users(" + nobodyID + ")"}).wantError(http.StatusNotFound, "not_found", "-") // not visible
			u.get("security/me").want(http.StatusOK)
		})
	}

	// Access team templates: those of the entities the caller reads.
	names := func(c *client) []string {
		return column(c.get("security/access-team-templates").want(http.StatusOK).values(), "name")
	}
	if got := names(nobody); len(got) != 0 {
		t.Fatalf("a user with no role lists templates %v", got)
	}
	if got := names(reader); len(got) != 1 || got[0] != "Deal team" {
		t.Fatalf("an account reader lists templates %v, want [Deal team]", got)
	}
	if got := names(admin); len(got) != 2 {
		t.Fatalf("the administrator lists templates %v", got)
	}
	// The administrator still reads everything.
	admin.get("security/roles/" + role + "/members").want(http.StatusOK)
	admin.get("security/field-profiles/" + profile).want(http.StatusOK)
}
