package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
)

// AddAttribute adds an attribute (a column) to an entity of the caller's tenant. On a system
// entity it is the tenant's custom attribute, a column of its extension table.
func (s *Service) AddAttribute(ctx context.Context, entity string, a *metadata.Attribute) (*metadata.Attribute, error) {
	var idx int
	nm, err := s.apply(ctx, false, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		prev, err := writable(m, entity)
		if err != nil {
			return nil, err
		}
		if prev.Attr(a.Name) != nil {
			return nil, fault.Field("name", "duplicate_name", "%s already has an attribute %s", entity, a.Name).WithKind(fault.Conflict)
		}
		if m.Nav(prev, a.Name) != nil {
			return nil, fault.Field("name", "duplicate_name", "%s already has a navigation property %s", entity, a.Name).WithKind(fault.Conflict)
		}
		a.Custom, a.Ext = !prev.Custom, false
		next := prev.Clone()
		next.Attributes = append(next.Attributes, a)
		idx = len(prev.Attributes)
		if err := customReadOnly(next); err != nil {
			return nil, err
		}
		next.Normalize()
		freezeReverseNames(m, next)
		if err := metadata.ValidateEntity(m, next); err != nil {
			return nil, err
		}
		if prev.Custom {
			d.Entity(entity).Attributes = append(d.Entity(entity).Attributes, a)
		} else {
			x := d.ExtensionOf(entity)
			x.Attributes = append(x.Attributes, a)
		}
		return entityChange(prev, next, false), nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: add attribute: %w", prefixTargets(err, idx))
	}
	return nm.Entity(entity).Attr(a.Name), nil
}

// changeable lists what a tenant may change of an attribute shipped with a system entity.
var changeable = map[string]bool{"display_name": true, "description": true, "secured": true, "indexed": true, "options": true}

// UpdateAttribute replaces the definition of attribute name with a (its name and type may not
// change, except between text-like types). A change that would break or lose data needs force.
// Of an attribute shipped with a system entity, the caller's tenant may change the labels,
// field security, the index and add options; any other field that differs is refused, by name.
func (s *Service) UpdateAttribute(ctx context.Context, entity, name string, a *metadata.Attribute, force bool) (*metadata.Attribute, error) {
	var idx int
	nm, err := s.apply(ctx, force, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		prev, old, err := attribute(m, entity, name)
		if err != nil {
			return nil, err
		}
		if a.Name == "" {
			a.Name = name
		}
		if a.Name != name {
			return nil, fault.Field("name", "rename_not_supported", "attributes cannot be renamed; create a new one and copy the data")
		}
		if a.Custom != old.Custom {
			return nil, fault.Field("custom", "read_only", "custom tells whether an attribute was added at run time; it cannot be changed")
		}
		for i, x := range prev.Attributes {
			if x.Name == name {
				idx = i
			}
		}
		if !prev.Custom && !old.Custom {
			return s.changeShipped(m, d, prev, old, a)
		}
		a.Ext = false
		next := prev.Clone()
		next.Attributes[idx] = a
		if err := customReadOnly(next); err != nil {
			return nil, err
		}
		next.Normalize()
		freezeReverseNames(m, next)
		if err := metadata.ValidateEntity(m, next); err != nil {
			return nil, err
		}
		if prev.Custom {
			d.Entity(entity).Attributes[idx] = a
		} else {
			x := d.Extension(entity)
			for i, c := range x.Attributes {
				if c.Name == name {
					x.Attributes[i] = a
				}
			}
		}
		return entityChange(prev, next, force), nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: update attribute: %w", prefixTargets(err, idx))
	}
	return nm.Entity(entity).Attr(name), nil
}

// changeShipped records, in the tenant's extension of system entity e, the change of shipped
// attribute old to a: what may change is kept relative to the shipped definition (so a later
// release's labels still reach the tenant where it changed nothing); the rest must not differ.
func (s *Service) changeShipped(m *metadata.Model, d *metadata.TenantDefinitions, e *metadata.Entity, old, a *metadata.Attribute) (map[string]any, error) {
	shipped := s.reg.System().Entity(e.Name).Attr(old.Name)
	if a.DisplayName.EN == "" {
		a.DisplayName.EN = old.DisplayName.EN
	}
	var faults []*fault.Error
	for _, f := range fieldsChanged(old, a) {
		if !changeable[f] {
			faults = append(faults, fault.Field(f, "not_changeable", "%s of %s.%s ships with Meridian and cannot be changed (display_name, description, secured, indexed and new options can)", f, e.Name, old.Name))
		}
	}
	for _, o := range shipped.Options {
		if a.Option(o.Value) == nil {
			faults = append(faults, fault.Field("options", "system_option", "option %s of %s.%s ships with Meridian and cannot be removed", o.Value, e.Name, old.Name))
		}
	}
	if len(faults) > 0 {
		return nil, fault.Join(faults)
	}
	ch := &metadata.AttributeChange{}
	if a.DisplayName != shipped.DisplayName {
		l := a.DisplayName
		ch.DisplayName = &l
	}
	if a.Description != shipped.Description {
		desc := a.Description
		ch.Description = &desc
	}
	if a.Secured != shipped.Secured {
		v := a.Secured
		ch.Secured = &v
	}
	if a.Indexed != shipped.Indexed {
		v := a.Indexed
		ch.Indexed = &v
	}
	for _, o := range a.Options {
		if so := shipped.Option(o.Value); so == nil || so.Label != o.Label {
			ch.Options = append(ch.Options, o)
		}
	}
	next := e.Clone()
	for i, x := range next.Attributes {
		if x.Name == old.Name {
			next.Attributes[i] = a
		}
	}
	next.Reindex()
	if err := metadata.ValidateEntity(m, next); err != nil {
		return nil, err
	}
	x := d.ExtensionOf(e.Name)
	if ch.Empty() {
		delete(x.Changes, old.Name)
	} else {
		if x.Changes == nil {
			x.Changes = map[string]*metadata.AttributeChange{}
		}
		x.Changes[old.Name] = ch
	}
	return entityChange(e, next, false), nil
}

