package dedupe

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/store"
)

// The key index holds, per record with keys, one dedupe_doc row listing its keys (64-bit
// hashes) and an inverted index over them: FTS5 on SQLite (the keys written as hex words,
// dedupe_fts, with dedupe_doc as its external content) and GIN on PostgreSQL. Both take a
// write's keys as one sorted batch, where a B-tree row per key cost a random insert each.

// docKeys is a record and its keys.
type docKeys struct {
	id   string
	keys []int64
}

// keyWords is the FTS form of keys: "k" and 16 hex digits each, space-separated.
func keyWords(keys []int64) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(keyWord(k))
	}
	return b.String()
}

func keyWord(k int64) string {
	const digits = "0123456789abcdef"
	var b [17]byte
	b[0] = 'k'
	for i, u := 16, uint64(k); i > 0; i, u = i-1, u>>4 {
		b[i] = digits[u&15]
	}
	return string(b[:])
}

func (s *Service) sqlite() bool { return s.st.D.Name() == "sqlite" }

// insertDocs indexes records that have no index row yet (just created, or after clearDocs).
func (s *Service) insertDocs(ctx context.Context, tenant, entity string, docs []docKeys) error {
	if len(docs) == 0 {
		return nil
	}
	tid := s.st.D.Encode(idAttr, tenant)
	if !s.sqlite() {
		rows := make([][]any, len(docs))
		for i, d := range docs {
			rows[i] = []any{tid, entity, s.st.D.Encode(idAttr, d.id), d.keys}
		}
		if err := s.st.BulkInsert(ctx, "dedupe_doc", []string{"tenant_id", "entity", "record_id", "keys"}, rows); err != nil {
			return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
		}
		return nil
	}
	// The write transaction holds SQLite's only write lock, so the next ids are free.
	var last int64
	if err := s.st.QueryRow(ctx, `SELECT COALESCE(MAX(doc_id), 0) FROM dedupe_doc`).Scan(&last); err != nil {
		return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
	}
	rows := make([][]any, len(docs))
	for i, d := range docs {
		rows[i] = []any{last + 1 + int64(i), tid, entity, d.id, keyWords(d.keys)}
	}
	if err := s.st.BulkInsert(ctx, "dedupe_doc", []string{"doc_id", "tenant_id", "entity", "record_id", "keys"}, rows); err != nil {
		return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
	}
	// One statement for the whole write: FTS5 flushes its pending terms as a new segment (and
	// merges segments) at every statement's savepoint, so a statement per few hundred rows
	// would write many small segments.
	ph := s.st.D.Placeholder
	if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_fts (rowid, keys) SELECT doc_id, keys FROM dedupe_doc WHERE doc_id > `+ph(1)+` ORDER BY doc_id`, last); err != nil {
		return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
	}
	return nil
}

// replaceDocs sets the keys of records that may already be indexed (none: no longer indexed).
func (s *Service) replaceDocs(ctx context.Context, tenant, entity string, docs []docKeys) error {
	if len(docs) == 0 {
		return nil
	}
	if err := s.deleteDocs(ctx, tenant, entity, docs); err != nil {
		return err
	}
	var keep []docKeys
	for _, d := range docs {
		if len(d.keys) > 0 {
			keep = append(keep, d)
		}
	}
	return s.insertDocs(ctx, tenant, entity, keep)
}

// chunk is how many records one statement deletes.
const chunk = 500

// deleteDocs removes the index rows of the records of docs.
func (s *Service) deleteDocs(ctx context.Context, tenant, entity string, docs []docKeys) error {
	for start := 0; start < len(docs); start += chunk {
		part := docs[start:min(len(docs), start+chunk)]
		args := &store.Args{D: s.st.D}
		where := ` WHERE tenant_id = ` + args.Add(s.st.D.Encode(idAttr, tenant)) + ` AND entity = ` + args.Add(entity) + ` AND record_id IN (`
		for i, d := range part {
			if i > 0 {
				where += ", "
			}
			where += args.Add(s.st.D.Encode(idAttr, d.id))
		}
		where += `)`
		if err := s.dropDocs(ctx, where, args.List); err != nil {
			return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
		}
	}
	return nil
}

// dropDocs deletes the dedupe_doc rows that where selects, and on SQLite first their terms
// from the FTS index (an external-content FTS5 table forgets a row when told its indexed text).
func (s *Service) dropDocs(ctx context.Context, where string, args []any) error {
	if s.sqlite() {
		if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_fts (dedupe_fts, rowid, keys) SELECT 'delete', doc_id, keys FROM dedupe_doc`+where, args...); err != nil {
			return err
		}
	}
	_, err := s.st.Exec(ctx, `DELETE FROM dedupe_doc`+where, args...)
	return err
}

