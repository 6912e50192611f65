package schema

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// AddAttribute adds an attribute (a column) to an entity. On a system entity it is marked custom.
func (s *Service) AddAttribute(ctx context.Context, entity string, a *metadata.Attribute) (*metadata.Attribute, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.get(entity)
	if err != nil {
		return nil, err
	}
	if prev.Attr(a.Name) != nil {
		return nil, fault.Field("name", "duplicate_name", "%s already has an attribute %s", entity, a.Name).WithKind(fault.Conflict)
	}
	if s.reg.Model().Nav(prev, a.Name) != nil {
		return nil, fault.Field("name", "duplicate_name", "%s already has a navigation property %s", entity, a.Name).WithKind(fault.Conflict)
	}
	a.Custom = !prev.Custom
	next := prev.Clone()
	next.Attributes = append(next.Attributes, a)
	if err := s.change(ctx, prev, next, false); err != nil {
		return nil, fmt.Errorf("schema: add attribute: %w", prefixTargets(err, len(prev.Attributes)))
	}
	return s.reg.Model().Entity(entity).Attr(a.Name), nil
}

// UpdateAttribute replaces the definition of attribute name with a (its name and type may not
// change, except between text-like types). A change that would break or lose data needs force.
func (s *Service) UpdateAttribute(ctx context.Context, entity, name string, a *metadata.Attribute, force bool) (*metadata.Attribute, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.get(entity)
	if err != nil {
		return nil, err
	}
	old := prev.Attr(name)
	if old == nil || old.System {
		return nil, fault.Newf(fault.NotFound, "unknown_attribute", "%s has no attribute %s", entity, name)
	}
	if !prev.Custom && !old.Custom {
		// Shipped attributes of system entities: only labels and field-level security may change.
		c := *old
		c.DisplayName, c.Description, c.Secured = a.DisplayName, a.Description, a.Secured
		if c.DisplayName.EN == "" {
			c.DisplayName = old.DisplayName
		}
		a = &c
	}
	if a.Name == "" {
		a.Name = name
	}
	if a.Name != name {
		return nil, fault.Field("name", "rename_not_supported", "attributes cannot be renamed; create a new one and copy the data")
	}
	a.Custom = old.Custom
	next := prev.Clone()
	idx := 0
	for i, x := range next.Attributes {
		if x.Name == name {
			next.Attributes[i], idx = a, i
		}
	}
	if err := s.change(ctx, prev, next, force); err != nil {
		return nil, fmt.Errorf("schema: update attribute: %w", prefixTargets(err, idx))
	}
	return s.reg.Model().Entity(entity).Attr(name), nil
}

// DeleteAttribute drops a custom attribute; one that holds data needs force.
func (s *Service) DeleteAttribute(ctx context.Context, entity, name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.get(entity)
	if err != nil {
		return err
	}
	old := prev.Attr(name)
	if old == nil || old.System {
		return fault.Newf(fault.NotFound, "unknown_attribute", "%s has no attribute %s", entity, name)
	}
	if !prev.Custom && !old.Custom {
		return fault.Newf(fault.Invalid, "system_attribute", "%s.%s ships with Meridian and cannot be deleted", entity, name)
	}
	if name == prev.PrimaryName {
		return fault.Newf(fault.Conflict, "in_use", "%s is the primary name of %s", name, entity)
	}
	for _, k := range prev.AlternateKeys {
		for _, ka := range k.Attributes {
			if ka == name {
				return fault.Newf(fault.Conflict, "in_use", "%s is part of alternate key %s; remove the key first", name, k.Name)
			}
		}
	}
	next := prev.Clone()
	var kept []*metadata.Attribute
	for _, x := range next.Attributes {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	next.Attributes = kept
	if err := s.change(ctx, prev, next, force); err != nil {
		return fmt.Errorf("schema: delete attribute: %w", err)
	}
	return nil
}

// prefixTargets rewrites "attributes[i].x" targets of a definition error to "x" for the
// attribute API, where the attribute is the whole body.
func prefixTargets(err error, idx int) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	pre := fmt.Sprintf("attributes[%d].", idx)
	c := *fe
	if len(c.Target) > len(pre) && c.Target[:len(pre)] == pre {
		c.Target = c.Target[len(pre):]
	}
	var details []*fault.Error
	for _, d := range c.Details {
		dc := *d
		if len(dc.Target) > len(pre) && dc.Target[:len(pre)] == pre {
			dc.Target = dc.Target[len(pre):]
		}
		details = append(details, &dc)
	}
	c.Details = details
	return &c
}

// CreateRelationship adds a custom N:N relationship and its intersect table.
func (s *Service) CreateRelationship(ctx context.Context, r *metadata.ManyToMany) (*metadata.ManyToMany, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.reg.Model()
	if m.Relationship(r.Name) != nil {
		return nil, fault.Field("name", "duplicate_name", "relationship %s already exists", r.Name).WithKind(fault.Conflict)
	}
	r.Custom = true
	if err := metadata.ValidateRelationship(m, r); err != nil {
		return nil, err
	}
	nm := detached(m).WithRelationship(r.Name, r)
	if err := metadata.ValidateNavigation(nm); err != nil {
		return nil, err
	}
	err := s.st.WithTx(store.AsOwner(ctx), func(ctx context.Context) error { // DDL: the tables' owner
		if err := s.st.Apply(ctx, store.PlanRelationship(s.st.D, r, false), false); err != nil {
			return err
		}
		if err := s.st.SaveRelationship(ctx, r); err != nil {
			return err
		}
		if err := s.st.SecureTenantTables(ctx); err != nil {
			return err
		}
		return s.event(ctx, map[string]any{"change": "create_relationship", "relationship": r.Name, "entity1": r.Entity1, "entity2": r.Entity2})
	})
	if err != nil {
		return nil, fmt.Errorf("schema: create relationship: %w", err)
	}
	s.reg.Set(nm)
	return r, nil
}

// DeleteRelationship drops a custom N:N relationship and its links.
func (s *Service) DeleteRelationship(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.reg.Model()
	r := m.Relationship(name)
	if r == nil {
		return fault.Newf(fault.NotFound, "unknown_relationship", "relationship %s does not exist", name)
	}
	if !r.Custom {
		return fault.Newf(fault.Invalid, "system_relationship", "relationship %s ships with Meridian and cannot be deleted", name)
	}
	err := s.st.WithTx(store.AsOwner(ctx), func(ctx context.Context) error { // DDL: the tables' owner
		if err := s.st.Apply(ctx, store.PlanRelationship(s.st.D, r, true), true); err != nil {
			return err
		}
		if err := s.st.DeleteRelationship(ctx, name); err != nil {
			return err
		}
		return s.event(ctx, map[string]any{"change": "delete_relationship", "relationship": name})
	})
	if err != nil {
		return fmt.Errorf("schema: delete relationship: %w", err)
	}
	s.reg.Set(detached(m).WithRelationship(name, nil))
	return nil
}
