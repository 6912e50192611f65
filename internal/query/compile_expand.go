package query

import (
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// ExpandPlan is the query that loads one expanded navigation for a page of parent records.
type ExpandPlan struct {
	Nav  *metadata.Nav
	Plan *Plan
	// KeyColumn is the index of the column that links a row to its parent: the target id for a
	// many-to-one navigation (matched against the parent's lookup), else the parent's id.
	KeyColumn int
}

// CompileExpand compiles one $expand item for the parents whose link values are keys: for a
// many-to-one navigation the lookup values, otherwise the parents' ids. Collections get at most
// perParent rows each (or the nested $top when smaller).
func CompileExpand(m *metadata.Model, d store.Dialect, e *metadata.Entity, item ExpandItem, keys []string, scope Scope, perParent int) (*ExpandPlan, error) {
	args := &store.Args{D: d}
	o := item.Options
	pc := newCompiler(m, d, scope, e, args)
	pc.option = "$expand"
	if len(item.Path.Segments) != 1 {
		return nil, pc.errAt(item.Path.Pos, "invalid_expand", "$expand takes navigation properties of %s", e.Name)
	}
	nav := m.Nav(e, item.Path.Segments[0])
	if nav == nil {
		return nil, pc.errAt(item.Path.Pos, "invalid_expand", "%s is not a navigation property of %s", item.Path.Segments[0], e.Name)
	}
	if len(o.Expand) > 0 {
		return nil, ErrTooDeep
	}
	c := newCompiler(m, d, scope, nav.To, args)
	var cols []Column
	var colSQL []string
	byName := map[string]int{}
	add := func(a *metadata.Attribute, hidden bool) {
		if _, ok := byName[a.Name]; ok {
			return
		}
		byName[a.Name] = len(cols)
		cols = append(cols, Column{Name: a.Name, Attr: a, Hidden: hidden})
		colSQL = append(colSQL, store.Col(c.alias, a))
	}
	c.option = "$expand/$select"
	if len(o.Select) == 0 || (len(o.Select) == 1 && o.Select[0].String() == "*") {
		for _, a := range nav.To.Columns() {
			if c.scope.readable(nav.To, a) {
				add(a, false)
			}
		}
	} else {
		add(nav.To.Attr("id"), false)
		add(nav.To.Attr("version"), false)
		for _, p := range o.Select {
			a := nav.To.Attr(p.Segments[0])
			if a == nil || len(p.Segments) != 1 {
				return nil, c.unknown(p, nav.To, p.String())
			}
			if !c.scope.readable(nav.To, a) {
				return nil, hiddenField(c.option, nav.To, a)
			}
			add(a, false)
			for _, x := range a.Companions() {
				add(x, false)
			}
		}
	}
	base, err := c.tenantAndScope(nav.To, c.alias)
	if err != nil {
		return nil, err
	}
	where := []string{base}
	if o.Filter != nil {
		c.option = "$expand/$filter"
		if !nav.Collection() {
			return nil, c.errAt(-1, "invalid_expand", "$filter inside $expand applies to collection navigations only")
		}
		f, err := c.filter(o.Filter)
		if err != nil {
			return nil, err
		}
		where = append(where, f)
	}
	ph := make([]string, len(keys))
	for i, k := range keys {
		ph[i] = args.Add(k)
	}
	inList := "(" + strings.Join(ph, ", ") + ")"
	from := store.From(nav.To, c.alias)
	var keyCol string
	switch nav.Kind {
	case metadata.NavManyToOne:
		add(nav.To.Attr("id"), true)
		keyCol = c.alias + `."id"`
	case metadata.NavOneToMany:
		keyCol = store.Col(c.alias, nav.Attr)
	case metadata.NavManyToMany:
		from += " JOIN " + store.Quote(nav.Rel.Table()) + ` l ON l."tenant_id" = ` + c.alias + `."tenant_id" AND l.` +
			store.Quote(nav.ToCol) + " = " + c.alias + `."id"`
		keyCol = "l." + store.Quote(nav.FromCol)
	}
	where = append(where, keyCol+" IN "+inList)
	// The link column, returned under a reserved name.
	cols = append(cols, Column{Name: "@parent", Attr: &metadata.Attribute{Name: "@parent", Type: metadata.TypeGUID}, Hidden: true})
	colSQL = append(colSQL, keyCol)
	keyIdx := len(cols) - 1

	c.option = "$expand/$orderby"
	var orderSQL []string
	for _, it := range o.OrderBy {
		sql, a, err := c.column(it.Path)
		if err != nil {
			return nil, err
		}
		if c.scope.collated(a) {
			sql = d.Collate(sql, c.scope.Collation)
		}
		orderSQL = append(orderSQL, orderTerm(d, sql, it.Desc, nonNullSystem[a.Name] && len(it.Path.Segments) == 1))
	}
	orderSQL = append(orderSQL, c.alias+`."id"`)
	body := "FROM " + from
	if len(c.joins) > 0 {
		body += " " + strings.Join(c.joins, " ")
	}
	body += " WHERE " + strings.Join(where, " AND ")
	var sql string
	if !nav.Collection() {
		sql = "SELECT " + strings.Join(colSQL, ", ") + " " + body
	} else {
		limit := perParent
		if o.Top != nil && *o.Top < limit {
			limit = *o.Top
		}
		skip := 0
		if o.Skip != nil {
			skip = *o.Skip
		}
		// Per-parent limits with a window function; the outer query keeps the order.
		inner := make([]string, len(colSQL))
		outer := make([]string, len(colSQL))
		for i, s := range colSQL {
			inner[i] = s + " AS c" + strconv.Itoa(i)
			outer[i] = "c" + strconv.Itoa(i)
		}
		sql = "SELECT " + strings.Join(outer, ", ") + " FROM (SELECT " + strings.Join(inner, ", ") +
			", ROW_NUMBER() OVER (PARTITION BY " + keyCol + " ORDER BY " + strings.Join(orderSQL, ", ") + ") AS rn " + body +
			") x WHERE rn > " + strconv.Itoa(skip) + " AND rn <= " + strconv.Itoa(skip+limit) + " ORDER BY c" + strconv.Itoa(keyIdx) + ", rn"
	}
	return &ExpandPlan{Nav: nav, Plan: &Plan{SQL: sql, Args: args.List, Columns: cols}, KeyColumn: keyIdx}, nil
}
