package api_test

import (
	"net/http"
	"sort"
	"testing"
)

// routingSetup is a tenant with three sales users in a team, a fourth user and the rules:
// big leads to the fourth user (10), leads by country (20), the rest round-robin (30).
type routingSetup struct {
	admin                     *client
	members                   []string // the team's members in id order
	big, team                 string
	bigRule, terrRule, rrRule string
}

func newRoutingSetup(t *testing.T, s *server) *routingSetup {
	t.Helper()
	rs := &routingSetup{admin: s.login()}
	a := rs.admin
	rs.team = a.create("teams", map[string]any{"name": "Inside sales"})
	for _, n := range []string{"ann", "ben", "cat"} {
		u := a.create("users", map[string]any{"full_name": n, "email": n + "@example.com"})
		a.post("teams("+rs.team+")/members/$ref", map[string]any{"@odata.id": "users(" + u + ")"}).want(http.StatusNoContent)
		rs.members = append(rs.members, u)
	}
	sort.Strings(rs.members)
	rs.big = a.create("users", map[string]any{"full_name": "Key accounts", "email": "key@example.com"})
	rs.bigRule = a.create("assignment_rules", map[string]any{"name": "Big leads", "target_entity": "lead", "sequence": 10,
		"condition": "estimated_value gt 100000", "assign_type": "user", "user_id": rs.big})
	rs.terrRule = a.create("assignment_rules", map[string]any{"name": "By country", "target_entity": "lead", "sequence": 20,
		"assign_type": "territory", "territory_attribute": "country",
		"territories": `{"DE": "` + rs.members[0] + `", "fr": "` + rs.team + `"}`})
	rs.rrRule = a.create("assignment_rules", map[string]any{"name": "Everyone else", "target_entity": "lead", "sequence": 30,
		"assign_type": "round_robin", "team_id": rs.team})
	return rs
}

// TestRoundRobinLeads: six new leads go to the team's three members in turn, two each, in the
// members' order, each naming the rule that routed it.
func TestRoundRobinLeads(t *testing.T) {
	s := newServer(t)
	rs := newRoutingSetup(t, s)
	for i := range 6 {
		r := rs.admin.post("leads", map[string]any{"last_name": "Lead", "company_name": "Co"}).want(http.StatusCreated)
		if want := rs.members[i%3]; r.str("owner_id") != want || r.str("routed_by_rule_id") != rs.rrRule {
			t.Fatalf("lead %d: owner %s rule %s, want %s by %s", i, r.str("owner_id"), r.str("routed_by_rule_id"), want, rs.rrRule)
		}
	}
	// A disabled member is skipped: the next turn (the 7th) goes past the first member.
	rs.admin.patch("users("+rs.members[0]+")", map[string]any{"is_disabled": true}).want(http.StatusNoContent)
	if r := rs.admin.post("leads", map[string]any{"last_name": "Seventh"}).want(http.StatusCreated); r.str("owner_id") == rs.members[0] {
		t.Errorf("a disabled member took a turn")
	}
}

// TestRoutingRulesFirstMatch: conditions, territories and the order of the rules; an owner
// given by the client is kept; routing on demand; the audit trail names the rule.
func TestRoutingRulesFirstMatch(t *testing.T) {
	s := newServer(t)
	rs := newRoutingSetup(t, s)
	a := rs.admin
	lead := func(body map[string]any) *response {
		body["last_name"] = "L"
		return a.post("leads", body).want(http.StatusCreated)
	}
	// Big and in Germany: the first rule wins.
	big := lead(map[string]any{"estimated_value": 250000, "country": "DE"})
	if big.str("owner_id") != rs.big || big.str("routed_by_rule_id") != rs.bigRule {
		t.Errorf("big lead: %s", big.raw)
	}
	// Territories: case and spaces do not matter; a team can own; no territory falls through.
	if r := lead(map[string]any{"country": " de "}); r.str("owner_id") != rs.members[0] || r.str("routed_by_rule_id") != rs.terrRule {
		t.Errorf("DE lead: %s", r.raw)
	}
	if r := lead(map[string]any{"country": "FR"}); r.str("owner_id") != rs.team {
		t.Errorf("FR lead: %s", r.raw)
	}
	if r := lead(map[string]any{"country": "US"}); r.str("routed_by_rule_id") != rs.rrRule || r.str("owner_id") != rs.members[0] {
		t.Errorf("US lead: %s", r.raw)
	}
	// An owner named in the request is kept; the rule is still recorded.
	explicit := lead(map[string]any{"estimated_value": 500000, "owner_id": rs.members[2]})
	if explicit.str("owner_id") != rs.members[2] || explicit.str("routed_by_rule_id") != rs.bigRule {
		t.Errorf("explicit owner: %s", explicit.raw)
	}
	// On demand: with the big-lead rule off, the big German lead goes to Germany's owner.
	a.patch("assignment_rules("+rs.bigRule+")", map[string]any{"is_active": false}).want(http.StatusNoContent)
	r := a.post("leads("+big.str("id")+")/route", nil).want(http.StatusOK)
	if r.str("owner_id") != rs.members[0] || r.str("routed_by_rule_id") != rs.terrRule {
		t.Errorf("routed on demand: %s", r.raw)
	}
	entries := auditOf(a, "$filter="+q("record_id eq "+big.str("id")+" and action eq 'assign'"))
	if len(entries) != 2 { // at creation and on demand
		t.Fatalf("assign entries %v", entries)
	}
	ch, _ := entries[1]["changes"].(map[string]any)
	if rule, _ := ch["routed_by_rule_id"].(map[string]any); rule == nil || rule["old"] != rs.bigRule || rule["new"] != rs.terrRule {
		t.Errorf("the audit entry does not name the rule: %v", entries[1])
	}
	// No rule matches: a conflict, nothing written.
	for _, id := range []string{rs.terrRule, rs.rrRule} {
		a.patch("assignment_rules("+id+")", map[string]any{"is_active": false}).want(http.StatusNoContent)
	}
	a.post("leads("+big.str("id")+")/route", nil).wantError(http.StatusConflict, "no_rule_matched", "")
}

