package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"time"
)

// writeStmts keeps the prepared statements of SQLite's single write connection by SQL text.
// database/sql cannot reuse a statement across transactions of a connection it hands out per
// transaction, so the write path would otherwise parse and plan every INSERT and UPDATE again —
// for a multi-row INSERT of 256 rows, as long as binding and running it. The statements belong
// to one driver connection; if the pool ever replaces it, they are forgotten (see exec).
type writeStmts struct {
	mu    sync.Mutex
	conn  any
	stmts map[string]driver.Stmt
	limit int
	// named is the arguments' buffer, reused under mu: a 256-row INSERT binds thousands of
	// values, and a fresh slice for each was a tenth of an import's allocations.
	named []driver.NamedValue
}

// cacheable reports whether q is a data change worth keeping prepared (not DDL or PRAGMA,
// which run once).
func cacheable(q string) bool {
	q = strings.TrimLeft(q, " \t\n")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE":
		return true
	}
	return false
}

// exec runs q with args on conn's driver connection (in its open transaction) with a cached
// prepared statement.
func (w *writeStmts) exec(ctx context.Context, conn *sql.Conn, q string, args []any) (sql.Result, error) {
	var res driver.Result
	err := conn.Raw(func(dc any) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		named := w.named[:0]
		for i, a := range args {
			v, err := driver.DefaultParameterConverter.ConvertValue(a)
			if err != nil {
				return fmt.Errorf("store: argument %d: %w", i+1, err)
			}
			named = append(named, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		defer func() {
			clear(named) // hold no values past the statement
			w.named = named[:0]
		}()
		if dc != w.conn {
			// The pool closed the connection the statements belong to (it drops a connection
			// the driver finds unusable, e.g. with an interrupt still pending). Finalizing them
			// now would crash: the driver released the connection's context when it closed it.
			// They are forgotten; SQLite keeps the closed connection's memory for them
			// (sqlite3_close_v2), a leak as rare as the pool dropping the write connection.
			w.conn, w.stmts = dc, map[string]driver.Stmt{}
		}
		st := w.stmts[q]
		if st == nil {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("store: driver connection %T cannot prepare", dc)
			}
			var err error
			if st, err = p.PrepareContext(ctx, q); err != nil {
				return err
			}
			if len(w.stmts) >= w.limit {
				// Writes are serialised on the one connection, so no statement is in use
				// here: evicting any one is safe.
				for old, s := range w.stmts {
					s.Close()
					delete(w.stmts, old)
					break
				}
			}
			w.stmts[q] = st
		}
		x, ok := st.(driver.StmtExecContext)
		if !ok {
			return fmt.Errorf("store: driver statement %T cannot execute", st)
		}
		var err error
		res, err = x.ExecContext(ctx, named)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (w *writeStmts) closeLocked() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts = nil
}

// close finalizes the statements, on their connection taken from db (the write pool) so that
// it is open while they are; statements of a connection the pool has already closed are only
// forgotten (see exec).
func (w *writeStmts) close(db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := db.Conn(ctx); err == nil {
		_ = c.Raw(func(dc any) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			if dc == w.conn {
				w.closeLocked()
			}
			return nil
		})
		c.Close()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.conn, w.stmts = nil, nil
}
