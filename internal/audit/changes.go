package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

var _ records.Auditor = (*Service)(nil)

var _ records.BatchAuditor = (*Service)(nil)

var _ records.StagedAuditor = (*Service)(nil)

// Audit records a change of the records service; it runs inside the writing transaction, so the
// entry commits or rolls back with the change (records.Auditor).
func (s *Service) Audit(ctx context.Context, c records.Change) error {
	e, err := entryOf(ctx, c)
	if err != nil {
		return err
	}
	if err := s.append(ctx, e); err != nil {
		return fmt.Errorf("audit: %s %s %s: %w", e.Action, e.Entity, c.ID, err)
	}
	return nil
}

// AuditBatch records the changes of one bulk write in order, with one update of the chain head
// and one bulk insert per tenant (records.BatchAuditor).
func (s *Service) AuditBatch(ctx context.Context, cs []records.Change) error {
	es := make([]*Entry, len(cs))
	for i, c := range cs {
		e, err := entryOf(ctx, c)
		if err != nil {
			return err
		}
		es[i] = e
	}
	if err := s.appendMany(ctx, es); err != nil {
		return fmt.Errorf("audit: %d changes: %w", len(cs), err)
	}
	return nil
}

// StageBatch is AuditBatch in stages (records.StagedAuditor): the chain's seqs are reserved
// first, in the transaction; the entries are built, encoded and hashed while the bulk write
// inserts its rows; then they are written after them.
func (s *Service) StageBatch(ctx context.Context, cs []records.Change) (records.Compute, error) {
	p, _ := principal.From(ctx)
	tenants := make([]string, len(cs))
	for i, c := range cs {
		t := c.TenantID
		if t == "" {
			t = p.TenantID
		}
		tid, err := canonicalID(t)
		if err != nil || tid == "" {
			return nil, fault.Newf(fault.Invalid, "invalid_tenant", "audit: tenant %q is not a tenant id", t)
		}
		tenants[i] = tid
	}
	runs, err := s.reserveRuns(ctx, tenants)
	if err != nil {
		return nil, fmt.Errorf("audit: %d changes: %w", len(cs), err)
	}
	// The compute stage sees the caller and the request's origin, not the transaction.
	vctx := principal.WithOrigin(principal.With(context.Background(), p), principal.OriginFrom(ctx))
	return func() (records.Write, error) {
		es := make([]*Entry, len(cs))
		for i, c := range cs {
			e, err := entryOf(vctx, c)
			if err != nil {
				return nil, err
			}
			if err := s.prepare(vctx, e); err != nil {
				return nil, fmt.Errorf("audit: %d changes: %w", len(cs), err)
			}
			es[i] = e
		}
		rows, err := s.chain(runs, es)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			if err := s.insertRuns(ctx, runs, rows); err != nil {
				return fmt.Errorf("audit: %d changes: %w", len(cs), err)
			}
			return nil
		}, nil
	}, nil
}

// entryOf builds the entry of a records change.
func entryOf(ctx context.Context, c records.Change) (*Entry, error) {
	p, _ := principal.From(ctx)
	e := &Entry{TenantID: c.TenantID, At: c.At, Action: actionOf(c.Op), RecordID: c.ID, RecordVersion: c.Version,
		UserID: c.UserID, UserName: p.Name, Method: p.Method}
	if e.TenantID == "" {
		e.TenantID = p.TenantID
	}
	if e.UserID == "" {
		e.UserID = p.UserID
	}
	if c.Entity != nil {
		e.Entity = c.Entity.Name
	}
	ch, err := changesOf(e.Action, c)
	if err != nil {
		return nil, fmt.Errorf("audit: %s %s: %w", e.Action, e.Entity, err)
	}
	e.Changes = ch
	return e, nil
}

// actionOf names the audit action of a records operation.
func actionOf(op records.Op) string {
	switch op {
	case records.OpAppend:
		return ActionAssociate
	case "":
		return ActionUpdate
	}
	return string(op)
}

