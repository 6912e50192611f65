package exchange

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
)

// xlsxTable streams the rows of the first worksheet of a workbook, within Limits. Cells are
// read raw (without number formats): dates arrive as Excel serial numbers and numbers without
// thousands separators; booleans are 1 and 0; formulas give their cached value.
//
// It reads the package itself (archive/zip and encoding/xml) instead of through excelize, which
// holds every part but the worksheets in memory, parses the shared strings into a structure of
// several times their size, and cannot bound one cell: a 409 KB workbook holding one 400 MB
// inline string took the server to 2.5 GB. Here the parts read are bounded by their declared
// sizes before anything is inflated, one token by the size of a cell, and the shared strings
// table — the one part held in memory — is kept as bare text.
type xlsxTable struct {
	f      *os.File
	sheet  *xmlPart
	sst    *stringTable
	lim    Limits
	count  counter
	date04 bool // the workbook counts dates from 1904 (old Mac Excel)
	row    int  // the number of the last row read
	cells  []string
	done   bool
}

// Relationship types this reader follows (transitional and strict OOXML).
func isRel(typ, kind string) bool {
	return strings.HasSuffix(typ, "/relationships/"+kind) || strings.HasSuffix(typ, "/"+kind)
}

func openXLSX(p string, lim Limits) (*xlsxTable, error) {
	zr, f, err := openZip(p)
	if err != nil {
		return nil, err
	}
	t := &xlsxTable{f: f, lim: lim, count: counter{l: lim}}
	if err := t.open(zr); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// open finds the first worksheet and the shared strings through the package's relationships,
// checks the sizes their parts declare, loads the shared strings and starts the worksheet.
func (t *xlsxTable) open(zr *zip.Reader) error {
	lim := t.lim
	small := lim.MaxCellBytes // the longest text of a part
	wbName := "xl/workbook.xml"
	if rels := part(zr, "_rels/.rels"); rels != nil {
		if err := t.relationships(rels, "", small, func(_, typ, target string) {
			if isRel(typ, "officeDocument") {
				wbName = resolvePart("", target)
			}
		}); err != nil {
			return err
		}
	}
	wb := part(zr, wbName)
	if wb == nil {
		return fault.New(fault.Invalid, "unsupported_format", "the file is not an Excel workbook (it has no workbook part)")
	}
	sheetRel, err := t.workbook(wb, small)
	if err != nil {
		return err
	}
	var sheetName, sstName string
	wbRels := path.Join(path.Dir(wbName), "_rels", path.Base(wbName)+".rels")
	if rels := part(zr, wbRels); rels != nil {
		if err := t.relationships(rels, wbName, small, func(id, typ, target string) {
			switch {
			case id == sheetRel && sheetRel != "":
				sheetName = target
			case isRel(typ, "sharedStrings"):
				sstName = target
			}
		}); err != nil {
			return err
		}
	}
	sheet := part(zr, sheetName)
	if sheet == nil {
		return fault.New(fault.Invalid, "empty_file", "the workbook has no worksheet")
	}
	sst := part(zr, sstName)
	if sst == nil && sstName == "" {
		sst = part(zr, path.Join(path.Dir(wbName), "sharedStrings.xml"))
	}
	// The parts read, by the sizes the zip directory declares (archive/zip refuses a part whose
	// data runs past its declared size, so these bound what is inflated).
	total := wb.UncompressedSize64 + sheet.UncompressedSize64
	for _, name := range []string{"_rels/.rels", wbRels} {
		if p := part(zr, name); p != nil {
			total += p.UncompressedSize64
		}
	}
	if sst != nil {
		if sst.UncompressedSize64 > uint64(lim.MaxSharedStringsBytes) {
			return overLimit("shared_strings_too_large", "MERIDIAN_IMPORT_MAX_SHARED_STRINGS_BYTES",
				"the workbook's shared strings expand to %d bytes, more than %d", sst.UncompressedSize64, lim.MaxSharedStringsBytes)
		}
		total += sst.UncompressedSize64
	}
	if total > uint64(lim.MaxXLSXBytes) {
		return overLimit("workbook_too_large", "MERIDIAN_IMPORT_MAX_XLSX_BYTES", "the workbook's parts expand to %d bytes, more than %d", total, lim.MaxXLSXBytes)
	}
	if sst != nil {
		if t.sst, err = loadStrings(sst, lim); err != nil {
			return err
		}
	}
	t.sheet, err = openPart(sheet, small)
	return err
}

// relationships calls fn with each relationship of a .rels part (targets resolved against from).
func (t *xlsxTable) relationships(f *zip.File, from string, maxText int, fn func(id, typ, target string)) error {
	p, err := openPart(f, maxText)
	if err != nil {
		return err
	}
	defer p.close()
	for {
		kind, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.longText(err)
		}
		if kind == tokenStart && p.is("Relationship") && p.attr("TargetMode") != "External" {
			fn(p.attr("Id"), p.attr("Type"), resolvePart(from, p.attr("Target")))
		}
	}
}

