package api_test

import (
	"net/http"
	"testing"
)

// TestDuplicateDetectionAPI: a create answers the candidates of the new record, the strict
// preference refuses it, $duplicates finds them for a stored record, and only administrators
// change the rules.
func TestDuplicateDetectionAPI(t *testing.T) {
	s := newServer(t)
	c := s.login()
	first := c.create("accounts", map[string]any{"name": "北京东方科技有限公司", "phone": "010 6552 9988"})

	r := c.post("accounts", map[string]any{"name": "北京东方科技"}).want(http.StatusCreated)
	second := r.str("id")
	if d := duplicatesOf(r); len(d) != 1 || field(d[0], "id") != first || field(d[0], "rules") != "[name]" || field(d[0], "score") != "1" {
		t.Fatalf("create warning: %s", r.raw)
	}
	if r := c.post("accounts", map[string]any{"name": "Globex"}).want(http.StatusCreated); duplicatesOf(r) == nil || len(duplicatesOf(r)) != 0 {
		t.Errorf("a record without duplicates: %s", r.raw)
	}

	before := c.count("accounts")
	r = c.post("accounts", map[string]any{"name": "Other name", "phone": "+86 10 6552 9988"}, hdr("Prefer", "meridian.duplicate-check=strict")...).
		wantError(http.StatusConflict, "duplicate", "")
	if r.str("error.details.0.target") != first {
		t.Errorf("strict refusal details: %s", r.raw)
	}
	if n := c.count("accounts"); n != before {
		t.Errorf("a refused create left a record: %d accounts, want %d", n, before)
	}

	r = c.post("accounts/$duplicates", map[string]any{"id": second}).want(http.StatusOK)
	if r.str("value.0.id") != first || r.str("value.0.name") != "北京东方科技有限公司" || len(r.at("value").([]any)) != 1 {
		t.Errorf("$duplicates of a stored record: %s", r.raw)
	}
	r = c.post("contacts/$duplicates", map[string]any{"email": "nobody@example.com"}).want(http.StatusOK)
	if len(r.at("value").([]any)) != 0 {
		t.Errorf("$duplicates without candidates: %s", r.raw)
	}
	c.post("opportunities/$duplicates", map[string]any{"name": "x"}).wantError(http.StatusNotFound, "unknown_entity", "")

	if r := c.get("duplicaterules/accounts").want(http.StatusOK); r.str("rules.0.name") != "name" || r.str("rules.0.match") != "company" {
		t.Errorf("default rules: %s", r.raw)
	}
	rep, _ := s.userClient("rep@example.com")
	rep.do("PUT", "duplicaterules/account", map[string]any{"rules": []map[string]any{{"name": "email", "match": "email", "attributes": []string{"email"}}}}).
		wantError(http.StatusForbidden, "forbidden", "")
	c.do("PUT", "duplicaterules/account", map[string]any{"rules": []map[string]any{{"name": "email", "match": "email", "attributes": []string{"nope"}}}}).
		wantError(http.StatusBadRequest, "invalid_rule", "rules[0].attributes")
	c.do("PUT", "duplicaterules/account", map[string]any{"rules": []map[string]any{{"name": "email", "match": "email", "attributes": []string{"email"}}}}).want(http.StatusOK)
	if r := c.post("accounts", map[string]any{"name": "北京东方科技"}).want(http.StatusCreated); duplicatesOf(r) == nil || len(duplicatesOf(r)) != 0 {
		t.Errorf("the name rule still applies after the rules changed: %s", r.raw)
	}
	c.delete("duplicaterules/account").want(http.StatusOK)
}

