package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/store"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func sortFaults(fs []*fault.Error) []*fault.Error {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Target < fs[j].Target })
	return fs
}

// nextVersion bumps the tenant's version and returns it. The tenant row stays locked until the
// transaction ends, so versions become visible in the order they were handed out.
func (s *Service) nextVersion(ctx context.Context, tenant string) (int64, error) {
	var v int64
	err := s.st.DB(ctx).QueryRowContext(ctx, `UPDATE tenant SET version = version + 1 WHERE id = `+s.st.D.Placeholder(1)+` RETURNING version`, tenant).Scan(&v)
	if err != nil {
		if isNoRows(err) {
			return 0, fault.Newf(fault.NotFound, "unknown_tenant", "tenant %s does not exist", tenant)
		}
		return 0, fmt.Errorf("records: version: %w", err)
	}
	return v, nil
}

func (s *Service) logChange(ctx context.Context, p principal.Principal, version int64, entity, id, op string) error {
	return s.logChangeOf(ctx, p, version, entity, id, op, nil)
}

// logChangeOf appends to the change log; for a delete, vis holds the deleted record's values, of
// which the row keeps the owner and queue: what the visibility predicate reads of a record
// besides its id, so that delta reads report the deletion only to callers who could see it.
func (s *Service) logChangeOf(ctx context.Context, p principal.Principal, version int64, entity, id, op string, vis map[string]any) error {
	ph := s.st.D.Placeholder
	_, err := s.st.Exec(ctx, `INSERT INTO change_log (tenant_id, version, entity, record_id, op, changed_at, changed_by, owner_id, queue_id) VALUES (`+
		ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`, `+ph(6)+`, `+ph(7)+`, `+ph(8)+`, `+ph(9)+`)`,
		p.TenantID, version, entity, id, op, s.st.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, s.clock()), nullable(p.UserID),
		idOrNil(vis["owner_id"]), idOrNil(vis["queue_id"]))
	if err != nil {
		return fmt.Errorf("records: change log: %w", err)
	}
	return nil
}

