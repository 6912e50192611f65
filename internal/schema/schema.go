// Package schema changes the data model at run time: it validates a new or changed entity,
// attribute or relationship definition, plans the table changes (diff → actions), applies them
// in the same transaction as the stored definition, and then publishes the new model.
package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Service applies metadata changes.
type Service struct {
	st  *store.Store
	reg *metadata.Registry
	mu  sync.Mutex // one schema change at a time in this process
	// Events, when set, records every schema change in the audit trail of the caller's tenant,
	// inside the change's transaction.
	Events func(ctx context.Context, action, entity, recordID string, details map[string]any) error
}

// event records a schema change through Events when the context names a caller.
func (s *Service) event(ctx context.Context, details map[string]any) error {
	if s.Events == nil {
		return nil
	}
	if p, ok := principal.From(ctx); !ok || p.TenantID == "" {
		return nil
	}
	return s.Events(ctx, "schema_change", "metadata", "", details)
}

// entityChange describes the change from prev to next for the audit trail.
func entityChange(prev, next *metadata.Entity, force bool) map[string]any {
	d := map[string]any{"force": force}
	switch {
	case prev == nil:
		d["change"], d["entity"] = "create_entity", next.Name
	case next == nil:
		d["change"], d["entity"] = "delete_entity", prev.Name
	default:
		d["change"], d["entity"] = "update_entity", next.Name
		var added, removed, changed []string
		for _, a := range next.Attributes {
			old := prev.Attr(a.Name)
			switch {
			case old == nil:
				added = append(added, a.Name)
			case !sameAttribute(old, a):
				changed = append(changed, a.Name)
			}
		}
		for _, a := range prev.Attributes {
			if next.Attr(a.Name) == nil {
				removed = append(removed, a.Name)
			}
		}
		d["attributes_added"], d["attributes_removed"], d["attributes_changed"] = added, removed, changed
	}
	return d
}

func sameAttribute(a, b *metadata.Attribute) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// customReadOnly refuses read_only on an attribute an administrator defines: the flag says that
// a domain package's actions and timers keep the attribute, and nothing keeps a custom one.
func customReadOnly(e *metadata.Entity) error {
	for i, a := range e.Attributes {
		if a.ReadOnly && (e.Custom || a.Custom) {
			return fault.Field(fmt.Sprintf("attributes[%d].read_only", i), "invalid_value",
				"read_only marks the attributes the server's actions and timers keep; a custom attribute cannot be read-only")
		}
	}
	return nil
}

// NewService returns a schema service.
func NewService(st *store.Store, reg *metadata.Registry) *Service {
	return &Service{st: st, reg: reg}
}

// change validates next against the current model, plans and applies the table change from
// prev to next, stores next's definition and publishes the model.
func (s *Service) change(ctx context.Context, prev, next *metadata.Entity, force bool) error {
	m := s.reg.Model()
	var nm *metadata.Model
	if next != nil {
		if err := customReadOnly(next); err != nil {
			return err
		}
		next.Normalize()
		freezeReverseNames(m, next)
		// Validate against the current model, which holds at most the old version of next: in
		// the model with next, next's set name would shadow the entity that already has it.
		if err := metadata.ValidateEntity(m, next); err != nil {
			return err
		}
		nm = detached(m).With(next)
	} else {
		nm = detached(m).Without(prev.Name)
	}
	if err := metadata.ValidateNavigation(nm); err != nil {
		return err
	}
	acts, err := store.PlanEntity(s.st.D, prev, next)
	if err != nil {
		return err
	}
	err = s.st.WithTx(store.AsOwner(ctx), func(ctx context.Context) error { // DDL: the tables' owner
		if err := s.st.Apply(ctx, acts, force); err != nil {
			return err
		}
		if next == nil {
			for _, r := range m.Relationships() {
				if r.Entity1 == prev.Name || r.Entity2 == prev.Name {
					if err := s.st.Apply(ctx, store.PlanRelationship(s.st.D, r, true), true); err != nil {
						return err
					}
					if err := s.st.DeleteRelationship(ctx, r.Name); err != nil {
						return err
					}
				}
			}
			if _, err := s.st.Exec(ctx, `DELETE FROM entity_count WHERE entity = `+s.st.D.Placeholder(1), prev.Name); err != nil {
				return err
			}
			if err := s.st.DeleteEntity(ctx, prev.Name); err != nil {
				return err
			}
			return s.event(ctx, entityChange(prev, next, force))
		}
		if err := s.st.SaveEntity(ctx, next); err != nil {
			return err
		}
		if err := s.st.SecureTenantTables(ctx); err != nil {
			return err
		}
		return s.event(ctx, entityChange(prev, next, force))
	})
	if err != nil {
		return err
	}
	s.reg.Set(nm)
	return nil
}

