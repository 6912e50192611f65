// Package metadata is the single source of truth for the data model: entity definitions with their
// attributes, option sets, relationships, alternate keys and EN/ZH display names. The definitions
// drive the SQL tables, the API, the CSDL and OpenAPI documents and validation. System entities
// ship in the binary (system.json); custom entities are stored in the database and loaded at start.
package metadata

import (
	"sort"
	"strings"
	"sync"
)

// Label is a display text in English and Simplified Chinese.
type Label struct {
	EN string `json:"en,omitempty"`
	ZH string `json:"zh,omitempty"`
}

// In returns the label in lang ("zh" or anything else for English), falling back to English.
func (l Label) In(lang string) string {
	if strings.HasPrefix(lang, "zh") && l.ZH != "" {
		return l.ZH
	}
	return l.EN
}

// Option is one value of a choice or multi-choice attribute.
type Option struct {
	Value string `json:"value"`
	Label Label  `json:"label"`
}

// AlternateKey is a set of attributes that identifies a record besides its id.
type AlternateKey struct {
	Name       string   `json:"name"`
	Attributes []string `json:"attributes"`
}

// Entity is the definition of one entity (one table).
type Entity struct {
	Name          string         `json:"name"`
	SetName       string         `json:"set_name"`
	DisplayName   Label          `json:"display_name"`
	PluralName    Label          `json:"plural_name,omitempty"`
	Description   string         `json:"description,omitempty"`
	PrimaryName   string         `json:"primary_name,omitempty"` // attribute shown for the record and used to resolve lookups by name
	Attributes    []*Attribute   `json:"attributes"`
	AlternateKeys []AlternateKey `json:"alternate_keys,omitempty"`
	// Union makes a read-only entity whose rows are the union of the listed entities'
	// common attributes (the activity view), with an extra activity_type column.
	Union []string `json:"union,omitempty"`
	// Custom is true for entities created at run time.
	Custom bool `json:"custom,omitempty"`
	// Ownership is "user" (the default: records are owned by a user or team, and security
	// roles grant access by depth) or "organization" (records belong to the whole tenant:
	// a privilege is either held or not, whatever its depth).
	Ownership string `json:"ownership,omitempty"`

	byName map[string]*Attribute
	cols   []*Attribute
	// table is the physical table when it is not Name (a tenant's custom entity); extTable is the
	// tenant's extension table of a system entity, holding the columns of its custom attributes.
	table, extTable string
	// memo holds values derived from the definition (Memo); it goes with the definition.
	memo *sync.Map
}

// Memo returns the value derived from e under key, computing it with fn the first time. A
// published definition is immutable, so what is derived from it (SQL fragments, say) can be
// kept with it — and is dropped with it when a tenant's model is built again.
func (e *Entity) Memo(key any, fn func() any) any {
	m := e.memo
	if m == nil {
		return fn() // a definition being built: nothing to keep yet
	}
	if v, ok := m.Load(key); ok {
		return v
	}
	v, _ := m.LoadOrStore(key, fn())
	return v
}

// Table returns the entity's table: its name for system entities, a table of the tenant's own
// (TenantTable) for a custom entity.
func (e *Entity) Table() string {
	if e.table != "" {
		return e.table
	}
	return e.Name
}

// ExtTable returns the table holding the columns of the attributes a tenant added to a system
// entity (Attribute.Ext), joined 1:1 to the shared table by (tenant_id, id); "" when there is none.
func (e *Entity) ExtTable() string { return e.extTable }

// Ownership types.
const (
	OwnershipUser         = "user"
	OwnershipOrganization = "organization"
)

// OrganizationOwned reports whether the entity's records belong to the whole tenant.
func (e *Entity) OrganizationOwned() bool { return e.Ownership == OwnershipOrganization }

// ReadOnly reports whether records of the entity cannot be written through the API.
func (e *Entity) ReadOnly() bool { return len(e.Union) > 0 }

// Attr returns the attribute called name (system columns included), or nil.
func (e *Entity) Attr(name string) *Attribute {
	if e.byName == nil {
		e.index()
	}
	return e.byName[name]
}

// Columns returns every column of the entity's table in table order: the system columns, then
// each defined attribute followed by its companion columns.
func (e *Entity) Columns() []*Attribute {
	if e.byName == nil {
		e.index()
	}
	return e.cols
}

// index builds the column list and name lookup table. Call Reindex after changing Attributes.
func (e *Entity) index() {
	cols := make([]*Attribute, 0, len(SystemAttributes)+len(e.Attributes)+2)
	cols = append(cols, SystemAttributes...)
	if len(e.Union) > 0 {
		cols = append(cols, activityTypeAttr)
	}
	for _, a := range e.Attributes {
		cols = append(cols, a)
		cols = append(cols, a.Companions()...)
	}
	m := make(map[string]*Attribute, len(cols))
	for _, a := range cols {
		m[a.Name] = a
	}
	e.cols, e.byName, e.memo = cols, m, &sync.Map{}
}

// Reindex refreshes the derived column list after Attributes changed.
func (e *Entity) Reindex() { e.index() }

// Lookups returns the lookup attributes of the entity in definition order.
func (e *Entity) Lookups() []*Attribute {
	var out []*Attribute
	for _, a := range e.Attributes {
		if a.Type == TypeLookup {
			out = append(out, a)
		}
	}
	return out
}

// Clone returns a deep copy that can be changed without affecting e.
func (e *Entity) Clone() *Entity {
	c := *e
	c.byName, c.cols, c.memo = nil, nil, nil
	c.Attributes = make([]*Attribute, len(e.Attributes))
	for i, a := range e.Attributes {
		ac := *a
		ac.Options = append([]Option(nil), a.Options...)
		c.Attributes[i] = &ac
	}
	c.AlternateKeys = append([]AlternateKey(nil), e.AlternateKeys...)
	c.Union = append([]string(nil), e.Union...)
	return &c
}

// SystemAttributes are the columns every entity table has, in table order.
var SystemAttributes = []*Attribute{
	{Name: "id", Type: TypeGUID, System: true, DisplayName: Label{EN: "ID", ZH: "ID"}},
	{Name: "version", Type: TypeInteger, System: true, DisplayName: Label{EN: "Version", ZH: "版本"}},
	{Name: "created_at", Type: TypeDateTime, System: true, DisplayName: Label{EN: "Created on", ZH: "创建时间"}},
	{Name: "modified_at", Type: TypeDateTime, System: true, DisplayName: Label{EN: "Modified on", ZH: "修改时间"}},
	{Name: "created_by", Type: TypeGUID, System: true, DisplayName: Label{EN: "Created by", ZH: "创建人"}},
	{Name: "modified_by", Type: TypeGUID, System: true, DisplayName: Label{EN: "Modified by", ZH: "修改人"}},
	{Name: "owner_id", Type: TypeGUID, System: true, DisplayName: Label{EN: "Owner", ZH: "负责人"}},
}

var activityTypeAttr = &Attribute{Name: "activity_type", Type: TypeString, System: true,
	DisplayName: Label{EN: "Activity type", ZH: "活动类型"}}

// SortedNames returns the names of the entities in alphabetical order.
func SortedNames(m map[string]*Entity) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
