package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/tenant"
)

// auditOf reads the audit entries the OData query selects, following every page.
func auditOf(c *client, q string, headers ...header) []map[string]any {
	c.t.Helper()
	return c.all("audit?"+q, headers...)
}

func TestLoginAttemptsAreAudited(t *testing.T) {
	s := newServer(t)
	anon := s.anon()
	ua, reqID := hdr("User-Agent", "audit-client/2.0", "X-Request-ID", "login-req-42"), "login-req-42"
	// A wrong password for a known account, an unknown email, then a success.
	anon.post("auth/login", map[string]any{"email": adminEmail, "password": "not the password"}, ua...).want(http.StatusUnauthorized)
	anon.post("auth/login", map[string]any{"email": "nobody@example.com", "password": "guess-1234"}, ua...).want(http.StatusUnauthorized)
	r := anon.post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword}, ua...).want(http.StatusOK)
	c := s.anon()
	c.token = r.str("token")
	adminID := r.str("user.id")

	got := auditOf(c, "$filter="+url.QueryEscape("action eq 'login' or action eq 'login_failed'"))
	if len(got) != 3 {
		t.Fatalf("%d login entries, want 3: %v", len(got), got)
	}
	wrong, unknown, ok := got[0], got[1], got[2]
	for _, e := range got {
		if field(e, "ip") != "127.0.0.1" || field(e, "user_agent") != "audit-client/2.0" || field(e, "request_id") != reqID {
			t.Errorf("entry %s: from %s %q %s", field(e, "seq"), field(e, "ip"), field(e, "user_agent"), field(e, "request_id"))
		}
		if strings.Contains(asString(e["changes"]), "not the password") || strings.Contains(asString(e["changes"]), "guess-1234") ||
			strings.Contains(asString(e["changes"]), adminPassword) {
			t.Errorf("a password is in the trail: %v", e["changes"])
		}
	}
	if field(wrong, "action") != "login_failed" || field(wrong, "record_id") != adminID || field(wrong, "user_name") != adminEmail ||
		field(wrong, "user_id") != "" || lookup(wrong, "changes.reason") == nil || field(wrong, "method") != "password" {
		t.Errorf("wrong password: %v", wrong)
	}
	if field(unknown, "action") != "login_failed" || field(unknown, "record_id") != "" || field(unknown, "user_name") != "nobody@example.com" ||
		asString(lookup(unknown, "changes.email")) != "nobody@example.com" {
		t.Errorf("unknown email: %v", unknown)
	}
	if field(ok, "action") != "login" || field(ok, "user_id") != adminID || field(ok, "record_id") != adminID || field(ok, "method") != "password" {
		t.Errorf("success: %v", ok)
	}
	// The session's own requests carry their request id into the entries they cause.
	c.post("accounts", map[string]any{"name": "Traced"}, hdr("X-Request-ID", "create-req-7")...).want(http.StatusCreated)
	if e := auditOf(c, "$filter="+url.QueryEscape("action eq 'create' and entity eq 'account'")); len(e) != 1 || field(e[0], "request_id") != "create-req-7" || field(e[0], "user_id") != adminID {
		t.Errorf("create entry: %v", e)
	}
}

