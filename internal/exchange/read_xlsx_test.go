package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/fault"
)

// TestXLSXReaderReadsWhatExcelizeReads: the workbook reader returns, row for row, the raw cell
// values excelize returns (RawCellValue) — shared and inline strings, rich text without its
// phonetic guides, escaped characters (_x000D_), numbers, booleans, dates, formulas' cached
// values, gaps between cells and rows — from workbooks written cell by cell (shared strings)
// and by the stream writer (inline strings), and reads the 1904 date system.
func TestXLSXReaderReadsWhatExcelizeReads(t *testing.T) {
	dir := t.TempDir()
	cellByCell := func(path string) {
		f := excelize.NewFile()
		rows := [][]any{
			{"name", "revenue", "active", "closed", "note"},
			{"Acme, Ltd", 1234.5, true, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "line1\r\nline2"},
			{"北京东方科技", -5, false, nil, "_x000D_ literal"},
			{nil, nil, nil, nil, "  spaced  "},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		_ = f.SetCellValue("Sheet1", "C7", "after a gap")
		_ = f.SetCellFormula("Sheet1", "B8", "=1+2")
		_ = f.SetCellValue("Sheet1", "A8", "formula row")
		_ = f.SetCellRichText("Sheet1", "A9", []excelize.RichTextRun{{Text: "bold "}, {Text: "plain"}})
		yes := true
		_ = f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes})
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	streamed := func(path string) {
		f := excelize.NewFile()
		sw, _ := f.NewStreamWriter("Sheet1")
		_ = sw.SetRow("A1", []any{"name", "n", "when"})
		_ = sw.SetRow("A2", []any{"=not a formula", int64(-7), time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)})
		_ = sw.SetRow("B4", []any{"tab\there", 0.1, "literal _x0041_"})
		_ = sw.Flush()
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	for name, write := range map[string]func(string){"cell by cell": cellByCell, "streamed": streamed} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".xlsx")
			write(path)
			want, want1904 := excelizeRows(t, path)
			tab, err := openXLSX(path, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			got := map[int][]string{}
			for {
				cells, line, err := tab.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got[line] = cells
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("rows\n got %#v\nwant %#v", got, want)
			}
			if tab.date04 != want1904 {
				t.Fatalf("1904 dates: %v, want %v", tab.date04, want1904)
			}
		})
	}
}

// excelizeRows reads the non-empty rows of the first sheet with excelize, by row number.
func excelizeRows(t *testing.T, path string) (map[int][]string, bool) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) > 0 {
			out[n] = cells
		}
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		t.Fatal(err)
	}
	return out, props.Date1904 != nil && *props.Date1904
}

// TestXLSXColumnOf: cell references to column numbers, up to Excel's last column.
func TestXLSXColumnOf(t *testing.T) {
	for ref, want := range map[string]int{"A1": 1, "Z9": 26, "AA1": 27, "xfd1048576": 16384, "XFE1": maxColumns + 1} {
		if got, ok := columnOf(ref); !ok || got != want {
			t.Errorf("columnOf(%s) = %d, %v; want %d", ref, got, ok, want)
		}
	}
	if _, ok := columnOf("12"); ok {
		t.Error("a reference without letters has a column")
	}
	if got := fmt.Sprint(unescapeXString("a_x000D_b_x005F_x000D_c")); got != "a\rb_x000D_c" {
		t.Errorf("unescape %q", got)
	}
}

// TestXMLPartReadsLikeEncodingXML: the parts' scanner yields the tokens encoding/xml yields (tag
// local names, attributes, text with references decoded and line ends normalised, CDATA),
// skips comments and processing instructions, and refuses document type declarations, unknown
// entities, texts and tags over their limits and nesting deeper than maxDepth; comments, which
// it does not hold, may be long.
func TestXMLPartReadsLikeEncodingXML(t *testing.T) {
	docs := []string{
		`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
			`<x:worksheet xmlns:x="urn:x" xmlns:r="urn:r"><x:sheetData><x:row r="1" spans='1:2'>` +
			`<x:c r="A1" t="inlineStr"><x:is><x:t xml:space="preserve"> a &amp; b &lt;&gt; &quot;&apos; &#20013;&#x6587;` + "\r\n\r" + `</x:t></x:is></x:c>` +
			`<!-- a comment with <tags> --><x:c r="B1" t="s" ><x:v>0</x:v></x:c><x:c r="C1"/>` +
			`<c a="x > y" b='it&apos;s'><![CDATA[<not a tag> & ]]]]><![CDATA[>]]></c><?pi stuff?></x:row></x:sheetData></x:worksheet>`,
		`<sst><si><t>plain</t></si><si><r><rPr><b/></rPr><t>rich</t></r><rPh sb="0" eb="1"><t>ruby</t></rPh></si></sst>`,
	}
	for i, doc := range docs {
		got, err := scanTokens(doc, 1<<20)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		if want := stdTokens(t, doc); !reflect.DeepEqual(got, want) {
			t.Fatalf("doc %d\n got %q\nwant %q", i, got, want)
		}
	}
	for doc, code := range map[string]string{
		`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`: "unsupported_format",
		`<x>&bogus;</x>`:                         "unsupported_format",
		`<x a=b/>`:                               "unsupported_format",
		`<x>` + strings.Repeat("y", 65) + `</x>`: "cell_too_large",
		`<x><![CDATA[` + strings.Repeat("y", 65) + `]]></x>`:                   "cell_too_large",
		`<x a="` + strings.Repeat("y", maxTag) + `"/>`:                         "tag_too_large",
		`<x` + strings.Repeat(" a='b'", maxTag/3) + `/>`:                       "tag_too_large",
		`<x><!--` + strings.Repeat("y", maxTag*2) + `--></x>`:                  "",
		strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1): "unsupported_format",
	} {
		if _, err := scanTokens(doc, 64); fault.CodeOf(err) != code {
			t.Errorf("%.40s…: %v, want %s", doc, err, code)
		}
	}
}

// scanTokens reads doc with the parts' scanner: S:name[attr=value …], E:name, T:text (adjacent
// texts joined).
func scanTokens(doc string, max int) ([]string, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("part.xml")
	_, _ = io.WriteString(w, doc)
	_ = zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	p, err := openPart(zr.File[0], max)
	if err != nil {
		return nil, err
	}
	defer p.close()
	var out []string
	for {
		kind, err := p.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, p.longText(err)
		}
		switch kind {
		case tokenStart:
			s := "S:" + string(p.local)
			for a := p.attrs; len(a) > 0; {
				name, rest, _ := bytes.Cut(a, []byte{0})
				value, rest, _ := bytes.Cut(rest, []byte{0})
				s += " " + string(name) + "=" + string(value)
				a = rest
			}
			out = append(out, s)
		case tokenEnd:
			out = append(out, "E:"+string(p.local))
		case tokenText:
			out = appendText(out, string(p.text))
		}
	}
}

func appendText(out []string, text string) []string {
	if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "T:") {
		out[n-1] += text
		return out
	}
	return append(out, "T:"+text)
}

// stdTokens is scanTokens done by encoding/xml.
func stdTokens(t *testing.T, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var out []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			s := "S:" + x.Name.Local
			for _, a := range x.Attr {
				s += " " + a.Name.Local + "=" + a.Value
			}
			out = append(out, s)
		case xml.EndElement:
			out = append(out, "E:"+x.Name.Local)
		case xml.CharData:
			out = appendText(out, string(x))
		}
	}
}
