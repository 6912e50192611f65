package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestWriteStatementsSurviveSchemaChanges runs the same INSERT in transaction after
// transaction (cached as a prepared statement on SQLite) while the table is altered, dropped
// and created again, and while more distinct statements run than the cache holds.
func TestWriteStatementsSurviveSchemaChanges(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	ph := s.D.Placeholder
	exec := func(q string, args ...any) {
		t.Helper()
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.Exec(ctx, q, args...)
			return err
		}); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := s.Raw().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := `INSERT INTO thing (k, v) VALUES (` + ph(1) + `, ` + ph(2) + `)`
	exec(`CREATE TABLE thing (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	exec(insert, 1, "a")
	exec(insert, 2, "b")
	exec(`ALTER TABLE thing ADD COLUMN w TEXT`)
	exec(insert, 3, "c")
	exec(`UPDATE thing SET w = v WHERE k = `+ph(1), 3)
	if n := count(`SELECT COUNT(*) FROM thing WHERE w = 'c'`); n != 1 {
		t.Fatalf("rows updated through the cached statement: %d, want 1", n)
	}
	exec(`DROP TABLE thing`)
	exec(`CREATE TABLE thing (v TEXT NOT NULL, k INTEGER PRIMARY KEY)`)
	exec(insert, 4, "d")
	// More distinct statements than the cache keeps: older ones are evicted and prepared again.
	for i := 0; i < 300; i++ {
		exec(fmt.Sprintf(`UPDATE thing SET v = v || '%d' WHERE k = `+ph(1), i%10), 4)
	}
	exec(insert, 5, "e")
	if n := count(`SELECT COUNT(*) FROM thing`); n != 2 {
		t.Fatalf("rows after the table was recreated: %d, want 2", n)
	}
	var v string
	if err := s.Raw().QueryRowContext(ctx, `SELECT v FROM thing WHERE k = 4`).Scan(&v); err != nil || len(v) != 301 {
		t.Fatalf("v after 300 updates has %d characters (%v), want 301", len(v), err)
	}
	// A failing statement inside a transaction rolls the whole transaction back.
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.Exec(ctx, insert, 6, "f"); err != nil {
			return err
		}
		_, err := s.Exec(ctx, insert, 6, "again")
		return err
	})
	if err == nil {
		t.Fatal("a duplicate key was accepted")
	}
	if n := count(`SELECT COUNT(*) FROM thing`); n != 2 {
		t.Fatalf("rows after a failed transaction: %d, want 2", n)
	}
}

// TestSyncSystemAddsMissingIndexes: indexes a release adds to existing tables (the owner index
// the security model's depths use) are created when the server starts on an older database.
func TestSyncSystemAddsMissingIndexes(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	sys, _ := metadata.System()
	if _, err := s.SyncSystem(ctx, sys, ""); err != nil {
		t.Fatal(err)
	}
	name := store.IndexName("ix", "account", "owner_id")
	has := func() bool {
		t.Helper()
		q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?1`
		if s.D.Name() == "postgres" {
			q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
		}
		var n int
		if err := s.Raw().QueryRowContext(ctx, q, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if !has() {
		t.Fatal("a new database has no owner index on account")
	}
	if _, err := s.Raw().ExecContext(ctx, `DROP INDEX `+store.Quote(name)); err != nil {
		t.Fatal(err)
	}
	sys2, _ := metadata.System()
	if _, err := s.SyncSystem(ctx, sys2, ""); err != nil {
		t.Fatal(err)
	}
	if !has() {
		t.Fatal("starting on a database without the owner index did not create it")
	}
}

// TestWriteStatementsOfAnInterruptedConnection cancels a cached write while it runs (on SQLite
// the driver interrupts it) and checks that later writes and closing the store work and that the
// interrupted write left nothing. TestWriteStatementsOfADiscardedConnection (store package)
// covers the pool closing the connection under the cache.
func TestWriteStatementsOfAnInterruptedConnection(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	ph := s.D.Placeholder
	write := func(ctx context.Context, q string, args ...any) error {
		return s.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.Exec(ctx, q, args...)
			return err
		})
	}
	if err := write(ctx, `CREATE TABLE thing (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO thing (k, v) VALUES (` + ph(1) + `, ` + ph(2) + `)`
	if err := write(ctx, insert, 1, "a"); err != nil {
		t.Fatal(err)
	}
	// A write long enough to be cancelled while it runs (cached too: it is an INSERT).
	long := `INSERT INTO thing (k, v) WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT i, 'x' FROM n`
	cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	if err := write(cctx, long); err == nil {
		t.Fatal("the long write finished before it was cancelled; make it longer")
	}
	for i := 2; i < 5; i++ {
		if err := write(ctx, insert, i, "b"); err != nil {
			t.Fatalf("write %d after the interrupted one: %v", i, err)
		}
	}
	var n int
	if err := s.Raw().QueryRowContext(ctx, `SELECT COUNT(*) FROM thing`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("rows: %d (%v), want 4: the interrupted write must leave nothing", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