func TestAuditQueryAPI(t *testing.T) {
	s := newServer(t)
	c := s.login()
	me := c.get("auth/me").want(http.StatusOK).str("user_id")
	acc := c.create("accounts", map[string]any{"name": "Contoso", "city": "Shanghai"})
	c.patch("accounts("+acc+")", map[string]any{"city": "Beijing"}).want(http.StatusNoContent, http.StatusOK)
	con := c.create("contacts", map[string]any{"last_name": "Li", "account_id": acc})

	q := func(filter string) string { return "$filter=" + url.QueryEscape(filter) }
	byRecord := auditOf(c, q("record_id eq "+acc))
	if len(byRecord) != 2 || field(byRecord[0], "action") != "create" || field(byRecord[1], "action") != "update" {
		t.Fatalf("by record: %v", byRecord)
	}
	if v := lookup(byRecord[1], "changes.city"); asString(lookup(v, "old")) != "Shanghai" || asString(lookup(v, "new")) != "Beijing" {
		t.Errorf("update changes: %v", byRecord[1]["changes"])
	}
	if got := auditOf(c, q("entity eq 'contact' and user_id eq "+me)); len(got) != 1 || field(got[0], "record_id") != con {
		t.Errorf("by entity and user: %v", got)
	}
	// By time: everything so far happened before a minute from now, nothing after.
	later := time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	all := auditOf(c, "")
	if got := auditOf(c, q("at lt "+later)); len(got) != len(all) || len(all) < 4 {
		t.Errorf("at lt now+1m: %d of %d", len(got), len(all))
	}
	if got := auditOf(c, q("at ge "+later)); len(got) != 0 {
		t.Errorf("at ge now+1m: %v", got)
	}
	// Server-driven paging with @odata.nextLink; $top and $orderby.
	paged := auditOf(c, "", hdr("Prefer", "odata.maxpagesize=2")...)
	if len(paged) != len(all) {
		t.Errorf("paging: %d entries, want %d", len(paged), len(all))
	}
	r := c.get("audit?$orderby=seq%20desc&$top=1&$select=seq,action").want(http.StatusOK)
	if v := r.values(); len(v) != 1 || field(v[0], "seq") != field(all[len(all)-1], "seq") || v[0]["hash"] != nil {
		t.Errorf("top/orderby/select: %s", r.raw)
	}
	c.get("audit?"+q("nope eq 1")).wantError(http.StatusBadRequest, "unknown_field", "$filter")

	// CSV export of the trail, itself audited.
	r = c.get("audit?$format=csv&" + q("record_id eq "+acc)).want(http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.raw), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "seq" {
		t.Fatalf("csv export: %v %q", err, r.raw)
	}
	// A records export is audited too.
	c.get("accounts?$format=csv").want(http.StatusOK)
	exports := auditOf(c, q("action eq 'export'"))
	if len(exports) != 2 || field(exports[0], "entity") != "audit" || field(exports[1], "entity") != "account" ||
		asString(lookup(exports[1], "changes.format")) != "csv" {
		t.Errorf("exports: %v", exports)
	}

	// Retention and verification.
	c.do("PUT", "audit/retention", map[string]any{"days": 90}).want(http.StatusOK)
	if r := c.get("audit/retention").want(http.StatusOK); r.str("days") != "90" {
		t.Errorf("retention: %s", r.raw)
	}
	c.do("PUT", "audit/retention", map[string]any{"days": -1}).wantError(http.StatusBadRequest, "invalid_value", "days")
	if r := c.get("audit/verify").want(http.StatusOK); r.str("ok") != "true" || r.str("head_seq") == "0" {
		t.Errorf("verify: %s", r.raw)
	}

	// Security configuration changes come through the security model's events: bootstrap gave
	// the administrator its role.
	roles := auditOf(c, q("action eq 'role_change' and entity eq 'security_role'"))
	assigned := false
	for _, e := range roles {
		if asString(lookup(e, "changes.change")) == "assign" && asString(lookup(e, "changes.principal_id")) == me {
			assigned = true
		}
	}
	if !assigned {
		t.Errorf("the administrator's role assignment is not in the trail: %v", roles)
	}

	// Only tenant administrators read the trail.
	tn, err := tenant.BySlug(context.Background(), s.app.Store, "default")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.CreateUser(context.Background(), tn.ID, "clerk@example.com", "Clerk", adminPassword); err != nil {
		t.Fatal(err)
	}
	clerk := s.anon()
	clerk.token = clerk.post("auth/login", map[string]any{"email": "clerk@example.com", "password": adminPassword}).want(http.StatusOK).str("token")
	clerk.get("audit").wantError(http.StatusForbidden, "forbidden", "-")
	clerk.do("PUT", "audit/retention", map[string]any{"days": 1}).wantError(http.StatusForbidden, "forbidden", "-")
}

func TestBatchChangeSetIsAuditedAtomically(t *testing.T) {
	s := newServer(t)
	c := s.login()
	before := len(auditOf(c, ""))
	// A change set that fails leaves no entry.
	batchResponses(t, c, []map[string]any{
		{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Rolled back"}, "atomicityGroup": "g1"},
		{"id": "2", "method": "POST", "url": "accounts", "body": map[string]any{"city": "no name"}, "atomicityGroup": "g1"},
	})
	if n := len(auditOf(c, "")); n != before {
		t.Fatalf("a failed change set left %d audit entries", n-before)
	}
	// One that succeeds leaves one entry per change, in order.
	res := batchResponses(t, c, []map[string]any{
		{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Batch Co"}, "atomicityGroup": "g1"},
		{"id": "2", "method": "PATCH", "url": "$1", "body": map[string]any{"city": "Nanjing"}, "atomicityGroup": "g1", "dependsOn": []string{"1"}},
	})
	id := asString(lookup(res["1"], "body.id"))
	got := auditOf(c, "$filter="+url.QueryEscape("record_id eq "+id))
	if len(got) != 2 || field(got[0], "action") != "create" || field(got[1], "action") != "update" {
		t.Fatalf("change set entries: %v", got)
	}
}
