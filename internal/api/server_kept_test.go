package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestServerKeptCaseFields: a service agent cannot bypass the resolve action or the SLA timers
// with plain writes. Setting a case's SLA fields, its resolution or a closing status is refused
// naming the field — on create, PATCH, upsert and in $batch, for an administrator too — while a
// value read and sent back unchanged passes; a resolved case is read-only (409 record_closed)
// until the reopen action, and the actions themselves work.
func TestServerKeptCaseFields(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	admin.post("security/roles", map[string]any{"name": "Agent", "privileges": []map[string]any{
		{"entity": "case", "privilege": "create", "depth": "organization"},
		{"entity": "case", "privilege": "read", "depth": "organization"},
		{"entity": "case", "privilege": "write", "depth": "organization"},
	}}).want(http.StatusCreated)
	agent, _ := s.userClient("agent@example.com", "Agent")

	agent.post("cases", map[string]any{"title": "Fast lane", "sla_status": "met"}).wantError(http.StatusBadRequest, "read_only_field", "sla_status")
	agent.post("cases", map[string]any{"title": "Born resolved", "status": "resolved"}).wantError(http.StatusBadRequest, "status_by_action", "status")
	cs := agent.post("cases", map[string]any{"title": "Printer on fire", "priority": "urgent"}).want(http.StatusCreated)
	id, number := cs.str("id"), cs.str("case_number")
	if cs.str("sla_status") != "on_track" || cs.str("resolve_by") == "" {
		t.Fatalf("the SLA was not derived on create: %s", cs.raw)
	}
	path := "cases(" + id + ")"

	// The review's PATCH: every server-kept field is named, and nothing changes.
	r := agent.patch(path, map[string]any{"sla_status": "met", "resolve_by": "2099-01-01T00:00:00Z", "status": "resolved"}).
		want(http.StatusBadRequest)
	var targets []string
	for _, d := range r.at("error.details").([]any) {
		targets = append(targets, asString(lookup(d, "code"))+":"+asString(lookup(d, "target")))
	}
	if got := strings.Join(targets, " "); got != "read_only_field:resolve_by read_only_field:sla_status status_by_action:status" {
		t.Fatalf("faults %s\n%s", got, r.raw)
	}
	for _, field := range []string{"resolution", "resolved_at", "first_response_by", "escalated", "sla_paused_at", "sla_paused_minutes", "routed_by_rule_id"} {
		var v any = "2099-01-01T00:00:00Z"
		switch field {
		case "resolution":
			v = "done"
		case "escalated":
			v = true
		case "sla_paused_minutes":
			v = 5
		case "routed_by_rule_id":
			v = "00000000-0000-7000-8000-000000000000"
		}
		agent.patch(path, map[string]any{field: v}).wantError(http.StatusBadRequest, "read_only_field", field)
	}
	admin.patch(path, map[string]any{"sla_status": "breached"}).wantError(http.StatusBadRequest, "read_only_field", "sla_status")
	// Upsert by the case number and $batch are plain writes too.
	admin.patch("cases(case_number='"+number+"')", map[string]any{"resolve_by": "2099-01-01T00:00:00Z"}).wantError(http.StatusBadRequest, "read_only_field", "resolve_by")
	b := agent.post("$batch", map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "PATCH", "url": path, "body": map[string]any{"status": "canceled"}}}}).want(http.StatusOK)
	if st, code := b.str("responses.0.status"), b.str("responses.0.body.error.code"); st != "400" || code != "status_by_action" {
		t.Fatalf("$batch: %s", b.raw)
	}
	// What the client read, sent back as it is, is no change; open statuses are the agent's.
	cur := agent.get(path).want(http.StatusOK)
	agent.patch(path, map[string]any{"title": "Printer on fire, 3rd floor", "sla_status": cur.str("sla_status"),
		"resolve_by": cur.str("resolve_by"), "status": "waiting"}).want(http.StatusNoContent)
	if got := agent.get(path).want(http.StatusOK); got.str("status") != "waiting" || got.str("sla_paused_at") == "" {
		t.Fatalf("waiting: %s", got.raw)
	}

	// The resolve action closes it; then only reopen changes it.
	if r := agent.post(path+"/resolve", map[string]any{"resolution": "Replaced the fuser"}).want(http.StatusOK); r.str("sla_status") != "met" {
		t.Fatalf("resolved: %s", r.raw)
	}
	agent.patch(path, map[string]any{"title": "Edited after resolution"}).wantError(http.StatusConflict, "record_closed", "")
	admin.patch(path, map[string]any{"description": "x"}).wantError(http.StatusConflict, "record_closed", "")
	admin.patch("cases(case_number='"+number+"')", map[string]any{"description": "x"}).wantError(http.StatusConflict, "record_closed", "")
	if r := agent.post(path+"/reopen", nil).want(http.StatusOK); r.str("status") != "in_progress" || r.str("sla_status") != "on_track" {
		t.Fatalf("reopened: %s", r.raw)
	}
	agent.patch(path, map[string]any{"title": "Edited after reopening"}).want(http.StatusNoContent)
	agent.post(path+"/cancel", nil).want(http.StatusOK)
	agent.patch(path, map[string]any{"title": "Edited after cancelling"}).wantError(http.StatusConflict, "record_closed", "")
}