// detached returns a copy of m built from copies of its entities. Building a model (With,
// Without, WithRelationship) indexes every entity it holds, and the entities of the published
// model are being read by requests meanwhile: derive new models from a detached copy only.
func detached(m *metadata.Model) *metadata.Model {
	ents := m.Entities()
	for i, e := range ents {
		ents[i] = e.Clone()
	}
	return metadata.NewModel(ents, m.Relationships())
}

// CreateEntity adds a custom entity and its table.
func (s *Service) CreateEntity(ctx context.Context, e *metadata.Entity) (*metadata.Entity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Name != "" && s.reg.Model().Entity(e.Name) != nil {
		return nil, fault.Field("name", "duplicate_name", "entity %s already exists", e.Name).WithKind(fault.Conflict)
	}
	if len(e.Union) > 0 {
		return nil, fault.Field("union", "not_allowed", "custom entities cannot be views")
	}
	e.Custom = true
	for _, a := range e.Attributes {
		a.Custom = false // attributes of a custom entity are simply its own
	}
	if err := s.change(ctx, nil, e, false); err != nil {
		return nil, fmt.Errorf("schema: create entity: %w", err)
	}
	return s.reg.Model().Entity(e.Name), nil
}

// EntityPatch holds the changeable properties of an entity; nil fields are left alone.
type EntityPatch struct {
	DisplayName   *metadata.Label          `json:"display_name"`
	PluralName    *metadata.Label          `json:"plural_name"`
	Description   *string                  `json:"description"`
	PrimaryName   *string                  `json:"primary_name"`
	AlternateKeys *[]metadata.AlternateKey `json:"alternate_keys"`
}

// UpdateEntity changes the display properties and keys of an entity.
func (s *Service) UpdateEntity(ctx context.Context, name string, p EntityPatch) (*metadata.Entity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.get(name)
	if err != nil {
		return nil, err
	}
	next := prev.Clone()
	if p.DisplayName != nil {
		next.DisplayName = *p.DisplayName
	}
	if p.PluralName != nil {
		next.PluralName = *p.PluralName
	}
	if p.Description != nil {
		next.Description = *p.Description
	}
	if p.PrimaryName != nil {
		next.PrimaryName = *p.PrimaryName
	}
	if p.AlternateKeys != nil {
		if !prev.Custom {
			return nil, fault.Field("alternate_keys", "system_entity", "the keys of system entity %s cannot be changed", name)
		}
		next.AlternateKeys = *p.AlternateKeys
	}
	if err := s.change(ctx, prev, next, false); err != nil {
		return nil, fmt.Errorf("schema: update entity: %w", err)
	}
	return s.reg.Model().Entity(name), nil
}

// DeleteEntity drops a custom entity; one that has records needs force.
func (s *Service) DeleteEntity(ctx context.Context, name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.get(name)
	if err != nil {
		return err
	}
	if !prev.Custom {
		return fault.Newf(fault.Invalid, "system_entity", "system entity %s cannot be deleted", name)
	}
	for _, other := range s.reg.Model().Entities() {
		for _, a := range other.Lookups() {
			if a.Target == name && other.Name != name {
				return fault.Newf(fault.Conflict, "in_use", "%s.%s is a lookup to %s; delete it first", other.Name, a.Name, name)
			}
		}
	}
	if err := s.change(ctx, prev, nil, force); err != nil {
		return fmt.Errorf("schema: delete entity: %w", err)
	}
	return nil
}

func (s *Service) get(name string) (*metadata.Entity, error) {
	e := s.reg.Model().Entity(name)
	if e == nil {
		return nil, fault.Newf(fault.NotFound, "unknown_entity", "entity %s does not exist", name)
	}
	if e.ReadOnly() {
		return nil, fault.Newf(fault.Invalid, "read_only_entity", "%s is a read-only view", name)
	}
	return e, nil
}

// freezeReverseNames gives every new lookup of next an explicit reverse navigation name, chosen
// once when the lookup is created, so that adding another lookup to the same target later never
// renames a navigation clients already use.
func freezeReverseNames(m *metadata.Model, next *metadata.Entity) {
	taken := func(target, name string, self *metadata.Attribute) bool {
		for _, a := range next.Lookups() {
			if a != self && a.Target == target && a.ReverseName == name {
				return true
			}
		}
		t := m.Entity(target)
		if t == nil {
			return false
		}
		if nav := m.Nav(t, name); nav != nil && !(nav.Kind == metadata.NavOneToMany && nav.To.Name == next.Name && nav.Attr.Name == self.Name) {
			return true
		}
		return t.Attr(name) != nil
	}
	for _, a := range next.Lookups() {
		if a.ReverseName != "" || a.Polymorphic() {
			continue
		}
		name := next.SetName
		if a.Target == next.Name || taken(a.Target, name, a) {
			name = next.SetName + "_" + a.NavName()
		}
		a.ReverseName = name
	}
}
