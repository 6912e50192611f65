// Package csvsafe writes CSV files that a spreadsheet cannot be tricked by: cells that would run
// as formulas are neutralised (OWASP's advice), and reading them back takes the neutralising off.
package csvsafe

import (
	"bufio"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Formula injection. A spreadsheet opening a CSV file takes a cell that begins with =, +, -, @,
// a tab or a carriage return for a formula, so a record named =HYPERLINK(…) or
// =cmd|' /C calc'!A0 that Meridian exports runs in the spreadsheet of whoever opens the file.
// As OWASP recommends, every CSV file Meridian writes (exports and import error files) prefixes
// such a cell with a single quote and quotes the field: '=HYPERLINK(…) shows as text. The
// stored value is never changed.
//
// Numbers are data: a cell of a numeric attribute (integer, decimal, money) holding a plain
// number, such as a revenue of -5, is written as it is, so the spreadsheet still reads it as a
// number. Everything else — text, and a numeric column's cell that is not a plain number
// (possible in an error file, which holds the cells as uploaded) — is neutralised.
//
// The quote comes off again on import, so a file Meridian wrote imports back unchanged: a CSV
// cell of one or more quotes followed by one of the characters above loses one quote. So that
// this is exact, a value that already has that form ('=x) is written with one more quote (''=x).

// Cell returns s as it must be written to a CSV cell, and whether it changed. numeric tells that
// the cell belongs to a numeric column, whose plain numbers are left as they are.
func Cell(s string, numeric bool) (string, bool) { return neutralise(s, numeric) }

// Unquote takes the quote Cell added off each cell that has it (in place): a file Meridian wrote
// reads back unchanged.
func Unquote(cells []string) { unneutralise(cells) }

// formulaStart reports whether a spreadsheet would take a cell beginning with c for a formula.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quotedFormula reports whether s is one or more single quotes followed by a formula start:
// the form neutralising gives, or a value that would be mistaken for it.
func quotedFormula(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i > 0 && i < len(s) && formulaStart(s[i])
}

// neutralise returns s as it must be written to a CSV cell, and whether it changed. numeric
// tells that the cell belongs to a numeric attribute, whose plain numbers are left as they are.
func neutralise(s string, numeric bool) (string, bool) {
	if s == "" || !(formulaStart(s[0]) || quotedFormula(s)) || (numeric && plainNumber(s)) {
		return s, false
	}
	return "'" + s, true
}

// unneutralise takes the quote neutralise added off each cell that has it (in place).
func unneutralise(cells []string) {
	for i, c := range cells {
		if quotedFormula(c) {
			cells[i] = c[1:]
		}
	}
}

// plainNumber reports whether s is a decimal number as exports write them: an optional sign,
// digits with at most one point, an optional exponent (-5, +3.25, -1e-7).
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			goto exponent
		}
	}
exponent:
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Writer writes CSV records as encoding/csv does (comma, "\n" line ends, quotes only where
// needed), except that it neutralises formula cells and always quotes them.
type Writer struct {
	W *bufio.Writer
}

// Write writes one record; numeric[i] (when numeric is not nil) tells that cell i belongs to a
// numeric column.
func (cw *Writer) Write(rec []string, numeric []bool) error {
	for i, field := range rec {
		if i > 0 {
			cw.W.WriteByte(',')
		}
		field, changed := neutralise(field, i < len(numeric) && numeric[i])
		if !changed && !fieldNeedsQuotes(field) {
			cw.W.WriteString(field)
			continue
		}
		cw.W.WriteByte('"')
		for {
			j := strings.IndexByte(field, '"')
			if j < 0 {
				cw.W.WriteString(field)
				break
			}
			cw.W.WriteString(field[:j+1])
			cw.W.WriteByte('"')
			field = field[j+1:]
		}
		cw.W.WriteByte('"')
	}
	return cw.W.WriteByte('\n')
}

// fieldNeedsQuotes is encoding/csv's rule for a comma-separated field.
func fieldNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` || strings.ContainsAny(field, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}
