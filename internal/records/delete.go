package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Delete removes record id of entity. Lookups that point to it are cleared, or the records
// holding them deleted, or the delete refused, as each lookup's on_delete says; activities
// regarding the record are deleted with it; its N:N links are removed. All in one transaction.
func (s *Service) Delete(ctx context.Context, entity, id, ifMatch string) error {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.load(ctx, p, e, id)
		if err != nil {
			return err
		}
		if err := checkETag(ifMatch, cur["version"].(int64)); err != nil {
			return err
		}
		return s.delete(ctx, p, e, cur, 0)
	})
	if err != nil {
		return fmt.Errorf("records: delete %s: %w", entity, err)
	}
	return nil
}

const maxCascadeDepth = 16

// deletingKey marks, in the context of a cascade, a record being deleted: reactions to its
// children's deletion leave it alone.
type deletingKey struct{ entity, id string }

func deleting(ctx context.Context, entity, id string) bool {
	v, _ := ctx.Value(deletingKey{entity, id}).(bool)
	return v
}

func (s *Service) delete(ctx context.Context, p principal.Principal, e *metadata.Entity, cur map[string]any, depth int) error {
	if depth > maxCascadeDepth {
		return fault.New(fault.Conflict, "cascade_too_deep", "the delete cascades through too many levels of related records")
	}
	if err := s.authorize(ctx, OpDelete, e, recordFromMap(e, cur)); err != nil {
		return err
	}
	m, err := s.model(ctx, p)
	if err != nil {
		return err
	}
	id := cur["id"].(string)
	ctx = context.WithValue(ctx, deletingKey{e.Name, id}, true)
	for _, nav := range m.ReferencesTo(e.Name) {
		if nav.To.ReadOnly() {
			continue
		}
		ids, err := s.referencing(ctx, p.TenantID, nav.To, nav.Attr.Name, id)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		switch nav.Attr.DeleteBehaviour() {
		case metadata.OnDeleteRestrict:
			return fault.Newf(fault.Conflict, "in_use", "%d %s record(s) refer to this %s through %s; delete or reassign them first",
				len(ids), nav.To.Name, e.Name, nav.Attr.Name)
		case metadata.OnDeleteCascade:
			for _, cid := range ids {
				if nav.To == e && cid == id {
					continue
				}
				child, err := s.load(ctx, p, nav.To, cid)
				if err != nil {
					return err
				}
				if err := s.delete(ctx, p, nav.To, child, depth+1); err != nil {
					return err
				}
			}
		default:
			for _, cid := range ids {
				if nav.To == e && cid == id {
					continue
				}
				child, err := s.load(ctx, p, nav.To, cid)
				if err != nil {
					return err
				}
				if _, err := s.write(ctx, p, nav.To, child, map[string]any{nav.Attr.Name: nil}); err != nil {
					return err
				}
			}
		}
	}
	// Records regarding this one through a polymorphic lookup (activities) go with it.
	for _, other := range m.Entities() {
		if other.ReadOnly() {
			continue
		}
		for _, a := range other.Lookups() {
			if !a.Polymorphic() {
				continue
			}
			ids, err := s.referencing(ctx, p.TenantID, other, a.Name, id)
			if err != nil {
				return err
			}
			for _, cid := range ids {
				child, err := s.load(ctx, p, other, cid)
				if err != nil {
					return err
				}
				if err := s.delete(ctx, p, other, child, depth+1); err != nil {
					return err
				}
			}
		}
	}
	ph := s.st.D.Placeholder
	for _, r := range m.Relationships() {
		for _, col := range []string{r.Col1(), r.Col2()} {
			if (col == r.Col1() && r.Entity1 != e.Name) || (col == r.Col2() && r.Entity2 != e.Name) {
				continue
			}
			if _, err := s.st.Exec(ctx, `DELETE FROM `+store.Quote(r.Table())+` WHERE "tenant_id" = `+ph(1)+` AND `+store.Quote(col)+` = `+ph(2), p.TenantID, id); err != nil {
				return err
			}
		}
	}
	version, err := s.nextVersion(ctx, p.TenantID)
	if err != nil {
		return err
	}
	for _, t := range []string{e.Table(), e.ExtTable()} {
		if t == "" {
			continue
		}
		if _, err := s.st.Exec(ctx, `DELETE FROM `+store.Quote(t)+` WHERE "tenant_id" = `+ph(1)+` AND "id" = `+ph(2), p.TenantID, id); err != nil {
			return err
		}
	}
	if err := s.logChangeOf(ctx, p, version, e.Name, id, "d", cur); err != nil {
		return err
	}
	if err := s.addCount(ctx, p.TenantID, e, -1); err != nil {
		return err
	}
	return s.changed(ctx, Change{Op: OpDelete, Entity: e, ID: id, Version: version, Before: cur,
		TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()})
}

// referencing returns the ids of records of e whose lookup column col equals id. Ids are unique
// across entities, so polymorphic lookups need no check of their type column.
func (s *Service) referencing(ctx context.Context, tenant string, e *metadata.Entity, col, id string) ([]string, error) {
	ph := s.st.D.Placeholder
	q := `SELECT t."id" FROM ` + store.From(e, "t") + ` WHERE t."tenant_id" = ` + ph(1) + ` AND ` + store.Col("t", e.Attr(col)) + ` = ` + ph(2)
	rows, err := s.st.DB(ctx).QueryContext(ctx, q, tenant, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		v, err := s.st.D.Decode(e.Attr("id"), raw)
		if err != nil {
			return nil, err
		}
		ids = append(ids, v.(string))
	}
	return ids, rows.Err()
}
