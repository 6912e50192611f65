package metadata

import (
	"fmt"
	"sort"
)

// ManyToMany is an N:N relationship stored in an intersect table named after the relationship.
type ManyToMany struct {
	Name        string `json:"name"`
	Entity1     string `json:"entity1"`
	Entity2     string `json:"entity2"`
	Nav1        string `json:"nav1"` // navigation on Entity1 to the related Entity2 records
	Nav2        string `json:"nav2"` // navigation on Entity2 to the related Entity1 records
	DisplayName Label  `json:"display_name"`
	Custom      bool   `json:"custom,omitempty"`
	// table is the intersect table when it is not Name (a tenant's custom relationship).
	table string
}

// Table returns the relationship's intersect table.
func (r *ManyToMany) Table() string {
	if r.table != "" {
		return r.table
	}
	return r.Name
}

// Col1 is the intersect table column holding Entity1's id.
func (r *ManyToMany) Col1() string { return r.Entity1 + "_id" }

// Col2 is the intersect table column holding Entity2's id.
func (r *ManyToMany) Col2() string {
	if r.Entity1 == r.Entity2 {
		return "related_" + r.Entity2 + "_id"
	}
	return r.Entity2 + "_id"
}

// NavKind tells the shape of a navigation property.
type NavKind int

// Navigation kinds.
const (
	NavManyToOne  NavKind = iota // a lookup on From pointing to one To record
	NavOneToMany                 // lookups on To records pointing back to From
	NavManyToMany                // through an intersect table
)

// Nav is a navigation property of an entity.
type Nav struct {
	Name string
	Kind NavKind
	From *Entity
	To   *Entity
	// Attr is the lookup: on From for NavManyToOne, on To for NavOneToMany.
	Attr *Attribute
	// Rel is the relationship for NavManyToMany; FromCol/ToCol are its intersect columns.
	Rel            *ManyToMany
	FromCol, ToCol string
}

// Collection reports whether the navigation leads to many records.
func (n *Nav) Collection() bool { return n.Kind != NavManyToOne }

// Model is an immutable snapshot of every entity and relationship definition.
type Model struct {
	entities map[string]*Entity
	bySet    map[string]*Entity
	rels     map[string]*ManyToMany
	navs     map[string]map[string]*Nav // entity → nav name → nav
	// conflicts lists navigation names defined twice (reported by ValidateNavigation).
	conflicts []string
	// tenant is the tenant whose model this is ("" for the system model, which holds only the
	// definitions shipped in the binary); key names its tables (TenantTable).
	tenant, key string
}

// Tenant returns the id of the tenant whose data model m is ("" for the system model).
func (m *Model) Tenant() string { return m.tenant }

// Key returns the short key naming the tenant's own tables ("" for the system model).
func (m *Model) Key() string { return m.key }

// NewModel indexes entities and relationships. Definitions must already be valid.
func NewModel(entities []*Entity, rels []*ManyToMany) *Model {
	m := &Model{entities: map[string]*Entity{}, bySet: map[string]*Entity{}, rels: map[string]*ManyToMany{},
		navs: map[string]map[string]*Nav{}}
	for _, e := range entities {
		if e.byName == nil { // published entities are immutable: never re-index one in use
			e.index()
		}
		m.entities[e.Name] = e
		m.bySet[e.SetName] = e
		m.navs[e.Name] = map[string]*Nav{}
	}
	for _, r := range rels {
		m.rels[r.Name] = r
	}
	for _, e := range entities {
		for _, a := range e.Lookups() {
			t := m.entities[a.Target]
			if t == nil {
				continue // polymorphic lookups have no navigation
			}
			m.navs[e.Name][a.NavName()] = &Nav{Name: a.NavName(), Kind: NavManyToOne, From: e, To: t, Attr: a}
			rn := m.reverseName(e, a)
			if _, dup := m.navs[t.Name][rn]; dup {
				m.conflicts = append(m.conflicts, fmt.Sprintf("%s has two navigations called %q; set reverse_name on %s.%s", t.Name, rn, e.Name, a.Name))
			}
			m.navs[t.Name][rn] = &Nav{Name: rn, Kind: NavOneToMany, From: t, To: e, Attr: a}
		}
	}
	for _, r := range rels {
		e1, e2 := m.entities[r.Entity1], m.entities[r.Entity2]
		if e1 == nil || e2 == nil {
			continue
		}
		m.navs[e1.Name][r.Nav1] = &Nav{Name: r.Nav1, Kind: NavManyToMany, From: e1, To: e2, Rel: r, FromCol: r.Col1(), ToCol: r.Col2()}
		m.navs[e2.Name][r.Nav2] = &Nav{Name: r.Nav2, Kind: NavManyToMany, From: e2, To: e1, Rel: r, FromCol: r.Col2(), ToCol: r.Col1()}
	}
	return m
}

