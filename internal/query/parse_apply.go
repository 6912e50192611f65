package query

// ParseApply parses an $apply value: transformations separated by '/', each one of
// filter(expr), groupby((p1,p2)), groupby((p1,p2),aggregate(...)) and aggregate(...).
// Aggregate items are "path with method as alias" (method sum, average, min, max or
// countdistinct; avg is read as average) or "$count as alias". A '/' inside parentheses belongs
// to a property path, not to the pipeline.
func ParseApply(s string) ([]Transform, error) {
	p, err := newParser("$apply", s)
	if err != nil {
		return nil, err
	}
	var steps []Transform
	for {
		if len(steps) == MaxListItems {
			return nil, p.tooComplex(p.tok.pos, "more than %d transformations", MaxListItems)
		}
		step, err := p.parseTransform()
		if err != nil {
			return nil, err
		}
		steps = append(steps, step)
		if p.tok.kind != tokSlash {
			break
		}
		p.advance()
	}
	if err := p.expectEnd("'/' or end of input"); err != nil {
		return nil, err
	}
	return steps, nil
}

func (p *parser) parseTransform() (Transform, error) {
	t := p.tok
	if t.kind != tokIdent {
		return nil, p.unexpected("a transformation")
	}
	switch t.text {
	case "filter", "groupby", "aggregate":
	default:
		return nil, p.errAt(t.pos, "unsupported transformation '%s' (supported: filter, groupby, aggregate)",
			clipText(t.text, 24))
	}
	p.advance()
	if err := p.expect(tokLParen, "'('"); err != nil {
		return nil, err
	}
	var step Transform
	switch t.text {
	case "filter":
		e, err := p.parseCondition()
		if err != nil {
			return nil, err
		}
		step = &FilterStep{Expr: e}
	case "aggregate":
		items, err := p.parseAggregates()
		if err != nil {
			return nil, err
		}
		step = &AggregateStep{Items: items}
	case "groupby":
		g, err := p.parseGroupBy()
		if err != nil {
			return nil, err
		}
		step = g
	}
	return step, p.expect(tokRParen, "')'")
}

// parseGroupBy parses "(p1,p2)[,aggregate(...)]" after "groupby(".
func (p *parser) parseGroupBy() (*GroupBy, error) {
	if err := p.expect(tokLParen, "'(' to open the grouping properties"); err != nil {
		return nil, err
	}
	props, err := boundedList(p, MaxListItems, "grouping properties", p.parsePath)
	if err != nil {
		return nil, err
	}
	g := &GroupBy{Props: props}
	if err := p.expect(tokRParen, "',' or ')'"); err != nil {
		return nil, err
	}
	if p.tok.kind != tokComma {
		return g, nil
	}
	p.advance()
	if err := p.expectWord("aggregate"); err != nil {
		return nil, err
	}
	if err := p.expect(tokLParen, "'('"); err != nil {
		return nil, err
	}
	items, err := p.parseAggregates()
	if err != nil {
		return nil, err
	}
	g.Aggregate = items
	return g, p.expect(tokRParen, "')'")
}

func (p *parser) parseAggregates() ([]Aggregate, error) {
	return boundedList(p, MaxListItems, "aggregates", p.parseAggregate)
}

var applyMethods = map[string]string{
	"sum": "sum", "average": "average", "avg": "average", "min": "min", "max": "max",
	"countdistinct": "countdistinct",
}

// parseAggregate parses "path with method as alias" or "$count as alias".
func (p *parser) parseAggregate() (Aggregate, error) {
	agg := Aggregate{Pos: p.tok.pos}
	if p.tok.kind == tokSysIdent && p.tok.text == "$count" {
		agg.Count = true
		p.advance()
	} else {
		path, err := p.parsePath()
		if err != nil {
			return Aggregate{}, err
		}
		agg.Path = path
		if err := p.expectWord("with"); err != nil {
			return Aggregate{}, err
		}
		method, ok := applyMethods[p.tok.text]
		if p.tok.kind != tokIdent || !ok {
			return Aggregate{}, p.unexpected("an aggregation method (sum, average, min, max, countdistinct)")
		}
		agg.Method = method
		p.advance()
	}
	if err := p.expectWord("as"); err != nil {
		return Aggregate{}, err
	}
	if p.tok.kind != tokIdent {
		return Aggregate{}, p.unexpected("an alias")
	}
	agg.Alias = p.tok.text
	p.advance()
	return agg, nil
}
