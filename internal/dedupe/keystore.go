package dedupe

import (
	"context"
	"fmt"
	"slices"
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
	w := strconv.FormatUint(uint64(k), 16)
	return "k" + strings.Repeat("0", 16-len(w)) + w
}

// parseKeyWords reads keyWords back.
func parseKeyWords(s string) []int64 {
	var out []int64
	for _, w := range strings.Fields(s) {
		if u, err := strconv.ParseUint(strings.TrimPrefix(w, "k"), 16, 64); err == nil {
			out = append(out, int64(u))
		}
	}
	return out
}

// pgArray is keys as a PostgreSQL array literal.
func pgArray(keys []int64) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.FormatInt(k, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// parsePGArray reads a bigint[] in text form.
func parsePGArray(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(strings.Trim(s, "{}"), ",") {
		if k, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
			out = append(out, k)
		}
	}
	return out
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
	fts := make([][]any, len(docs))
	for i, d := range docs {
		words := keyWords(d.keys)
		rows[i] = []any{last + 1 + int64(i), tid, entity, d.id, words}
		fts[i] = []any{last + 1 + int64(i), words}
	}
	if err := s.st.BulkInsert(ctx, "dedupe_doc", []string{"doc_id", "tenant_id", "entity", "record_id", "keys"}, rows); err != nil {
		return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
	}
	if err := s.st.BulkInsert(ctx, "dedupe_fts", []string{"rowid", "keys"}, fts); err != nil {
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
		if s.sqlite() {
			// An external-content FTS5 table forgets a row when told its indexed text.
			if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_fts (dedupe_fts, rowid, keys) SELECT 'delete', doc_id, keys FROM dedupe_doc`+where, args.List...); err != nil {
				return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
			}
		}
		if _, err := s.st.Exec(ctx, `DELETE FROM dedupe_doc`+where, args.List...); err != nil {
			return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
		}
	}
	return nil
}

// clearDocs removes the index rows of every record of entity in tenant.
func (s *Service) clearDocs(ctx context.Context, tenant, entity string) error {
	ph := s.st.D.Placeholder
	where := ` WHERE tenant_id = ` + ph(1) + ` AND entity = ` + ph(2)
	tid := s.st.D.Encode(idAttr, tenant)
	if s.sqlite() {
		if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_fts (dedupe_fts, rowid, keys) SELECT 'delete', doc_id, keys FROM dedupe_doc`+where, tid, entity); err != nil {
			return fmt.Errorf("dedupe: clear %s: %w", entity, err)
		}
	}
	if _, err := s.st.Exec(ctx, `DELETE FROM dedupe_doc`+where, tid, entity); err != nil {
		return fmt.Errorf("dedupe: clear %s: %w", entity, err)
	}
	return nil
}

// maxScanned caps the index rows one look-up reads: keys shared by more records than this
// are weak evidence, and the records sharing the most keys are among those read.
const maxScanned = 20000

// sharing returns the records of entity in tenant that have any of keys, those sharing the
// most first (then by id), at most maxCandidates.
func (s *Service) sharing(ctx context.Context, tenant, entity string, keys []int64) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	ph := s.st.D.Placeholder
	tid := s.st.D.Encode(idAttr, tenant)
	var q string
	var args []any
	if s.sqlite() {
		words := make([]string, len(keys))
		for i, k := range keys {
			words[i] = keyWord(k)
		}
		q = `SELECT d.record_id, d.keys FROM dedupe_fts JOIN dedupe_doc d ON d.doc_id = dedupe_fts.rowid WHERE dedupe_fts MATCH ` + ph(1) +
			` AND d.tenant_id = ` + ph(2) + ` AND d.entity = ` + ph(3) + ` LIMIT ` + strconv.Itoa(maxScanned)
		args = []any{strings.Join(words, " OR "), tid, entity}
	} else {
		q = `SELECT record_id, keys::text FROM dedupe_doc WHERE keys && ` + ph(1) + `::bigint[] AND tenant_id = ` + ph(2) +
			` AND entity = ` + ph(3) + ` LIMIT ` + strconv.Itoa(maxScanned)
		args = []any{pgArray(keys), tid, entity}
	}
	rows, err := s.st.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dedupe: candidates: %w", err)
	}
	defer rows.Close()
	type hit struct {
		id     string
		shared int
	}
	var hits []hit
	for rows.Next() {
		var raw any
		var text string
		if err := rows.Scan(&raw, &text); err != nil {
			return nil, err
		}
		id, err := s.st.D.Decode(idAttr, raw)
		if err != nil {
			return nil, err
		}
		var theirs []int64
		if s.sqlite() {
			theirs = parseKeyWords(text)
		} else {
			theirs = parsePGArray(text)
		}
		n := 0
		for _, k := range keys {
			if _, ok := slices.BinarySearch(theirs, k); ok {
				n++
			}
		}
		hits = append(hits, hit{id.(string), n})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].shared != hits[j].shared {
			return hits[i].shared > hits[j].shared
		}
		return hits[i].id < hits[j].id
	})
	out := make([]string, 0, min(len(hits), maxCandidates))
	for _, h := range hits[:min(len(hits), maxCandidates)] {
		out = append(out, h.id)
	}
	return out, nil
}
