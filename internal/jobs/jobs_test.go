package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

type noteArgs struct {
	Text     string `json:"text"`
	TenantID string `json:"tenant_id"`
}

func (noteArgs) Kind() string { return "test_note" }

// noteWorker writes its effect and completes the job in one transaction.
type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	st *store.Store
}

func (w *noteWorker) Work(ctx context.Context, job *river.Job[noteArgs]) error {
	return w.st.WithTx(ctx, func(ctx context.Context) error {
		if _, err := w.st.Exec(ctx, `INSERT INTO job_effect (job_id, text) VALUES (`+w.st.D.Placeholder(1)+`, `+w.st.D.Placeholder(2)+`)`, job.ID, job.Args.Text); err != nil {
			return err
		}
		return jobs.CompleteTx(ctx, w.st, job)
	})
}

type flakyArgs struct {
	TenantID string `json:"tenant_id"`
}

func (flakyArgs) Kind() string { return "test_flaky" }

// flakyWorker fails until healed.
type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
	healed *atomic.Bool
	runs   *atomic.Int32
}

func (w *flakyWorker) Work(context.Context, *river.Job[flakyArgs]) error {
	w.runs.Add(1)
	if !w.healed.Load() {
		return errors.New("the mail server said no")
	}
	return nil
}

func (w *flakyWorker) NextRetry(*river.Job[flakyArgs]) time.Time { return time.Now() }

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestQueue(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	for range 2 { // migrating again changes nothing
		if err := jobs.Migrate(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Raw().ExecContext(ctx, `CREATE TABLE job_effect (job_id BIGINT PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	healed, runs := &atomic.Bool{}, &atomic.Int32{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noteWorker{st: st})
	river.AddWorker(workers, &flakyWorker{healed: healed, runs: runs})
	q, err := jobs.New(st, jobs.Config{Workers: workers, PollInterval: 50 * time.Millisecond, MaxAttempts: 2, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}

	// A job enqueued in a transaction that rolls back never exists; one that commits does.
	boom := errors.New("rolled back")
	err = st.WithTx(ctx, func(ctx context.Context) error {
		if _, err := q.Enqueue(ctx, noteArgs{Text: "ghost", TenantID: "t-a"}, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var kept int64
	if err := st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		kept, err = q.Enqueue(ctx, noteArgs{Text: "kept", TenantID: "t-a"}, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if all, err := q.List(ctx, jobs.Filter{Limit: 10}); err != nil || len(all) != 1 || all[0].ID != kept || all[0].State != "available" || all[0].Tenant != "t-a" {
		t.Fatalf("after a rollback and a commit: %+v %v", all, err)
	}
	flaky, err := q.Enqueue(ctx, flakyArgs{TenantID: "t-b"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Each tenant sees its own jobs and figures; the lag is how long the oldest due job waited.
	for tenant, want := range map[string]int64{"t-a": kept, "t-b": flaky} {
		if got, err := q.List(ctx, jobs.Filter{Tenant: tenant}); err != nil || len(got) != 1 || got[0].ID != want {
			t.Fatalf("tenant %s lists %+v %v", tenant, got, err)
		}
	}
	if got, err := q.List(ctx, jobs.Filter{Kind: "test_flaky"}); err != nil || len(got) != 1 || got[0].ID != flaky {
		t.Fatalf("kind filter: %+v %v", got, err)
	}
	stats, err := q.Stats(ctx, "t-a", time.Now().Add(time.Hour))
	if err != nil || stats.States["available"] != 1 || stats.Kinds["test_note"]["available"] != 1 || stats.Kinds["test_flaky"] != nil ||
		stats.OldestAvailableAt == nil || stats.LagSeconds < 3500 {
		t.Fatalf("tenant stats: %+v %v", stats, err)
	}
	if none, err := q.Stats(ctx, "t-nobody", time.Now()); err != nil || none.States["available"] != 0 || len(none.Kinds) != 0 || none.OldestAvailableAt != nil {
		t.Fatalf("another tenant's stats: %+v %v", none, err)
	}

	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(c)
	})

	// The note job ran once: its effect and its completion committed together.
	waitFor(t, "the note job to complete", func() bool { j, err := q.Get(ctx, kept); return err == nil && j.State == "completed" })
	var n int
	var text string
	if err := st.Raw().QueryRowContext(ctx, `SELECT COUNT(*), MAX(text) FROM job_effect`).Scan(&n, &text); err != nil || n != 1 || text != "kept" {
		t.Fatalf("effects: %d %q %v", n, text, err)
	}

	// The flaky job fails twice (MaxAttempts 2) and is discarded, with its error kept.
	waitFor(t, "the flaky job to be discarded", func() bool { j, err := q.Get(ctx, flaky); return err == nil && j.State == "discarded" })
	dead, err := q.List(ctx, jobs.Filter{State: "discarded", Limit: 10})
	if err != nil || len(dead) != 1 || dead[0].ID != flaky || dead[0].Attempt != 2 || dead[0].LastError != "the mail server said no" {
		t.Fatalf("dead letters: %+v %v", dead, err)
	}
	counts, err := q.Counts(ctx)
	if err != nil || counts["discarded"] != 1 || counts["completed"] != 1 {
		t.Fatalf("counts: %v %v", counts, err)
	}
	if _, err := q.List(ctx, jobs.Filter{State: "zombie"}); err == nil {
		t.Error("an unknown state is accepted")
	}

	// Retried by hand after the cause is fixed, it completes.
	healed.Store(true)
	if _, err := q.Retry(ctx, flaky); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried job to complete", func() bool { j, err := q.Get(ctx, flaky); return err == nil && j.State == "completed" })
	if got := runs.Load(); got != 3 {
		t.Errorf("the flaky job ran %d times, want 3", got)
	}
}
