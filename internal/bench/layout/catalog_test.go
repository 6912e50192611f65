package layout

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The catalog is the shape of every table the layouts create: the system entities read from
// internal/metadata/system.json (as the store builds them today: the system columns, a column per
// attribute and its companions, an index per lookup, indexed attribute, primary name, alternate
// key and owner), the N:N intersect tables, and the custom attributes and entities every tenant of
// the benchmark defines.

// attrDef is the part of an attribute definition that decides its columns and indexes.
type attrDef struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Target  string `json:"target"`
	Indexed bool   `json:"indexed"`
	Unique  bool   `json:"unique"`
}

type entityDef struct {
	Name          string    `json:"name"`
	Ownership     string    `json:"ownership"`
	Attributes    []attrDef `json:"attributes"`
	PrimaryName   string    `json:"primary_name"`
	AlternateKeys []struct {
		Name       string   `json:"name"`
		Attributes []string `json:"attributes"`
	} `json:"alternate_keys"`
	Union []string `json:"union"`
}

type relDef struct {
	Name    string `json:"name"`
	Entity1 string `json:"entity1"`
	Entity2 string `json:"entity2"`
}

// column is a table column after tenant_id; typ is a metadata attribute type.
type column struct {
	name, typ string
	notNull   bool
}

// index is an index after tenant_id. Non-unique entity indexes end with id (the keyset
// tie-breaker) and, on PostgreSQL, declare their columns NULLS FIRST; plain ones (intersect
// tables) are rendered as listed.
type index struct {
	kind   string // name prefix: ix, ak, uq
	unique bool
	plain  bool
	cols   []string
}

// table is the shape of one table, named by its entity.
type table struct {
	entity  string
	cols    []column
	key     []string // primary key after tenant_id
	indexes []index
	pinyin  string // the string primary name that gets a zh-collated index on PostgreSQL
}

// view is the read-only union of the activity tables.
type view struct {
	entity  string
	cols    []string
	members []string
}

// catalog is the system model's tables and view.
type catalog struct {
	tables []table
	views  []view
}

func (c *catalog) table(entity string) *table {
	for i := range c.tables {
		if c.tables[i].entity == entity {
			return &c.tables[i]
		}
	}
	return nil
}

// systemColumns are the columns every entity table has after tenant_id.
var systemColumns = []column{{"id", "guid", true}, {"version", "integer", true}, {"created_at", "datetime", true},
	{"modified_at", "datetime", true}, {"created_by", "guid", false}, {"modified_by", "guid", false}, {"owner_id", "guid", false}}

// customAccount are the 20 custom attributes every tenant adds to account: three indexed
// (a segment code the filter benchmark selects on, an external reference and a lookup).
var customAccount = []attrDef{
	{Name: "cf_segment", Type: "string", Indexed: true},
	{Name: "cf_external_ref", Type: "string", Indexed: true},
	{Name: "cf_sales_rep_id", Type: "lookup", Target: "user"},
	{Name: "cf_tier", Type: "choice"},
	{Name: "cf_score", Type: "integer"},
	{Name: "cf_arr", Type: "money"},
	{Name: "cf_discount", Type: "decimal"},
	{Name: "cf_renewal_on", Type: "date"},
	{Name: "cf_reviewed_at", Type: "datetime"},
	{Name: "cf_is_partner", Type: "boolean"},
	{Name: "cf_band", Type: "choice"},
	{Name: "cf_notes", Type: "text"},
	{Name: "cf_portal", Type: "url"},
	{Name: "cf_support_email", Type: "email"},
	{Name: "cf_support_phone", Type: "phone"},
	{Name: "cf_tags", Type: "multi_choice"},
	{Name: "cf_nps", Type: "integer"},
	{Name: "cf_churn_risk", Type: "decimal"},
	{Name: "cf_onboarded_on", Type: "date"},
	{Name: "cf_region_code", Type: "string"},
}

// customEntities are the names of the 5 custom entities of every tenant; each has the attributes
// of customEntityAttrs (8, of which a code is indexed and an account lookup is indexed as every
// lookup is).
var customEntities = []string{"c_project", "c_contract", "c_site_visit", "c_asset_check", "c_survey"}

var customEntityAttrs = []attrDef{
	{Name: "name", Type: "string"},
	{Name: "code", Type: "string", Indexed: true},
	{Name: "account_id", Type: "lookup", Target: "account"},
	{Name: "status", Type: "choice"},
	{Name: "amount", Type: "money"},
	{Name: "quantity", Type: "integer"},
	{Name: "due_on", Type: "date"},
	{Name: "notes", Type: "text"},
}

