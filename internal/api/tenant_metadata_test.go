package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// TestEveryTenantHasItsOwnDataModel: two tenants define a custom entity of the same name with
// different attributes, each adds its own attributes, options, labels, field security and
// indexes to the shared system entities — and neither reads, changes nor counts the other's,
// through any metadata endpoint, $metadata or the OpenAPI document.
func TestEveryTenantHasItsOwnDataModel(t *testing.T) {
	s := newServer(t)
	a := s.login()
	b := s.tenantAdmin("beta")

	// Each tenant's own definitions; each carries a marker the other must never see.
	a.post("metadata/entities", map[string]any{"name": "project", "display_name": map[string]any{"en": "Alpha project"},
		"attributes": []map[string]any{{"name": "title", "type": "string", "required": true},
			{"name": "alpha_budget", "type": "money"}, {"name": "account_id", "type": "lookup", "target": "account"}}}).want(http.StatusCreated)
	b.post("metadata/entities", map[string]any{"name": "project", "display_name": map[string]any{"en": "Beta project"},
		"attributes": []map[string]any{{"name": "name", "type": "string"}, {"name": "beta_priority", "type": "integer"}}}).want(http.StatusCreated)
	a.post("metadata/entities/account/attributes", map[string]any{"name": "loyalty", "type": "choice",
		"options": []map[string]any{{"value": "alpha_gold", "label": map[string]any{"en": "Gold"}}}}).want(http.StatusCreated)
	b.post("metadata/entities/account/attributes", map[string]any{"name": "loyalty", "type": "integer"}).want(http.StatusCreated)
	b.post("metadata/entities/contact/attributes", map[string]any{"name": "beta_hobby", "type": "string"}).want(http.StatusCreated)
	a.post("metadata/relationships", map[string]any{"name": "alpha_project_contact", "entity1": "project", "entity2": "contact",
		"nav1": "team_contacts", "nav2": "alpha_projects"}).want(http.StatusCreated)
	a.patch("metadata/entities/account/attributes/industry", map[string]any{"options": append(options(a, "account", "industry"),
		map[string]any{"value": "alpha_aerospace", "label": map[string]any{"en": "Aerospace"}})}).want(http.StatusOK)
	a.patch("metadata/entities/account", map[string]any{"display_name": map[string]any{"en": "Alpha customer"}}).want(http.StatusOK)
	b.patch("metadata/entities/account/attributes/revenue", map[string]any{"secured": true}).want(http.StatusOK)
	a.patch("metadata/entities/account/attributes/country", map[string]any{"indexed": true}).want(http.StatusOK)

	alpha := []string{"Alpha project", "alpha_budget", "alpha_gold", "alpha_project_contact", "alpha_aerospace", "Alpha customer"}
	beta := []string{"Beta project", "beta_priority", "beta_hobby"}
	for _, tc := range []struct {
		who    string
		c      *client
		others []string
	}{{"alpha", a, beta}, {"beta", b, alpha}} {
		for _, path := range []string{"metadata/entities", "metadata/entities/project", "metadata/entities/project/attributes",
			"metadata/entities/account", "metadata/entities/account/attributes", "metadata/entities/contact/attributes",
			"metadata/relationships", "$metadata", "openapi.json"} {
			body := string(tc.c.get(path).want(http.StatusOK).raw)
			for _, m := range tc.others {
				if strings.Contains(body, m) {
					t.Errorf("%s reads %q of the other tenant in %s", tc.who, m, path)
				}
			}
		}
	}
	if got := a.get("metadata/entities/account/attributes/loyalty").want(http.StatusOK).str("type"); got != "choice" {
		t.Errorf("alpha's account.loyalty is a %s", got)
	}
	if got := b.get("metadata/entities/account/attributes/loyalty").want(http.StatusOK).str("type"); got != "integer" {
		t.Errorf("beta's account.loyalty is a %s", got)
	}
	if a.get("metadata/entities/account/attributes/revenue").want(http.StatusOK).at("secured") == true {
		t.Error("beta's field security reached alpha")
	}
	if b.get("metadata/entities/account/attributes/country").want(http.StatusOK).at("indexed") == true {
		t.Error("alpha's index flag reached beta")
	}
	if !hasIndex(t, s, store.IndexName("ix", "account", "country")) {
		t.Error("indexed: true on a shipped attribute made no index")
	}

	// Records follow each tenant's definitions.
	acc := a.create("accounts", map[string]any{"name": "Alpha Works", "loyalty": "alpha_gold", "industry": "alpha_aerospace"})
	a.create("projects", map[string]any{"title": "Roll-out", "alpha_budget": 1200, "account_id": acc})
	b.create("accounts", map[string]any{"name": "Beta Trading", "loyalty": 3})
	for range 3 {
		b.create("projects", map[string]any{"name": "Beta work", "beta_priority": 1})
	}
	b.post("accounts", map[string]any{"name": "x", "industry": "alpha_aerospace"}).wantError(http.StatusBadRequest, "invalid_choice", "industry")
	b.post("accounts", map[string]any{"name": "x", "loyalty": "alpha_gold"}).wantError(http.StatusBadRequest, "invalid_type", "loyalty")
	if got := a.all("accounts?$select=name&$filter=" + q("loyalty eq 'alpha_gold'")); len(got) != 1 {
		t.Errorf("alpha filters on its own loyalty: %v", got)
	}
	if got := b.all("accounts?$select=name,loyalty&$orderby=loyalty&$filter=" + q("loyalty ge 3")); len(got) != 1 || field(got[0], "name") != "Beta Trading" {
		t.Errorf("beta filters and sorts on its own loyalty: %v", got)
	}
	if n := a.count("projects"); n != 1 {
		t.Errorf("alpha counts %d projects", n)
	}
	if n := b.count("projects"); n != 3 {
		t.Errorf("beta counts %d projects", n)
	}

	// Neither changes the other's: names resolve in the caller's own model.
	b.patch("metadata/entities/project/attributes/alpha_budget", map[string]any{"description": "mine now"}).wantError(http.StatusNotFound, "unknown_attribute", "")
	b.delete("metadata/entities/contact/attributes/nothing").wantError(http.StatusNotFound, "unknown_attribute", "")
	b.delete("metadata/relationships/alpha_project_contact").wantError(http.StatusNotFound, "unknown_relationship", "")
	a.delete("metadata/entities/contact/attributes/beta_hobby").wantError(http.StatusNotFound, "unknown_attribute", "")
	b.patch("metadata/entities/account/attributes/revenue", map[string]any{"secured": false}).want(http.StatusOK)
	// A refused delete counts the caller's records only.
	r := a.delete("metadata/entities/project").wantError(http.StatusConflict, "data_loss", "")
	if msg := r.str("error.message"); !strings.Contains(msg, "(1 records)") {
		t.Errorf("alpha's refused delete says %q: it must count alpha's one project, not beta's", msg)
	}
	b.delete("metadata/entities/project?force=true").want(http.StatusNoContent)
	b.get("projects").wantError(http.StatusNotFound, "unknown_entity_set", "")
	if n := a.count("projects"); n != 1 {
		t.Errorf("beta's delete of its project left alpha %d", n)
	}
	a.get("metadata/entities/project/attributes/alpha_budget").want(http.StatusOK)
	// The other's index stays while someone asks for it; it goes with the last.
	b.patch("metadata/entities/account/attributes/country", map[string]any{"indexed": true}).want(http.StatusOK)
	a.patch("metadata/entities/account/attributes/country", map[string]any{"indexed": false}).want(http.StatusOK)
	if !hasIndex(t, s, store.IndexName("ix", "account", "country")) {
		t.Error("alpha's unflagging dropped the index beta asks for")
	}
	b.patch("metadata/entities/account/attributes/country", map[string]any{"indexed": false}).want(http.StatusOK)
	if hasIndex(t, s, store.IndexName("ix", "account", "country")) {
		t.Error("the index outlived every tenant that asked for it")
	}
}

