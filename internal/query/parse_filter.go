package query

import "strings"

// ParseFilter parses one $filter expression (already URL-decoded). Positions in the result and
// in a *SyntaxError are byte offsets in s.
//
// Precedence, loosest first: or, and, not, comparison (eq ne gt ge lt le in), additive (add
// sub), multiplicative (mul div mod), unary minus, primary. Binary operators associate to the
// left. Keywords are lower-case, as OData requires.
func ParseFilter(s string) (Expr, error) {
	p, err := newParser("$filter", s)
	if err != nil {
		return nil, err
	}
	e, err := p.parseCondition()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("an operator or end of input"); err != nil {
		return nil, err
	}
	return e, nil
}

// parseCondition parses a whole condition — $filter, a filter() step of $apply, a $filter inside
// $expand — and holds it to MaxExprDepth.
func (p *parser) parseCondition() (Expr, error) {
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if deep := below(e, MaxExprDepth); deep != nil {
		return nil, p.tooComplex(deep.Position(), "expression more than %d levels deep (each operator is a level: "+
			"a chain of n or is n levels; write a list of values as in (…))", MaxExprDepth)
	}
	return e, nil
}

// below returns a node of e that lies more than room levels below it, or nil. It visits no
// deeper than room+1 levels, so that a chain of thousands of operators costs no deep recursion.
func below(e Expr, room int) Expr {
	if room == 0 {
		return e
	}
	var kids []Expr
	switch x := e.(type) {
	case *Binary:
		kids = []Expr{x.Left, x.Right}
	case *Not:
		kids = []Expr{x.X}
	case *Neg:
		kids = []Expr{x.X}
	case *Call:
		kids = x.Args
	case *In:
		kids = append([]Expr{x.X}, x.List...)
	case *Lambda:
		if x.Predicate != nil {
			kids = []Expr{x.Predicate}
		}
	}
	for _, k := range kids {
		if deep := below(k, room-1); deep != nil {
			return deep
		}
	}
	return nil
}

var (
	filterOrOps  = map[string]BinaryOp{"or": OpOr}
	filterAndOps = map[string]BinaryOp{"and": OpAnd}
	filterCmpOps = map[string]BinaryOp{"eq": OpEq, "ne": OpNe, "gt": OpGt, "ge": OpGe, "lt": OpLt, "le": OpLe}
	filterAddOps = map[string]BinaryOp{"add": OpAdd, "sub": OpSub}
	filterMulOps = map[string]BinaryOp{"mul": OpMul, "div": OpDiv, "mod": OpMod}
)

// parseExpr parses a whole expression: the or level. Every nested expression (parentheses,
// arguments, list items, lambda bodies) comes through here, which is where depth is counted.
func (p *parser) parseExpr() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.parseBinary(p.parseAnd, filterOrOps)
}

func (p *parser) parseAnd() (Expr, error) {
	return p.parseBinary(p.parseNot, filterAndOps)
}

// parseBinary parses a left-associative chain of operand (op operand)*.
func (p *parser) parseBinary(operand func() (Expr, error), ops map[string]BinaryOp) (Expr, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokIdent {
		op, ok := ops[p.tok.text]
		if !ok {
			break
		}
		pos := p.tok.pos
		p.advance()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: op, Left: left, Right: right, Pos: pos}
	}
	return left, nil
}

// parseNot parses "not X", where X extends over a whole comparison: "not a eq b" negates the
// comparison, which is what a reader expects.
func (p *parser) parseNot() (Expr, error) {
	if !p.isWord("not") {
		return p.parseComparison()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	pos := p.tok.pos
	p.advance()
	x, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	return &Not{X: x, Pos: pos}, nil
}

func (p *parser) parseComparison() (Expr, error) {
	left, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokIdent {
		pos := p.tok.pos
		if p.tok.text == "in" {
			p.advance()
			list, err := p.parseInList()
			if err != nil {
				return nil, err
			}
			left = &In{X: left, List: list, Pos: pos}
			continue
		}
		if p.tok.text == "has" {
			return nil, p.errAt(pos, "operator 'has' is not supported")
		}
		op, ok := filterCmpOps[p.tok.text]
		if !ok {
			break
		}
		p.advance()
		right, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: op, Left: left, Right: right, Pos: pos}
	}
	return left, nil
}

// parseInList parses the "(a, b, c)" after "in"; the list may not be empty.
func (p *parser) parseInList() ([]Expr, error) {
	if err := p.expect(tokLParen, "'('"); err != nil {
		return nil, err
	}
	list, err := p.parseExprList()
	if err != nil {
		return nil, err
	}
	return list, p.expect(tokRParen, "',' or ')'")
}

// parseExprList parses one or more comma-separated expressions.
func (p *parser) parseExprList() ([]Expr, error) {
	return commaList(p, p.parseExpr)
}

func (p *parser) parseAdditive() (Expr, error) {
	return p.parseBinary(p.parseMultiplicative, filterAddOps)
}

