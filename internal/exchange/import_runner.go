package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// DefaultMaxUpload caps a file uploaded for import.
const DefaultMaxUpload = 1 << 30

// Runner runs the imports submitted through the API in the background, one goroutine per job,
// and resumes the ones a stopped server left unfinished. Uploaded files are kept under
// DIR/imports/TENANT/JOB.EXT with their error files beside them.
type Runner struct {
	im  *Importer
	dir string
	log *slog.Logger
	// MaxBytes caps an uploaded file (DefaultMaxUpload when zero).
	MaxBytes int64
	// Backoff is how long an interrupted job (say, a database outage) waits before each retry;
	// after the last one it fails.
	Backoff []time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	active map[string]context.CancelFunc
	closed bool
}

// NewRunner returns a runner storing uploads under the data directory dir.
func NewRunner(im *Importer, dir string, log *slog.Logger) *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{im: im, dir: dir, log: log, ctx: ctx, cancel: cancel, active: map[string]context.CancelFunc{},
		Backoff: []time.Duration{time.Second, 5 * time.Second, 25 * time.Second}}
}

// Upload is a file submitted for import.
type Upload struct {
	Entity    string
	Name      string // the file's name as the user knows it
	Body      io.Reader
	Mapping   *Mapping
	UpsertKey []string
	DryRun    bool
	BatchSize int
	// Rest, when set, is called once Body is stored, before the file is checked; an error it
	// returns refuses the upload (the multipart handler refuses parts after the file's).
	Rest func() error
}

// Submit checks that the principal of ctx may import into the entity, saves the uploaded file,
// checks it (format, header, options, and the whole file against the limits: a problem is
// returned at once, and the file removed) and starts the job in the background as that
// principal.
func (r *Runner) Submit(ctx context.Context, u Upload) (*Job, error) {
	p, err := r.im.caller(ctx)
	if err != nil {
		return nil, err
	}
	_, e, err := r.im.entity(ctx, u.Entity)
	if err != nil {
		return nil, err
	}
	// Nothing is stored for a caller who may not import into the entity.
	if err := r.im.authorize(ctx, e, u.UpsertKey); err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	dir := filepath.Join(r.dir, "imports", p.TenantID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("exchange: upload: %w", err)
	}
	path, err := r.save(dir, id, u.Body)
	if err != nil {
		return nil, err
	}
	if u.Rest != nil {
		if err := u.Rest(); err != nil {
			os.Remove(path)
			return nil, err
		}
	}
	name := u.Name
	if name == "" {
		name = "upload" + filepath.Ext(path)
	}
	j, _, err := r.im.Start(ctx, Request{Entity: u.Entity, Path: path, Name: name, Source: SourceAPI, JobID: id,
		Mapping: u.Mapping, UpsertKey: u.UpsertKey, DryRun: u.DryRun, BatchSize: u.BatchSize,
		ErrorPath: filepath.Join(dir, id+".errors.csv")})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	run := *j // the job's goroutine updates its own copy
	r.launch(&run)
	return j, nil
}

// save writes the upload to dir/id.csv or dir/id.xlsx (a zip package is a workbook).
func (r *Runner) save(dir, id string, body io.Reader) (string, error) {
	limit := r.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	tmp := filepath.Join(dir, id+".upload")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", fmt.Errorf("exchange: upload: %w", err)
	}
	var head bytes.Buffer
	n, err := io.Copy(f, io.TeeReader(io.LimitReader(body, limit+1), &limitedBuffer{&head, 4}))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = fault.Newf(fault.TooLarge, "payload_too_large", "the file is larger than %d bytes", limit)
	}
	if err == nil && n == 0 {
		err = fault.New(fault.Invalid, "empty_file", "the request has no file")
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	ext := ".csv"
	if bytes.HasPrefix(head.Bytes(), []byte("PK\x03\x04")) {
		ext = ".xlsx"
	}
	path := filepath.Join(dir, id+ext)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("exchange: upload: %w", err)
	}
	return path, nil
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if rest := l.n - l.b.Len(); rest > 0 {
		l.b.Write(p[:min(rest, len(p))])
	}
	return len(p), nil
}

// Resume starts every API job left queued or running (by a server that stopped), in every
// tenant, and returns how many.
func (r *Runner) Resume(ctx context.Context) (int, error) {
	jobs, err := r.im.jobs.resumable(ctx, SourceAPI)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		r.log.Info("resuming import", "job", j.ID, "tenant", j.TenantID, "entity", j.Entity, "rows_done", j.RowsDone, "rows_total", j.RowsTotal)
		r.launch(j)
	}
	return len(jobs), nil
}

func (r *Runner) launch(j *Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := j.TenantID + "/" + j.ID
	if r.closed || r.active[key] != nil {
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.active[key] = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.active, key)
			r.mu.Unlock()
			cancel()
		}()
		r.execute(ctx, j)
	}()
}

// execute runs a job to its end, retrying after interruptions.
func (r *Runner) execute(ctx context.Context, j *Job) {
	ctx = principal.With(ctx, j.Principal())
	for attempt := 0; ; attempt++ {
		s, err := r.im.Run(ctx, j, nil)
		if err == nil {
			r.log.Info("import done", "job", j.ID, "entity", j.Entity, "created", s.Created, "updated", s.Updated,
				"skipped", s.Skipped, "failed", s.Failed, "rows_per_sec", int(s.RowsPerSec))
			return
		}
		if ctx.Err() != nil {
			return // shutting down (resumed at the next start) or canceled
		}
		if fe, ok := fault.As(err); ok && fe.Kind != fault.Internal && !errors.Is(err, errInterrupted) {
			r.log.Warn("import failed", "job", j.ID, "code", fe.Code, "err", fe.Message)
			return
		}
		if attempt >= len(r.Backoff) {
			r.log.Error("import failed", "job", j.ID, "err", err)
			_ = r.im.jobs.setStatus(context.WithoutCancel(ctx), j, StatusFailed, err.Error(), r.im.clock().UTC())
			return
		}
		r.log.Warn("import interrupted; retrying", "job", j.ID, "err", err, "in", r.Backoff[attempt])
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.Backoff[attempt]):
		}
		fresh, gerr := r.im.jobs.get(ctx, j.TenantID, j.ID)
		if gerr != nil {
			r.log.Error("import: reload job", "job", j.ID, "err", gerr)
			return
		}
		j = fresh
	}
}

// Job returns an import job of ctx's tenant that its principal may see.
func (r *Runner) Job(ctx context.Context, id string) (*Job, error) { return r.im.Job(ctx, id) }

// Jobs returns the latest import jobs of ctx's tenant that its principal may see, newest first.
func (r *Runner) Jobs(ctx context.Context, limit int) ([]*Job, error) { return r.im.Jobs(ctx, limit) }

// Cancel cancels an import job of ctx's tenant that its principal may see.
func (r *Runner) Cancel(ctx context.Context, id string) (*Job, error) {
	j, err := r.im.Cancel(ctx, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if c := r.active[j.TenantID+"/"+j.ID]; c != nil {
		c()
	}
	r.mu.Unlock()
	return j, nil
}

// ErrorFile returns a job's error file as ctx's principal may read it; NotFound when no row
// failed (yet).
func (r *Runner) ErrorFile(ctx context.Context, id string) (*ErrorDownload, error) {
	return r.im.ErrorFile(ctx, id)
}

// Close stops the running jobs (they stay resumable) and waits for them.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}
