package api_test

import (
	"net/http"
	"testing"
)

// TestResolveCase: a case is resolved with its resolution (and satisfaction), refused twice,
// reopened, canceled; each answer is the case as stored.
func TestResolveCase(t *testing.T) {
	s := newServer(t)
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Support Co"})
	cs := c.create("cases", map[string]any{"title": "Printer on fire", "account_id": acc, "priority": "urgent"})
	c.post("cases("+cs+")/resolve", map[string]any{"resolution": "  "}).wantError(http.StatusBadRequest, "required", "resolution")
	c.post("cases("+cs+")/resolve", map[string]any{"resolution": "Replaced", "satisfaction": 9}).wantError(http.StatusBadRequest, "out_of_range", "satisfaction")
	r := c.post("cases("+cs+")/resolve", map[string]any{"resolution": "Replaced the fuser", "satisfaction": 5}).want(http.StatusOK)
	if r.str("status") != "resolved" || r.str("resolution") != "Replaced the fuser" || r.str("satisfaction") != "5" || r.str("resolved_at") == "" {
		t.Errorf("resolved: %s", r.raw)
	}
	c.post("cases("+cs+")/resolve", map[string]any{"resolution": "again"}).wantError(http.StatusConflict, "already_resolved", "")
	c.post("cases("+cs+")/cancel", nil).wantError(http.StatusConflict, "case_closed", "")
	r = c.post("cases("+cs+")/reopen", nil).want(http.StatusOK)
	if r.str("status") != "in_progress" || r.at("resolved_at") != nil || r.str("resolution") != "Replaced the fuser" {
		t.Errorf("reopened: %s", r.raw)
	}
	c.post("cases("+cs+")/reopen", nil).wantError(http.StatusConflict, "case_open", "")
	if r = c.post("cases("+cs+")/cancel", nil).want(http.StatusOK); r.str("status") != "canceled" {
		t.Errorf("canceled: %s", r.raw)
	}
	c.post("cases("+cs+")/resolve", map[string]any{"resolution": "x"}).wantError(http.StatusConflict, "case_canceled", "")
	// Created, resolved, reopened, canceled: four entries (the refused attempts wrote nothing).
	steps := auditOf(c, "$filter="+q("record_id eq "+cs))
	if got := column(steps, "action"); len(got) != 4 || got[0] != "create" || asString(lookup(steps[1], "changes.status.new")) != "resolved" ||
		asString(lookup(steps[3], "changes.status.new")) != "canceled" {
		t.Errorf("the case's steps in the audit trail: %v", steps)
	}
}
