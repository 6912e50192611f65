package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestActivityTimeline: every activity type regarding a record comes back from one query on the
// read-only activities view, with its type, and the view refuses writes.
func TestActivityTimeline(t *testing.T) {
	s := newServer(t)
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Timeline Co"})
	other := c.create("accounts", map[string]any{"name": "Elsewhere"})
	regarding := "accounts(" + acc + ")"
	c.create("tasks", map[string]any{"subject": "Send proposal", "regarding_id@odata.bind": regarding})
	c.create("phone_calls", map[string]any{"subject": "Discovery call", "regarding_id": acc, "regarding_type": "account", "direction": "outbound"})
	c.create("notes", map[string]any{"subject": "Met at the fair", "regarding_id@odata.bind": regarding})
	c.create("emails", map[string]any{"subject": "Thanks", "regarding_id@odata.bind": regarding, "direction": "outbound"})
	c.create("appointments", map[string]any{"subject": "On-site demo", "regarding_id@odata.bind": regarding, "starts_at": "2030-02-01T09:00:00Z"})
	c.create("tasks", map[string]any{"subject": "Unrelated", "regarding_id@odata.bind": "accounts(" + other + ")"})

	r := c.get("activities?$filter=" + url.QueryEscape("regarding_id eq "+acc) + "&$orderby=subject&$select=subject,regarding_type,activity_type").want(http.StatusOK)
	got := r.values()
	if len(got) != 5 {
		t.Fatalf("timeline has %d activities, want 5: %s", len(got), r.raw)
	}
	types := map[string]bool{}
	for _, a := range got {
		types[field(a, "activity_type")] = true
		if field(a, "regarding_type") != "account" {
			t.Errorf("regarding_type %q", field(a, "regarding_type"))
		}
	}
	for _, want := range []string{"task", "phone_call", "note", "email", "appointment"} {
		if !types[want] {
			t.Errorf("activity type %s missing from the timeline: %v", want, types)
		}
	}
	if first := field(got[0], "subject"); first != "Discovery call" {
		t.Errorf("ordered by subject, first is %q", first)
	}
	c.post("activities", map[string]any{"subject": "x"}).wantError(http.StatusBadRequest, "read_only_entity", "")
}

// TestReminderIsScheduledWithTheWrite: a task with a reminder enqueues its job in the request's
// transaction (under row-level security too, when requests run as the application role).
func TestReminderIsScheduledWithTheWrite(t *testing.T) {
	s := newServer(t)
	c := s.login()
	c.create("tasks", map[string]any{"subject": "Prepare the QBR", "remind_at": "2031-03-01T09:00:00Z"})
	js, err := s.app.Jobs.List(context.Background(), "scheduled", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].Kind != "activity_reminder" || !js[0].ScheduledAt.Equal(time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("scheduled jobs: %+v", js)
	}
	// A refused write schedules nothing.
	c.post("tasks", map[string]any{"subject": "", "remind_at": "2031-03-02T09:00:00Z"}).wantError(http.StatusBadRequest, "required", "subject")
	if js, _ := s.app.Jobs.List(context.Background(), "", 10); len(js) != 1 {
		t.Errorf("a refused write left a job: %+v", js)
	}
}
