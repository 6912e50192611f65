package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements of the SQLite read pool by SQL text. Preparing is a large
// part of a small query's cost in SQLite (PostgreSQL's driver caches statements per connection
// by itself). The cache stops growing at its limit instead of evicting, so a statement is never
// closed while another goroutine may be about to use it.
type stmtCache struct {
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	limit int
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.RLock()
	st := c.stmts[q]
	c.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[q]; st != nil {
		return st, nil
	}
	if len(c.stmts) >= c.limit {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// Query runs a read: in ctx's transaction when there is one, otherwise on the read pool with a
// cached prepared statement (SQLite).
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.D.Name() == "sqlite" {
		q, args = positional(q, args)
	}
	if tx := txFrom(ctx); tx != nil {
		return tx.QueryContext(ctx, q, args...)
	}
	if c := tenantConnFrom(ctx); c != nil {
		return c.QueryContext(ctx, q, args...)
	}
	if s.stmts != nil {
		st, err := s.stmts.get(ctx, s.read, q)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return s.read.QueryContext(ctx, q, args...)
}

// QueryRow is Query for a single row.
func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s.D.Name() == "sqlite" {
		q, args = positional(q, args)
	}
	if tx := txFrom(ctx); tx != nil {
		return tx.QueryRowContext(ctx, q, args...)
	}
	if c := tenantConnFrom(ctx); c != nil {
		return c.QueryRowContext(ctx, q, args...)
	}
	if s.stmts != nil {
		if st, err := s.stmts.get(ctx, s.read, q); err == nil && st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return s.read.QueryRowContext(ctx, q, args...)
}
