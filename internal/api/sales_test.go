package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// decimalText drops a decimal's trailing zeros ("550.0000" → "550").
func decimalText(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// TestQualifyLead: qualifying creates the account, contact and opportunity from the lead, links
// them, marks the lead qualified — every step audited — and happens completely or not at all.
func TestQualifyLead(t *testing.T) {
	s := newServer(t)
	c := s.login()
	lead := c.create("leads", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines Ltd",
		"email": "ada@engines.example", "job_title": "CTO", "city": "London", "industry": "technology", "subject": "Engine roll-out",
		"estimated_value": 50000, "estimated_value_currency": "USD"})

	r := c.post("leads("+lead+")/qualify", nil).want(http.StatusOK)
	acc, con, opp := r.str("account_id"), r.str("contact_id"), r.str("opportunity_id")
	if acc == "" || con == "" || opp == "" || r.str("created") != "[account contact opportunity]" {
		t.Fatalf("qualify: %s", r.raw)
	}
	a := c.get("accounts(" + acc + ")").want(http.StatusOK)
	if a.str("name") != "Analytical Engines Ltd" || a.str("industry") != "technology" || a.str("city") != "London" {
		t.Errorf("account: %s", a.raw)
	}
	k := c.get("contacts(" + con + ")").want(http.StatusOK)
	if k.str("full_name") != "Ada Lovelace" || k.str("account_id") != acc || k.str("email") != "ada@engines.example" || k.str("job_title") != "CTO" {
		t.Errorf("contact: %s", k.raw)
	}
	o := c.get("opportunities(" + opp + ")").want(http.StatusOK)
	if o.str("name") != "Engine roll-out" || o.str("account_id") != acc || o.str("contact_id") != con || o.str("lead_id") != lead ||
		decimalText(o.str("amount")) != "50000" || o.str("amount_currency") != "USD" || o.str("stage") != "qualify" || o.str("probability") != "10" || o.str("status") != "open" {
		t.Errorf("opportunity: %s", o.raw)
	}
	l := c.get("leads(" + lead + ")").want(http.StatusOK)
	if l.str("status") != "qualified" || l.str("account_id") != acc || l.str("contact_id") != con || l.str("qualified_on") != time.Now().UTC().Format(time.DateOnly) {
		t.Errorf("lead: %s", l.raw)
	}
	c.post("leads("+lead+")/qualify", nil).wantError(http.StatusConflict, "already_qualified", "")
	for _, rec := range []string{acc, con, opp, lead} {
		if len(auditOf(c, "$filter="+q("record_id eq "+rec))) == 0 {
			t.Errorf("no audit entry for %s", rec)
		}
	}

	// Linking an existing account: only the contact and the opportunity are created.
	lead2 := c.create("leads", map[string]any{"last_name": "王", "first_name": "小明", "company_name": "ignored"})
	r = c.post("leads("+lead2+")/qualify", map[string]any{"account_id": acc, "create_opportunity": false}).want(http.StatusOK)
	if r.str("account_id") != acc || r.str("opportunity_id") != "" || r.str("created") != "[contact]" {
		t.Errorf("qualify with an account: %s", r.raw)
	}
	if n := c.get("contacts(" + r.str("contact_id") + ")").str("full_name"); n != "王小明" {
		t.Errorf("contact name %q", n)
	}

	// A failing step (the given account does not exist) leaves nothing behind.
	before := []int{c.count("accounts"), c.count("contacts"), c.count("opportunities")}
	lead3 := c.create("leads", map[string]any{"last_name": "Babbage", "company_name": "Difference Ltd"})
	c.post("leads("+lead3+")/qualify", map[string]any{"account_id": "0193a0a0-0000-7000-8000-000000000000"}).
		wantError(http.StatusBadRequest, "lookup_not_found", "account_id")
	after := []int{c.count("accounts"), c.count("contacts"), c.count("opportunities")}
	if before[0] != after[0] || before[1] != after[1] || before[2] != after[2] {
		t.Errorf("a failed qualification wrote records: %v → %v", before, after)
	}
	if st := c.get("leads(" + lead3 + ")").str("status"); st != "new" {
		t.Errorf("lead status after a failed qualification: %q", st)
	}
	c.post("leads("+lead3+")/qualify", map[string]any{"bogus": 1}).wantError(http.StatusBadRequest, "unknown_field", "bogus")
	c.get("leads(" + lead3 + ")/qualify").want(http.StatusMethodNotAllowed)
	c.post("leads("+lead3+")/qualify", nil, hdr("If-Match", `W/"1"`)...).wantError(http.StatusPreconditionFailed, "etag_mismatch", "")
	c.post("leads(0193a0a0-0000-7000-8000-000000000000)/qualify", nil).wantError(http.StatusNotFound, "not_found", "")
	c.post("accounts("+acc+")/qualify", nil).want(http.StatusMethodNotAllowed)
}

