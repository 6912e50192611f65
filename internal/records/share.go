package records

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// Rights are the operations a share or an access team grants on one record, as a bit set (the
// form stored in record_share and access_team_template and tested in SQL with &).
type Rights int

var rightBits = []struct {
	op  Op
	bit Rights
}{{OpRead, 1}, {OpUpdate, 2}, {OpDelete, 4}, {OpAppend, 8}, {OpAppendTo, 16}, {OpAssign, 32}, {OpShare, 64}}

// RightOf returns the bit of op (0 for an operation that cannot be granted on a record).
func RightOf(op Op) Rights {
	for _, b := range rightBits {
		if b.op == op {
			return b.bit
		}
	}
	return 0
}

// ParseRights converts operation names ("read", "update" or "write", "delete", "append",
// "append_to", "assign", "share") to a bit set. Read is implied by any other right.
func ParseRights(names []string) (Rights, error) {
	var r Rights
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "write" {
			n = string(OpUpdate)
		}
		bit := RightOf(Op(n))
		if bit == 0 {
			return 0, fault.Newf(fault.Invalid, "invalid_right", "%q is not a right: use read, write, delete, append, append_to, assign or share", n).WithTarget("rights")
		}
		r |= bit
	}
	if r == 0 {
		return 0, fault.New(fault.Invalid, "required", "give at least one right").WithTarget("rights")
	}
	return r | RightOf(OpRead), nil
}

// Names lists the operations of r.
func (r Rights) Names() []string {
	var out []string
	for _, b := range rightBits {
		if r&b.bit != 0 {
			name := string(b.op)
			if b.op == OpUpdate {
				name = "write"
			}
			out = append(out, name)
		}
	}
	return out
}

