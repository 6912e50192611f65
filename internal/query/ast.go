// Package query parses OData v4 system query options into an abstract syntax tree and compiles
// that tree, together with entity metadata and a SQL dialect, into parameterised SQL.
//
// The parser knows nothing about metadata: it accepts any syntactically valid expression. Name
// resolution, type checking and the caller's visibility predicate are the compiler's job.
package query

import "strconv"

// Options holds every system query option of one request (or of one nested $expand).
type Options struct {
	Filter     Expr         // $filter, nil when absent
	Select     []Path       // $select; empty means all
	OrderBy    []OrderItem  // $orderby
	Top        *int         // $top
	Skip       *int         // $skip
	Count      bool         // $count=true
	Expand     []ExpandItem // $expand
	Apply      []Transform  // $apply, in pipeline order
	SkipToken  string       // $skiptoken (opaque paging token)
	DeltaToken string       // $deltatoken (opaque change-tracking token)
	Format     string       // $format
	Search     string       // $search (free text; interpretation left to the caller)
	// Unordered asks for the matching rows in no particular order and without server-driven
	// paging: for key look-ups (imports, lookups by name), where ordering by id would tempt the
	// planner to walk the primary key instead of using the filter's index. It is never set from
	// a URL.
	Unordered bool
}

// Path is a property path such as "name" or "primary_contact_id/full_name".
type Path struct {
	Segments []string
	Pos      int // byte offset of the path in its option's text
}

// String renders the path with "/" separators.
func (p Path) String() string {
	s := ""
	for i, seg := range p.Segments {
		if i > 0 {
			s += "/"
		}
		s += seg
	}
	return s
}

// OrderItem is one key of $orderby.
type OrderItem struct {
	Path Path
	Desc bool
}

// ExpandItem is one navigation property of $expand with its nested options
// ($select, $filter, $orderby, $top, $skip, $count are allowed inside).
type ExpandItem struct {
	Path    Path
	Options *Options // never nil after parsing
}

// Expr is a node of a boolean or value expression in $filter (and in $apply filter()).
type Expr interface {
	// Position is the byte offset of the node in the option's text (for error messages).
	Position() int
}

// LitKind tells what kind of literal a Literal holds.
type LitKind int

// Literal kinds.
const (
	LitNull LitKind = iota
	LitBool
	LitInt      // Text holds the decimal digits, optionally signed
	LitDecimal  // Text holds the exact decimal text, e.g. "12.50" or "1e3"
	LitString   // Text holds the unescaped string ('' already collapsed to ')
	LitDate     // Text holds YYYY-MM-DD
	LitDateTime // Text holds an RFC 3339 timestamp with offset or Z
	LitGUID     // Text holds the 36-character GUID
)

// Literal is a constant in an expression.
type Literal struct {
	Kind LitKind
	Text string
	Pos  int
}

// Position implements Expr.
func (l *Literal) Position() int { return l.Pos }

// PathExpr is a property reference in an expression. Inside a lambda, the first segment may be
// the lambda variable.
type PathExpr struct {
	Path Path
}

// Position implements Expr.
func (p *PathExpr) Position() int { return p.Path.Pos }

// BinaryOp is a binary operator.
type BinaryOp string

// Binary operators.
const (
	OpEq  BinaryOp = "eq"
	OpNe  BinaryOp = "ne"
	OpGt  BinaryOp = "gt"
	OpGe  BinaryOp = "ge"
	OpLt  BinaryOp = "lt"
	OpLe  BinaryOp = "le"
	OpAnd BinaryOp = "and"
	OpOr  BinaryOp = "or"
	OpAdd BinaryOp = "add"
	OpSub BinaryOp = "sub"
	OpMul BinaryOp = "mul"
	OpDiv BinaryOp = "div"
	OpMod BinaryOp = "mod"
)

// Binary is "Left Op Right".
type Binary struct {
	Op          BinaryOp
	Left, Right Expr
	Pos         int // position of the operator
}

// Position implements Expr.
func (b *Binary) Position() int { return b.Pos }

// Not is "not X".
type Not struct {
	X   Expr
	Pos int
}

// Position implements Expr.
func (n *Not) Position() int { return n.Pos }

// Neg is unary minus "-X" applied to a non-literal.
type Neg struct {
	X   Expr
	Pos int
}

// Position implements Expr.
func (n *Neg) Position() int { return n.Pos }

// Call is a function call such as contains(name,'x'), tolower(name), year(close_date).
// Name is lower-case.
type Call struct {
	Name string
	Args []Expr
	Pos  int
}

// Position implements Expr.
func (c *Call) Position() int { return c.Pos }

// In is "X in (a, b, c)".
type In struct {
	X    Expr
	List []Expr
	Pos  int
}

// IDIn is the condition id in (ids…): a look-up of records by id through the read path.
func IDIn(ids []string) *In {
	in := &In{X: &PathExpr{Path: Path{Segments: []string{"id"}}}, List: make([]Expr, len(ids))}
	for i, id := range ids {
		in.List[i] = &Literal{Kind: LitGUID, Text: id}
	}
	return in
}

// Position implements Expr.
func (i *In) Position() int { return i.Pos }

// Lambda is "Collection/any(v: Predicate)" or "Collection/all(v: Predicate)". For
// "Collection/any()" Var is empty and Predicate nil.
type Lambda struct {
	Collection Path
	Any        bool // false means all
	Var        string
	Predicate  Expr
	Pos        int
}

// Position implements Expr.
func (l *Lambda) Position() int { return l.Pos }

// Transform is one step of a $apply pipeline: *FilterStep, *GroupBy or *AggregateStep.
type Transform interface {
	transform()
}

// FilterStep is $apply=filter(expr).
type FilterStep struct {
	Expr Expr
}

// GroupBy is $apply=groupby((p1,p2),aggregate(...)). Aggregate may be empty.
type GroupBy struct {
	Props     []Path
	Aggregate []Aggregate
}

// AggregateStep is $apply=aggregate(...) without grouping.
type AggregateStep struct {
	Items []Aggregate
}

func (*FilterStep) transform()    {}
func (*GroupBy) transform()       {}
func (*AggregateStep) transform() {}

// Aggregate is "path with method as alias", or "$count as alias" (Count true, Path empty).
// Method is one of sum, average, min, max, countdistinct (average is OData's spelling; avg is
// accepted as an alias and normalised to average).
type Aggregate struct {
	Path   Path
	Count  bool
	Method string
	Alias  string
	Pos    int
}

// SyntaxError reports a malformed query option with the byte offset of the fault inside the
// option's (URL-decoded) value.
type SyntaxError struct {
	Option string // e.g. "$filter"
	Pos    int
	Msg    string
	// Code, when set, is the stable error code to report instead of the option's syntax error
	// code: TooComplex for a query past a limit.
	Code string
}

// Error renders the error as "$filter: message at position N".
func (e *SyntaxError) Error() string {
	return e.Option + ": " + e.Msg + " at position " + strconv.Itoa(e.Pos)
}
