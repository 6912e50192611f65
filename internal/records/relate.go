package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Associate links record id of entity with record relatedID through the navigation navName.
// For N:N navigations it adds an intersect row; for one-to-many ones it sets the related
// record's lookup. Linking twice is not an error.
func (s *Service) Associate(ctx context.Context, entity, id, navName, relatedID string) error {
	return s.relate(ctx, entity, id, navName, relatedID, true)
}

// Disassociate removes the link made by Associate.
func (s *Service) Disassociate(ctx context.Context, entity, id, navName, relatedID string) error {
	return s.relate(ctx, entity, id, navName, relatedID, false)
}

func (s *Service) relate(ctx context.Context, entity, id, navName, relatedID string, link bool) error {
	p, m, e, err := s.readable(ctx, entity)
	if err != nil {
		return err
	}
	nav := m.Nav(e, navName)
	if nav == nil || nav.Kind == metadata.NavManyToOne {
		return fault.Newf(fault.Invalid, "invalid_navigation", "%s is not a collection navigation of %s; set the lookup with PATCH instead", navName, e.Name)
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.load(ctx, p, e, id)
		if err != nil {
			return err
		}
		other, err := s.load(ctx, p, nav.To, relatedID)
		if err != nil {
			return err
		}
		// The stored (canonical) ids, not the ones given: they are written into lookups and links.
		id, relatedID := cur["id"].(string), other["id"].(string)
		// A relationship write changes the record: it needs write as well as append on it, and
		// append-to on the target.
		for _, op := range []Op{OpAppend, OpUpdate} {
			if err := s.authorize(ctx, op, e, recordFromMap(e, cur)); err != nil {
				return err
			}
		}
		if err := s.authorize(ctx, OpAppendTo, nav.To, recordFromMap(nav.To, other)); err != nil {
			return err
		}
		if nav.Kind == metadata.NavOneToMany {
			if !link {
				if v, _ := other[nav.Attr.Name].(string); v != id {
					return fault.Newf(fault.NotFound, "not_linked", "%s %s is not linked to this %s", nav.To.Name, relatedID, e.Name)
				}
				_, err = s.write(ctx, p, nav.To, other, map[string]any{nav.Attr.Name: nil})
				return err
			}
			_, err = s.write(ctx, p, nav.To, other, map[string]any{nav.Attr.Name: id})
			return err
		}
		ph := s.st.D.Placeholder
		t := store.Quote(nav.Rel.Table())
		fc, tc := store.Quote(nav.FromCol), store.Quote(nav.ToCol)
		var q string
		if link {
			q = `INSERT INTO ` + t + ` ("tenant_id", ` + fc + `, ` + tc + `) VALUES (` + ph(1) + `, ` + ph(2) + `, ` + ph(3) + `) ON CONFLICT DO NOTHING`
		} else {
			q = `DELETE FROM ` + t + ` WHERE "tenant_id" = ` + ph(1) + ` AND ` + fc + ` = ` + ph(2) + ` AND ` + tc + ` = ` + ph(3)
		}
		res, err := s.st.Exec(ctx, q, p.TenantID, id, relatedID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if !link {
				return fault.Newf(fault.NotFound, "not_linked", "the records are not linked through %s", navName)
			}
			return nil
		}
		// The link is a change of both records for change tracking.
		for _, r := range []struct {
			e  *metadata.Entity
			id string
		}{{e, id}, {nav.To, relatedID}} {
			v, err := s.nextVersion(ctx, p.TenantID)
			if err != nil {
				return err
			}
			if err := s.logChange(ctx, p, v, r.e.Name, r.id, "l"); err != nil {
				return err
			}
		}
		op := OpAssociate
		if !link {
			op = OpDisassociate
		}
		return s.changed(ctx, Change{Op: op, Entity: e, ID: id, Related: nav.Rel.Name + ":" + relatedID,
			TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()})
	})
	if err != nil {
		return fmt.Errorf("records: relate %s %s: %w", entity, navName, err)
	}
	return nil
}
