package service_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/service"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// clock is a test clock moved by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }
func at(t *testing.T, v any) time.Time   { t.Helper(); x, _ := v.(time.Time); return x }
func minutes(t *testing.T, v any) int64  { t.Helper(); x, _ := v.(int64); return x }

// slaEnv is a tenant on a fresh database with the SLA wired onto an insert-only job queue (the
// tests run the timers themselves) and a clock moved by hand.
type slaEnv struct {
	clk  *clock
	recs *records.Service
	q    *jobs.Queue
	w    *service.SLAWorker
	ten  *tenant.Tenant
	as   context.Context // the tenant's system principal
}

func newSLAEnv(t *testing.T) *slaEnv {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	if err := jobs.Migrate(ctx, st); err != nil {
		t.Fatal(err)
	}
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	model, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)}
	recs := records.NewService(st, metadata.NewRegistry(model, st), records.Options{Clock: clk.Now})
	q, err := jobs.New(st, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w := service.WireSLA(recs, func() *jobs.Queue { return q })
	ten, err := tenant.Create(ctx, st, "Acme", "acme", clk.now)
	if err != nil {
		t.Fatal(err)
	}
	as := principal.With(ctx, principal.System(ten.ID))
	return &slaEnv{clk: clk, recs: recs, q: q, w: w, ten: ten, as: as}
}

