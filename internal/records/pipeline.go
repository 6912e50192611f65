package records

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// The write pipeline. Every write — a create, update, upsert, delete, merge or bulk create, from a
// request, an action, an import or a job — runs the same stages, and the behaviour of particular
// entities joins it only through the hooks their own packages register (Register); the records
// core knows no entity by name. For each write:
//
//  1. input: each record's values are converted to typed values and checked against the
//     metadata (types, lengths, choices, read-only attributes, closed records);
//  2. Derive hooks, per record, before validation: they may set values derived from the others
//     (an opportunity's probability from its stage, a contact's full name);
//  3. validation of what the hooks left (required values, lookups, alternate keys), and the
//     security model's authorization;
//  4. inside the transaction: the rows, their version and change-log row, the audit entries;
//  5. React and Staged hooks, once per write with all its changes (one for a single write, every
//     row of a bulk write), inside the transaction after the rows: they may read them, write
//     other records through this service (a roll-up) and fail the write;
//  6. AfterCommit hooks, once per write, after its transaction has committed; never when it
//     rolls back.
//
// Hooks of one stage run in the order they were registered, an entity's own and those of every
// entity (AllEntities) alike.

// AllEntities is the Entity of a hook that joins the writes of every entity.
const AllEntities = "*"

// A Hook is what a package adds to the writes of one entity (or of all): any of the stages.
type Hook struct {
	// Name says who registered the hook and what for ("sales.stage_defaults"); errors and the
	// documentation use it.
	Name string
	// Entity is the entity whose writes the hook joins, or AllEntities.
	Entity string
	// Derive runs on every record a create, update, upsert or merge is about to write, after its
	// input is converted and before it is validated. It may change d.Values. An error fails the
	// record (a bulk write reports it for that row).
	Derive func(ctx context.Context, d Draft) error
	// React runs inside the write's transaction, after its rows, with the write's changes. An
	// error fails the write. EachChange adapts a function of one change.
	React func(ctx context.Context, cs []Change) error
	// Staged is React split into stages whose CPU work runs while a bulk create inserts its rows
	// (staged.go). It runs after React.
	Staged Staged
	// AfterCommit runs once the write's transaction has committed, with its changes; ctx no
	// longer carries the transaction. It cannot fail the write, which is done.
	AfterCommit func(ctx context.Context, cs []Change)
	// Tables are tables the hook keeps in step with the entity's rows (an index of its own, such
	// as the duplicate keys): a bulk writer that refreshes the planner statistics of the
	// entity's table refreshes theirs too (RefreshStatistics).
	Tables []string
}

// A Draft is a record about to be written, as a Derive hook sees it.
type Draft struct {
	Entity *metadata.Entity
	// Values are the typed values being written (time.Time for datetimes, int64 for integers,
	// decimal.Decimal for decimals and money); a hook may set or delete some.
	Values map[string]any
	// Current are the stored values; nil on create.
	Current map[string]any
	// Now is the service's clock.
	Now time.Time
}

// Get returns the value of attribute name the record will have: the value being written, or
// else the stored one.
func (d Draft) Get(name string) (any, bool) {
	if v, ok := d.Values[name]; ok {
		return v, true
	}
	if d.Current != nil {
		v, ok := d.Current[name]
		return v, ok
	}
	return nil, false
}

// EachChange adapts fn, which handles one change, to Hook.React.
func EachChange(fn func(ctx context.Context, c Change) error) func(ctx context.Context, cs []Change) error {
	return func(ctx context.Context, cs []Change) error {
		for _, c := range cs {
			if err := fn(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
}

// Register adds h to the write pipeline. Register every hook before the service serves
// writes.
func (s *Service) Register(h Hook) {
	if h.Name == "" || h.Entity == "" {
		panic(fmt.Sprintf("records: a hook needs a name and an entity: %+v", h))
	}
	s.hooks = append(s.hooks, h)
}

// Hooks returns the registered hooks, in order (for documentation and tests).
func (s *Service) Hooks() []Hook { return slices.Clone(s.hooks) }

// hooksOf returns the hooks that join the writes of entity, in order.
func (s *Service) hooksOf(entity string) []Hook {
	var out []Hook
	for _, h := range s.hooks {
		if h.Entity == entity || h.Entity == AllEntities {
			out = append(out, h)
		}
	}
	return out
}

// reacts reports whether a React hook joins the writes of entity.
func (s *Service) reacts(entity string) bool {
	for _, h := range s.hooksOf(entity) {
		if h.React != nil {
			return true
		}
	}
	return false
}

// derive runs the Derive hooks of e on a record about to be written (current nil on create).
func (s *Service) derive(ctx context.Context, e *metadata.Entity, vals, current map[string]any) error {
	var now time.Time
	for _, h := range s.hooksOf(e.Name) {
		if h.Derive == nil {
			continue
		}
		if now.IsZero() {
			now = s.clock().UTC()
		}
		if err := h.Derive(ctx, Draft{Entity: e, Values: vals, Current: current, Now: now}); err != nil {
			return err
		}
	}
	return nil
}

// react runs the React hooks of the entity of cs, the changes of one write, then — unless st
// holds them already started — its Staged hooks in line, and schedules its AfterCommit hooks.
func (s *Service) react(ctx context.Context, cs []Change, st *stages) error {
	if len(cs) == 0 {
		return nil
	}
	hooks := s.hooksOf(cs[0].Entity.Name)
	for _, h := range hooks {
		if h.React != nil {
			if err := h.React(ctx, cs); err != nil {
				return err
			}
		}
	}
	if st != nil {
		for _, w := range st.hooks {
			if err := w(ctx); err != nil {
				return err
			}
		}
	} else {
		for _, h := range hooks {
			if h.Staged == nil {
				continue
			}
			c, err := h.Staged(ctx, cs)
			if err != nil {
				return err
			}
			w, err := c()
			if err != nil {
				return err
			}
			if err := w(ctx); err != nil {
				return err
			}
		}
	}
	for _, h := range hooks {
		if h.AfterCommit != nil {
			after := context.WithoutCancel(store.WithoutTx(ctx))
			store.AfterCommit(ctx, func() { h.AfterCommit(after, cs) })
		}
	}
	return nil
}
