package search

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// A search for any of the terms (Request.Any) answers questions typed in full, such as "my hub
// went offline after a firmware update": a record matching some of the words is a match, and
// records matching more of them, and rarer ones, rank first. On SQLite that is FTS5's bm25 over
// the terms joined by OR; on PostgreSQL, whose ts_rank knows nothing of how rare a word is, the
// score is computed the same way by hand: the sum, over the terms a record holds, of the term's
// inverse document frequency (BM25's), counted titleBoost more times when the term is in the
// title (or an attribute marked search_boost), plus ts_rank to break ties by term frequency.

// titleBoost is how many more times a term in the title counts on PostgreSQL (the title then
// counts 1 + titleBoost times, close to SQLite's titleWeight).
const titleBoost = "3.0"

// dfCap bounds the documents counted for one term's frequency: beyond it a term is common
// anyway, and counting stays cheap on large tenants.
const dfCap = 10000

// stopWords are English words too common in questions to say anything about the answer; they
// are dropped from searches for any term (unless nothing else is left).
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by can do does did for from how i if in into is it its
		me my no not of on or our so that the their then there these this to too was we were what when where which
		who why will with you your before again all any been being could get got has have having he she
		they them us very would should`) {
		stopWords[w] = true
	}
}

// withoutStopWords drops the stop words of terms (not a prefix being typed), unless only stop
// words were asked for.
func withoutStopWords(terms []Term) []Term {
	var out []Term
	for _, t := range terms {
		if !stopWords[t.Text] || t.Prefix {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return terms
	}
	return out
}

// anyScore returns the PostgreSQL score expression of a search for any of terms (see above),
// adding its arguments through ph.
func (x *Index) anyScore(ctx context.Context, tenant string, terms []Term, entities []string, ph func(any) string) (string, error) {
	idf, err := x.idf(ctx, tenant, terms, entities)
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(terms)+1)
	for i, t := range terms {
		parts = append(parts, fmt.Sprintf("%.4f * ((d.tsv @@ to_tsquery('simple', %s))::int + %s * (d.tsv @@ to_tsquery('simple', %s))::int)",
			idf[i], ph(tsTerm(t, "")), titleBoost, ph(tsTerm(t, "A"))))
	}
	parts = append(parts, "ts_rank('{0.1, 0.2, 0.25, 1.0}', d.tsv, to_tsquery('simple', "+ph(tsQueryJoin(terms, " | "))+"), 1)")
	return "(" + strings.Join(parts, " + ") + ")", nil
}

// idf returns BM25's inverse document frequency of each term among the documents of entities
// (all entities when empty) in tenant's index, in one statement.
func (x *Index) idf(ctx context.Context, tenant string, terms []Term, entities []string) ([]float64, error) {
	args := []any{}
	ph := func(v any) string {
		args = append(args, v)
		return x.st.D.Placeholder(len(args))
	}
	of := ""
	if len(entities) > 0 {
		marks := make([]string, len(entities))
		for i, e := range entities {
			marks[i] = ph(e)
		}
		of = ` AND entity IN (` + strings.Join(marks, ", ") + `)`
	}
	cols := []string{`(SELECT count(*) FROM search_doc WHERE tenant_id = ` + ph(tenant) + of + `)`}
	for _, t := range terms {
		from, cond := x.matching(ctx, tenant, `to_tsquery('simple', `+ph(tsTerm(t, ""))+`)`, entities, dfCap, ph)
		if !x.st.UnderTenantPolicy(ctx) {
			cond += of // the probe takes the entities itself
		}
		cols = append(cols, `(SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+cond+` LIMIT `+fmt.Sprint(dfCap)+`) s)`)
	}
	counts := make([]int64, len(cols))
	dest := make([]any, len(cols))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := x.st.QueryRow(ctx, `SELECT `+strings.Join(cols, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("search: term frequencies: %w", err)
	}
	n := float64(counts[0])
	out := make([]float64, len(terms))
	for i := range terms {
		df := float64(counts[i+1])
		out[i] = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	return out, nil
}