func (p *parser) parseMultiplicative() (Expr, error) {
	return p.parseBinary(p.parseUnary, filterMulOps)
}

// parseUnary parses unary minus. Minus before a number literal is folded into the literal, so
// "-5" and "- 5" are both the literal -5 and Neg only ever wraps something else.
func (p *parser) parseUnary() (Expr, error) {
	if p.tok.kind != tokMinus {
		return p.parsePrimary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	pos := p.tok.pos
	p.advance()
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if lit, ok := x.(*Literal); ok && (lit.Kind == LitInt || lit.Kind == LitDecimal) &&
		!strings.HasPrefix(lit.Text, "-") && !strings.HasPrefix(lit.Text, "+") {
		return &Literal{Kind: lit.Kind, Text: "-" + lit.Text, Pos: pos}, nil
	}
	return &Neg{X: x, Pos: pos}, nil
}

// filterReserved are the operator words, which cannot start an operand.
var filterReserved = map[string]bool{
	"and": true, "or": true, "eq": true, "ne": true, "gt": true, "ge": true, "lt": true,
	"le": true, "in": true, "has": true, "add": true, "sub": true, "mul": true, "div": true,
	"mod": true,
}

var filterLitKinds = map[tokKind]LitKind{
	tokInt: LitInt, tokDecimal: LitDecimal, tokString: LitString, tokDate: LitDate,
	tokDateTime: LitDateTime, tokGUID: LitGUID,
}

func (p *parser) parsePrimary() (Expr, error) {
	t := p.tok
	if k, ok := filterLitKinds[t.kind]; ok {
		p.advance()
		text := t.text
		if t.kind == tokString || t.kind == tokDateTime {
			text = t.val
		}
		return &Literal{Kind: k, Text: text, Pos: t.pos}, nil
	}
	switch t.kind {
	case tokLParen:
		p.advance()
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tokRParen, "')'")
	case tokIdent:
		return p.parseNamed()
	}
	return nil, p.unexpected("expression")
}

// parseNamed parses what starts with a name: a keyword literal, a function call, a property
// path or a lambda.
func (p *parser) parseNamed() (Expr, error) {
	t := p.tok
	switch t.text {
	case "null":
		p.advance()
		return &Literal{Kind: LitNull, Text: "null", Pos: t.pos}, nil
	case "true", "false":
		p.advance()
		return &Literal{Kind: LitBool, Text: t.text, Pos: t.pos}, nil
	case "not":
		return nil, p.errAt(t.pos, "'not' must be in parentheses here")
	}
	if filterReserved[t.text] {
		return nil, p.unexpected("expression")
	}
	if p.peek().kind == tokLParen {
		if lower := strings.ToLower(t.text); filterReserved[lower] || lower == "not" ||
			lower == "null" || lower == "true" || lower == "false" {
			return nil, p.errAt(t.pos, "'%s' is a keyword, not a function", t.text)
		}
		return p.parseCall()
	}
	path := Path{Segments: []string{t.text}, Pos: t.pos}
	p.advance()
	for p.tok.kind == tokSlash {
		p.advance()
		seg := p.tok
		if seg.kind != tokIdent {
			return nil, p.unexpected("property name after '/'")
		}
		if (seg.text == "any" || seg.text == "all") && p.peek().kind == tokLParen {
			return p.parseLambda(path)
		}
		path.Segments = append(path.Segments, seg.text)
		p.advance()
	}
	return &PathExpr{Path: path}, nil
}

// parseCall parses name(args). The name is lower-cased; whether the function exists is the
// compiler's business.
func (p *parser) parseCall() (Expr, error) {
	call := &Call{Name: strings.ToLower(p.tok.text), Pos: p.tok.pos}
	p.advance() // name
	p.advance() // (
	if p.tok.kind == tokRParen {
		p.advance()
		return call, nil
	}
	args, err := p.parseExprList()
	if err != nil {
		return nil, err
	}
	call.Args = args
	return call, p.expect(tokRParen, "',' or ')'")
}

// parseLambda parses any(v: pred), all(v: pred) or any() after collection/.
func (p *parser) parseLambda(collection Path) (Expr, error) {
	lam := &Lambda{Collection: collection, Any: p.tok.text == "any", Pos: p.tok.pos}
	p.advance() // any or all
	p.advance() // (
	if p.tok.kind == tokRParen {
		if !lam.Any {
			return nil, p.errAt(p.tok.pos, "all() needs a variable and a predicate, as in all(x: x/amount gt 0)")
		}
		p.advance()
		return lam, nil
	}
	if p.tok.kind != tokIdent {
		return nil, p.unexpected("lambda variable name")
	}
	lam.Var = p.tok.text
	p.advance()
	if err := p.expect(tokColon, "':'"); err != nil {
		return nil, err
	}
	pred, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	lam.Predicate = pred
	return lam, p.expect(tokRParen, "')'")
}
