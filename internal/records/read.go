package records

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/store"
)

// Page is one page of a collection read.
type Page struct {
	Entity  *metadata.Entity
	Records []*Record
	Count   *int64 // set when $count=true
	// Next is the $skiptoken of the next page ("" on the last page).
	Next string
	// Delta is the $deltatoken to follow for changes after this read (change tracking only);
	// DeltaNext is set instead when a delta read has more changes than fit in the page.
	Delta     string
	DeltaNext string
	// Removed lists ids of records deleted since the delta token (delta reads only).
	Removed []string
	// Aggregated marks $apply results (rows are not records: no id or ETag).
	Aggregated bool
}

// ReadOptions are the parts of a read that come from headers rather than the query string.
type ReadOptions struct {
	PageSize    int  // odata.maxpagesize preference (0: the default)
	TrackChange bool // odata.track-changes preference
	// Collation orders text in $orderby for the reader's language (Accept-Language); the zero
	// value keeps the database's order.
	Collation store.Collation
}

func (s *Service) pageSize(ro ReadOptions) int {
	n := ro.PageSize
	if n <= 0 {
		n = s.DefaultPageSize
	}
	if n > s.MaxPageSize {
		n = s.MaxPageSize
	}
	return n
}

// collation is the reader's collation when the database has it, else the default order.
func (s *Service) collation(ro ReadOptions) store.Collation {
	if s.st.HasCollation(ro.Collation) {
		return ro.Collation
	}
	return store.CollationDefault
}

// List reads a page of records of entity.
func (s *Service) List(ctx context.Context, entity string, o *query.Options, ro ReadOptions) (*Page, error) {
	p, m, e, err := s.readable(ctx, entity)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, OpRead, e, nil); err != nil {
		return nil, err
	}
	sc := s.scope(ctx, p)
	sc.Collation = s.collation(ro)
	size := s.pageSize(ro)
	if len(o.Apply) > 0 {
		return s.apply(ctx, m, e, o, sc, size)
	}
	if o.DeltaToken != "" {
		return s.delta(ctx, p, m, e, o, sc, size)
	}
	var delta string
	if ro.TrackChange {
		// Read the tenant version before the rows: a change committed in between is sent again
		// by the next delta read rather than lost.
		v, err := s.tenantVersion(ctx, p.TenantID)
		if err != nil {
			return nil, err
		}
		delta = strconv.FormatInt(v, 10)
	}
	page, err := s.list(ctx, m, e, o, sc, size)
	if err != nil {
		return nil, err
	}
	page.Delta = delta
	return page, nil
}

func (s *Service) list(ctx context.Context, m *metadata.Model, e *metadata.Entity, o *query.Options, sc query.Scope, size int) (*Page, error) {
	plan, err := query.CompileList(m, s.st.D, e, o, sc, size)
	if err != nil {
		return nil, err
	}
	page := &Page{Entity: e}
	rows, err := s.run(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("records: list %s: %w", e.Name, err)
	}
	// The plan fetches one row more than the page: only that row proves there is a next page.
	// With $top, Remaining is what is left of it after this page; at 0 the $top is served (a
	// token without it would continue without limit).
	if len(rows) > plan.PageSize {
		if o.Unordered {
			return nil, fault.Newf(fault.Invalid, "too_many_matches", "more than %d %s records match; narrow the look-up", plan.PageSize, e.Name)
		}
		rows = rows[:plan.PageSize]
		if o.Top == nil || plan.Remaining > 0 {
			page.Next = query.EncodePageToken(plan.KeysetValues(rows[len(rows)-1]), plan.Remaining)
		}
	}
	page.Records = make([]*Record, len(rows))
	for i, r := range rows {
		page.Records[i] = &Record{Entity: e, Cols: plan.Columns, Vals: r}
	}
	if plan.CountSQL != "" && o.Filter == nil && s.unrestricted(sc, e) {
		n, ok, err := s.storedCount(ctx, sc.TenantID, e.Name)
		if err != nil {
			return nil, fmt.Errorf("records: count %s: %w", e.Name, err)
		}
		if ok {
			page.Count = &n
		}
	}
	if plan.CountSQL != "" && page.Count == nil {
		var n int64
		if err := s.st.QueryRow(ctx, plan.CountSQL, plan.CountArgs...).Scan(&n); err != nil {
			return nil, fmt.Errorf("records: count %s: %w", e.Name, err)
		}
		page.Count = &n
	}
	if err := s.expand(ctx, m, e, o.Expand, page.Records, sc); err != nil {
		return nil, err
	}
	return page, nil
}

