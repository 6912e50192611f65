package records

import (
	"context"
	"fmt"
	"strconv"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/store"
)

// delta reads what changed in entity e since the version in o.DeltaToken: records created or
// changed (matching the filter) and ids of records deleted, in version order. When more changes
// exist than fit in the page, DeltaNext continues after the last change served; otherwise Delta
// is the token for the next delta read.
func (s *Service) delta(ctx context.Context, p principal.Principal, m *metadata.Model, e *metadata.Entity, o *query.Options, sc query.Scope, size int) (*Page, error) {
	since, err := strconv.ParseInt(o.DeltaToken, 10, 64)
	if err != nil || since < 0 {
		return nil, &fault.Error{Kind: fault.Invalid, Code: "invalid_deltatoken", Target: "$deltatoken",
			Message: "the delta token is not valid; follow @odata.deltaLink exactly as given"}
	}
	if len(o.OrderBy) > 0 || o.Top != nil || o.Skip != nil || o.Count || o.SkipToken != "" {
		return nil, fault.New(fault.Invalid, "invalid_deltatoken", "a delta read takes only $filter, $select and $expand")
	}
	current, err := s.tenantVersion(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	q := *o
	q.DeltaToken = ""
	changed := &query.Binary{Op: query.OpGt, Left: &query.PathExpr{Path: query.Path{Segments: []string{"version"}}},
		Right: &query.Literal{Kind: query.LitInt, Text: strconv.FormatInt(since, 10)}}
	if q.Filter != nil {
		q.Filter = &query.Binary{Op: query.OpAnd, Left: changed, Right: q.Filter}
	} else {
		q.Filter = changed
	}
	q.OrderBy = []query.OrderItem{{Path: query.Path{Segments: []string{"version"}}}}
	page, err := s.list(ctx, m, e, &q, sc, size)
	if err != nil {
		return nil, err
	}
	// Tombstones from the change log, up to the same page size, of the records the caller could
	// see: the visibility predicate over what the delete kept of each record (its id, owner and
	// queue; see logChangeOf), exactly as over a live row — so a caller never learns the id of
	// a record outside its visibility.
	args := &store.Args{D: s.st.D}
	tq := `SELECT t."id", t."version" FROM (SELECT record_id AS "id", version AS "version", owner_id AS "owner_id", queue_id AS "queue_id",` +
		` entity AS "activity_type" FROM change_log WHERE tenant_id = ` + args.Add(p.TenantID) + ` AND entity = ` + args.Add(e.Name) +
		` AND op = 'd' AND version > ` + args.Add(since) + `) t`
	if sc.Restrict != nil {
		pred, err := sc.Restrict(e, "t", args)
		if err != nil {
			return nil, err
		}
		if pred != "" {
			tq += ` WHERE ` + pred
		}
	}
	rows, err := s.st.DB(ctx).QueryContext(ctx, tq+` ORDER BY t."version" LIMIT `+strconv.Itoa(size+1), args.List...)
	if err != nil {
		return nil, fmt.Errorf("records: delta %s: %w", e.Name, err)
	}
	defer rows.Close()
	type tomb struct {
		id      string
		version int64
	}
	var tombs []tomb
	for rows.Next() {
		var raw any
		var v int64
		if err := rows.Scan(&raw, &v); err != nil {
			return nil, err
		}
		id, err := s.st.D.Decode(e.Attr("id"), raw)
		if err != nil {
			return nil, err
		}
		tombs = append(tombs, tomb{id.(string), v})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Merge both streams by version and cut at the page size.
	var last int64
	full := page.Next != "" || len(tombs) > size
	var recs []*Record
	i, j := 0, 0
	for n := 0; n < size && (i < len(page.Records) || j < len(tombs)); n++ {
		if j >= len(tombs) || (i < len(page.Records) && page.Records[i].Version() < tombs[j].version) {
			recs = append(recs, page.Records[i])
			last = page.Records[i].Version()
			i++
		} else {
			page.Removed = append(page.Removed, tombs[j].id)
			last = tombs[j].version
			j++
		}
	}
	if i < len(page.Records) || j < len(tombs) {
		full = true
	}
	page.Records, page.Next = recs, ""
	if full {
		page.DeltaNext = strconv.FormatInt(last, 10)
	} else {
		page.Delta = strconv.FormatInt(current, 10)
	}
	return page, nil
}
