package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// DefaultBatchSize is how many rows an import writes per transaction.
const DefaultBatchSize = 5000

// Importer reads CSV and XLSX files into records of one entity. Every row goes through the
// records service (CreateMany, Update), so it is validated, versioned, logged and audited like
// any other write; each batch commits together with the job's checkpoint, so an interrupted
// import resumes where it stopped without half-written batches or duplicates.
type Importer struct {
	// Limits bound what a file may expand to (zero fields: the defaults).
	Limits Limits
	svc    *records.Service
	st     *store.Store
	jobs   jobStore
	clock  func() time.Time
	// Duplicates, when set, describes the possible duplicates of the records one batch of the
	// import created (ids, with their input values), a list per record, at most max lines in
	// all: each becomes a warning of the import, the rows are kept.
	Duplicates func(ctx context.Context, entity string, ids []string, vals []map[string]any, max int) ([][]string, error)
}

// NewImporter returns an importer writing through svc.
func NewImporter(svc *records.Service) *Importer {
	return &Importer{svc: svc, st: svc.Store(), jobs: jobStore{svc.Store()}, clock: time.Now}
}

func (im *Importer) limits() Limits { return im.Limits.orDefault() }

// Request describes an import to start.
type Request struct {
	Entity    string   // entity or entity set name
	Path      string   // the file: CSV (comma, semicolon or tab; UTF-8, UTF-16 or GB18030) or XLSX
	Name      string   // the file's name as the user knows it (default: the base of Path)
	Source    string   // SourceCLI or SourceAPI
	JobID     string   // the new job's id (default: a new UUIDv7)
	Mapping   *Mapping // optional
	UpsertKey []string // id, a unique attribute or an alternate key; empty to create
	DryRun    bool     // validate everything, keep nothing
	BatchSize int      // rows per transaction (default DefaultBatchSize)
	ErrorPath string   // the error file (default: beside Path, NAME.errors.csv)
	// Resume continues an unfinished job of the same source, tenant, entity and file content
	// (same SHA-256) instead of starting a new one; Restart cancels such a job and starts over.
	Resume, Restart bool
}

// Progress reports how far a job is.
type Progress struct {
	RowsTotal, RowsDone, Created, Updated, Skipped, Failed int64
}

// Summary is the outcome of an import.
type Summary struct {
	JobID      string        `json:"job_id"`
	Entity     string        `json:"entity"`
	DryRun     bool          `json:"dry_run"`
	Total      int64         `json:"total"`
	Created    int64         `json:"created"`
	Updated    int64         `json:"updated"`
	Skipped    int64         `json:"skipped"`
	Failed     int64         `json:"failed"`
	Warnings   []string      `json:"warnings"`
	ErrorFile  string        `json:"error_file,omitempty"` // set when rows failed
	ResumedAt  int64         `json:"resumed_at"`           // rows already done when this run started
	Duration   time.Duration `json:"duration"`             // of this run
	RowsPerSec float64       `json:"rows_per_sec"`         // rows this run processed per second
}

func (im *Importer) caller(ctx context.Context) (principal.Principal, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return p, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	return p, nil
}

// entity resolves an entity or entity set name to a writable entity of the caller's data model.
func (im *Importer) entity(ctx context.Context, name string) (*metadata.Model, *metadata.Entity, error) {
	m, err := im.svc.Model(ctx)
	if err != nil {
		return nil, nil, err
	}
	e := m.EntityBySet(name)
	if e == nil {
		e = m.Entity(name)
	}
	if e == nil {
		return nil, nil, fault.Field("entity", "unknown_entity", "%s is not an entity or entity set", name)
	}
	if e.ReadOnly() {
		return nil, nil, fault.Field("entity", "read_only_entity", "%s records are read-only", e.SetName)
	}
	return m, e, nil
}