// Share is one grant of rights on a record to a user or team.
type Share struct {
	PrincipalID   string     `json:"principal_id"`
	PrincipalType string     `json:"principal_type"` // user or team
	Rights        []string   `json:"rights"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	SharedBy      string     `json:"shared_by,omitempty"`
	SharedAt      time.Time  `json:"shared_at"`
}

// canonicalID returns id in its stored form, or a not-found fault for target.
func canonicalID(id, target string) (string, error) {
	v, err := (&metadata.Attribute{Name: "id", Type: metadata.TypeGUID}).Convert(id)
	if err != nil {
		return "", fault.Newf(fault.Invalid, "invalid_id", "%q is not an id", id).WithTarget(target)
	}
	return v.(string), nil
}

// shareable loads record id of entity for a change of its access (assign, share), checking op.
func (s *Service) shareable(ctx context.Context, p principal.Principal, e *metadata.Entity, id string, op Op) (map[string]any, error) {
	if e.OrganizationOwned() {
		return nil, fault.Newf(fault.Invalid, "not_owned", "%s records belong to the organisation: they have no owner and cannot be shared", e.Name)
	}
	cur, err := s.load(ctx, p, e, id)
	if err != nil {
		return nil, err
	}
	return cur, s.authorize(ctx, op, e, recordFromMap(e, cur))
}

// Assign makes ownerID (a user or an owner team of the tenant) the owner of record id. It needs
// the assign privilege on the record.
func (s *Service) Assign(ctx context.Context, entity, id, ownerID string) (*Record, error) {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	if ownerID, err = canonicalID(ownerID, "owner_id"); err != nil {
		return nil, err
	}
	var rec *Record
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.shareable(ctx, p, e, id, OpAssign)
		if err != nil {
			return err
		}
		switch kind, err := principal.KindOf(ctx, s.st, p.TenantID, ownerID); {
		case err != nil:
			return err
		case kind == "":
			return fault.Newf(fault.Invalid, "owner_not_found", "no user or team %s", ownerID).WithTarget("owner_id")
		case kind == principal.KindAccessTeam:
			return fault.New(fault.Invalid, "owner_not_found", "an access team cannot own records; share with it instead").WithTarget("owner_id")
		}
		rec, err = s.writeAs(ctx, p, e, cur, map[string]any{"owner_id": ownerID}, OpAssign)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("records: assign %s: %w", entity, err)
	}
	return s.redact(ctx, rec), nil
}

// ShareRecord grants rights on record id to a user or team, until expires (nil: until revoked),
// replacing an earlier share with the same principal. The caller needs the share privilege on
// the record and every right it grants.
func (s *Service) ShareRecord(ctx context.Context, entity, id, principalID string, rights Rights, expires *time.Time) error {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return err
	}
	if principalID, err = canonicalID(principalID, "principal_id"); err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.shareable(ctx, p, e, id, OpShare)
		if err != nil {
			return err
		}
		rec := recordFromMap(e, cur)
		for _, b := range rightBits {
			if rights&b.bit != 0 {
				if err := s.authorize(ctx, b.op, e, rec); err != nil {
					return err
				}
			}
		}
		kind, err := principal.KindOf(ctx, s.st, p.TenantID, principalID)
		if err != nil {
			return err
		}
		if kind == "" {
			return fault.Newf(fault.Invalid, "principal_not_found", "no user or team %s", principalID).WithTarget("principal_id")
		}
		kind = principal.StoredKind(kind)
		now := s.clock().UTC()
		if expires != nil && !expires.After(now) {
			return fault.New(fault.Invalid, "invalid_expiry", "the expiry is in the past").WithTarget("expires_at")
		}
		d := s.st.D
		dt := &metadata.Attribute{Type: metadata.TypeDateTime}
		var exp any
		if expires != nil {
			exp = d.Encode(dt, expires.UTC())
		}
		args := &store.Args{D: d}
		vals := []string{args.Add(p.TenantID), args.Add(e.Name), args.Add(rec.ID()), args.Add(principalID), args.Add(kind),
			args.Add(int(rights)), args.Add(exp), args.Add(nullable(p.UserID)), args.Add(d.Encode(dt, now))}
		_, err = s.st.Exec(ctx, `INSERT INTO record_share (tenant_id, entity, record_id, principal_id, principal_type, rights, expires_at, shared_by, shared_at) VALUES (`+
			strings.Join(vals, ", ")+`) ON CONFLICT (tenant_id, entity, record_id, principal_id) DO UPDATE SET rights = excluded.rights, expires_at = excluded.expires_at, shared_by = excluded.shared_by, shared_at = excluded.shared_at`,
			args.List...)
		if err != nil {
			return err
		}
		after := map[string]any{"principal_id": principalID, "principal_type": kind, "rights": strings.Join(rights.Names(), ",")}
		if expires != nil {
			after["expires_at"] = expires.UTC()
		}
		return s.changed(ctx, Change{Op: OpShare, Entity: e, ID: rec.ID(), Related: kind + ":" + principalID, After: after,
			TenantID: p.TenantID, UserID: p.UserID, At: now})
	})
	if err != nil {
		return fmt.Errorf("records: share %s: %w", entity, err)
	}
	return nil
}

// Unshare revokes the share of record id with principalID.
func (s *Service) Unshare(ctx context.Context, entity, id, principalID string) error {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return err
	}
	if principalID, err = canonicalID(principalID, "principal_id"); err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.shareable(ctx, p, e, id, OpShare)
		if err != nil {
			return err
		}
		ph := s.st.D.Placeholder
		res, err := s.st.Exec(ctx, `DELETE FROM record_share WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3)+
			` AND principal_id = `+ph(4), p.TenantID, e.Name, cur["id"], principalID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.Newf(fault.NotFound, "not_shared", "the record is not shared with %s", principalID)
		}
		return s.changed(ctx, Change{Op: OpUnshare, Entity: e, ID: cur["id"].(string), Related: principalID,
			TenantID: p.TenantID, UserID: p.UserID, At: s.clock().UTC()})
	})
	if err != nil {
		return fmt.Errorf("records: unshare %s: %w", entity, err)
	}
	return nil
}

