package store

import (
	"context"
	"database/sql/driver"
	"path/filepath"
	"testing"
)

// TestWriteStatementsOfADiscardedConnection makes the pool close SQLite's write connection while
// statements are cached on it, as it does when the driver finds the connection unusable (an
// interrupt that arrived after its statement ended stays pending, and the pool drops the
// connection). The cache must not finalize those statements afterwards: the driver released the
// connection's context, and finalizing crashed the process (seen in CI, in App.Close).
func TestWriteStatementsOfADiscardedConnection(t *testing.T) {
	ctx := context.Background()
	// The cache is SQLite's (PostgreSQL's driver keeps its own), so this runs on SQLite whatever
	// MERIDIAN_TEST_DB says.
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	ph := s.D.Placeholder
	write := func(q string, args ...any) {
		t.Helper()
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.Exec(ctx, q, args...)
			return err
		}); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	discard := func() {
		t.Helper()
		c, err := s.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A Raw callback answering ErrBadConn makes database/sql close the driver connection.
		if err := c.Raw(func(any) error { return driver.ErrBadConn }); err == nil {
			t.Fatal("Raw did not report the bad connection")
		}
		c.Close()
	}
	write(`CREATE TABLE thing (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	insert := `INSERT INTO thing (k, v) VALUES (` + ph(1) + `, ` + ph(2) + `)`
	write(insert, 1, "a")
	discard()
	write(insert, 2, "b") // a new connection: the cache starts again without touching the old one
	write(insert, 3, "c")
	discard()
	if err := s.Close(); err != nil { // the cache's statements belong to a closed connection
		t.Fatal(err)
	}
}
