// Package storetest opens a fresh, migrated database for tests: a temporary SQLite file by
// default, or a fresh PostgreSQL schema when MERIDIAN_TEST_DB=postgres. With CI set, an
// unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/store"
)

// DefaultPostgres is used when MERIDIAN_TEST_POSTGRES is not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialect returns the database kind the tests run on: "sqlite" or "postgres".
func Dialect() string {
	if os.Getenv("MERIDIAN_TEST_DB") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// DSN returns a connection string for a fresh, empty database and registers its removal.
func DSN(t testing.TB) string {
	t.Helper()
	if Dialect() == "postgres" {
		return postgresSchema(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "meridian.db")
}

// Open returns a store on a fresh database with the system migrations applied.
func Open(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func postgresSchema(t testing.TB) string {
	base := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(context.Background())
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is unreachable (CI requires it): %v", base, err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// EnsureRole creates the PostgreSQL role name (NOLOGIN, subject to row-level security) when it
// does not exist — the application role requests run as in tests of that mode.
func EnsureRole(t testing.TB, name string) {
	t.Helper()
	base := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '` + strings.ReplaceAll(name, "'", "''") +
		`') THEN CREATE ROLE ` + store.Quote(name) + ` NOLOGIN NOBYPASSRLS; END IF; END$$`)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("role %s: %v", name, err)
	}
}

// Columns returns the column names of table, read from the database catalog (none when the table
// does not exist).
func Columns(t testing.TB, st *store.Store, table string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM pragma_table_info('` + table + `')`
	if st.D.Name() == "postgres" {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '` + table + `'`
	}
	rows, err := st.DB(ctx).QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[n] = true
	}
	return out
}
