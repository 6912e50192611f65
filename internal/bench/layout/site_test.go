package layout

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envInt returns the integer in environment variable name, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// tenantCount is the number of tenants the benchmarks build (MERIDIAN_LAYOUT_TENANTS).
func tenantCount() int { return envInt("MERIDIAN_LAYOUT_TENANTS", 1000) }

// progress reports the state of long work on standard error as it happens (a benchmark's log
// shows only at its end).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "layout: "+format+"\n", args...)
}

// site is a layout built on a database of its own: a SQLite file, or PostgreSQL schemas whose
// names start with the run's prefix.
type site struct {
	l    layout
	db   *sql.DB // SQLite: the writer; PostgreSQL: a small pool
	path string  // SQLite: the database file

	dropped bool
}

// newSite prepares an empty database for layout k: a file in dir, or schemas named after prefix.
func newSite(ctx context.Context, tb testing.TB, d dialect, k kind, cat *catalog, prefix, dir string) (*site, error) {
	s := &site{l: layout{kind: k, d: d, cat: cat}}
	if d == sqliteDB {
		s.path = filepath.Join(dir, strings.ToLower(string(k))+".db")
		db, err := openSQLite(s.path, true, 1)
		if err != nil {
			return nil, err
		}
		s.db = db
		return s, nil
	}
	s.db = openPostgres(tb, "", 4)
	s.l.ns = prefix + "_" + strings.ToLower(string(k))
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = $1)`, pinyinCollation).Scan(&s.l.pinyin)
	return s, err
}

// schemas is the LIKE pattern of the site's PostgreSQL schemas.
func (s *site) schemas() string {
	if s.l.kind == layoutW {
		return s.l.ns + `\_%`
	}
	return s.l.ns
}

// build creates the layout for tn: the shared tables, then each tenant's own tables in a
// transaction of its own, as a tenant's schema change would. It returns the time spent.
func (s *site) build(ctx context.Context, tn tenants) (time.Duration, error) {
	start := time.Now()
	if err := s.exec(ctx, s.l.sharedDDL()); err != nil {
		return 0, err
	}
	last := time.Now()
	for i, key := range tn.keys {
		if err := s.exec(ctx, s.l.tenantDDL(key)); err != nil {
			return 0, err
		}
		if time.Since(last) > 15*time.Second || i == len(tn.keys)-1 {
			last = time.Now()
			progress("%s %s: built %d/%d tenants in %s", s.l.d, s.l.kind, i+1, len(tn.keys), time.Since(start).Round(time.Second))
		}
	}
	return time.Since(start), nil
}

// exec runs stmts in one transaction.
func (s *site) exec(ctx context.Context, stmts []string) error {
	if len(stmts) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

// drop removes the site: the SQLite file, or the PostgreSQL schemas tenant by tenant (then the
// catalogs are vacuumed).
func (s *site) drop(ctx context.Context, tn tenants) error {
	if s.dropped {
		return nil
	}
	s.dropped = true
	defer s.db.Close()
	if s.l.d == sqliteDB {
		s.db.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(s.path + suffix); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	}
	start := time.Now()
	for _, key := range tn.keys {
		if err := s.exec(ctx, s.l.dropTenantDDL(key)); err != nil {
			return err
		}
	}
	if s.l.kind != layoutW {
		if _, err := s.db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+quote(s.l.ns)+" CASCADE"); err != nil {
			return err
		}
	}
	err := vacuumCatalogs(ctx, s.db)
	progress("%s %s: dropped in %s", s.l.d, s.l.kind, time.Since(start).Round(time.Second))
	return err
}

// addColumn adds a column to account for every tenant, as an upgrade that adds a system
// attribute does: one ALTER TABLE of the shared table (X, S) or one per tenant, each in its own
// transaction (W). With MERIDIAN_LAYOUT_ALTERS set below the number of tenants, W alters that
// many tenants, evenly spread, and the time is extrapolated to all (each ALTER costs the same:
// the tables are empty, and the schema does not grow). It returns the time for all tenants and
// the number of tenants actually altered.
func (s *site) addColumn(ctx context.Context, tn tenants, name string) (time.Duration, int, error) {
	col := quote(name) + " " + colType(s.l.d, "string")
	start := time.Now()
	if s.l.kind != layoutW {
		_, err := s.db.ExecContext(ctx, "ALTER TABLE "+s.l.shared().q("account")+" ADD COLUMN "+col)
		return time.Since(start), 1, err
	}
	n := len(tn.keys)
	sample := min(envInt("MERIDIAN_LAYOUT_ALTERS", n), n)
	last := time.Now()
	for i := range sample {
		key := tn.keys[i*n/sample]
		if _, err := s.db.ExecContext(ctx, "ALTER TABLE "+s.l.own(key).q("account")+" ADD COLUMN "+col); err != nil {
			return 0, 0, err
		}
		if time.Since(last) > 15*time.Second {
			last = time.Now()
			progress("%s %s: added the column for %d/%d tenants in %s", s.l.d, s.l.kind, i+1, sample, time.Since(start).Round(time.Second))
		}
	}
	return time.Since(start) * time.Duration(n) / time.Duration(sample), sample, nil
}

// drain runs q with args on c and reads every row; it returns the number of rows.
func drain(ctx context.Context, c interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) (int, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	return scanAll(rows)
}

// scanAll reads every column of every row of rows, and closes it.
func scanAll(rows *sql.Rows) (int, error) { return eachRow(rows, nil) }

// eachRow reads every column of every row of rows, calls f (when set) with each row's values,
// and closes rows. It returns the number of rows.
func eachRow(rows *sql.Rows, f func(vals []any)) (int, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if f != nil {
			f(vals)
		}
		n++
	}
	return n, rows.Err()
}

// texts returns, as text, column i of every row of the result of a query (rows, err), counting
// from the end when i is negative.
func texts(rows *sql.Rows, err error, i int) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var out []string
	_, err = eachRow(rows, func(vals []any) {
		if i < 0 {
			i += len(vals)
		}
		out = append(out, toString(vals[i]))
	})
	return out, err
}

func toString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// noSuchID is an id no row has: the requests of the touch measurements find nothing, and do the
// same planning and index descents whatever the layout holds.
const noSuchID = "00000000-0000-7000-8000-000000000000"

// touch is what a fresh connection pays to serve every tenant once (cold) and again (warm).
type touch struct {
	cold, warm time.Duration
	// PostgreSQL: the backend's CacheMemoryContext tree before and after the cold pass, and all
	// its memory after. SQLite: the connection's parsed schema (before = after).
	cache0, cache, total int64
	// open is the connection and its first query (SQLite: it parses the whole schema).
	open time.Duration
	// PostgreSQL: the indexes in the backend's relation cache after the cold pass, and the
	// cache's growth per tenant over the first tenth of the tenants (a figure that concurrent
	// DDL elsewhere in the database is less likely to disturb: a backend that falls behind the
	// invalidation queue empties its caches).
	indexes     int
	firstTenth  int64
	tenthTenant int
	resets      int // passes started again after the backend's caches were reset
}

// touchTenants opens a connection, runs each tenant's requests (touchSQL) once and then again,
// and measures what that costs. On PostgreSQL mode is pgx's default_query_exec_mode: "exec"
// keeps no prepared statement, so the memory is the relation and catalog caches alone;
// "cache_statement" (pgx's default) also keeps up to 512 prepared statements.
//
// A PostgreSQL backend that falls behind the shared invalidation queue empties its caches, and
// other sessions' DDL anywhere on the server (a test dropping its schema) can overflow the
// queue at once. So the passes count the indexes in the relation cache every tenth of the
// tenants and, when the count drops, start again on a new connection (at most 5 times; resets
// counts the restarts).
func (s *site) touchTenants(ctx context.Context, tb testing.TB, tn tenants, wide bool, mode string) (touch, error) {
	for attempt := 0; ; attempt++ {
		m, clean, err := s.touchOnce(ctx, tb, tn, wide, mode)
		m.resets = attempt
		if err != nil || clean || attempt == 4 {
			return m, err
		}
		progress("%s %s: the backend's caches were reset during the pass (DDL elsewhere); again", s.l.d, s.l.kind)
	}
}

func (s *site) touchOnce(ctx context.Context, tb testing.TB, tn tenants, wide bool, mode string) (m touch, clean bool, err error) {
	var db *sql.DB
	if s.l.d == postgresDB {
		db = openPostgres(tb, "default_query_exec_mode="+mode, 1)
	} else if db, err = openSQLite(s.path, false, 1); err != nil {
		return m, false, err
	}
	defer db.Close()
	start := time.Now()
	c, err := db.Conn(ctx)
	if err != nil {
		return m, false, err
	}
	defer c.Close()
	if _, err := drain(ctx, c, `SELECT 1 FROM `+s.first(tn)+` LIMIT 1`); err != nil {
		return m, false, err
	}
	m.open = time.Since(start)
	if m.cache0, err = s.memory(ctx, c); err != nil {
		return m, false, err
	}
	m.tenthTenant = max(len(tn.keys)/10, 1)
	cached := 0 // indexes in the relation cache at the last check
	// pass runs every tenant's requests and reports whether the caches were kept throughout.
	pass := func(cold bool) (time.Duration, bool, error) {
		var paused time.Duration
		start := time.Now()
		for i, key := range tn.keys {
			for _, q := range s.l.touchSQL(key, wide) {
				if _, err := drain(ctx, c, q, tn.ids[i], noSuchID); err != nil {
					return 0, false, err
				}
			}
			if s.l.d != postgresDB || (i+1)%m.tenthTenant != 0 && i+1 != len(tn.keys) {
				continue
			}
			p := time.Now()
			used, total, indexes, err := backendMemory(ctx, c)
			if err != nil {
				return 0, false, err
			}
			if indexes < cached {
				return 0, false, nil
			}
			cached = indexes
			if cold && i+1 == m.tenthTenant {
				m.firstTenth = used - m.cache0
			}
			if cold && i+1 == len(tn.keys) {
				m.cache, m.total, m.indexes = used, total, indexes
			}
			paused += time.Since(p)
		}
		return time.Since(start) - paused, true, nil
	}
	if m.cold, clean, err = pass(true); err != nil || !clean {
		return m, false, err
	}
	if s.l.d == sqliteDB {
		if m.cache, err = schemaMemory(c); err != nil {
			return m, false, err
		}
		m.total = m.cache
	}
	m.warm, clean, err = pass(false)
	return m, clean, err
}

// first names a table of the site to open a connection with.
func (s *site) first(tn tenants) string {
	if s.l.kind == layoutW {
		return s.l.own(tn.keys[0]).q("account")
	}
	return s.l.shared().q("account")
}

// memory returns the connection's cache bytes (see touch).
func (s *site) memory(ctx context.Context, c *sql.Conn) (int64, error) {
	if s.l.d == postgresDB {
		n, _, _, err := backendMemory(ctx, c)
		return n, err
	}
	return schemaMemory(c)
}

// reload measures, on SQLite, what one tenant's schema change costs every other connection:
// a reader that has the schema parsed runs a query, the writer adds a column to that tenant's
// account table (its extension table in X), and the reader's next query, which must parse the
// schema again, is timed.
func (s *site) reload(ctx context.Context, tn tenants) (alter, next time.Duration, err error) {
	r, err := openSQLite(s.path, false, 1)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	key := tn.keys[len(tn.keys)/2]
	q := s.l.accountSQL(key, readGet)
	if _, err := drain(ctx, r, q, tn.ids[0], noSuchID); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if _, err := s.db.ExecContext(ctx, "ALTER TABLE "+s.l.own(key).q("account")+` ADD COLUMN "cf_reload" TEXT`); err != nil {
		return 0, 0, err
	}
	alter = time.Since(start)
	start = time.Now()
	if _, err := drain(ctx, r, q, tn.ids[0], noSuchID); err != nil {
		return 0, 0, err
	}
	return alter, time.Since(start), nil
}
