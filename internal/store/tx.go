package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

type txKey struct{}

// txState is the open transaction of a context, with the connection it runs on (bulk loaders
// reach the driver connection through it, e.g. for PostgreSQL's COPY).
type txState struct {
	tx    *sql.Tx
	conn  *sql.Conn
	after []func()    // run once the transaction has committed
	memo  map[any]any // TxMemo's values, gone with the transaction
}

// TxMemo returns the value kept under key in ctx's transaction, computing it with fn the first
// time (every time when ctx has no transaction). It lives as long as the transaction — for what
// one write reads again and again, such as the rules a bulk import applies to each of its rows;
// TxForget drops it when the transaction itself changes what it was computed from.
func TxMemo[T any](ctx context.Context, key any, fn func() (T, error)) (T, error) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok || st == nil {
		return fn()
	}
	if v, ok := st.memo[key].(T); ok {
		return v, nil
	}
	v, err := fn()
	if err != nil {
		return v, err
	}
	if st.memo == nil {
		st.memo = map[any]any{}
	}
	st.memo[key] = v
	return v, nil
}

// TxForget drops the values TxMemo keeps under keys in ctx's transaction.
func TxForget(ctx context.Context, keys ...any) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st != nil {
		for _, k := range keys {
			delete(st.memo, k)
		}
	}
}

// WithoutTx returns ctx without its transaction, for work that follows a commit (the request's
// connection, when it has one, stays).
func WithoutTx(ctx context.Context) context.Context {
	if txFrom(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, txKey{}, (*txState)(nil))
}

// AfterCommit runs fn once ctx's transaction has committed (at once when ctx has none; never
// when it rolls back). Caches that copy committed data use it, so that a reader that loaded the
// data while the transaction was open does not keep the old copy.
func AfterCommit(ctx context.Context, fn func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st != nil {
		st.after = append(st.after, fn)
		return
	}
	fn()
}

func txFrom(ctx context.Context) *sql.Tx {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st != nil {
		return st.tx
	}
	return nil
}

func connFrom(ctx context.Context) *sql.Conn {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st != nil {
		return st.conn
	}
	return nil
}

// InTx reports whether ctx carries an open write transaction.
func InTx(ctx context.Context) bool { return txFrom(ctx) != nil }

// WithTx runs fn inside a write transaction. When ctx already carries one (a batch change set,
// a records call made by another records call), fn joins it and the outermost call commits, so
// several operations are atomic together. fn must use the context it is given.
//
// The outermost call retries fn (up to maxTxAttempts in all, with a random backoff) when the database reports a
// deadlock or serialization failure, which PostgreSQL resolves by aborting one of the
// transactions; fn must therefore have no effects outside the database.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	if s.GroupCommit && isGrouped(ctx) {
		return s.withGroup(ctx, fn)
	}
	return s.withTx(ctx, fn)
}

// withTx is WithTx for the outermost call, in a transaction of its own.
func (s *Store) withTx(ctx context.Context, fn func(ctx context.Context) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = s.runTx(ctx, fn); err == nil || !s.D.IsRetryable(err) || attempt == maxTxAttempts {
			return err
		}
		// Back off a random while so the transactions that collided do not collide again.
		backoff := min(time.Duration(1<<attempt)*5*time.Millisecond, 500*time.Millisecond)
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(backoff)))):
		case <-ctx.Done():
			return err
		}
	}
}

// maxTxAttempts is how often WithTx runs a transaction that keeps failing retryably.
const maxTxAttempts = 8

func (s *Store) runTx(ctx context.Context, fn func(ctx context.Context) error) error {
	conn := tenantConnFrom(ctx) // the request's own connection, kept for the request
	if conn == nil {
		c, err := s.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: connection: %w", err)
		}
		defer c.Close()
		conn = c
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	// A panic in fn must not leave the transaction open, holding the (single SQLite) writer.
	defer func() { _ = tx.Rollback() }()
	state := &txState{tx: tx, conn: conn}
	if err := fn(context.WithValue(ctx, txKey{}, state)); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if s.ckpt != nil {
		s.ckpt.committed()
	}
	for _, f := range state.after {
		f()
	}
	return nil
}

// Exec runs a statement in ctx's transaction (or on the write handle when there is none).
func (s *Store) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.D.Name() == "sqlite" {
		query, args = positional(query, args)
	}
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st != nil {
		if s.wstmts != nil && cacheable(query) {
			return s.wstmts.exec(ctx, st.conn, query, args)
		}
		return st.tx.ExecContext(ctx, query, args...)
	}
	if c := tenantConnFrom(ctx); c != nil {
		return c.ExecContext(ctx, query, args...)
	}
	if s.ckpt != nil {
		defer s.ckpt.committed()
	}
	return s.write.ExecContext(ctx, query, args...)
}

// Prepare prepares a statement on ctx's transaction (or the write handle), for bulk writers that
// run the same statement many times.
func (s *Store) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx := txFrom(ctx); tx != nil {
		return tx.PrepareContext(ctx, query)
	}
	return s.write.PrepareContext(ctx, query)
}

// SQLTx returns ctx's open write transaction, or nil: for a job queue that enqueues in the
// same transaction as the change that asks for the job.
func SQLTx(ctx context.Context) *sql.Tx { return txFrom(ctx) }