func TestDisqualifyAndReactivateLead(t *testing.T) {
	s := newServer(t)
	c := s.login()
	lead := c.create("leads", map[string]any{"last_name": "Nobody", "company_name": "Nowhere"})
	c.post("leads("+lead+")/disqualify", nil).wantError(http.StatusBadRequest, "required", "reason")
	c.post("leads("+lead+")/disqualify", map[string]any{"reason": "bored"}).wantError(http.StatusBadRequest, "invalid_choice", "reason")
	r := c.post("leads("+lead+")/disqualify", map[string]any{"reason": "no_budget"}).want(http.StatusOK)
	if r.str("status") != "disqualified" || r.str("disqualify_reason") != "no_budget" {
		t.Errorf("disqualified: %s", r.raw)
	}
	c.post("leads("+lead+")/qualify", nil).wantError(http.StatusConflict, "lead_disqualified", "")
	r = c.post("leads("+lead+")/reactivate", nil).want(http.StatusOK)
	if r.str("status") != "contacted" || r.at("disqualify_reason") != nil {
		t.Errorf("reactivated: %s", r.raw)
	}
	c.post("leads("+lead+")/reactivate", nil).wantError(http.StatusConflict, "lead_open", "")
	c.post("leads("+lead+")/qualify", nil).want(http.StatusOK)
}