// workbook reads the workbook part: the date system, and the relationship id of the first sheet.
func (t *xlsxTable) workbook(f *zip.File, maxText int) (string, error) {
	p, err := openPart(f, maxText)
	if err != nil {
		return "", err
	}
	defer p.close()
	first := ""
	for {
		kind, err := p.next()
		if err == io.EOF {
			return first, nil
		}
		if err != nil {
			return "", p.longText(err)
		}
		switch {
		case kind != tokenStart:
		case p.is("workbookPr"):
			v := p.attr("date1904")
			t.date04 = v == "1" || v == "true"
		case p.is("sheet") && first == "":
			first = p.attr("id") // r:id
		}
	}
}

// Next returns the next row that has a cell with a value, with its row number.
func (t *xlsxTable) Next() ([]string, int, error) {
	for !t.done {
		cells, err := t.nextRow()
		if err != nil {
			return nil, 0, err
		}
		if cells == nil {
			continue
		}
		if err := t.count.row(cells, t.row); err != nil {
			return nil, 0, err
		}
		return cells, t.row, nil
	}
	return nil, 0, io.EOF
}

// nextRow reads up to the end of the next row element: its cells (trailing empty ones left
// out), nil when it has none; t.done at the end of the sheet data.
func (t *xlsxTable) nextRow() ([]string, error) {
	var (
		inRow, inV, hasFormula bool
		cellType               string
		col                    int
		v                      textBuffer
	)
	is := stringItem{container: "is"} // an inline string
	cells := t.cells[:0]
	v.max, is.text.max = t.lim.MaxCellBytes, t.lim.MaxCellBytes
	tooLarge := func() error {
		return overLimit("cell_too_large", "MERIDIAN_IMPORT_MAX_CELL_BYTES", "the cell in column %d of row %d holds more than %d bytes", col, t.row, t.lim.MaxCellBytes)
	}
	p := t.sheet
	for {
		kind, err := p.next()
		if err == io.EOF {
			t.done = true
			return nil, nil
		}
		if errors.Is(err, errLongText) {
			return nil, tooLarge()
		}
		if err != nil {
			return nil, err
		}
		switch kind {
		case tokenStart:
			if is.start(string(p.local)) {
				continue
			}
			switch string(p.local) {
			case "row":
				inRow, cells = true, cells[:0]
				if n, err := strconv.Atoi(p.attr("r")); err == nil && n > 0 {
					t.row = n
				} else {
					t.row++
				}
				col = 0
			case "c":
				if !inRow {
					continue
				}
				cellType, hasFormula = p.attr("t"), false
				v.b, is.text.b = v.b[:0], is.text.b[:0]
				if c, ok := columnOf(p.attr("r")); ok {
					col = c
				} else {
					col++
				}
				if col > maxColumns {
					return nil, overLimit("too_many_columns", "", "row %d has a cell beyond column %d (Excel's limit)", t.row, maxColumns)
				}
			case "v":
				inV = true
			case "f":
				hasFormula = true
			}
		case tokenEnd:
			if is.end(string(p.local)) {
				continue
			}
			switch string(p.local) {
			case "v":
				inV = false
			case "c":
				if !inRow {
					continue
				}
				val := t.value(cellType, v.b, is.text.b)
				if len(val) > t.lim.MaxCellBytes {
					return nil, tooLarge()
				}
				if val != "" || hasFormula {
					for len(cells) < col-1 {
						cells = append(cells, "")
					}
					cells = append(cells, val)
				}
			case "row":
				t.cells = cells
				if len(cells) == 0 {
					return nil, nil
				}
				return append([]string(nil), cells...), nil
			case "sheetData":
				t.done = true
				return nil, nil
			}
		case tokenText:
			if inV && !v.add(p.text) || !is.add(p.text) {
				return nil, tooLarge()
			}
		}
	}
}