// TestShippedAttributePatchIsAppliedOrRefused: every field of a PATCH of a shipped attribute
// is applied (labels, security, index, new options) or refused with a 400 naming it.
func TestShippedAttributePatchIsAppliedOrRefused(t *testing.T) {
	s := newServer(t)
	c := s.login()
	for _, tc := range []struct {
		body   map[string]any
		target string
	}{
		{map[string]any{"max_length": 20}, "max_length"},
		{map[string]any{"required": true}, "required"},
		{map[string]any{"type": "text"}, "type"},
		{map[string]any{"unique": true}, "unique"},
		{map[string]any{"default": "Shanghai"}, "default"},
	} {
		c.patch("metadata/entities/account/attributes/country", tc.body).wantError(http.StatusBadRequest, "not_changeable", tc.target)
	}
	c.patch("metadata/entities/account/attributes/industry", map[string]any{"options": []map[string]any{{"value": "other", "label": map[string]any{"en": "Other"}}}}).
		wantError(http.StatusBadRequest, "system_option", "options")
	got := c.patch("metadata/entities/account/attributes/country", map[string]any{"indexed": true, "description": "Where they are",
		"display_name": map[string]any{"en": "Town", "zh": "城镇"}}).want(http.StatusOK)
	if got.at("indexed") != true || got.str("description") != "Where they are" || got.str("display_name.zh") != "城镇" {
		t.Fatalf("applied patch: %s", got.raw)
	}
	if !hasIndex(t, s, store.IndexName("ix", "account", "country")) {
		t.Fatal("no index made")
	}
}

