package metadata

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// Each tenant has a data model of its own: the system definitions shipped in the binary, shared
// by every tenant, with the tenant's own definitions on top — its custom entities and N:N
// relationships, and its Extensions of system entities (custom attributes, labels, options,
// field security, indexes). A tenant's custom entities and relationships are tables of its own
// (TenantTable); the custom attributes it adds to a system entity are columns of its extension
// table, joined 1:1 to the shared table (Entity.ExtTable). docs/architecture.md explains the
// layout and the alternatives measured.

// TenantKey returns the short key that names the tables of tenant id: ten base32 characters
// of the SHA-256 of the id (50 bits; tenant creation refuses an id whose key is taken).
func TenantKey(id string) string {
	h := sha256.Sum256([]byte(strings.ToLower(id)))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:])[:10])
}

// TenantTable returns the name of a table of the tenant with key: a custom entity's or custom
// relationship's table, or the extension table of a system entity, called name in its model.
// With names of at most 48 characters it stays within PostgreSQL's 63.
func TenantTable(key, name string) string { return "t_" + key + "_" + name }

// Extension is what one tenant adds to, or changes in, a system entity. Nil fields are left as
// shipped.
type Extension struct {
	Entity      string  `json:"entity"`
	DisplayName *Label  `json:"display_name,omitempty"`
	PluralName  *Label  `json:"plural_name,omitempty"`
	Description *string `json:"description,omitempty"`
	// Attributes are the tenant's custom attributes of the entity, stored in its extension table.
	Attributes []*Attribute `json:"attributes,omitempty"`
	// Changes are the tenant's changes to shipped attributes, by attribute name.
	Changes map[string]*AttributeChange `json:"changes,omitempty"`
}

// AttributeChange is what a tenant may change in a shipped attribute of a system entity.
type AttributeChange struct {
	DisplayName *Label  `json:"display_name,omitempty"`
	Description *string `json:"description,omitempty"`
	Secured     *bool   `json:"secured,omitempty"`
	Indexed     *bool   `json:"indexed,omitempty"`
	// Options holds the options the tenant added to a choice, and new labels of shipped ones.
	Options []Option `json:"options,omitempty"`
}

// Empty reports whether the change changes nothing.
func (ch *AttributeChange) Empty() bool {
	return ch.DisplayName == nil && ch.Description == nil && ch.Secured == nil && ch.Indexed == nil && len(ch.Options) == 0
}

// Empty reports whether the extension changes nothing.
func (x *Extension) Empty() bool {
	return x == nil || x.DisplayName == nil && x.PluralName == nil && x.Description == nil && len(x.Attributes) == 0 && len(x.Changes) == 0
}

// TenantDefinitions are one tenant's own definitions.
type TenantDefinitions struct {
	Entities      []*Entity     `json:"entities,omitempty"`      // custom entities
	Extensions    []*Extension  `json:"extensions,omitempty"`    // additions to system entities
	Relationships []*ManyToMany `json:"relationships,omitempty"` // custom N:N relationships
}

// ForTenant returns the model tenant id sees: the system model m with the tenant's definitions d
// on top. System entities the tenant did not extend are shared with m (they are immutable).
func (m *Model) ForTenant(id string, d *TenantDefinitions) *Model {
	key := TenantKey(id)
	ext := map[string]*Extension{}
	if d == nil {
		d = &TenantDefinitions{}
	}
	for _, x := range d.Extensions {
		ext[x.Entity] = x
	}
	ents := make([]*Entity, 0, len(m.entities)+len(d.Entities))
	for _, e := range m.Entities() {
		if x := ext[e.Name]; !x.Empty() && !e.ReadOnly() {
			e = x.apply(e, key)
		}
		ents = append(ents, e)
	}
	for _, e := range d.Entities {
		if m.entities[e.Name] != nil {
			continue // a release added a system entity of the same name: the shipped one wins
		}
		e.table = TenantTable(key, e.Name)
		ents = append(ents, e)
	}
	rels := m.Relationships()
	for _, r := range d.Relationships {
		if m.rels[r.Name] != nil {
			continue
		}
		r.table = TenantTable(key, r.Name)
		rels = append(rels, r)
	}
	t := NewModel(ents, rels)
	t.tenant, t.key = id, key
	return t
}

