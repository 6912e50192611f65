package exchange

import "io"

// recordGuard sits under the CSV reader and follows the records of the text it hands out, with
// encoding/csv's own grammar (fields, quoted fields with doubled quotes and line breaks, lazy
// quotes): it refuses to hand out a record of more than max bytes or more than maxColumns
// fields. encoding/csv holds a whole record in memory, with 24 bytes of bookkeeping per field,
// so one line of a gigabyte — or of a million empty fields — would otherwise be read whole.
type recordGuard struct {
	r     io.Reader
	delim byte
	max   int // bytes of one record
	state guardState
	bytes int // of the current record
	cells int // of the current record
	err   error
}

type guardState uint8

const (
	fieldStart    guardState = iota // at the start of a field
	unquoted                        // in a field that does not start with a quote
	quoted                          // in a quoted field
	quoteInQuoted                   // just after a quote in a quoted field: its end, or half of ""
)

func newRecordGuard(r io.Reader, delim byte, lim Limits) *recordGuard {
	return &recordGuard{r: r, delim: delim, max: lim.MaxRowBytes, cells: 1}
}

// recordTooLarge is the guard's refusal; the table turns it into a fault naming the line.
type recordTooLarge struct {
	columns bool // too many fields, else too many bytes
	max     int
}

func (e *recordTooLarge) Error() string { return "exchange: CSV record over a limit" }

func (e *recordTooLarge) fault(after int) error {
	if e.columns {
		return overLimit("too_many_columns", "", "the record after line %d has more than %d cells (Excel's limit)", after, maxColumns)
	}
	return overLimit("row_too_large", "MERIDIAN_IMPORT_MAX_ROW_BYTES", "the record after line %d holds more than %d bytes", after, e.max)
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if g.step(c) {
			g.bytes, g.cells = 0, 1
			continue
		}
		if g.bytes++; g.bytes > g.max || g.cells > maxColumns {
			// The bytes before c are handed out: the reader fails on the record that breaks
			// the limit, after the ones before it.
			g.err = &recordTooLarge{columns: g.cells > maxColumns, max: g.max}
			return i, g.err
		}
	}
	return n, err
}

// step advances the state by one byte and reports whether it ended a record.
func (g *recordGuard) step(c byte) bool {
	switch g.state {
	case quoted:
		if c == '"' {
			g.state = quoteInQuoted
		}
		return false
	case quoteInQuoted:
		if c == '"' {
			g.state = quoted // a doubled quote
			return false
		}
		// The field ended (or, with lazy quotes, the quote was text and the field goes on).
		g.state = unquoted
		if c != g.delim && c != '\n' && c != '\r' {
			g.state = quoted
			return false
		}
	case fieldStart:
		if c == '"' {
			g.state = quoted
			return false
		}
		g.state = unquoted
	}
	switch c {
	case g.delim:
		g.state = fieldStart
		g.cells++
	case '\n':
		g.state = fieldStart
		return true
	}
	return false
}
