package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile query from costing more than a malformed one. Going past one is a
// *SyntaxError with Code TooComplex. The exported ones are documented in docs/api.md; together
// they keep the SQL a query compiles to within what both databases accept (SQLite refuses an
// expression more than 1,000 levels deep, PostgreSQL a select list of more than 1,664 entries).
const (
	// maxOptionLen is the longest value, in bytes after URL decoding, of one query option.
	maxOptionLen = 64 << 10
	// maxNesting is the deepest nesting of parentheses, unary operators, lambdas and $expand
	// levels the parser follows.
	maxNesting = 100
	// MaxExprDepth is the deepest expression tree of a $filter (or of one filter() step of
	// $apply, or a $filter inside $expand): every operator, function call, not, minus and
	// lambda is a level above its operands, so a chain of n or (and, add, …) is n levels deep.
	// A long list of alternatives is written as in (…), which is one level.
	MaxExprDepth = 100
	// MaxListItems is the most keys in one $orderby, transformations in one $apply, and
	// grouping properties or aggregates in one groupby or aggregate.
	MaxListItems = 32
)

// TooComplex is the Code of a *SyntaxError that reports a query past one of the limits above.
const TooComplex = "query_too_complex"

// odataKeywords are the lower-case words of the grammar. A token that matches one of them only
// when lower-cased earns a hint in error messages, since OData odataKeywords are case-sensitive.
var odataKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "eq": true, "ne": true, "gt": true, "ge": true,
	"lt": true, "le": true, "in": true, "has": true, "add": true, "sub": true, "mul": true,
	"div": true, "mod": true, "null": true, "true": true, "false": true, "asc": true,
	"desc": true, "with": true, "as": true, "any": true, "all": true,
}

// parser is a recursive-descent parser over the tokens of one option value. It is shared by
// every option so that nested options ($filter inside $expand, filter() inside $apply) report
// positions in the text of the outer option.
type parser struct {
	lx       lexer
	tok      token
	ahead    token
	hasAhead bool
	option   string
	depth    int
}

// newParser checks the limits and encoding of src and returns a parser positioned on its first
// token.
func newParser(option, src string) (*parser, error) {
	if err := checkOptionValue(option, src); err != nil {
		return nil, err
	}
	p := &parser{lx: lexer{src: src}, option: option}
	p.advance()
	return p, nil
}

// checkOptionValue rejects values that are too long, that are not UTF-8 or that hold NUL, which no
// database accepts in text.
func checkOptionValue(option, s string) error {
	if len(s) > maxOptionLen {
		return &SyntaxError{Option: option, Pos: maxOptionLen, Code: TooComplex,
			Msg: fmt.Sprintf("value longer than %d bytes", maxOptionLen)}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &SyntaxError{Option: option, Pos: i, Msg: "invalid UTF-8"}
		case r == 0:
			return &SyntaxError{Option: option, Pos: i, Msg: "NUL character not allowed"}
		}
		i += size
	}
	return nil
}

func (p *parser) advance() {
	if p.hasAhead {
		p.tok, p.hasAhead = p.ahead, false
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) peek() token {
	if !p.hasAhead {
		p.ahead, p.hasAhead = p.lx.next(), true
	}
	return p.ahead
}

// isWord reports whether the current token is the keyword w (odataKeywords are case-sensitive).
func (p *parser) isWord(w string) bool {
	return p.tok.kind == tokIdent && p.tok.text == w
}

// enter counts one level of nesting; every successful enter is paired with a deferred leave.
func (p *parser) enter() error {
	p.depth++
	if p.depth > maxNesting {
		return p.tooComplex(p.tok.pos, "nested more than %d levels deep", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// tooComplex reports a query past one of the limits.
func (p *parser) tooComplex(pos int, format string, args ...any) error {
	return &SyntaxError{Option: p.option, Pos: pos, Code: TooComplex, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return &SyntaxError{Option: p.option, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// expect consumes a token of kind k or reports that want was expected.
func (p *parser) expect(k tokKind, want string) error {
	if p.tok.kind != k {
		return p.unexpected(want)
	}
	p.advance()
	return nil
}

// expectWord consumes the keyword w.
func (p *parser) expectWord(w string) error {
	if !p.isWord(w) {
		return p.unexpected("'" + w + "'")
	}
	p.advance()
	return nil
}

// expectEnd reports an error unless the whole value has been consumed.
func (p *parser) expectEnd(want string) error {
	if p.tok.kind != tokEOF {
		return p.unexpected(want)
	}
	return nil
}

// unexpected reports the current token where want was expected. A lexical error in the current
// token takes precedence, since it explains the fault better.
func (p *parser) unexpected(want string) error {
	t := p.tok
	switch {
	case t.kind == tokError:
		return p.errAt(t.pos, "%s", t.val)
	case t.kind == tokEOF && want == "expression":
		return p.errAt(t.pos, "unexpected end of expression")
	}
	msg := "expected " + want + " but found " + describeToken(t)
	if lower := strings.ToLower(t.text); t.kind == tokIdent && lower != t.text && odataKeywords[lower] {
		msg += " (odataKeywords are lower-case: use '" + lower + "')"
	}
	return p.errAt(t.pos, "%s", msg)
}

// describeToken names a token for an error message.
func describeToken(t token) string {
	const maxLen = 24
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokString:
		return "string " + clipText(t.text, maxLen)
	}
	return "'" + clipText(t.text, maxLen) + "'"
}

// clipText shortens s to at most n bytes without splitting a UTF-8 sequence.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// commaList parses one or more items separated by commas.
func commaList[T any](p *parser, item func() (T, error)) ([]T, error) {
	return boundedList(p, 0, "", item)
}

// boundedList is commaList for at most limit items (0: any number); what names the items in the
// error past the limit.
func boundedList[T any](p *parser, limit int, what string, item func() (T, error)) ([]T, error) {
	var items []T
	for {
		if limit > 0 && len(items) == limit {
			return nil, p.tooComplex(p.tok.pos, "more than %d %s", limit, what)
		}
		it, err := item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if p.tok.kind != tokComma {
			return items, nil
		}
		p.advance()
	}
}