// open sniffs the file, reads its header and maps it. It returns the table positioned at the
// first data row; the caller closes it.
func (im *Importer) open(path string, m *metadata.Model, e *metadata.Entity, mp *Mapping, upsert []string) (fileInfo, *plan, table, error) {
	info, err := sniff(path)
	if err != nil {
		return info, nil, nil, err
	}
	t, err := openTable(path, info, im.limits())
	if err != nil {
		return info, nil, nil, err
	}
	header, _, err := readHeader(t)
	if err != nil {
		t.Close()
		return info, nil, nil, err
	}
	p, err := buildPlan(m, e, header, mp, upsert)
	if err != nil {
		t.Close()
		return info, nil, nil, err
	}
	if x, ok := t.(*xlsxTable); ok {
		p.date1904 = x.date04
	}
	return info, p, t, nil
}

// Start checks the file and the options and creates the job (status queued), or finds the
// unfinished job of the same file to resume (the bool is true then). It acts as the principal
// of ctx.
func (im *Importer) Start(ctx context.Context, req Request) (*Job, bool, error) {
	p, err := im.caller(ctx)
	if err != nil {
		return nil, false, err
	}
	m, e, err := im.entity(ctx, req.Entity)
	if err != nil {
		return nil, false, err
	}
	if err := im.authorize(ctx, e, req.UpsertKey); err != nil {
		return nil, false, err
	}
	info, pl, t, err := im.open(req.Path, m, e, req.Mapping, req.UpsertKey)
	if err != nil {
		return nil, false, err
	}
	// Reading the whole file now checks it against the limits before a job exists.
	rows, err := count(t)
	t.Close()
	if err != nil {
		return nil, false, err
	}
	if req.BatchSize <= 0 {
		req.BatchSize = DefaultBatchSize
	}
	opts := JobOptions{UpsertKey: req.UpsertKey, DryRun: req.DryRun, BatchSize: req.BatchSize, Mapping: req.Mapping,
		Encoding: info.Encoding, Columns: pl.named, As: &JobPrincipal{UserID: p.UserID, Name: p.Name, Method: p.Method, Admin: p.Admin}}
	if req.Resume && !req.DryRun {
		prev, err := im.jobs.unfinished(ctx, p.TenantID, req.Source, info.SHA256, e.Name)
		if err != nil {
			return nil, false, err
		}
		for _, j := range prev {
			if j.Options.DryRun {
				continue
			}
			switch {
			case req.Restart:
				if err := im.jobs.setStatus(ctx, j, StatusCanceled, "restarted", im.clock().UTC()); err != nil && !errors.Is(err, errJobGone) {
					return nil, false, err
				}
			case sameOptions(j.Options, opts):
				return j, true, nil
			default:
				return nil, false, fault.Newf(fault.Conflict, "import_in_progress",
					"an unfinished import of this file into %s with other options exists (job %s, %d of %d rows done): run it again with the same options to resume it, or restart it",
					e.SetName, j.ID, j.RowsDone, j.RowsTotal)
			}
		}
	}
	name := req.Name
	if name == "" {
		name = filepath.Base(req.Path)
	}
	id := req.JobID
	if id == "" {
		id = uuid.Must(uuid.NewV7()).String()
	}
	errPath := req.ErrorPath
	if errPath == "" {
		errPath = strings.TrimSuffix(req.Path, filepath.Ext(req.Path)) + ".errors.csv"
	}
	abs, err := filepath.Abs(req.Path)
	if err != nil {
		return nil, false, err
	}
	if errPath, err = filepath.Abs(errPath); err != nil {
		return nil, false, err
	}
	j := &Job{TenantID: p.TenantID, ID: id, Entity: e.Name, Source: req.Source, FileName: name, FilePath: abs,
		SHA256: info.SHA256, Format: string(info.Format), Options: opts, Status: StatusQueued, Warnings: pl.warnings, RowsTotal: rows,
		ErrorFile: errPath, CreatedAt: im.clock().UTC(), CreatedBy: p.UserID}
	if err := im.jobs.insert(ctx, j); err != nil {
		return nil, false, err
	}
	return j, false, nil
}

