package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/service"
)

// TestJobsAPI: a tenant administrator sees the tenant's jobs (a case's SLA timers) and their
// figures, cancels a waiting one and retries it, each audited; a job of another tenant is
// neither listed nor reachable; a non-administrator is refused.
func TestJobsAPI(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	tenant := admin.get("auth/me").want(http.StatusOK).str("tenant_id")
	cs := admin.create("cases", map[string]any{"title": "Gateway down", "priority": "urgent"})
	foreign, err := s.app.Jobs.Enqueue(context.Background(), service.SLAArgs{TenantID: "00000000-0000-7000-8000-0000000000ff",
		CaseID: cs, Timer: "resolve", Stage: "warn", Due: time.Now().Add(time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}

	timers := admin.get("jobs?kind=sla_timer&state=scheduled").want(http.StatusOK).values()
	if len(timers) != 4 { // first response and resolution, each a warning and a breach
		t.Fatalf("the case's SLA timers: %v", timers)
	}
	for _, j := range timers {
		if field(j, "tenant_id") != tenant || field(j, "kind") != "sla_timer" || field(j, "id") == strconv.FormatInt(foreign, 10) {
			t.Fatalf("a listed job: %v", j)
		}
	}
	stats := admin.get("jobs/stats").want(http.StatusOK)
	if stats.str("kinds.sla_timer.scheduled") != "4" || stats.str("states.scheduled") != "4" {
		t.Fatalf("stats: %s", stats.raw)
	}

	id := field(timers[0], "id")
	if got := admin.post("jobs/"+id+"/cancel", nil).want(http.StatusOK); got.str("state") != "cancelled" {
		t.Fatalf("cancel: %s", got.raw)
	}
	admin.post("jobs/"+id+"/cancel", nil).wantError(http.StatusConflict, "job_state", "")
	if got := admin.get("jobs?state=cancelled").want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != id {
		t.Fatalf("cancelled jobs: %v", got)
	}
	if got := admin.post("jobs/"+id+"/retry", nil).want(http.StatusOK); got.str("state") != "available" {
		t.Fatalf("retry: %s", got.raw)
	}
	admin.post("jobs/"+id+"/retry", nil).wantError(http.StatusConflict, "job_state", "") // waiting to run already
	for _, action := range []string{"job_cancel", "job_retry"} {
		if got := auditOf(admin, "$filter="+q("action eq '"+action+"'")); len(got) != 1 || asString(lookup(got[0], "changes.job_id")) != id ||
			field(got[0], "entity") != "job" {
			t.Fatalf("%s audited: %v", action, got)
		}
	}

	// Another tenant's job: not listed, not found.
	f := strconv.FormatInt(foreign, 10)
	for _, path := range []string{"jobs/" + f + "/retry", "jobs/" + f + "/cancel", "jobs/nope/retry"} {
		admin.post(path, nil).wantError(http.StatusNotFound, "not_found", "")
	}
	if got := admin.get("jobs?top=1000").want(http.StatusOK).values(); len(got) != 4 {
		t.Fatalf("every job of the tenant: %d", len(got))
	}
	admin.get("jobs?state=zombie").wantError(http.StatusBadRequest, "invalid_value", "state")
	admin.get("jobs?top=0").wantError(http.StatusBadRequest, "invalid_top", "top")

	// A user who is not an administrator sees nothing.
	role := admin.post("security/roles", map[string]any{"name": "Agent", "privileges": []map[string]any{
		{"entity": "case", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated).str("id")
	admin.post("security/users", map[string]any{"email": "agent@example.com", "full_name": "Agent", "password": adminPassword,
		"roles": []string{role}}).want(http.StatusCreated)
	agent := s.anon()
	agent.token = agent.post("auth/login", map[string]any{"email": "agent@example.com", "password": adminPassword}).want(http.StatusOK).str("token")
	agent.get("jobs").wantError(http.StatusForbidden, "admin_required", "")
	agent.get("jobs/stats").wantError(http.StatusForbidden, "admin_required", "")
	agent.post("jobs/"+id+"/cancel", nil).wantError(http.StatusForbidden, "admin_required", "")
}
