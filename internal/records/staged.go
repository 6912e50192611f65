package records

import (
	"context"
	"fmt"
)

// A bulk write's reactions (its audit entries, the duplicate keys of its records) are mostly CPU
// work: encoding values, normalising names, hashing. On SQLite's single writer that work used to
// run after the rows were inserted, while the database waited. A staged reaction splits itself so
// that its CPU work runs on a goroutine of its own while a bulk create inserts its rows:
//
//   - prepare runs first, in the write's transaction, and may read the database;
//   - the compute function it returns needs no database and no context: a bulk create runs it
//     concurrently with the rows' INSERTs (every other write runs it in line);
//   - the write function compute returns runs in the transaction after the rows are written, in
//     the order the reaction would have run in anyway.
//
// A reaction's result is the same staged or not; only when its CPU work runs changes.

// Compute is the database-free middle stage of a staged reaction.
type Compute func() (Write, error)

// Write is the last stage of a staged reaction, in the write's transaction.
type Write func(ctx context.Context) error

// Staged is a reaction to the changes of one write, in stages.
type Staged func(ctx context.Context, cs []Change) (Compute, error)

// StagedAuditor is a BatchAuditor that can audit a bulk write in stages.
type StagedAuditor interface {
	StageBatch(ctx context.Context, cs []Change) (Compute, error)
}

// stages holds the staged reactions of a bulk write whose compute stages run on a goroutine.
type stages struct {
	done  chan struct{}
	audit Write   // nil when the auditor is not staged
	hooks []Write // one per staged hook, in order
	err   error
}

// stage prepares the staged reactions to cs and starts their compute stages on a goroutine.
func (s *Service) stage(ctx context.Context, cs []Change) (*stages, error) {
	st := &stages{done: make(chan struct{})}
	var audit Compute
	if a, ok := s.auditor.(StagedAuditor); ok {
		var err error
		if audit, err = a.StageBatch(ctx, cs); err != nil {
			return nil, err
		}
	}
	var hooks []Compute
	for _, h := range s.hooksOf(cs[0].Entity.Name) {
		if h.Staged == nil {
			continue
		}
		c, err := h.Staged(ctx, cs)
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, c)
	}
	go func() {
		defer close(st.done)
		defer func() {
			if r := recover(); r != nil {
				st.err = fmt.Errorf("records: reaction to %d changes panicked: %v", len(cs), r)
			}
		}()
		if audit != nil {
			if st.audit, st.err = audit(); st.err != nil {
				return
			}
		}
		for _, c := range hooks {
			w, err := c()
			if err != nil {
				st.err = err
				return
			}
			st.hooks = append(st.hooks, w)
		}
	}()
	return st, nil
}

// wait waits for the compute stages.
func (st *stages) wait() error {
	<-st.done
	return st.err
}
