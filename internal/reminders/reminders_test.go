package reminders_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReminders: setting remind_at schedules a job in the same transaction; it stamps
// reminded_at once; a re-timed or deleted activity's old job completes without effect.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DB = storetest.DSN(t)
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ten, err := a.EnsureTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	sys := principal.With(ctx, principal.System(ten.ID))
	if err := a.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Jobs.Stop(c)
	})
	reminded := func(entity, id string) any {
		r, err := a.Records.Get(sys, entity, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r.Get("reminded_at")
	}
	jobsOf := func(state string) []jobs.Job {
		js, err := a.Jobs.List(ctx, jobs.Filter{State: state})
		if err != nil {
			t.Fatal(err)
		}
		return js
	}

	past := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	task, err := a.Records.Create(sys, "task", records.Input{"subject": "Call Ada back", "remind_at": past})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the task's reminder", func() bool { return reminded("task", task.ID()) != nil })
	first := reminded("task", task.ID())

	// An appointment reminded in an hour is scheduled, not run; re-timed to the past, the new
	// job reminds it; the old one, forced to run now, finds it re-timed and does nothing.
	later := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
	appt, err := a.Records.Create(sys, "appointment", records.Input{"subject": "Demo", "remind_at": later, "starts_at": later})
	if err != nil {
		t.Fatal(err)
	}
	scheduled := jobsOf("scheduled")
	if len(scheduled) != 1 || scheduled[0].Kind != "activity_reminder" {
		t.Fatalf("scheduled jobs: %+v", scheduled)
	}
	if _, err := a.Records.Update(sys, "appointment", appt.ID(), records.Input{"remind_at": past}, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the re-timed reminder", func() bool { return reminded("appointment", appt.ID()) != nil })
	stamped := reminded("appointment", appt.ID())
	if _, err := a.Jobs.Retry(ctx, scheduled[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stale job to complete", func() bool { j, err := a.Jobs.Get(ctx, scheduled[0].ID); return err == nil && j.State == "completed" })
	if got := reminded("appointment", appt.ID()); got != stamped {
		t.Errorf("the stale job changed reminded_at: %v → %v", stamped, got)
	}

	// A deleted call's reminder completes without effect.
	call, err := a.Records.Create(sys, "phone_call", records.Input{"subject": "Follow up", "remind_at": later})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Records.Delete(sys, "phone_call", call.ID(), ""); err != nil {
		t.Fatal(err)
	}
	var callJob int64
	for _, j := range jobsOf("scheduled") {
		callJob = j.ID
	}
	if _, err := a.Jobs.Retry(ctx, callJob); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted call's job", func() bool { j, err := a.Jobs.Get(ctx, callJob); return err == nil && j.State == "completed" })

	// Every reminder ran exactly once; the task's stamp never moved; nothing failed.
	if got := reminded("task", task.ID()); got != first {
		t.Errorf("the task was reminded again: %v → %v", first, got)
	}
	counts, err := a.Jobs.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["completed"] != 4 || counts["discarded"] != 0 || counts["retryable"] != 0 {
		t.Errorf("job counts %v, want 4 completed", counts)
	}
}
