package exchange

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
)

// errInterrupted marks a stop that must leave the job resumable (a test hook's injected crash).
var errInterrupted = errors.New("exchange: import interrupted")

// testHook, when set by a test, is called in each batch's transaction just before the
// checkpoint ("batch") and after the commit ("committed"); an error it returns stops the run
// as a crash would.
var testHook func(stage string, j *Job) error

// run is one run of a job.
type run struct {
	im        *Importer
	job       *Job
	plan      *plan
	errs      *errorFile
	finder    *finder
	firstLine map[uint64]int // key (hashed, to keep millions in memory) → line of the first row carrying it
	seed      maphash.Seed
	rows      int64 // data rows read (set by the reader at the end of the file)
	progress  func(Progress)
	analyzed  int64 // rows created when the table's statistics were last refreshed
	// unchecked: the caller saw no record of the entity when the run started, so the rows'
	// keys are not looked up among existing records before each write (checkExisting) until a
	// write meets one anyway (a record created meanwhile, or one the caller cannot see).
	unchecked bool
}

// analyze refreshes PostgreSQL's statistics of the entity's table (and of the tables hooks keep
// in step with it, such as the duplicate keys) whenever the job has grown the tenant's rows
// tenfold (from 1,000 on). Without it the planner keeps estimating a new
// tenant's rows from statistics taken before the import, and the key look-ups of each batch
// (cached as generic plans) scan the whole tenant instead of using the key's index: the
// import would slow down as it goes.
func (r *run) analyze(ctx context.Context) error {
	j := r.job
	if j.Options.DryRun || j.Created+j.Updated < max(1000, r.analyzed*10) {
		return nil
	}
	r.analyzed = j.Created + j.Updated
	return r.im.svc.RefreshStatistics(ctx, j.Entity)
}