// run executes a plan and decodes every row.
func (s *Service) run(ctx context.Context, plan *query.Plan) ([][]any, error) {
	rows, err := s.st.Query(ctx, plan.SQL, plan.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	expect := 64
	if plan.PageSize > 0 && plan.PageSize < expect {
		expect = plan.PageSize + 1
	}
	return s.decodeRows(rows, plan.Columns, expect)
}

// decodeRows scans and decodes every row; expect is how many rows are likely (for allocation).
func (s *Service) decodeRows(rows *sql.Rows, cols []query.Column, expect int) ([][]any, error) {
	out := make([][]any, 0, expect)
	n := len(cols)
	ptrs := make([]any, n)
	var block []any // row values are carved from blocks to save allocations
	for rows.Next() {
		if len(block) < n {
			block = make([]any, n*expect)
		}
		raw := block[:n:n]
		block = block[n:]
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, c := range cols {
			v, err := s.st.D.Decode(c.Attr, raw[i])
			if err != nil {
				return nil, err
			}
			raw[i] = v
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}

// Get reads one record by id with $select and $expand.
func (s *Service) Get(ctx context.Context, entity, id string, o *query.Options) (*Record, error) {
	p, m, e, err := s.readable(ctx, entity)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, OpRead, e, nil); err != nil {
		return nil, err
	}
	if _, err := e.Attr("id").Convert(id); err != nil {
		return nil, fault.Newf(fault.NotFound, "not_found", "%s %s does not exist", e.Name, id)
	}
	if o == nil {
		o = &query.Options{}
	}
	one := 1
	q := &query.Options{Select: o.Select, Expand: o.Expand, Top: &one,
		Filter: &query.Binary{Op: query.OpEq, Left: &query.PathExpr{Path: query.Path{Segments: []string{"id"}}},
			Right: &query.Literal{Kind: query.LitGUID, Text: id}}}
	page, err := s.list(ctx, m, e, q, s.scope(ctx, p), 1)
	if err != nil {
		return nil, err
	}
	if len(page.Records) == 0 {
		return nil, fault.Newf(fault.NotFound, "not_found", "%s %s does not exist", e.Name, id)
	}
	return page.Records[0], nil
}

func (s *Service) tenantVersion(ctx context.Context, tenant string) (int64, error) {
	var v int64
	err := s.st.DB(ctx).QueryRowContext(ctx, `SELECT version FROM tenant WHERE id = `+s.st.D.Placeholder(1), tenant).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("records: tenant version: %w", err)
	}
	return v, nil
}

// apply reads aggregated rows; paging is by offset, carried in the token.
func (s *Service) apply(ctx context.Context, m *metadata.Model, e *metadata.Entity, o *query.Options, sc query.Scope, size int) (*Page, error) {
	skip := 0
	if o.SkipToken != "" {
		n, err := strconv.Atoi(o.SkipToken)
		if err != nil || n < 0 {
			return nil, &fault.Error{Kind: fault.Invalid, Code: "invalid_skiptoken", Target: "$skiptoken", Message: "the paging token is not valid"}
		}
		skip = n
	}
	plan, err := query.CompileApply(m, s.st.D, e, o, sc, size, skip)
	if err != nil {
		return nil, err
	}
	rows, err := s.run(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("records: apply %s: %w", e.Name, err)
	}
	page := &Page{Entity: e, Aggregated: true}
	if len(rows) > plan.PageSize {
		rows = rows[:plan.PageSize]
		start := skip
		if start == 0 && o.Skip != nil {
			start = *o.Skip
		}
		page.Next = strconv.Itoa(start + plan.PageSize)
	}
	for _, r := range rows {
		page.Records = append(page.Records, &Record{Entity: e, Cols: plan.Columns, Vals: r})
	}
	return page, nil
}

// Related reads the records reached from record id of entity through navigation nav.
func (s *Service) Related(ctx context.Context, entity, id, navName string, o *query.Options, ro ReadOptions) (*Page, *metadata.Nav, error) {
	p, m, e, err := s.readable(ctx, entity)
	if err != nil {
		return nil, nil, err
	}
	nav := m.Nav(e, navName)
	if nav == nil {
		return nil, nil, fault.Newf(fault.NotFound, "unknown_navigation", "%s is not a navigation property of %s", navName, e.Name)
	}
	parent, err := s.Get(ctx, entity, id, &query.Options{})
	if err != nil {
		return nil, nil, err
	}
	var cond query.Expr
	switch nav.Kind {
	case metadata.NavManyToOne:
		target, _ := parent.Get(nav.Attr.Name).(string)
		if target == "" {
			return &Page{Entity: nav.To}, nav, nil
		}
		cond = idEquals([]string{"id"}, target)
	case metadata.NavOneToMany:
		cond = idEquals([]string{nav.Attr.Name}, id)
	case metadata.NavManyToMany:
		back := nav.Rel.Nav2
		if nav.FromCol == nav.Rel.Col2() {
			back = nav.Rel.Nav1
		}
		cond = &query.Lambda{Collection: query.Path{Segments: []string{back}}, Any: true, Var: "r",
			Predicate: idEquals([]string{"r", "id"}, id)}
	}
	q := *o
	if q.Filter != nil {
		q.Filter = &query.Binary{Op: query.OpAnd, Left: cond, Right: q.Filter}
	} else {
		q.Filter = cond
	}
	if len(q.Apply) > 0 {
		return nil, nil, fault.New(fault.Invalid, "invalid_apply", "$apply is not supported on navigation paths; use the entity set with filter(…)")
	}
	sc := s.scope(ctx, p)
	sc.Collation = s.collation(ro)
	page, err := s.list(ctx, m, nav.To, &q, sc, s.pageSize(ro))
	return page, nav, err
}

func idEquals(path []string, id string) query.Expr {
	return &query.Binary{Op: query.OpEq, Left: &query.PathExpr{Path: query.Path{Segments: path}},
		Right: &query.Literal{Kind: query.LitGUID, Text: id}}
}

var _ = principal.From

// unrestricted reports whether the caller sees every row of e (no visibility predicate), so
// that the stored row count answers an unfiltered $count.
func (s *Service) unrestricted(sc query.Scope, e *metadata.Entity) bool {
	if sc.Restrict == nil {
		return true
	}
	pred, err := sc.Restrict(e, "t", &store.Args{D: s.st.D})
	return err == nil && pred == ""
}

// CanRead reports, as an error of kind Permission or NotFound, whether the caller may read some
// records of entity (the check List makes before reading).
func (s *Service) CanRead(ctx context.Context, entity string) error {
	return s.Can(ctx, OpRead, entity)
}

// Can reports, as an error of kind Permission or NotFound, whether the caller holds op's
// privilege on entity at some depth: what work on many records (a list, an import) checks
// before it starts. Each record is still checked when it is written.
func (s *Service) Can(ctx context.Context, op Op, entity string) error {
	_, _, e, err := s.readable(ctx, entity)
	if err != nil {
		return err
	}
	return s.authorize(ctx, op, e, nil)
}

// GetMany reads the records ids of entity through the read path (the caller's visibility and
// field security), by id; those the caller may not read are absent.
func (s *Service) GetMany(ctx context.Context, entity string, ids []string) (map[string]*Record, error) {
	out := make(map[string]*Record, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(len(ids), start+chunk)]
		page, err := s.List(ctx, entity, &query.Options{Filter: query.IDIn(part), Unordered: true}, ReadOptions{PageSize: len(part)})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			out[r.ID()] = r
		}
	}
	return out, nil
}
