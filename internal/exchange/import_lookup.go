package exchange

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// finder reads existing records by key values through the records service's read path (so the
// caller's tenant and visibility apply): one query per key and chunk of values.
type finder struct {
	svc   *records.Service
	cache map[string]lookupHit // target entity + "\x00" + cell text → what it names
}

// lookupHit is what a lookup cell names: one record, or several (an ambiguous primary name).
type lookupHit struct {
	id        string
	ambiguous bool
}

// chunkSize bounds the values of one "in (…)" query.
const chunkSize = 500

// find returns the records of e whose key attributes equal one of tuples (values as a JSON body
// carries them), reading sel columns (nil: every column).
func (f *finder) find(ctx context.Context, e *metadata.Entity, key []string, tuples [][]any, sel []string) ([]*records.Record, error) {
	var out []*records.Record
	for start := 0; start < len(tuples); start += chunkSize {
		chunk := tuples[start:min(start+chunkSize, len(tuples))]
		var cond query.Expr
		if len(key) == 1 {
			in := &query.In{X: pathExpr(key[0])}
			for _, t := range chunk {
				if lit, ok := literal(e.Attr(key[0]), t[0]); ok {
					in.List = append(in.List, lit)
				}
			}
			if len(in.List) == 0 {
				continue
			}
			cond = in
		} else {
			for _, t := range chunk {
				var and query.Expr
				for i, name := range key {
					lit, ok := literal(e.Attr(name), t[i])
					if !ok {
						and = nil
						break
					}
					eq := &query.Binary{Op: query.OpEq, Left: pathExpr(name), Right: lit}
					if and == nil {
						and = eq
					} else {
						and = &query.Binary{Op: query.OpAnd, Left: and, Right: eq}
					}
				}
				if and == nil {
					continue
				}
				if cond == nil {
					cond = and
				} else {
					cond = &query.Binary{Op: query.OpOr, Left: cond, Right: and}
				}
			}
			if cond == nil {
				continue
			}
		}
		recs, err := f.list(ctx, e, cond, sel)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// list reads the records matching cond. The read is unordered, so the planner uses the key's
// index; when more rows match than a page holds (a common primary name), it pages in id order.
func (f *finder) list(ctx context.Context, e *metadata.Entity, cond query.Expr, sel []string) ([]*records.Record, error) {
	o := &query.Options{Filter: cond, Unordered: true}
	for _, s := range sel {
		o.Select = append(o.Select, query.Path{Segments: []string{s}})
	}
	page, err := f.svc.List(ctx, e.Name, o, records.ReadOptions{PageSize: f.svc.MaxPageSize})
	if fault.CodeOf(err) != "too_many_matches" {
		if err != nil {
			return nil, err
		}
		return page.Records, nil
	}
	o.Unordered = false
	var out []*records.Record
	for {
		page, err := f.svc.List(ctx, e.Name, o, records.ReadOptions{PageSize: f.svc.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			return out, nil
		}
		o.SkipToken = page.Next
	}
}

// none reports whether the caller sees no record of e at all.
func (f *finder) none(ctx context.Context, e *metadata.Entity) (bool, error) {
	one := 1
	page, err := f.svc.List(ctx, e.Name, &query.Options{Top: &one, Unordered: true, Select: []query.Path{{Segments: []string{"id"}}}},
		records.ReadOptions{PageSize: 1})
	if err != nil {
		return false, err
	}
	return len(page.Records) == 0, nil
}

func pathExpr(name string) *query.PathExpr {
	return &query.PathExpr{Path: query.Path{Segments: []string{name}}}
}

// literal renders a JSON-shaped value as a filter literal for attribute a.
func literal(a *metadata.Attribute, v any) (*query.Literal, bool) {
	switch x := v.(type) {
	case string:
		switch a.Type {
		case metadata.TypeGUID, metadata.TypeLookup:
			if _, err := uuid.Parse(x); err != nil || len(x) != 36 {
				return nil, false
			}
			return &query.Literal{Kind: query.LitGUID, Text: x}, true
		case metadata.TypeDate:
			return &query.Literal{Kind: query.LitDate, Text: x}, true
		case metadata.TypeDateTime:
			return &query.Literal{Kind: query.LitDateTime, Text: x}, true
		case metadata.TypeInteger:
			if _, err := strconv.ParseInt(x, 10, 64); err != nil {
				return nil, false
			}
			return &query.Literal{Kind: query.LitInt, Text: x}, true
		}
		return &query.Literal{Kind: query.LitString, Text: x}, true
	case json.Number:
		if a.Type == metadata.TypeInteger {
			return &query.Literal{Kind: query.LitInt, Text: x.String()}, true
		}
		return &query.Literal{Kind: query.LitDecimal, Text: x.String()}, true
	case bool:
		return &query.Literal{Kind: query.LitBool, Text: strconv.FormatBool(x)}, true
	}
	return nil, false
}

// keyOf renders the values of key attributes as one comparable string; ok is false when one of
// them is missing or does not convert. get returns a JSON-shaped (raw) or typed value by name.
func keyOf(e *metadata.Entity, key []string, get func(string) any) (string, bool) {
	parts := make([]string, len(key))
	for i, name := range key {
		a := e.Attr(name)
		v, err := a.Convert(get(name))
		if err != nil || v == nil {
			return "", false
		}
		parts[i] = Text(v, a.DecimalScale())
	}
	return strings.Join(parts, "\x1f"), true
}

// resolve turns the lookup cells of rows into ids, recording lookup_not_found and
// ambiguous_lookup faults in b. An id must exist; another value is looked up by the target's
// single-attribute alternate keys and unique attributes, then by its primary name. A miss on a
// lookup to the imported entity itself whose text is in later (a value an unwritten row of the
// batch carries) is not a fault: the row is put in deferred, to be resolved again once the
// rows before it are written.
func (f *finder) resolve(ctx context.Context, rows []*row, b *batchState, later map[string]bool, deferred map[*row]bool) error {
	byTarget := map[*metadata.Entity]map[string]bool{}
	for _, r := range rows {
		for _, ref := range r.refs {
			if _, ok := f.cache[ref.target.Name+"\x00"+ref.text]; ok {
				continue
			}
			if byTarget[ref.target] == nil {
				byTarget[ref.target] = map[string]bool{}
			}
			byTarget[ref.target][ref.text] = true
		}
	}
	for t, texts := range byTarget {
		if err := f.lookup(ctx, t, texts); err != nil {
			return err
		}
	}
	for _, r := range rows {
		for _, ref := range r.refs {
			hit, ok := f.cache[ref.target.Name+"\x00"+ref.text]
			switch {
			case !ok && ref.target == b.entity && (later[ref.text] || later[strings.ToLower(ref.text)]):
				deferred[r] = true
			case !ok:
				b.faults[r] = append(b.faults[r], fault.Field(ref.attr.Name, "lookup_not_found",
					"no %s has the id, key or name %q", ref.target.Name, ref.text))
			case hit.ambiguous:
				b.faults[r] = append(b.faults[r], fault.Field(ref.attr.Name, "ambiguous_lookup",
					"several %s records are named %q: use the id or a key instead", ref.target.SetName, ref.text))
			case ref.dflt:
				b.dflts[r][ref.attr.Name] = hit.id
			default:
				b.inputs[r][ref.attr.Name] = hit.id
			}
		}
	}
	return nil
}

// refersTo reports whether a row of rows looks up a record of e (a parent account in a file of
// accounts), which may then be another row of the batch.
func refersTo(rows []*row, e *metadata.Entity) bool {
	for _, r := range rows {
		for _, ref := range r.refs {
			if ref.target == e {
				return true
			}
		}
	}
	return false
}

// names returns the values by which rows may be named in a lookup: their ids, single-attribute
// keys and primary names.
func names(e *metadata.Entity, rows []*row, b *batchState) map[string]bool {
	attrs := []string{"id", e.PrimaryName}
	for _, k := range e.AlternateKeys {
		if len(k.Attributes) == 1 {
			attrs = append(attrs, k.Attributes[0])
		}
	}
	for _, a := range e.Attributes {
		if a.Unique {
			attrs = append(attrs, a.Name)
		}
	}
	out := map[string]bool{}
	for _, r := range rows {
		for _, a := range attrs {
			if s, ok := b.inputs[r][a].(string); ok && s != "" {
				out[strings.TrimSpace(s)] = true
				out[strings.ToLower(strings.TrimSpace(s))] = true
			}
		}
	}
	return out
}

// lookup resolves texts naming records of t into the cache (misses are not cached: a later
// batch may create the record).
func (f *finder) lookup(ctx context.Context, t *metadata.Entity, texts map[string]bool) error {
	put := func(text, id string) {
		k := t.Name + "\x00" + text
		if prev, ok := f.cache[k]; ok && prev.id != id {
			f.cache[k] = lookupHit{ambiguous: true}
			return
		}
		f.cache[k] = lookupHit{id: id}
	}
	var ids, rest [][]any
	for text := range texts {
		if _, err := uuid.Parse(text); err == nil && len(text) == 36 {
			ids = append(ids, []any{strings.ToLower(text)})
		} else {
			rest = append(rest, []any{text})
		}
	}
	if len(ids) > 0 {
		recs, err := f.find(ctx, t, []string{"id"}, ids, []string{"id"})
		if err != nil {
			return err
		}
		found := map[string]bool{}
		for _, r := range recs {
			found[r.ID()] = true
		}
		for text := range texts {
			if found[strings.ToLower(text)] {
				f.cache[t.Name+"\x00"+text] = lookupHit{id: strings.ToLower(text)}
			}
		}
	}
	var keys []string
	for _, k := range t.AlternateKeys {
		if len(k.Attributes) == 1 {
			keys = append(keys, k.Attributes[0])
		}
	}
	for _, a := range t.Attributes {
		if a.Unique && !contains(keys, a.Name) {
			keys = append(keys, a.Name)
		}
	}
	for _, k := range keys {
		if len(rest) == 0 {
			return nil
		}
		a := t.Attr(k)
		vals := rest
		if a.Type == metadata.TypeEmail {
			vals = nil
			for _, v := range rest {
				vals = append(vals, v, []any{strings.ToLower(v[0].(string))})
			}
		}
		recs, err := f.find(ctx, t, []string{k}, vals, []string{"id", k})
		if err != nil {
			return err
		}
		hits := map[string]string{}
		for _, r := range recs {
			hits[Text(r.Get(k), a.DecimalScale())] = r.ID()
		}
		rest = unresolved(rest, func(text string) (string, bool) {
			if id, ok := hits[text]; ok {
				return id, true
			}
			id, ok := hits[strings.ToLower(text)]
			return id, ok && a.Type == metadata.TypeEmail
		}, put)
	}
	if len(rest) == 0 || t.PrimaryName == "" {
		return nil
	}
	recs, err := f.find(ctx, t, []string{t.PrimaryName}, rest, []string{"id", t.PrimaryName})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if name, ok := r.Get(t.PrimaryName).(string); ok {
			put(name, r.ID())
		}
	}
	return nil
}

// unresolved records the texts that hit finds and returns the others.
func unresolved(texts [][]any, hit func(string) (string, bool), put func(text, id string)) [][]any {
	var out [][]any
	for _, v := range texts {
		text := v[0].(string)
		if id, ok := hit(text); ok {
			put(text, id)
		} else {
			out = append(out, v)
		}
	}
	return out
}
