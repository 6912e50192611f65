package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/exchange/exchangetest"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// writeAccounts writes n accounts as CSV; every bad-th row (0: none) lacks its name.
func writeAccounts(t *testing.T, path string, n, bad int) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"Account name", "Account number", "City", "Industry"})
	for i := range n {
		name := fmt.Sprintf("Account %06d", i)
		if bad > 0 && i%bad == bad-1 {
			name = ""
		}
		_ = w.Write([]string{name, fmt.Sprintf("N-%06d", i), "上海", "Technology"})
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// runBoth executes the CLI and returns standard output and standard error.
func runBoth(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestImportCommand(t *testing.T) {
	db := storetest.DSN(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "accounts.csv")
	writeAccounts(t, file, 30, 10)
	out, errOut, err := runBoth(t, "import", file, "--db", db, "--entity", "accounts", "--dry-run", "--batch-size", "7")
	if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "created  27") || !strings.Contains(out, "failed   3") {
		t.Fatalf("dry run: %v\n%s\n%s", err, out, errOut)
	}
	out, errOut, err = runBoth(t, "import", file, "--db", db, "--entity", "accounts", "--batch-size", "7")
	if err != nil || !strings.Contains(out, "imported 30 rows of accounts.csv into accounts") || !strings.Contains(out, "created  27") ||
		!strings.Contains(out, "3 rows failed: see "+filepath.Join(dir, "accounts.errors.csv")) {
		t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(errOut, "importing accounts") || !strings.Contains(errOut, "rows/s") {
		t.Fatalf("no progress bar on standard error: %q", errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "accounts.errors.csv"))
	if err != nil || strings.Count(string(raw), "\n") != 4 || !strings.Contains(string(raw), ",required,") {
		t.Fatalf("error file %q %v", raw, err)
	}
	// The same file again with an upsert key and a mapping: nothing changes.
	mapping := filepath.Join(dir, "map.yaml")
	_ = os.WriteFile(mapping, []byte("columns:\n  Industry: \"-\"\n"), 0o600)
	out, errOut, err = runBoth(t, "import", file, "--db", db, "--entity", "account", "--upsert-key", "account_number", "--map", mapping, "--no-progress")
	if err != nil || !strings.Contains(out, "skipped  27") || errOut != "" {
		t.Fatalf("upsert: %v\n%s\n%q", err, out, errOut)
	}
	// A new row that looks like an existing account is imported, with a warning naming it.
	dup := filepath.Join(dir, "dup.csv")
	_ = os.WriteFile(dup, []byte("Account name,Account number\nAccount 000005,X-1\nSomething else entirely,X-2\n"), 0o600)
	out, errOut, err = runBoth(t, "import", dup, "--db", db, "--entity", "accounts", "--no-progress")
	if err != nil || !strings.Contains(out, "created  2") || !strings.Contains(out, `"Account 000005" (matched by name, score 1)`) ||
		strings.Contains(out, "line 3:") {
		t.Fatalf("duplicates: %v\n%s\n%q", err, out, errOut)
	}
	// Fatal problems exit non-zero.
	if _, _, err := runBoth(t, "import", filepath.Join(dir, "missing.csv"), "--db", db, "--entity", "accounts"); err == nil {
		t.Fatal("a missing file must fail")
	}
	if _, _, err := runBoth(t, "import", file, "--db", db, "--entity", "accounts", "--upsert-key", "city"); err == nil || !strings.Contains(err.Error(), "not a key") {
		t.Fatalf("a bad upsert key: %v", err)
	}
}

// TestImportKilledAndResumed runs the real binary on 60,000 rows, kills it with SIGKILL once a
// batch has committed, and runs it again: it resumes from the checkpoint and every account
// exists exactly once.
func TestImportKilledAndResumed(t *testing.T) {
	if testing.Short() && os.Getenv("CI") == "" { // CI always runs it
		t.Skip("-short: builds the binary and imports 60,000 rows")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "meridian")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 60000
	file := filepath.Join(dir, "big.csv")
	writeAccounts(t, file, n, 0)
	dbPath := filepath.Join(dir, "kill.db")
	db := "sqlite:" + dbPath
	args := []string{"import", file, "--entity", "accounts", "--db", db, "--no-progress"}

	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var st *store.Store
	done, killedAt := int64(0), int64(0)
	deadline := time.Now().Add(2 * time.Minute)
	for killedAt == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no batch committed in time\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
		if st == nil {
			if _, err := os.Stat(dbPath); err != nil {
				continue
			}
			s, err := store.Open(ctx, db)
			if err != nil {
				continue
			}
			st = s
			defer st.Close()
		}
		if err := st.DB(ctx).QueryRowContext(ctx, `SELECT rows_done FROM import_job`).Scan(&done); err != nil || done == 0 {
			continue
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		killedAt = done
	}
	var status string
	var accounts int64
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT rows_done, status FROM import_job`).Scan(&done, &status); err != nil {
		t.Fatal(err)
	}
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM account`).Scan(&accounts); err != nil {
		t.Fatal(err)
	}
	if status != "running" || done >= n || accounts != done {
		t.Fatalf("after kill -9: status %s, rows_done %d, %d accounts: want a running job whose checkpoint matches the rows", status, done, accounts)
	}
	t.Logf("killed at rows_done=%d (first seen %d)", done, killedAt)

	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "resuming job") || !strings.Contains(string(out), fmt.Sprintf("at row %d of %d", done, n)) {
		t.Fatalf("the second run did not resume:\n%s", out)
	}
	var total, distinct, counted int64
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT account_number) FROM account`).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT rows_done, status, created FROM import_job`).Scan(&done, &status, &counted); err != nil {
		t.Fatal(err)
	}
	if total != n || distinct != n || done != n || counted != n || status != "done" {
		t.Fatalf("%d accounts (%d distinct), job %s with %d rows done and %d created; want %d of each", total, distinct, status, done, counted, n)
	}
	var versions int64
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM change_log WHERE entity = 'account'`).Scan(&versions); err != nil || versions != n {
		t.Fatalf("%d change log rows for %d accounts: %v", versions, n, err)
	}
}

// TestImportCommandRefusesFilesOverLimits: the command refuses a file over the import limits
// before it imports anything, naming the limit: a workbook holding a 400 MB string under the
// default limits, and a CSV file of more rows than MERIDIAN_IMPORT_MAX_ROWS allows.
func TestImportCommandRefusesFilesOverLimits(t *testing.T) {
	db := storetest.DSN(t)
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.xlsx")
	f, err := os.Create(bomb)
	if err != nil {
		t.Fatal(err)
	}
	if err := exchangetest.InlineStringXLSX(f, []string{"name"}, 400<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, errOut, err := runBoth(t, "import", bomb, "--db", db, "--entity", "accounts", "--no-progress")
	if err == nil || !strings.Contains(err.Error(), "MERIDIAN_IMPORT_MAX_CELL_BYTES") {
		t.Fatalf("bomb: %v\n%s", err, errOut)
	}
	file := filepath.Join(dir, "accounts.csv")
	writeAccounts(t, file, 3, 0)
	t.Setenv("MERIDIAN_IMPORT_MAX_ROWS", "2")
	_, errOut, err = runBoth(t, "import", file, "--db", db, "--entity", "accounts", "--no-progress")
	if err == nil || !strings.Contains(err.Error(), "more than 2 rows") {
		t.Fatalf("3 rows with MERIDIAN_IMPORT_MAX_ROWS=2: %v\n%s", err, errOut)
	}
	t.Setenv("MERIDIAN_IMPORT_MAX_ROWS", "3")
	if out, errOut, err := runBoth(t, "import", file, "--db", db, "--entity", "accounts", "--no-progress"); err != nil || !strings.Contains(out, "created  3") {
		t.Fatalf("3 rows with MERIDIAN_IMPORT_MAX_ROWS=3: %v\n%s\n%s", err, out, errOut)
	}
}
