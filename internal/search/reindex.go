package search

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Progress is told how many records a rebuild has indexed of how many.
type Progress func(done, total int)

// Reindex rebuilds tenant's index from the entity tables (after a schema change, or when the
// index is suspect) and returns the number of records indexed. Changes made while it runs are
// picked up by the next catch-up.
func (x *Index) Reindex(ctx context.Context, tenant string, progress Progress) (int, error) {
	ctx = store.AsOwner(ctx)
	defer x.lock(tenant)()
	return x.reindex(ctx, tenant, progress)
}

// reindexChunk is how many records one rebuild transaction writes.
const reindexChunk = 1000

func (x *Index) reindex(ctx context.Context, tenant string, progress Progress) (int, error) {
	ph := x.st.D.Placeholder
	// The version first: whatever changes after it is replayed by the next catch-up.
	var version int64
	if err := x.st.QueryRow(ctx, `SELECT version FROM tenant WHERE id = `+ph(1), tenant).Scan(&version); err != nil {
		return 0, fmt.Errorf("search: reindex: tenant %s: %w", tenant, err)
	}
	m, err := x.reg.Model(ctx, tenant)
	if err != nil {
		return 0, err
	}
	var ents []*metadata.Entity
	total := 0
	for _, e := range m.Entities() {
		if len(Searchable(e)) == 0 {
			continue
		}
		var n int
		if err := x.st.QueryRow(ctx, `SELECT COUNT(*) FROM `+store.Quote(e.Table())+` WHERE tenant_id = `+ph(1), tenant).Scan(&n); err != nil {
			return 0, fmt.Errorf("search: reindex: count %s: %w", e.Name, err)
		}
		ents = append(ents, e)
		total += n
	}
	if progress != nil {
		progress(0, total)
	}
	if err := x.st.WithTx(ctx, func(ctx context.Context) error { return x.clear(ctx, tenant) }); err != nil {
		return 0, err
	}
	done := 0
	for _, e := range ents {
		attrs := Searchable(e)
		after := ""
		for {
			n := 0
			err := x.st.WithTx(ctx, func(ctx context.Context) error {
				args := &store.Args{D: x.st.D}
				where := `t."tenant_id" = ` + args.Add(tenant)
				if after != "" {
					where += ` AND t."id" > ` + args.Add(after)
				}
				where += ` ORDER BY t."id" LIMIT ` + fmt.Sprint(reindexChunk)
				return x.load(ctx, e, attrs, where, args.List, func(d document) error {
					n++
					after = d.id
					return x.put(ctx, tenant, d, true)
				})
			})
			if err != nil {
				return done, err
			}
			done += n
			if progress != nil {
				progress(done, total)
			}
			if n < reindexChunk {
				break
			}
		}
	}
	if err := x.setCursor(ctx, tenant, version, true); err != nil {
		return done, err
	}
	// A rebuild is a bulk change: fresh planner statistics keep the match on the text index.
	if err := x.st.RefreshStatistics(ctx, "search_doc"); err != nil {
		return done, err
	}
	return done, nil
}
