package exchange_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// TestImportHeaderMapping: headers match attributes by logical name, case-insensitively, by
// English or Chinese display name, or through a mapping file; unmapped and system columns are
// warnings, not errors.
func TestImportHeaderMapping(t *testing.T) {
	mapping := []byte(`
columns:
  "Account Name": name
  "Billing City": city
  "Type": industry
  "Legacy ID": "-"
defaults:
  country: China
  employees: 5
choices:
  industry:
    "Hi-Tech": technology
    "Bank": finance
`)
	cases := []struct {
		name     string
		header   []string
		mapping  []byte
		warnings []string
	}{
		{"logical names", []string{"name", "city", "industry"}, nil, nil},
		{"case-insensitive names", []string{"NAME", "City", "Industry"}, nil, nil},
		{"english display names", []string{"Account name", "city", "INDUSTRY"}, nil, nil},
		{"chinese display names", []string{"客户名称*", "城市", "行业"}, nil, nil},
		{"mapping file", []string{"Account Name", "Billing City", "Type", "Legacy ID", "Fax"}, mapping, []string{"unmapped columns (ignored): Fax"}},
		{"system columns", []string{"id", "version", "name", "created_at", "city", "industry", "", "Comments"}, nil,
			[]string{"column 7 has no header and is ignored", "unmapped columns (ignored): Comments", "system columns set by the server (ignored): version, created_at"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			industry := "Technology"
			if tc.mapping != nil {
				industry = "hi-tech"
			}
			row := []string{"Acme", "上海", industry}
			if tc.name == "system columns" {
				row = []string{"", "7", "Acme", "2020-01-01", "上海", industry, "x", "y"}
			}
			req := exchange.Request{Entity: "account", Path: e.file("m.csv", csvBytes(',', tc.header, row))}
			if tc.mapping != nil {
				m, err := exchange.ParseMapping(tc.mapping)
				if err != nil {
					t.Fatal(err)
				}
				req.Mapping = m
			}
			s, _ := e.run(req)
			wantCounts(t, s, 1, 0, 0, 0)
			if strings.Join(s.Warnings, "|") != strings.Join(tc.warnings, "|") {
				t.Fatalf("warnings %q, want %q", s.Warnings, tc.warnings)
			}
			r := e.by("account", "name")["Acme"]
			if r == nil || text(r.Get("city")) != "上海" || text(r.Get("industry")) != "technology" || text(r.Get("version")) == "7" {
				t.Fatalf("record %v", r.Map())
			}
			if tc.mapping != nil && (text(r.Get("country")) != "China" || text(r.Get("employees")) != "5") {
				t.Fatalf("defaults not applied: %v", r.Map())
			}
		})
	}
}

// TestImportSetupErrors: problems that would fail every row stop the import before it starts.
func TestImportSetupErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, file string
		content    []byte
		req        exchange.Request
		code       string
	}{
		{"unknown entity", "a.csv", []byte("name\nx\n"), exchange.Request{Entity: "widgets"}, "unknown_entity"},
		{"read-only entity", "a.csv", []byte("subject\nx\n"), exchange.Request{Entity: "activities"}, "read_only_entity"},
		{"no matching column", "a.csv", []byte("foo,bar\n1,2\n"), exchange.Request{Entity: "accounts"}, "no_columns"},
		{"required column missing", "a.csv", []byte("city\nx\n"), exchange.Request{Entity: "accounts"}, "missing_column"},
		{"empty file", "a.csv", []byte("\n\n"), exchange.Request{Entity: "accounts"}, "empty_file"},
		{"old excel", "a.xls", []byte("\xD0\xCF\x11\xE0rest"), exchange.Request{Entity: "accounts"}, "unsupported_format"},
		{"bad upsert key", "a.csv", []byte("name,city\nx,y\n"), exchange.Request{Entity: "accounts", UpsertKey: []string{"city"}}, "invalid_key"},
		{"upsert key not in file", "a.csv", []byte("name,city\nx,y\n"), exchange.Request{Entity: "accounts", UpsertKey: []string{"account_number"}}, "missing_column"},
		{"bad mapping target", "a.csv", []byte("Nom\nx\n"), exchange.Request{Entity: "accounts", Mapping: &exchange.Mapping{Columns: map[string]string{"Nom": "nom"}}}, "invalid_mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Path = e.file(tc.file, tc.content)
			tc.req.Source = exchange.SourceCLI
			_, _, err := e.im.Start(e.ctx, tc.req)
			if fault.CodeOf(err) != tc.code {
				t.Fatalf("error %v (code %q), want %s", err, fault.CodeOf(err), tc.code)
			}
		})
	}
	if _, err := exchange.ParseMapping([]byte("colums:\n  a: b\n")); fault.CodeOf(err) != "invalid_mapping" {
		t.Fatalf("a misspelt section is accepted: %v", err)
	}
	if _, _, err := e.im.Start(context.Background(), exchange.Request{Entity: "accounts", Path: e.file("x.csv", []byte("name\nx\n"))}); fault.CodeOf(err) != "unauthenticated" {
		t.Fatalf("import without a principal: %v", err)
	}
}