// clearDocs removes the index rows of every record of entity in tenant.
func (s *Service) clearDocs(ctx context.Context, tenant, entity string) error {
	ph := s.st.D.Placeholder
	if err := s.dropDocs(ctx, ` WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), []any{s.st.D.Encode(idAttr, tenant), entity}); err != nil {
		return fmt.Errorf("dedupe: clear %s: %w", entity, err)
	}
	return nil
}

// stopKey is how many records a bigram key may be shared by and still make candidates. A key
// held by more — a bigram common to a whole import's names — tells little about which records
// are duplicates, and reading its records would make every look-up cost as much as the tenant
// is large (like a stop word in a search engine); a pair of similar names shares several keys,
// so dropping the common ones keeps it, and records of the very same name share a whole-name
// key, which is never dropped. An exact key (an e-mail, a phone, a whole name) yields its first
// maxCandidates records however many hold it.
const stopKey = 200

// holdersProbe is the look-up of sharing for a request's connection (PostgreSQL): under the
// tenant policy the containment test could not use the GIN index (store.Probe), and each
// look-up read the whole table — 17 ms over 127,000 records, five per account created.
var holdersProbe = store.Probe{
	Name:    "meridian_dedupe_holders",
	Args:    "p_tenant uuid, p_entity text, p_key bigint, p_limit integer",
	Returns: "SETOF uuid",
	Body: `SELECT record_id FROM (SELECT record_id FROM dedupe_doc WHERE tenant_id = p_tenant AND tenant_id = ` + store.SessionTenant +
		` AND entity = p_entity AND keys @> ARRAY[p_key] OFFSET 0) d LIMIT p_limit`,
}

func init() { store.RegisterProbe(holdersProbe) }

// sharing returns the records of entity in tenant that hold any of the keys, those sharing the
// most first (then by id), at most top. A key of exact yields its first top records however
// many hold it; a key of grams held by more than stopKey records is skipped.
func (s *Service) sharing(ctx context.Context, tenant, entity string, exact, grams []int64, top int) ([]string, error) {
	ph := s.st.D.Placeholder
	tid := s.st.D.Encode(idAttr, tenant)
	// On SQLite the FTS index gives document ids, mapped to records once for the best; on
	// PostgreSQL the GIN index gives the dedupe_doc rows and so the records at once.
	query := func(limit int) string {
		if s.sqlite() {
			return `SELECT rowid FROM dedupe_fts WHERE dedupe_fts MATCH ` + ph(1) + ` LIMIT ` + strconv.Itoa(limit)
		}
		if s.st.UnderTenantPolicy(ctx) {
			return `SELECT h FROM meridian_dedupe_holders(` + ph(2) + `::uuid, ` + ph(3) + `, ` + ph(1) + `::bigint, ` + strconv.Itoa(limit) + `) h`
		}
		return `SELECT record_id FROM dedupe_doc WHERE keys @> ARRAY[` + ph(1) + `::bigint] AND tenant_id = ` + ph(2) +
			` AND entity = ` + ph(3) + ` LIMIT ` + strconv.Itoa(limit)
	}
	// A key's holders are read once, up to stopKey+1 of them: more make it a stop key, which
	// look-ups then skip for a while (stopkeys.go). Counting them first in the database, on
	// SQLite, saved reading a stop key's 201 holders back, but cost a second FTS query for every
	// other key of every look-up: 32 clients creating bench-like names made 842 creates/s with
	// it, 1,039 without.
	shared := map[string]int{}
	now := s.recs.Now()
	look := func(keys []int64, q string, stop bool) error {
		for _, k := range keys {
			if stop && s.stops.has(k, now) {
				continue
			}
			args := []any{k, tid, entity}
			if s.sqlite() {
				args = []any{keyWord(k)}
			}
			var hits []string
			var err error
			if s.sqlite() {
				hits, err = s.st.QueryStrings(ctx, q, args...)
			} else {
				hits, err = s.st.QueryIDs(ctx, q, args...)
			}
			if err != nil {
				return fmt.Errorf("dedupe: candidates: %w", err)
			}
			if stop && len(hits) > stopKey {
				s.stops.add(k, now)
				continue
			}
			for _, h := range hits {
				shared[h]++
			}
		}
		return nil
	}
	if err := look(exact, query(top), false); err != nil {
		return nil, err
	}
	if err := look(grams, query(stopKey+1), true); err != nil {
		return nil, err
	}
	best := make([]string, 0, len(shared))
	for h := range shared {
		best = append(best, h)
	}
	sort.Slice(best, func(i, j int) bool {
		if shared[best[i]] != shared[best[j]] {
			return shared[best[i]] > shared[best[j]]
		}
		return best[i] < best[j]
	})
	best = best[:min(len(best), top)]
	if !s.sqlite() || len(best) == 0 {
		return best, nil
	}
	// Document ids to records, keeping the order (a key hash covers tenant and entity; they
	// are checked all the same). The unary + keeps SQLite's planner on the document ids: given
	// the tenant and entity, it chose their index and read every document of the tenant.
	q, args := docRecords(s.st.D, tid, entity, best)
	rows, err := s.st.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dedupe: candidates: %w", err)
	}
	defer rows.Close()
	record := map[string]string{}
	for rows.Next() {
		var doc, id string
		if err := rows.Scan(&doc, &id); err != nil {
			return nil, err
		}
		record[doc] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(best))
	for _, h := range best {
		if id, ok := record[h]; ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// docRecords is the SQLite query of the records of documents docs of entity in tenant tid.
func docRecords(d store.Dialect, tid any, entity string, docs []string) (string, []any) {
	args := &store.Args{D: d}
	in := make([]string, len(docs))
	for i, h := range docs {
		in[i] = args.Add(h)
	}
	return `SELECT doc_id, record_id FROM dedupe_doc WHERE doc_id IN (` + strings.Join(in, ", ") + `) AND +tenant_id = ` +
		args.Add(tid) + ` AND +entity = ` + args.Add(entity), args.List
}

// heldByOthers returns which of keys more than one record holds (a record just written holds
// its own), from the document counts of the FTS index's vocabulary. On PostgreSQL, where a GIN
// index has no such counts (a probe per key, planned without the key's value, scanned the
// table), every key counts as held.
func (s *Service) heldByOthers(ctx context.Context, keys []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if !s.sqlite() {
		for _, k := range keys {
			out[k] = true
		}
		return out, nil
	}
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(len(keys), start+chunk)]
		args := &store.Args{D: s.st.D}
		marks := make([]string, len(part))
		key := make(map[string]int64, len(part))
		for i, k := range part {
			w := keyWord(k)
			key[w] = k
			marks[i] = args.Add(w)
		}
		terms, err := s.st.QueryStrings(ctx, `SELECT term FROM dedupe_vocab WHERE term IN (`+strings.Join(marks, ", ")+`) AND doc > 1`, args.List...)
		if err != nil {
			return nil, fmt.Errorf("dedupe: shared keys: %w", err)
		}
		for _, t := range terms {
			out[key[t]] = true
		}
	}
	return out, nil
}
