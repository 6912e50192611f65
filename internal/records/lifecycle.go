package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
)

// What the server keeps. Some attributes belong to the actions and timers of a domain package —
// a case's SLA due times and status, the day a lead was qualified — and are marked read_only in
// the metadata; and some records close — a resolved case, a won opportunity, a qualified lead —
// and stay as they closed until an action reopens them. Both rules bind plain writes: the
// creates, updates, upserts, imports and $batch operations of clients. An action writes through
// this same service with its context marked by ByAction for its entity; the server's own work
// (principal.System: SLA timers, routing rules, the demo, `meridian import`) is not a client's
// plain write either.

type actionKey struct{ entity string }

// ByAction returns ctx marked as the context of a domain action on records of entity (resolving
// a case, closing an opportunity, merging leads): its writes of that entity's records may set
// read-only attributes, close records and change closed ones, which plain writes may not. Only
// domain packages call it, around their own writes; no client input reaches it.
func ByAction(ctx context.Context, entity string) context.Context {
	return context.WithValue(ctx, actionKey{entity}, true)
}

// plain reports whether a write of e's records in ctx is a client's plain write.
func plain(ctx context.Context, e *metadata.Entity) bool {
	if v, _ := ctx.Value(actionKey{e.Name}).(bool); v {
		return false
	}
	p, _ := principal.From(ctx)
	return p.Method != "system"
}

// Lifecycle says when records of an entity are closed: while Attribute holds one of the Closed
// values. Closed maps each to the action that sets it (for messages), Reopen names the action
// that reopens a record.
type Lifecycle struct {
	Attribute string
	Closed    map[string]string // value → action, e.g. "resolved" → "resolve"
	Reopen    string
}

// SetLifecycle registers when records of entity are closed. Register before serving requests.
func (s *Service) SetLifecycle(entity string, l Lifecycle) {
	if s.lifecycles == nil {
		s.lifecycles = map[string]Lifecycle{}
	}
	s.lifecycles[entity] = l
}

// closed reports whether rec (the values of a record of entity) is closed.
func (s *Service) closed(entity string, rec map[string]any) bool {
	l, ok := s.lifecycles[entity]
	if !ok {
		return false
	}
	v, _ := rec[l.Attribute].(string)
	_, closed := l.Closed[v]
	return closed
}

// checkClosed refuses a plain write to a closed record of e: 409 record_closed.
func (s *Service) checkClosed(ctx context.Context, e *metadata.Entity, cur map[string]any) error {
	if !plain(ctx, e) || !s.closed(e.Name, cur) {
		return nil
	}
	l := s.lifecycles[e.Name]
	return fault.Newf(fault.Conflict, "record_closed", "this %s is %v: it cannot be changed until it is reopened (the %s action)",
		e.Name, cur[l.Attribute], l.Reopen)
}

// managedFaults returns the faults of a plain write's values vals (converted input; cur the
// stored record, nil on create): a read-only attribute given a value — on update, a value other
// than the stored one, which is dropped from vals — and a status that closes the record.
func (s *Service) managedFaults(ctx context.Context, e *metadata.Entity, vals, cur map[string]any) []*fault.Error {
	if !plain(ctx, e) {
		return nil
	}
	var faults []*fault.Error
	for name, v := range vals {
		a := e.Attr(name)
		if a == nil || !a.ReadOnly {
			continue
		}
		if cur == nil && v == nil {
			continue
		}
		if cur != nil && sameValue(a, v, cur[name]) {
			delete(vals, name) // what the client read, sent back: not a change
			continue
		}
		faults = append(faults, fault.Field(name, "read_only_field", "%s is kept by the server (the %s's actions and timers); a write cannot set it", name, e.Name))
	}
	if l, ok := s.lifecycles[e.Name]; ok {
		if v, set := vals[l.Attribute].(string); set && (cur == nil || v != cur[l.Attribute]) {
			if action, closes := l.Closed[v]; closes {
				faults = append(faults, fault.Field(l.Attribute, "status_by_action", "a %s becomes %s through the %s action, not by setting %s",
					e.Name, v, action, l.Attribute))
			}
		}
	}
	return faults
}

// sameValue reports whether v and stored are the same value of a, as the API shows them.
func sameValue(a *metadata.Attribute, v, stored any) bool {
	if v == nil || stored == nil {
		return v == nil && stored == nil
	}
	return fmt.Sprint(a.JSONValue(v)) == fmt.Sprint(a.JSONValue(stored))
}