// Shares lists the shares of record id (expired ones included, marked by their expiry). The
// caller must be able to read the record.
func (s *Service) Shares(ctx context.Context, entity, id string) ([]Share, error) {
	p, _, e, err := s.readable(ctx, entity)
	if err != nil {
		return nil, err
	}
	cur, err := s.load(ctx, p, e, id)
	if err != nil {
		return nil, err
	}
	ph := s.st.D.Placeholder
	rows, err := s.st.Query(ctx, `SELECT principal_id, principal_type, rights, expires_at, shared_by, shared_at FROM record_share WHERE tenant_id = `+
		ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3)+` ORDER BY shared_at, principal_id`, p.TenantID, e.Name, cur["id"])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dt := &metadata.Attribute{Type: metadata.TypeDateTime}
	guid := &metadata.Attribute{Type: metadata.TypeGUID}
	var out []Share
	for rows.Next() {
		var pid, by, exp, at any
		var sh Share
		var rights int
		if err := rows.Scan(&pid, &sh.PrincipalType, &rights, &exp, &by, &at); err != nil {
			return nil, err
		}
		v, err := s.st.D.Decode(guid, pid)
		if err != nil {
			return nil, err
		}
		sh.PrincipalID, _ = v.(string)
		if v, _ := s.st.D.Decode(guid, by); v != nil {
			sh.SharedBy, _ = v.(string)
		}
		if v, _ := s.st.D.Decode(dt, exp); v != nil {
			t := v.(time.Time)
			sh.ExpiresAt = &t
		}
		if v, _ := s.st.D.Decode(dt, at); v != nil {
			sh.SharedAt = v.(time.Time)
		}
		sh.Rights = Rights(rights).Names()
		out = append(out, sh)
	}
	return out, rows.Err()
}

