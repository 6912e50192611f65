package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Scope limits a query to the rows the caller may see. Every table the query touches — the base
// entity, joined lookups, expanded and lambda sub-queries — is filtered by tenant and by Restrict.
type Scope struct {
	TenantID string
	// Restrict, when set, returns an extra SQL predicate over the rows of e under alias (the
	// caller's visibility). It is the seam the security model fills.
	Restrict func(e *metadata.Entity, alias string, args *store.Args) (string, error)
	// Now is the clock behind now() in filters; nil means the system clock.
	Now func() time.Time
	// Readable, when set, tells whether the caller may read attribute a of e (field-level
	// security). Unreadable columns are left out of default selections, and naming one in
	// $select, $filter, $orderby, $apply or $expand is refused — not answered with nulls, which
	// would let a filter reveal the value.
	Readable func(e *metadata.Entity, a *metadata.Attribute) bool
	// Collation orders string-like attributes in $orderby (and the keyset comparisons that page
	// through them) for the reader's language; CollationDefault keeps the database's order.
	Collation store.Collation
}

// collated reports whether $orderby sorts attribute a in the scope's collation: the short
// texts people name and sort by (string, email, url). Phone numbers, autonumbers and choice
// codes keep the default order, where a language's rules would change nothing useful.
func (s Scope) collated(a *metadata.Attribute) bool {
	if s.Collation == store.CollationDefault {
		return false
	}
	switch a.Type {
	case metadata.TypeString, metadata.TypeEmail, metadata.TypeURL:
		return true
	}
	return false
}

// readable reports whether the caller may read a of e.
func (s Scope) readable(e *metadata.Entity, a *metadata.Attribute) bool {
	return s.Readable == nil || a == nil || s.Readable(e, a)
}

// hiddenField is the error for naming an attribute the caller may not read.
func hiddenField(option string, e *metadata.Entity, a *metadata.Attribute) *fault.Error {
	return &fault.Error{Kind: fault.Permission, Code: "field_access_denied", Target: option,
		Message: fmt.Sprintf("you may not read %s of %s (field-level security)", a.Name, e.Name)}
}

// compiler turns AST nodes into SQL for one statement.
type compiler struct {
	m      *metadata.Model
	d      store.Dialect
	scope  Scope
	args   *store.Args
	base   *metadata.Entity
	alias  string
	option string // the query option being compiled, for error targets
	joins  []string
	joined map[string]string // nav path ("primary_contact") → alias
	nAlias int
	// lambda variables in scope: name → (entity, alias)
	vars map[string]lambdaVar
}

type lambdaVar struct {
	e     *metadata.Entity
	alias string
}

func newCompiler(m *metadata.Model, d store.Dialect, scope Scope, e *metadata.Entity, args *store.Args) *compiler {
	return &compiler{m: m, d: d, scope: scope, args: args, base: e, alias: "t", joined: map[string]string{}}
}

func (c *compiler) newAlias() string {
	c.nAlias++
	return "j" + strconv.Itoa(c.nAlias)
}

func (c *compiler) errAt(pos int, code, format string, args ...any) *fault.Error {
	msg := fmt.Sprintf(format, args...)
	if pos >= 0 {
		msg += " (at position " + strconv.Itoa(pos) + ")"
	}
	return &fault.Error{Kind: fault.Invalid, Code: code, Message: msg, Target: c.option}
}

// tenantAndScope renders the tenant condition and the visibility predicate for alias.
func (c *compiler) tenantAndScope(e *metadata.Entity, alias string) (string, error) {
	cond := alias + `."tenant_id" = ` + c.args.Add(c.scope.TenantID)
	if c.scope.Restrict != nil {
		extra, err := c.scope.Restrict(e, alias, c.args)
		if err != nil {
			return "", err
		}
		if extra != "" {
			cond += " AND (" + extra + ")"
		}
	}
	return cond, nil
}

