package exchange_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// exportCSV exports every account of ctx's tenant, ordered by account number.
func exportCSV(t *testing.T, e *env, ctx context.Context) []byte {
	t.Helper()
	ob, _ := query.ParseOrderBy("account_number")
	var b bytes.Buffer
	if _, err := exchange.Export(ctx, e.svc, "account", &query.Options{OrderBy: ob}, exchange.CSV, &b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportExportRoundTrip: an export imports into a fresh tenant unchanged: ids, lookups
// between the exported records (a parent in the same batch), every type; exporting again
// gives the same columns except the server-set ones.
func TestImportExportRoundTrip(t *testing.T) {
	e := newEnv(t)
	var rows []records.Input
	for i := range 25 {
		rows = append(rows, records.Input{
			"name":           fmt.Sprintf("客户 %02d, \"Ltd\"", i),
			"account_number": fmt.Sprintf("R-%03d", i),
			"industry":       []string{"technology", "finance", "retail"}[i%3],
			"revenue":        json.Number(fmt.Sprintf("%d.125", i*1000)),
			"employees":      json.Number(fmt.Sprint(i)),
			"city":           []string{"上海", "Beijing", ""}[i%3],
			"email":          fmt.Sprintf("info%d@example.com", i),
			"website":        "https://example.com/" + fmt.Sprint(i),
			"customer_since": "2020-02-29",
			"description":    "line one\nline two, with \"quotes\"",
		})
		if i%5 == 0 {
			rows[i]["revenue_currency"] = "CNY"
		}
	}
	ids, bad, err := e.svc.CreateMany(e.ctx, "account", rows)
	if err != nil || len(bad) > 0 {
		t.Fatalf("load: %v %v", err, bad)
	}
	for i := 1; i < 25; i += 4 { // children point at the first account
		if _, err := e.svc.Update(e.ctx, "account", ids[i], records.Input{"parent_account_id": ids[0]}, ""); err != nil {
			t.Fatal(err)
		}
	}
	first := exportCSV(t, e, e.ctx)
	fresh, _ := e.newTenant("fresh")
	s, _ := e.runIn(fresh, exchange.Request{Entity: "accounts", Path: e.file("export.csv", first), BatchSize: 10})
	wantCounts(t, s, 25, 0, 0, 0)
	second := exportCSV(t, e, fresh)
	a, b := table(t, first), table(t, second)
	if len(a) != 26 || len(b) != 26 {
		t.Fatalf("%d and %d rows", len(a), len(b))
	}
	server := map[string]bool{"version": true, "created_at": true, "modified_at": true, "created_by": true, "modified_by": true}
	compared := 0
	for c, h := range a[0] {
		if server[h] {
			continue
		}
		if b[0][c] != h {
			t.Fatalf("column %d is %s, then %s", c, h, b[0][c])
		}
		for r := 1; r < len(a); r++ {
			if a[r][c] != b[r][c] {
				t.Fatalf("row %d %s: %q exported, %q after the round trip", r, h, a[r][c], b[r][c])
			}
		}
		compared++
	}
	if compared < 15 {
		t.Fatalf("compared only %d columns", compared)
	}
	// Importing the same export into the same tenant again finds every row already there.
	s, _ = e.runIn(fresh, exchange.Request{Entity: "accounts", Path: e.file("again.csv", first)})
	wantCounts(t, s, 0, 0, 0, 25)
	if rep := errorRows(t, s.ErrorFile); rep[0]["_code"] != "duplicate_existing; duplicate_existing" || rep[0]["_column"] != "id; account_number" {
		t.Fatalf("second import: %v", rep[0])
	}
	// With --upsert-key id it is a no-op: every row is unchanged.
	s, _ = e.runIn(fresh, exchange.Request{Entity: "accounts", Path: e.file("upsert.csv", first), UpsertKey: []string{"id"}})
	wantCounts(t, s, 0, 0, 25, 0)
}

func table(t *testing.T, b []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestImportFromOtherCRMs: a Salesforce-style export through a mapping file, and a Chinese
// Excel CSV in GBK with Chinese headers, import with a clear per-row error report.
func TestImportFromOtherCRMs(t *testing.T) {
	e := newEnv(t)
	mapping, err := exchange.ParseMapping([]byte(`
columns:
  Account Name: name
  Account Number: account_number
  Billing City: city
  Billing Country: country
  Industry: industry
  Annual Revenue: revenue
  Parent Account: parent_account_id
  Account ID: "-"
choices:
  industry:
    Banking: finance
    Consulting: other
`))
	if err != nil {
		t.Fatal(err)
	}
	sf := csvBytes(',',
		[]string{"Account ID", "Account Name", "Account Number", "Billing City", "Billing Country", "Industry", "Annual Revenue", "Parent Account", "Rating"},
		[]string{"001A", "United Oil & Gas", "CD355118", "Singapore", "Singapore", "Energy", "$5,600,000,000", "", "Hot"},
		[]string{"001B", "United Oil SG", "CD355119", "Singapore", "Singapore", "Banking", "", "United Oil & Gas", "Warm"},
		[]string{"001C", "Burlington Textiles", "CD656092", "Burlington", "USA", "Apparel", "350,000,000", "", "Warm"},
		[]string{"001D", "", "CD355120", "Paris", "France", "Consulting", "1e3", "", ""},
		[]string{"001E", "Grand Hotels", "CD439877", "Chicago", "USA", "Hospitality", "five", "Nobody Inc", ""},
	)
	s, _ := e.run(exchange.Request{Entity: "accounts", Path: e.file("salesforce.csv", sf), Mapping: mapping})
	wantCounts(t, s, 2, 0, 0, 3)
	if strings.Join(s.Warnings, "|") != "unmapped columns (ignored): Rating" {
		t.Fatalf("warnings %q", s.Warnings)
	}
	accts := e.by("account", "account_number")
	if p := accts["CD355119"]; p == nil || text(p.Get("parent_account_id")) != accts["CD355118"].ID() || text(p.Get("industry")) != "finance" {
		t.Fatalf("child account %v", p)
	}
	if r := text(accts["CD355118"].Get("revenue")); r != "5600000000.0000" {
		t.Fatalf("revenue %s", r)
	}
	report(t, s.ErrorFile, []string{
		"4 Industry invalid_choice", "5 Account Name required", "6 Annual Revenue; Parent Account invalid_type; lookup_not_found"})

	zh := [][]string{
		{"客户名称", "客户编号", "城市", "行业", "年收入", "员工数", "客户状态"},
		{"上海贸易有限公司", "SH-001", "上海", "零售", "1,200,000.00", "300", "活跃客户"},
		{"杭州科技", "HZ-001", "杭州", "科技", "", "-5", ""},
		{"", "GZ-001", "广州", "制造业", "", "", ""},
		{"北京金融", "BJ-001", "北京", "银行", "", "", ""},
	}
	s, _ = e.run(exchange.Request{Entity: "accounts", Path: e.file("客户.csv", gbk(t, csvBytes(',', zh...)))})
	wantCounts(t, s, 1, 0, 0, 3)
	if r := e.by("account", "account_number")["SH-001"]; r == nil || text(r.Get("name")) != "上海贸易有限公司" || text(r.Get("industry")) != "retail" {
		t.Fatalf("Chinese account %v", r)
	}
	rep := report(t, s.ErrorFile, []string{"3 员工数 out_of_range", "4 客户名称 required", "5 行业 invalid_choice"})
	if rep[1]["客户编号"] != "GZ-001" || !strings.Contains(rep[2]["_error"], "银行") {
		t.Fatalf("the error file must carry the original Chinese row: %v", rep)
	}
	raw, _ := os.ReadFile(s.ErrorFile)
	if !bytes.HasPrefix(raw, []byte("\ufeff客户名称,客户编号")) {
		t.Fatalf("the error file is not UTF-8 with the original header: %q", raw[:30])
	}
}

// report checks the "line column code" of each error row.
func report(t *testing.T, path string, want []string) []map[string]string {
	t.Helper()
	rep := errorRows(t, path)
	var got []string
	for _, r := range rep {
		got = append(got, r["_line"]+" "+r["_column"]+" "+r["_code"])
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("error rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return rep
}
