package api_test

import (
	"net/http"
	"testing"
)

// TestSavedViews drives /api/v1/views: validation, personal and shared views between two
// users, owner-only changes, the default view, and the audit trail.
func TestSavedViews(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	admin.post("security/roles", map[string]any{"name": "Account reader", "privileges": []map[string]any{
		{"entity": "account", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	admin.post("security/roles", map[string]any{"name": "Contact reader", "privileges": []map[string]any{
		{"entity": "contact", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	alice, aliceID := s.userClient("alice@example.com", "Account reader")
	bob, _ := s.userClient("bob@example.com", "Account reader")
	carol, _ := s.userClient("carol@example.com", "Contact reader")

	body := map[string]any{
		"entity":       "accounts",
		"name":         "Big in Ningbo",
		"filter":       "(employees gt 100) and (city eq 'Ningbo')",
		"filter_model": map[string]any{"join": "and", "rows": []any{map[string]any{"field": "employees", "op": "gt", "value": "100"}}},
		"columns":      []string{"name", "city", "employees"},
		"order_by":     "employees desc",
	}
	r := alice.post("views", body).want(http.StatusCreated)
	personal := r.str("id")
	if r.str("entity") != "accounts" || r.str("owner_id") != aliceID || r.str("mine") != "true" || r.str("shared") != "false" ||
		r.str("filter_model.rows.0.field") != "employees" || r.str("columns.2") != "employees" || r.at("created_at") == nil {
		t.Fatalf("created view %s", r.raw)
	}
	// Validation: each fault names its field.
	bad := func(change map[string]any, status int, code, target string) {
		t.Helper()
		b := map[string]any{"entity": "accounts", "name": "Bad"}
		for k, v := range change {
			b[k] = v
		}
		alice.post("views", b).wantError(status, code, target)
	}
	bad(map[string]any{"name": "  "}, http.StatusBadRequest, "required", "name")
	bad(map[string]any{"entity": "nopes"}, http.StatusBadRequest, "unknown_entity", "entity")
	bad(map[string]any{"columns": []string{"name", "shoe_size"}}, http.StatusBadRequest, "unknown_attribute", "columns")
	bad(map[string]any{"order_by": "shoe_size desc"}, http.StatusBadRequest, "unknown_field", "order_by")
	bad(map[string]any{"filter": "employees gt"}, http.StatusBadRequest, "invalid_filter", "filter")
	bad(map[string]any{"filter": "shoe_size eq 1"}, http.StatusBadRequest, "unknown_field", "filter")
	bad(map[string]any{"name": "Big in Ningbo"}, http.StatusConflict, "duplicate_name", "name")
	alice.post("views", map[string]any{"entity": "accounts", "name": "x", "colour": "red"}).want(http.StatusBadRequest)
	// The same name is fine for another user or another entity.
	bob.post("views", map[string]any{"entity": "accounts", "name": "Big in Ningbo"}).want(http.StatusCreated)
	// Someone who may not read accounts can neither list nor save their views.
	carol.get("views?entity=accounts").wantError(http.StatusForbidden, "access_denied", "")
	carol.post("views", map[string]any{"entity": "accounts", "name": "Mine"}).wantError(http.StatusForbidden, "access_denied", "")
	carol.post("views", map[string]any{"entity": "contacts", "name": "Big in Ningbo"}).want(http.StatusCreated)
	admin.get("views").wantError(http.StatusBadRequest, "required", "entity")

	shared := alice.post("views", map[string]any{"entity": "accounts", "name": "Team pipeline", "shared": true, "filter": "city eq 'Ningbo'"}).
		want(http.StatusCreated).str("id")

	// Bob sees his own view and Alice's shared one, not her personal one.
	got := bob.get("views?entity=accounts").want(http.StatusOK).values()
	if len(got) != 2 || field(got[0], "name") != "Big in Ningbo" || field(got[0], "mine") != "true" ||
		field(got[1], "id") != shared || field(got[1], "mine") != "false" || field(got[1], "owner_id") != aliceID {
		t.Fatalf("bob's views %v", got)
	}
	bob.get("views/" + shared).want(http.StatusOK)
	bob.get("views/"+personal).wantError(http.StatusNotFound, "not_found", "")
	bob.patch("views/"+personal, map[string]any{"name": "Mine now"}).wantError(http.StatusNotFound, "not_found", "")
	bob.delete("views/"+personal).wantError(http.StatusNotFound, "not_found", "")
	bob.patch("views/"+shared, map[string]any{"name": "Mine now"}).wantError(http.StatusForbidden, "not_owner", "")
	bob.delete("views/"+shared).wantError(http.StatusForbidden, "not_owner", "")
	carol.get("views/"+shared).wantError(http.StatusNotFound, "not_found", "")
	// Alice sees both of hers, her own first.
	if got := alice.get("views?entity=accounts").want(http.StatusOK).values(); len(got) != 2 || field(got[0], "id") != personal || field(got[1], "id") != shared {
		t.Fatalf("alice's views %v", got)
	}

	// The owner edits: rename, unshare, validation on update too; one default per user.
	alice.patch("views/"+shared, map[string]any{"name": "Big in Ningbo"}).wantError(http.StatusConflict, "duplicate_name", "name")
	alice.patch("views/"+shared, map[string]any{"columns": []string{"nope"}}).wantError(http.StatusBadRequest, "unknown_attribute", "columns")
	alice.patch("views/"+shared, map[string]any{"entity": "contacts"}).wantError(http.StatusBadRequest, "read_only_field", "entity")
	r = alice.patch("views/"+shared, map[string]any{"name": "Ningbo (shared)", "is_default": true}).want(http.StatusOK)
	if r.str("name") != "Ningbo (shared)" || r.str("filter") != "city eq 'Ningbo'" || r.str("shared") != "true" || r.str("is_default") != "true" {
		t.Fatalf("updated view %s", r.raw)
	}
	alice.patch("views/"+personal, map[string]any{"is_default": true}).want(http.StatusOK)
	if r := alice.get("views/" + shared).want(http.StatusOK); r.str("is_default") != "false" {
		t.Fatalf("two defaults: %s", r.raw)
	}
	if r := bob.get("views/" + shared).want(http.StatusOK); r.str("name") != "Ningbo (shared)" || r.str("is_default") != "false" {
		t.Fatalf("bob reads %s", r.raw)
	}
	alice.patch("views/"+shared, map[string]any{"shared": false}).want(http.StatusOK)
	bob.get("views/"+shared).wantError(http.StatusNotFound, "not_found", "")
	if got := bob.get("views?entity=accounts").want(http.StatusOK).values(); len(got) != 1 {
		t.Fatalf("bob still sees an unshared view: %v", got)
	}
	// An administrator may change and delete anyone's view.
	admin.patch("views/"+shared, map[string]any{"name": "Renamed by admin"}).want(http.StatusOK)
	admin.delete("views/" + shared).want(http.StatusNoContent)
	alice.get("views/"+shared).wantError(http.StatusNotFound, "not_found", "")
	alice.delete("views/" + personal).want(http.StatusNoContent)
	alice.get("views/not-a-uuid").wantError(http.StatusNotFound, "not_found", "")
	if got := alice.get("views?entity=accounts").want(http.StatusOK).values(); len(got) != 0 {
		t.Fatalf("deleted views listed: %v", got)
	}

	// Every change is on the audit trail.
	changes := admin.all("audit?$filter=" + q("action eq 'view_change'") + "&$orderby=seq")
	if len(changes) != 10 {
		t.Fatalf("%d view changes audited, want 10: %v", len(changes), changes)
	}
	last := changes[len(changes)-1]
	if field(last, "entity") != "saved_view" || field(last, "record_id") != personal || field(last, "user_id") != aliceID {
		t.Fatalf("last view change %v", last)
	}
}