// TestSLATimers: a case's timers come from its priority, pause while it waits for the customer
// (and move by the time waited), warn with a quarter of the time left, breach and escalate at
// the due time; stale timer jobs do nothing; resolving in time is met — with an injected clock,
// on both databases.
func TestSLATimers(t *testing.T) {
	ctx := context.Background()
	env := newSLAEnv(t)
	clk, recs, q, w, ten, as := env.clk, env.recs, env.q, env.w, env.ten, env.as
	get := func(id string) *records.Record {
		r, err := recs.Get(as, "case", id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	check := func(a service.SLAArgs) string {
		got, err := w.CheckResult(as, a)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// An urgent case: first response in 1 h, resolution in 4 h; four timer jobs scheduled.
	c, err := recs.Create(as, "case", records.Input{"title": "Line down", "priority": "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID()
	r := get(id)
	open := clk.now
	if !at(t, r.Get("first_response_by")).Equal(open.Add(time.Hour)) || !at(t, r.Get("resolve_by")).Equal(open.Add(4*time.Hour)) || r.Get("sla_status") != "on_track" {
		t.Fatalf("timers: %v %v %v", r.Get("first_response_by"), r.Get("resolve_by"), r.Get("sla_status"))
	}
	scheduled, err := q.List(ctx, jobs.Filter{State: "scheduled", Limit: 20})
	if err != nil || len(scheduled) != 4 {
		t.Fatalf("scheduled %d jobs (%v), want 4", len(scheduled), err)
	}
	resolveDue := open.Add(4 * time.Hour)
	warn := service.SLAArgs{TenantID: ten.ID, CaseID: id, Timer: "resolve", Stage: "warn", Due: resolveDue}

	// Waiting for the customer for 2 h pauses the timers; they move by 2 h.
	clk.advance(30 * time.Minute)
	if _, err := recs.Update(as, "case", id, records.Input{"status": "waiting"}, ""); err != nil {
		t.Fatal(err)
	}
	clk.advance(2 * time.Hour)
	if got := check(warn); got != "" {
		t.Errorf("a timer of a waiting case did %q", got)
	}
	if _, err := recs.Update(as, "case", id, records.Input{"status": "in_progress"}, ""); err != nil {
		t.Fatal(err)
	}
	r = get(id)
	if !at(t, r.Get("resolve_by")).Equal(resolveDue.Add(2*time.Hour)) || minutes(t, r.Get("sla_paused_minutes")) != 120 || r.Get("sla_paused_at") != nil {
		t.Fatalf("after the pause: resolve_by %v, paused %v min, paused_at %v", r.Get("resolve_by"), r.Get("sla_paused_minutes"), r.Get("sla_paused_at"))
	}
	// The jobs of the old due time do nothing; the new ones warn and breach.
	if got := check(warn); got != "" {
		t.Errorf("a stale timer did %q", got)
	}
	newDue := resolveDue.Add(2 * time.Hour)
	clk.now = newDue.Add(-30 * time.Minute)
	if got := check(service.SLAArgs{TenantID: ten.ID, CaseID: id, Timer: "resolve", Stage: "warn", Due: newDue}); got != "warned" {
		t.Errorf("warn did %q", got)
	}
	if s := get(id).Get("sla_status"); s != "warning" {
		t.Errorf("sla_status %v after the warning", s)
	}
	breach := service.SLAArgs{TenantID: ten.ID, CaseID: id, Timer: "resolve", Stage: "breach", Due: newDue}
	if got := check(breach); got != "" {
		t.Errorf("a breach before the due time did %q", got)
	}
	clk.now = newDue
	if got := check(breach); got != "breached" {
		t.Errorf("breach did %q", got)
	}
	r = get(id)
	if r.Get("sla_status") != "breached" || r.Get("escalated") != true {
		t.Errorf("after the breach: %v escalated %v", r.Get("sla_status"), r.Get("escalated"))
	}
	if got := check(breach); got != "" {
		t.Errorf("a breach ran twice: %q", got)
	}

	// A normal case answered and resolved in time is met; its timers then do nothing.
	c2, err := recs.Create(as, "case", records.Input{"title": "Question"})
	if err != nil {
		t.Fatal(err)
	}
	r = get(c2.ID())
	if !at(t, r.Get("first_response_by")).Equal(clk.now.Add(8*time.Hour)) || !at(t, r.Get("resolve_by")).Equal(clk.now.Add(72*time.Hour)) {
		t.Errorf("normal timers %v %v", r.Get("first_response_by"), r.Get("resolve_by"))
	}
	clk.advance(time.Hour)
	if _, err := recs.Update(as, "case", c2.ID(), records.Input{"first_responded_at": clk.now.Format(time.RFC3339)}, ""); err != nil {
		t.Fatal(err)
	}
	resp := service.SLAArgs{TenantID: ten.ID, CaseID: c2.ID(), Timer: "first_response", Stage: "breach", Due: at(t, r.Get("first_response_by"))}
	clk.advance(10 * time.Hour)
	if got := check(resp); got != "" {
		t.Errorf("the response timer of an answered case did %q", got)
	}
	if _, err := service.NewCases(recs).Resolve(as, c2.ID(), service.ResolveOptions{Resolution: "Answered"}); err != nil {
		t.Fatal(err)
	}
	if s := get(c2.ID()).Get("sla_status"); s != "met" {
		t.Errorf("resolved in time: sla_status %v", s)
	}
}

// TestSLAPolicies: a tenant gets one default policy per priority (once); an edited policy times
// new cases and their warnings; a deactivated one falls back to the default targets.
func TestSLAPolicies(t *testing.T) {
	env := newSLAEnv(t)
	ctx, recs := env.as, env.recs
	for range 2 {
		if err := service.EnsureSLAPolicies(context.Background(), recs, env.ten.ID); err != nil {
			t.Fatal(err)
		}
	}
	o, err := query.ParseOptions("$filter=" + url.QueryEscape("priority eq 'urgent'"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := recs.List(ctx, "sla_policy", &query.Options{}, records.ReadOptions{})
	if err != nil || len(all.Records) != 4 {
		t.Fatalf("%d default policies (%v), want 4", len(all.Records), err)
	}
	urgent, err := recs.List(ctx, "sla_policy", o, records.ReadOptions{})
	if err != nil || len(urgent.Records) != 1 || minutes(t, urgent.Records[0].Get("first_response_minutes")) != 60 {
		t.Fatalf("urgent policy %v", err)
	}
	pol := urgent.Records[0].ID()
	if _, err := recs.Update(ctx, "sla_policy", pol, records.Input{"first_response_minutes": json.Number("30"),
		"resolve_minutes": json.Number("120"), "warn_before_minutes": json.Number("10")}, ""); err != nil {
		t.Fatal(err)
	}
	open := env.clk.now
	c, err := recs.Create(ctx, "case", records.Input{"title": "Outage", "priority": "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	if !at(t, c.Get("first_response_by")).Equal(open.Add(30*time.Minute)) || !at(t, c.Get("resolve_by")).Equal(open.Add(2*time.Hour)) {
		t.Fatalf("timers from the policy: %v %v", c.Get("first_response_by"), c.Get("resolve_by"))
	}
	scheduled, err := env.q.List(context.Background(), jobs.Filter{State: "scheduled", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	warnings := map[time.Time]bool{}
	for _, j := range scheduled {
		var a service.SLAArgs
		if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
			t.Fatal(err)
		}
		if a.Stage == "warn" {
			warnings[j.ScheduledAt.UTC()] = true
		}
	}
	if !warnings[open.Add(20*time.Minute)] || !warnings[open.Add(110*time.Minute)] || len(warnings) != 2 {
		t.Errorf("warnings at %v, want 10 minutes before each due time", warnings)
	}
	// Deactivated: the default targets again (1 h / 4 h for urgent).
	if _, err := recs.Update(ctx, "sla_policy", pol, records.Input{"is_active": false}, ""); err != nil {
		t.Fatal(err)
	}
	c, err = recs.Create(ctx, "case", records.Input{"title": "Outage 2", "priority": "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	if !at(t, c.Get("first_response_by")).Equal(open.Add(time.Hour)) {
		t.Errorf("inactive policy still used: %v", c.Get("first_response_by"))
	}
}