// TestRoutingCasesToQueues: a case rule sets the queue; a queue given by the client is kept.
func TestRoutingCasesToQueues(t *testing.T) {
	s := newServer(t)
	a := s.login()
	urgent := a.create("queues", map[string]any{"name": "Urgent", "email_address": "urgent@support.example.com"})
	other := a.create("queues", map[string]any{"name": "Other"})
	rule := a.create("assignment_rules", map[string]any{"name": "Urgent cases", "target_entity": "case",
		"condition": "priority eq 'urgent'", "queue_id": urgent})
	r := a.post("cases", map[string]any{"title": "Down", "priority": "urgent"}).want(http.StatusCreated)
	if r.str("queue_id") != urgent || r.str("routed_by_rule_id") != rule {
		t.Errorf("urgent case: %s", r.raw)
	}
	if r := a.post("cases", map[string]any{"title": "Down", "priority": "urgent", "queue_id": other}).want(http.StatusCreated); r.str("queue_id") != other {
		t.Errorf("queue given: %s", r.raw)
	}
	if r := a.post("cases", map[string]any{"title": "Slow", "priority": "low"}).want(http.StatusCreated); r.str("queue_id") != "" || r.str("routed_by_rule_id") != "" {
		t.Errorf("low case: %s", r.raw)
	}
}

// TestAssignmentRuleChecks: a rule that could not run is refused; only privileged users edit
// rules, while a user who may only create leads still has them routed.
func TestAssignmentRuleChecks(t *testing.T) {
	s := newServer(t)
	a := s.login()
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "condition": "nosuchfield eq 1"}).
		wantError(http.StatusBadRequest, "invalid_condition", "condition")
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "condition": "country eq"}).
		wantError(http.StatusBadRequest, "invalid_condition", "condition")
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "assign_type": "round_robin"}).
		wantError(http.StatusBadRequest, "required", "team_id")
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "assign_type": "territory",
		"territory_attribute": "country", "territories": "{not json"}).wantError(http.StatusBadRequest, "invalid_territories", "territories")
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "case", "assign_type": "territory",
		"territory_attribute": "country", "territories": `{"DE":"x"}`}).wantError(http.StatusBadRequest, "unknown_field", "territory_attribute")
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "assign_type": "territory",
		"territory_attribute": "country", "territories": `{"DE":"not-an-owner"}`}).wantError(http.StatusBadRequest, "owner_not_found", "territories")
	access := a.create("teams", map[string]any{"name": "Access", "team_type": "access"})
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "assign_type": "team", "team_id": access}).
		wantError(http.StatusBadRequest, "owner_not_found", "team_id")
	q := a.create("queues", map[string]any{"name": "Q"})
	a.post("assignment_rules", map[string]any{"name": "Bad", "target_entity": "lead", "queue_id": q}).
		wantError(http.StatusBadRequest, "queue_on_lead", "queue_id")

	owner := a.create("users", map[string]any{"full_name": "Owner", "email": "owner@example.com"})
	a.create("assignment_rules", map[string]any{"name": "All", "target_entity": "lead", "assign_type": "user", "user_id": owner})
	a.post("security/roles", map[string]any{"name": "Lead entry", "privileges": []map[string]any{
		{"entity": "lead", "privilege": "create", "depth": "user"},
		{"entity": "lead", "privilege": "read", "depth": "user"},
	}}).want(http.StatusCreated)
	rep, _ := s.userClient("rep@example.com", "Lead entry")
	rep.post("assignment_rules", map[string]any{"name": "Mine", "target_entity": "lead"}).want(http.StatusForbidden)
	r := rep.post("leads", map[string]any{"last_name": "Walk-in"}).want(http.StatusCreated)
	if r.str("owner_id") != owner {
		t.Errorf("a rep's lead was not routed: %s", r.raw)
	}
	// Routing on demand needs the assign privilege (the rep no longer sees the lead at all).
	rep.post("leads("+r.str("id")+")/route", nil).want(http.StatusNotFound, http.StatusForbidden)
}

