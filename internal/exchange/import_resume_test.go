package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
)

// bigFile writes n accounts; every 37th row lacks its name (a bad row).
func bigFile(e *env, n int) (path string, bad int) {
	rows := [][]string{{"name", "account_number", "city", "employees"}}
	for i := range n {
		name := fmt.Sprintf("Account %05d", i)
		if i%37 == 36 {
			name, bad = "", bad+1
		}
		rows = append(rows, []string{name, fmt.Sprintf("K-%05d", i), "Shanghai", strconv.Itoa(i)})
	}
	return e.file("big.csv", csvBytes(',', rows...)), bad
}

var errCrash = errors.New("simulated crash")

// TestImportResume: an import stopped mid-way — after a committed batch, inside a batch's
// transaction (after CreateMany wrote rows), or by a cancelled context — resumes from its
// checkpoint; every row then exists exactly once and the counters and error file are exact.
func TestImportResume(t *testing.T) {
	const n, size = 550, 100
	cases := []struct {
		name  string
		stage string // the hook stage that fails
		at    int64  // when the job's rows_done is this
		done  int64  // rows_done after the crash
	}{
		{"after a committed batch", "committed", 200, 200},
		{"inside a batch transaction", "batch", 300, 200},
		{"context cancelled", "cancel", 400, 300},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			path, bad := bigFile(e, n)
			ctx, cancel := context.WithCancel(e.ctx)
			defer cancel()
			undo := exchange.SetTestHook(func(stage string, j *exchange.Job) error {
				switch {
				case tc.stage == "cancel" && stage == "batch" && j.RowsDone == tc.at:
					cancel()
				case stage == tc.stage && j.RowsDone == tc.at:
					return errCrash
				}
				return nil
			})
			req := exchange.Request{Entity: "account", Path: path, BatchSize: size, Source: exchange.SourceCLI, Resume: true}
			j, resumed, err := e.im.Start(ctx, req)
			if err != nil || resumed {
				t.Fatal(err, resumed)
			}
			_, err = e.im.Run(ctx, j, nil)
			undo()
			if err == nil {
				t.Fatal("the run was not interrupted")
			}
			got, _ := e.im.Job(e.ctx, j.ID)
			if got.Status != exchange.StatusRunning || got.RowsDone != tc.done || got.RowsTotal != n {
				t.Fatalf("after the crash: status %s, %d of %d rows done", got.Status, got.RowsDone, got.RowsTotal)
			}
			if c := int64(len(e.all(e.ctx, "account", nil))); c != got.Created || c != tc.done-got.Failed {
				t.Fatalf("%d accounts after the crash; the job counts %d created, %d failed", c, got.Created, got.Failed)
			}
			// Other options do not resume it by accident.
			other := req
			other.UpsertKey = []string{"account_number"}
			if _, _, err := e.im.Start(e.ctx, other); fault.CodeOf(err) != "import_in_progress" {
				t.Fatalf("start with other options: %v", err)
			}
			j2, resumed, err := e.im.Start(e.ctx, req)
			if err != nil || !resumed || j2.ID != j.ID {
				t.Fatalf("resume: %v resumed=%v id %s vs %s", err, resumed, j2.ID, j.ID)
			}
			var first exchange.Progress
			s, err := e.im.Run(e.ctx, j2, func(p exchange.Progress) {
				if first.RowsTotal == 0 {
					first = p
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.ResumedAt != tc.done || first.RowsDone != tc.done {
				t.Fatalf("resumed at %d (first progress %d), want %d", s.ResumedAt, first.RowsDone, tc.done)
			}
			wantCounts(t, s, int64(n-bad), 0, 0, int64(bad))
			accts := e.all(e.ctx, "account", nil)
			seen := map[string]bool{}
			for _, a := range accts {
				k := text(a.Get("account_number"))
				if seen[k] {
					t.Fatalf("account %s imported twice", k)
				}
				seen[k] = true
			}
			if len(accts) != n-bad {
				t.Fatalf("%d accounts, want %d", len(accts), n-bad)
			}
			rep := errorRows(t, s.ErrorFile)
			if len(rep) != bad {
				t.Fatalf("%d error rows, want %d", len(rep), bad)
			}
			for i, r := range rep {
				if want := strconv.Itoa(2 + 36 + 37*i); r["_line"] != want || r["_code"] != "required" {
					t.Fatalf("error row %d: line %s code %s, want line %s", i, r["_line"], r["_code"], want)
				}
			}
			final, _ := e.im.Job(e.ctx, j.ID)
			if final.Status != exchange.StatusDone || final.RowsDone != n || final.Progress() != 100 || final.FinishedAt == nil {
				t.Fatalf("final job %+v", final)
			}
			// Running the same import again starts a new job (the old one is done) and finds
			// every row there.
			s, _ = e.run(exchange.Request{Entity: "account", Path: path, Resume: true})
			wantCounts(t, s, 0, 0, 0, int64(n))
		})
	}
}

// TestImportRestartAndChangedFile: --restart abandons an unfinished job; a file that changed
// under a job fails it.
func TestImportRestartAndChangedFile(t *testing.T) {
	e := newEnv(t)
	path, _ := bigFile(e, 120)
	undo := exchange.SetTestHook(func(stage string, j *exchange.Job) error {
		if stage == "committed" {
			return errCrash
		}
		return nil
	})
	req := exchange.Request{Entity: "account", Path: path, BatchSize: 50, Source: exchange.SourceCLI, Resume: true}
	j, _, _ := e.im.Start(e.ctx, req)
	if _, err := e.im.Run(e.ctx, j, nil); !errors.Is(err, errCrash) {
		t.Fatalf("crash: %v", err)
	}
	undo()
	req.Restart = true
	j2, resumed, err := e.im.Start(e.ctx, req)
	if err != nil || resumed || j2.ID == j.ID {
		t.Fatalf("restart: %v %v", err, resumed)
	}
	if old, _ := e.im.Job(e.ctx, j.ID); old.Status != exchange.StatusCanceled {
		t.Fatalf("the restarted job is %s", old.Status)
	}
	if _, err := e.im.Run(e.ctx, j, nil); fault.CodeOf(err) != "import_finished" {
		t.Fatalf("running a canceled job: %v", err)
	}
	if err := os.WriteFile(path, []byte("name\nchanged\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.im.Run(e.ctx, j2, nil); fault.CodeOf(err) != "file_changed" {
		t.Fatalf("changed file: %v", err)
	}
	if got, _ := e.im.Job(e.ctx, j2.ID); got.Status != exchange.StatusFailed || got.Error == "" {
		t.Fatalf("job of a changed file: %s %q", got.Status, got.Error)
	}
}

// TestRunnerResumesServerJobs: a server's jobs left queued or running are resumed by
// Runner.Resume (at start-up) and finish; Close stops them resumably.
func TestRunnerResumesServerJobs(t *testing.T) {
	e := newEnv(t)
	path, bad := bigFile(e, 300)
	crashed := false
	undo := exchange.SetTestHook(func(stage string, j *exchange.Job) error {
		if stage == "committed" && !crashed {
			crashed = true
			return errCrash
		}
		return nil
	})
	defer undo()
	j, _, err := e.im.Start(e.ctx, exchange.Request{Entity: "account", Path: path, BatchSize: 100, Source: exchange.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.im.Run(e.ctx, j, nil); !errors.Is(err, errCrash) {
		t.Fatalf("crash: %v", err)
	}
	r := exchange.NewRunner(e.im, e.dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer r.Close()
	n, err := r.Resume(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("resumed %d jobs: %v", n, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := r.Job(e.ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == exchange.StatusDone {
			if got.Created != int64(300-bad) || got.Failed != int64(bad) || got.Progress() != 100 {
				t.Fatalf("resumed job %+v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s at %d rows", got.Status, got.RowsDone)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c := len(e.all(e.ctx, "account", nil)); c != 300-bad {
		t.Fatalf("%d accounts", c)
	}
	if _, err := r.Cancel(e.ctx, j.ID); fault.CodeOf(err) != "import_finished" {
		t.Fatalf("cancel a finished job: %v", err)
	}
}
