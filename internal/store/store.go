// Package store owns the database connections: it opens SQLite or PostgreSQL, runs numbered
// migrations for the fixed system tables, turns entity metadata into tables, columns and indexes
// (schema sync), and runs transactions. It hides the SQL differences behind a Dialect.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is an open database.
type Store struct {
	D Dialect
	// write takes every write transaction. On SQLite it has a single connection, so writers queue
	// in Go instead of spinning on SQLITE_BUSY; on PostgreSQL it is the same pool as read.
	write *sql.DB
	read  *sql.DB
	// URL is the connection string the store was opened with, with any password removed.
	URL string
	// stmts caches prepared read statements (SQLite only).
	stmts *stmtCache
	// wstmts caches the prepared statements of the write connection (SQLite only).
	wstmts *writeStmts
	// ckpt checkpoints the write-ahead log in the background (SQLite only).
	ckpt *checkpointer
	// pinyin tells whether the database can order text in CollationPinyin (SQLite: always, with
	// the registered collation; PostgreSQL: when it was built with ICU).
	pinyin bool
	// tenantPool, when set, holds the application role's connections for requests (see
	// UseAppRole and ForTenant).
	tenantPool *sql.DB
	// appRole is the application role of tenantPool's connections ("" none): SecureTables
	// grants it the tables a schema change makes.
	appRole string
	// GroupCommit lets the writes of contexts marked Grouped share transactions (group.go).
	GroupCommit bool
	groups      groups
}

// Open connects to the database named by dsn: "sqlite:PATH" (or a path ending in .db), or
// "postgres://…" / "postgresql://…".
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"))
	case strings.HasSuffix(dsn, ".db"):
		return openSQLite(ctx, dsn)
	}
	return nil, fmt.Errorf("store: unsupported database %q: use sqlite:PATH or postgres://…", redact(dsn))
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	// "PATH?synchronous=full": how durable a commit is (see sqliteSynchronous).
	path, options, _ := strings.Cut(path, "?")
	if path == "" {
		return nil, fmt.Errorf("store: sqlite: empty path")
	}
	sync, err := sqliteSynchronous(options)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: sqlite: %w", err)
		}
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(1)" +
		"&_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)"
	registerSQLiteCollations()
	dsn := "file:" + path + "?" + pragmas
	w, err := openSQLitePool(dsn+"&_txlock=immediate"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", writerCheckpointPages), 1)
	if err != nil {
		return nil, err
	}
	r, err := openSQLitePool(dsn+"&_pragma=query_only(1)", 8)
	if err != nil {
		w.Close()
		return nil, err
	}
	url := "sqlite:" + path
	if options != "" {
		url += "?" + options
	}
	s := &Store{D: SQLite, write: w, read: r, URL: url, stmts: &stmtCache{stmts: map[string]*sql.Stmt{}, limit: 2000},
		wstmts: &writeStmts{limit: 256}, pinyin: true}
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: sqlite %s: %w", path, err)
	}
	c, err := openSQLitePool(dsn, 1)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.ckpt = newCheckpointer(c)
	return s, nil
}

// sqliteSynchronous reads the options of a SQLite DSN ("synchronous=normal" or "full") and
// returns the synchronous pragma's value. NORMAL, the default, is what WAL mode is designed
// for: a commit survives a crash of the process, and the database stays consistent after a
// power loss, which may lose the last commits. FULL syncs the write-ahead log at every commit:
// a commit survives a power loss too, for an fsync per transaction (which group commit
// shares among the writes it gathers). docs/architecture.md, "Durability", has the figures.
func sqliteSynchronous(options string) (string, error) {
	q, err := url.ParseQuery(options)
	if err != nil {
		return "", fmt.Errorf("store: sqlite options %q: %w", options, err)
	}
	mode := "NORMAL"
	for k, vs := range q {
		if k != "synchronous" || len(vs) != 1 {
			return "", fmt.Errorf("store: sqlite option %q: the one option is synchronous=normal or synchronous=full", k)
		}
		switch strings.ToLower(vs[0]) {
		case "normal":
		case "full":
			mode = "FULL"
		default:
			return "", fmt.Errorf("store: sqlite option synchronous=%s: normal or full", vs[0])
		}
	}
	return mode, nil
}

// openSQLitePool opens a handle of up to conns connections to dsn, kept open for good (each
// SQLite connection has its own page cache and prepared statements).
func openSQLitePool(dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	s := &Store{D: Postgres, write: db, read: db, URL: redact(dsn)}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres %s: %w", s.URL, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = $1)`, postgresPinyin).Scan(&s.pinyin); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: postgres %s: collations: %w", s.URL, err)
	}
	return s, nil
}

// Close closes every connection.
func (s *Store) Close() error {
	if s.tenantPool != nil {
		s.tenantPool.Close()
	}
	if s.stmts != nil {
		s.stmts.close()
	}
	if s.wstmts != nil {
		s.wstmts.close(s.write)
	}
	if s.ckpt != nil {
		s.ckpt.close()
	}
	err := s.write.Close()
	if s.read != s.write {
		if e := s.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers (for readiness probes).
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// DB returns the read pool, or the open transaction carried by ctx.
func (s *Store) DB(ctx context.Context) Querier {
	if tx := txFrom(ctx); tx != nil {
		return tx
	}
	if c := tenantConnFrom(ctx); c != nil {
		return c
	}
	return s.read
}

// Raw returns the underlying write handle, for bulk loaders and benchmarks that compare the API
// with raw SQL. Nothing that changes entity tables outside the records service may use it.
func (s *Store) Raw() *sql.DB { return s.write }

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
