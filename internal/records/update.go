package records

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// ETag returns the weak ETag of a record version.
func ETag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// CheckETag compares an If-Match header value with a record's version, as writes do.
func CheckETag(ifMatch string, version int64) error { return checkETag(ifMatch, version) }

// checkETag compares an If-Match header value with the stored version ("" and "*" match any).
func checkETag(ifMatch string, version int64) error {
	if ifMatch == "" || ifMatch == "*" {
		return nil
	}
	for _, tag := range strings.Split(ifMatch, ",") {
		if strings.TrimSpace(tag) == ETag(version) {
			return nil
		}
	}
	return &fault.Error{Kind: fault.PreconditionFailed, Code: "etag_mismatch",
		Message: "the record was changed by someone else since you read it (now " + ETag(version) + "); read it again and retry"}
}

// load reads every column of one visible record of e for writing (locked on PostgreSQL).
func (s *Service) load(ctx context.Context, p principal.Principal, e *metadata.Entity, id string) (map[string]any, error) {
	return s.loadWith(ctx, p, e, id, true)
}

// loadWith is load, with or without the caller's visibility.
func (s *Service) loadWith(ctx context.Context, p principal.Principal, e *metadata.Entity, id string, scoped bool) (map[string]any, error) {
	canon, err := (&metadata.Attribute{Name: "id", Type: metadata.TypeGUID}).Convert(id)
	if err != nil {
		return nil, fault.Newf(fault.NotFound, "not_found", "%s %s does not exist", e.Name, id)
	}
	// Ids are compared as text on SQLite: the canonical form finds the record in both dialects.
	id = canon.(string)
	cols := e.Columns()
	names := make([]string, len(cols))
	for i, a := range cols {
		names[i] = store.Col("t", a)
	}
	args := &store.Args{D: s.st.D}
	where := `t."tenant_id" = ` + args.Add(p.TenantID) + ` AND t."id" = ` + args.Add(id)
	if sc := s.scope(ctx, p); scoped && sc.Restrict != nil {
		extra, err := sc.Restrict(e, "t", args)
		if err != nil {
			return nil, err
		}
		if extra != "" {
			where += " AND (" + extra + ")"
		}
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + store.From(e, "t") + " WHERE " + where
	if s.st.D.Name() == "postgres" && store.InTx(ctx) {
		q += " FOR UPDATE OF t" // the record's row; its extension row may not exist
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := s.st.DB(ctx).QueryRowContext(ctx, q, args.List...).Scan(ptrs...); err != nil {
		if isNoRows(err) {
			return nil, fault.Newf(fault.NotFound, "not_found", "%s %s does not exist", e.Name, id)
		}
		return nil, fmt.Errorf("records: load %s: %w", e.Name, err)
	}
	out := make(map[string]any, len(cols))
	for i, a := range cols {
		v, err := s.st.D.Decode(a, raw[i])
		if err != nil {
			return nil, err
		}
		out[a.Name] = v
	}
	return out, nil
}

func recordFromMap(e *metadata.Entity, vals map[string]any) *Record {
	cols := e.Columns()
	r := &Record{Entity: e, Vals: make([]any, len(cols))}
	for i, a := range cols {
		r.Cols = append(r.Cols, colOf(a))
		r.Vals[i] = vals[a.Name]
	}
	return r
}

// Update applies a partial update to record id of entity. ifMatch is the If-Match header.
func (s *Service) Update(ctx context.Context, entity, id string, in Input, ifMatch string) (*Record, error) {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	var rec *Record
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.load(ctx, p, e, id)
		if err != nil {
			return err
		}
		if err := checkETag(ifMatch, cur["version"].(int64)); err != nil {
			return err
		}
		rec, err = s.update(ctx, p, e, cur, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("records: update %s: %w", entity, err)
	}
	return s.redact(ctx, rec), nil
}

// update validates in against the current row and writes the change. It runs in a transaction.
func (s *Service) update(ctx context.Context, p principal.Principal, e *metadata.Entity, cur map[string]any, in Input) (*Record, error) {
	m, err := s.model(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, OpUpdate, e, recordFromMap(e, cur)); err != nil {
		return nil, err
	}
	if err := s.checkClosed(ctx, e, cur); err != nil {
		return nil, err
	}
	vals, err := s.prepare(ctx, m, e, in, cur)
	if err != nil {
		return nil, err
	}
	if err := s.derive(ctx, e, vals, cur); err != nil {
		return nil, err
	}
	if err := s.checkLookups(ctx, m, e, p.TenantID, vals); err != nil {
		return nil, err
	}
	return s.write(ctx, p, e, cur, vals)
}

// write stores vals over the current row cur: version, change log, audit.
func (s *Service) write(ctx context.Context, p principal.Principal, e *metadata.Entity, cur, vals map[string]any) (*Record, error) {
	return s.writeAs(ctx, p, e, cur, vals, OpUpdate)
}

// writeAs is write for an operation other than a plain update (assign), as the audit sees it.
func (s *Service) writeAs(ctx context.Context, p principal.Principal, e *metadata.Entity, cur, vals map[string]any, op Op) (*Record, error) {
	version, err := s.nextVersion(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC().Truncate(1000)
	vals["version"], vals["modified_at"], vals["modified_by"] = version, now, nullable(p.UserID)
	args := &store.Args{D: s.st.D}
	var sets []string
	after := make(map[string]any, len(cur))
	for k, v := range cur {
		after[k] = v
	}
	ext := false
	for _, a := range e.Columns() {
		v, ok := vals[a.Name]
		if !ok {
			continue
		}
		after[a.Name] = v
		if a.Ext {
			ext = true
			continue
		}
		sets = append(sets, store.Quote(a.Name)+" = "+args.Add(s.st.D.Encode(a, v)))
	}
	id := cur["id"].(string)
	q := "UPDATE " + store.Quote(e.Table()) + " SET " + strings.Join(sets, ", ") +
		` WHERE "tenant_id" = ` + args.Add(p.TenantID) + ` AND "id" = ` + args.Add(id)
	if _, err := s.st.Exec(ctx, q, args.List...); err != nil {
		return nil, s.writeError(e, err)
	}
	if ext {
		if err := s.writeExt(ctx, p.TenantID, e, id, vals); err != nil {
			return nil, err
		}
	}
	if err := s.logChange(ctx, p, version, e.Name, id, "u"); err != nil {
		return nil, err
	}
	if err := s.changed(ctx, Change{Op: op, Entity: e, ID: id, Version: version, Before: cur, After: after,
		TenantID: p.TenantID, UserID: p.UserID, At: now}); err != nil {
		return nil, err
	}
	return recordFromMap(e, after), nil
}

// Upsert updates the record of entity whose alternate key has the values in key, or creates
// it (with the key values) when there is none. ifMatch "*" forbids creating, ifNoneMatch "*"
// forbids updating. It reports whether the record was created.
func (s *Service) Upsert(ctx context.Context, entity string, key map[string]string, in Input, ifMatch, ifNoneMatch string) (*Record, bool, error) {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, false, err
	}
	keyVals, err := s.keyValues(e, key)
	if err != nil {
		return nil, false, err
	}
	var rec *Record
	created := false
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		id, err := s.findByKey(ctx, p, e, keyVals)
		if err != nil {
			return err
		}
		if id == "" {
			if ifMatch != "" {
				return fault.New(fault.NotFound, "not_found", "no "+e.Name+" has this key (If-Match was given, so it is not created)")
			}
			body := Input{}
			for k, v := range in {
				body[k] = v
			}
			for name, v := range keyVals {
				if given, ok := body[name]; ok && given != nil && fmt.Sprint(given) != fmt.Sprint(e.Attr(name).JSONValue(v)) {
					return fault.Field(name, "key_mismatch", "the body sets %s to a different value than the key in the URL", name)
				}
				body[name] = e.Attr(name).JSONValue(v)
			}
			if err := s.authorize(ctx, OpCreate, e, nil); err != nil {
				return err
			}
			rec, err = s.create(ctx, p, m, e, body)
			created = true
			return err
		}
		if ifNoneMatch == "*" {
			return fault.New(fault.PreconditionFailed, "already_exists", "a "+e.Name+" with this key exists (If-None-Match: * forbids updating it)")
		}
		cur, err := s.load(ctx, p, e, id)
		if err != nil {
			return err
		}
		if err := checkETag(ifMatch, cur["version"].(int64)); err != nil {
			return err
		}
		rec, err = s.update(ctx, p, e, cur, in)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("records: upsert %s: %w", entity, err)
	}
	return s.redact(ctx, rec), created, nil
}

// keyValues converts URL key values (already unquoted) to typed values and checks that they
// form one of the entity's alternate keys.
func (s *Service) keyValues(e *metadata.Entity, key map[string]string) (map[string]any, error) {
	for _, k := range e.AlternateKeys {
		if len(k.Attributes) != len(key) {
			continue
		}
		out := map[string]any{}
		for _, name := range k.Attributes {
			raw, ok := key[name]
			if !ok {
				break
			}
			a := e.Attr(name)
			var in any = raw
			if a.Type == metadata.TypeInteger {
				in = jsonNumber(raw)
			}
			v, err := a.Convert(in)
			if err != nil {
				return nil, fault.Field(name, "invalid_key", "%s: %v", name, err)
			}
			out[name] = v
		}
		if len(out) == len(k.Attributes) {
			return out, nil
		}
	}
	var names []string
	for _, k := range e.AlternateKeys {
		names = append(names, "("+strings.Join(k.Attributes, ",")+")")
	}
	if len(names) == 0 {
		return nil, fault.Newf(fault.Invalid, "invalid_key", "%s has no alternate key", e.Name)
	}
	return nil, fault.Newf(fault.Invalid, "invalid_key", "the key does not match an alternate key of %s: %s", e.Name, strings.Join(names, " or "))
}

// findByKey returns the id of the visible record with the alternate key values, or "".
func (s *Service) findByKey(ctx context.Context, p principal.Principal, e *metadata.Entity, keyVals map[string]any) (string, error) {
	args := &store.Args{D: s.st.D}
	conds := []string{`t."tenant_id" = ` + args.Add(p.TenantID)}
	for name, v := range keyVals {
		conds = append(conds, store.Col("t", e.Attr(name))+" = "+args.Add(s.st.D.Encode(e.Attr(name), v)))
	}
	var id any
	err := s.st.DB(ctx).QueryRowContext(ctx, `SELECT t."id" FROM `+store.From(e, "t")+` WHERE `+strings.Join(conds, " AND "), args.List...).Scan(&id)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	v, err := s.st.D.Decode(e.Attr("id"), id)
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// IDByKey returns the id of the visible record of entity with the alternate key values (as
// written in a URL), or a NotFound error.
func (s *Service) IDByKey(ctx context.Context, entity string, key map[string]string) (string, error) {
	p, _, e, err := s.readable(ctx, entity)
	if err != nil {
		return "", err
	}
	keyVals, err := s.keyValues(e, key)
	if err != nil {
		return "", err
	}
	id, err := s.findByKey(ctx, p, e, keyVals)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", fault.Newf(fault.NotFound, "not_found", "no %s has this key", e.Name)
	}
	return id, nil
}

// jsonNumber wraps key text so that integer attributes convert it like a JSON number.
func jsonNumber(s string) any { return json.Number(s) }
