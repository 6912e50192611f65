// Package exchangetest builds hostile import files for tests and measurements: workbooks and CSV
// files that are small on disk and expand to hundreds of megabytes when read ("bombs"). Each
// builder streams its output, so building a bomb costs little memory and, with the fastest
// deflate level, about a second per 400 MB of expansion.
package exchangetest

import (
	"archive/zip"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// A Bomb names one kind of hostile file.
type Bomb struct {
	Name string // short name for tables and test names
	Ext  string // ".xlsx" or ".csv"
	// Write writes the file with header as its first row (header cells are plain text) and
	// expanding to about n bytes (many-parts: holding n parts).
	Write func(w io.Writer, header []string, n int64) error
}

// Bombs are the hostile files the import limits are measured and tested with.
var Bombs = []Bomb{
	{"inline-string", ".xlsx", InlineStringXLSX},
	{"shared-string", ".xlsx", SharedStringXLSX},
	{"many-rows", ".xlsx", ManyRowsXLSX},
	{"huge-field", ".csv", HugeFieldCSV},
	{"huge-line", ".csv", HugeLineCSV},
	{"many-parts", ".xlsx", ManyPartsXLSX},
}

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail = `</sheetData></worksheet>`
	sstHead   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
)

// writeWorkbook writes a one-sheet workbook, its parts deflated at the fastest level: the
// shared strings part written by sst (nil: one string, "x"), the worksheet's rows (after the
// header row) written by rows, and any further parts by extra.
func writeWorkbook(w io.Writer, header []string, sst, rows func(io.Writer) error, extra func(*zip.Writer) error) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	if sst == nil {
		sst = text(`<si><t>x</t></si>`)
	}
	parts := []struct {
		name       string
		head, tail string
		body       func(io.Writer) error
	}{
		{"[Content_Types].xml", contentTypes, "", nil}, {"_rels/.rels", rootRels, "", nil},
		{"xl/workbook.xml", workbook, "", nil}, {"xl/_rels/workbook.xml.rels", workbookRels, "", nil},
		{"xl/sharedStrings.xml", sstHead, `</sst>`, sst},
		{"xl/worksheets/sheet1.xml", sheetHead + headerRow(header), sheetTail, rows},
	}
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.head); err != nil {
			return err
		}
		if p.body != nil {
			if err := p.body(pw); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(pw, p.tail); err != nil {
			return err
		}
	}
	if extra != nil {
		if err := extra(zw); err != nil {
			return err
		}
	}
	return zw.Close()
}

// text returns a writer of s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// headerRow is the first row of a sheet: the header cells as inline strings.
func headerRow(header []string) string {
	var sb strings.Builder
	sb.WriteString(`<row r="1">`)
	for _, h := range header {
		sb.WriteString(`<c t="inlineStr"><is><t>`)
		_ = xml.EscapeText(&sb, []byte(h))
		sb.WriteString(`</t></is></c>`)
	}
	sb.WriteString(`</row>`)
	return sb.String()
}

// fill writes unit repeated until n bytes or more are written, framed by head and tail.
func fill(head, unit, tail string, n int64) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, head); err != nil {
			return err
		}
		per := max(1, (1<<20)/len(unit))
		chunk := []byte(strings.Repeat(unit, per))
		for units := (n + int64(len(unit)) - 1) / int64(len(unit)); units > 0; units -= int64(per) {
			if _, err := w.Write(chunk[:min(int64(per), units)*int64(len(unit))]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, tail)
		return err
	}
}

// InlineStringXLSX writes a workbook whose second row's first cell is an inline string of n
// bytes — the reviewer's bomb: 409 KB on disk for a 400 MB string.
func InlineStringXLSX(w io.Writer, header []string, n int64) error {
	return writeWorkbook(w, header, nil, fill(`<row r="2"><c r="A2" t="inlineStr"><is><t>`, "A", `</t></is></c></row>`, n), nil)
}

// SharedStringXLSX writes a workbook whose shared strings table holds one string of n bytes,
// which the second row's first cell refers to.
func SharedStringXLSX(w io.Writer, header []string, n int64) error {
	return writeWorkbook(w, header, fill(`<si><t>`, "A", `</t></si>`, n), text(`<row r="2"><c r="A2" t="s"><v>0</v></c></row>`), nil)
}

// manyRowsCell is the row ManyRowsXLSX repeats, without its number (rows may omit it).
const manyRowsCell = `<row><c t="inlineStr"><is><t>x</t></is></c></row>`

// ManyRowsXLSX writes a workbook of about n bytes of sheet XML made of one-cell rows
// (ManyRowsCount(n) of them).
func ManyRowsXLSX(w io.Writer, header []string, n int64) error {
	return writeWorkbook(w, header, nil, fill("", manyRowsCell, "", n), nil)
}

// ManyRowsCount returns how many data rows ManyRowsXLSX writes for n.
func ManyRowsCount(n int64) int64 {
	return (n + int64(len(manyRowsCell)) - 1) / int64(len(manyRowsCell))
}

// HugeFieldCSV writes a CSV file whose second line's first field is n bytes long.
func HugeFieldCSV(w io.Writer, header []string, n int64) error {
	return fill(strings.Join(header, ",")+"\n", "A", "\n", n)(w)
}

// HugeLineCSV writes a CSV file whose second line holds n bytes of short fields ("x,x,x,…"), a
// line of about n/2 cells.
func HugeLineCSV(w io.Writer, header []string, n int64) error {
	return fill(strings.Join(header, ",")+"\n", "x,", "x\n", n)(w)
}

// ManyPartsXLSX writes a small valid workbook followed by n empty parts: a zip directory of n
// entries, which a reader that lists the directory holds in memory (about 110 bytes on disk
// and a few hundred in memory per entry).
func ManyPartsXLSX(w io.Writer, header []string, n int64) error {
	return writeWorkbook(w, header, nil, nil, func(zw *zip.Writer) error {
		for i := int64(0); i < n; i++ {
			if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("p/%x", i), Method: zip.Store}); err != nil {
				return err
			}
		}
		return nil
	})
}