// attribute returns entity of m and its attribute name, which a schema change may change.
func attribute(m *metadata.Model, entity, name string) (*metadata.Entity, *metadata.Attribute, error) {
	e, err := writable(m, entity)
	if err != nil {
		return nil, nil, err
	}
	a := e.Attr(name)
	if a == nil || a.System {
		return nil, nil, fault.Newf(fault.NotFound, "unknown_attribute", "%s has no attribute %s", entity, name)
	}
	return e, a, nil
}

// fieldsChanged returns the JSON fields whose values differ between a and b.
func fieldsChanged(a, b *metadata.Attribute) []string {
	var ma, mb map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var out []string
	for k, v := range ma {
		if string(mb[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// DeleteAttribute drops a custom attribute of the caller's tenant; one that holds data needs force.
func (s *Service) DeleteAttribute(ctx context.Context, entity, name string, force bool) error {
	_, err := s.apply(ctx, force, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		prev, old, err := attribute(m, entity, name)
		if err != nil {
			return nil, err
		}
		if !prev.Custom && !old.Custom {
			return nil, fault.Newf(fault.Invalid, "system_attribute", "%s.%s ships with Meridian and cannot be deleted", entity, name)
		}
		if name == prev.PrimaryName {
			return nil, fault.Newf(fault.Conflict, "in_use", "%s is the primary name of %s", name, entity)
		}
		for _, k := range prev.AlternateKeys {
			for _, ka := range k.Attributes {
				if ka == name {
					return nil, fault.Newf(fault.Conflict, "in_use", "%s is part of alternate key %s; remove the key first", name, k.Name)
				}
			}
		}
		next := prev.Clone()
		next.Attributes = without(next.Attributes, name)
		next.Reindex()
		if prev.Custom {
			d.Entity(entity).Attributes = without(d.Entity(entity).Attributes, name)
		} else {
			x := d.Extension(entity)
			x.Attributes = without(x.Attributes, name)
		}
		return entityChange(prev, next, force), nil
	})
	if err != nil {
		return fmt.Errorf("schema: delete attribute: %w", err)
	}
	return nil
}

func without(attrs []*metadata.Attribute, name string) []*metadata.Attribute {
	var kept []*metadata.Attribute
	for _, x := range attrs {
		if x.Name != name {
			kept = append(kept, x)
		}
	}
	return kept
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

// CreateRelationship adds a custom N:N relationship of the caller's tenant and its intersect table.
func (s *Service) CreateRelationship(ctx context.Context, r *metadata.ManyToMany) (*metadata.ManyToMany, error) {
	nm, err := s.apply(ctx, false, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		if m.Relationship(r.Name) != nil {
			return nil, fault.Field("name", "duplicate_name", "relationship %s already exists", r.Name).WithKind(fault.Conflict)
		}
		r.Custom = true
		if err := metadata.ValidateRelationship(m, r); err != nil {
			return nil, err
		}
		d.Relationships = append(d.Relationships, r)
		return map[string]any{"change": "create_relationship", "relationship": r.Name, "entity1": r.Entity1, "entity2": r.Entity2}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema: create relationship: %w", err)
	}
	return nm.Relationship(r.Name), nil
}

// DeleteRelationship drops a custom N:N relationship of the caller's tenant and its links.
func (s *Service) DeleteRelationship(ctx context.Context, name string) error {
	_, err := s.apply(ctx, true, func(m *metadata.Model, d *metadata.TenantDefinitions) (map[string]any, error) {
		r := m.Relationship(name)
		if r == nil {
			return nil, fault.Newf(fault.NotFound, "unknown_relationship", "relationship %s does not exist", name)
		}
		if !r.Custom {
			return nil, fault.Newf(fault.Invalid, "system_relationship", "relationship %s ships with Meridian and cannot be deleted", name)
		}
		d.RemoveRelationship(name)
		return map[string]any{"change": "delete_relationship", "relationship": name}, nil
	})
	if err != nil {
		return fmt.Errorf("schema: delete relationship: %w", err)
	}
	return nil
}
