package query

import (
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// likeEscape escapes LIKE wildcards so that user text matches literally.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func (c *compiler) call(n *Call) (value, error) {
	arity := map[string]int{"contains": 2, "startswith": 2, "endswith": 2, "tolower": 1, "toupper": 1,
		"trim": 1, "length": 1, "year": 1, "month": 1, "day": 1, "hour": 1, "minute": 1, "second": 1, "now": 0}
	want, known := arity[n.Name]
	if !known {
		return value{}, c.errAt(n.Pos, "invalid_filter", "unknown function %s (supported: contains, startswith, endswith, tolower, toupper, trim, length, year, month, day, hour, minute, second, now)", n.Name)
	}
	if len(n.Args) != want {
		return value{}, c.errAt(n.Pos, "invalid_filter", "%s takes %d argument(s), got %d", n.Name, want, len(n.Args))
	}
	switch n.Name {
	case "now":
		a := &metadata.Attribute{Name: "now", Type: metadata.TypeDateTime}
		now := time.Now
		if c.scope.Now != nil {
			now = c.scope.Now
		}
		return value{sql: c.args.Add(c.d.Encode(a, now().UTC())), attr: a}, nil
	case "contains", "startswith", "endswith":
		subject, err := c.expr(n.Args[0])
		if err != nil {
			return value{}, err
		}
		lit, ok := n.Args[1].(*Literal)
		if !ok || lit.Kind != LitString {
			return value{}, c.errAt(n.Args[1].Position(), "invalid_filter", "the second argument of %s must be a string literal", n.Name)
		}
		if subject.attr == nil || !(subject.attr.IsText() || subject.attr.Type == metadata.TypeText || subject.attr.Type == metadata.TypeMultiChoice) {
			return value{}, c.errAt(n.Pos, "invalid_filter", "%s needs a text property as its first argument", n.Name)
		}
		if subject.attr.Type == metadata.TypeMultiChoice {
			if n.Name != "contains" {
				return value{}, c.errAt(n.Pos, "invalid_filter", "use contains(%s, 'value') for multi-choice properties", subject.attr.Name)
			}
			return value{sql: subject.sql + " LIKE " + c.args.Add("%,"+likeEscape(lit.Text)+",%") + ` ESCAPE '\'`, bool: true}, nil
		}
		pat := likeEscape(lit.Text)
		switch n.Name {
		case "contains":
			pat = "%" + pat + "%"
		case "startswith":
			pat += "%"
		case "endswith":
			pat = "%" + pat
		}
		return value{sql: c.d.ILike(subject.sql, c.args.Add(pat)), bool: true}, nil
	case "tolower", "toupper", "trim":
		v, err := c.textArg(n)
		if err != nil {
			return value{}, err
		}
		fn := map[string]string{"tolower": "LOWER", "toupper": "UPPER", "trim": "TRIM"}[n.Name]
		return value{sql: fn + "(" + v.sql + ")", attr: &metadata.Attribute{Name: n.Name, Type: metadata.TypeString}}, nil
	case "length":
		v, err := c.textArg(n)
		if err != nil {
			return value{}, err
		}
		return value{sql: "LENGTH(" + v.sql + ")", attr: &metadata.Attribute{Name: "length", Type: metadata.TypeInteger}}, nil
	default: // date parts
		v, err := c.expr(n.Args[0])
		if err != nil {
			return value{}, err
		}
		if v.attr == nil || (v.attr.Type != metadata.TypeDate && v.attr.Type != metadata.TypeDateTime) {
			return value{}, c.errAt(n.Pos, "invalid_filter", "%s needs a date or datetime property", n.Name)
		}
		if v.attr.Type == metadata.TypeDate && (n.Name == "hour" || n.Name == "minute" || n.Name == "second") {
			return value{}, c.errAt(n.Pos, "invalid_filter", "%s needs a datetime property", n.Name)
		}
		return value{sql: c.d.DatePart(n.Name, v.sql, v.attr), attr: &metadata.Attribute{Name: n.Name, Type: metadata.TypeInteger}}, nil
	}
}

