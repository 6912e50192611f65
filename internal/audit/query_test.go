package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
)

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", `{"name":"A"}`) // seq 1, day 0
	e.clock.Advance(24 * time.Hour)
	con := e.create("contact", `{"last_name":"Li"}`) // seq 2, day 1
	// Another user of the tenant, another day.
	e.clock.Advance(24 * time.Hour)
	bob := uuid.NewString()
	bobCtx := principal.WithOrigin(principal.With(context.Background(), principal.Principal{TenantID: e.tenant, UserID: bob, Name: "Bob", Method: "apikey"}), origin)
	if _, err := e.svc.Update(bobCtx, "account", a.ID(), body(t, `{"city":"Xi'an"}`), ""); err != nil { // seq 3, day 2
		t.Fatal(err)
	}
	if err := e.aud.Event(bobCtx, audit.Event{Action: audit.ActionRoleChange, Entity: "security_role", RecordID: strings.ToUpper(a.ID())}); err != nil { // seq 4
		t.Fatal(err)
	}
	// Another tenant's entries never show.
	other, _, _ := e.newTenant("other")
	if _, err := e.svc.Create(other, "account", body(t, `{"name":"Elsewhere"}`)); err != nil {
		t.Fatal(err)
	}

	seqs := func(es []*audit.Entry) []int64 {
		out := []int64{}
		for _, en := range es {
			out = append(out, en.Seq)
		}
		return out
	}
	cases := []struct {
		query string
		want  []int64
	}{
		{"", []int64{1, 2, 3, 4}},
		{"$filter=record_id eq " + a.ID(), []int64{1, 3, 4}}, // the event's upper-case id was stored canonically
		{"$filter=record_id eq " + con.ID(), []int64{2}},
		{"$filter=user_id eq " + bob, []int64{3, 4}},
		{"$filter=user_id eq " + e.user + " and entity eq 'account'", []int64{1}},
		{"$filter=entity eq 'account' or entity eq 'contact'", []int64{1, 2, 3}},
		{"$filter=action eq 'update'", []int64{3}},
		{"$filter=at ge 2030-01-03T00:00:00Z and at lt 2030-01-04T00:00:00Z", []int64{2}},
		{"$filter=at ge 2030-01-04T00:00:00Z", []int64{3, 4}},
		{"$filter=method eq 'apikey' and not (action eq 'update')", []int64{4}},
		{"$orderby=seq desc&$top=2", []int64{4, 3}},
		{"$orderby=at desc,seq", []int64{3, 4, 2, 1}},
	}
	for _, tc := range cases {
		if got := seqs(e.list(tc.query)); !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	// Paging follows the keyset, one entry per page.
	if got := seqs(e.listIn(e.ctx, "$filter=seq ge 2", 1)); !equal(got, []int64{2, 3, 4}) {
		t.Errorf("paged: %v", got)
	}
	// $select narrows the fields; $count counts.
	p, err := e.aud.List(e.ctx, opts(t, "$select=action,record_id&$count=true&$filter=entity eq 'account'"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Fields, ",") != "id,action,record_id" || p.Count == nil || *p.Count != 2 {
		t.Errorf("select/count: fields %v count %v", p.Fields, p.Count)
	}
	b, _ := p.Entries[0].MarshalFields(p.Fields)
	if string(b) != `{"id":"`+p.Entries[0].ID+`","action":"create","record_id":"`+a.ID()+`"}` {
		t.Errorf("selected entry %s", b)
	}
	// Errors are the query compiler's.
	for q, code := range map[string]string{
		"$filter=nope eq 1":             "unknown_field",
		"$filter=record_id eq 'x'":      "invalid_filter",
		"$expand=record":                "invalid_query",
		"$filter=user/full_name eq 'x'": "unknown_field",
	} {
		o, perr := query.ParseOptions(q)
		if perr == nil {
			_, perr = e.aud.List(e.ctx, o, 0)
		}
		if fe, ok := fault.As(perr); !ok || fe.Code != code {
			t.Errorf("%s: %v, want %s", q, perr, code)
		}
	}
	// Only administrators read the trail.
	user := principal.With(context.Background(), principal.Principal{TenantID: e.tenant, UserID: bob})
	if _, err := e.aud.List(user, opts(t, ""), 0); !fault.Is(err, fault.Permission) {
		t.Errorf("a non-administrator read the trail: %v", err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	e.chain(5)
	var buf bytes.Buffer
	n, err := e.aud.Export(e.ctx, opts(t, "$filter=seq le 3&$select=seq,action,changes"), "csv", &buf)
	if err != nil || n != 3 {
		t.Fatalf("csv export: %d %v", n, err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "seq,id,action,changes" || rows[3][0] != "3" || !strings.Contains(rows[1][3], `"name":"Account 0"`) {
		t.Fatalf("csv: %q", rows)
	}
	buf.Reset()
	if n, err = e.aud.Export(e.ctx, opts(t, ""), "jsonl", &buf); err != nil || n != 5 {
		t.Fatalf("jsonl export: %d %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[4]), &last); err != nil || last["seq"] != 5.0 || last["hash"] == "" {
		t.Fatalf("jsonl: %s %v", lines[4], err)
	}
	if _, err := e.aud.Export(e.ctx, opts(t, ""), "xlsx", &buf); !fault.Is(err, fault.Invalid) {
		t.Fatalf("xlsx: %v", err)
	}
}

// TestExportNeutralisesFormulas: a value of the trail that a spreadsheet would run as a formula
// (a user's name as signed in, say) is exported to CSV with a leading quote, as the records'
// exports are; numbers stay numbers.
func TestExportNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"=cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "+86 21 5555"} {
		if err := e.aud.Event(e.ctx, audit.Event{Action: audit.ActionLogin, Entity: "user", UserName: name, Method: "password"}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := e.aud.Export(e.ctx, opts(t, "$select=seq,user_name&$orderby=seq"), "csv", &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[len(r)-1])
		if r[0] == "" || strings.HasPrefix(r[0], "'") {
			t.Errorf("seq %q: a number is written as it is", r[0])
		}
	}
	want := []string{"'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'-2+3", "'+86 21 5555"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Fatalf("exported names %q, want %q", names, want)
	}
}
