package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestWriteErrors sends invalid writes and checks the status, error code and target, and that
// nothing was written.
func TestWriteErrors(t *testing.T) {
	s := newServer(t)
	c := s.login()

	r := c.post("accounts", map[string]any{"name": "Existing", "account_number": "A-1"}).want(http.StatusCreated)
	id, staleETag := r.str("id"), r.str("@odata.etag")
	c.patch("accounts("+id+")", map[string]any{"city": "Suzhou"}).want(http.StatusNoContent)

	big := `{"name":"big","description":"` + strings.Repeat("x", 4<<20+10) + `"}`
	cases := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []header
		status  int
		code    string
		target  string
	}{
		{"unknown field", "POST", "accounts", map[string]any{"name": "x", "bogus": 1}, nil, 400, "unknown_field", "bogus"},
		{"navigation as field", "POST", "contacts", map[string]any{"last_name": "x", "account": "y"}, nil, 400, "unknown_field", "account"},
		{"read-only system field", "POST", "accounts", map[string]any{"name": "x", "version": 7}, nil, 400, "read_only_field", "version"},
		{"wrong type", "POST", "accounts", map[string]any{"name": "x", "employees": "many"}, nil, 400, "invalid_type", "employees"},
		{"fractional integer", "POST", "accounts", map[string]any{"name": "x", "employees": 1.5}, nil, 400, "invalid_type", "employees"},
		{"out of range", "POST", "accounts", map[string]any{"name": "x", "employees": -1}, nil, 400, "out_of_range", "employees"},
		{"missing required", "POST", "accounts", map[string]any{"city": "x"}, nil, 400, "required", "name"},
		{"required cleared", "PATCH", "accounts(" + id + ")", map[string]any{"name": nil}, nil, 400, "required", "name"},
		{"invalid choice", "POST", "accounts", map[string]any{"name": "x", "industry": "space"}, nil, 400, "invalid_choice", "industry"},
		{"invalid email", "POST", "accounts", map[string]any{"name": "x", "email": "not mail"}, nil, 400, "invalid_format", "email"},
		{"lookup to a missing record", "POST", "accounts", map[string]any{"name": "x", "primary_contact_id": "0190e5d2-0000-7000-8000-000000000001"}, nil, 400, "lookup_not_found", "primary_contact_id"},
		{"bind to a missing record", "POST", "contacts", map[string]any{"last_name": "x", "account_id@odata.bind": "accounts(0190e5d2-0000-7000-8000-000000000001)"}, nil, 400, "lookup_not_found", "account_id"},
		{"bind to the wrong set", "POST", "contacts", map[string]any{"last_name": "x", "account_id@odata.bind": "leads(0190e5d2-0000-7000-8000-000000000001)"}, nil, 400, "invalid_reference", "account_id@odata.bind"},
		{"too long", "POST", "accounts", map[string]any{"name": strings.Repeat("名", 161)}, nil, 400, "too_long", "name"},
		{"duplicate alternate key", "POST", "accounts", map[string]any{"name": "x", "account_number": "A-1"}, nil, 409, "duplicate_key", "account_number"},
		{"stale etag", "PATCH", "accounts(" + id + ")", map[string]any{"city": "x"}, hdr("If-Match", staleETag), 412, "etag_mismatch", "-"},
		{"payload too large", "POST", "accounts", big, nil, 413, "payload_too_large", "-"},
		{"invalid json", "POST", "accounts", `{"name": "x",`, nil, 400, "invalid_json", "-"},
		{"json array", "POST", "accounts", `[{"name": "x"}]`, nil, 400, "invalid_json", "-"},
		{"json null", "POST", "accounts", `null`, nil, 400, "invalid_json", "-"},
		{"empty body", "POST", "accounts", "", nil, 400, "invalid_json", "-"},
		{"two objects", "POST", "accounts", `{"name":"x"} {"name":"y"}`, nil, 400, "invalid_json", "-"},
		{"unknown entity set", "POST", "gadgets", map[string]any{"name": "x"}, nil, 404, "unknown_entity_set", "-"},
		{"read-only view", "POST", "activities", map[string]any{"subject": "x"}, nil, 400, "read_only_entity", "-"},
		{"method not allowed on set", "PUT", "accounts", map[string]any{"name": "x"}, nil, 405, "method_not_allowed", "-"},
		{"method not allowed on record", "POST", "accounts(" + id + ")", map[string]any{"name": "x"}, nil, 405, "method_not_allowed", "-"},
		{"method not allowed on count", "DELETE", "accounts/$count", nil, nil, 405, "method_not_allowed", "-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			before := c.count("accounts")
			beforeRec := c.get("accounts(" + id + ")").want(http.StatusOK)
			r := c.do(tc.method, tc.path, tc.body, tc.headers...)
			r.wantError(tc.status, tc.code, tc.target)
			if r.str("error.message") == "" {
				t.Errorf("no error message: %s", r.raw)
			}
			if tc.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
			if after := c.count("accounts"); after != before {
				t.Errorf("accounts: %d before, %d after a failed request", before, after)
			}
			if afterRec := c.get("accounts(" + id + ")").want(http.StatusOK); afterRec.header.Get("ETag") != beforeRec.header.Get("ETag") {
				t.Errorf("the existing account changed: ETag %s → %s", beforeRec.header.Get("ETag"), afterRec.header.Get("ETag"))
			}
		})
	}
	if n := c.count("contacts"); n != 0 {
		t.Errorf("%d contacts written by failed requests", n)
	}
}