// TestOpportunityProcess: stages bring their default probability, lines compute their totals
// and roll up into the amount, and closing as won or lost and reopening set what they should.
func TestOpportunityProcess(t *testing.T) {
	s := newServer(t)
	c := s.login()
	opp := c.create("opportunities", map[string]any{"name": "Fleet deal", "stage": "develop", "amount": 1000})
	if r := c.get("opportunities(" + opp + ")"); r.str("probability") != "25" || r.str("forecast_category") != "pipeline" {
		t.Errorf("develop: probability %s, forecast %s", r.str("probability"), r.str("forecast_category"))
	}
	c.patch("opportunities("+opp+")", map[string]any{"stage": "propose"}).want(http.StatusOK, http.StatusNoContent)
	if r := c.get("opportunities(" + opp + ")"); r.str("probability") != "50" || r.str("forecast_category") != "best_case" {
		t.Errorf("propose: probability %s, forecast %s", r.str("probability"), r.str("forecast_category"))
	}
	c.patch("opportunities("+opp+")", map[string]any{"stage": "negotiate", "probability": 60}).want(http.StatusOK, http.StatusNoContent)
	if p := c.get("opportunities(" + opp + ")").str("probability"); p != "60" {
		t.Errorf("a probability given with the stage is kept, got %s", p)
	}

	// Lines: total = quantity × unit price − discount (a total sent is ignored); the amount
	// follows the lines.
	l1 := c.create("opportunity_lines", map[string]any{"opportunity_id": opp, "description": "Trucks", "quantity": 2, "unit_price": 300, "discount": 50, "total": 1})
	if tot := decimalText(c.get("opportunity_lines(" + l1 + ")").str("total")); tot != "550" {
		t.Errorf("line total %s", tot)
	}
	amount := func() string { return decimalText(c.get("opportunities(" + opp + ")").str("amount")) }
	if a := amount(); a != "550" {
		t.Errorf("amount after one line %s", a)
	}
	l2 := c.create("opportunity_lines", map[string]any{"opportunity_id": opp, "description": "Service", "unit_price": "99.5"})
	if a := amount(); a != "649.5" {
		t.Errorf("amount after two lines %s", a)
	}
	c.patch("opportunity_lines("+l1+")", map[string]any{"quantity": 3}).want(http.StatusOK, http.StatusNoContent)
	if a := amount(); a != "949.5" {
		t.Errorf("amount after a quantity change %s", a)
	}
	c.delete("opportunity_lines(" + l2 + ")").want(http.StatusNoContent)
	if a := amount(); a != "850" {
		t.Errorf("amount after a deleted line %s", a)
	}

	c.post("opportunities("+opp+")/close", map[string]any{"status": "maybe"}).wantError(http.StatusBadRequest, "invalid_value", "status")
	r := c.post("opportunities("+opp+")/close", map[string]any{"status": "won", "reason": "Best fit", "close_date": "2026-11-20"}).want(http.StatusOK)
	if r.str("status") != "won" || r.str("probability") != "100" || r.str("stage") != "close" || r.str("actual_close_date") != "2026-11-20" || r.str("close_reason") != "Best fit" {
		t.Errorf("won: %s", r.raw)
	}
	c.post("opportunities("+opp+")/close", map[string]any{"status": "lost"}).wantError(http.StatusConflict, "already_closed", "")
	r = c.post("opportunities("+opp+")/reopen", nil).want(http.StatusOK)
	if r.str("status") != "open" || r.str("probability") != "90" || r.at("actual_close_date") != nil || r.at("close_reason") != nil {
		t.Errorf("reopened: %s", r.raw)
	}
	c.post("opportunities("+opp+")/reopen", nil).wantError(http.StatusConflict, "opportunity_open", "")
	etag := c.get("opportunities(" + opp + ")").header.Get("ETag")
	c.post("opportunities("+opp+")/close", map[string]any{"status": "lost"}, hdr("If-Match", `W/"1"`)...).wantError(http.StatusPreconditionFailed, "etag_mismatch", "")
	c.post("opportunities("+opp+")/close", map[string]any{"status": "lost", "close_date": "yesterday"}).wantError(http.StatusBadRequest, "invalid_type", "close_date")
	r = c.post("opportunities("+opp+")/close", map[string]any{"status": "lost", "competitor": "Globex"}, hdr("If-Match", etag)...).want(http.StatusOK)
	if r.str("status") != "lost" || r.str("probability") != "0" || r.str("competitor") != "Globex" || r.str("actual_close_date") != time.Now().UTC().Format(time.DateOnly) {
		t.Errorf("lost: %s", r.raw)
	}
	// Deleting the opportunity deletes its lines with it.
	c.delete("opportunities(" + opp + ")").want(http.StatusNoContent)
	c.get("opportunity_lines(" + l1 + ")").want(http.StatusNotFound)
}

// TestForecastByCategory: the forecast of a period is one aggregation in the database: open
// opportunities closing in the period summed per forecast category (set by stage unless given).
func TestForecastByCategory(t *testing.T) {
	s := newServer(t)
	c := s.login()
	for _, o := range []map[string]any{
		{"name": "A", "stage": "qualify", "amount": 1000, "close_date": "2031-01-10"},
		{"name": "B", "stage": "develop", "amount": 2000, "close_date": "2031-02-10"},
		{"name": "C", "stage": "negotiate", "amount": 5000, "close_date": "2031-03-10"},
		{"name": "D", "stage": "negotiate", "amount": 7000, "close_date": "2031-03-20", "forecast_category": "committed"},
		{"name": "E", "stage": "close", "amount": 9000, "close_date": "2031-05-01"}, // next quarter
	} {
		c.create("opportunities", o)
	}
	apply := "filter(status eq 'open' and close_date ge 2031-01-01 and close_date lt 2031-04-01)" +
		"/groupby((forecast_category),aggregate(amount with sum as total,$count as n))"
	rows := c.get("opportunities?$apply=" + q(apply) + "&$orderby=forecast_category").want(http.StatusOK).values()
	got := map[string]string{}
	for _, r := range rows {
		got[field(r, "forecast_category")] = decimalText(field(r, "total")) + "/" + field(r, "n")
	}
	want := map[string]string{"pipeline": "3000/2", "best_case": "5000/1", "committed": "7000/1"}
	if len(got) != len(want) {
		t.Fatalf("forecast %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("forecast %s = %s, want %s", k, got[k], v)
		}
	}
}
