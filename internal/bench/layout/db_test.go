package layout

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"               // the "sqlite" database/sql driver

	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// currentDialect is the database the tests and benchmarks run on (MERIDIAN_TEST_DB).
func currentDialect() dialect {
	if storetest.Dialect() == "postgres" {
		return postgresDB
	}
	return sqliteDB
}

// sqlitePragmas are the store's connection settings (internal/store/store.go).
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
	"&_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)"

// openSQLite opens path as the store does: the writer (one connection, immediate transactions)
// or a reader pool (query_only) of conns connections.
func openSQLite(path string, writer bool, conns int) (*sql.DB, error) {
	dsn := "file:" + path + "?" + sqlitePragmas
	if writer {
		dsn += "&_txlock=immediate"
		conns = 1
	} else {
		dsn += "&_pragma=query_only(1)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	return db, nil
}

// postgresBase returns the PostgreSQL server of the tests, with params (e.g.
// "default_query_exec_mode=exec") added to its connection string.
func postgresBase(params string) string {
	base := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if base == "" {
		base = storetest.DefaultPostgres
	}
	if params == "" {
		return base
	}
	if strings.Contains(base, "?") {
		return base + "&" + params
	}
	return base + "?" + params
}

// openPostgres opens the PostgreSQL server of the tests; unreachable, it skips tb, or fails it
// when CI is set (as storetest does).
func openPostgres(tb testing.TB, params string, conns int) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", postgresBase(params))
	if err == nil {
		err = db.PingContext(context.Background())
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("PostgreSQL is unreachable (CI requires it): %v", err)
		}
		tb.Skipf("PostgreSQL unreachable: %v", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db
}

// openTestDB opens a fresh, empty database of the current dialect for a test: a temporary
// SQLite file, or a fresh PostgreSQL schema (storetest's) on the search path.
func openTestDB(t *testing.T) *sql.DB {
	t.Helper()
	dsn := storetest.DSN(t)
	var db *sql.DB
	var err error
	if currentDialect() == sqliteDB {
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"), true, 1)
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// runPrefix returns a fresh name for the PostgreSQL schemas of one run.
func runPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "layoutbench_" + hex.EncodeToString(b[:])
}

// vacuumCatalogs reclaims the catalog rows that creating and dropping many relations leaves
// behind: the development server runs without autovacuum, and the database is shared.
func vacuumCatalogs(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `VACUUM pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_type,
		pg_catalog.pg_depend, pg_catalog.pg_index, pg_catalog.pg_constraint, pg_catalog.pg_policy,
		pg_catalog.pg_namespace, pg_catalog.pg_rewrite, pg_catalog.pg_shdepend`)
	return err
}

// catalogStats are the catalog entries and bytes a layout takes.
type catalogStats struct {
	relations, tables, indexes, views, toast int   // PostgreSQL pg_class rows (toast tables and their indexes included); SQLite sqlite_master rows
	attributes                               int   // PostgreSQL pg_attribute rows
	catalogBytes                             int64 // PostgreSQL: tuple bytes of the layout's rows in the main catalogs (without their indexes)
	diskBytes                                int64 // PostgreSQL: the relations' files; SQLite: the database file
}

// postgresStats counts the catalog entries of the schemas whose name matches pattern (LIKE).
func postgresStats(ctx context.Context, db *sql.DB, pattern string) (catalogStats, error) {
	var s catalogStats
	err := db.QueryRowContext(ctx, `
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname LIKE $1),
rel AS (SELECT c.oid, c.relkind, c.reltoastrelid FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)),
toast AS (SELECT reltoastrelid AS oid FROM rel WHERE reltoastrelid <> 0),
toastidx AS (SELECT indexrelid AS oid FROM pg_index WHERE indrelid IN (SELECT oid FROM toast)),
allrel AS (SELECT oid FROM rel UNION ALL SELECT oid FROM toast UNION ALL SELECT oid FROM toastidx)
SELECT (SELECT count(*) FROM allrel),
	(SELECT count(*) FROM rel WHERE relkind = 'r'),
	(SELECT count(*) FROM rel WHERE relkind = 'i'),
	(SELECT count(*) FROM rel WHERE relkind = 'v'),
	(SELECT count(*) FROM toast) + (SELECT count(*) FROM toastidx),
	(SELECT count(*) FROM pg_attribute WHERE attrelid IN (SELECT oid FROM allrel)),
	(SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM pg_class c WHERE oid IN (SELECT oid FROM allrel))
	+ (SELECT coalesce(sum(pg_column_size(a.*)), 0) FROM pg_attribute a WHERE attrelid IN (SELECT oid FROM allrel))
	+ (SELECT coalesce(sum(pg_column_size(i.*)), 0) FROM pg_index i WHERE indexrelid IN (SELECT oid FROM allrel))
	+ (SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM pg_type t WHERE typnamespace IN (SELECT oid FROM ns) OR typrelid IN (SELECT oid FROM toast))
	+ (SELECT coalesce(sum(pg_column_size(d.*)), 0) FROM pg_depend d WHERE classid = 'pg_class'::regclass AND objid IN (SELECT oid FROM allrel))
	+ (SELECT coalesce(sum(pg_column_size(p.*)), 0) FROM pg_policy p WHERE polrelid IN (SELECT oid FROM rel))
	+ (SELECT coalesce(sum(pg_column_size(k.*)), 0) FROM pg_constraint k WHERE conrelid IN (SELECT oid FROM rel)),
	(SELECT coalesce(sum(pg_total_relation_size(oid)), 0) FROM rel WHERE relkind = 'r')`, pattern).Scan(
		&s.relations, &s.tables, &s.indexes, &s.views, &s.toast, &s.attributes, &s.catalogBytes, &s.diskBytes)
	return s, err
}

// sqliteStats counts the schema entries of the SQLite database at path (db is its writer) and
// measures its file once the write-ahead log is checkpointed into it.
func sqliteStats(ctx context.Context, db *sql.DB, path string) (catalogStats, error) {
	var s catalogStats
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return s, err
	}
	err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE type = 'table'),
		count(*) FILTER (WHERE type = 'index'), count(*) FILTER (WHERE type = 'view') FROM sqlite_master`).Scan(
		&s.relations, &s.tables, &s.indexes, &s.views)
	if err != nil {
		return s, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return s, err
	}
	s.diskBytes = fi.Size()
	return s, nil
}

// backendMemory returns the memory of the PostgreSQL backend behind c: the bytes in use in its
// CacheMemoryContext and every context below it (relation, catalog and plan caches), the bytes
// all its contexts hold, and the number of indexes in its relation cache (an "index info"
// context each). In-use bytes (total_bytes - free_bytes) do not jump with the allocator's
// blocks, which grow to 8 MB. pg_backend_memory_contexts lists the tree depth first, so a
// context's descendants are the rows after it at a deeper level.
func backendMemory(ctx context.Context, c *sql.Conn) (cache, total int64, indexes int, err error) {
	rows, err := c.QueryContext(ctx, `SELECT name, level, total_bytes, free_bytes FROM pg_backend_memory_contexts`)
	if err != nil {
		return 0, 0, 0, err
	}
	defer rows.Close()
	in, at := false, 0
	for rows.Next() {
		var name string
		var level int
		var n, free int64
		if err := rows.Scan(&name, &level, &n, &free); err != nil {
			return 0, 0, 0, err
		}
		total += n
		n -= free
		if name == "index info" {
			indexes++
		}
		switch {
		case name == "CacheMemoryContext":
			in, at = true, level
			cache += n
		case in && level > at:
			cache += n
		default:
			in = false
		}
	}
	return cache, total, indexes, rows.Err()
}

// schemaMemory returns the bytes SQLite holds for the parsed schema on connection c.
func schemaMemory(c *sql.Conn) (int64, error) {
	var n int
	err := c.Raw(func(dc any) error {
		st, ok := dc.(sqlite.DBStatus)
		if !ok {
			return fmt.Errorf("driver connection %T has no status", dc)
		}
		var err error
		n, _, err = st.Status(sqlite.DBStatusSchemaUsed, false)
		return err
	})
	return int64(n), err
}
