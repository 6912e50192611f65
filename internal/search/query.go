package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// candidate is one match of the index, before the read path has had its say.
type candidate struct {
	entity, id string
	score      float64
}

// match returns up to limit matches of terms in tenant's index after skipping offset, best
// first, limited to entities (all when empty). Scores are higher for better matches on both
// databases: bm25 (negated) on SQLite, ts_rank on PostgreSQL, the title weighing more than the
// body on both. With anyTerm a record matching some of the terms is a match too (see matchAny).
func (x *Index) match(ctx context.Context, tenant string, terms []Term, entities []string, anyTerm bool, limit, offset int) ([]candidate, error) {
	args := []any{}
	ph := func(v any) string {
		args = append(args, v)
		return x.st.D.Placeholder(len(args))
	}
	var q string
	switch {
	case anyTerm && x.st.D.Name() == "postgres":
		score, err := x.anyScore(ctx, tenant, terms, entities, ph)
		if err != nil {
			return nil, err
		}
		from, where := x.matching(ctx, tenant, `to_tsquery('simple', `+ph(tsQueryJoin(terms, " | "))+`)`, nil, 0, ph)
		q = `SELECT d.entity, d.record_id, ` + score + ` AS score FROM ` + from + ` WHERE ` + where
	case anyTerm:
		m := ph(ftsQueryJoin(terms, " OR "))
		q = `SELECT d.entity, d.record_id, -bm25(search_fts, ` + titleWeight + `, 1.0) AS score FROM search_fts JOIN search_doc d ON d.doc_id = search_fts.rowid` +
			` WHERE search_fts MATCH ` + m + ` AND d.tenant_id = ` + ph(tenant)
	case x.st.D.Name() == "postgres":
		tsq := ph(tsQuery(terms))
		from, where := x.matching(ctx, tenant, "q", nil, 0, ph)
		q = `SELECT d.entity, d.record_id, ts_rank('{0.1, 0.2, 0.25, 1.0}', d.tsv, q, 1) AS score FROM to_tsquery('simple', ` + tsq + `) q, ` + from +
			` WHERE ` + where
	default:
		m := ph(ftsQuery(terms))
		q = `SELECT d.entity, d.record_id, -bm25(search_fts, ` + titleWeight + `, 1.0) AS score FROM search_fts JOIN search_doc d ON d.doc_id = search_fts.rowid` +
			` WHERE search_fts MATCH ` + m + ` AND d.tenant_id = ` + ph(tenant)
	}
	if len(entities) > 0 {
		marks := make([]string, len(entities))
		for i, e := range entities {
			marks[i] = ph(e)
		}
		q += ` AND d.entity IN (` + strings.Join(marks, ", ") + `)`
	}
	q += ` ORDER BY score DESC, d.record_id LIMIT ` + fmt.Sprint(limit) + ` OFFSET ` + fmt.Sprint(offset)
	rows, err := x.st.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var raw any
		if err := rows.Scan(&c.entity, &raw, &c.score); err != nil {
			return nil, err
		}
		c.id = idText(raw)
		out = append(out, c)
	}
	return out, rows.Err()
}

// docsProbe is the full-text match of a request's connection (PostgreSQL): under the tenant
// policy a tsv @@ query condition could not use the GIN index (store.Probe), and every search
// read all the tenant's documents. It returns the session tenant's documents that match query,
// of entities (all when NULL), at most limit (all when NULL).
var docsProbe = store.Probe{
	Name:    "meridian_search_docs",
	Args:    "p_tenant uuid, p_query tsquery, p_entities text[], p_limit bigint",
	Returns: "TABLE (entity text, record_id uuid, tsv tsvector)",
	Body: `SELECT d.entity, d.record_id, d.tsv FROM search_doc d WHERE d.tenant_id = p_tenant AND d.tenant_id = ` + store.SessionTenant +
		` AND d.tsv @@ p_query AND (p_entities IS NULL OR d.entity = ANY (p_entities)) LIMIT p_limit`,
}

func init() { store.RegisterProbe(docsProbe) }

// matching returns the FROM item d of tenant's documents that match the tsquery expression tsq,
// and the condition to go with it in the WHERE clause (PostgreSQL): search_doc itself, or under
// the tenant policy the probe, given entities (all when empty) and limit (all when 0).
func (x *Index) matching(ctx context.Context, tenant, tsq string, entities []string, limit int, ph func(any) string) (from, where string) {
	if !x.st.UnderTenantPolicy(ctx) {
		return `search_doc d`, `d.tenant_id = ` + ph(tenant) + ` AND d.tsv @@ ` + tsq
	}
	ents, lim := "NULL", "NULL"
	if len(entities) > 0 {
		ents = ph(entities) + `::text[]`
	}
	if limit > 0 {
		lim = fmt.Sprint(limit)
	}
	return `meridian_search_docs(` + ph(tenant) + `::uuid, ` + tsq + `, ` + ents + `, ` + lim + `) d`, `true`
}

// titleWeight is how much more a match in the title counts than one in the body (SQLite bm25
// column weight; PostgreSQL weighs A against B in the ts_rank weights above the same way).
const titleWeight = "4.0"

// ftsQuery renders terms as an FTS5 query: every term required, the prefix ones with *.
func ftsQuery(terms []Term) string { return ftsQueryJoin(terms, " AND ") }

// ftsQueryJoin renders terms as an FTS5 query joined by op (" AND ", " OR ").
func ftsQueryJoin(terms []Term, op string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t.Text, `"`, `""`) + `"`
		if t.Prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, op)
}

// tsQuery renders terms as a PostgreSQL tsquery text: every term required, the prefix ones
// with :*.
func tsQuery(terms []Term) string { return tsQueryJoin(terms, " & ") }

// tsQueryJoin renders terms as a tsquery text joined by op (" & ", " | ").
func tsQueryJoin(terms []Term, op string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = tsTerm(t, "")
	}
	return strings.Join(parts, op)
}

// tsTerm renders one term as a tsquery operand, limited to the given weights ("A": the title)
// when weights is not empty.
func tsTerm(t Term, weights string) string {
	s := `'` + strings.ReplaceAll(strings.ReplaceAll(t.Text, `\`, `\\`), `'`, `''`) + `'`
	if t.Prefix || weights != "" {
		s += ":"
	}
	if t.Prefix {
		s += "*"
	}
	return s + weights
}

// entityNames lists the names of es.
func entityNames(es []*metadata.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}
