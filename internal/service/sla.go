package service

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// SLA is a service-level agreement's targets for one priority.
type SLA struct {
	FirstResponse time.Duration
	Resolve       time.Duration
	// Warn is how long before a timer's due time it warns; zero: a quarter of its time.
	Warn time.Duration
}

// warnAt is when the timer of span due at due warns.
func (s SLA) warnAt(due time.Time, span time.Duration) time.Time {
	if s.Warn > 0 {
		return due.Add(-s.Warn)
	}
	return due.Add(-span / warnShare)
}

// SLAs are the default targets per case priority: the SLA policies seeded in every tenant
// (EnsureSLAPolicies), and the targets of a priority without an active policy.
var SLAs = map[string]SLA{
	"urgent": {FirstResponse: time.Hour, Resolve: 4 * time.Hour},
	"high":   {FirstResponse: 4 * time.Hour, Resolve: 24 * time.Hour},
	"normal": {FirstResponse: 8 * time.Hour, Resolve: 72 * time.Hour},
	"low":    {FirstResponse: 24 * time.Hour, Resolve: 120 * time.Hour},
}

// warnShare is the part of a timer's time left when it warns, without a policy's warning time.
const warnShare = 4 // 1/4

func closed(status string) bool { return status == "resolved" || status == "canceled" }

func pick(vals, cur map[string]any, k string) any {
	if v, ok := vals[k]; ok {
		return v
	}
	if cur != nil {
		return cur[k]
	}
	return nil
}

func asTime(v any) (time.Time, bool) { t, ok := v.(time.Time); return t, ok }

// slaTimes derives a case's SLA fields on every write: the due times from the priority when the
// case opens (or its priority changes), a pause while it waits for the customer (the due times
// move by the time waited), met or breached when it is resolved.
func slaTimes(ctx context.Context, recs *records.Service, now time.Time, vals, cur map[string]any) error {
	status, _ := pick(vals, cur, "status").(string)
	priority, _ := pick(vals, cur, "priority").(string)
	var sla SLA
	if p, ok := vals["priority"].(string); cur == nil || (ok && p != cur["priority"]) {
		var err error
		if sla, err = PolicyFor(ctx, recs, priority); err != nil {
			return err
		}
	}
	if cur == nil {
		if _, set := vals["opened_at"]; !set || vals["opened_at"] == nil {
			vals["opened_at"] = now
		}
		opened, _ := asTime(vals["opened_at"])
		if closed(status) {
			return nil
		}
		vals["first_response_by"] = opened.Add(sla.FirstResponse)
		vals["resolve_by"] = opened.Add(sla.Resolve)
		vals["sla_status"] = "on_track"
		if status == "waiting" {
			vals["sla_paused_at"] = now
		}
		return nil
	}
	was, _ := cur["status"].(string)
	// A change of priority re-times an open case that has not breached: from when it opened,
	// plus the time it waited.
	if p, ok := vals["priority"].(string); ok && p != cur["priority"] && !closed(status) && cur["sla_status"] != "breached" {
		if opened, ok := asTime(cur["opened_at"]); ok {
			waited := time.Duration(asInt(cur["sla_paused_minutes"])) * time.Minute
			if cur["first_responded_at"] == nil {
				vals["first_response_by"] = opened.Add(sla.FirstResponse + waited)
			}
			vals["resolve_by"] = opened.Add(sla.Resolve + waited)
			vals["sla_status"] = "on_track"
		}
	}
	if status == was {
		return nil
	}
	// Leaving "waiting": the timers move by the time waited.
	if was == "waiting" {
		if since, ok := asTime(cur["sla_paused_at"]); ok {
			waited := now.Sub(since)
			if waited < 0 {
				waited = 0
			}
			for _, k := range []string{"first_response_by", "resolve_by"} {
				if k == "first_response_by" && pick(vals, cur, "first_responded_at") != nil {
					continue
				}
				if due, ok := asTime(pick(vals, cur, k)); ok {
					vals[k] = due.Add(waited)
				}
			}
			vals["sla_paused_minutes"] = asInt(cur["sla_paused_minutes"]) + int64(waited/time.Minute)
		}
		vals["sla_paused_at"] = nil
	}
	if status == "waiting" {
		vals["sla_paused_at"] = now
	}
	if status == "resolved" && cur["sla_status"] != "breached" && cur["sla_status"] != nil {
		vals["sla_status"] = "met"
	}
	// Reopened: the timers run again from where they stood.
	if closed(was) && !closed(status) && cur["sla_status"] == "met" {
		vals["sla_status"] = "on_track"
	}
	return nil
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}

