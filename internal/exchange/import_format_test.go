package exchange_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/meridian-crm/meridian/internal/exchange"
)

// threeAccounts is the same data under English headers: logical names.
var threeAccounts = [][]string{
	{"name", "account_number", "industry", "revenue", "employees", "city"},
	{"Acme, Ltd", "A-1", "technology", "1,234.50", "12", "Shanghai"},
	{"北京贸易有限公司", "A-2", "Financial services", "99", "", "北京"},
	{"Contoso", "A-3", "零售", "USD 5.25", "7", "Hangzhou"},
}

func gbk(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func utf16le(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// xlsxBytes builds a workbook whose first sheet holds rows (cells may be any excelize value).
func xlsxBytes(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func anyRows(rows [][]string) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		for _, c := range r {
			out[i] = append(out[i], c)
		}
	}
	return out
}

// TestImportFormatsAndEncodings: the same three accounts import identically from CSV with any
// delimiter and encoding (UTF-8, UTF-8 with BOM, GBK with Chinese headers, UTF-16) and XLSX.
func TestImportFormatsAndEncodings(t *testing.T) {
	zhHeader := []string{"客户名称", "客户编号", "行业", "年收入", "员工数", "城市"}
	zh := append([][]string{zhHeader}, threeAccounts[1:]...)
	cases := []struct {
		name    string
		file    string
		content func(t *testing.T) []byte
	}{
		{"csv comma utf-8", "a.csv", func(*testing.T) []byte { return csvBytes(',', threeAccounts...) }},
		{"csv semicolon utf-8 bom", "a.csv", func(*testing.T) []byte { return append([]byte("\ufeff"), csvBytes(';', threeAccounts...)...) }},
		{"csv tab", "a.txt", func(*testing.T) []byte { return csvBytes('\t', threeAccounts...) }},
		{"csv gbk chinese headers", "客户.csv", func(t *testing.T) []byte { return gbk(t, csvBytes(',', zh...)) }},
		{"csv gbk semicolon", "客户.csv", func(t *testing.T) []byte { return gbk(t, csvBytes(';', zh...)) }},
		{"tsv utf-16 (Excel unicode text)", "a.txt", func(t *testing.T) []byte { return utf16le(t, csvBytes('\t', zh...)) }},
		{"xlsx", "a.xlsx", func(t *testing.T) []byte { return xlsxBytes(t, anyRows(threeAccounts)) }},
		{"xlsx without extension", "upload", func(t *testing.T) []byte { return xlsxBytes(t, anyRows(zh)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			s, _ := e.run(exchange.Request{Entity: "accounts", Path: e.file(tc.file, tc.content(t))})
			wantCounts(t, s, 3, 0, 0, 0)
			if len(s.Warnings) != 0 {
				t.Fatalf("warnings %v", s.Warnings)
			}
			got := e.by("account", "account_number")
			want := map[string][5]string{
				"A-1": {"Acme, Ltd", "technology", "1234.5000", "12", "Shanghai"},
				"A-2": {"北京贸易有限公司", "finance", "99.0000", "", "北京"},
				"A-3": {"Contoso", "retail", "5.2500", "7", "Hangzhou"},
			}
			for k, w := range want {
				r := got[k]
				if r == nil {
					t.Fatalf("account %s missing", k)
				}
				g := [5]string{text(r.Get("name")), text(r.Get("industry")), text(r.Get("revenue")), text(r.Get("employees")), text(r.Get("city"))}
				if g != w {
					t.Fatalf("account %s = %v, want %v", k, g, w)
				}
			}
			if c := text(got["A-3"].Get("revenue_currency")); c != "USD" {
				t.Fatalf("currency %q", c)
			}
		})
	}
}

// TestImportXLSXDatesAndLookups: dates written by Excel arrive as serial numbers and become
// dates; a lookup by account name and by account number resolves to the account.
func TestImportXLSXDatesAndLookups(t *testing.T) {
	e := newEnv(t)
	e.run(exchange.Request{Entity: "accounts", Path: e.file("a.csv", csvBytes(',', threeAccounts...))})
	close := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{"Topic", "Account", "Estimated close date", "Sales stage", "Probability (%)", "Estimated revenue"},
		{"Big deal", "Acme, Ltd", close, "Propose", 40, 1234.5},
		{"Small deal", "A-2", "2024/6/3", "商务谈判", "75", "2,000"},
		{"Text date", "a-3", "45000", "close", nil, nil},
	}
	s, _ := e.run(exchange.Request{Entity: "opportunity", Path: e.file("o.xlsx", xlsxBytes(t, rows))})
	wantCounts(t, s, 2, 0, 0, 1)
	if s.Total != 3 {
		t.Fatalf("total %d, want 3", s.Total)
	}
	accts := e.by("account", "account_number")
	opps := e.by("opportunity", "name")
	big, small := opps["Big deal"], opps["Small deal"]
	if big == nil || small == nil {
		t.Fatalf("opportunities %v", opps)
	}
	checks := [][2]string{
		{text(big.Get("close_date")), "2024-05-01"}, {text(big.Get("account_id")), accts["A-1"].ID()},
		{text(big.Get("stage")), "propose"}, {text(big.Get("probability")), "40"}, {text(big.Get("amount")), "1234.5000"},
		{text(small.Get("close_date")), "2024-06-03"}, {text(small.Get("account_id")), accts["A-2"].ID()},
		{text(small.Get("stage")), "negotiate"}, {text(small.Get("amount")), "2000.0000"},
	}
	for i, c := range checks {
		if c[0] != c[1] {
			t.Fatalf("check %d: %q, want %q", i, c[0], c[1])
		}
	}
	rep := errorRows(t, s.ErrorFile)
	if len(rep) != 1 || rep[0]["_code"] != "lookup_not_found" || rep[0]["_column"] != "Account" || rep[0]["_line"] != "4" {
		t.Fatalf("error report %v (account numbers are case-sensitive, so a-3 is unknown)", rep)
	}
}