// TestImportBadRows: every kind of bad row goes to the error file with its line, column and
// reason while the good rows are created.
func TestImportBadRows(t *testing.T) {
	e := newEnv(t)
	e.run(exchange.Request{Entity: "account", Path: e.file("a.csv", csvBytes(',', []string{"name", "account_number"},
		[]string{"Acme", "A-1"}, []string{"Twin", "T-1"}, []string{"Twin", "T-2"}))})
	long := strings.Repeat("长", 161)
	rows := [][]string{
		{"Last name", "Email", "Account", "Preferred language", "Do not email", "City"},
		{"Li", "li@example.com", "A-1", "中文", "是", "上海"},                   // good: lookup by key, choice by ZH label, 是
		{"Wang", "not-an-email", "Acme", "English", "no", "北京"},            // invalid_format
		{"Zhao", "", "Nobody Ltd", "", "", ""},                             // lookup_not_found
		{"Sun", "", "Twin", "", "", ""},                                    // ambiguous_lookup
		{"Zhou", "", "", "Klingon", "", ""},                                // invalid_choice
		{"Wu", "", "", "", "maybe", ""},                                    // invalid_type
		{long[:0] + strings.Repeat("x", 81), "", "", "", "", ""},           // too_long
		{"", "", "", "", "", "杭州"},                                         // required
		{"", "", "", "", "", ""},                                           // empty: skipped
		{"Qian", "bad", "", "Klingon", "", ""},                             // two faults on one row
		{"Zheng", "z@example.com", "", "en", "0", strings.Repeat("城", 81)}, // too_long (city)
		{"Feng", "f@example.com", "acme", "EN", "Yes", ""},                 // lookup by name is exact: not found
	}
	s, j := e.run(exchange.Request{Entity: "contacts", Path: e.file("c.csv", csvBytes(',', rows...))})
	wantCounts(t, s, 1, 0, 1, 10)
	if s.Total != 12 || j.ID == "" {
		t.Fatalf("total %d", s.Total)
	}
	li := e.by("contact", "last_name")["Li"]
	if li == nil || text(li.Get("preferred_language")) != "zh" || li.Get("do_not_email") != true ||
		text(li.Get("account_id")) != e.by("account", "account_number")["A-1"].ID() {
		t.Fatalf("good row: %v", li)
	}
	rep := errorRows(t, s.ErrorFile)
	want := []struct{ line, column, code string }{
		{"3", "Email", "invalid_format"},
		{"4", "Account", "lookup_not_found"},
		{"5", "Account", "ambiguous_lookup"},
		{"6", "Preferred language", "invalid_choice"},
		{"7", "Do not email", "invalid_type"},
		{"8", "Last name", "too_long"},
		{"9", "Last name", "required"},
		{"11", "Email; Preferred language", "invalid_format; invalid_choice"},
		{"12", "City", "too_long"},
		{"13", "Account", "lookup_not_found"},
	}
	if len(rep) != len(want) {
		t.Fatalf("%d error rows, want %d: %v", len(rep), len(want), rep)
	}
	for i, w := range want {
		r := rep[i]
		if r["_line"] != w.line || r["_column"] != w.column || r["_code"] != w.code || r["_error"] == "" {
			t.Fatalf("error row %d = %v, want %v", i, r, w)
		}
		if r["Last name"] != rows[mustAtoi(w.line)-1][0] {
			t.Fatalf("error row %d does not carry the original row: %v", i, r)
		}
	}
	if !strings.Contains(rep[3]["_error"], "technology") && !strings.Contains(rep[3]["_error"], "en, zh") {
		t.Fatalf("invalid_choice should list the options: %q", rep[3]["_error"])
	}
	// The corrected error file imports as it is: the error columns are ignored.
	raw, _ := os.ReadFile(s.ErrorFile)
	fixed := strings.NewReplacer("not-an-email", "wang@example.com", "Nobody Ltd", "Acme").Replace(string(raw))
	s2, _ := e.run(exchange.Request{Entity: "contacts", Path: e.file("fixed.csv", []byte(fixed))})
	if s2.Created != 2 || len(s2.Warnings) != 0 {
		t.Fatalf("re-import of the corrected error file: %+v", s2)
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestImportDuplicates: a key repeated in the file fails its later rows, pointing at the first;
// a key another record has fails the row without stopping the batch.
func TestImportDuplicates(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Create(e.ctx, "account", records.Input{"name": "Old", "account_number": "X-9"}); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"name", "account_number"},
		{"One", "X-1"},
		{"Two", "X-2"},
		{"One again", " X-1 "},
		{"Old again", "X-9"},
		{"Three", "X-3"},
		{"One thrice", "X-1"},
	}
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("d.csv", csvBytes(',', rows...)), BatchSize: 2})
	wantCounts(t, s, 3, 0, 0, 3)
	rep := errorRows(t, s.ErrorFile)
	got := []string{}
	for _, r := range rep {
		got = append(got, r["_line"]+" "+r["_code"]+" "+r["_column"]+" "+r["_error"])
	}
	want := []string{
		"4 duplicate_in_file account_number line 2 has the same account_number",
		"5 duplicate_existing account_number",
		"7 duplicate_in_file account_number line 2 has the same account_number",
	}
	for i := range want {
		if i >= len(got) || !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("error rows %q, want %q", got, want)
		}
	}
	if n := len(e.all(e.ctx, "account", nil)); n != 4 {
		t.Fatalf("%d accounts, want 4", n)
	}
}

