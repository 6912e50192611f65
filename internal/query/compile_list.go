package query

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Column is one output column of a compiled query.
type Column struct {
	Name   string
	Attr   *metadata.Attribute // decodes the value
	Hidden bool                // fetched for paging only, not returned to the client
}

// OrderKey is one key of the keyset: an index into Columns and a direction.
type OrderKey struct {
	Column  int
	Desc    bool
	NotNull bool
	// Collation is the collation the key is ordered and compared in.
	Collation store.Collation
}

// Plan is a compiled SELECT with what is needed to decode its rows and page through them.
type Plan struct {
	SQL     string
	Args    []any
	Columns []Column
	// CountSQL counts the rows matching the filter, when $count=true was asked.
	CountSQL  string
	CountArgs []any
	// Order is the keyset of the query (the $orderby keys followed by id).
	Order []OrderKey
	// PageSize is the number of rows in a full page; the query fetches one more to learn
	// whether there is a next page. Zero means no server-driven paging.
	PageSize int
	// Remaining is the $top still to serve after this page (0: unlimited).
	Remaining int
}

// pageToken is the content of $skiptoken: the keyset values of the last row served and the
// $top still to serve.
type pageToken struct {
	Keys []any `json:"k"`
	Top  int   `json:"t,omitempty"`
}