// idOrNil is v when it is an id, else NULL.
func idOrNil(v any) any {
	if id, ok := v.(string); ok && id != "" {
		return id
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Create validates in and inserts a record of entity, returning it as stored.
func (s *Service) Create(ctx context.Context, entity string, in Input) (*Record, error) {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	var rec *Record
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.authorize(ctx, OpCreate, e, nil); err != nil {
			return err
		}
		var err error
		if rec, err = s.create(ctx, p, m, e, in); err != nil || !s.reacts(e.Name) {
			return err
		}
		// A React hook of the entity may have written the new record again (routing rules
		// assign it): answer with the record as stored.
		cur, err := s.loadUnscoped(ctx, p, e, rec.ID())
		if err == nil {
			rec = recordFromMap(e, cur)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("records: create %s: %w", entity, err)
	}
	return s.redact(ctx, rec), nil
}

// create validates in and inserts it (after authorization). It runs in a transaction.
func (s *Service) create(ctx context.Context, p principal.Principal, m *metadata.Model, e *metadata.Entity, in Input) (*Record, error) {
	vals, err := s.validNew(ctx, p, m, e, in)
	if err != nil {
		return nil, err
	}
	return s.insert(ctx, p, e, vals)
}

// validNew validates a new record's input, runs the entity's hooks and checks its lookups.
func (s *Service) validNew(ctx context.Context, p principal.Principal, m *metadata.Model, e *metadata.Entity, in Input) (map[string]any, error) {
	vals, err := s.prepare(ctx, m, e, in, nil)
	if err != nil {
		return nil, err
	}
	if err := s.derive(ctx, e, vals, nil); err != nil {
		return nil, err
	}
	if err := s.checkLookups(ctx, m, e, p.TenantID, vals); err != nil {
		return nil, err
	}
	return vals, nil
}

// stampNew sets the system columns and autonumbers of a new record.
func (s *Service) stampNew(ctx context.Context, p principal.Principal, e *metadata.Entity, vals map[string]any, version int64, now time.Time) error {
	if _, ok := vals["id"]; !ok {
		vals["id"] = s.newID()
	}
	if _, ok := vals["owner_id"]; !ok && p.UserID != "" {
		vals["owner_id"] = p.UserID
	}
	vals["version"], vals["created_at"], vals["modified_at"] = version, now, now
	vals["created_by"], vals["modified_by"] = nullable(p.UserID), nullable(p.UserID)
	for _, a := range e.Attributes {
		if a.Type == metadata.TypeAutonumber {
			n, err := s.nextNumber(ctx, p.TenantID, e.Name, a.Name)
			if err != nil {
				return err
			}
			vals[a.Name] = formatAutonumber(a.Format, n, now)
		}
	}
	return nil
}

// insert writes a validated row: version, change log, audit. It must run in a transaction.
func (s *Service) insert(ctx context.Context, p principal.Principal, e *metadata.Entity, vals map[string]any) (*Record, error) {
	version, err := s.nextVersion(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC().Truncate(1000)
	_, ownerGiven := vals["owner_id"]
	if err := s.stampNew(ctx, p, e, vals, version, now); err != nil {
		return nil, err
	}
	cols := e.Columns()
	names := []string{`"tenant_id"`}
	args := &store.Args{D: s.st.D}
	ph := []string{args.Add(p.TenantID)}
	rec := &Record{Entity: e, Vals: make([]any, 0, len(cols))}
	ext := false
	for _, a := range cols {
		v := vals[a.Name]
		rec.Cols = append(rec.Cols, colOf(a))
		rec.Vals = append(rec.Vals, v)
		if v == nil {
			continue
		}
		if a.Ext {
			ext = true
			continue
		}
		names = append(names, store.Quote(a.Name))
		ph = append(ph, args.Add(s.st.D.Encode(a, v)))
	}
	_, err = s.st.Exec(ctx, "INSERT INTO "+store.Quote(e.Table())+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(ph, ", ")+")", args.List...)
	if err != nil {
		return nil, s.writeError(e, err)
	}
	id := vals["id"].(string)
	if ext {
		if err := s.writeExt(ctx, p.TenantID, e, id, vals); err != nil {
			return nil, err
		}
	}
	if err := s.logChange(ctx, p, version, e.Name, id, "c"); err != nil {
		return nil, err
	}
	if err := s.addCount(ctx, p.TenantID, e, 1); err != nil {
		return nil, err
	}
	if err := s.changed(ctx, Change{Op: OpCreate, Entity: e, ID: id, Version: version, After: vals,
		TenantID: p.TenantID, UserID: p.UserID, At: now, OwnerGiven: ownerGiven}); err != nil {
		return nil, err
	}
	return rec, nil
}

// writeExt stores the values in vals of e's extension attributes (a tenant's custom attributes of
// a system entity) for record id: its extension table has a row for each record given a value in
// one of them, inserted or updated here.
func (s *Service) writeExt(ctx context.Context, tenant string, e *metadata.Entity, id string, vals map[string]any) error {
	args := &store.Args{D: s.st.D}
	names := []string{`"tenant_id"`, `"id"`}
	ph := []string{args.Add(tenant), args.Add(id)}
	var sets []string
	for _, a := range e.Columns() {
		v, ok := vals[a.Name]
		if !ok || !a.Ext {
			continue
		}
		c := store.Quote(a.Name)
		names = append(names, c)
		ph = append(ph, args.Add(s.st.D.Encode(a, v)))
		sets = append(sets, c+" = excluded."+c)
	}
	if len(sets) == 0 {
		return nil
	}
	q := "INSERT INTO " + store.Quote(e.ExtTable()) + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(ph, ", ") +
		`) ON CONFLICT ("tenant_id", "id") DO UPDATE SET ` + strings.Join(sets, ", ")
	if _, err := s.st.Exec(ctx, q, args.List...); err != nil {
		return s.writeError(e, err)
	}
	return nil
}

// writeError classifies a database error of a write to e.
func (s *Service) writeError(e *metadata.Entity, err error) error {
	if !s.st.D.IsUniqueViolation(err) {
		return err
	}
	msg := err.Error()
	for _, k := range e.AlternateKeys {
		if strings.Contains(msg, store.IndexName("ak", e.Table(), k.Name)) || containsCols(msg, e.Table(), k.Attributes) {
			return &fault.Error{Kind: fault.Conflict, Code: "duplicate_key", Target: k.Attributes[0], Err: err,
				Message: fmt.Sprintf("another %s already has this %s", e.Name, strings.Join(k.Attributes, ", "))}
		}
	}
	for _, a := range e.Attributes {
		t := e.Table()
		if a.Ext {
			t = e.ExtTable()
		}
		if a.Unique && (strings.Contains(msg, store.IndexName("uq", t, a.Name)) || containsCols(msg, t, []string{a.Name})) {
			return &fault.Error{Kind: fault.Conflict, Code: "duplicate_key", Target: a.Name, Err: err,
				Message: fmt.Sprintf("another %s already has this %s", e.Name, a.Name)}
		}
	}
	if strings.Contains(msg, "PRIMARY") || strings.Contains(msg, "_pkey") || containsCols(msg, e.Table(), []string{"id"}) {
		return &fault.Error{Kind: fault.Conflict, Code: "duplicate_key", Target: "id", Err: err, Message: "a record with this id already exists"}
	}
	return &fault.Error{Kind: fault.Conflict, Code: "duplicate_key", Err: err, Message: "the record duplicates a unique value"}
}

// containsCols matches SQLite's "UNIQUE constraint failed: t.tenant_id, t.col" message.
func containsCols(msg, table string, cols []string) bool {
	parts := []string{table + ".tenant_id"}
	for _, c := range cols {
		parts = append(parts, table+"."+c)
	}
	return strings.HasSuffix(msg, strings.Join(parts, ", ")) || strings.Contains(msg, strings.Join(parts, ", ")+" ")
}

func colOf(a *metadata.Attribute) query.Column { return query.Column{Name: a.Name, Attr: a} }

var seqRE = regexp.MustCompile(`\{seq(?::(\d+))?\}`)

func formatAutonumber(format string, n int64, now interface{ Year() int }) string {
	out := seqRE.ReplaceAllStringFunc(format, func(m string) string {
		width := 0
		if sub := seqRE.FindStringSubmatch(m); sub[1] != "" {
			width, _ = strconv.Atoi(sub[1])
		}
		return fmt.Sprintf("%0*d", width, n)
	})
	return strings.ReplaceAll(out, "{yyyy}", strconv.Itoa(now.Year()))
}

// nextNumber hands out the next autonumber of an attribute in the tenant.
func (s *Service) nextNumber(ctx context.Context, tenant, entity, attr string) (int64, error) {
	ph := s.st.D.Placeholder
	var n int64
	err := s.st.DB(ctx).QueryRowContext(ctx, `UPDATE autonumber SET next_value = next_value + 1 WHERE tenant_id = `+ph(1)+
		` AND entity = `+ph(2)+` AND attribute = `+ph(3)+` RETURNING next_value - 1`, tenant, entity, attr).Scan(&n)
	if isNoRows(err) {
		_, err = s.st.Exec(ctx, `INSERT INTO autonumber (tenant_id, entity, attribute, next_value) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, 2)`, tenant, entity, attr)
		return 1, err
	}
	return n, err
}