func (c *compiler) textArg(n *Call) (value, error) {
	v, err := c.expr(n.Args[0])
	if err != nil {
		return value{}, err
	}
	if v.attr == nil || !(v.attr.IsText() || v.attr.Type == metadata.TypeText) {
		return value{}, c.errAt(n.Pos, "invalid_filter", "%s needs a text property", n.Name)
	}
	return v, nil
}

func (c *compiler) in(n *In) (value, error) {
	v, err := c.expr(n.X)
	if err != nil {
		return value{}, err
	}
	if v.attr == nil {
		return value{}, c.errAt(n.Pos, "invalid_filter", "the left side of in must be a property")
	}
	if len(n.List) == 0 {
		return value{sql: "1 = 0", bool: true}, nil
	}
	parts := make([]string, 0, len(n.List))
	for _, item := range n.List {
		lit, ok := item.(*Literal)
		if !ok || lit.Kind == LitNull {
			return value{}, c.errAt(item.Position(), "invalid_filter", "in takes a list of values")
		}
		s, err := c.literal(lit, v.attr)
		if err != nil {
			return value{}, err
		}
		parts = append(parts, s)
	}
	return value{sql: v.sql + " IN (" + strings.Join(parts, ", ") + ")", bool: true}, nil
}

// lambda compiles coll/any(x: pred) and coll/all(x: pred) over a collection navigation into a
// correlated EXISTS sub-query.
func (c *compiler) lambda(n *Lambda) (value, error) {
	segs := n.Collection.Segments
	e, alias := c.base, c.alias
	if v, ok := c.vars[segs[0]]; ok {
		e, alias = v.e, v.alias
		segs = segs[1:]
	}
	if len(segs) != 1 {
		return value{}, c.errAt(n.Pos, "invalid_filter", "any/all applies to a collection navigation of the entity, such as contacts/any(c: c/city eq 'Shanghai')")
	}
	nav := c.m.Nav(e, segs[0])
	if nav == nil || !nav.Collection() {
		return value{}, c.errAt(n.Pos, "invalid_filter", "%s is not a collection navigation of %s", segs[0], e.Name)
	}
	sub := c.newAlias()
	cond, err := c.tenantAndScope(nav.To, sub)
	if err != nil {
		return value{}, err
	}
	from := store.From(nav.To, sub)
	switch nav.Kind {
	case metadata.NavOneToMany:
		cond += " AND " + store.Col(sub, nav.Attr) + " = " + alias + `."id"`
	case metadata.NavManyToMany:
		link := c.newAlias()
		from += " JOIN " + store.Quote(nav.Rel.Table()) + " " + link + " ON " + link + `."tenant_id" = ` + sub + `."tenant_id" AND ` +
			link + "." + store.Quote(nav.ToCol) + " = " + sub + `."id"`
		cond += " AND " + link + "." + store.Quote(nav.FromCol) + " = " + alias + `."id"`
	}
	if n.Predicate == nil {
		return value{sql: "EXISTS (SELECT 1 FROM " + from + " WHERE " + cond + ")", bool: true}, nil
	}
	if c.vars == nil {
		c.vars = map[string]lambdaVar{}
	}
	prev, had := c.vars[n.Var]
	c.vars[n.Var] = lambdaVar{e: nav.To, alias: sub}
	pred, err := c.filter(n.Predicate)
	if had {
		c.vars[n.Var] = prev
	} else {
		delete(c.vars, n.Var)
	}
	if err != nil {
		return value{}, err
	}
	if n.Any {
		return value{sql: "EXISTS (SELECT 1 FROM " + from + " WHERE " + cond + " AND " + pred + ")", bool: true}, nil
	}
	// A member whose predicate is unknown (null) is a counterexample too, as in not().
	return value{sql: "NOT EXISTS (SELECT 1 FROM " + from + " WHERE " + cond + " AND (" + pred + ") IS NOT TRUE)", bool: true}, nil
}
