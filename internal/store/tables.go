package store

import "github.com/meridian-crm/meridian/internal/metadata"

// From renders e's table under alias for a FROM clause, with the tenant's extension table of a
// system entity (its custom attributes) joined 1:1 under alias_x. Both databases drop that join
// from a query that reads none of its columns: it is a LEFT JOIN on the extension table's
// primary key.
func From(e *metadata.Entity, alias string) string {
	return Quote(e.Table()) + " " + alias + ExtJoin(e, alias)
}

// ExtJoin renders the LEFT JOIN of e's extension table to e's table under alias ("" when e has
// none): it follows the table's JOIN … ON clause in a list of joins.
func ExtJoin(e *metadata.Entity, alias string) string {
	x := e.ExtTable()
	if x == "" {
		return ""
	}
	return " LEFT JOIN " + Quote(x) + " " + alias + `_x ON ` + alias + `_x."tenant_id" = ` + alias + `."tenant_id" AND ` + alias + `_x."id" = ` + alias + `."id"`
}

// Col renders the column of attribute a (of the entity under alias): in the extension table when
// a is a tenant's custom attribute of a system entity.
func Col(alias string, a *metadata.Attribute) string {
	if a.Ext {
		return alias + "_x." + Quote(a.Name)
	}
	return alias + "." + Quote(a.Name)
}