func (r *run) run(ctx context.Context) error {
	j := r.job
	m, e, err := r.im.entity(ctx, j.Entity)
	if err != nil {
		return err
	}
	info, pl, t, err := r.im.open(j.FilePath, m, e, j.Options.Mapping, j.Options.UpsertKey)
	if err != nil {
		return err
	}
	if info.SHA256 != j.SHA256 {
		t.Close()
		return fault.Newf(fault.Invalid, "file_changed", "%s changed since the import started", j.FileName)
	}
	r.plan = pl
	if len(pl.keys) > 0 && len(pl.upsert) == 0 {
		if r.unchecked, err = r.finder.none(ctx, e); err != nil {
			return err
		}
	}
	j.Warnings = pl.warnings
	if j.RowsTotal == 0 { // Start counted the rows of the jobs it created
		j.RowsTotal, err = count(t)
	}
	t.Close()
	if err != nil {
		return err
	}
	if err := r.im.jobs.setStatus(ctx, j, StatusRunning, "", r.im.clock().UTC()); err != nil {
		return err
	}
	if r.errs, err = openErrorFile(j.ErrorFile, pl.header, j.ErrorBytes); err != nil {
		return err
	}
	defer r.errs.close()
	if t, err = openTable(j.FilePath, info, r.im.limits()); err != nil {
		return err
	}
	defer t.Close()
	if _, _, err := readHeader(t); err != nil {
		return err
	}
	r.report()
	size := j.Options.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	rctx, stop := context.WithCancel(ctx)
	batches := r.read(rctx, t, size)
	defer func() { // the reader must be done with t before it is closed
		stop()
		for range batches {
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := r.batch(ctx, b.rows); err != nil {
			return err
		}
		if err := r.analyze(ctx); err != nil {
			return err
		}
	}
	j.RowsTotal = r.rows
	return r.im.jobs.setStatus(ctx, j, StatusDone, "", r.im.clock().UTC())
}

// count reads the data rows t has left and returns how many there are. The table enforces
// the limits as it reads, so this is also the check that the whole file is within them.
func count(t table) (int64, error) {
	var n int64
	for {
		_, _, err := t.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// batchOf is a batch of converted rows, or the error that ended the reading.
type batchOf struct {
	rows []*row
	err  error
}

// batchBytes ends a batch early when its cells hold this many bytes, so that the batches in
// flight (one written, one converted ahead) stay small whatever the rows hold: 5,000 rows of
// 200 bytes make 1 MB.
const batchBytes = 4 << 20

// rowBytes is what a row's cells take in memory.
func rowBytes(cells []string) int {
	n := 16 * len(cells)
	for _, c := range cells {
		n += len(c)
	}
	return n
}

// read converts the rows of t in a goroutine of its own, a batch ahead of the writer, and
// sends them in batches of size rows (fewer when they reach batchBytes), skipping the rows a
// resumed job has done. Every row's keys are noted, the skipped ones included, so a key is a
// duplicate in the file exactly when an earlier line has it, however often the job was resumed.
func (r *run) read(ctx context.Context, t table, size int) <-chan batchOf {
	out := make(chan batchOf, 1)
	r.firstLine = map[uint64]int{}
	r.seed = maphash.MakeSeed()
	from := r.job.RowsDone
	go func() {
		defer close(out)
		send := func(b batchOf) bool {
			select {
			case out <- b:
				return true
			case <-ctx.Done():
				return false
			}
		}
		var n int64
		batch := make([]*row, 0, size)
		held := 0 // bytes of the cells of batch
		for {
			cells, line, err := t.Next()
			if err == io.EOF {
				r.rows = n
				if len(batch) > 0 {
					send(batchOf{rows: batch})
				}
				return
			}
			if err != nil {
				send(batchOf{err: err})
				return
			}
			dups := r.claim(cells, line)
			if n >= from {
				batch = append(batch, r.build(int(n), line, cells, dups))
				held += rowBytes(cells)
			}
			n++
			if len(batch) == size || held >= batchBytes {
				if !send(batchOf{rows: batch}) {
					return
				}
				batch, held = make([]*row, 0, size), 0
			}
		}
	}()
	return out
}

// claim notes the keys of a row and returns the faults of those an earlier line has.
func (r *run) claim(cells []string, line int) []*fault.Error {
	var out []*fault.Error
	for i, key := range r.plan.keys {
		k, ok := r.rawKey(i, cells)
		if !ok {
			continue
		}
		if first, seen := r.firstLine[k]; seen {
			out = append(out, fault.Field(key[0], "duplicate_in_file", "line %d has the same %s", first, strings.Join(key, ", ")))
		} else {
			r.firstLine[k] = line
		}
	}
	return out
}

// rawKey hashes the cells of key set i of a row (trimmed; ids in lower case).
func (r *run) rawKey(i int, cells []string) (uint64, bool) {
	key := r.plan.keys[i]
	parts := make([]string, 0, len(key)+1)
	parts = append(parts, fmt.Sprint(i))
	for _, name := range key {
		c := r.plan.cols[r.plan.byAttr[name]]
		if c.index >= len(cells) {
			return 0, false
		}
		v := strings.TrimSpace(cells[c.index])
		if v == "" {
			return 0, false
		}
		if t := c.attr.Type; t == metadata.TypeGUID || t == metadata.TypeLookup {
			v = strings.ToLower(v)
		}
		parts = append(parts, v)
	}
	return maphash.String(r.seed, strings.Join(parts, "\x1f")), true
}

// build converts a row; dups are its duplicate_in_file faults.
func (r *run) build(n, line int, cells []string, dups []*fault.Error) *row {
	row := r.plan.buildRow(n, line, cells)
	if !row.empty {
		row.faults = append(row.faults, dups...)
	}
	return row
}

func (r *run) report() {
	if r.progress != nil {
		j := r.job
		r.progress(Progress{RowsTotal: j.RowsTotal, RowsDone: j.RowsDone, Created: j.Created, Updated: j.Updated,
			Skipped: j.Skipped, Failed: j.Failed})
	}
}