// apply returns a copy of the system entity sys with the extension applied; the custom
// attributes' columns are in the tenant's extension table.
func (x *Extension) apply(sys *Entity, key string) *Entity {
	c := sys.Clone()
	if x.DisplayName != nil {
		c.DisplayName = *x.DisplayName
	}
	if x.PluralName != nil {
		c.PluralName = *x.PluralName
	}
	if x.Description != nil {
		c.Description = *x.Description
	}
	for _, a := range c.Attributes {
		if ch := x.Changes[a.Name]; ch != nil {
			ch.apply(a)
		}
	}
	for _, a := range x.Attributes {
		if findAttr(c.Attributes, a.Name) != nil || isReserved(a.Name) {
			continue // a release shipped an attribute of the same name: the shipped one wins
		}
		ac := *a
		ac.Options = append([]Option(nil), a.Options...)
		ac.Custom, ac.Ext = true, true
		c.Attributes = append(c.Attributes, &ac)
		c.extTable = TenantTable(key, sys.Name)
	}
	c.Reindex()
	return c
}

// apply changes the shipped attribute a (a copy owned by the tenant's model).
func (ch *AttributeChange) apply(a *Attribute) {
	if ch.DisplayName != nil {
		a.DisplayName = *ch.DisplayName
	}
	if ch.Description != nil {
		a.Description = *ch.Description
	}
	if ch.Secured != nil {
		a.Secured = *ch.Secured
	}
	if ch.Indexed != nil {
		a.Indexed = *ch.Indexed
	}
	for _, o := range ch.Options {
		if i := optionIndex(a.Options, o.Value); i >= 0 {
			a.Options[i].Label = o.Label
		} else {
			a.Options = append(a.Options, o)
		}
	}
}

func optionIndex(opts []Option, v string) int {
	for i := range opts {
		if opts[i].Value == v {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of d that can be changed without affecting d.
func (d *TenantDefinitions) Clone() *TenantDefinitions {
	c := &TenantDefinitions{}
	for _, e := range d.Entities {
		c.Entities = append(c.Entities, e.Clone())
	}
	for _, x := range d.Extensions {
		c.Extensions = append(c.Extensions, x.clone())
	}
	for _, r := range d.Relationships {
		rc := *r
		c.Relationships = append(c.Relationships, &rc)
	}
	return c
}

func (x *Extension) clone() *Extension {
	c := *x
	c.Attributes = nil
	for _, a := range x.Attributes {
		ac := *a
		ac.Options = append([]Option(nil), a.Options...)
		c.Attributes = append(c.Attributes, &ac)
	}
	if x.Changes != nil {
		c.Changes = make(map[string]*AttributeChange, len(x.Changes))
		for k, ch := range x.Changes {
			cc := *ch
			cc.Options = append([]Option(nil), ch.Options...)
			c.Changes[k] = &cc
		}
	}
	return &c
}

// Entity returns the custom entity called name, or nil.
func (d *TenantDefinitions) Entity(name string) *Entity {
	for _, e := range d.Entities {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Extension returns the extension of system entity name, or nil.
func (d *TenantDefinitions) Extension(name string) *Extension {
	for _, x := range d.Extensions {
		if x.Entity == name {
			return x
		}
	}
	return nil
}

// ExtensionOf returns the extension of system entity name, adding an empty one when there is none.
func (d *TenantDefinitions) ExtensionOf(name string) *Extension {
	if x := d.Extension(name); x != nil {
		return x
	}
	x := &Extension{Entity: name}
	d.Extensions = append(d.Extensions, x)
	return x
}

// Relationship returns the custom relationship called name, or nil.
func (d *TenantDefinitions) Relationship(name string) *ManyToMany {
	for _, r := range d.Relationships {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// RemoveEntity removes the custom entity called name and the relationships that use it.
func (d *TenantDefinitions) RemoveEntity(name string) {
	var ents []*Entity
	for _, e := range d.Entities {
		if e.Name != name {
			ents = append(ents, e)
		}
	}
	var rels []*ManyToMany
	for _, r := range d.Relationships {
		if r.Entity1 != name && r.Entity2 != name {
			rels = append(rels, r)
		}
	}
	d.Entities, d.Relationships = ents, rels
}

// RemoveRelationship removes the custom relationship called name.
func (d *TenantDefinitions) RemoveRelationship(name string) {
	var rels []*ManyToMany
	for _, r := range d.Relationships {
		if r.Name != name {
			rels = append(rels, r)
		}
	}
	d.Relationships = rels
}
