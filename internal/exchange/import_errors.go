package exchange

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/csvsafe"
	"github.com/meridian-crm/meridian/internal/fault"
)

// errorFile is the CSV file of rows that failed: UTF-8 with a byte-order mark (so Excel opens
// it), the file's own header plus _line, _column, _code and _error. A row with several faults
// is written once, with its columns, codes and messages joined by "; ", so the file can be
// corrected and imported again as it is (the four extra columns are ignored on import).
type errorFile struct {
	path   string
	header []string
	f      *os.File
	size   int64
}

// openErrorFile prepares the error file at path holding size bytes from earlier runs of the job:
// a resumed job cuts off what an interrupted batch wrote after its last checkpoint; a new job
// (size 0) removes a stale file. The file itself is created with the first failed row.
func openErrorFile(path string, header []string, size int64) (*errorFile, error) {
	w := &errorFile{path: path, header: header}
	if size == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("exchange: error file: %w", err)
		}
		return w, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0o640)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fault.Newf(fault.Invalid, "error_file_gone", "the error file %s of this import was removed: the rows that failed before cannot be reported; restart the import", path)
	}
	if err != nil {
		return nil, fmt.Errorf("exchange: error file: %w", err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, fmt.Errorf("exchange: error file: %w", err)
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("exchange: error file: %w", err)
	}
	w.f, w.size = f, size
	return w, nil
}

// numericColumns tells, per column of the file, whether it names a numeric attribute (whose
// plain numbers the error file writes as they are: see csv_safe.go).
func (p *plan) numericColumns() []bool {
	out := make([]bool, len(p.named))
	for i, name := range p.named {
		if a := p.entity.Attr(name); a != nil {
			out[i] = numericType(a.Type)
		}
	}
	return out
}

// failedRow is one row for the error file.
type failedRow struct {
	line   int
	cells  []string
	faults []*fault.Error
}

// write appends rows and returns the file's new size. The bytes reach the operating system
// before the batch's checkpoint commits, so a crash after the commit cannot lose them.
func (w *errorFile) write(p *plan, rows []failedRow) (int64, error) {
	if len(rows) == 0 {
		return w.size, nil
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	cw := &csvsafe.Writer{W: bw}
	numeric := p.numericColumns()
	if w.f == nil {
		if err := os.MkdirAll(filepath.Dir(w.path), 0o750); err != nil {
			return w.size, fmt.Errorf("exchange: error file: %w", err)
		}
		f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
		if err != nil {
			return w.size, fmt.Errorf("exchange: error file: %w", err)
		}
		w.f, w.size = f, 0
		bw.WriteString("\ufeff")
		_ = cw.Write(append(append([]string(nil), w.header...), "_line", "_column", "_code", "_error"), nil)
	}
	for _, r := range rows {
		rec := make([]string, len(w.header), len(w.header)+4)
		copy(rec, r.cells)
		var cols, codes, msgs []string
		seen := map[string]bool{}
		for _, f := range r.faults {
			if seen[f.Target] && f.Target != "" {
				continue // "x is required" after "x is too long" says nothing new
			}
			seen[f.Target] = true
			cols = append(cols, p.headerOf(f.Target))
			codes = append(codes, f.Code)
			msgs = append(msgs, f.Message)
		}
		rec = append(rec, strconv.Itoa(r.line), strings.Join(cols, "; "), strings.Join(codes, "; "), strings.Join(msgs, "; "))
		_ = cw.Write(rec, numeric)
	}
	_ = bw.Flush()
	n, err := w.f.Write(buf.Bytes())
	w.size += int64(n)
	if err != nil {
		return w.size, fmt.Errorf("exchange: error file: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return w.size, fmt.Errorf("exchange: error file: %w", err)
	}
	return w.size, nil
}

// truncate cuts the file back to size (the rows of a batch that did not commit).
func (w *errorFile) truncate(size int64) error {
	if w.f == nil || size == w.size {
		return nil
	}
	if size == 0 { // the file was created by the failed batch: start again without it
		w.f.Close()
		w.f, w.size = nil, 0
		return os.Remove(w.path)
	}
	if err := w.f.Truncate(size); err != nil {
		return err
	}
	_, err := w.f.Seek(size, io.SeekStart)
	w.size = size
	return err
}

func (w *errorFile) close() error {
	if w.f == nil {
		return nil
	}
	return w.f.Close()
}

// faultsOf splits a records error into its field faults.
func faultsOf(err error) []*fault.Error {
	fe, ok := fault.As(err)
	if !ok {
		return []*fault.Error{fault.New(fault.Internal, "internal_error", err.Error())}
	}
	if len(fe.Details) > 0 {
		return fe.Details
	}
	return []*fault.Error{fe}
}
