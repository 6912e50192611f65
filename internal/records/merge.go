package records

import (
	"context"
	"fmt"
	"slices"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Reference is one lookup value that a merge moved from a merged-away record to the survivor.
type Reference struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Attr   string `json:"attr"`
	From   string `json:"from"`
}

// Repoint makes every lookup of every entity in the model (system and custom, polymorphic
// ones such as an activity's regarding included) that points at record from point at record to
// instead, and returns what it changed. Records in skip are left alone (the records being
// merged). It is a derived write of a merge: the merge is authorized as a whole (write on the
// survivor, delete on the records merged into it), so each referencing record is written —
// versioned, logged and audited — without asking for the right to update it. It runs in the
// caller's transaction.
func (s *Service) Repoint(ctx context.Context, from, to string, skip []string) ([]Reference, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.model(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []Reference
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, e := range m.Entities() {
			if e.ReadOnly() {
				continue
			}
			for _, a := range e.Lookups() {
				ids, err := s.referencing(ctx, p.TenantID, e, a.Name, from)
				if err != nil {
					return err
				}
				for _, id := range ids {
					if slices.Contains(skip, id) {
						continue
					}
					if err := s.setLookup(ctx, e, id, a.Name, to); err != nil {
						return err
					}
					out = append(out, Reference{Entity: e.Name, ID: id, Attr: a.Name, From: from})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("records: repoint: %w", err)
	}
	return out, nil
}

// RepointBack undoes Repoint: each reference still pointing at to points back at its From
// again; references changed since, or whose records are gone, are left as they are. It
// returns how many it moved back.
func (s *Service) RepointBack(ctx context.Context, refs []Reference, to string) (int, error) {
	p, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	m, err := s.model(ctx, p)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, r := range refs {
			e := m.Entity(r.Entity)
			if e == nil || e.Attr(r.Attr) == nil {
				continue
			}
			cur, err := s.loadUnscoped(ctx, p, e, r.ID)
			if err != nil {
				if fault.Is(err, fault.NotFound) {
					continue
				}
				return err
			}
			if cur[r.Attr] != to {
				continue
			}
			if err := s.setLookup(ctx, e, r.ID, r.Attr, r.From); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("records: repoint back: %w", err)
	}
	return n, nil
}

// setLookup writes one lookup of record id of e (a derived write: see Repoint).
func (s *Service) setLookup(ctx context.Context, e *metadata.Entity, id, attr, to string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	cur, err := s.loadUnscoped(ctx, p, e, id)
	if err != nil {
		return err
	}
	vals := map[string]any{attr: to}
	if err := s.derive(ctx, e, vals, cur); err != nil {
		return err
	}
	_, err = s.write(ctx, p, e, cur, vals)
	return err
}

// Link is one N:N association of a record that a merge moved or found already on the survivor.
type Link struct {
	Rel   string `json:"rel"`
	Col   string `json:"col"`   // the merged record's side of the intersect table
	Other string `json:"other"` // the record on the other side
	Moved bool   `json:"moved"` // moved to the survivor (false: the survivor already had it)
}

// MoveLinks moves the N:N associations of record from of entity to record to (an association
// the survivor already has stays with from, and goes when from is deleted), and returns every
// association from had. It runs in the caller's transaction; see Repoint for its authority.
func (s *Service) MoveLinks(ctx context.Context, entity, from, to string) ([]Link, error) {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	var out []Link
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, r := range m.Relationships() {
			for _, side := range [][2]string{{r.Entity1, r.Col1()}, {r.Entity2, r.Col2()}} {
				if side[0] != e.Name {
					continue
				}
				other := otherCol(r, side[1])
				links, err := s.linksOf(ctx, p.TenantID, r, side[1], other, from)
				if err != nil {
					return err
				}
				has, err := s.linksOf(ctx, p.TenantID, r, side[1], other, to)
				if err != nil {
					return err
				}
				for _, o := range links {
					l := Link{Rel: r.Name, Col: side[1], Other: o, Moved: !slices.Contains(has, o) && o != to}
					if l.Moved {
						if err := s.relink(ctx, e, r, l, from, to); err != nil {
							return err
						}
					}
					out = append(out, l)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("records: move links: %w", err)
	}
	return out, nil
}

// RestoreLinks undoes MoveLinks after record from has been restored: moved associations go
// back from to to from, the others are made again on from.
func (s *Service) RestoreLinks(ctx context.Context, entity, from, to string, links []Link) error {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, l := range links {
			r := m.Relationship(l.Rel)
			if r == nil {
				continue
			}
			if l.Moved {
				if err := s.relink(ctx, e, r, l, to, from); err != nil {
					return err
				}
				continue
			}
			other := otherCol(r, l.Col)
			ph := s.st.D.Placeholder
			if _, err := s.st.Exec(ctx, `INSERT INTO `+store.Quote(r.Table())+` ("tenant_id", `+store.Quote(l.Col)+`, `+store.Quote(other)+`) VALUES (`+
				ph(1)+`, `+ph(2)+`, `+ph(3)+`) ON CONFLICT DO NOTHING`, p.TenantID, from, l.Other); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("records: restore links: %w", err)
	}
	return nil
}

// relink moves one association of relationship r from record from to record to, logging it as a
// change of both.
func (s *Service) relink(ctx context.Context, e *metadata.Entity, r *metadata.ManyToMany, l Link, from, to string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	ph := s.st.D.Placeholder
	other := otherCol(r, l.Col)
	res, err := s.st.Exec(ctx, `UPDATE `+store.Quote(r.Table())+` SET `+store.Quote(l.Col)+` = `+ph(1)+` WHERE "tenant_id" = `+ph(2)+
		` AND `+store.Quote(l.Col)+` = `+ph(3)+` AND `+store.Quote(other)+` = `+ph(4), to, p.TenantID, from, l.Other)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	for _, id := range []string{from, to} {
		v, err := s.nextVersion(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if err := s.logChange(ctx, p, v, e.Name, id, "l"); err != nil {
			return err
		}
	}
	if err := s.changed(ctx, Change{Op: OpDisassociate, Entity: e, ID: from, Related: l.Rel + ":" + l.Other,
		TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()}); err != nil {
		return err
	}
	return s.changed(ctx, Change{Op: OpAssociate, Entity: e, ID: to, Related: l.Rel + ":" + l.Other,
		TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()})
}

// otherCol is the column of relationship r's intersect table opposite col.
func otherCol(r *metadata.ManyToMany, col string) string {
	if col == r.Col2() {
		return r.Col1()
	}
	return r.Col2()
}

// linksOf returns the records linked to id through relationship r (id on side col).
func (s *Service) linksOf(ctx context.Context, tenant string, r *metadata.ManyToMany, col, other, id string) ([]string, error) {
	ph := s.st.D.Placeholder
	return s.st.QueryIDs(ctx, `SELECT `+store.Quote(other)+` FROM `+store.Quote(r.Table())+` WHERE "tenant_id" = `+ph(1)+
		` AND `+store.Quote(col)+` = `+ph(2), tenant, id)
}

// Grant is one share or access-team membership of a record that a merge moved to the survivor.
type Grant struct {
	Table     string `json:"table"`     // record_share or access_team_member
	Principal string `json:"principal"` // the user or team shared with (the member)
	Template  string `json:"template,omitempty"`
}

// MoveGrants moves the shares and access-team memberships of record from of entity to record
// to, except those the survivor already has for the same principal (they stay with from), and
// returns the ones it moved. It runs in the caller's transaction; see Repoint for its authority.
func (s *Service) MoveGrants(ctx context.Context, entity, from, to string) ([]Grant, error) {
	return s.moveGrants(ctx, entity, from, to, nil)
}

// RestoreGrants moves the grants that MoveGrants moved back from to to from.
func (s *Service) RestoreGrants(ctx context.Context, entity, from, to string, gs []Grant) error {
	_, err := s.moveGrants(ctx, entity, to, from, gs)
	return err
}

// grantTables are the tables of grants on records, with the columns naming one grant.
var grantTables = []struct{ name, principal, template string }{
	{"record_share", "principal_id", ""},
	{"access_team_member", "user_id", "template_id"},
}

// moveGrants moves grants of from to to: only those in only (nil: every one to does not have).
func (s *Service) moveGrants(ctx context.Context, entity, from, to string, only []Grant) ([]Grant, error) {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	var out []Grant
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, t := range grantTables {
			gs, err := s.grantsOf(ctx, p.TenantID, t.name, t.principal, t.template, e.Name, from)
			if err != nil {
				return err
			}
			has, err := s.grantsOf(ctx, p.TenantID, t.name, t.principal, t.template, e.Name, to)
			if err != nil {
				return err
			}
			for _, g := range gs {
				if slices.Contains(has, g) || (only != nil && !slices.Contains(only, g)) {
					continue
				}
				args := &store.Args{D: s.st.D}
				q := `UPDATE ` + t.name + ` SET record_id = ` + args.Add(to) + ` WHERE tenant_id = ` + args.Add(p.TenantID) +
					` AND entity = ` + args.Add(e.Name) + ` AND record_id = ` + args.Add(from) + ` AND ` + t.principal + ` = ` + args.Add(g.Principal)
				if t.template != "" {
					q += ` AND ` + t.template + ` = ` + args.Add(g.Template)
				}
				if _, err := s.st.Exec(ctx, q, args.List...); err != nil {
					return err
				}
				related := g.Principal
				if g.Template != "" {
					related = "access_team:" + g.Template + ":" + g.Principal
				}
				if err := s.changed(ctx, Change{Op: OpShare, Entity: e, ID: to, Related: related,
					TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()}); err != nil {
					return err
				}
				out = append(out, g)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("records: move grants: %w", err)
	}
	return out, nil
}

// grantsOf lists the grants in table on record id of entity.
func (s *Service) grantsOf(ctx context.Context, tenant, table, principalCol, templateCol, entity, id string) ([]Grant, error) {
	cols := principalCol
	if templateCol != "" {
		cols += ", " + templateCol
	}
	ph := s.st.D.Placeholder
	rows, err := s.st.DB(ctx).QueryContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+
		` AND record_id = `+ph(3), tenant, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idAttr := &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}
	var out []Grant
	for rows.Next() {
		raw := make([]any, 2)
		dest := []any{&raw[0]}
		if templateCol != "" {
			dest = append(dest, &raw[1])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		g := Grant{Table: table}
		for i := range dest {
			v, err := s.st.D.Decode(idAttr, raw[i])
			if err != nil {
				return nil, err
			}
			if i == 0 {
				g.Principal = v.(string)
			} else {
				g.Template = v.(string)
			}
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
