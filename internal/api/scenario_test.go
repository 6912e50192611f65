package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/service"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// testClock is the server's time, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// TestSalesAndServiceDay is the day the sales and service processes promise, through the API on
// one server with a clock the test moves: a lead qualified into a won deal with line items; a
// customer's e-mail becomes a case, routed to a queue and an agent by an assignment rule; its
// SLA warns and then breaches and escalates; the article that solved a similar case is
// suggested first, used, and the case resolved — every step on the audit trail.
func TestSalesAndServiceDay(t *testing.T) {
	clk := &testClock{now: time.Date(2031, 6, 2, 9, 0, 0, 0, time.UTC)}
	s := &server{t: t, dsn: storetest.DSN(t), clock: clk.Now}
	s.start()
	t.Cleanup(s.stop)
	admin := s.login()
	audited := func(id string) []map[string]any {
		return auditOf(admin, "$filter="+q("record_id eq "+id)+"&$orderby=seq")
	}

	// Sales: lead → account, contact, opportunity → a line → won.
	lead := admin.create("leads", map[string]any{"subject": "Gateways for 40 sites", "first_name": "Mei", "last_name": "Lin",
		"company_name": "Kestrel Foods", "email": "mei.lin@kestrelfoods.example"})
	qual := admin.post("leads("+lead+")/qualify", nil).want(http.StatusOK)
	opp, contact := qual.str("opportunity_id"), qual.str("contact_id")
	if opp == "" || contact == "" || qual.str("account_id") == "" {
		t.Fatalf("qualify: %s", qual.raw)
	}
	product := admin.create("products", map[string]any{"name": "Edge gateway", "product_number": "EG-100", "unit_price": 1200})
	admin.create("opportunity_lines", map[string]any{"opportunity_id": opp, "product_id": product, "quantity": 3, "unit_price": 1200, "discount": 100})
	if amount := admin.get("opportunities(" + opp + ")").want(http.StatusOK).str("amount"); amount != "3500" && amount != "3500.0000" {
		t.Fatalf("the opportunity's amount follows its line: %s", amount)
	}
	won := admin.post("opportunities("+opp+")/close", map[string]any{"status": "won", "reason": "price"}).want(http.StatusOK)
	if won.str("status") != "won" || won.str("probability") != "100" {
		t.Fatalf("won: %s", won.raw)
	}

	// Service set-up: a queue with an agent, a rule that routes e-mailed cases to both, and a
	// published article that answered an earlier, similar case.
	_, agent := s.userClient("agent@example.com")
	queue := admin.create("queues", map[string]any{"name": "Support", "email_address": "support@kestrel.example", "default_priority": "urgent"})
	admin.post("queues("+queue+")/members/$ref", map[string]any{"@odata.id": "users(" + agent + ")"}).want(http.StatusNoContent)
	rule := admin.create("assignment_rules", map[string]any{"name": "E-mail to support", "target_entity": "case", "sequence": 1,
		"condition": "origin eq 'email'", "assign_type": "user", "user_id": agent, "queue_id": queue})
	article := admin.create("knowledge_articles", map[string]any{"title": "Resetting a hub to factory settings",
		"content":  "Hold the reset button for ten seconds until the LED blinks; the hub reboots with factory settings.",
		"keywords": "reset, factory", "language": "en"})
	admin.post("knowledge_articles("+article+")/submit", nil).want(http.StatusOK)
	admin.post("knowledge_articles("+article+")/approve", nil).want(http.StatusOK)
	earlier := admin.create("cases", map[string]any{"title": "Hub does not reset", "description": "The hub will not reset to factory settings."})
	admin.post("cases("+earlier+")/use_article", map[string]any{"article_id": article}).want(http.StatusOK)
	admin.post("cases("+earlier+")/resolve", map[string]any{"resolution": "Reset with the button."}).want(http.StatusOK)

	// A case arrives by e-mail from the new customer: routed to the queue and the agent.
	clk.set(time.Date(2031, 6, 2, 10, 0, 0, 0, time.UTC))
	in := admin.post("intake/email", map[string]any{"from": "Mei Lin <mei.lin@kestrelfoods.example>", "to": []string{"support@kestrel.example"},
		"subject": "Hub cannot reset after the update", "text": "Our hub will not reset to factory settings since the update.",
		"message_id": "<day-1@kestrelfoods.example>"}).want(http.StatusCreated)
	cs := in.str("case_id")
	c := admin.get("cases(" + cs + ")").want(http.StatusOK)
	if c.str("contact_id") != contact || c.str("queue_id") != queue || c.str("owner_id") != agent || c.str("routed_by_rule_id") != rule ||
		c.str("priority") != "urgent" || c.str("sla_status") != "on_track" {
		t.Fatalf("the e-mailed case: %s", c.raw)
	}

	// Its SLA: the first-response timer warns, then breaches and escalates, each at its time.
	list, err := s.app.Jobs.List(context.Background(), jobs.Filter{Kind: "sla_timer", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	timer := func(stage string) (service.SLAArgs, time.Time) {
		for _, j := range list {
			var a service.SLAArgs
			if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
				t.Fatal(err)
			}
			if a.CaseID == cs && a.Timer == "first_response" && a.Stage == stage && j.State == "scheduled" {
				return a, j.ScheduledAt
			}
		}
		t.Fatalf("no scheduled %s job of the first-response timer among %v", stage, list)
		return service.SLAArgs{}, time.Time{}
	}
	for _, step := range []struct{ stage, did, status string }{{"warn", "warned", "warning"}, {"breach", "breached", "breached"}} {
		a, at := timer(step.stage)
		clk.set(at) // the moment the queue would run it
		did, err := s.app.SLA.CheckResult(principal.With(context.Background(), principal.System(a.TenantID)), a)
		if err != nil || did != step.did {
			t.Fatalf("%s at %s: did %q, %v", step.stage, at, did, err)
		}
		if got := admin.get("cases(" + cs + ")").want(http.StatusOK); got.str("sla_status") != step.status {
			t.Fatalf("after the %s timer: %s", step.stage, got.raw)
		}
	}
	if esc := admin.get("cases(" + cs + ")").want(http.StatusOK).str("escalated"); esc != "true" {
		t.Fatalf("escalated: %s", esc)
	}

	// Answered from the suggested article, and resolved.
	sugg := admin.get("cases(" + cs + ")/suggested_articles").want(http.StatusOK).values()
	if len(sugg) == 0 || field(sugg[0], "id") != article || field(sugg[0], "solved_cases") != "1" {
		t.Fatalf("suggestions: %v", sugg)
	}
	admin.post("cases("+cs+")/use_article", map[string]any{"article_id": article, "note": "Sent the reset steps."}).want(http.StatusOK)
	done := admin.post("cases("+cs+")/resolve", map[string]any{"resolution": "Reset with the button as the article says.", "satisfaction": 5}).want(http.StatusOK)
	if done.str("status") != "resolved" || done.str("sla_status") != "breached" {
		t.Fatalf("resolved: %s", done.raw)
	}

	// Every step is on the audit trail.
	for _, id := range []string{lead, opp, qual.str("account_id"), contact} {
		if len(audited(id)) == 0 {
			t.Errorf("no audit entry for %s", id)
		}
	}
	var steps []string
	for _, e := range audited(cs) {
		status := lookup(e, "changes.status.new")
		sla := lookup(e, "changes.sla_status.new")
		switch {
		case field(e, "action") == "create":
			steps = append(steps, "create")
		case sla != nil:
			steps = append(steps, "sla "+asString(sla))
		case status != nil:
			steps = append(steps, "status "+asString(status))
		case field(e, "action") != "":
			steps = append(steps, field(e, "action"))
		}
	}
	for _, want := range []string{"create", "sla warning", "sla breached", "status resolved"} {
		if !slices.Contains(steps, want) {
			t.Errorf("the case's audit trail %v lacks %q", steps, want)
		}
	}
	if links := auditOf(admin, "$filter="+url.QueryEscape("action eq 'associate' and record_id eq "+cs)); len(links) == 0 {
		t.Errorf("using the article is not on the audit trail")
	}
}