// column resolves a property path to a column reference, adding LEFT JOINs for many-to-one
// navigation segments.
func (c *compiler) column(p Path) (string, *metadata.Attribute, error) {
	segs := p.Segments
	e, alias := c.base, c.alias
	if v, ok := c.vars[segs[0]]; ok {
		e, alias = v.e, v.alias
		segs = segs[1:]
		if len(segs) != 1 {
			return "", nil, c.errAt(p.Pos, "invalid_property", "lambda variable %s must be followed by one property of %s", p.Segments[0], e.Name)
		}
	}
	navPath := ""
	for i, seg := range segs {
		if i == len(segs)-1 {
			a := e.Attr(seg)
			if a == nil {
				return "", nil, c.unknown(p, e, seg)
			}
			if !c.scope.readable(e, a) {
				return "", nil, hiddenField(c.option, e, a)
			}
			return store.Col(alias, a), a, nil
		}
		nav := c.m.Nav(e, seg)
		if nav == nil {
			if a := e.Attr(seg); a != nil {
				return "", nil, c.errAt(p.Pos, "invalid_property", "%s is not a navigation property of %s", seg, e.Name)
			}
			return "", nil, c.unknown(p, e, seg)
		}
		if nav.Collection() {
			return "", nil, c.errAt(p.Pos, "invalid_property", "%s leads to many %s records: use %s/any(x: …)", seg, nav.To.SetName, seg)
		}
		navPath += "/" + nav.Name
		key := alias + navPath
		ja, ok := c.joined[key]
		if !ok {
			ja = c.newAlias()
			cond, err := c.tenantAndScope(nav.To, ja)
			if err != nil {
				return "", nil, err
			}
			c.joins = append(c.joins, fmt.Sprintf(`LEFT JOIN %s %s ON %s AND %s."id" = %s`,
				store.Quote(nav.To.Table()), ja, cond, ja, store.Col(alias, nav.Attr))+store.ExtJoin(nav.To, ja))
			c.joined[key] = ja
		}
		e, alias = nav.To, ja
	}
	return "", nil, c.errAt(p.Pos, "invalid_property", "empty property path")
}

func (c *compiler) unknown(p Path, e *metadata.Entity, seg string) *fault.Error {
	f := c.errAt(p.Pos, "unknown_field", "%s is not a property of %s", seg, e.Name)
	return f
}

// value is a compiled expression with what is known of its type.
type value struct {
	sql  string
	attr *metadata.Attribute // set when the value is a column or shares a column's type
	lit  *Literal            // set for literals whose rendering waits for a type
	kind metadata.Type       // type when attr is nil ("" = unknown/boolean expression)
	bool bool                // a boolean predicate
}

// Filter compiles a boolean expression.
func (c *compiler) filter(x Expr) (string, error) {
	v, err := c.expr(x)
	if err != nil {
		return "", err
	}
	if v.bool {
		return v.sql, nil
	}
	if v.attr != nil && v.attr.Type == metadata.TypeBoolean {
		return v.sql + " = " + c.args.Add(c.d.Encode(v.attr, true)), nil
	}
	if v.lit != nil && v.lit.Kind == LitBool {
		if v.lit.Text == "true" {
			return "1 = 1", nil
		}
		return "1 = 0", nil
	}
	return "", c.errAt(x.Position(), "invalid_filter", "expression is not a condition")
}

func (c *compiler) expr(x Expr) (value, error) {
	switch n := x.(type) {
	case *Literal:
		return value{lit: n}, nil
	case *PathExpr:
		sql, a, err := c.column(n.Path)
		if err != nil {
			return value{}, err
		}
		return value{sql: sql, attr: a}, nil
	case *Binary:
		return c.binary(n)
	case *Not:
		s, err := c.filter(n.X)
		if err != nil {
			return value{}, err
		}
		// OData logic is two-valued (a comparison with null is false, so its negation is true);
		// SQL's NOT of unknown stays unknown and would drop the row.
		return value{sql: "(" + s + ") IS NOT TRUE", bool: true}, nil
	case *Neg:
		v, err := c.expr(n.X)
		if err != nil {
			return value{}, err
		}
		if v.attr == nil || v.attr.Type != metadata.TypeInteger {
			return value{}, c.errAt(n.Pos, "invalid_filter", "unary minus applies to integer properties only")
		}
		return value{sql: "(-" + v.sql + ")", attr: v.attr}, nil
	case *Call:
		return c.call(n)
	case *In:
		return c.in(n)
	case *Lambda:
		return c.lambda(n)
	}
	return value{}, c.errAt(x.Position(), "invalid_filter", "unsupported expression")
}

