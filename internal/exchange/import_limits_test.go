package exchange_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/exchange/exchangetest"
	"github.com/meridian-crm/meridian/internal/fault"
)

// bombFile writes a bomb expanding to n bytes (many-parts: n parts) into the test's directory.
func (e *env) bombFile(b exchangetest.Bomb, n int64) string {
	e.t.Helper()
	p := filepath.Join(e.dir, b.Name+b.Ext)
	f, err := os.Create(p)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if err := b.Write(f, []string{"name", "city"}, n); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func bomb(name string) exchangetest.Bomb {
	for _, b := range exchangetest.Bombs {
		if b.Name == name {
			return b
		}
	}
	panic("no bomb " + name)
}

// TestImportRefusesBombs: files that expand far beyond the limits — a workbook of 400 KB holding
// one inline string of 400 MB, a shared strings table of 400 MB, a zip directory of 10,001
// parts, sheets and CSV files of more rows or cells than allowed (with lowered limits: the
// default's million rows take seconds to read), a CSV field or line of 64 MB —
// are refused by Start with a TooLarge fault naming the limit, before any job exists; reading
// stops at the limit (the process's memory is measured by `meridian bench --scenario
// import-bombs`, docs/benchmarks.md).
func TestImportRefusesBombs(t *testing.T) {
	cases := []struct {
		bomb   string
		n      int64
		limits exchange.Limits
		code   string
	}{
		{"inline-string", 400 << 20, exchange.Limits{}, "cell_too_large"},
		{"shared-string", 400 << 20, exchange.Limits{}, "shared_strings_too_large"},
		// Under the shared strings limit, one string is still held to the cell limit.
		{"shared-string", 40 << 20, exchange.Limits{}, "cell_too_large"},
		{"many-rows", 1 << 20, exchange.Limits{MaxRows: 1000}, "too_many_rows"},
		{"many-rows", 1 << 20, exchange.Limits{MaxCells: 1000}, "too_many_cells"},
		{"many-rows", 1 << 20, exchange.Limits{MaxXLSXBytes: 1 << 20}, "workbook_too_large"},
		{"many-parts", 10001, exchange.Limits{}, "too_many_parts"},
		{"huge-field", 64 << 20, exchange.Limits{}, "row_too_large"},
		{"huge-field", 2 << 20, exchange.Limits{}, "cell_too_large"},
		{"huge-line", 64 << 20, exchange.Limits{}, "too_many_columns"},
		{"huge-line", 1 << 20, exchange.Limits{MaxRowBytes: 1000}, "row_too_large"},
	}
	e := newEnv(t)
	for _, c := range cases {
		t.Run(c.bomb+"/"+c.code, func(t *testing.T) {
			e.im.Limits = c.limits
			p := e.bombFile(bomb(c.bomb), c.n)
			_, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: p, Source: exchange.SourceCLI})
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.TooLarge || fe.Code != c.code || fe.Target != "file" {
				t.Fatalf("Start: %v, want a too_large fault %s", err, c.code)
			}
			os.Remove(p)
		})
	}
	e.im.Limits = exchange.Limits{}
	if jobs, err := e.im.Jobs(e.ctx, 10); err != nil || len(jobs) != 0 {
		t.Fatalf("jobs after refusals: %v %v", jobs, err)
	}
	// The message names the setting that raises the limit.
	_, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: e.bombFile(bomb("inline-string"), 2<<20), Source: exchange.SourceCLI})
	if err == nil || !strings.Contains(err.Error(), "MERIDIAN_IMPORT_MAX_CELL_BYTES") {
		t.Fatalf("message %v", err)
	}
}

// TestImportLimitsAllowWhatTheySay: a file exactly at the limits imports (the header is not
// counted as a row; a cell of MaxCellBytes is allowed).
func TestImportLimitsAllowWhatTheySay(t *testing.T) {
	e := newEnv(t)
	e.im.Limits = exchange.Limits{MaxRows: 3, MaxCells: 8, MaxCellBytes: 10, MaxRowBytes: 20}
	file := e.file("a.csv", []byte("name,city\nAccount 01,Shanghai\nb,Beijing\nc,Paris\n"))
	s, _ := e.run(exchange.Request{Entity: "accounts", Path: file})
	wantCounts(t, s, 3, 0, 0, 0)
	file = e.file("b.csv", []byte("name,city\nAccount 01,Shanghai\nb,Beijing\nc,Paris\nd,Rome\n"))
	if _, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: file, Source: exchange.SourceCLI}); fault.CodeOf(err) != "too_many_rows" {
		t.Fatalf("4 rows with MaxRows 3: %v", err)
	}
	xl := e.file("c.xlsx", xlsxBytes(t, [][]any{{"name", "city"}, {"Account 02", "Shanghai"}, {"Account 03", "Shanghai1"}}))
	s, _ = e.run(exchange.Request{Entity: "accounts", Path: xl})
	wantCounts(t, s, 2, 0, 0, 0)
	xl = e.file("d.xlsx", xlsxBytes(t, [][]any{{"name", "city"}, {"Account 04", "Shanghai 12"}}))
	if _, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: xl, Source: exchange.SourceCLI}); fault.CodeOf(err) != "cell_too_large" {
		t.Fatalf("an 11-byte cell with MaxCellBytes 10: %v", err)
	}
}

// TestImportJobFailsWhenFileBreaksLimits: a job whose file breaks the limits when it runs (the
// limits were lowered after the job was accepted, say) fails with the reason, and writes no
// error file of the oversized rows.
func TestImportJobFailsWhenFileBreaksLimits(t *testing.T) {
	e := newEnv(t)
	var b bytes.Buffer
	b.WriteString("name,city\n")
	for range 50 {
		b.WriteString("Acme,Shanghai\n")
	}
	b.WriteString(strings.Repeat("A", 5000) + ",Paris\n")
	file := e.file("a.csv", b.Bytes())
	j, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: file, Source: exchange.SourceCLI, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	e.im.Limits = exchange.Limits{MaxCellBytes: 1000}
	if _, err := e.im.Run(e.ctx, j, nil); fault.CodeOf(err) != "cell_too_large" {
		t.Fatalf("run: %v", err)
	}
	j, err = e.im.Job(e.ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != exchange.StatusFailed || !strings.Contains(j.Error, "line 52") || !strings.Contains(j.Error, "1000 bytes") || j.ErrorBytes != 0 {
		t.Fatalf("job %s: %q, error file %d bytes", j.Status, j.Error, j.ErrorBytes)
	}
}

// TestImportCSVLimitsFollowQuotes: the CSV limits count a record as encoding/csv reads it —
// delimiters and line breaks inside a quoted field belong to the field, a quote inside an
// unquoted field (an inch mark) is text — so they refuse no legitimate file.
func TestImportCSVLimitsFollowQuotes(t *testing.T) {
	e := newEnv(t)
	e.im.Limits = exchange.Limits{MaxRowBytes: 25000}
	var b bytes.Buffer
	b.WriteString("name,description\n")
	b.WriteString(`Acme,"` + strings.Repeat(",", 20000) + "\n\n" + `""quoted"" and "lazy" quotes` + "\"\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "Screen %d,5\" wide\n", i)
	}
	s, _ := e.run(exchange.Request{Entity: "accounts", Path: e.file("a.csv", b.Bytes())})
	wantCounts(t, s, 2001, 0, 0, 0)
	acme := e.by("account", "name")["Acme"]
	if d := text(acme.Get("description")); len(d) != 20000+2+len(`"quoted" and "lazy" quotes`) {
		t.Fatalf("description of %d bytes", len(d))
	}
}
