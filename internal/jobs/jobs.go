// Package jobs is Meridian's durable background work: a River queue on the database Meridian
// already uses (the riversqlite driver on SQLite, riverdatabasesql in poll-only mode on
// PostgreSQL), with retries and exponential backoff, discarded jobs kept for inspection and
// retry (`meridian jobs list|retry`), counts per state for metrics, and jobs enqueued in the
// same transaction as the change that asks for them (so a rolled-back change leaves no job).
//
// A job never runs twice to visible effect: workers make their writes and mark the job
// completed in one transaction (CompleteTx), and check the state they act on before acting.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store"
)

// Config configures a Queue.
type Config struct {
	// Workers are the job kinds this process works (nil: insert only).
	Workers *river.Workers
	// MaxWorkers is how many jobs run at once (default 4).
	MaxWorkers int
	// PollInterval is how often idle workers look for new jobs (default 1s; there is no
	// LISTEN/NOTIFY through database/sql).
	PollInterval time.Duration
	// MaxAttempts is how often a job runs before it is discarded (default 8).
	MaxAttempts int
	// Clock, when set, is the time River schedules and retries by (tests inject one).
	Clock  func() time.Time
	Logger *slog.Logger
	// TestOnly starts the client without its production start-up jitter.
	TestOnly bool
}

// Queue is the job queue of one database.
type Queue struct {
	st     *store.Store
	driver riverdriver.Driver[*sql.Tx]
	client *river.Client[*sql.Tx]
	work   bool
}

func driverFor(st *store.Store) riverdriver.Driver[*sql.Tx] {
	if st.D.Name() == "sqlite" {
		// The store's writer is one connection: River's writes take turns with Meridian's
		// instead of failing with SQLITE_BUSY.
		return riversqlite.New(st.Raw())
	}
	return riverdatabasesql.New(st.Raw())
}