// TestQueueMembersSeeAndPick: the members of a queue see its cases without owning them and pick
// one (it becomes theirs, in progress); others neither see nor pick them.
func TestQueueMembersSeeAndPick(t *testing.T) {
	s := newServer(t)
	a := s.login()
	a.post("security/roles", map[string]any{"name": "Agent", "privileges": []map[string]any{
		{"entity": "case", "privilege": "create", "depth": "user"},
		{"entity": "case", "privilege": "read", "depth": "user"},
		{"entity": "case", "privilege": "write", "depth": "user"},
	}}).want(http.StatusCreated)
	member, memberID := s.userClient("member@example.com", "Agent")
	other, _ := s.userClient("other@example.com", "Agent")
	queue := a.create("queues", map[string]any{"name": "Tier 1"})
	a.post("queues("+queue+")/members/$ref", map[string]any{"@odata.id": "users(" + memberID + ")"}).want(http.StatusNoContent)
	cs := a.create("cases", map[string]any{"title": "In the queue", "queue_id": queue})
	a.create("cases", map[string]any{"title": "Not queued"})
	if got := member.all("cases?$select=title"); len(got) != 1 || field(got[0], "title") != "In the queue" {
		t.Fatalf("member sees %v", got)
	}
	if n := other.count("cases"); n != 0 {
		t.Fatalf("a non-member sees %d cases", n)
	}
	other.post("cases("+cs+")/pick", nil).wantError(http.StatusNotFound, "not_found", "")
	member.patch("cases("+cs+")", map[string]any{"title": "mine?"}).want(http.StatusForbidden)
	r := member.post("cases("+cs+")/pick", nil).want(http.StatusOK)
	if r.str("owner_id") != memberID || r.str("status") != "in_progress" {
		t.Fatalf("picked: %s", r.raw)
	}
	member.patch("cases("+cs+")", map[string]any{"title": "mine"}).want(http.StatusNoContent)
	unqueued := a.create("cases", map[string]any{"title": "Elsewhere"})
	a.post("cases("+unqueued+")/pick", nil).wantError(http.StatusConflict, "not_in_queue", "")
	if entries := auditOf(a, "$filter="+q("record_id eq "+cs+" and action eq 'assign'")); len(entries) != 1 || field(entries[0], "user_id") != memberID {
		t.Errorf("pick audit: %v", entries)
	}
}

// TestApplyAssignmentRules: the rules applied to the leads a filter selects; records no rule
// matches are counted; an unknown entity or filter is refused.
func TestApplyAssignmentRules(t *testing.T) {
	s := newServer(t)
	a := s.login()
	owner := a.create("users", map[string]any{"full_name": "DE owner", "email": "de@example.com"})
	var de []string
	for range 3 {
		de = append(de, a.create("leads", map[string]any{"last_name": "L", "country": "DE"}))
	}
	a.create("leads", map[string]any{"last_name": "L", "country": "FR"})
	rule := a.create("assignment_rules", map[string]any{"name": "Germany", "target_entity": "lead",
		"condition": "country eq 'DE'", "assign_type": "user", "user_id": owner})
	r := a.post("assignment_rules/$apply", map[string]any{"entity": "lead", "filter": "country eq 'DE' or country eq 'FR'"}).want(http.StatusOK)
	if r.str("routed") != "3" || r.str("unmatched") != "1" || r.str("denied") != "0" {
		t.Fatalf("apply: %s", r.raw)
	}
	for _, id := range de {
		if got := a.get("leads(" + id + ")").want(http.StatusOK); got.str("owner_id") != owner || got.str("routed_by_rule_id") != rule {
			t.Errorf("lead %s: %s", id, got.raw)
		}
	}
	a.post("assignment_rules/$apply", map[string]any{"entity": "account"}).wantError(http.StatusBadRequest, "not_routable", "entity")
	a.post("assignment_rules/$apply", map[string]any{"entity": "lead", "filter": "nosuch eq 1"}).want(http.StatusBadRequest)
}
