// Package search is Meridian's global search: a full-text index of every searchable record,
// fed from the change log (it keeps its own cursor per tenant), on SQLite FTS5 or PostgreSQL
// tsvector, and a search that ranks matches across entities and returns only what the caller may
// read, through the records read path.
package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Index is the search index of a database.
type Index struct {
	st  *store.Store
	reg *metadata.Registry
	// Batch is how many change-log entries one catch-up transaction handles.
	Batch int
	locks sync.Map // tenant id → *sync.Mutex: one catch-up per tenant at a time in this process
}

// New returns the index of st.
func New(st *store.Store, reg *metadata.Registry) *Index {
	return &Index{st: st, reg: reg, Batch: 2000}
}

func (x *Index) lock(tenant string) func() {
	m, _ := x.locks.LoadOrStore(tenant, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// cursor returns the tenant's last indexed change-log version and whether the index is usable:
// false when the tenant was never indexed or was indexed with other searchable attributes.
func (x *Index) cursor(ctx context.Context, tenant string) (int64, bool, error) {
	var v int64
	var fp string
	err := x.st.QueryRow(ctx, `SELECT version, fingerprint FROM search_cursor WHERE tenant_id = `+x.st.D.Placeholder(1), tenant).Scan(&v, &fp)
	if err != nil {
		if isNoRows(err) {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("search: cursor: %w", err)
	}
	fp2, err := x.fingerprint(ctx, tenant)
	if err != nil {
		return 0, false, err
	}
	return v, fp == fp2, nil
}

// fingerprint identifies the searchable attributes of every entity of tenant's data model: when
// it changes (an attribute added, removed or secured), the tenant is reindexed.
func (x *Index) fingerprint(ctx context.Context, tenant string) (string, error) {
	m, err := x.reg.Model(ctx, tenant)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, e := range m.Entities() {
		attrs := Searchable(e)
		if len(attrs) == 0 {
			continue
		}
		fmt.Fprintf(h, "%s:", e.Name)
		for _, a := range attrs {
			fmt.Fprintf(h, "%s,", a.Name)
			if a.SearchBoost {
				h.Write([]byte{'^'})
			}
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// setCursor moves the tenant's cursor forward to v (a rebuild, reset, sets it to v whatever it
// was and records the fingerprint it was made with).
func (x *Index) setCursor(ctx context.Context, tenant string, v int64, reset bool) error {
	ph := x.st.D.Placeholder
	fp, err := x.fingerprint(ctx, tenant)
	if err != nil {
		return err
	}
	set := `version = excluded.version, fingerprint = excluded.fingerprint`
	if !reset {
		greatest := "MAX"
		if x.st.D.Name() == "postgres" {
			greatest = "GREATEST"
		}
		set = `version = ` + greatest + `(search_cursor.version, excluded.version)`
	}
	_, err = x.st.Exec(ctx, `INSERT INTO search_cursor (tenant_id, version, fingerprint) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`)`+
		` ON CONFLICT (tenant_id) DO UPDATE SET `+set, tenant, v, fp)
	if err != nil {
		return fmt.Errorf("search: cursor: %w", err)
	}
	return nil
}

// Pending returns how many change-log versions of tenant the index has not yet consumed.
func (x *Index) Pending(ctx context.Context, tenant string) (int64, error) {
	ctx = store.AsOwner(ctx)
	cur, _, err := x.cursor(ctx, tenant)
	if err != nil {
		return 0, err
	}
	var v int64
	if err := x.st.QueryRow(ctx, `SELECT version FROM tenant WHERE id = `+x.st.D.Placeholder(1), tenant).Scan(&v); err != nil {
		return 0, fmt.Errorf("search: tenant version: %w", err)
	}
	return max(0, v-cur), nil
}

// CatchUp indexes what changed in tenant since the index's cursor and returns how many records
// it (re)indexed or removed. A tenant never indexed, or indexed with other searchable
// attributes, is indexed in full (Reindex) instead of replaying its change log. It is cheap when nothing changed: one indexed read.
func (x *Index) CatchUp(ctx context.Context, tenant string) (int, error) {
	ctx = store.AsOwner(ctx)
	defer x.lock(tenant)()
	cur, ok, err := x.cursor(ctx, tenant)
	if err != nil {
		return 0, err
	}
	if !ok {
		return x.reindex(ctx, tenant, nil)
	}
	total := 0
	for {
		n, last, err := x.catchUpBatch(ctx, tenant, cur)
		if err != nil {
			return total, err
		}
		total += n
		if last == cur {
			return total, nil
		}
		cur = last
	}
}

// change is one change-log entry.
type change struct {
	version    int64
	entity, id string
}

// catchUpBatch handles up to x.Batch change-log entries after version since, in one transaction,
// and returns the records touched and the new cursor.
func (x *Index) catchUpBatch(ctx context.Context, tenant string, since int64) (int, int64, error) {
	ph := x.st.D.Placeholder
	rows, err := x.st.Query(ctx, `SELECT version, entity, record_id FROM change_log WHERE tenant_id = `+ph(1)+
		` AND version > `+ph(2)+` ORDER BY version LIMIT `+fmt.Sprint(x.Batch), tenant, since)
	if err != nil {
		return 0, since, fmt.Errorf("search: change log: %w", err)
	}
	var changes []change
	for rows.Next() {
		var c change
		var raw any
		if err := rows.Scan(&c.version, &c.entity, &raw); err != nil {
			rows.Close()
			return 0, since, err
		}
		c.id = idText(raw)
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, since, err
	}
	if len(changes) == 0 {
		return 0, since, nil
	}
	last := changes[len(changes)-1].version
	byEntity := map[string][]string{}
	seen := map[[2]string]bool{}
	for _, c := range changes {
		k := [2]string{c.entity, c.id}
		if !seen[k] {
			seen[k] = true
			byEntity[c.entity] = append(byEntity[c.entity], c.id)
		}
	}
	m, err := x.reg.Model(ctx, tenant)
	if err != nil {
		return 0, since, err
	}
	err = x.st.WithTx(ctx, func(ctx context.Context) error {
		for name, ids := range byEntity {
			e := m.Entity(name)
			if err := x.refresh(ctx, tenant, e, name, ids); err != nil {
				return err
			}
		}
		return x.setCursor(ctx, tenant, last, false)
	})
	if err != nil {
		return 0, since, err
	}
	return len(seen), last, nil
}

// refresh re-reads records ids of entity name and writes their documents; records that are
// gone (deleted), or whose entity is not searched any more, leave the index.
func (x *Index) refresh(ctx context.Context, tenant string, e *metadata.Entity, name string, ids []string) error {
	attrs := Searchable(e)
	found := map[string]bool{}
	if len(attrs) > 0 {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(len(ids), start+500)]
			args := &store.Args{D: x.st.D}
			t := args.Add(tenant)
			marks := make([]string, len(chunk))
			for i, id := range chunk {
				marks[i] = args.Add(id)
			}
			err := x.load(ctx, e, attrs, `t."tenant_id" = `+t+` AND t."id" IN (`+strings.Join(marks, ", ")+`)`, args.List, func(d document) error {
				found[d.id] = true
				return x.put(ctx, tenant, d, false)
			})
			if err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		if !found[id] {
			if err := x.remove(ctx, tenant, name, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// load reads the searchable columns of the rows of e matching where and calls fn with each
// row's document. The indexer reads entity tables directly, as the server itself: what a caller
// may see is decided when searching, through the records read path.
func (x *Index) load(ctx context.Context, e *metadata.Entity, attrs []*metadata.Attribute, where string, args []any, fn func(document) error) error {
	cols := []string{`t."id"`, `t."version"`}
	for _, a := range attrs {
		cols = append(cols, store.Col("t", a))
	}
	rows, err := x.st.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+store.From(e, "t")+` WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("search: read %s: %w", e.Name, err)
	}
	defer rows.Close()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var docs []document
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		vals := make([]any, len(attrs))
		for i, a := range attrs {
			v, err := x.st.D.Decode(a, raw[i+2])
			if err != nil {
				return err
			}
			vals[i] = v
		}
		ver, _ := x.st.D.Decode(e.Attr("version"), raw[1])
		v, _ := ver.(int64)
		docs = append(docs, newDocument(e, attrs, idText(raw[0]), v, vals))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close() // writes follow on the same connection (SQLite's single writer)
	for _, d := range docs {
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

// idText renders a scanned id (text on SQLite; text or a 16-byte UUID on PostgreSQL).
func idText(raw any) string {
	switch v := raw.(type) {
	case string:
		return v
	case []byte:
		if len(v) == 16 {
			return fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:16])
		}
		return string(v)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:16])
	}
	return fmt.Sprint(raw)
}
