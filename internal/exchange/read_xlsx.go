package exchange

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/fault"
)

// xlsxTable streams the rows of the first worksheet of a workbook. Cells are read raw (without
// number formats): dates arrive as Excel serial numbers and numbers without thousands separators.
type xlsxTable struct {
	f      *excelize.File
	sheet  string
	rows   *excelize.Rows
	row    int
	date04 bool // the workbook counts dates from 1904 (old Mac Excel)
}

func openXLSX(path string) (*xlsxTable, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fault.Wrap(fault.Invalid, "unsupported_format", "the file is not a readable Excel workbook", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fault.New(fault.Invalid, "empty_file", "the workbook has no worksheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("exchange: xlsx rows: %w", err)
	}
	t := &xlsxTable{f: f, sheet: sheets[0], rows: rows}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date04 = *props.Date1904
	}
	return t, nil
}

func (t *xlsxTable) Next() ([]string, int, error) {
	for t.rows.Next() {
		t.row++
		cells, err := t.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, 0, fmt.Errorf("exchange: xlsx row %d: %w", t.row, err)
		}
		if len(cells) == 0 {
			continue // a row with no cells at all, like a blank line in CSV
		}
		return cells, t.row, nil
	}
	if err := t.rows.Error(); err != nil {
		return nil, 0, fmt.Errorf("exchange: xlsx: %w", err)
	}
	return nil, 0, io.EOF
}

// dimension returns how many rows follow the current one according to the sheet's dimension
// (its used range), or -1 when the sheet does not say.
func (t *xlsxTable) dimension() int {
	d, err := t.f.GetSheetDimension(t.sheet)
	if err != nil {
		return -1
	}
	_, last, ok := strings.Cut(d, ":")
	if !ok {
		return -1
	}
	_, row, err := excelize.SplitCellName(last)
	if err != nil {
		return -1
	}
	return max(row-t.row, 0)
}

func (t *xlsxTable) Close() error {
	t.rows.Close()
	return t.f.Close()
}