// TestServerKeptSalesFields: won and lost opportunities, qualified and disqualified leads are
// closed to plain writes, which can neither close them nor set what the actions record; the
// actions close and reopen them.
func TestServerKeptSalesFields(t *testing.T) {
	s := newServer(t)
	c := s.login()
	opp := c.create("opportunities", map[string]any{"name": "Big deal", "amount": 1000})
	path := "opportunities(" + opp + ")"
	c.patch(path, map[string]any{"status": "won"}).wantError(http.StatusBadRequest, "status_by_action", "status")
	c.patch(path, map[string]any{"actual_close_date": "2030-01-01"}).wantError(http.StatusBadRequest, "read_only_field", "actual_close_date")
	c.post("opportunities", map[string]any{"name": "Won already", "status": "lost", "close_reason": "price"}).want(http.StatusBadRequest)
	c.post(path+"/close", map[string]any{"status": "lost", "reason": "Price", "competitor": "Globex"}).want(http.StatusOK)
	c.patch(path, map[string]any{"amount": 2000}).wantError(http.StatusConflict, "record_closed", "")
	c.post(path+"/reopen", nil).want(http.StatusOK)
	c.patch(path, map[string]any{"amount": 2000}).want(http.StatusNoContent)

	lead := c.create("leads", map[string]any{"subject": "Interested", "last_name": "Wu", "company_name": "Wu Ltd"})
	lpath := "leads(" + lead + ")"
	c.patch(lpath, map[string]any{"status": "qualified"}).wantError(http.StatusBadRequest, "status_by_action", "status")
	c.patch(lpath, map[string]any{"qualified_on": "2030-01-01"}).wantError(http.StatusBadRequest, "read_only_field", "qualified_on")
	c.patch(lpath, map[string]any{"status": "contacted"}).want(http.StatusNoContent)
	c.post(lpath+"/disqualify", map[string]any{"reason": "no_budget"}).want(http.StatusOK)
	c.patch(lpath, map[string]any{"subject": "Changed"}).wantError(http.StatusConflict, "record_closed", "")
	c.post(lpath+"/reactivate", nil).want(http.StatusOK)
	c.post(lpath+"/qualify", map[string]any{}).want(http.StatusOK)
	c.patch(lpath, map[string]any{"subject": "Changed"}).wantError(http.StatusConflict, "record_closed", "")
}

// TestServerKeptFieldsInMetadata: the flag is in the metadata API, $metadata marks the fields
// Core.Computed, OpenAPI readOnly and leaves them out of the write bodies; a custom attribute
// cannot take it.
func TestServerKeptFieldsInMetadata(t *testing.T) {
	s := newServer(t)
	c := s.login()
	if r := c.get("metadata/entities/case/attributes/sla_status").want(http.StatusOK); r.str("read_only") != "true" {
		t.Fatalf("sla_status: %s", r.raw)
	}
	if r := c.get("metadata/entities/case/attributes/title").want(http.StatusOK); r.at("read_only") != nil {
		t.Fatalf("title: %s", r.raw)
	}
	x := string(c.get("$metadata").want(http.StatusOK).raw)
	i := strings.Index(x, `<Property Name="sla_status"`)
	if i < 0 || !strings.Contains(x[i:i+strings.Index(x[i:], "</Property>")], `Term="Core.Computed"`) {
		t.Fatalf("sla_status is not Core.Computed in $metadata")
	}
	o := c.get("openapi.json").want(http.StatusOK)
	if o.str("components.schemas.case.properties.sla_status.readOnly") != "true" {
		t.Fatalf("case.sla_status is not readOnly in OpenAPI")
	}
	if o.at("components.schemas.case_update.properties.sla_status") != nil || o.at("components.schemas.case_update.properties.title") == nil {
		t.Fatalf("case_update: %v", o.at("components.schemas.case_update.properties"))
	}
	c.post("metadata/entities/account/attributes", map[string]any{"name": "kept", "type": "string", "read_only": true,
		"display_name": map[string]any{"en": "Kept"}}).wantError(http.StatusBadRequest, "invalid_value", "read_only")
}

// TestServerKeptFieldsImport: an import is a plain write: a row setting a case's SLA status or
// closing it fails with the reason in the error file, the others are imported.
func TestServerKeptFieldsImport(t *testing.T) {
	_, c := importServer(t)
	file := "title,sla_status,status\nFine,,new\nFast lane,met,\nBorn resolved,,resolved\n"
	r := c.waitImport(c.send("POST", "imports?entity=cases", "text/csv", []byte(file)).want(http.StatusAccepted).str("id"))
	if r.str("status") != "done" || r.str("created") != "1" || r.str("failed") != "2" {
		t.Fatalf("import %s", r.raw)
	}
	e := string(c.get(r.str("error_file_url")).want(http.StatusOK).raw)
	if !strings.Contains(e, "read_only_field") || !strings.Contains(e, "status_by_action") {
		t.Fatalf("error file %s", e)
	}
}