// EncodePageToken builds the $skiptoken that continues after a row whose keyset values are keys.
func EncodePageToken(keys []any, remainingTop int) string {
	b, _ := json.Marshal(pageToken{Keys: keys, Top: remainingTop})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageToken(s string) (*pageToken, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var t pageToken
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

// nonNullSystem are system columns that never hold null.
var nonNullSystem = map[string]bool{"id": true, "version": true, "created_at": true, "modified_at": true}

// CompileList compiles a collection read of entity e: $filter, $select, $orderby, $top, $skip,
// $skiptoken and $count. pageSize is the server-driven page size.
func CompileList(m *metadata.Model, d store.Dialect, e *metadata.Entity, o *Options, scope Scope, pageSize int) (*Plan, error) {
	args := &store.Args{D: d}
	c := newCompiler(m, d, scope, e, args)
	plan := &Plan{}

	// Columns: everything, or id + version + the selected attributes (with their companions).
	all := e.Columns()
	cols := make([]Column, 0, len(all)+2)
	colSQL := make([]string, 0, len(all)+2)
	addCol := func(sql string, a *metadata.Attribute, name string, hidden bool) int {
		cols = append(cols, Column{Name: name, Attr: a, Hidden: hidden})
		colSQL = append(colSQL, sql)
		return len(cols) - 1
	}
	byName := map[string]int{}
	c.option = "$select"
	if len(o.Select) == 0 || (len(o.Select) == 1 && o.Select[0].String() == "*") {
		for i, ref := range columnRefs(e) {
			if c.scope.readable(e, all[i]) {
				byName[all[i].Name] = addCol(ref, all[i], all[i].Name, false)
			}
		}
	} else {
		for _, name := range []string{"id", "version"} {
			byName[name] = addCol(store.Col(c.alias, e.Attr(name)), e.Attr(name), name, false)
		}
		for _, p := range o.Select {
			if len(p.Segments) != 1 {
				return nil, c.errAt(p.Pos, "invalid_select", "$select takes properties of %s; use $expand to select from related records", e.Name)
			}
			a := e.Attr(p.Segments[0])
			if a == nil {
				if m.Nav(e, p.Segments[0]) != nil {
					return nil, c.errAt(p.Pos, "invalid_select", "%s is a navigation property: use $expand=%s", p.Segments[0], p.Segments[0])
				}
				return nil, c.unknown(p, e, p.Segments[0])
			}
			if !c.scope.readable(e, a) {
				return nil, hiddenField(c.option, e, a)
			}
			for _, x := range append([]*metadata.Attribute{a}, a.Companions()...) {
				if _, dup := byName[x.Name]; !dup {
					byName[x.Name] = addCol(store.Col(c.alias, x), x, x.Name, false)
				}
			}
		}
	}

	// Many-to-one expansions need the lookup value of each row, selected or not.
	for _, it := range o.Expand {
		if len(it.Path.Segments) != 1 {
			continue
		}
		if nav := m.Nav(e, it.Path.Segments[0]); nav != nil && nav.Kind == metadata.NavManyToOne {
			if _, ok := byName[nav.Attr.Name]; !ok {
				byName[nav.Attr.Name] = addCol(store.Col(c.alias, nav.Attr), nav.Attr, nav.Attr.Name, true)
			}
		}
	}

	// Filter.
	var where []string
	base, err := c.tenantAndScope(e, c.alias)
	if err != nil {
		return nil, err
	}
	where = append(where, base)
	if o.Filter != nil {
		c.option = "$filter"
		f, err := c.filter(o.Filter)
		if err != nil {
			return nil, err
		}
		where = append(where, f)
	}
	joinsForFilter := len(c.joins)
	argsForFilter := len(args.List) // the count binds these only: later ones belong to ordering and paging

	// Order: the requested keys, then id as the tie-breaker that makes the keyset unique.
	c.option = "$orderby"
	var orderSQL []string
	hasID := false
	for _, item := range o.OrderBy {
		sql, a, err := c.column(item.Path)
		if err != nil {
			return nil, err
		}
		if a.Type == metadata.TypeText || a.Type == metadata.TypeJSON || a.Type == metadata.TypeMultiChoice {
			return nil, c.errAt(item.Path.Pos, "invalid_orderby", "cannot sort by %s (%s)", item.Path.String(), a.Type)
		}
		name := item.Path.String()
		idx, ok := byName[name]
		if !ok || len(item.Path.Segments) > 1 {
			idx = addCol(sql, a, name, true)
			byName[name] = idx
		}
		notNull := len(item.Path.Segments) == 1 && nonNullSystem[a.Name]
		coll := store.CollationDefault
		if c.scope.collated(a) {
			coll = c.scope.Collation
		}
		plan.Order = append(plan.Order, OrderKey{Column: idx, Desc: item.Desc, NotNull: notNull, Collation: coll})
		orderSQL = append(orderSQL, orderTerm(d, d.Collate(sql, coll), item.Desc, notNull))
		if name == "id" {
			hasID = true
			break // id is unique: later keys cannot change the order
		}
	}
	if !hasID {
		idx, ok := byName["id"]
		if !ok {
			idx = addCol(c.alias+`."id"`, e.Attr("id"), "id", true)
		}
		plan.Order = append(plan.Order, OrderKey{Column: idx, NotNull: true})
		orderSQL = append(orderSQL, c.alias+`."id"`)
	}

	// Paging.
	limit := pageSize
	// endsTop: this page serves the last rows $top allows. It fetches no extra row, so that no
	// next link is offered (a token's remaining top of 0 would mean unlimited).
	endsTop := false
	if o.Top != nil && *o.Top <= limit {
		limit = *o.Top
		endsTop = true
	}
	remaining := 0
	offset := 0
	if o.SkipToken != "" {
		c.option = "$skiptoken"
		tok, err := decodePageToken(o.SkipToken)
		if err != nil || len(tok.Keys) != len(plan.Order) {
			return nil, &fault.Error{Kind: fault.Invalid, Code: "invalid_skiptoken", Target: "$skiptoken",
				Message: "the paging token is not valid for this query; follow @odata.nextLink exactly as given"}
		}
		kp, err := c.keyset(plan, cols, colSQL, tok.Keys)
		if err != nil {
			return nil, err
		}
		where = append(where, kp)
		if tok.Top > 0 {
			remaining = tok.Top
			if remaining <= limit {
				limit = remaining
				endsTop = true
			}
		}
	} else {
		if o.Top != nil && *o.Top > pageSize {
			remaining = *o.Top
		}
		if o.Skip != nil {
			offset = *o.Skip
		}
	}
	if remaining > 0 {
		plan.Remaining = remaining - limit
	}
	plan.PageSize = limit

	from := store.From(e, c.alias)
	sql := "SELECT " + strings.Join(colSQL, ", ") + " FROM " + from
	if len(c.joins) > 0 {
		sql += " " + strings.Join(c.joins, " ")
	}
	sql += " WHERE " + strings.Join(where, " AND ")
	if o.Unordered {
		plan.Order = nil
	} else {
		sql += " ORDER BY " + strings.Join(orderSQL, ", ")
	}
	fetch := limit + 1
	if endsTop {
		fetch = limit
	}
	sql += " LIMIT " + strconv.Itoa(fetch)
	if offset > 0 {
		sql += " OFFSET " + strconv.Itoa(offset)
	}
	plan.SQL, plan.Args, plan.Columns = sql, args.List, cols

	if o.Count {
		// The count ignores paging; it reuses the filter's joins and arguments.
		csql := "SELECT COUNT(*) FROM " + from
		if joinsForFilter > 0 {
			csql += " " + strings.Join(c.joins[:joinsForFilter], " ")
		}
		nWhere := len(where)
		if o.SkipToken != "" {
			nWhere-- // the keyset condition is paging, not filtering
		}
		csql += " WHERE " + strings.Join(where[:nWhere], " AND ")
		plan.CountSQL, plan.CountArgs = csql, args.List[:argsForFilter:argsForFilter]
	}
	return plan, nil
}

// columnRefs returns `t."col"` for every column of e, computed once per entity definition.
func columnRefs(e *metadata.Entity) []string {
	return e.Memo(columnRefsKey{}, func() any {
		cols := e.Columns()
		refs := make([]string, len(cols))
		for i, a := range cols {
			refs[i] = store.Col("t", a)
		}
		return refs
	}).([]string)
}

type columnRefsKey struct{}

func orderTerm(d store.Dialect, sql string, desc, notNull bool) string {
	dir := ""
	if desc {
		dir = " DESC"
	}
	// Nulls sort as the smallest values in both dialects (SQLite's rule). PostgreSQL needs it
	// spelled out; its indexes are declared NULLS FIRST to match.
	if d.Name() == "postgres" && !notNull {
		if desc {
			dir += " NULLS LAST"
		} else {
			dir += " NULLS FIRST"
		}
	}
	return sql + dir
}

// keyset renders "row is after the token's row" for the plan's order keys, nulls smallest.
func (c *compiler) keyset(plan *Plan, cols []Column, colSQL []string, keys []any) (string, error) {
	vals := make([]any, len(keys))
	for i, k := range plan.Order {
		a := cols[k.Column].Attr
		v, err := a.Convert(keys[i])
		if err != nil {
			return "", &fault.Error{Kind: fault.Invalid, Code: "invalid_skiptoken", Target: "$skiptoken", Message: "the paging token is damaged"}
		}
		vals[i] = v
	}
	// Ascending keys with non-null values: a row-value comparison, which both databases can
	// answer with an index range scan.
	simple := len(plan.Order) > 1
	for i, k := range plan.Order {
		if k.Desc || vals[i] == nil {
			simple = false
		}
	}
	if simple {
		l, r := make([]string, len(plan.Order)), make([]string, len(plan.Order))
		for i, k := range plan.Order {
			l[i] = c.d.Collate(colSQL[k.Column], k.Collation)
			r[i] = c.args.Add(c.d.Encode(cols[k.Column].Attr, vals[i]))
		}
		return "(" + strings.Join(l, ", ") + ") > (" + strings.Join(r, ", ") + ")", nil
	}
	// after(i) = key i strictly after, or equal and after(i+1).
	var build func(i int) string
	build = func(i int) string {
		k := plan.Order[i]
		// The comparisons use the collation of the ORDER BY, or pages would skip or repeat rows.
		col, a, v := c.d.Collate(colSQL[k.Column], k.Collation), cols[k.Column].Attr, vals[i]
		var gt, eq string
		switch {
		case v == nil && !k.Desc:
			gt, eq = col+" IS NOT NULL", col+" IS NULL"
		case v == nil && k.Desc:
			gt, eq = "", col+" IS NULL"
		case !k.Desc:
			// One placeholder serves both conditions: the last key renders only gt, and an
			// argument no placeholder refers to makes PostgreSQL reject the statement.
			p := c.args.Add(c.d.Encode(a, v))
			gt, eq = col+" > "+p, col+" = "+p
		default:
			p := c.args.Add(c.d.Encode(a, v))
			if k.NotNull {
				gt = col + " < " + p
			} else {
				gt = "(" + col + " < " + p + " OR " + col + " IS NULL)"
			}
			eq = col + " = " + p
		}
		if i == len(plan.Order)-1 {
			if gt == "" {
				return "1 = 0"
			}
			return gt
		}
		rest := "(" + eq + " AND " + build(i+1) + ")"
		if gt == "" {
			return rest
		}
		return "(" + gt + " OR " + rest + ")"
	}
	return build(0), nil
}

// KeysetValues returns the JSON form of the keyset values of a decoded row, for EncodePageToken.
func (p *Plan) KeysetValues(row []any) []any {
	out := make([]any, len(p.Order))
	for i, k := range p.Order {
		out[i] = p.Columns[k.Column].Attr.JSONValue(row[k.Column])
	}
	return out
}

// String shows the SQL and arguments (for golden files and debugging).
func (p *Plan) String() string {
	return fmt.Sprintf("%s\n-- args: %v", p.SQL, p.Args)
}
