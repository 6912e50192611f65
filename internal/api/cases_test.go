package api_test

import (
	"net/http"
	"testing"
	"time"
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

// TestSLAPoliciesAreRecords: every tenant starts with one SLA policy per priority, which an
// administrator edits like any record and which times the next case.
func TestSLAPoliciesAreRecords(t *testing.T) {
	s := newServer(t)
	c := s.login()
	if n := c.count("sla_policies"); n != 4 {
		t.Fatalf("%d SLA policies, want 4", n)
	}
	urgent := c.all("sla_policies?$filter=" + q("priority eq 'urgent'"))
	if len(urgent) != 1 || field(urgent[0], "first_response_minutes") != "60" || field(urgent[0], "resolve_minutes") != "240" {
		t.Fatalf("urgent policy %v", urgent)
	}
	c.patch("sla_policies("+field(urgent[0], "id")+")", map[string]any{"first_response_minutes": 15}).want(http.StatusNoContent)
	r := c.post("cases", map[string]any{"title": "Down", "priority": "urgent"}).want(http.StatusCreated)
	opened, err1 := time.Parse(time.RFC3339, r.str("opened_at"))
	due, err2 := time.Parse(time.RFC3339, r.str("first_response_by"))
	if err1 != nil || err2 != nil || due.Sub(opened) != 15*time.Minute {
		t.Errorf("first response %s after opening %s, want 15 min", r.str("first_response_by"), r.str("opened_at"))
	}
}