// loadCatalog reads the system entities from internal/metadata/system.json.
func loadCatalog() (*catalog, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "metadata", "system.json"))
	if err != nil {
		return nil, err
	}
	var sys struct {
		Entities      []entityDef `json:"entities"`
		Relationships []relDef    `json:"relationships"`
	}
	if err := json.Unmarshal(raw, &sys); err != nil {
		return nil, fmt.Errorf("system.json: %w", err)
	}
	c := &catalog{}
	for _, e := range sys.Entities {
		if len(e.Union) > 0 {
			cols := []string{"tenant_id"}
			for _, col := range entityTable(e).cols {
				cols = append(cols, col.name)
			}
			c.views = append(c.views, view{entity: e.Name, cols: cols, members: e.Union})
			continue
		}
		c.tables = append(c.tables, entityTable(e))
	}
	for _, r := range sys.Relationships {
		c1, c2 := r.Entity1+"_id", r.Entity2+"_id"
		if r.Entity1 == r.Entity2 {
			c2 = "related_" + r.Entity2 + "_id"
		}
		c.tables = append(c.tables, table{entity: r.Name, cols: []column{{c1, "guid", true}, {c2, "guid", true}},
			key: []string{c1, c2}, indexes: []index{{kind: "ix", plain: true, cols: []string{c2}}}})
	}
	if c.table("account") == nil {
		return nil, fmt.Errorf("system.json: no account entity")
	}
	return c, nil
}

// attrColumns returns the columns of an attribute: itself and its companions (a currency code
// for money, the target entity of a polymorphic lookup).
func attrColumns(a attrDef) []column {
	out := []column{{name: a.Name, typ: a.Type}}
	switch {
	case a.Type == "money":
		out = append(out, column{name: a.Name + "_currency", typ: "string"})
	case a.Type == "lookup" && a.Target == "*":
		nav := a.Name
		if len(nav) > 3 && nav[len(nav)-3:] == "_id" {
			nav = nav[:len(nav)-3]
		}
		out = append(out, column{name: nav + "_type", typ: "string"})
	}
	return out
}

// attrIndex returns the index an attribute gets of its own, if any.
func attrIndex(a attrDef, primaryName string) (index, bool) {
	switch {
	case a.Unique:
		return index{kind: "uq", unique: true, cols: []string{a.Name}}, true
	case a.Type == "lookup", a.Indexed, a.Name == primaryName:
		return index{kind: "ix", cols: []string{a.Name}}, true
	}
	return index{}, false
}

// primaryName returns the attribute that names e's records: the declared one, or else the
// first text attribute called name, full_name, title or subject, or else the first string (as
// metadata normalises definitions).
func primaryName(e entityDef) string {
	if e.PrimaryName != "" {
		return e.PrimaryName
	}
	for _, cand := range []string{"name", "full_name", "title", "subject"} {
		for _, a := range e.Attributes {
			if a.Name == cand && textTypes[a.Type] {
				return cand
			}
		}
	}
	for _, a := range e.Attributes {
		if a.Type == "string" || a.Type == "autonumber" {
			return a.Name
		}
	}
	return ""
}

var textTypes = map[string]bool{"string": true, "text": true, "email": true, "phone": true, "url": true,
	"choice": true, "autonumber": true}

// entityTable returns the table of an entity.
func entityTable(e entityDef) table {
	e.PrimaryName = primaryName(e)
	t := table{entity: e.Name, cols: append([]column(nil), systemColumns...), key: []string{"id"},
		indexes: []index{{kind: "ix", cols: []string{"version"}}}}
	for _, k := range e.AlternateKeys {
		t.indexes = append(t.indexes, index{kind: "ak", unique: true, cols: k.Attributes})
	}
	for _, a := range e.Attributes {
		t.cols = append(t.cols, attrColumns(a)...)
		if ix, ok := attrIndex(a, e.PrimaryName); ok && !hasIndex(t.indexes, ix) {
			t.indexes = append(t.indexes, ix)
		}
		if a.Name == e.PrimaryName && a.Type == "string" {
			t.pinyin = a.Name
		}
	}
	if e.Ownership != "organization" {
		t.indexes = append(t.indexes, index{kind: "ix", cols: []string{"owner_id"}})
	}
	return t
}

func hasIndex(ixs []index, ix index) bool {
	for _, x := range ixs {
		if x.kind == ix.kind && fmt.Sprint(x.cols) == fmt.Sprint(ix.cols) {
			return true
		}
	}
	return false
}

// withCustom returns t with the custom attributes added as plain columns (layouts W and S).
func withCustom(t table, attrs []attrDef) table {
	t.cols = append([]column(nil), t.cols...)
	t.indexes = append([]index(nil), t.indexes...)
	for _, a := range attrs {
		t.cols = append(t.cols, attrColumns(a)...)
		if ix, ok := attrIndex(a, ""); ok {
			t.indexes = append(t.indexes, ix)
		}
	}
	return t
}

// extensionTable returns the 1:1 extension table of a system entity holding a tenant's custom
// attributes (layout X): tenant_id, id and the custom columns, with the custom attributes'
// indexes.
func extensionTable(entity string, attrs []attrDef) table {
	t := table{entity: entity, cols: []column{{"id", "guid", true}}, key: []string{"id"}}
	for _, a := range attrs {
		t.cols = append(t.cols, attrColumns(a)...)
		if ix, ok := attrIndex(a, ""); ok {
			t.indexes = append(t.indexes, ix)
		}
	}
	return t
}

// customEntityTable returns the table of one of a tenant's custom entities.
func customEntityTable(name string) table {
	return entityTable(entityDef{Name: name, Attributes: customEntityAttrs, PrimaryName: "name"})
}