// SLAArgs are an SLA timer job's arguments: at Due (or its warning time) the timer of Case
// warns or breaches, unless the case changed since.
type SLAArgs struct {
	TenantID string    `json:"tenant_id"`
	CaseID   string    `json:"case_id"`
	Timer    string    `json:"timer"` // first_response or resolve
	Stage    string    `json:"stage"` // warn or breach
	Due      time.Time `json:"due"`
}

// Kind is the job kind.
func (SLAArgs) Kind() string { return "sla_timer" }

// SLAWorker runs SLA timers.
type SLAWorker struct {
	river.WorkerDefaults[SLAArgs]
	recs *records.Service
}

// WireSLA derives the SLA fields of every case write and schedules its timers on the queue q
// returns, in the same transaction; it returns the worker to register.
func WireSLA(recs *records.Service, q func() *jobs.Queue) *SLAWorker {
	recs.Register(records.Hook{Name: "service.sla_times", Entity: "case", Derive: func(ctx context.Context, d records.Draft) error {
		return slaTimes(ctx, recs, d.Now, d.Values, d.Current)
	}})
	recs.Register(records.Hook{Name: "service.sla_timers", Entity: "case", React: records.EachChange(func(ctx context.Context, c records.Change) error {
		if c.After == nil {
			return nil
		}
		status, _ := c.After["status"].(string)
		if closed(status) || status == "waiting" {
			return nil // no timer runs; old jobs find the case so and do nothing
		}
		var sla *SLA
		for _, timer := range []string{"first_response", "resolve"} {
			if timer == "first_response" && c.After["first_responded_at"] != nil {
				continue
			}
			due, ok := asTime(c.After[timer+"_by"])
			if !ok {
				continue
			}
			if before, ok := asTime(c.Before[timer+"_by"]); ok && before.Equal(due) && c.Before["status"] == c.After["status"] {
				continue // already scheduled
			}
			if sla == nil {
				priority, _ := c.After["priority"].(string)
				p, err := PolicyFor(ctx, recs, priority)
				if err != nil {
					return err
				}
				sla = &p
			}
			span := sla.FirstResponse
			if timer == "resolve" {
				span = sla.Resolve
			}
			for _, stage := range []string{"warn", "breach"} {
				at := due
				if stage == "warn" {
					at = sla.warnAt(due, span)
				}
				if _, err := q().Enqueue(ctx, SLAArgs{TenantID: c.TenantID, CaseID: c.ID, Timer: timer, Stage: stage, Due: due.UTC()},
					&river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}); err != nil {
					return err
				}
			}
		}
		return nil
	})})
	return &SLAWorker{recs: recs}
}

// Work applies the timer and completes the job in one transaction.
func (w *SLAWorker) Work(ctx context.Context, job *river.Job[SLAArgs]) error {
	st := w.recs.Store()
	ctx = principal.With(ctx, principal.System(job.Args.TenantID))
	return st.WithTx(ctx, func(ctx context.Context) error {
		if _, err := w.CheckResult(ctx, job.Args); err != nil {
			return err
		}
		return jobs.CompleteTx(ctx, st, job)
	})
}

// CheckResult applies one timer to its case, if the case still runs that timer to that due
// time: warn sets sla_status to warning (from on track), breach sets it to breached and escalates
// the case. It says what it did: "warned", "breached" or "" (nothing: the case was
// closed, waiting, answered, re-timed or already past that stage).
func (w *SLAWorker) CheckResult(ctx context.Context, a SLAArgs) (string, error) {
	rec, err := w.recs.Get(ctx, "case", a.CaseID, nil)
	if fault.Is(err, fault.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	status, _ := rec.Get("status").(string)
	due, _ := asTime(rec.Get(a.Timer + "_by"))
	if closed(status) || status == "waiting" || !due.Equal(a.Due) ||
		(a.Timer == "first_response" && rec.Get("first_responded_at") != nil) {
		return "", nil
	}
	now := w.recs.Now()
	sla, _ := rec.Get("sla_status").(string)
	switch {
	case a.Stage == "warn" && sla == "on_track" && now.Before(due):
		_, err = w.recs.Update(ctx, "case", a.CaseID, records.Input{"sla_status": "warning"}, "")
		return "warned", err
	case a.Stage == "breach" && sla != "breached" && !now.Before(due):
		_, err = w.recs.Update(ctx, "case", a.CaseID, records.Input{"sla_status": "breached", "escalated": true}, "")
		return "breached", err
	}
	return "", nil
}