// AccessTeamMember is a user's membership of a record's access team.
type AccessTeamMember struct {
	TemplateID string     `json:"template_id"`
	UserID     string     `json:"user_id"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	AddedAt    time.Time  `json:"added_at"`
}

// AddAccessTeamMember adds userID to the access team of template templateID on record id,
// until expires (nil: until removed). The template's entity must be the record's; the caller
// needs the share privilege on the record.
func (s *Service) AddAccessTeamMember(ctx context.Context, entity, id, templateID, userID string, expires *time.Time) error {
	return s.accessTeam(ctx, entity, id, templateID, userID, expires, true)
}

// RemoveAccessTeamMember removes userID from the access team of template templateID on record id.
func (s *Service) RemoveAccessTeamMember(ctx context.Context, entity, id, templateID, userID string) error {
	return s.accessTeam(ctx, entity, id, templateID, userID, nil, false)
}

func (s *Service) accessTeam(ctx context.Context, entity, id, templateID, userID string, expires *time.Time, add bool) error {
	p, _, e, err := s.writable(ctx, entity)
	if err != nil {
		return err
	}
	if templateID, err = canonicalID(templateID, "template_id"); err != nil {
		return err
	}
	if userID, err = canonicalID(userID, "user_id"); err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.shareable(ctx, p, e, id, OpShare)
		if err != nil {
			return err
		}
		recID := cur["id"].(string)
		ph := s.st.D.Placeholder
		var tplEntity string
		var rights int
		err = s.st.DB(ctx).QueryRowContext(ctx, `SELECT entity, rights FROM access_team_template WHERE tenant_id = `+ph(1)+` AND id = `+ph(2),
			p.TenantID, templateID).Scan(&tplEntity, &rights)
		if isNoRows(err) || (err == nil && tplEntity != e.Name) {
			return fault.Newf(fault.Invalid, "template_not_found", "no access team template %s for %s", templateID, e.Name).WithTarget("template_id")
		}
		if err != nil {
			return err
		}
		now := s.clock().UTC()
		if !add {
			res, err := s.st.Exec(ctx, `DELETE FROM access_team_member WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3)+
				` AND template_id = `+ph(4)+` AND user_id = `+ph(5), p.TenantID, e.Name, recID, templateID, userID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fault.Newf(fault.NotFound, "not_member", "user %s is not in this record's access team", userID)
			}
			return s.changed(ctx, Change{Op: OpUnshare, Entity: e, ID: recID, Related: "access_team:" + templateID + ":" + userID,
				TenantID: p.TenantID, UserID: p.UserID, At: now})
		}
		if kind, err := principal.KindOf(ctx, s.st, p.TenantID, userID); err != nil {
			return err
		} else if kind != principal.KindUser {
			return fault.Newf(fault.Invalid, "user_not_found", "no user %s", userID).WithTarget("user_id")
		}
		if expires != nil && !expires.After(now) {
			return fault.New(fault.Invalid, "invalid_expiry", "the expiry is in the past").WithTarget("expires_at")
		}
		d := s.st.D
		dt := &metadata.Attribute{Type: metadata.TypeDateTime}
		var exp any
		if expires != nil {
			exp = d.Encode(dt, expires.UTC())
		}
		args := &store.Args{D: d}
		vals := []string{args.Add(p.TenantID), args.Add(templateID), args.Add(e.Name), args.Add(recID), args.Add(userID),
			args.Add(exp), args.Add(nullable(p.UserID)), args.Add(d.Encode(dt, now))}
		if _, err := s.st.Exec(ctx, `INSERT INTO access_team_member (tenant_id, template_id, entity, record_id, user_id, expires_at, added_by, added_at) VALUES (`+
			strings.Join(vals, ", ")+`) ON CONFLICT (tenant_id, entity, record_id, template_id, user_id) DO UPDATE SET expires_at = excluded.expires_at, added_by = excluded.added_by, added_at = excluded.added_at`,
			args.List...); err != nil {
			return err
		}
		after := map[string]any{"template_id": templateID, "user_id": userID, "rights": strings.Join(Rights(rights).Names(), ",")}
		if expires != nil {
			after["expires_at"] = expires.UTC()
		}
		return s.changed(ctx, Change{Op: OpShare, Entity: e, ID: recID, Related: "access_team:" + templateID + ":" + userID, After: after,
			TenantID: p.TenantID, UserID: p.UserID, At: now})
	})
	if err != nil {
		return fmt.Errorf("records: access team of %s: %w", entity, err)
	}
	return nil
}

// AccessTeamMembers lists the access team members of record id (expired ones included).
func (s *Service) AccessTeamMembers(ctx context.Context, entity, id string) ([]AccessTeamMember, error) {
	p, _, e, err := s.readable(ctx, entity)
	if err != nil {
		return nil, err
	}
	cur, err := s.load(ctx, p, e, id)
	if err != nil {
		return nil, err
	}
	ph := s.st.D.Placeholder
	rows, err := s.st.Query(ctx, `SELECT template_id, user_id, expires_at, added_at FROM access_team_member WHERE tenant_id = `+
		ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3), p.TenantID, e.Name, cur["id"])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dt := &metadata.Attribute{Type: metadata.TypeDateTime}
	guid := &metadata.Attribute{Type: metadata.TypeGUID}
	var out []AccessTeamMember
	for rows.Next() {
		var tpl, user, exp, at any
		if err := rows.Scan(&tpl, &user, &exp, &at); err != nil {
			return nil, err
		}
		var m AccessTeamMember
		v, _ := s.st.D.Decode(guid, tpl)
		m.TemplateID, _ = v.(string)
		v, _ = s.st.D.Decode(guid, user)
		m.UserID, _ = v.(string)
		if v, _ := s.st.D.Decode(dt, exp); v != nil {
			t := v.(time.Time)
			m.ExpiresAt = &t
		}
		if v, _ := s.st.D.Decode(dt, at); v != nil {
			m.AddedAt = v.(time.Time)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AddedAt.Before(out[j].AddedAt) })
	return out, rows.Err()
}