// TestImportIntoAnEmptyTenantMeetsANewRecord: an import into a tenant without accounts does not
// look the rows' keys up among existing records before each batch; when a record with one of
// its keys appears meanwhile, the batch that meets it is written again with the look-ups (which
// stay on), and only that row fails, as duplicate_existing.
func TestImportIntoAnEmptyTenantMeetsANewRecord(t *testing.T) {
	e := newEnv(t)
	rows := [][]string{{"name", "account_number"}, {"One", "E-1"}, {"Two", "E-2"}, {"Three", "E-3"}, {"Four", "E-4"},
		{"Five", "E-5"}, {"Six", "E-6"}, {"Seven", "E-7"}}
	undo := exchange.SetTestHook(func(stage string, j *exchange.Job) error {
		var err error
		switch {
		case stage == "committed" && j.RowsDone == 2: // before the batch of E-3
			_, err = e.svc.Create(e.ctx, "account", records.Input{"name": "Meanwhile", "account_number": "E-4"})
		case stage == "committed" && j.RowsDone == 4: // before the batch of E-5 and E-6
			_, err = e.svc.Create(e.ctx, "account", records.Input{"name": "Meanwhile too", "account_number": "E-6"})
		}
		return err
	})
	defer undo()
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("d.csv", csvBytes(',', rows...)), BatchSize: 2})
	wantCounts(t, s, 5, 0, 0, 2)
	var got []string
	for _, r := range errorRows(t, s.ErrorFile) {
		got = append(got, r["_line"]+" "+r["_code"]+" "+r["_column"])
	}
	if want := []string{"5 duplicate_existing account_number", "7 duplicate_existing account_number"}; !slices.Equal(got, want) {
		t.Fatalf("error rows %q, want %q", got, want)
	}
	if n := len(e.all(e.ctx, "account", nil)); n != 7 {
		t.Fatalf("%d accounts, want 7", n)
	}
}

