// Package exchange moves records in and out of Meridian as files: CSV, JSON Lines and XLSX
// exports stream through the records service's read path page by page, so memory stays constant
// however many records are exported.
package exchange

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/csvsafe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Format is an export file format.
type Format string

// Export formats.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
	XLSX  Format = "xlsx"
)

// ParseFormat accepts csv, jsonl (or ndjson) and xlsx.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv", "text/csv":
		return CSV, nil
	case "jsonl", "ndjson", "application/x-ndjson":
		return JSONL, nil
	case "xlsx":
		return XLSX, nil
	}
	return "", fault.Field("format", "unsupported_format", "format %q is not supported: use csv, jsonl or xlsx", s)
}

// ContentType returns the MIME type of f.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case JSONL:
		return "application/x-ndjson; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// PageSize is how many records an export reads per query.
const PageSize = 2000

// Export writes every record of entity that o selects ($filter, $select, $orderby; paging
// options are ignored) to w in format f and returns how many it wrote. progress, when not nil,
// is called after each page with the running total.
func Export(ctx context.Context, svc *records.Service, entity string, o *query.Options, f Format, w io.Writer, progress func(n int)) (int, error) {
	q := *o
	q.Top, q.Skip, q.SkipToken, q.Count, q.Expand = nil, nil, "", false, nil
	if len(q.Apply) > 0 || q.DeltaToken != "" {
		return 0, fault.New(fault.Invalid, "invalid_query", "exports take $filter, $select and $orderby only")
	}
	enc, err := newEncoder(f, w)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		page, err := svc.List(ctx, entity, &q, records.ReadOptions{PageSize: PageSize})
		if err != nil {
			return n, err
		}
		for _, r := range page.Records {
			if n == 0 {
				if err := enc.header(r.Cols); err != nil {
					return n, err
				}
			}
			if err := enc.record(r); err != nil {
				return n, err
			}
			n++
		}
		if progress != nil {
			progress(n)
		}
		if page.Next == "" {
			break
		}
		q.SkipToken = page.Next
	}
	if n == 0 {
		// An empty export still names its columns.
		m, err := svc.Model(ctx)
		if err != nil {
			return 0, err
		}
		if e := m.Entity(entity); e != nil {
			cols := make([]query.Column, 0)
			for _, a := range e.Columns() {
				cols = append(cols, query.Column{Name: a.Name, Attr: a})
			}
			if err := enc.header(selected(cols, o)); err != nil {
				return 0, err
			}
		}
	}
	return n, enc.close()
}

// selected narrows cols to $select (plus id and version, as the read path returns them).
func selected(cols []query.Column, o *query.Options) []query.Column {
	if len(o.Select) == 0 {
		return cols
	}
	keep := map[string]bool{"id": true, "version": true}
	for _, p := range o.Select {
		keep[p.String()] = true
	}
	var out []query.Column
	for _, c := range cols {
		if keep[c.Name] || (c.Attr != nil && keep[c.Attr.Of]) {
			out = append(out, c)
		}
	}
	return out
}

type encoder interface {
	header(cols []query.Column) error
	record(r *records.Record) error
	close() error
}

func newEncoder(f Format, w io.Writer) (encoder, error) {
	switch f {
	case CSV:
		bw := bufio.NewWriterSize(w, 64<<10)
		// A byte-order mark lets Excel (notably in Chinese locales) read the file as UTF-8.
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return nil, err
		}
		return &csvEncoder{w: &csvsafe.Writer{W: bw}}, nil
	case JSONL:
		return &jsonlEncoder{w: bufio.NewWriterSize(w, 64<<10)}, nil
	case XLSX:
		return newXLSXEncoder(w)
	}
	return nil, fault.Newf(fault.Invalid, "unsupported_format", "format %q is not supported", f)
}

// Text renders a typed value as export text: decimals exactly, datetimes in RFC 3339 UTC,
// multi-choice values joined by ";".
func Text(v any, scale int) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case decimal.Decimal:
		return x.StringFixed(int32(scale))
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.999999Z")
	case []string:
		return strings.Join(x, ";")
	case json.RawMessage:
		return string(x)
	}
	return fmt.Sprint(v)
}

// csvEncoder writes CSV with formula cells neutralised (csv_safe.go): text is, numbers are not.
type csvEncoder struct {
	w       *csvsafe.Writer
	cols    []int
	numeric []bool
	row     []string
}

func (e *csvEncoder) header(cols []query.Column) error {
	var names []string
	for i, c := range cols {
		if !c.Hidden {
			e.cols = append(e.cols, i)
			e.numeric = append(e.numeric, c.Attr != nil && numericType(c.Attr.Type))
			names = append(names, c.Name)
		}
	}
	e.row = make([]string, len(e.cols))
	return e.w.Write(names, nil)
}

func (e *csvEncoder) record(r *records.Record) error {
	for k, i := range e.cols {
		e.row[k] = Text(r.Vals[i], r.Cols[i].Attr.DecimalScale())
	}
	return e.w.Write(e.row, e.numeric)
}

func (e *csvEncoder) close() error { return e.w.W.Flush() }

type jsonlEncoder struct {
	w    *bufio.Writer
	keys [][]byte
	cols []int
}

func (e *jsonlEncoder) header(cols []query.Column) error {
	for i, c := range cols {
		if !c.Hidden {
			k, _ := json.Marshal(c.Name)
			e.keys = append(e.keys, append(k, ':'))
			e.cols = append(e.cols, i)
		}
	}
	return nil
}

func (e *jsonlEncoder) record(r *records.Record) error {
	e.w.WriteByte('{')
	for k, i := range e.cols {
		if k > 0 {
			e.w.WriteByte(',')
		}
		e.w.Write(e.keys[k])
		b, err := json.Marshal(r.Cols[i].Attr.JSONValue(r.Vals[i]))
		if err != nil {
			return err
		}
		e.w.Write(b)
	}
	e.w.WriteString("}\n")
	return nil
}

func (e *jsonlEncoder) close() error { return e.w.Flush() }

type xlsxEncoder struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []int
	row  int
}

func newXLSXEncoder(w io.Writer) (*xlsxEncoder, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	return &xlsxEncoder{out: w, f: f, sw: sw, row: 1}, nil
}

func (e *xlsxEncoder) header(cols []query.Column) error {
	var names []any
	for i, c := range cols {
		if !c.Hidden {
			e.cols = append(e.cols, i)
			names = append(names, c.Name)
		}
	}
	return e.next(names)
}

func (e *xlsxEncoder) next(vals []any) error {
	cell, err := excelize.CoordinatesToCellName(1, e.row)
	if err != nil {
		return err
	}
	e.row++
	return e.sw.SetRow(cell, vals)
}

func (e *xlsxEncoder) record(r *records.Record) error {
	vals := make([]any, len(e.cols))
	for k, i := range e.cols {
		switch x := r.Vals[i].(type) {
		case nil:
			vals[k] = nil
		case int64, bool, string:
			vals[k] = x
		case decimal.Decimal:
			// Spreadsheet cells are doubles; the exact text stays available in CSV and JSON Lines.
			vals[k] = x.InexactFloat64()
		case time.Time:
			vals[k] = x.UTC()
		default:
			vals[k] = Text(x, r.Cols[i].Attr.DecimalScale())
		}
	}
	return e.next(vals)
}

func (e *xlsxEncoder) close() error {
	if err := e.sw.Flush(); err != nil {
		return err
	}
	if err := e.f.Write(e.out); err != nil {
		return err
	}
	return e.f.Close()
}
