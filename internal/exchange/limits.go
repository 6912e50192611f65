package exchange

import (
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
)

// Limits bound what an import file may expand to, so that no file — a workbook that is a zip
// bomb, a CSV line of a gigabyte — can make the server hold more than a few megabytes per job
// or work for hours. The readers enforce them as they read: a file breaking one is refused with
// a TooLarge fault naming the limit, the place in the file and the setting that raises it. The
// import checks the whole file before it creates the job, so an API upload that breaks a limit
// is answered 413, not accepted.
type Limits struct {
	// MaxRows is the number of data rows a file may hold.
	MaxRows int64
	// MaxCells is the number of cells all rows together may hold.
	MaxCells int64
	// MaxCellBytes is the size of one cell's text (UTF-8).
	MaxCellBytes int
	// MaxRowBytes is the size of one row: its cells together, or a CSV record as written.
	MaxRowBytes int
	// MaxXLSXBytes is the size the parts of a workbook that are read (workbook, relationships,
	// shared strings, the first worksheet) may expand to, together.
	MaxXLSXBytes int64
	// MaxSharedStringsBytes is the size the shared strings part of a workbook may expand to; it
	// is held in memory while the sheet is read (its text and 4 bytes per string). Less than
	// 4 GiB.
	MaxSharedStringsBytes int64
}

// Default limits. Rows and columns are Excel's own limits; a cell of 1 MiB is 32 times what
// an Excel cell holds; the shared strings table is the one part held in memory.
const (
	DefaultMaxRows               = 1 << 20 // 1,048,576
	DefaultMaxCells              = 50_000_000
	DefaultMaxCellBytes          = 1 << 20
	DefaultMaxRowBytes           = 4 << 20
	DefaultMaxXLSXBytes          = 2 << 30
	DefaultMaxSharedStringsBytes = 64 << 20
	// maxColumns is the number of cells a row may have, Excel's limit (column XFD).
	maxColumns = 16384
	// maxParts is the number of entries a workbook's zip directory may list: a real workbook has
	// a few dozen; the directory is read into memory.
	maxParts = 10000
)

// DefaultLimits returns the limits used where none are configured.
func DefaultLimits() Limits {
	return Limits{MaxRows: DefaultMaxRows, MaxCells: DefaultMaxCells, MaxCellBytes: DefaultMaxCellBytes,
		MaxRowBytes: DefaultMaxRowBytes, MaxXLSXBytes: DefaultMaxXLSXBytes, MaxSharedStringsBytes: DefaultMaxSharedStringsBytes}
}

// orDefault fills the zero limits of l with the defaults.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	or := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	or(&l.MaxRows, d.MaxRows)
	or(&l.MaxCells, d.MaxCells)
	or(&l.MaxXLSXBytes, d.MaxXLSXBytes)
	or(&l.MaxSharedStringsBytes, d.MaxSharedStringsBytes)
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = d.MaxCellBytes
	}
	if l.MaxRowBytes <= 0 {
		l.MaxRowBytes = d.MaxRowBytes
	}
	l.MaxSharedStringsBytes = min(l.MaxSharedStringsBytes, 1<<32-1)
	return l
}

// Check reports a limit that cannot work: each must be positive, and the shared strings below
// 4 GiB (their offsets are 32 bits).
func (l Limits) Check() error {
	for _, v := range []struct {
		setting string
		n       int64
	}{
		{"import_max_rows", l.MaxRows}, {"import_max_cells", l.MaxCells}, {"import_max_cell_bytes", int64(l.MaxCellBytes)},
		{"import_max_row_bytes", int64(l.MaxRowBytes)}, {"import_max_xlsx_bytes", l.MaxXLSXBytes},
		{"import_max_shared_strings_bytes", l.MaxSharedStringsBytes},
	} {
		if v.n <= 0 {
			return fmt.Errorf("%s (MERIDIAN_%s) %d: want a positive number", v.setting, strings.ToUpper(v.setting), v.n)
		}
	}
	if l.MaxSharedStringsBytes >= 1<<32 {
		return fmt.Errorf("import_max_shared_strings_bytes (MERIDIAN_IMPORT_MAX_SHARED_STRINGS_BYTES) %d: want less than 4 GiB", l.MaxSharedStringsBytes)
	}
	return nil
}

// overLimit is the fault of a file that breaks a limit: code names the limit, setting the
// environment variable that raises it ("" for the fixed ones).
func overLimit(code, setting, format string, args ...any) *fault.Error {
	msg := fmt.Sprintf(format, args...)
	if setting != "" {
		msg += " (raise " + setting + " to allow more)"
	}
	return &fault.Error{Kind: fault.TooLarge, Code: code, Message: msg, Target: "file"}
}

// counter enforces the limits on rows and cells as a reader yields rows.
type counter struct {
	l           Limits
	rows, cells int64
}

// row checks a row (the header counts too) read at line.
func (c *counter) row(cells []string, line int) error {
	if len(cells) > maxColumns {
		return overLimit("too_many_columns", "", "line %d has %d cells; a row may have at most %d (Excel's limit)", line, len(cells), maxColumns)
	}
	size := 0
	for i, s := range cells {
		if len(s) > c.l.MaxCellBytes {
			return overLimit("cell_too_large", "MERIDIAN_IMPORT_MAX_CELL_BYTES", "the cell in column %d of line %d holds more than %d bytes", i+1, line, c.l.MaxCellBytes)
		}
		size += len(s)
	}
	if size > c.l.MaxRowBytes {
		return overLimit("row_too_large", "MERIDIAN_IMPORT_MAX_ROW_BYTES", "line %d holds more than %d bytes", line, c.l.MaxRowBytes)
	}
	c.rows++
	c.cells += int64(len(cells))
	if c.rows > c.l.MaxRows+1 { // the header is a row too
		return overLimit("too_many_rows", "MERIDIAN_IMPORT_MAX_ROWS", "the file has more than %d rows", c.l.MaxRows)
	}
	if c.cells > c.l.MaxCells {
		return overLimit("too_many_cells", "MERIDIAN_IMPORT_MAX_CELLS", "the file has more than %d cells", c.l.MaxCells)
	}
	return nil
}
