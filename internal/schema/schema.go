// Package schema changes a tenant's data model at run time: it validates a new or changed
// entity, attribute or relationship definition, plans the table changes (diff → actions),
// applies them in the same transaction as the stored definition, and then publishes the
// tenant's new model. Every change is the caller's tenant's: its custom entities and
// relationships, and its extensions of system entities (docs/architecture.md).
package schema

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Service applies metadata changes.
type Service struct {
	st  *store.Store
	reg *metadata.Registry
	// Events, when set, records every schema change in the audit trail of the caller's tenant,
	// inside the change's transaction.
	Events func(ctx context.Context, action, entity, recordID string, details map[string]any) error
}

// NewService returns a schema service.
func NewService(st *store.Store, reg *metadata.Registry) *Service {
	return &Service{st: st, reg: reg}
}

// event records a schema change through Events.
func (s *Service) event(ctx context.Context, details map[string]any) error {
	if s.Events == nil {
		return nil
	}
	return s.Events(ctx, "schema_change", "metadata", "", details)
}

// tenantOf returns the tenant whose model ctx's caller changes.
func tenantOf(ctx context.Context) (string, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return "", fault.New(fault.Unauthenticated, "unauthenticated", "a data model change needs an authenticated caller")
	}
	return p.TenantID, nil
}

// edit is one change of a tenant's definitions: it changes d (a copy of the stored ones) given
// the current model m, and returns what it did for the audit trail.
type edit func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error)

// apply runs one change of the caller's tenant's data model, in one transaction under the
// metadata lock (so that servers sharing the database change a tenant's model one at a time,
// each from the stored definitions, never from a stale copy): fn edits the definitions; the
// tables of the entities and relationships it changed follow (plan → guards → DDL), the
// definitions are stored, the change is audited and the metadata clock moves on. After the
// commit the tenant's new model is published.
func (s *Service) apply(ctx context.Context, force bool, fn edit) (*metadata.Model, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var nm *metadata.Model
	err = s.st.WithTx(store.AsOwner(ctx), func(ctx context.Context) error { // DDL: the tables' owner
		if err := s.st.LockMetadata(ctx); err != nil {
			return err
		}
		cur, err := s.st.TenantDefinitions(ctx, tenant)
		if err != nil {
			return err
		}
		next := cur.Clone()
		m := s.reg.System().ForTenant(tenant, cur)
		details, err := fn(m, next)
		if err != nil {
			return err
		}
		nm = s.reg.System().ForTenant(tenant, next)
		if err := metadata.ValidateNavigation(nm); err != nil {
			return err
		}
		if err := s.sync(ctx, tenant, m, nm, cur, next, force); err != nil {
			return err
		}
		if _, err := s.st.MetadataChanged(ctx, tenant); err != nil {
			return err
		}
		return s.event(ctx, details)
	})
	if err != nil {
		return nil, err
	}
	s.reg.Publish(nm)
	return nm, nil
}