// reverseName is the one-to-many navigation name on a lookup's target: the lookup's
// reverse_name, else the referencing entity's set name when it has only one lookup to the
// target, else "<set name>_<lookup stem>".
func (m *Model) reverseName(e *Entity, a *Attribute) string {
	if a.ReverseName != "" {
		return a.ReverseName
	}
	n := 0
	for _, l := range e.Lookups() {
		if l.Target == a.Target {
			n++
		}
	}
	if n == 1 && e.Name != a.Target {
		return e.SetName
	}
	return e.SetName + "_" + a.NavName()
}

// Entity returns the entity called name, or nil.
func (m *Model) Entity(name string) *Entity { return m.entities[name] }

// EntityBySet returns the entity whose set name is set, or nil.
func (m *Model) EntityBySet(set string) *Entity { return m.bySet[set] }

// Entities returns every entity sorted by name.
func (m *Model) Entities() []*Entity {
	out := make([]*Entity, 0, len(m.entities))
	for _, n := range SortedNames(m.entities) {
		out = append(out, m.entities[n])
	}
	return out
}

// Relationship returns the N:N relationship called name, or nil.
func (m *Model) Relationship(name string) *ManyToMany { return m.rels[name] }

// Relationships returns every N:N relationship sorted by name.
func (m *Model) Relationships() []*ManyToMany {
	out := make([]*ManyToMany, 0, len(m.rels))
	for _, r := range m.rels {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Nav returns the navigation property name of entity e; a lookup's attribute name
// (primary_contact_id) is accepted for its navigation (primary_contact).
func (m *Model) Nav(e *Entity, name string) *Nav {
	navs := m.navs[e.Name]
	if n := navs[name]; n != nil {
		return n
	}
	if a := e.Attr(name); a != nil && a.Type == TypeLookup {
		if n := navs[a.NavName()]; n != nil && n.Kind == NavManyToOne {
			return n
		}
	}
	return nil
}

// Navs returns the navigation properties of e sorted by name.
func (m *Model) Navs(e *Entity) []*Nav {
	navs := m.navs[e.Name]
	out := make([]*Nav, 0, len(navs))
	for _, n := range navs {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ReferencesTo returns every lookup attribute (with its entity) that targets entity name.
func (m *Model) ReferencesTo(name string) []*Nav {
	var out []*Nav
	for _, n := range m.Navs(m.entities[name]) {
		if n.Kind == NavOneToMany {
			out = append(out, n)
		}
	}
	return out
}

// With returns a new model with e added or replaced.
func (m *Model) With(e *Entity) *Model {
	ents := make([]*Entity, 0, len(m.entities)+1)
	for _, x := range m.entities {
		if x.Name != e.Name {
			ents = append(ents, x)
		}
	}
	ents = append(ents, e)
	return m.derive(ents, m.Relationships())
}

// derive builds a model of the same tenant from ents and rels.
func (m *Model) derive(ents []*Entity, rels []*ManyToMany) *Model {
	n := NewModel(ents, rels)
	n.tenant, n.key = m.tenant, m.key
	return n
}

// Without returns a new model without entity name and the relationships that use it.
func (m *Model) Without(name string) *Model {
	var ents []*Entity
	for _, x := range m.entities {
		if x.Name != name {
			ents = append(ents, x)
		}
	}
	var rels []*ManyToMany
	for _, r := range m.rels {
		if r.Entity1 != name && r.Entity2 != name {
			rels = append(rels, r)
		}
	}
	return m.derive(ents, rels)
}

// WithRelationship returns a new model with r added or replaced (r nil with name removes it).
func (m *Model) WithRelationship(name string, r *ManyToMany) *Model {
	var rels []*ManyToMany
	for _, x := range m.rels {
		if x.Name != name {
			rels = append(rels, x)
		}
	}
	if r != nil {
		rels = append(rels, r)
	}
	return m.derive(m.Entities(), rels)
}

// String describes the model briefly (for logs).
func (m *Model) String() string {
	return fmt.Sprintf("%d entities, %d relationships", len(m.entities), len(m.rels))
}