func (c *compiler) binary(n *Binary) (value, error) {
	switch n.Op {
	case OpAnd, OpOr:
		l, err := c.filter(n.Left)
		if err != nil {
			return value{}, err
		}
		r, err := c.filter(n.Right)
		if err != nil {
			return value{}, err
		}
		return value{sql: "(" + l + " " + strings.ToUpper(string(n.Op)) + " " + r + ")", bool: true}, nil
	case OpEq, OpNe, OpGt, OpGe, OpLt, OpLe:
		return c.compare(n)
	case OpAdd, OpSub, OpMul, OpDiv, OpMod:
		l, err := c.expr(n.Left)
		if err != nil {
			return value{}, err
		}
		r, err := c.expr(n.Right)
		if err != nil {
			return value{}, err
		}
		ls, err := c.intOperand(l, n.Pos)
		if err != nil {
			return value{}, err
		}
		rs, err := c.intOperand(r, n.Pos)
		if err != nil {
			return value{}, err
		}
		op := map[BinaryOp]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpMod: "%"}[n.Op]
		return value{sql: "(" + ls + " " + op + " " + rs + ")", kind: metadata.TypeInteger,
			attr: &metadata.Attribute{Name: "expr", Type: metadata.TypeInteger}}, nil
	}
	return value{}, c.errAt(n.Pos, "invalid_filter", "unsupported operator %s", n.Op)
}

func (c *compiler) intOperand(v value, pos int) (string, error) {
	if v.lit != nil {
		if v.lit.Kind != LitInt {
			return "", c.errAt(pos, "invalid_filter", "arithmetic is supported on whole numbers only")
		}
		n, err := strconv.ParseInt(v.lit.Text, 10, 64)
		if err != nil {
			return "", c.errAt(pos, "invalid_filter", "%s is not a valid whole number", v.lit.Text)
		}
		return c.args.Add(n), nil
	}
	if v.attr == nil || v.attr.Type != metadata.TypeInteger {
		return "", c.errAt(pos, "invalid_filter", "arithmetic is supported on integer properties only")
	}
	return v.sql, nil
}

var sqlOps = map[BinaryOp]string{OpEq: "=", OpNe: "<>", OpGt: ">", OpGe: ">=", OpLt: "<", OpLe: "<="}

func (c *compiler) compare(n *Binary) (value, error) {
	l, err := c.expr(n.Left)
	if err != nil {
		return value{}, err
	}
	r, err := c.expr(n.Right)
	if err != nil {
		return value{}, err
	}
	op := n.Op
	if l.lit != nil && r.lit == nil { // literal on the left: swap so the typed side leads
		l, r = r, l
		op = map[BinaryOp]BinaryOp{OpEq: OpEq, OpNe: OpNe, OpGt: OpLt, OpGe: OpLe, OpLt: OpGt, OpLe: OpGe}[op]
	}
	if l.lit != nil {
		return value{}, c.errAt(n.Pos, "invalid_filter", "compare a property with a value, not two values")
	}
	if l.bool || r.bool {
		return value{}, c.errAt(n.Pos, "invalid_filter", "cannot compare conditions")
	}
	if r.lit != nil && r.lit.Kind == LitNull {
		switch op {
		case OpEq:
			return value{sql: l.sql + " IS NULL", bool: true}, nil
		case OpNe:
			return value{sql: l.sql + " IS NOT NULL", bool: true}, nil
		}
		return value{}, c.errAt(n.Pos, "invalid_filter", "null can only be compared with eq or ne")
	}
	if l.attr != nil && (l.attr.Type == metadata.TypeMultiChoice || l.attr.Type == metadata.TypeJSON || l.attr.Type == metadata.TypeText) && op != OpEq && op != OpNe {
		return value{}, c.errAt(n.Pos, "invalid_filter", "%s values cannot be ordered; use eq, ne or contains", l.attr.Type)
	}
	rs := r.sql
	if r.lit != nil {
		if l.attr == nil {
			return value{}, c.errAt(n.Pos, "invalid_filter", "cannot infer the type of the comparison")
		}
		rs, err = c.literal(r.lit, l.attr)
		if err != nil {
			return value{}, err
		}
	} else if l.attr != nil && r.attr != nil && !comparable(l.attr, r.attr) {
		return value{}, c.errAt(n.Pos, "invalid_filter", "cannot compare %s (%s) with %s (%s)", l.attr.Name, l.attr.Type, r.attr.Name, r.attr.Type)
	}
	if op == OpNe {
		// OData: "x ne 'a'" is true for rows where x is null.
		return value{sql: "(" + l.sql + " <> " + rs + " OR " + l.sql + " IS NULL)", bool: true}, nil
	}
	return value{sql: l.sql + " " + sqlOps[op] + " " + rs, bool: true}, nil
}

