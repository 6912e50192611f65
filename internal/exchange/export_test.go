package exchange_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// fixture is a database with n accounts (more than one export page) in one tenant.
func fixture(t *testing.T, n int) (context.Context, *records.Service) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := records.NewService(st, metadata.NewRegistry(m, st), records.Options{})
	tn, err := tenant.Create(ctx, st, "Export", "export", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx = principal.With(ctx, principal.System(tn.ID))
	rows := make([]records.Input, n)
	for i := range rows {
		rows[i] = records.Input{
			"name":           fmt.Sprintf("客户 %04d, \"Ltd\"", i),
			"account_number": fmt.Sprintf("A-%05d", i),
			"revenue":        json.Number(fmt.Sprintf("%d.25", i)),
			"employees":      json.Number(fmt.Sprint(i % 7)),
			"city":           []string{"上海", "Beijing", "Hangzhou"}[i%3],
		}
	}
	if _, bad, err := svc.CreateMany(ctx, "account", rows); err != nil || len(bad) > 0 {
		t.Fatalf("load: %v %v", err, bad)
	}
	return ctx, svc
}

func TestExportCSVStreamsEveryPage(t *testing.T) {
	n := exchange.PageSize + 150
	ctx, svc := fixture(t, n)
	var buf bytes.Buffer
	pages := 0
	got, err := exchange.Export(ctx, svc, "account", &query.Options{OrderBy: []query.OrderItem{{Path: query.Path{Segments: []string{"account_number"}}}}},
		exchange.CSV, &buf, func(int) { pages++ })
	if err != nil {
		t.Fatal(err)
	}
	if got != n || pages != 2 {
		t.Fatalf("exported %d in %d pages, want %d in 2", got, pages, n)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("CSV lacks the UTF-8 byte-order mark Excel needs")
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 {
		t.Fatalf("%d CSV rows, want header + %d", len(recs), n)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"id", "version", "name", "account_number", "revenue", "revenue_currency", "created_at"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("header lacks %s: %v", h, recs[0])
		}
	}
	seen := map[string]bool{}
	for i, r := range recs[1:] {
		if want := fmt.Sprintf("A-%05d", i); r[col["account_number"]] != want {
			t.Fatalf("row %d: account_number %q, want %q (order or page boundary broken)", i, r[col["account_number"]], want)
		}
		if want := fmt.Sprintf("客户 %04d, \"Ltd\"", i); r[col["name"]] != want {
			t.Fatalf("row %d: name %q, want %q", i, r[col["name"]], want)
		}
		if want := fmt.Sprintf("%d.2500", i); r[col["revenue"]] != want {
			t.Fatalf("row %d: revenue %q, want the exact decimal %q", i, r[col["revenue"]], want)
		}
		if seen[r[col["id"]]] {
			t.Fatalf("id %s exported twice", r[col["id"]])
		}
		seen[r[col["id"]]] = true
	}
}

func TestExportFilterSelectJSONL(t *testing.T) {
	ctx, svc := fixture(t, 30)
	f, _ := query.ParseFilter("city eq '上海'")
	sel, _ := query.ParseSelect("name,revenue")
	var buf bytes.Buffer
	n, err := exchange.Export(ctx, svc, "account", &query.Options{Filter: f, Select: sel}, exchange.JSONL, &buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if n != 10 || len(lines) != 10 {
		t.Fatalf("exported %d records in %d lines, want 10", n, len(lines))
	}
	for _, l := range lines {
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if len(m) != 5 || m["revenue_currency"] != "USD" || m["name"] == nil || m["id"] == nil || m["version"] == nil {
			t.Fatalf("line has %v, want id, version, name, revenue, revenue_currency", m)
		}
		if _, err := m["revenue"].(json.Number).Float64(); err != nil || !strings.HasSuffix(m["revenue"].(json.Number).String(), ".2500") {
			t.Fatalf("revenue %v is not an exact number", m["revenue"])
		}
	}
}

func TestExportXLSX(t *testing.T) {
	ctx, svc := fixture(t, 12)
	var buf bytes.Buffer
	sel, _ := query.ParseSelect("name,employees")
	ob, _ := query.ParseOrderBy("account_number desc")
	if _, err := exchange.Export(ctx, svc, "account", &query.Options{Select: sel, OrderBy: ob}, exchange.XLSX, &buf, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || strings.Join(rows[0], ",") != "id,version,name,employees" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if rows[1][2] != "客户 0011, \"Ltd\"" || rows[1][3] != "4" {
		t.Fatalf("first data row %v, want account 11 (ordered desc) with 4 employees", rows[1])
	}
}

func TestExportEmptyAndErrors(t *testing.T) {
	ctx, svc := fixture(t, 3)
	f, _ := query.ParseFilter("city eq 'Nowhere'")
	var buf bytes.Buffer
	n, err := exchange.Export(ctx, svc, "account", &query.Options{Filter: f}, exchange.CSV, &buf, nil)
	if err != nil || n != 0 {
		t.Fatalf("empty export: %d, %v", n, err)
	}
	if lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(buf.String(), "\ufeff")), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "id,version,") {
		t.Fatalf("an empty export should be the header only, got %q", buf.String())
	}
	bad, _ := query.ParseFilter("nope eq 1")
	if _, err := exchange.Export(ctx, svc, "account", &query.Options{Filter: bad}, exchange.CSV, &bytes.Buffer{}, nil); err == nil {
		t.Fatal("an unknown field in the filter must fail")
	}
	if _, err := exchange.ParseFormat("pdf"); err == nil {
		t.Fatal("pdf is not an export format yet")
	}
}
