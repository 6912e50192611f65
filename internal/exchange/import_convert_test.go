package exchange_test

import (
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
)

// TestImportConversions: each cell format the importer reads, per attribute type, and the
// fault for a cell it cannot read.
func TestImportConversions(t *testing.T) {
	cases := []struct {
		entity, attr, cell string
		want               string // stored value as text, or "!code" for the row's fault
	}{
		{"account", "customer_since", "2024-05-01", "2024-05-01"},
		{"account", "customer_since", "2024/5/1", "2024-05-01"},
		{"account", "customer_since", "2024/05/01", "2024-05-01"},
		{"account", "customer_since", "2024年5月1日", "2024-05-01"},
		{"account", "customer_since", "45413", "2024-05-01"}, // an Excel serial day
		{"account", "customer_since", "01/05/2024", "!invalid_type"},
		{"account", "customer_since", "2024-02-30", "!invalid_type"},
		{"task", "due_at", "2024-05-01T09:30:00Z", "2024-05-01T09:30:00Z"},
		{"task", "due_at", "2024-05-01T09:30:00+08:00", "2024-05-01T01:30:00Z"},
		{"task", "due_at", "2024-05-01 09:30", "2024-05-01T09:30:00Z"},
		{"task", "due_at", "2024-05-01 09:30:15", "2024-05-01T09:30:15Z"},
		{"task", "due_at", "2024/5/1 9:30", "2024-05-01T09:30:00Z"},
		{"task", "due_at", "45413.5", "2024-05-01T12:00:00Z"},
		{"task", "due_at", "tomorrow", "!invalid_type"},
		{"account", "revenue", "1,234,567.89", "1234567.8900"},
		{"account", "revenue", "¥1,000", "1000.0000"},
		{"account", "revenue", "CNY 88.5", "88.5000"},
		{"account", "revenue", "1,5", "!invalid_type"},
		{"account", "revenue", "1.23456", "!invalid_type"},
		{"account", "revenue", "1234.5000000000002", "1234.5000"}, // spreadsheet float noise
		{"account", "employees", "1,200", "1200"},
		{"account", "employees", "12.0", "12"},
		{"account", "employees", "12.5", "!invalid_type"},
		{"account", "employees", "-1", "!out_of_range"},
		{"account", "industry", "technology", "technology"},
		{"account", "industry", "TECHNOLOGY", "technology"},
		{"account", "industry", "financial services", "finance"},
		{"account", "industry", "医疗健康", "healthcare"},
		{"account", "industry", "Aerospace", "!invalid_choice"},
		{"contact", "do_not_email", "是", "true"},
		{"contact", "do_not_email", "否", "false"},
		{"contact", "do_not_email", "YES", "true"},
		{"contact", "do_not_email", "0", "false"},
		{"contact", "do_not_email", "perhaps", "!invalid_type"},
		{"account", "website", "example.com", "!invalid_format"},
		{"account", "name", "  Trimmed  ", "Trimmed"},
		{"account", "description", "  kept as written\nline 2 ", "  kept as written\nline 2 "},
		{"account", "owner_id", "00000000-0000-7000-8000-000000000001", "!lookup_not_found"},
	}
	e := newEnv(t)
	required := map[string]string{"account": "name", "contact": "last_name", "task": "subject"}
	for _, entity := range []string{"account", "contact", "task"} {
		rows := [][]string{}
		var want []string
		for _, tc := range cases {
			if tc.entity != entity {
				continue
			}
			rows = append(rows, []string{tc.attr, tc.cell})
			want = append(want, tc.want)
		}
		// One file per entity: a row per case, with the case's attribute in its own column.
		header := []string{required[entity], "key"}
		cols := map[string]int{}
		for _, r := range rows {
			if _, ok := cols[r[0]]; !ok && r[0] != required[entity] {
				cols[r[0]] = len(header)
				header = append(header, r[0])
			}
		}
		file := [][]string{header}
		for i, r := range rows {
			line := make([]string, len(header))
			line[0], line[1] = "Row "+strings.Repeat("x", i%2), "k"+string(rune('a'+i))
			if r[0] == required[entity] {
				line[0] = r[1]
			} else {
				line[cols[r[0]]] = r[1]
			}
			file = append(file, line)
		}
		keyAttr := map[string]string{"account": "account_number", "contact": "job_title", "task": "description"}[entity]
		mp := &exchange.Mapping{Columns: map[string]string{"key": keyAttr}}
		s, _ := e.run(exchange.Request{Entity: entity, Path: e.file(entity+".csv", csvBytes(',', file...)), Mapping: mp})
		failed := map[string]string{}
		if s.ErrorFile != "" {
			for _, r := range errorRows(t, s.ErrorFile) {
				failed[r["key"]] = r["_code"]
			}
		}
		got := e.by(entity, keyAttr)
		for i, r := range rows {
			key := "k" + string(rune('a'+i))
			if strings.HasPrefix(want[i], "!") {
				if failed[key] != want[i][1:] {
					t.Errorf("%s.%s %q: fault %q, want %s", entity, r[0], r[1], failed[key], want[i][1:])
				}
				continue
			}
			rec := got[key]
			if rec == nil {
				t.Errorf("%s.%s %q: not imported (%s)", entity, r[0], r[1], failed[key])
				continue
			}
			if v := text(rec.Get(r[0])); v != want[i] {
				t.Errorf("%s.%s %q: stored %q, want %q", entity, r[0], r[1], v, want[i])
			}
		}
	}
}

// TestImportSelfReferences: rows naming other rows of the same batch (by key, name or id, in
// any order) are created after them; a row naming itself or a cycle fails.
func TestImportSelfReferences(t *testing.T) {
	e := newEnv(t)
	rows := [][]string{
		{"id", "name", "account_number", "parent_account_id"},
		{"", "Grandchild", "G-3", "G-2"},
		{"", "Child", "G-2", "Root Holding"},
		{"01900000-0000-7000-8000-00000000000a", "Root Holding", "G-1", ""},
		{"", "Sibling", "G-4", "01900000-0000-7000-8000-00000000000a"},
		{"", "Narcissus", "N-1", "N-1"},
		{"", "Ping", "C-1", "C-2"},
		{"", "Pong", "C-2", "C-1"},
	}
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("tree.csv", csvBytes(',', rows...))})
	wantCounts(t, s, 4, 0, 0, 3)
	got := e.by("account", "account_number")
	for child, parent := range map[string]string{"G-3": "G-2", "G-2": "G-1", "G-4": "G-1"} {
		if text(got[child].Get("parent_account_id")) != got[parent].ID() {
			t.Fatalf("%s's parent is not %s", child, parent)
		}
	}
	report(t, s.ErrorFile, []string{"6 parent_account_id lookup_not_found", "7 parent_account_id lookup_not_found", "8 parent_account_id lookup_not_found"})
}