// bookkeeping are the columns every write sets; the entry's own time, user and record version
// already say what they would.
var bookkeeping = map[string]bool{"version": true, "modified_at": true, "modified_by": true}

// createdBookkeeping are, in addition, the columns a create stamps.
var createdBookkeeping = map[string]bool{"created_at": true, "created_by": true}

// changesOf says what a change did, as JSON:
//   - create: the new record's non-null values (without the bookkeeping columns);
//   - update (and assign, or any change with a before and an after): only the fields whose value
//     changed, as {"field": {"old": …, "new": …}};
//   - delete: every non-null value the record had, so that it could be rebuilt;
//   - associate, disassociate (and changes naming a related record): {"relationship": …,
//     "related_id": …}; share and unshare: {"principal_id": …, "principal_type": …} — with the
//     fields above when the change has values too (a share's rights and expiry).
//
// Values are in their API form (decimals as exact numbers, times in RFC 3339 UTC).
func changesOf(action string, c records.Change) (json.RawMessage, error) {
	out := map[string]any{}
	switch {
	case c.Before != nil && c.After != nil:
		for k, d := range diff(c.Entity, c.Before, c.After) {
			out[k] = d
		}
	case c.After != nil && action == ActionCreate:
		// A create names the record (its primary name) but does not copy its values: they are
		// the record's first version, which the later entries can always restore — every update
		// keeps the old value of each field it changes and a delete keeps all of them. Copying
		// them would make bulk loads write every value twice more (a third of an import's time).
		if c.Entity != nil && c.Entity.PrimaryName != "" {
			if v := c.After[c.Entity.PrimaryName]; v != nil {
				out[c.Entity.PrimaryName] = jsonValue(c.Entity, c.Entity.PrimaryName, v)
			}
		}
	case c.After != nil:
		for k, v := range c.After {
			if v != nil && !bookkeeping[k] && !createdBookkeeping[k] {
				out[k] = jsonValue(c.Entity, k, v)
			}
		}
	case c.Before != nil:
		for k, v := range c.Before {
			if v != nil {
				out[k] = jsonValue(c.Entity, k, v)
			}
		}
	}
	if c.Related != "" {
		kind, id, ok := strings.Cut(c.Related, ":")
		switch {
		case action == ActionShare || action == ActionUnshare:
			// "user:<id>", "team:<id>", "access_team:<template>:<user>" or just the id: whom the
			// record is shared with.
			if !ok {
				kind, id = "", c.Related
			}
			if tpl, user, two := strings.Cut(id, ":"); two && kind == "access_team" {
				out["template_id"], id = tpl, user
			}
			out["principal_id"] = id
			if kind != "" {
				out["principal_type"] = kind
			}
		case ok:
			out["relationship"], out["related_id"] = kind, id
		default:
			out["related"] = c.Related
		}
	}
	if len(out) == 0 && action != ActionUpdate {
		return nil, nil
	}
	return marshal(out)
}

// change is one changed field of an update.
type change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// diff returns the fields whose API value differs between before and after.
func diff(e *metadata.Entity, before, after map[string]any) map[string]change {
	out := map[string]change{}
	seen := map[string]bool{}
	check := func(k string) {
		if seen[k] || bookkeeping[k] {
			return
		}
		seen[k] = true
		o, n := jsonValue(e, k, before[k]), jsonValue(e, k, after[k])
		ob, err1 := json.Marshal(o)
		nb, err2 := json.Marshal(n)
		if err1 != nil || err2 != nil || !bytes.Equal(ob, nb) {
			out[k] = change{Old: o, New: n}
		}
	}
	for k := range after {
		check(k)
	}
	for k := range before {
		check(k)
	}
	return out
}

// jsonValue returns the API form of field k's value.
func jsonValue(e *metadata.Entity, k string, v any) any {
	if v == nil {
		return nil
	}
	if e != nil {
		if a := e.Attr(k); a != nil {
			return a.JSONValue(v)
		}
	}
	return v
}