// options returns the current options of entity.attr as JSON objects, to extend in a PATCH.
func options(c *client, entity, attr string) []any {
	opts, _ := c.get("metadata/entities/" + entity + "/attributes/" + attr).want(http.StatusOK).at("options").([]any)
	return opts
}

// hasIndex reports whether the server's database has an index called name.
func hasIndex(t *testing.T, s *server, name string) bool {
	t.Helper()
	st := s.app.Store
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if st.D.Name() == "postgres" {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
	}
	var n int
	if err := st.Raw().QueryRow(q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestRequestOnAStaleModelAsksForARetry: when another server changed the tenant's data model
// after this one built its copy (here: the definition and column of an attribute removed behind
// the server's back, as another server would before this one's next poll), a request built from
// the stale copy answers 409 model_changed, not a server error, and the next one is served from
// the stored definitions.
func TestRequestOnAStaleModelAsksForARetry(t *testing.T) {
	s := newServer(t)
	c := s.login()
	c.post("metadata/entities/account/attributes", map[string]any{"name": "loyalty", "type": "integer"}).want(http.StatusCreated)
	// The server has caught up with the metadata clock (as its poll would), so only the change
	// behind its back below can make its model stale.
	if err := s.app.Registry.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.create("accounts", map[string]any{"name": "Before", "loyalty": 1})
	st := s.app.Store
	tn, err := s.app.EnsureTenant(context.Background(), "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	ext := metadata.TenantTable(metadata.TenantKey(tn.ID), "account")
	for _, q := range []string{`DELETE FROM meta_entity WHERE name = 'account' AND kind = 'extension'`, `DROP TABLE ` + store.Quote(ext)} {
		if _, err := st.Raw().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.post("accounts", map[string]any{"name": "Stale", "loyalty": 2}).wantError(http.StatusConflict, "model_changed", "")
	c.post("accounts", map[string]any{"name": "Fresh", "loyalty": 2}).wantError(http.StatusBadRequest, "unknown_field", "loyalty")
	c.create("accounts", map[string]any{"name": "Fresh"})
}
