package search

import (
	"context"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Hit is one search result.
type Hit struct {
	Entity  *metadata.Entity
	ID      string
	Title   string
	Snippet string
	Score   float64
}

// Request is one search.
type Request struct {
	Q string
	// Sets limits the search to these entity sets (e.g. "accounts"); empty: every searchable
	// entity the caller may read.
	Sets []string
	// Top is how many hits to return (default 20, at most 100).
	Top int
	// Any matches records holding any of the words of Q, ranked by how many they hold and how
	// rare those are (for questions typed in full); otherwise every word is required.
	Any bool
	// Filter is a condition every hit must also meet, read through the records read path like
	// an OData $filter (e.g. status eq 'published'); it applies to every entity searched.
	Filter query.Expr
}

// Reader is the records read path the search goes through (records.Service).
type Reader interface {
	CanRead(ctx context.Context, entity string) error
	List(ctx context.Context, entity string, o *query.Options, ro records.ReadOptions) (*records.Page, error)
}

// maxRounds bounds how often a search asks the index for more candidates when the caller may
// not read enough of the best ones.
const maxRounds = 4

// Search catches the index up with the caller's tenant, then returns the best matches of r.Q
// that the caller may read, ranked across entities. Candidates come from the index; each is
// then read through the records read path (visibility predicate, field security) with
// id in (…), and only what it returns is shown, titles and snippets made from those values.
func (x *Index) Search(ctx context.Context, rd Reader, r Request) ([]Hit, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	if strings.TrimSpace(r.Q) == "" {
		return nil, fault.Field("q", "invalid_query", "the search text q is required")
	}
	top := r.Top
	if top <= 0 {
		top = 20
	}
	if top > 100 {
		return nil, fault.Field("top", "invalid_top", "top must be between 1 and 100")
	}
	ents, err := x.entities(ctx, rd, p.TenantID, r.Sets)
	if err != nil {
		return nil, err
	}
	terms := Terms(r.Q)
	if r.Any {
		terms = withoutStopWords(terms)
	}
	if len(terms) == 0 || len(ents) == 0 {
		return []Hit{}, nil
	}
	if _, err := x.CatchUp(ctx, p.TenantID); err != nil {
		return nil, err
	}
	byName := map[string]*metadata.Entity{}
	for _, e := range ents {
		byName[e.Name] = e
	}
	hits := []Hit{}
	batch := max(3*top, 30)
	offset := 0
	for round := 0; round < maxRounds && len(hits) < top; round++ {
		cands, err := x.match(ctx, p.TenantID, terms, entityNames(ents), r.Any, batch, offset)
		if err != nil {
			return nil, err
		}
		visible, err := readVisible(ctx, rd, byName, cands, r.Filter)
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			rec := visible[c.entity+"/"+c.id]
			if rec == nil {
				continue
			}
			e := byName[c.entity]
			title, _ := rec.Get(e.PrimaryName).(string)
			hits = append(hits, Hit{Entity: e, ID: c.id, Title: title, Snippet: snippet(e, rec, terms), Score: c.score})
			if len(hits) == top {
				break
			}
		}
		if len(cands) < batch {
			break
		}
		offset += batch
		batch *= 2
	}
	return hits, nil
}

// entities resolves the requested sets (all searchable entities when none) and keeps those the
// caller may read.
// entityNamed finds an entity by its set name ("knowledge_articles"), its name
// ("knowledge_article") or its set name written without underscores ("knowledgearticles", as
// OData clients that camel-case names send it).
func entityNamed(m *metadata.Model, s string) *metadata.Entity {
	if e := m.EntityBySet(s); e != nil {
		return e
	}
	if e := m.Entity(s); e != nil {
		return e
	}
	for _, e := range m.Entities() {
		if strings.EqualFold(strings.ReplaceAll(e.SetName, "_", ""), s) {
			return e
		}
	}
	return nil
}

func (x *Index) entities(ctx context.Context, rd Reader, tenant string, sets []string) ([]*metadata.Entity, error) {
	m, err := x.reg.Model(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var want []*metadata.Entity
	if len(sets) == 0 {
		for _, e := range m.Entities() {
			if len(Searchable(e)) > 0 {
				want = append(want, e)
			}
		}
	} else {
		for _, s := range sets {
			e := entityNamed(m, s)
			if e == nil {
				return nil, fault.Field("entities", "unknown_entity_set", "%q is not an entity set", s)
			}
			if len(Searchable(e)) == 0 {
				return nil, fault.Field("entities", "not_searchable", "%s has no searchable attributes", s)
			}
			want = append(want, e)
		}
	}
	var out []*metadata.Entity
	for _, e := range want {
		err := rd.CanRead(ctx, e.Name)
		switch {
		case err == nil:
			out = append(out, e)
		case fault.Is(err, fault.Permission):
			if len(sets) > 0 && len(sets) == 1 {
				return nil, err // asked for one entity only: say why nothing comes back
			}
		default:
			return nil, err
		}
	}
	return out, nil
}

// readVisible reads the candidates through the records read path, entity by entity, and
// returns those the caller may see (and that meet filter, when not nil) by "entity/id".
func readVisible(ctx context.Context, rd Reader, byName map[string]*metadata.Entity, cands []candidate, filter query.Expr) (map[string]*records.Record, error) {
	ids := map[string][]string{}
	for _, c := range cands {
		ids[c.entity] = append(ids[c.entity], c.id)
	}
	out := map[string]*records.Record{}
	for name, list := range ids {
		e := byName[name]
		if e == nil {
			continue
		}
		in := query.IDIn(list)
		var where query.Expr = in
		if filter != nil {
			where = &query.Binary{Op: query.OpAnd, Left: in, Right: filter}
		}
		sel := []query.Path{{Segments: []string{"id"}}}
		for _, a := range Searchable(e) {
			sel = append(sel, query.Path{Segments: []string{a.Name}})
		}
		// Unordered: a key look-up, which the planner must answer from the ids, not by walking the
		// primary key in order.
		page, err := rd.List(ctx, name, &query.Options{Filter: where, Select: sel, Unordered: true}, records.ReadOptions{PageSize: len(list)})
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			out[name+"/"+rec.ID()] = rec
		}
	}
	return out, nil
}
