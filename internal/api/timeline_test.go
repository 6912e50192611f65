package api_test

import (
	"net/http"
	"net/url"
	"testing"
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
