package query

import (
	"strconv"
	"strings"
)

// ParseSelect parses a $select value: comma-separated property paths, or "*" for all
// properties (returned as Path{Segments: ["*"]}).
func ParseSelect(s string) ([]Path, error) {
	p, err := newParser("$select", s)
	if err != nil {
		return nil, err
	}
	paths, err := p.parseSelectList()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("',' or end of input"); err != nil {
		return nil, err
	}
	return paths, nil
}

// ParseOrderBy parses an $orderby value: comma-separated "path [asc|desc]".
func ParseOrderBy(s string) ([]OrderItem, error) {
	p, err := newParser("$orderby", s)
	if err != nil {
		return nil, err
	}
	items, err := p.parseOrderList()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("',' or end of input"); err != nil {
		return nil, err
	}
	return items, nil
}

// ParseExpand parses an $expand value: comma-separated navigation paths, each optionally
// followed by nested options in parentheses, as in contacts($select=full_name;$top=5). The
// nested options allowed are $select, $filter, $orderby, $top, $skip, $count and $expand.
// Positions inside nested options are offsets in s.
func ParseExpand(s string) ([]ExpandItem, error) {
	p, err := newParser("$expand", s)
	if err != nil {
		return nil, err
	}
	items, err := p.parseExpandList()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("',' or end of input"); err != nil {
		return nil, err
	}
	return items, nil
}

// parsePath parses name('/'name)*.
func (p *parser) parsePath() (Path, error) {
	if p.tok.kind != tokIdent {
		return Path{}, p.unexpected("property name")
	}
	path := Path{Segments: []string{p.tok.text}, Pos: p.tok.pos}
	p.advance()
	for p.tok.kind == tokSlash {
		p.advance()
		if p.tok.kind != tokIdent {
			return Path{}, p.unexpected("property name after '/'")
		}
		path.Segments = append(path.Segments, p.tok.text)
		p.advance()
	}
	return path, nil
}

func (p *parser) parseSelectList() ([]Path, error) {
	var paths []Path
	for {
		if p.tok.kind == tokStar {
			paths = append(paths, Path{Segments: []string{"*"}, Pos: p.tok.pos})
			p.advance()
		} else {
			path, err := p.parsePath()
			if err != nil {
				return nil, err
			}
			paths = append(paths, path)
		}
		if p.tok.kind != tokComma {
			return paths, nil
		}
		p.advance()
	}
}

func (p *parser) parseOrderList() ([]OrderItem, error) {
	return boundedList(p, MaxListItems, "$orderby keys", func() (OrderItem, error) {
		path, err := p.parsePath()
		if err != nil {
			return OrderItem{}, err
		}
		item := OrderItem{Path: path}
		if p.isWord("asc") || p.isWord("desc") {
			item.Desc = p.tok.text == "desc"
			p.advance()
		}
		return item, nil
	})
}

func (p *parser) parseExpandList() ([]ExpandItem, error) {
	return commaList(p, p.parseExpandItem)
}

func (p *parser) parseExpandItem() (ExpandItem, error) {
	if err := p.enter(); err != nil {
		return ExpandItem{}, err
	}
	defer p.leave()
	path, err := p.parsePath()
	if err != nil {
		return ExpandItem{}, err
	}
	item := ExpandItem{Path: path, Options: &Options{}}
	if p.tok.kind == tokLParen {
		p.advance()
		if err := p.parseNestedOptions(item.Options); err != nil {
			return ExpandItem{}, err
		}
	}
	return item, nil
}

// parseNestedOptions parses "$name=value(;$name=value)*)" inside $expand, up to and including
// the closing parenthesis.
func (p *parser) parseNestedOptions(opts *Options) error {
	seen := map[string]bool{}
	for {
		t := p.tok
		if t.kind != tokSysIdent {
			return p.unexpected("a query option such as $select")
		}
		name := strings.ToLower(t.text)
		if seen[name] {
			return p.errAt(t.pos, "option %s given twice", name)
		}
		seen[name] = true
		p.advance()
		if err := p.expect(tokEquals, "'='"); err != nil {
			return err
		}
		if err := p.parseNestedOption(name, t, opts); err != nil {
			return err
		}
		if p.tok.kind != tokSemicolon {
			return p.expect(tokRParen, "';' or ')'")
		}
		p.advance()
	}
}

func (p *parser) parseNestedOption(name string, t token, opts *Options) error {
	var err error
	switch name {
	case "$select":
		opts.Select, err = p.parseSelectList()
	case "$orderby":
		opts.OrderBy, err = p.parseOrderList()
	case "$filter":
		opts.Filter, err = p.parseCondition()
	case "$expand":
		opts.Expand, err = p.parseExpandList()
	case "$top", "$skip":
		var n int
		if n, err = p.parseNonNegative(); err == nil {
			if name == "$top" {
				opts.Top = &n
			} else {
				opts.Skip = &n
			}
		}
	case "$count":
		if !p.isWord("true") && !p.isWord("false") {
			return p.unexpected("true or false")
		}
		opts.Count = p.tok.text == "true"
		p.advance()
	default:
		return p.errAt(t.pos, "option %s is not allowed inside $expand", clipText(t.text, 24))
	}
	return err
}

// parseNonNegative parses an unsigned integer token.
func (p *parser) parseNonNegative() (int, error) {
	if p.tok.kind != tokInt || strings.HasPrefix(p.tok.text, "+") {
		return 0, p.unexpected("a non-negative integer")
	}
	n, err := strconv.Atoi(p.tok.text)
	if err != nil {
		return 0, p.errAt(p.tok.pos, "integer out of range")
	}
	p.advance()
	return n, nil
}