func sameOptions(a, b JobOptions) bool {
	ja, _ := json.Marshal([]any{a.UpsertKey, a.Mapping})
	jb, _ := json.Marshal([]any{b.UpsertKey, b.Mapping})
	return string(ja) == string(jb)
}

// Cancel stops a queued or running job of ctx's tenant; a batch in flight is rolled back.
func (im *Importer) Cancel(ctx context.Context, id string) (*Job, error) {
	j, err := im.Job(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.Finished() {
		return nil, fault.Newf(fault.Conflict, "import_finished", "import %s is %s already", id, j.Status)
	}
	if err := im.jobs.setStatus(ctx, j, StatusCanceled, "canceled", im.clock().UTC()); err != nil && !errors.Is(err, errJobGone) {
		return nil, err
	}
	return im.jobs.get(ctx, j.TenantID, j.ID)
}

// Run imports the file of job j from the row it reached, acting as the principal of ctx (which
// must be of the job's tenant). Rows that fail go to the error file; the job fails only on a
// problem that affects every row. An interruption (cancelled ctx, crash, database outage)
// leaves the job running: running it again resumes it.
func (im *Importer) Run(ctx context.Context, j *Job, progress func(Progress)) (*Summary, error) {
	started := im.clock()
	p, err := im.caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.TenantID != j.TenantID {
		return nil, fault.New(fault.Permission, "forbidden", "the import belongs to another tenant")
	}
	fresh, err := im.jobs.get(ctx, j.TenantID, j.ID)
	if err != nil {
		return nil, err
	}
	*j = *fresh
	if j.Finished() {
		if j.Status != StatusDone {
			return nil, fault.Newf(fault.Conflict, "import_finished", "import %s is %s", j.ID, j.Status)
		}
		return im.summary(j, j.RowsDone, started), nil
	}
	r := &run{im: im, job: j, progress: progress, finder: &finder{svc: im.svc, cache: map[string]lookupHit{}}}
	from := j.RowsDone
	err = r.run(ctx)
	if err == nil {
		return im.summary(j, from, started), nil
	}
	return nil, im.fail(ctx, j, err)
}

// fail records why a run stopped: a fault that would recur fails the job; an interruption keeps
// it resumable.
func (im *Importer) fail(ctx context.Context, j *Job, err error) error {
	if errors.Is(err, errJobGone) {
		return fault.Newf(fault.Conflict, "import_canceled", "import %s was canceled or is run elsewhere", j.ID)
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if fe, ok := fault.As(err); ok && fe.Kind != fault.Internal && !errors.Is(err, errInterrupted) {
		if e := im.jobs.setStatus(bg, j, StatusFailed, fe.Message, im.clock().UTC()); e != nil && !errors.Is(e, errJobGone) {
			return errors.Join(err, e)
		}
		return err
	}
	msg := "interrupted: " + err.Error()
	if ctx.Err() != nil {
		msg = "interrupted"
	}
	_ = im.jobs.setStatus(bg, j, StatusRunning, msg, im.clock().UTC())
	return err
}

func (im *Importer) summary(j *Job, from int64, started time.Time) *Summary {
	d := im.clock().Sub(started)
	s := &Summary{JobID: j.ID, Entity: j.Entity, DryRun: j.Options.DryRun, Total: j.RowsTotal, Created: j.Created,
		Updated: j.Updated, Skipped: j.Skipped, Failed: j.Failed, Warnings: j.Warnings, ResumedAt: from, Duration: d}
	if j.ErrorBytes > 0 {
		s.ErrorFile = j.ErrorFile
	}
	if d > 0 {
		s.RowsPerSec = float64(j.RowsDone-from) / d.Seconds()
	}
	return s
}
