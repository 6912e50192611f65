package api_test

import (
	"net/http"
	"testing"
)

// TestEmailIntake: a message to a queue's address opens a case for the known contact in that
// queue (routed by the rules) with the email on it; a reply by case number or by In-Reply-To is
// threaded onto the case and resumes a waiting case; the same Message-ID twice is ignored; an
// unknown sender becomes a contact.
func TestEmailIntake(t *testing.T) {
	s := newServer(t)
	a := s.login()
	acc := a.create("accounts", map[string]any{"name": "Contoso"})
	con := a.create("contacts", map[string]any{"first_name": "Mei", "last_name": "Lin", "email": "mei@contoso.com", "account_id": acc})
	queue := a.create("queues", map[string]any{"name": "Support", "email_address": "Support@Example.com", "default_priority": "high"})
	agent := a.create("users", map[string]any{"full_name": "Agent", "email": "agent@example.com"})
	rule := a.create("assignment_rules", map[string]any{"name": "Support queue", "target_entity": "case",
		"condition": "queue_id eq " + queue, "assign_type": "user", "user_id": agent})

	msg := map[string]any{"from": "Mei Lin <MEI@contoso.com>", "to": []string{"support@example.com"},
		"subject": "Printer on fire", "text": "It smokes.", "message_id": "<m1@contoso.com>"}
	r := a.post("intake/email", msg).want(http.StatusCreated)
	cs := r.str("case_id")
	if r.str("outcome") != "created" || r.str("contact_id") != con || r.str("queue_id") != queue || r.str("contact_created") != "" {
		t.Fatalf("intake: %s", r.raw)
	}
	got := a.get("cases(" + cs + ")").want(http.StatusOK)
	if got.str("origin") != "email" || got.str("title") != "Printer on fire" || got.str("description") != "It smokes." ||
		got.str("account_id") != acc || got.str("contact_id") != con || got.str("priority") != "high" ||
		got.str("owner_id") != agent || got.str("routed_by_rule_id") != rule {
		t.Fatalf("case: %s", got.raw)
	}
	emails := a.all("emails?$filter=" + q("regarding_id eq "+cs))
	if len(emails) != 1 || field(emails[0], "direction") != "inbound" || field(emails[0], "message_id") != "m1@contoso.com" ||
		field(emails[0], "sender") != "mei@contoso.com" {
		t.Fatalf("emails %v", emails)
	}

	// The same message again: nothing new.
	if r := a.post("intake/email", msg).want(http.StatusOK); r.str("outcome") != "duplicate" || r.str("case_id") != cs {
		t.Fatalf("duplicate: %s", r.raw)
	}
	// A reply by case number moves a waiting case back in progress.
	a.patch("cases("+cs+")", map[string]any{"status": "waiting"}).want(http.StatusNoContent)
	reply := map[string]any{"from": "mei@contoso.com", "to": []string{"support@example.com"},
		"subject": "Re: [" + got.str("case_number") + "] Printer on fire", "text": "Still smoking.", "message_id": "m2@contoso.com"}
	if r := a.post("intake/email", reply).want(http.StatusOK); r.str("outcome") != "threaded" || r.str("case_id") != cs {
		t.Fatalf("reply by number: %s", r.raw)
	}
	if st := a.get("cases(" + cs + ")").want(http.StatusOK).str("status"); st != "in_progress" {
		t.Errorf("a reply left the case %s", st)
	}
	// A reply found by In-Reply-To, subject without a number.
	r = a.post("intake/email", map[string]any{"from": "mei@contoso.com", "to": []string{"support@example.com"}, "subject": "Re: help",
		"text": "Any news?", "message_id": "m3@contoso.com", "in_reply_to": "<m2@contoso.com>"}).want(http.StatusOK)
	if r.str("outcome") != "threaded" || r.str("case_id") != cs {
		t.Fatalf("reply by In-Reply-To: %s", r.raw)
	}
	if n := len(a.all("emails?$filter=" + q("regarding_id eq "+cs))); n != 3 {
		t.Errorf("%d emails on the case, want 3", n)
	}
	if n := a.count("cases"); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}

	// An unknown sender to no queue's address: a new contact and a case without a queue.
	r = a.post("intake/email", map[string]any{"from": "Zhang Wei <zw@fabrikam.cn>", "to": []string{"info@example.com"},
		"subject": "Question", "html": "<p>How do I <b>reset</b>?</p>", "message_id": "x1@fabrikam.cn"}).want(http.StatusCreated)
	if r.str("contact_created") != "true" || r.str("queue_id") != "" {
		t.Fatalf("unknown sender: %s", r.raw)
	}
	c2 := a.get("contacts(" + r.str("contact_id") + ")").want(http.StatusOK)
	if c2.str("email") != "zw@fabrikam.cn" || c2.str("last_name") != "Wei" || c2.str("first_name") != "Zhang" {
		t.Errorf("new contact: %s", c2.raw)
	}
	if d := a.get("cases(" + r.str("case_id") + ")").want(http.StatusOK).str("description"); d == "" || d[0] == '<' {
		t.Errorf("description from HTML: %q", d)
	}
	a.post("intake/email", map[string]any{"from": "not an address", "subject": "x"}).wantError(http.StatusBadRequest, "invalid_email", "from")
}

// TestEmailIntakeNeedsAdmin: a user without administration cannot feed the intake.
func TestEmailIntakeNeedsAdmin(t *testing.T) {
	s := newServer(t)
	a := s.login()
	a.post("security/roles", map[string]any{"name": "Agent", "privileges": []map[string]any{
		{"entity": "case", "privilege": "create", "depth": "organization"},
	}}).want(http.StatusCreated)
	agent, _ := s.userClient("agent@example.com", "Agent")
	agent.post("intake/email", map[string]any{"from": "a@b.com", "subject": "x"}).wantError(http.StatusForbidden, "forbidden", "")
	s.anon().post("intake/email", map[string]any{"from": "a@b.com", "subject": "x"}).want(http.StatusUnauthorized)
	// An administrator's API key: with the write scope it feeds the intake, read-only it cannot.
	reader := &client{t: t, s: s, token: a.post("auth/apikeys", map[string]any{"name": "ro", "scopes": []string{"read"}}).want(http.StatusCreated).str("key")}
	reader.post("intake/email", map[string]any{"from": "a@b.com", "subject": "x"}).wantError(http.StatusForbidden, "insufficient_scope", "-")
	if n := a.count("cases"); n != 0 {
		t.Errorf("%d cases", n)
	}
	connector := &client{t: t, s: s, token: a.post("auth/apikeys", map[string]any{"name": "mailbox"}).want(http.StatusCreated).str("key")}
	if r := connector.post("intake/email", map[string]any{"from": "a@b.com", "subject": "x"}).want(http.StatusCreated); r.str("outcome") != "created" {
		t.Errorf("connector: %s", r.raw)
	}
}
