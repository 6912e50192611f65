package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Job statuses.
const (
	StatusQueued   = "queued"
	StatusRunning  = "running"
	StatusDone     = "done"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

// Job sources: who runs the job, and so who may resume it.
const (
	SourceCLI = "cli" // resumed by running the same command on the same file
	SourceAPI = "api" // resumed by the server at start-up
)

// Job is one import, as stored in the import_job table. Its counters advance in the same
// transaction as the records of each batch, so they always describe what is committed.
type Job struct {
	TenantID   string     `json:"-"`
	ID         string     `json:"id"`
	Entity     string     `json:"entity"`
	Source     string     `json:"source"`
	FileName   string     `json:"file_name"`
	FilePath   string     `json:"-"`
	SHA256     string     `json:"sha256"`
	Format     string     `json:"format"`
	Options    JobOptions `json:"options"`
	Status     string     `json:"status"`
	RowsTotal  int64      `json:"rows_total"`
	RowsDone   int64      `json:"rows_done"`
	Created    int64      `json:"created"`
	Updated    int64      `json:"updated"`
	Failed     int64      `json:"failed"`
	Skipped    int64      `json:"skipped"`
	Warnings   []string   `json:"warnings"`
	ErrorFile  string     `json:"-"`
	ErrorBytes int64      `json:"-"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	CreatedBy  string     `json:"created_by,omitempty"`
}

// JobOptions are the settings of a job, kept so that a resumed job runs exactly as it started.
type JobOptions struct {
	UpsertKey []string `json:"upsert_key,omitempty"`
	DryRun    bool     `json:"dry_run,omitempty"`
	BatchSize int      `json:"batch_size,omitempty"`
	Mapping   *Mapping `json:"mapping,omitempty"`
	Encoding  string   `json:"encoding,omitempty"`
	// Columns names, per column of the file, the attribute its header names ("" for none), so
	// that the error file's cells can be checked against field-level security when read.
	Columns []string `json:"columns,omitempty"`
	// As is who the job acts as (the principal that started it).
	As *JobPrincipal `json:"as,omitempty"`
}

// JobPrincipal is the stored form of the principal a job acts as.
type JobPrincipal struct {
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
	Method string `json:"method,omitempty"`
	Admin  bool   `json:"admin,omitempty"`
}

// Principal returns the principal the job acts as.
func (j *Job) Principal() principal.Principal {
	p := principal.Principal{TenantID: j.TenantID}
	if a := j.Options.As; a != nil {
		p.UserID, p.Name, p.Method, p.Admin = a.UserID, a.Name, a.Method, a.Admin
	}
	return p
}

// Progress returns the share of rows done, 0–100.
func (j *Job) Progress() int {
	switch {
	case j.Status == StatusDone:
		return 100
	case j.RowsTotal <= 0:
		return 0
	}
	return int(min(100, j.RowsDone*100/j.RowsTotal))
}

// Finished reports whether the job will not run again.
func (j *Job) Finished() bool {
	return j.Status == StatusDone || j.Status == StatusFailed || j.Status == StatusCanceled
}

const jobColumns = `tenant_id, id, entity, source, file_name, file_path, file_sha256, format, options, status,
 rows_total, rows_done, created, updated, failed, skipped, warnings, error_file, error_bytes, error,
 created_at, started_at, finished_at, created_by`

type jobStore struct{ st *store.Store }

var timeAttr = &metadata.Attribute{Name: "at", Type: metadata.TypeDateTime}
var guidAttr = &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}

func (s jobStore) time(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.st.D.Encode(timeAttr, *t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insert stores a new job.
func (s jobStore) insert(ctx context.Context, j *Job) error {
	opts, _ := json.Marshal(j.Options)
	warn := warningsJSON(j.Warnings)
	args := &store.Args{D: s.st.D}
	vals := []any{j.TenantID, j.ID, j.Entity, j.Source, j.FileName, j.FilePath, j.SHA256, j.Format, string(opts), j.Status,
		j.RowsTotal, j.RowsDone, j.Created, j.Updated, j.Failed, j.Skipped, warn, j.ErrorFile, j.ErrorBytes, j.Error,
		s.st.D.Encode(timeAttr, j.CreatedAt), s.time(j.StartedAt), s.time(j.FinishedAt), nullString(j.CreatedBy)}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = args.Add(v)
	}
	_, err := s.st.Exec(ctx, `INSERT INTO import_job (`+jobColumns+`) VALUES (`+strings.Join(ph, ", ")+`)`, args.List...)
	if err != nil {
		return fmt.Errorf("exchange: create import job: %w", err)
	}
	return nil
}

// query reads the jobs matching where (with its arguments in args).
func (s jobStore) query(ctx context.Context, where string, args *store.Args, suffix string) ([]*Job, error) {
	rows, err := s.st.DB(ctx).QueryContext(ctx, `SELECT `+jobColumns+` FROM import_job WHERE `+where+suffix, args.List...)
	if err != nil {
		return nil, fmt.Errorf("exchange: read import jobs: %w", err)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j := &Job{}
		var tenant, id, created, started, finished, createdBy any
		var opts, warn string
		if err := rows.Scan(&tenant, &id, &j.Entity, &j.Source, &j.FileName, &j.FilePath, &j.SHA256, &j.Format, &opts, &j.Status,
			&j.RowsTotal, &j.RowsDone, &j.Created, &j.Updated, &j.Failed, &j.Skipped, &warn, &j.ErrorFile, &j.ErrorBytes, &j.Error,
			&created, &started, &finished, &createdBy); err != nil {
			return nil, fmt.Errorf("exchange: read import job: %w", err)
		}
		if err := s.decode(j, tenant, id, created, started, finished, createdBy); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(opts), &j.Options)
		_ = json.Unmarshal([]byte(warn), &j.Warnings)
		out = append(out, j)
	}
	return out, rows.Err()
}

func (s jobStore) decode(j *Job, tenant, id, created, started, finished, createdBy any) error {
	str := func(raw any) (string, error) {
		v, err := s.st.D.Decode(guidAttr, raw)
		if v == nil || err != nil {
			return "", err
		}
		return v.(string), nil
	}
	tm := func(raw any) (*time.Time, error) {
		v, err := s.st.D.Decode(timeAttr, raw)
		if v == nil || err != nil {
			return nil, err
		}
		t := v.(time.Time)
		return &t, nil
	}
	var err error
	var errs []error
	j.TenantID, err = str(tenant)
	errs = append(errs, err)
	j.ID, err = str(id)
	errs = append(errs, err)
	j.CreatedBy, err = str(createdBy)
	errs = append(errs, err)
	c, err := tm(created)
	errs = append(errs, err)
	if c != nil {
		j.CreatedAt = *c
	}
	j.StartedAt, err = tm(started)
	errs = append(errs, err)
	j.FinishedAt, err = tm(finished)
	errs = append(errs, err)
	return errors.Join(errs...)
}

// get reads one job of the tenant.
func (s jobStore) get(ctx context.Context, tenant, id string) (*Job, error) {
	if _, err := guidAttr.Convert(id); err != nil {
		return nil, fault.Newf(fault.NotFound, "not_found", "import %s does not exist", id)
	}
	args := &store.Args{D: s.st.D}
	jobs, err := s.query(ctx, `tenant_id = `+args.Add(tenant)+` AND id = `+args.Add(strings.ToLower(id)), args, "")
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, fault.Newf(fault.NotFound, "not_found", "import %s does not exist", id)
	}
	return jobs[0], nil
}

// setStatus moves a job to status (with an error message, and the start or finish time it
// implies) unless it already finished.
func (s jobStore) setStatus(ctx context.Context, j *Job, status, msg string, now time.Time) error {
	args := &store.Args{D: s.st.D}
	sets := `status = ` + args.Add(status) + `, error = ` + args.Add(msg)
	switch {
	case status == StatusRunning && j.StartedAt == nil:
		j.StartedAt = &now
		sets += `, started_at = ` + args.Add(s.time(&now))
	case status == StatusDone || status == StatusFailed || status == StatusCanceled:
		j.FinishedAt = &now
		sets += `, finished_at = ` + args.Add(s.time(&now))
	}
	warn := warningsJSON(j.Warnings)
	sets += `, rows_total = ` + args.Add(j.RowsTotal) + `, warnings = ` + args.Add(warn)
	res, err := s.st.Exec(ctx, `UPDATE import_job SET `+sets+` WHERE tenant_id = `+args.Add(j.TenantID)+` AND id = `+args.Add(j.ID)+
		` AND status IN ('queued', 'running')`, args.List...)
	if err != nil {
		return fmt.Errorf("exchange: update import job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errJobGone
	}
	j.Status, j.Error = status, msg
	return nil
}

// errJobGone means the job was cancelled or advanced by another runner: this one must stop.
var errJobGone = errors.New("exchange: the import job was cancelled or is run elsewhere")

// checkpoint advances a running job to the counters of next, on the condition that nobody else
// moved it since prev rows were done. In the batch's transaction it commits with the records.
func (s jobStore) checkpoint(ctx context.Context, next *Job, prevDone int64) error {
	args := &store.Args{D: s.st.D}
	q := `UPDATE import_job SET rows_done = ` + args.Add(next.RowsDone) + `, created = ` + args.Add(next.Created) +
		`, updated = ` + args.Add(next.Updated) + `, failed = ` + args.Add(next.Failed) + `, skipped = ` + args.Add(next.Skipped) +
		`, error_file = ` + args.Add(next.ErrorFile) + `, error_bytes = ` + args.Add(next.ErrorBytes) +
		`, warnings = ` + args.Add(warningsJSON(next.Warnings)) +
		` WHERE tenant_id = ` + args.Add(next.TenantID) + ` AND id = ` + args.Add(next.ID) +
		` AND rows_done = ` + args.Add(prevDone) + ` AND status = 'running'`
	res, err := s.st.Exec(ctx, q, args.List...)
	if err != nil {
		return fmt.Errorf("exchange: import checkpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errJobGone
	}
	return nil
}

// unfinished returns the tenant's queued or running jobs of source for a file digest and entity.
func (s jobStore) unfinished(ctx context.Context, tenant, source, sha, entity string) ([]*Job, error) {
	args := &store.Args{D: s.st.D}
	return s.query(ctx, `tenant_id = `+args.Add(tenant)+` AND source = `+args.Add(source)+` AND file_sha256 = `+args.Add(sha)+
		` AND entity = `+args.Add(entity)+` AND status IN ('queued', 'running')`, args, ` ORDER BY created_at DESC`)
}

// list returns the tenant's jobs, newest first: those createdBy started, or all when it is "".
func (s jobStore) list(ctx context.Context, tenant, createdBy string, limit int) ([]*Job, error) {
	args := &store.Args{D: s.st.D}
	where := `tenant_id = ` + args.Add(tenant)
	if createdBy != "" {
		where += ` AND created_by = ` + args.Add(createdBy)
	}
	return s.query(ctx, where, args, fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, limit))
}

// resumable returns every tenant's queued or running jobs of source.
func (s jobStore) resumable(ctx context.Context, source string) ([]*Job, error) {
	args := &store.Args{D: s.st.D}
	return s.query(ctx, `source = `+args.Add(source)+` AND status IN ('queued', 'running')`, args, ` ORDER BY created_at`)
}

// warningsJSON is the stored form of a job's warnings.
func warningsJSON(ws []string) string {
	b, _ := json.Marshal(ws)
	return string(b)
}