// TestMergeAPI: merging moves related records to the survivor, is audited, and is undone by
// POST merges/{id}/undo; a user who may not delete the merged record is refused and nothing
// changes.
func TestMergeAPI(t *testing.T) {
	s := newServer(t)
	c := s.login()
	keep := c.create("accounts", map[string]any{"name": "Acme Inc.", "city": "London"})
	gone := c.create("accounts", map[string]any{"name": "ACME, Inc", "city": "Berlin", "website": "https://acme.example"})
	con := c.create("contacts", map[string]any{"last_name": "Li", "account_id": gone})
	task := c.create("tasks", map[string]any{"subject": "Call", "regarding_id": gone, "regarding_type": "account"})

	// A user who may read and write accounts but not delete them cannot merge.
	c.post("security/roles", map[string]any{"name": "Editor", "privileges": []map[string]any{
		{"entity": "account", "privilege": "read", "depth": "organization"},
		{"entity": "account", "privilege": "write", "depth": "organization"},
		{"entity": "contact", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	editor, _ := s.userClient("editor@example.com", "Editor")
	editor.post("accounts("+keep+")/merge", map[string]any{"merge": []string{gone}}).wantError(http.StatusForbidden, "access_denied", "")
	if c.get("contacts("+con+")").want(http.StatusOK).str("account_id") != gone {
		t.Fatal("a refused merge moved the contact")
	}
	c.get("accounts(" + gone + ")").want(http.StatusOK)

	r := c.post("accounts("+keep+")/merge", map[string]any{"merge": []string{gone}, "fields": map[string]any{"website": gone}}).want(http.StatusOK)
	id := r.str("id")
	if id == "" || r.str("moved.references") != "2" || r.str("survivor_id") != keep {
		t.Fatalf("merge: %s", r.raw)
	}
	c.get("accounts("+gone+")").wantError(http.StatusNotFound, "not_found", "")
	if a := c.get("accounts(" + keep + ")").want(http.StatusOK); a.str("website") != "https://acme.example" || a.str("city") != "London" {
		t.Errorf("survivor: %s", a.raw)
	}
	if c.get("contacts("+con+")").str("account_id") != keep || c.get("tasks("+task+")").str("regarding_id") != keep {
		t.Error("the related records did not move")
	}
	if len(auditOf(c, "$filter="+q("action eq 'merge' and record_id eq "+keep))) != 1 {
		t.Error("the merge is not on the audit trail")
	}

	c.post("accounts("+keep+")/merge", map[string]any{"merge": []string{keep}}).wantError(http.StatusBadRequest, "invalid_merge", "merge")
	// The merge names the records it merged: a user who may read the kept record sees it, one who
	// may not (no read privilege on accounts) is told it does not exist.
	if m := editor.get("merges/" + id).want(http.StatusOK); m.str("survivor_id") != keep || m.str("merged_ids.0") != gone {
		t.Errorf("the merge as a reader of accounts: %s", m.raw)
	}
	c.post("security/roles", map[string]any{"name": "Contacts only", "privileges": []map[string]any{
		{"entity": "contact", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	outsider, _ := s.userClient("outsider@example.com", "Contacts only")
	outsider.get("merges/"+id).wantError(http.StatusNotFound, "not_found", "")
	c.post("merges/"+id+"/undo", nil).want(http.StatusOK)
	if a := c.get("accounts(" + gone + ")").want(http.StatusOK); a.str("name") != "ACME, Inc" || a.str("city") != "Berlin" {
		t.Errorf("restored: %s", a.raw)
	}
	if c.get("contacts("+con+")").str("account_id") != gone || c.get("tasks("+task+")").str("regarding_id") != gone {
		t.Error("undo did not move the related records back")
	}
	if a := c.get("accounts(" + keep + ")").want(http.StatusOK); a.str("website") != "" {
		t.Errorf("survivor after undo: %s", a.raw)
	}
	c.post("merges/"+id+"/undo", nil).wantError(http.StatusConflict, "merge_undone", "")
	if len(auditOf(c, "$filter="+q("action eq 'merge_undo'"))) != 1 {
		t.Error("the undo is not on the audit trail")
	}
}

// duplicatesOf returns the @meridian.duplicates annotation of a created record (nil without one).
func duplicatesOf(r *response) []map[string]any {
	raw, ok := r.body.(map[string]any)["@meridian.duplicates"].([]any)
	if !ok {
		return nil
	}
	out := []map[string]any{}
	for _, c := range raw {
		out = append(out, c.(map[string]any))
	}
	return out
}

// TestImportWarnsOfDuplicates: imported rows that may duplicate records are kept, each listed
// in the import's warnings with its line and the candidate.
func TestImportWarnsOfDuplicates(t *testing.T) {
	_, c := importServer(t)
	acme := c.create("accounts", map[string]any{"name": "Acme Inc."})
	r := c.send("POST", "imports?entity=accounts", "text/csv", []byte("name,website\n\"ACME, Inc\",\nGlobex,https://globex.example\n")).want(http.StatusAccepted)
	r = c.waitImport(r.str("id"))
	want := `line 2: possible duplicate of account ` + acme + ` "Acme Inc." (matched by name, score 1)`
	if r.str("status") != "done" || r.str("created") != "2" || r.str("warnings.0") != want || len(r.at("warnings").([]any)) != 1 {
		t.Fatalf("import with a duplicate: %s", r.raw)
	}
}

// TestDuplicatesAreReadScoped: candidates come through the read path, so a user sees only the
// duplicates they may read.
func TestDuplicatesAreReadScoped(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	mine := admin.create("accounts", map[string]any{"name": "Acme Inc."})
	admin.post("security/roles", map[string]any{"name": "Own accounts", "privileges": []map[string]any{
		{"entity": "account", "privilege": "create", "depth": "user"},
		{"entity": "account", "privilege": "read", "depth": "user"},
	}}).want(http.StatusCreated)
	rep, _ := s.userClient("own@example.com", "Own accounts")
	r := rep.post("accounts", map[string]any{"name": "ACME, Inc"}).want(http.StatusCreated)
	if d := duplicatesOf(r); d == nil || len(d) != 0 {
		t.Errorf("a user saw a duplicate they may not read: %s", r.raw)
	}
	theirs := r.str("id")
	if got := rep.post("accounts/$duplicates", map[string]any{"name": "Acme"}).want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != theirs {
		t.Errorf("the user's candidates: %v", got)
	}
	if got := admin.post("accounts/$duplicates", map[string]any{"id": theirs}).want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != mine {
		t.Errorf("the administrator's candidates: %v", got)
	}
}

// TestMergeRepointsCustomEntities: the merge repoints the lookups of custom entities too (it
// walks the metadata model), and the undo points them back.
func TestMergeRepointsCustomEntities(t *testing.T) {
	s := newServer(t)
	c := s.login()
	c.post("metadata/entities", entityDef("project", "projects",
		map[string]any{"name": "title", "type": "string"},
		map[string]any{"name": "client_id", "type": "lookup", "target": "account"})).want(http.StatusCreated)
	keep := c.create("accounts", map[string]any{"name": "Acme"})
	gone := c.create("accounts", map[string]any{"name": "Acme"})
	project := c.create("projects", map[string]any{"title": "Roll-out", "client_id": gone})
	m := c.post("accounts("+keep+")/merge", map[string]any{"merge": []string{gone}}).want(http.StatusOK)
	if got := c.get("projects(" + project + ")").str("client_id"); got != keep || m.str("moved.references") != "1" {
		t.Fatalf("the project's client after the merge: %s (merge %s)", got, m.raw)
	}
	c.post("merges/"+m.str("id")+"/undo", nil).want(http.StatusOK)
	if got := c.get("projects(" + project + ")").str("client_id"); got != gone {
		t.Errorf("the project's client after the undo: %s", got)
	}
}
