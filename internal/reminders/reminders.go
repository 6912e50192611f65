// Package reminders schedules and delivers activity reminders on the job queue: setting an
// activity's remind_at enqueues a job for that time in the same transaction; when it runs, the
// job stamps reminded_at (the notification channels of later issues deliver from there). A job
// whose activity was deleted, re-timed or already reminded completes without effect, and the
// stamp and the job's completion commit together, so a reminder never fires twice.
package reminders

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// Entities are the activity types with reminders.
var Entities = []string{"task", "phone_call", "appointment"}

// Args are a reminder job's arguments.
type Args struct {
	TenantID string    `json:"tenant_id"`
	Entity   string    `json:"entity"`
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
}

// Kind is the job kind.
func (Args) Kind() string { return "activity_reminder" }

// Wire makes changes of remind_at schedule reminder jobs on q, and returns the worker to
// register with the queue's workers.
func Wire(recs *records.Service, q func() *jobs.Queue) *Worker {
	for _, e := range Entities {
		recs.Register(records.Hook{Name: "reminders.schedule", Entity: e, React: records.EachChange(func(ctx context.Context, c records.Change) error {
			if c.After == nil {
				return nil // deleted: a pending job finds nothing and completes
			}
			at, ok := c.After["remind_at"].(time.Time)
			if !ok || c.After["reminded_at"] != nil {
				return nil
			}
			if before, ok := c.Before["remind_at"].(time.Time); ok && before.Equal(at) {
				return nil
			}
			_, err := q().Enqueue(ctx, Args{TenantID: c.TenantID, Entity: c.Entity.Name, ID: c.ID, At: at.UTC()},
				&river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}})
			return err
		})})
	}
	return &Worker{recs: recs}
}

// Worker delivers reminders.
type Worker struct {
	river.WorkerDefaults[Args]
	recs *records.Service
}

// Work stamps reminded_at on the activity, once, if it still wants this reminder.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	a := job.Args
	st := w.recs.Store()
	ctx = principal.With(ctx, principal.System(a.TenantID))
	return st.WithTx(ctx, func(ctx context.Context) error {
		rec, err := w.recs.Get(ctx, a.Entity, a.ID, nil)
		switch {
		case fault.Is(err, fault.NotFound):
			return jobs.CompleteTx(ctx, st, job) // the activity is gone
		case err != nil:
			return err
		}
		at, ok := rec.Get("remind_at").(time.Time)
		if !ok || !at.Equal(a.At) || rec.Get("reminded_at") != nil {
			return jobs.CompleteTx(ctx, st, job) // re-timed, cleared or already reminded
		}
		if _, err := w.recs.Update(ctx, a.Entity, a.ID, records.Input{"reminded_at": w.recs.Now().UTC().Format(time.RFC3339Nano)}, ""); err != nil {
			return err
		}
		return jobs.CompleteTx(ctx, st, job)
	})
}