// sync brings the tables and stored definitions of tenant from model m (definitions cur) to
// model nm (definitions next): entities first (created, changed, dropped), then relationships.
func (s *Service) sync(ctx context.Context, tenant string, m, nm *metadata.Model, cur, next *metadata.TenantDefinitions, force bool) error {
	var made []string // the tables the change may create: they get the tenant policy
	// Relationships that go away first: their tables may refer to an entity that goes.
	for _, r := range cur.Relationships {
		if next.Relationship(r.Name) == nil {
			if err := s.st.Apply(ctx, store.PlanRelationship(s.st.D, m.Relationship(r.Name), true), true); err != nil {
				return err
			}
			if err := s.st.DeleteRelationship(ctx, tenant, r.Name); err != nil {
				return err
			}
		}
	}
	for _, name := range changedEntities(cur, next) {
		prev, after := m.Entity(name), nm.Entity(name)
		if prev != nil && prev.ReadOnly() || after != nil && after.ReadOnly() {
			return fault.Newf(fault.Invalid, "read_only_entity", "%s is a read-only view", name)
		}
		acts, err := store.PlanEntity(s.st.D, tenant, prev, after)
		if err != nil {
			return err
		}
		if e := after; e != nil && !e.Custom || prev != nil && !prev.Custom {
			if acts, err = s.st.ShareIndexes(ctx, tenant, name, acts); err != nil {
				return err
			}
		}
		if err := s.st.Apply(ctx, acts, force); err != nil {
			return err
		}
		if after != nil {
			made = append(made, after.Table())
			if after.ExtTable() != "" {
				made = append(made, after.ExtTable())
			}
		}
		switch {
		case after == nil:
			if err := s.st.DeleteEntity(ctx, tenant, name); err != nil {
				return err
			}
			if err := s.forget(ctx, tenant, name); err != nil {
				return err
			}
		case after.Custom:
			if err := s.st.SaveEntity(ctx, tenant, next.Entity(name)); err != nil {
				return err
			}
		default:
			x := next.Extension(name)
			if x == nil {
				x = &metadata.Extension{Entity: name}
			}
			if err := s.st.SaveExtension(ctx, tenant, x); err != nil {
				return err
			}
		}
	}
	for _, r := range next.Relationships {
		if cur.Relationship(r.Name) == nil {
			if err := s.st.Apply(ctx, store.PlanRelationship(s.st.D, nm.Relationship(r.Name), false), false); err != nil {
				return err
			}
			if err := s.st.SaveRelationship(ctx, tenant, r); err != nil {
				return err
			}
			made = append(made, nm.Relationship(r.Name).Table())
		}
	}
	if len(made) == 0 {
		return nil
	}
	return s.st.SecureTables(ctx, made...)
}

