package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/jobs"
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
	js, err := s.app.Jobs.List(context.Background(), jobs.Filter{State: "scheduled", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].Kind != "activity_reminder" || !js[0].ScheduledAt.Equal(time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("scheduled jobs: %+v", js)
	}
	// A refused write schedules nothing.
	c.post("tasks", map[string]any{"subject": "", "remind_at": "2031-03-02T09:00:00Z"}).wantError(http.StatusBadRequest, "required", "subject")
	if js, _ := s.app.Jobs.List(context.Background(), jobs.Filter{Limit: 10}); len(js) != 1 {
		t.Errorf("a refused write left a job: %+v", js)
	}
}

// TestTimelineRollsUp: an account's timeline has the activities regarding it and those of its
// contacts, opportunities and cases, newest first; another account's stay out; a contact's
// timeline has only its own; $filter and $top apply.
func TestTimelineRollsUp(t *testing.T) {
	s := newServer(t)
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Roll-up Co"})
	other := c.create("accounts", map[string]any{"name": "Other Co"})
	con := c.create("contacts", map[string]any{"last_name": "Lovelace", "account_id": acc})
	opp := c.create("opportunities", map[string]any{"name": "Deal", "account_id": acc})
	cs := c.create("cases", map[string]any{"title": "Broken", "account_id": acc})
	otherCon := c.create("contacts", map[string]any{"last_name": "Elsewhere", "account_id": other})
	for subject, on := range map[string]string{"on the account": "accounts(" + acc + ")", "on the contact": "contacts(" + con + ")",
		"on the deal": "opportunities(" + opp + ")", "on the case": "cases(" + cs + ")", "elsewhere": "contacts(" + otherCon + ")"} {
		c.create("tasks", map[string]any{"subject": subject, "regarding_id@odata.bind": on})
	}
	c.create("notes", map[string]any{"subject": "a note on the contact", "regarding_id@odata.bind": "contacts(" + con + ")"})

	got := sorted(column(c.get("accounts("+acc+")/timeline").want(http.StatusOK).values(), "subject"))
	want := []string{"a note on the contact", "on the account", "on the case", "on the contact", "on the deal"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("account timeline %v, want %v", got, want)
	}
	got = sorted(column(c.get("contacts("+con+")/timeline").want(http.StatusOK).values(), "subject"))
	if strings.Join(got, "|") != "a note on the contact|on the contact" {
		t.Errorf("contact timeline %v", got)
	}
	r := c.get("accounts(" + acc + ")/timeline?$filter=" + q("activity_type eq 'task'") + "&$top=2&$select=subject,regarding_type").want(http.StatusOK)
	if n := len(r.values()); n != 2 {
		t.Errorf("$top=2 gave %d", n)
	}
	for _, v := range r.values() {
		if field(v, "regarding_type") == "" {
			t.Errorf("no regarding_type: %v", v)
		}
	}
	c.get("accounts("+acc+")/timeline?$top=1000").wantError(http.StatusBadRequest, "invalid_top", "$top")
	c.get("accounts(0193a0a0-0000-7000-8000-000000000000)/timeline").want(http.StatusNotFound)
	c.post("accounts("+acc+")/timeline", nil).want(http.StatusMethodNotAllowed)
}
