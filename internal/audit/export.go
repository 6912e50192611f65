package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/meridian-crm/meridian/internal/csvsafe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
)

// ExportPageSize is how many entries an export reads per query.
const ExportPageSize = 2000

// MarshalFields returns the entry as a JSON object with fields in the given order.
func (e *Entry) MarshalFields(fields []string) ([]byte, error) {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(f)
		b = append(b, k...)
		b = append(b, ':')
		v, err := json.Marshal(e.Value(f))
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// Export writes every entry o selects ($filter, $select, $orderby) to w as "csv" or "jsonl" and
// returns how many it wrote. It reads page by page, so memory stays constant. The caller records
// the export itself (Event with ActionExport) before calling it.
func (s *Service) Export(ctx context.Context, o *query.Options, format string, w io.Writer) (int, error) {
	format = strings.ToLower(format)
	if format != "csv" && format != "jsonl" && format != "ndjson" {
		return 0, fault.Field("$format", "unsupported_format", "the audit trail exports as csv or jsonl, not %q", format)
	}
	q := *o
	q.Top, q.SkipToken, q.Count, q.Format = nil, "", false, ""
	bw := bufio.NewWriterSize(w, 64<<10)
	var cw *csvsafe.Writer // cells a spreadsheet would run as formulas are neutralised
	if format == "csv" {
		if _, err := bw.WriteString("\ufeff"); err != nil { // Excel reads the file as UTF-8
			return 0, err
		}
		cw = &csvsafe.Writer{W: bw}
	}
	n := 0
	for first := true; ; first = false {
		page, err := s.List(ctx, &q, ExportPageSize)
		if err != nil {
			return n, err
		}
		if first && cw != nil {
			if err := cw.Write(page.Fields, nil); err != nil {
				return n, err
			}
		}
		row := make([]string, len(page.Fields))
		numeric := make([]bool, len(page.Fields))
		for i, f := range page.Fields {
			numeric[i] = f == "seq" || f == "record_version" || f == "version"
		}
		for _, e := range page.Entries {
			if cw != nil {
				for i, f := range page.Fields {
					row[i] = e.Text(f)
				}
				if err := cw.Write(row, numeric); err != nil {
					return n, err
				}
			} else {
				b, err := e.MarshalFields(page.Fields)
				if err != nil {
					return n, err
				}
				bw.Write(b)
				bw.WriteByte('\n')
			}
			n++
		}
		if page.Next == "" {
			break
		}
		q.SkipToken = page.Next
	}
	return n, bw.Flush()
}
