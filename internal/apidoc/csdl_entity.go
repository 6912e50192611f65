package apidoc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// decimalPrecision is the Precision facet of Edm.Decimal properties (the store keeps 28 digits).
const decimalPrecision = 28

func qualified(e *metadata.Entity) string { return Namespace + "." + e.Name }

func entityTypeOf(m *metadata.Model, e *metadata.Entity) entityType {
	t := entityType{Name: e.Name, Key: []propertyRef{{Name: "id"}}}
	for _, a := range e.Columns() {
		t.Properties = append(t.Properties, propertyOf(a))
	}
	for _, n := range m.Navs(e) {
		t.Navs = append(t.Navs, navPropertyOf(m, n))
	}
	t.Annotations = labelAnnotations(e.DisplayName, e.Description)
	if len(e.AlternateKeys) > 0 {
		t.Annotations = append(t.Annotations, alternateKeys(e.AlternateKeys))
	}
	return t
}

// edmType maps an attribute type to its EDM type.
func edmType(t metadata.Type) string {
	switch t {
	case metadata.TypeInteger:
		return "Edm.Int64"
	case metadata.TypeDecimal, metadata.TypeMoney:
		return "Edm.Decimal"
	case metadata.TypeBoolean:
		return "Edm.Boolean"
	case metadata.TypeDate:
		return "Edm.Date"
	case metadata.TypeDateTime:
		return "Edm.DateTimeOffset"
	case metadata.TypeMultiChoice:
		return "Collection(Edm.String)"
	case metadata.TypeLookup, metadata.TypeGUID:
		return "Edm.Guid"
	}
	// string, text, email, phone, url, choice, autonumber and json values are strings.
	return "Edm.String"
}

// notNullColumns are the system columns that always hold a value (NOT NULL in the store; the
// union view always fills activity_type).
var notNullColumns = map[string]bool{"id": true, "version": true, "created_at": true, "modified_at": true,
	"activity_type": true}

// nonNull reports whether a column never holds null.
func nonNull(a *metadata.Attribute) bool {
	return a.Required || (a.System && notNullColumns[a.Name])
}

// computed reports whether the service sets the column and clients cannot: the system columns
// (but not companions such as revenue_currency, which clients write), autonumbers and the
// attributes marked read_only, which the domain's actions and timers keep.
func computed(a *metadata.Attribute) bool {
	return (a.System && a.Of == "") || a.Type == metadata.TypeAutonumber || a.ReadOnly
}

func propertyOf(a *metadata.Attribute) property {
	p := property{Name: a.Name, Type: edmType(a.Type)}
	// For a collection, Nullable is about its items: options are never null.
	if nonNull(a) || a.Type == metadata.TypeMultiChoice {
		p.Nullable = "false"
	}
	switch a.Type {
	case metadata.TypeString, metadata.TypeEmail, metadata.TypePhone, metadata.TypeURL, metadata.TypeAutonumber:
		p.MaxLength = a.MaxLength
	case metadata.TypeDecimal, metadata.TypeMoney:
		p.Precision = decimalPrecision
		p.Scale = strconv.Itoa(a.DecimalScale())
	}
	p.Annotations = labelAnnotations(a.DisplayName, longDescription(a))
	if computed(a) {
		p.Annotations = append(p.Annotations, annotation{Term: "Core.Computed", Bool: "true"})
	}
	switch a.Type {
	case metadata.TypeChoice, metadata.TypeMultiChoice:
		if len(a.Options) > 0 {
			p.Annotations = append(p.Annotations, allowedValues(a.Options))
		}
	case metadata.TypeInteger, metadata.TypeDecimal, metadata.TypeMoney:
		integer := a.Type == metadata.TypeInteger
		if v, ok := bound("Validation.Minimum", a.Min, integer); ok {
			p.Annotations = append(p.Annotations, v)
		}
		if v, ok := bound("Validation.Maximum", a.Max, integer); ok {
			p.Annotations = append(p.Annotations, v)
		}
	}
	return p
}

// longDescription is the attribute's description followed by what its EDM type does not say.
func longDescription(a *metadata.Attribute) string {
	note := ""
	switch {
	case a.Type == metadata.TypeJSON:
		note = "A JSON document."
	case a.Polymorphic():
		note = fmt.Sprintf("The id of a record of any entity; the entity name is in %s_type.", a.NavName())
	}
	return strings.TrimSpace(a.Description + " " + note)
}

func navPropertyOf(m *metadata.Model, n *metadata.Nav) navProperty {
	np := navProperty{Name: n.Name, Type: qualified(n.To)}
	if n.Collection() {
		np.Type = "Collection(" + np.Type + ")"
	} else {
		np.Constraints = []refConstraint{{Property: n.Attr.Name, ReferencedProperty: "id"}}
		if n.Attr.Required {
			np.Nullable = "false"
		}
	}
	if p := partner(m, n); p != nil {
		np.Partner = p.Name
	}
	switch n.Kind {
	case metadata.NavManyToOne:
		np.Annotations = labelAnnotations(n.Attr.DisplayName, "")
	case metadata.NavOneToMany:
		np.Annotations = labelAnnotations(n.To.PluralName, "")
	case metadata.NavManyToMany:
		np.Annotations = labelAnnotations(n.Rel.DisplayName, "")
	}
	return np
}

// partner returns the navigation on the target that leads back through the same lookup or
// relationship, or nil.
func partner(m *metadata.Model, n *metadata.Nav) *metadata.Nav {
	for _, p := range m.Navs(n.To) {
		if p.To != n.From {
			continue
		}
		switch n.Kind {
		case metadata.NavManyToOne:
			if p.Kind == metadata.NavOneToMany && p.Attr == n.Attr {
				return p
			}
		case metadata.NavOneToMany:
			if p.Kind == metadata.NavManyToOne && p.Attr == n.Attr {
				return p
			}
		case metadata.NavManyToMany:
			if p.Kind == metadata.NavManyToMany && p.Rel == n.Rel && p.FromCol == n.ToCol && p.ToCol == n.FromCol {
				return p
			}
		}
	}
	return nil
}

func entitySetOf(m *metadata.Model, e *metadata.Entity) entitySet {
	s := entitySet{Name: e.SetName, EntityType: qualified(e)}
	for _, n := range m.Navs(e) {
		s.Bindings = append(s.Bindings, navBinding{Path: n.Name, Target: n.To.SetName})
	}
	s.Annotations = []annotation{
		// The ETag of a record is derived from its version.
		{Term: "Core.OptimisticConcurrency", Collection: &collection{PropertyPaths: []string{"version"}}},
		{Term: "Capabilities.ChangeTracking", Record: &record{Values: []propertyValue{{Property: "Supported", Bool: "true"}}}},
	}
	if e.ReadOnly() {
		s.Annotations = append(s.Annotations,
			restriction("Capabilities.InsertRestrictions", "Insertable"),
			restriction("Capabilities.UpdateRestrictions", "Updatable"),
			restriction("Capabilities.DeleteRestrictions", "Deletable"))
	}
	return s
}
