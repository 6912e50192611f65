package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/meridian-crm/meridian/internal/csvsafe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// Who may do what with imports (docs/security.md, "Imports and exports"):
//
//   - starting an import needs the create privilege on the entity, and for an upsert the write
//     privilege too, checked before the file is stored; each row is then written through the
//     records service, which checks it again as any write;
//   - a job — its progress, its error file (the rows as uploaded), cancelling it — is seen only
//     by the user who started it and by the tenant's administrators; to anyone else it does not
//     exist (NotFound, not Permission, so that its id reveals nothing);
//   - the error file is served with the cells of attributes under field-level security that the
//     reader may not read blanked, and the messages about them hidden, as the records read path
//     leaves such attributes out.

// authorize checks that the caller may start an import into e.
func (im *Importer) authorize(ctx context.Context, e *metadata.Entity, upsert []string) error {
	if err := im.svc.Can(ctx, records.OpCreate, e.Name); err != nil {
		return err
	}
	if len(upsert) > 0 {
		return im.svc.Can(ctx, records.OpUpdate, e.Name)
	}
	return nil
}

// sees reports whether p may see job j.
func sees(p principal.Principal, j *Job) bool {
	return p.Admin || (p.UserID != "" && p.UserID == j.CreatedBy)
}

// Job returns job id of ctx's tenant, if ctx's principal may see it.
func (im *Importer) Job(ctx context.Context, id string) (*Job, error) {
	p, err := im.caller(ctx)
	if err != nil {
		return nil, err
	}
	j, err := im.jobs.get(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !sees(p, j) {
		return nil, fault.Newf(fault.NotFound, "not_found", "import %s does not exist", id)
	}
	return j, nil
}

// Jobs returns the latest jobs of ctx's tenant that its principal may see, newest first.
func (im *Importer) Jobs(ctx context.Context, limit int) ([]*Job, error) {
	p, err := im.caller(ctx)
	if err != nil {
		return nil, err
	}
	mine := p.UserID
	if p.Admin {
		mine = ""
	} else if mine == "" {
		return nil, nil
	}
	return im.jobs.list(ctx, p.TenantID, mine, limit)
}

// ErrorDownload is a job's error file as the caller may read it.
type ErrorDownload struct {
	Job *Job
	// Name is the file's name for a download: the upload's name with .errors.csv.
	Name string
	// Size is the number of bytes WriteTo writes, or -1 when cells are blanked (then it is
	// known only once written).
	Size    int64
	hidden  []bool   // per column of the file: blank its cells
	all     bool     // blank every cell (a job from before Columns was kept)
	names   []string // the attributes the reader may not read: messages naming them are hidden
	numeric []bool
}

// hiddenMessage replaces the messages of a row about a column the reader may not read: they
// quote the value.
const hiddenMessage = "hidden: the row's faults concern a column under field-level security (see _code)"

// ErrorFile returns the error file of job id for ctx's principal; NotFound when the job has no
// failed rows (yet).
func (im *Importer) ErrorFile(ctx context.Context, id string) (*ErrorDownload, error) {
	j, err := im.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.ErrorBytes == 0 {
		return nil, fault.Newf(fault.NotFound, "not_found", "import %s has no failed rows", id)
	}
	d := &ErrorDownload{Job: j, Name: strings.TrimSuffix(j.FileName, path.Ext(j.FileName)) + ".errors.csv", Size: j.ErrorBytes}
	m, err := im.svc.Model(ctx)
	if err != nil {
		return nil, err
	}
	e := m.Entity(j.Entity)
	readable := im.svc.Readable(ctx)
	if e == nil || readable == nil {
		return d, nil
	}
	for _, a := range e.Columns() {
		if !readable(e, a) {
			d.names = append(d.names, a.Name)
		}
	}
	if len(d.names) == 0 {
		return d, nil
	}
	// Something is hidden from this reader: the file is rewritten as it is sent.
	d.Size = -1
	cols := j.Options.Columns
	d.all = cols == nil
	d.hidden, d.numeric = make([]bool, len(cols)), make([]bool, len(cols))
	for i, name := range cols {
		if a := e.Attr(name); a != nil {
			d.hidden[i] = !readable(e, a)
			d.numeric[i] = numericType(a.Type)
		}
	}
	return d, nil
}

// WriteTo writes the error file as far as committed batches wrote it.
func (d *ErrorDownload) WriteTo(w io.Writer) (int64, error) {
	f, err := os.Open(d.Job.ErrorFile)
	if err != nil {
		return 0, fmt.Errorf("exchange: import %s: error file: %w", d.Job.ID, err)
	}
	defer f.Close()
	in := io.LimitReader(f, d.Job.ErrorBytes)
	if d.Size >= 0 {
		return io.Copy(w, in)
	}
	cw := &countingWriter{w: w}
	err = d.blank(in, cw)
	return cw.n, err
}

// blank copies the error file from in to out with the hidden columns' cells blanked.
func (d *ErrorDownload) blank(in io.Reader, out io.Writer) error {
	br := bufio.NewReader(in)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	bw := bufio.NewWriterSize(out, 64<<10)
	bw.WriteString("\ufeff")
	cw := &csvsafe.Writer{W: bw}
	mentioned := d.names // in _column, the headers of hidden columns or the attributes' names
	n := 0               // the file's own columns, before _line, _column, _code and _error
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("exchange: import %s: error file: %w", d.Job.ID, err)
		}
		csvsafe.Unquote(rec)
		if first {
			n = max(0, len(rec)-4)
			for i := 0; i < n; i++ {
				if d.hides(i) {
					mentioned = append(mentioned, rec[i])
				}
			}
		} else {
			for i := 0; i < n && i < len(rec); i++ {
				if d.hides(i) {
					rec[i] = ""
				}
			}
			if n+3 < len(rec) && mentions(rec[n+1], mentioned) {
				rec[n+3] = hiddenMessage
			}
		}
		numeric := d.numeric
		if first {
			numeric = nil
		}
		if err := cw.Write(rec, numeric); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (d *ErrorDownload) hides(col int) bool {
	return d.all || (col < len(d.hidden) && d.hidden[col])
}

// mentions reports whether the _column cell of an error row (headers, or attribute names where
// the file has no column, joined by "; ") names one of headers. A name containing another's
// text can make it answer yes wrongly, which hides a message too many, never one too few.
func mentions(columns string, headers []string) bool {
	for _, h := range headers {
		if h != "" && strings.Contains(columns, h) {
			return true
		}
	}
	return false
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