// value is the raw text of a cell of type typ with value text v and inline string is.
func (t *xlsxTable) value(typ string, v, is []byte) string {
	switch typ {
	case "s":
		n, err := strconv.Atoi(strings.TrimSpace(string(v)))
		if err == nil && t.sst != nil {
			if s, ok := t.sst.get(n); ok {
				return s
			}
		}
		return string(v)
	case "inlineStr":
		return unescapeXString(string(is))
	}
	return string(v)
}

// columnOf returns the 1-based column of a cell reference ("C7" → 3).
func columnOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		if col = col*26 + int(c-'a') + 1; col > maxColumns {
			return maxColumns + 1, true
		}
	}
	return col, i > 0
}

func (t *xlsxTable) Close() error {
	if t.sheet != nil {
		t.sheet.close()
	}
	return t.f.Close()
}

// stringTable is a workbook's shared strings, held as bare text: the strings one after the
// other in chunks of 1 MiB, and where each ends — 4 bytes per string besides its text.
type stringTable struct {
	chunks [][]byte
	ends   []uint32
	size   uint32
}

const stringChunk = 1 << 20

func (s *stringTable) add(text string) {
	for len(text) > 0 {
		if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) == stringChunk {
			s.chunks = append(s.chunks, make([]byte, 0, stringChunk))
		}
		last := &s.chunks[len(s.chunks)-1]
		n := min(len(text), stringChunk-len(*last))
		*last = append(*last, text[:n]...)
		text = text[n:]
		s.size += uint32(n)
	}
	s.ends = append(s.ends, s.size)
}

// get returns string i.
func (s *stringTable) get(i int) (string, bool) {
	if i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	end := s.ends[i]
	var b strings.Builder
	b.Grow(int(end - start))
	for off := start; off < end; {
		c, at := off/stringChunk, off%stringChunk
		n := min(end-off, stringChunk-at)
		b.Write(s.chunks[c][at : at+n])
		off += n
	}
	return b.String(), true
}

// loadStrings reads the shared strings part (whose declared size was checked): the text of each
// string item, its rich-text runs joined, its phonetic guides left out.
func loadStrings(f *zip.File, lim Limits) (*stringTable, error) {
	p, err := openPart(f, lim.MaxCellBytes)
	if err != nil {
		return nil, err
	}
	defer p.close()
	s := &stringTable{}
	si := stringItem{container: "si", text: textBuffer{max: lim.MaxCellBytes}}
	for {
		kind, err := p.next()
		if err == io.EOF {
			return s, nil
		}
		if errors.Is(err, errLongText) {
			return nil, sharedTooLarge(len(s.ends)+1, lim)
		}
		if err != nil {
			return nil, err
		}
		switch kind {
		case tokenStart:
			si.start(string(p.local))
		case tokenEnd:
			if string(p.local) == "si" {
				s.add(unescapeXString(string(si.text.b)))
			}
			si.end(string(p.local))
		case tokenText:
			if !si.add(p.text) {
				return nil, sharedTooLarge(len(s.ends)+1, lim)
			}
		}
	}
}

func sharedTooLarge(n int, lim Limits) error {
	return overLimit("cell_too_large", "MERIDIAN_IMPORT_MAX_CELL_BYTES", "shared string %d of the workbook holds more than %d bytes", n, lim.MaxCellBytes)
}

// stringItem gathers the text of a string item — a shared string (<si>) or a cell's inline
// string (<is>): its <t> elements, directly in it or in rich-text runs, but not those of its
// phonetic guides (<rPh>).
type stringItem struct {
	container         string // "si" or "is"
	in, inT, phonetic bool
	text              textBuffer
}

// start notes a start tag and reports whether it is one of the item's.
func (s *stringItem) start(local string) bool {
	switch local {
	case s.container:
		s.in, s.text.b = true, s.text.b[:0]
	case "rPh":
		s.phonetic = true
	case "t":
		s.inT = s.in && !s.phonetic
	default:
		return false
	}
	return true
}

// end notes an end tag and reports whether it is one of the item's.
func (s *stringItem) end(local string) bool {
	switch local {
	case s.container:
		s.in = false
	case "rPh":
		s.phonetic = false
	case "t":
		s.inT = false
	default:
		return false
	}
	return true
}

// add appends text when it is the item's; false when that makes it longer than a cell may be.
func (s *stringItem) add(text []byte) bool { return !s.inT || s.text.add(text) }