func comparable(a, b *metadata.Attribute) bool {
	group := func(t metadata.Type) string {
		switch t {
		case metadata.TypeInteger:
			return "int"
		case metadata.TypeDecimal, metadata.TypeMoney:
			return "dec"
		case metadata.TypeLookup, metadata.TypeGUID:
			return "id"
		case metadata.TypeBoolean, metadata.TypeDate, metadata.TypeDateTime, metadata.TypeMultiChoice, metadata.TypeJSON:
			return string(t)
		}
		return "text"
	}
	if group(a.Type) == "dec" && group(b.Type) == "dec" {
		return a.DecimalScale() == b.DecimalScale()
	}
	return group(a.Type) == group(b.Type)
}

// literal renders lit as a bind parameter of attribute a's type.
func (c *compiler) literal(lit *Literal, a *metadata.Attribute) (string, error) {
	v, err := LiteralValue(lit, a)
	if err != nil {
		return "", c.errAt(lit.Pos, "invalid_filter", "%v", err)
	}
	return c.args.Add(c.d.Encode(a, v)), nil
}

// LiteralValue converts a literal to the typed value of attribute a.
func LiteralValue(lit *Literal, a *metadata.Attribute) (any, error) {
	bad := func() error {
		return fmt.Errorf("%s is not a valid %s value for %s", FormatLiteral(lit), a.Type, a.Name)
	}
	switch a.Type {
	case metadata.TypeInteger:
		if lit.Kind != LitInt {
			// 1e3 is a whole number. A fraction is refused: PostgreSQL's driver would truncate
			// it (employees lt 10.5 meaning lt 10) where SQLite compares exactly.
			if lit.Kind == LitDecimal {
				if d, err := decimal.NewFromString(lit.Text); err == nil && d.IsInteger() && d.Abs().LessThan(decimal.New(1, 18)) {
					return d.IntPart(), nil
				}
			}
			return nil, bad()
		}
		n, err := strconv.ParseInt(lit.Text, 10, 64)
		if err != nil {
			return nil, bad()
		}
		return n, nil
	case metadata.TypeDecimal, metadata.TypeMoney:
		if lit.Kind != LitInt && lit.Kind != LitDecimal {
			return nil, bad()
		}
		d, err := decimal.NewFromString(lit.Text)
		if err != nil {
			return nil, bad()
		}
		// Encoding rounds to the attribute's scale (and SQLite's scaled integers overflow), which
		// would change the comparison: revenue ge 1.00001 would match 1.0000.
		if _, err := a.Convert(d); err != nil {
			return nil, fmt.Errorf("%s is not a valid %s value for %s: %v", lit.Text, a.Type, a.Name, err)
		}
		return d, nil
	case metadata.TypeBoolean:
		if lit.Kind != LitBool {
			return nil, bad()
		}
		return lit.Text == "true", nil
	case metadata.TypeDate:
		if lit.Kind == LitDate {
			return lit.Text, nil
		}
		return nil, bad()
	case metadata.TypeDateTime:
		if lit.Kind == LitDateTime || lit.Kind == LitDate {
			t, err := metadata.ParseDateTime(lit.Text)
			if err != nil {
				return nil, bad()
			}
			return t, nil
		}
		return nil, bad()
	case metadata.TypeLookup, metadata.TypeGUID:
		if lit.Kind == LitGUID || lit.Kind == LitString {
			id, err := uuid.Parse(lit.Text)
			if err != nil || len(lit.Text) != 36 {
				return nil, bad()
			}
			return id.String(), nil
		}
		return nil, bad()
	case metadata.TypeChoice:
		if lit.Kind != LitString {
			return nil, bad()
		}
		if a.Option(lit.Text) == nil {
			return nil, fmt.Errorf("%q is not an option of %s", lit.Text, a.Name)
		}
		return lit.Text, nil
	case metadata.TypeMultiChoice, metadata.TypeJSON:
		return nil, fmt.Errorf("%s cannot be compared with a value; use contains(%s, 'value')", a.Name, a.Name)
	default:
		if lit.Kind != LitString {
			return nil, bad()
		}
		return lit.Text, nil
	}
}

// FormatLiteral renders a literal as OData text.
func FormatLiteral(l *Literal) string {
	if l.Kind == LitString {
		return "'" + strings.ReplaceAll(l.Text, "'", "''") + "'"
	}
	return l.Text
}
