package exchange

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/fault"
)

// This file holds the guarded pieces a workbook is read with: the zip directory, read within a
// byte budget, and the parts' names and texts. A workbook is a zip of XML parts, so a few
// kilobytes on disk can expand to gigabytes: everything here is bounded before it is held in
// memory. The XML itself is read by xmlPart (read_xml_scan.go).

// zipDirectoryBudget is how many bytes reading a workbook's zip directory may take; a real
// workbook's directory takes a few kilobytes (about 100 bytes per part).
const zipDirectoryBudget = 4 << 20

// errDirectoryBudget stops zip.NewReader when the directory is larger than its budget.
var errDirectoryBudget = errors.New("exchange: zip directory over budget")

// budgetReaderAt fails reads once n bytes were read, while it is on.
type budgetReaderAt struct {
	r  io.ReaderAt
	n  int64
	on bool
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.on {
		if b.n -= int64(len(p)); b.n < 0 {
			return 0, errDirectoryBudget
		}
	}
	return b.r.ReadAt(p, off)
}

// openZip opens a workbook's zip file and reads its directory within zipDirectoryBudget bytes
// and maxParts entries (archive/zip reads every directory entry into memory, however many the
// file claims). Reading a part later cannot yield more than the directory says it holds:
// archive/zip refuses a part whose data runs past its declared size.
func openZip(path string) (*zip.Reader, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("exchange: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("exchange: %w", err)
	}
	budget := &budgetReaderAt{r: f, n: zipDirectoryBudget, on: true}
	zr, err := zip.NewReader(budget, st.Size())
	budget.on = false // the parts are read later, without the directory's budget
	switch {
	case errors.Is(err, errDirectoryBudget):
		f.Close()
		return nil, nil, overLimit("too_many_parts", "", "the workbook's zip directory is larger than %d bytes", zipDirectoryBudget)
	case err != nil:
		f.Close()
		return nil, nil, fault.Wrap(fault.Invalid, "unsupported_format", "the file is not a readable Excel workbook", err)
	case len(zr.File) > maxParts:
		f.Close()
		return nil, nil, overLimit("too_many_parts", "", "the workbook has %d parts; at most %d are read", len(zr.File), maxParts)
	}
	return zr, f, nil
}

// part finds a part of a zip by name ("xl/workbook.xml"), or nil.
func part(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// resolvePart resolves a relationship's target against the folder of the part that holds the
// relationship: "worksheets/sheet1.xml" from xl/workbook.xml is xl/worksheets/sheet1.xml;
// "/xl/…" is absolute.
func resolvePart(from, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(from), target), "/")
}

// textBuffer gathers the text of one cell or shared string, up to max bytes.
type textBuffer struct {
	b   []byte
	max int
}

// add appends text; false when the cell would be longer than max.
func (t *textBuffer) add(text []byte) bool {
	if len(t.b)+len(text) > t.max {
		return false
	}
	t.b = append(t.b, text...)
	return true
}

// unescapeXString decodes the _xHHHH_ escapes of OOXML strings (ST_Xstring: characters XML
// cannot carry, such as _x000D_ for a carriage return; _x005F_ is an underscore), as Excel and
// excelize read them.
func unescapeXString(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			var r rune
			for _, c := range s[i+2 : i+6] {
				r = r<<4 | rune(hexVal(byte(c)))
			}
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			b.WriteRune(r)
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
