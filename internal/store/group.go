package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Group commit. Concurrent small writes — one create, update or delete per request — each used
// to take the write connection (SQLite has one), begin, write, commit and give it back in turn.
// A write whose context is marked Grouped instead joins a group: the first of them leads, taking
// the connection and running, in one database transaction, every grouped write queued by then
// (up to maxGroup), each inside a savepoint of its own, then committing once. A write that
// fails is rolled back to its savepoint and answered with its error; its neighbours go on and
// commit. Every write still gets its own versions, change-log rows and audit entries (they are
// its statements), and none is answered before the group's commit succeeded. While a group
// runs the next one gathers, so a lone write waits for nobody.
//
// A write that fails retryably inside a group (PostgreSQL: a deadlock, a serialization
// failure), and every write of a group whose commit fails, runs again on its own, as WithTx
// runs it: nothing of it was committed.
//
// Writes of one group share the transaction's TxMemo values only within themselves (each starts
// with none), and their AfterCommit functions run after the group's commit, those of a write
// rolled back to its savepoint never.

type groupKey struct{}

// Grouped marks ctx so that its outermost WithTx may run inside a group commit. Mark only writes
// that are short and wait for nothing but the database: they share a transaction with others.
func Grouped(ctx context.Context) context.Context { return context.WithValue(ctx, groupKey{}, true) }

func isGrouped(ctx context.Context) bool { v, _ := ctx.Value(groupKey{}).(bool); return v }

// maxGroup is how many writes one group commit takes at most.
const maxGroup = 64

// groupWrite is a write waiting in a group commit.
type groupWrite struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	err  error
	solo bool          // run it again on its own
	done chan struct{} // closed once answered
	lead chan struct{} // told to lead the next group
}

// committer gathers the grouped writes of one key: the store's (SQLite, or PostgreSQL with
// requests as the server's login) or a tenant's (requests on tenant connections, whose session
// names the tenant).
type committer struct {
	mu      sync.Mutex
	queue   []*groupWrite
	running bool
}

// groups holds the store's committers by key, and counts what they did.
type groups struct {
	mu     sync.Mutex
	by     map[string]*committer
	n      int64 // transactions
	writes int64 // writes in them
}

// GroupStats says how many transactions the group commits ran and how many writes they held.
type GroupStats struct{ Transactions, Writes int64 }

// GroupStats returns what the store's group commits did so far.
func (s *Store) GroupStats() GroupStats {
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	return GroupStats{Transactions: s.groups.n, Writes: s.groups.writes}
}

func (g *groups) count(writes int) {
	g.mu.Lock()
	g.n++
	g.writes += int64(writes)
	g.mu.Unlock()
}

func (g *groups) of(key string) *committer {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.by == nil {
		g.by = map[string]*committer{}
	}
	c, ok := g.by[key]
	if !ok {
		c = &committer{}
		g.by[key] = c
	}
	return c
}

// withGroup runs fn as WithTx would, in a group commit.
func (s *Store) withGroup(ctx context.Context, fn func(ctx context.Context) error) error {
	key := ""
	if tc, ok := ctx.Value(tenantConnKey{}).(*tenantConn); ok && tc != nil {
		key = tc.tenant
	}
	c := s.groups.of(key)
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	leader := !c.running
	c.running = true
	c.mu.Unlock()
	if leader {
		s.lead(c, w)
	}
	for {
		select {
		case <-w.done:
			if w.solo {
				return s.withTx(ctx, fn)
			}
			return w.err
		case <-w.lead:
			s.lead(c, w)
		}
	}
}

// lead runs the next group of c's queue, led by w, then hands the lead to the first write still
// queued. It takes the connection first — w's own on PostgreSQL, whose session names the
// tenant; SQLite's single write connection, for which the group gathers while it waits — and
// the writes queued by then after.
func (s *Store) lead(c *committer, w *groupWrite) {
	// The group's statements outlive no request: the leader's cancellation must not cut its
	// neighbours' writes short.
	ctx := context.WithoutCancel(w.ctx)
	conn := tenantConnFrom(ctx)
	var connErr error
	if conn == nil {
		if conn, connErr = s.write.Conn(ctx); connErr == nil {
			defer conn.Close()
		}
	}
	c.mu.Lock()
	n := min(len(c.queue), maxGroup)
	batch := c.queue[:n:n]
	c.queue = c.queue[n:]
	c.mu.Unlock()
	if connErr != nil {
		for _, w := range batch {
			w.answer(fmt.Errorf("store: connection: %w", connErr), false)
		}
	} else {
		s.runGroup(ctx, conn, batch)
	}
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.running = false
	} else {
		c.queue[0].lead <- struct{}{}
	}
	c.mu.Unlock()
}

func (w *groupWrite) answer(err error, solo bool) {
	w.err, w.solo = err, solo
	close(w.done)
}

// runGroup runs batch in one transaction on conn, each write in a savepoint (a lone write
// without one), and answers every write of it.
func (s *Store) runGroup(ctx context.Context, conn *sql.Conn, batch []*groupWrite) {
	s.groups.count(len(batch))
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		for _, w := range batch {
			w.answer(nil, true)
		}
		return
	}
	defer func() { _ = tx.Rollback() }()
	state := &txState{tx: tx, conn: conn}
	alone := len(batch) == 1
	var ok []*groupWrite
	for i, w := range batch {
		if !alone {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT grouped`); err != nil {
				for _, w := range batch[i:] {
					w.answer(nil, true)
				}
				break
			}
		}
		state.memo = nil // each write its own TxMemo values: writes of a group may be of other tenants
		mark := len(state.after)
		err := runWrite(context.WithValue(context.WithoutCancel(w.ctx), txKey{}, state), w.fn)
		if err == nil && !alone {
			_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT grouped`)
		}
		if err == nil {
			ok = append(ok, w)
			continue
		}
		state.after = state.after[:mark]
		if alone {
			w.answer(err, s.D.IsRetryable(err))
			return
		}
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT grouped`); rbErr != nil {
			// The transaction cannot go on: nothing of the group is committed.
			for _, w := range append(ok, batch[i:]...) {
				w.answer(nil, true)
			}
			return
		}
		_, _ = tx.ExecContext(ctx, `RELEASE SAVEPOINT grouped`)
		w.answer(err, s.D.IsRetryable(err))
	}
	if err := tx.Commit(); err != nil {
		for _, w := range ok {
			w.answer(nil, true)
		}
		return
	}
	if s.ckpt != nil {
		s.ckpt.committed()
	}
	for _, f := range state.after {
		f()
	}
	for _, w := range ok {
		w.answer(nil, false)
	}
}

// runWrite runs fn, turning a panic into its error (the group's other writes go on).
func runWrite(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: a grouped write panicked: %v", r)
		}
	}()
	return fn(ctx)
}