// TestEveryFaultReported checks that a body with several faults reports each of them.
func TestEveryFaultReported(t *testing.T) {
	s := newServer(t)
	c := s.login()
	r := c.post("accounts", map[string]any{"bogus": 1, "industry": "space", "employees": "x"})
	r.wantError(http.StatusBadRequest, "unknown_field", "bogus")
	details, _ := r.at("error.details").([]any)
	var got []string
	for _, d := range details {
		got = append(got, asString(lookup(d, "target"))+":"+asString(lookup(d, "code")))
	}
	want := "bogus:unknown_field employees:invalid_type industry:invalid_choice name:required"
	if strings.Join(got, " ") != want {
		t.Errorf("details = %v, want %s", got, want)
	}
}

// TestQueryErrors checks that malformed query options are 400 with the option as target.
func TestQueryErrors(t *testing.T) {
	s := newServer(t)
	c := s.login()
	c.create("accounts", map[string]any{"name": "One"})
	cases := []struct {
		name   string
		path   string
		status int
		code   string
		target string
		msg    string // the message contains this
	}{
		{"filter syntax", "accounts?$filter=name%20eq", 400, "invalid_filter", "$filter", "position"},
		{"filter unbalanced", "accounts?$filter=(name%20eq%20'x'", 400, "invalid_filter", "$filter", "position"},
		{"filter unknown field", "accounts?$filter=bogus%20eq%201", 400, "unknown_field", "$filter", "bogus"},
		{"filter unknown nav field", "accounts?$filter=primary_contact_id/bogus%20eq%201", 400, "unknown_field", "$filter", "bogus"},
		{"orderby unknown field", "accounts?$orderby=bogus", 400, "unknown_field", "$orderby", "bogus"},
		{"select unknown field", "accounts?$select=bogus", 400, "unknown_field", "$select", "bogus"},
		{"expand unknown nav", "accounts?$expand=bogus", 400, "invalid_expand", "$expand", "bogus"},
		{"top not a number", "accounts?$top=x", 400, "invalid_query", "$top", "position"},
		{"unknown option", "accounts?$frobnicate=1", 400, "invalid_query", "$frobnicate", ""},
		{"option twice", "accounts?$top=1&$top=2", 400, "invalid_query", "$top", ""},
		{"bad skiptoken", "accounts?$skiptoken=garbage", 400, "invalid_skiptoken", "$skiptoken", ""},
		{"bad deltatoken", "accounts?$deltatoken=x", 400, "invalid_deltatoken", "$deltatoken", ""},
		{"xml format", "accounts?$format=xml", 400, "unsupported_format", "$format", ""},
		{"count with apply", "accounts/$count?$apply=aggregate($count%20as%20n)", 400, "invalid_query", "-", ""},
		{"bad path", "accounts(x)/contacts/extra", 404, "invalid_path", "-", ""},
		{"unknown navigation", "accounts(0190e5d2-0000-7000-8000-000000000001)/bogus", 404, "unknown_navigation", "-", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			r := c.get(tc.path).wantError(tc.status, tc.code, tc.target)
			if !strings.Contains(r.str("error.message"), tc.msg) {
				t.Errorf("message %q does not contain %q", r.str("error.message"), tc.msg)
			}
		})
	}
}
