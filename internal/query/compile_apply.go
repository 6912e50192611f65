package query

import (
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// aggregate methods and the SQL functions they render to.
var aggFuncs = map[string]string{"sum": "SUM", "average": "AVG", "min": "MIN", "max": "MAX", "countdistinct": "COUNT"}

// CompileApply compiles $apply (filter, groupby, aggregate) with $orderby, $top and $skip over
// the aggregated rows. Paging of aggregated results is by offset: skip is where this page starts.
func CompileApply(m *metadata.Model, d store.Dialect, e *metadata.Entity, o *Options, scope Scope, pageSize, skip int) (*Plan, error) {
	args := &store.Args{D: d}
	c := newCompiler(m, d, scope, e, args)
	c.option = "$apply"
	if o.Filter != nil {
		return nil, c.errAt(-1, "invalid_apply", "$filter cannot be combined with $apply; put the condition first inside $apply, e.g. $apply=filter(…)/groupby(…)")
	}
	if len(o.Select) > 0 || len(o.Expand) > 0 {
		return nil, c.errAt(-1, "invalid_apply", "$select and $expand cannot be combined with $apply")
	}
	base, err := c.tenantAndScope(e, c.alias)
	if err != nil {
		return nil, err
	}
	where := []string{base}
	var groupSQL, colSQL []string
	var cols []Column
	grouped := false
	for _, step := range o.Apply {
		if grouped {
			return nil, c.errAt(-1, "invalid_apply", "groupby or aggregate must be the last step of $apply")
		}
		switch s := step.(type) {
		case *FilterStep:
			f, err := c.filter(s.Expr)
			if err != nil {
				return nil, err
			}
			where = append(where, f)
		case *GroupBy:
			grouped = true
			for _, p := range s.Props {
				sql, a, err := c.column(p)
				if err != nil {
					return nil, err
				}
				if a.Type == metadata.TypeText || a.Type == metadata.TypeJSON {
					return nil, c.errAt(p.Pos, "invalid_apply", "cannot group by %s (%s)", p.String(), a.Type)
				}
				groupSQL = append(groupSQL, sql)
				colSQL = append(colSQL, sql)
				cols = append(cols, Column{Name: navOutputName(m, e, p), Attr: a})
			}
			if err := c.aggregates(s.Aggregate, &colSQL, &cols); err != nil {
				return nil, err
			}
		case *AggregateStep:
			grouped = true
			if err := c.aggregates(s.Items, &colSQL, &cols); err != nil {
				return nil, err
			}
		}
	}
	if !grouped {
		return nil, c.errAt(-1, "invalid_apply", "$apply needs a groupby(…) or aggregate(…) step")
	}
	// $orderby refers to output columns by name or alias.
	c.option = "$orderby"
	var orderSQL []string
	ordered := map[int]bool{}
	for _, item := range o.OrderBy {
		name := navOutputName(m, e, item.Path) // account_id/industry names the column account/industry
		found := -1
		for i, col := range cols {
			if col.Name == name || strings.ReplaceAll(col.Name, "/", "_") == name {
				found = i
			}
		}
		if found < 0 {
			return nil, c.errAt(item.Path.Pos, "invalid_orderby", "%s is not a grouping property or aggregate alias of this $apply", name)
		}
		orderSQL = append(orderSQL, orderTerm(d, strconv.Itoa(found+1), item.Desc, false))
		ordered[found] = true
	}
	// The grouping columns identify a group: ordering by them last makes the order total, so
	// that offset paging neither skips nor repeats groups that tie on the requested keys.
	for i := range groupSQL {
		if !ordered[i] {
			orderSQL = append(orderSQL, orderTerm(d, strconv.Itoa(i+1), false, false))
		}
	}
	start := 0 // where $skip starts the result; skip - start groups were served before this page
	if o.Skip != nil {
		start = *o.Skip
	}
	if skip == 0 {
		skip = start
	}
	// $top counts from $skip over every page. The page that serves the last groups it allows
	// fetches no extra row, so that no next page is offered.
	limit, fetch := pageSize, pageSize+1
	if o.Top != nil {
		left := max(*o.Top-max(skip-start, 0), 0)
		if left <= limit {
			limit, fetch = left, left
		}
	}
	sql := "SELECT " + strings.Join(colSQL, ", ") + " FROM " + store.From(e, c.alias)
	if len(c.joins) > 0 {
		sql += " " + strings.Join(c.joins, " ")
	}
	sql += " WHERE " + strings.Join(where, " AND ")
	if len(groupSQL) > 0 {
		sql += " GROUP BY " + strings.Join(groupSQL, ", ")
	}
	if len(orderSQL) > 0 {
		sql += " ORDER BY " + strings.Join(orderSQL, ", ")
	}
	sql += " LIMIT " + strconv.Itoa(fetch)
	if skip > 0 {
		sql += " OFFSET " + strconv.Itoa(skip)
	}
	return &Plan{SQL: sql, Args: args.List, Columns: cols, PageSize: limit}, nil
}

// navOutputName names a grouping column: the path with navigation segments by their navigation
// names ("primary_contact/full_name").
func navOutputName(m *metadata.Model, e *metadata.Entity, p Path) string {
	if len(p.Segments) == 1 {
		return p.Segments[0]
	}
	parts := make([]string, len(p.Segments))
	for i, s := range p.Segments {
		if i < len(p.Segments)-1 {
			if n := m.Nav(e, s); n != nil {
				parts[i], e = n.Name, n.To
				continue
			}
		}
		parts[i] = s
	}
	return strings.Join(parts, "/")
}

func (c *compiler) aggregates(items []Aggregate, colSQL *[]string, cols *[]Column) error {
	for _, ag := range items {
		if ag.Alias == "" {
			return c.errAt(ag.Pos, "invalid_apply", "every aggregate needs an alias: … with sum as total")
		}
		for _, col := range *cols {
			if col.Name == ag.Alias {
				return c.errAt(ag.Pos, "invalid_apply", "alias %s is used twice", ag.Alias)
			}
		}
		if ag.Count {
			*colSQL = append(*colSQL, "COUNT(*)")
			*cols = append(*cols, Column{Name: ag.Alias, Attr: &metadata.Attribute{Name: ag.Alias, Type: metadata.TypeInteger}})
			continue
		}
		fn, ok := aggFuncs[ag.Method]
		if !ok {
			return c.errAt(ag.Pos, "invalid_apply", "unknown aggregation method %s (sum, average, min, max, countdistinct)", ag.Method)
		}
		sql, a, err := c.column(ag.Path)
		if err != nil {
			return err
		}
		out := a
		switch ag.Method {
		case "countdistinct":
			sql = "COUNT(DISTINCT " + sql + ")"
			out = &metadata.Attribute{Name: ag.Alias, Type: metadata.TypeInteger}
		case "sum", "average":
			switch a.Type {
			case metadata.TypeInteger, metadata.TypeDecimal, metadata.TypeMoney:
			default:
				return c.errAt(ag.Pos, "invalid_apply", "%s needs a numeric property; %s is %s", ag.Method, ag.Path.String(), a.Type)
			}
			sql = fn + "(" + sql + ")"
			if ag.Method == "average" && a.Type == metadata.TypeInteger {
				// The average of whole numbers is fractional; integer attributes decode floats too.
				out = &metadata.Attribute{Name: ag.Alias, Type: metadata.TypeInteger}
			}
		default: // min, max
			// PostgreSQL has no min or max of boolean or uuid; SQLite would answer, so refuse on both.
			switch a.Type {
			case metadata.TypeText, metadata.TypeJSON, metadata.TypeMultiChoice, metadata.TypeBoolean, metadata.TypeLookup, metadata.TypeGUID:
				return c.errAt(ag.Pos, "invalid_apply", "%s cannot be applied to %s", ag.Method, a.Type)
			}
			sql = fn + "(" + sql + ")"
		}
		*colSQL = append(*colSQL, sql)
		*cols = append(*cols, Column{Name: ag.Alias, Attr: out})
	}
	return nil
}

// ErrTooDeep is returned for nested $expand, which is not supported.
var ErrTooDeep = &fault.Error{Kind: fault.Invalid, Code: "invalid_expand", Target: "$expand", Message: "$expand supports one level; nested $expand is not supported"}