// TestImportUpsert: with an upsert key, rows update the record with their key, create the
// others, skip unchanged ones, and leave values of empty cells as they were.
func TestImportUpsert(t *testing.T) {
	e := newEnv(t)
	first := [][]string{{"name", "account_number", "city", "employees"}, {"Acme", "A-1", "Shanghai", "10"}, {"Beta", "A-2", "Beijing", "20"}}
	e.run(exchange.Request{Entity: "account", Path: e.file("1.csv", csvBytes(',', first...))})
	before := e.by("account", "account_number")
	second := [][]string{
		{"Account name", "Account number", "City", "Employees"},
		{"Acme Corp", "A-1", "", "11"},   // updated; the empty city stays Shanghai
		{"Beta", "A-2", "Beijing", "20"}, // unchanged: skipped
		{"Gamma", "A-3", "Hangzhou", ""}, // created
		{"Nokey", "", "Xi'an", ""},       // the key is empty
		{"Acme Dup", "A-1", "", ""},      // the same key twice
	}
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("2.csv", csvBytes(',', second...)), UpsertKey: []string{"account_number"}})
	wantCounts(t, s, 1, 1, 1, 2)
	after := e.by("account", "account_number")
	a1 := after["A-1"]
	if a1.ID() != before["A-1"].ID() || text(a1.Get("name")) != "Acme Corp" || text(a1.Get("city")) != "Shanghai" || text(a1.Get("employees")) != "11" {
		t.Fatalf("A-1 after upsert: %v", a1.Map())
	}
	if after["A-2"].Version() != before["A-2"].Version() {
		t.Fatal("an unchanged row was written")
	}
	if after["A-3"] == nil || len(after) != 3 {
		t.Fatalf("accounts after upsert: %d", len(after))
	}
	rep := errorRows(t, s.ErrorFile)
	if len(rep) != 2 || rep[0]["_code"] != "missing_key" || rep[1]["_code"] != "duplicate_in_file" {
		t.Fatalf("errors %v", rep)
	}
	// Upsert by id: an exported file edited and imported again; rows without an id are new.
	third := [][]string{{"id", "name", "city"}, {a1.ID(), "Acme Holding", "Suzhou"}, {"", "Delta", "Wuxi"}}
	s, _ = e.run(exchange.Request{Entity: "account", Path: e.file("3.csv", csvBytes(',', third...)), UpsertKey: []string{"id"}})
	wantCounts(t, s, 1, 1, 0, 0)
	if r := e.by("account", "name")["Acme Holding"]; r == nil || r.ID() != a1.ID() || text(r.Get("city")) != "Suzhou" {
		t.Fatalf("upsert by id: %v", r)
	}
}

// TestImportDryRun validates every row (through the records service) and writes the error
// file, but keeps no record.
func TestImportDryRun(t *testing.T) {
	e := newEnv(t)
	rows := [][]string{{"name", "account_number", "industry"}, {"Acme", "A-1", "Technology"}, {"", "A-2", ""}, {"Beta", "A-3", "Spaceflight"}}
	s, j := e.run(exchange.Request{Entity: "account", Path: e.file("dry.csv", csvBytes(',', rows...)), DryRun: true, BatchSize: 1})
	wantCounts(t, s, 1, 0, 0, 2)
	if !s.DryRun || len(e.all(e.ctx, "account", nil)) != 0 {
		t.Fatal("a dry run kept records")
	}
	if rep := errorRows(t, s.ErrorFile); len(rep) != 2 || rep[0]["_code"] != "required" || rep[1]["_code"] != "invalid_choice" {
		t.Fatalf("dry run errors %v", rep)
	}
	got, err := e.im.Job(e.ctx, j.ID)
	if err != nil || got.Status != exchange.StatusDone || got.RowsDone != 3 || !got.Options.DryRun {
		t.Fatalf("dry-run job %+v %v", got, err)
	}
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"dry_run":true`) {
		t.Fatalf("job json %s", b)
	}
}

// TestImportFallsBackRowByRow: when the database refuses a batch for a conflict the pre-checks
// cannot see (an upsert giving a record another's key), the batch is written again row by row
// and only the guilty rows fail.
func TestImportFallsBackRowByRow(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.Create(e.ctx, "account", records.Input{"name": "A", "account_number": "A-1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Create(e.ctx, "account", records.Input{"name": "B", "account_number": "A-2"})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"id", "name", "account_number"},
		{a.ID(), "A", "A-2"},      // takes B's number
		{"", "New", "A-1"},        // a new record with A's number
		{"", "Fresh", "A-3"},      // fine
		{b.ID(), "B renamed", ""}, // fine
	}
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("f.csv", csvBytes(',', rows...)), UpsertKey: []string{"id"}})
	wantCounts(t, s, 1, 1, 0, 2)
	report(t, s.ErrorFile, []string{"2 account_number duplicate_key", "3 account_number duplicate_key"})
	got := e.by("account", "account_number")
	if len(got) != 3 || text(got["A-2"].Get("name")) != "B renamed" || got["A-3"] == nil || got["A-1"].ID() != a.ID() {
		t.Fatalf("accounts after the fallback: %v", got)
	}
}