// forget removes what the records service kept of tenant's dropped entity name: its record
// count and autonumber sequences.
func (s *Service) forget(ctx context.Context, tenant, name string) error {
	ph := s.st.D.Placeholder
	for _, t := range []string{"entity_count", "autonumber"} {
		if _, err := s.st.Exec(ctx, `DELETE FROM `+t+` WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), tenant, name); err != nil {
			return fmt.Errorf("schema: forget %s: %w", name, err)
		}
	}
	return nil
}

// changedEntities returns the names of the custom entities and extensions that differ between
// cur and next.
func changedEntities(cur, next *metadata.TenantDefinitions) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string, a, b any) {
		if seen[name] {
			return
		}
		seen[name] = true
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			out = append(out, name)
		}
	}
	for _, e := range cur.Entities {
		add(e.Name, e, next.Entity(e.Name))
	}
	for _, e := range next.Entities {
		add(e.Name, cur.Entity(e.Name), e)
	}
	for _, x := range cur.Extensions {
		add(x.Entity, x, next.Extension(x.Entity))
	}
	for _, x := range next.Extensions {
		add(x.Entity, cur.Extension(x.Entity), x)
	}
	return out
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
			case !sameJSON(old, a):
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

func sameJSON(a, b any) bool {
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

// writable returns entity name of m, which a schema change may change.
func writable(m *metadata.Model, name string) (*metadata.Entity, error) {
	e := m.Entity(name)
	if e == nil {
		return nil, fault.Newf(fault.NotFound, "unknown_entity", "entity %s does not exist", name)
	}
	if e.ReadOnly() {
		return nil, fault.Newf(fault.Invalid, "read_only_entity", "%s is a read-only view", name)
	}
	return e, nil
}

// CreateEntity adds a custom entity, and its table, to the caller's tenant.
func (s *Service) CreateEntity(ctx context.Context, e *metadata.Entity) (*metadata.Entity, error) {
	nm, err := s.apply(ctx, false, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		if e.Name != "" && m.Entity(e.Name) != nil {
			return nil, fault.Field("name", "duplicate_name", "entity %s already exists", e.Name).WithKind(fault.Conflict)
		}
		if len(e.Union) > 0 {
			return nil, fault.Field("union", "not_allowed", "custom entities cannot be views")
		}
		e.Custom = true
		for _, a := range e.Attributes {
			a.Custom = false // attributes of a custom entity are simply its own
		}
		if err := customReadOnly(e); err != nil {
			return nil, err
		}
		e.Normalize()
		freezeReverseNames(m, e)
		if err := metadata.ValidateEntity(m, e); err != nil {
			return nil, err
		}
		d.Entities = append(d.Entities, e)
		return entityChange(nil, e, false), nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: create entity: %w", err)
	}
	return nm.Entity(e.Name), nil
}

// EntityPatch holds the changeable properties of an entity; nil fields are left alone.
type EntityPatch struct {
	DisplayName   *metadata.Label          `json:"display_name"`
	PluralName    *metadata.Label          `json:"plural_name"`
	Description   *string                  `json:"description"`
	PrimaryName   *string                  `json:"primary_name"`
	AlternateKeys *[]metadata.AlternateKey `json:"alternate_keys"`
}

// UpdateEntity changes the labels and, of a custom entity, the primary name and keys. A system
// entity's labels are the caller's tenant's own; its primary name and keys ship with Meridian.
func (s *Service) UpdateEntity(ctx context.Context, name string, p EntityPatch) (*metadata.Entity, error) {
	nm, err := s.apply(ctx, false, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		prev, err := writable(m, name)
		if err != nil {
			return nil, err
		}
		if !prev.Custom {
			var faults []*fault.Error
			if p.PrimaryName != nil && *p.PrimaryName != prev.PrimaryName {
				faults = append(faults, fault.Field("primary_name", "system_entity", "the primary name of system entity %s cannot be changed", name))
			}
			if p.AlternateKeys != nil && !sameJSON(*p.AlternateKeys, prev.AlternateKeys) {
				faults = append(faults, fault.Field("alternate_keys", "system_entity", "the keys of system entity %s cannot be changed", name))
			}
			if len(faults) > 0 {
				return nil, fault.Join(faults)
			}
			x := d.ExtensionOf(name)
			x.DisplayName, x.PluralName, x.Description = orLabel(p.DisplayName, x.DisplayName), orLabel(p.PluralName, x.PluralName), orString(p.Description, x.Description)
			return entityChange(prev, prev, false), nil
		}
		next := d.Entity(name)
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
			next.AlternateKeys = *p.AlternateKeys
		}
		next.Normalize()
		if err := metadata.ValidateEntity(m, next); err != nil {
			return nil, err
		}
		return entityChange(prev, next, false), nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: update entity: %w", err)
	}
	return nm.Entity(name), nil
}

func orLabel(v, cur *metadata.Label) *metadata.Label {
	if v != nil {
		return v
	}
	return cur
}

func orString(v, cur *string) *string {
	if v != nil {
		return v
	}
	return cur
}

// DeleteEntity drops a custom entity of the caller's tenant; one that has records needs force.
func (s *Service) DeleteEntity(ctx context.Context, name string, force bool) error {
	_, err := s.apply(ctx, force, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		prev, err := writable(m, name)
		if err != nil {
			return nil, err
		}
		if !prev.Custom {
			return nil, fault.Newf(fault.Invalid, "system_entity", "system entity %s cannot be deleted", name)
		}
		for _, other := range m.Entities() {
			for _, a := range other.Lookups() {
				if a.Target == name && other.Name != name {
					return nil, fault.Newf(fault.Conflict, "in_use", "%s.%s is a lookup to %s; delete it first", other.Name, a.Name, name)
				}
			}
		}
		d.RemoveEntity(name)
		return entityChange(prev, nil, force), nil
	})
	if err != nil {
		return fmt.Errorf("schema: delete entity: %w", err)
	}
	return nil
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
		if a.ReverseName != "" || a.Polymorphic() || !next.Custom && !a.Custom {
			continue // set already, not a navigation, or shipped with Meridian
		}
		name := next.SetName
		if a.Target == next.Name || taken(a.Target, name, a) {
			name = next.SetName + "_" + a.NavName()
		}
		a.ReverseName = name
	}
}