// Migrate creates or upgrades River's tables (river_job, river_queue, …) on st's database.
func Migrate(ctx context.Context, st *store.Store) error {
	m, err := rivermigrate.New(driverFor(st), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("jobs: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

type clock func() time.Time

func (c clock) Now() time.Time { return c() }
func (c clock) NowOrNil() *time.Time {
	t := c()
	return &t
}

// New returns the queue on st (after Migrate). Call Start to work jobs.
func New(st *store.Store, cfg Config) (*Queue, error) {
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := driverFor(st)
	rc := &river.Config{
		Logger:                      cfg.Logger,
		MaxAttempts:                 cfg.MaxAttempts,
		FetchPollInterval:           cfg.PollInterval,
		FetchCooldown:               min(cfg.PollInterval, 100*time.Millisecond),
		PollOnly:                    true,
		TestOnly:                    cfg.TestOnly,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	}
	if cfg.Clock != nil {
		rc.Test.Time = clock(cfg.Clock)
	}
	if cfg.Workers != nil {
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
	} else {
		rc.SkipUnknownJobCheck = true
	}
	c, err := river.NewClient(d, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	return &Queue{st: st, driver: d, client: c, work: cfg.Workers != nil}, nil
}

// Start works jobs until Stop (a no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	if !q.work {
		return nil
	}
	return q.client.Start(ctx)
}

// Stop waits for running jobs to finish (or ctx to end).
func (q *Queue) Stop(ctx context.Context) error {
	if !q.work {
		return nil
	}
	return q.client.Stop(ctx)
}

// Enqueue adds a job: in ctx's write transaction when there is one (the job exists only if that
// transaction commits), otherwise on its own.
func (q *Queue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	var (
		res *rivertype.JobInsertResult
		err error
	)
	if tx := store.SQLTx(ctx); tx != nil {
		res, err = q.client.InsertTx(ctx, tx, args, opts)
	} else {
		res, err = q.client.Insert(ctx, args, opts)
	}
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// CompleteTx marks a running job completed in ctx's write transaction, so that the job's
// writes and its completion commit together (or neither does).
func CompleteTx[T river.JobArgs](ctx context.Context, st *store.Store, job *river.Job[T]) error {
	tx := store.SQLTx(ctx)
	if tx == nil {
		return errors.New("jobs: CompleteTx outside a transaction")
	}
	var err error
	if st.D.Name() == "sqlite" {
		_, err = river.JobCompleteTx[*riversqlite.Driver](ctx, tx, job)
	} else {
		_, err = river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
	}
	return err
}

// Job is one job as listed.
type Job struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Queue       string     `json:"queue"`
	Tenant      string     `json:"tenant_id,omitempty"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Args        string     `json:"args"`
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

func jobOf(r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Queue: r.Queue, Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		Args: string(r.EncodedArgs), CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(), FinalizedAt: r.FinalizedAt}
	var args struct {
		Tenant string `json:"tenant_id"`
	}
	if json.Unmarshal(r.EncodedArgs, &args) == nil {
		j.Tenant = args.Tenant
	}
	if n := len(r.Errors); n > 0 {
		j.LastError = r.Errors[n-1].Error
	}
	return j
}

// States are the job states, in the order a job goes through them.
var States = []string{"pending", "scheduled", "available", "running", "retryable", "completed", "cancelled", "discarded"}

// Filter narrows a listing of jobs. Every job's arguments carry the tenant it works for
// (`tenant_id`), which is how a tenant's administrator sees only their own.
type Filter struct {
	Tenant string // "" every tenant's (the operator's view)
	State  string // "" every state
	Kind   string // "" every kind
	Limit  int    // at most this many (default 100, at most 10,000)
}

// tenantPredicate selects a tenant's jobs by their arguments; the same SQL on both databases
// (PostgreSQL's jsonb and SQLite's JSON ->> operator).
const tenantPredicate = `args ->> 'tenant_id' = @tenant`

// CheckState refuses a state River does not have.
func CheckState(state string) error {
	if state == "" || slices.Contains(States, state) {
		return nil
	}
	return fault.Newf(fault.Invalid, "invalid_value", "unknown job state %q (one of %s)", state, strings.Join(States, ", ")).WithTarget("state")
}

// List returns the jobs f selects, newest first.
func (q *Queue) List(ctx context.Context, f Filter) ([]Job, error) {
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 100
	}
	if err := CheckState(f.State); err != nil {
		return nil, err
	}
	p := river.NewJobListParams().First(f.Limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if f.State != "" {
		p = p.States(rivertype.JobState(f.State))
	}
	if f.Kind != "" {
		p = p.Kinds(f.Kind)
	}
	if f.Tenant != "" {
		p = p.Where(tenantPredicate, river.NamedArgs{"tenant": f.Tenant})
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, jobOf(r))
	}
	return out, nil
}

// Retry makes a discarded, cancelled, completed or retryable job available to run now.
func (q *Queue) Retry(ctx context.Context, id int64) (Job, error) {
	r, err := q.client.JobRetry(ctx, id)
	if err != nil {
		return Job{}, fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	return jobOf(r), nil
}

// Cancel stops a job that has not finished: it will not run (again). A running job finishes
// its current attempt and is then not retried.
func (q *Queue) Cancel(ctx context.Context, id int64) (Job, error) {
	r, err := q.client.JobCancel(ctx, id)
	if err != nil {
		return Job{}, fmt.Errorf("jobs: cancel %d: %w", id, err)
	}
	return jobOf(r), nil
}

// Get returns one job.
func (q *Queue) Get(ctx context.Context, id int64) (Job, error) {
	r, err := q.client.JobGet(ctx, id)
	if err != nil {
		return Job{}, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return jobOf(r), nil
}

// Stats are the queue's figures for one tenant (or every tenant): how many jobs are in each
// state, per kind, and how long the longest-waiting due job has waited (the queue's lag: a
// growing lag means the workers do not keep up).
type Stats struct {
	States map[string]int64            `json:"states"`
	Kinds  map[string]map[string]int64 `json:"kinds"`
	// OldestAvailableAt is when the longest-waiting job became due; nil when none waits.
	OldestAvailableAt *time.Time `json:"oldest_available_at,omitempty"`
	LagSeconds        float64    `json:"lag_seconds"`
}

// Counts returns how many jobs are in each state (every tenant's; `meridian jobs list`).
func (q *Queue) Counts(ctx context.Context) (map[string]int64, error) {
	st, err := q.Stats(ctx, "", time.Time{})
	return st.States, err
}

// Stats counts tenant's jobs ("" every tenant's) by kind and state, with the lag at now (a
// zero now: counts only, without looking up the longest-waiting job).
func (q *Queue) Stats(ctx context.Context, tenant string, now time.Time) (Stats, error) {
	out := Stats{States: map[string]int64{}, Kinds: map[string]map[string]int64{}}
	for _, s := range States {
		out.States[s] = 0
	}
	query, args := `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state`, []any(nil)
	if tenant != "" {
		query, args = `SELECT kind, state, COUNT(*) FROM river_job WHERE args ->> 'tenant_id' = `+q.st.D.Placeholder(1)+` GROUP BY kind, state`, []any{tenant}
	}
	rows, err := q.st.Raw().QueryContext(ctx, query, args...)
	if err != nil {
		return out, fmt.Errorf("jobs: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int64
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return out, err
		}
		out.States[state] += n
		if out.Kinds[kind] == nil {
			out.Kinds[kind] = map[string]int64{}
		}
		out.Kinds[kind][state] = n
	}
	if err := rows.Err(); err != nil || out.States["available"] == 0 || now.IsZero() {
		return out, err
	}
	// The longest-waiting due job, through River's own listing (it reads its time columns on
	// both drivers).
	p := river.NewJobListParams().States(rivertype.JobStateAvailable).OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1)
	if tenant != "" {
		p = p.Where(tenantPredicate, river.NamedArgs{"tenant": tenant})
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return out, fmt.Errorf("jobs: oldest available: %w", err)
	}
	if len(res.Jobs) == 1 {
		at := res.Jobs[0].ScheduledAt.UTC()
		out.OldestAvailableAt = &at
		if now.After(at) {
			out.LagSeconds = now.Sub(at).Seconds()
		}
	}
	return out, nil
}
