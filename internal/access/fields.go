package access

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// FieldPermission is what a field security profile allows on one secured attribute.
type FieldPermission struct {
	Entity    string `json:"entity"`
	Attribute string `json:"attribute"`
	Read      bool   `json:"read"`
	Create    bool   `json:"create"`
	Update    bool   `json:"update"`
}

// Profile is a field security profile with its permissions and holders.
type Profile struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Permissions []FieldPermission `json:"permissions"`
	Members     []string          `json:"members"`
	CreatedAt   time.Time         `json:"created_at"`
}

// fieldRights are the OR of a caller's profiles for one attribute.
type fieldRights struct{ read, create, update bool }

// Fields implements records.FieldAccess: administrators may do everything; others what their
// field security profiles (held directly or through a team) allow.
func (s *Service) Fields(ctx context.Context) func(e *metadata.Entity, a *metadata.Attribute, op records.Op) bool {
	c, err := s.callerOf(ctx)
	return func(e *metadata.Entity, a *metadata.Attribute, op records.Op) bool {
		if err != nil || c.disabled {
			return false
		}
		if c.admin {
			return true
		}
		name := a.Name
		if a.Of != "" {
			name = a.Of
		}
		r := c.fields[e.Name+"."+name]
		switch op {
		case records.OpRead:
			return r.read
		case records.OpCreate:
			return r.create
		case records.OpUpdate:
			return r.update
		}
		return false
	}
}

// loadFields reads the field permissions of the profiles held by c's user or teams.
func (s *Service) loadFields(ctx context.Context, c *caller) error {
	args := &store.Args{D: s.st.D}
	t := args.Add(c.tenant)
	holders := []string{args.Add(c.user)}
	for _, team := range c.teams {
		holders = append(holders, args.Add(team))
	}
	rows, err := s.st.Query(ctx, `SELECT fp.entity, fp.attribute, fp.can_read, fp.can_create, fp.can_update FROM field_profile_member m`+
		` JOIN field_permission fp ON fp.tenant_id = m.tenant_id AND fp.profile_id = m.profile_id`+
		` WHERE m.tenant_id = `+t+` AND m.principal_id IN (`+strings.Join(holders, ", ")+`)`, args.List...)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.fields = map[string]fieldRights{}
	for rows.Next() {
		var entity, attr string
		var rd, cr, up any
		if err := rows.Scan(&entity, &attr, &rd, &cr, &up); err != nil {
			return err
		}
		k := entity + "." + attr
		r := c.fields[k]
		r.read = r.read || s.isTrue(rd)
		r.create = r.create || s.isTrue(cr)
		r.update = r.update || s.isTrue(up)
		c.fields[k] = r
	}
	return rows.Err()
}

func (s *Service) isTrue(v any) bool {
	b, _ := s.st.D.Decode(boolAttr, v)
	return b == true
}

// CreateProfile creates a field security profile with its permissions.
func (s *Service) CreateProfile(ctx context.Context, name, description string, perms []FieldPermission) (*Profile, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, fault.New(fault.Invalid, "required", "a profile needs a name of at most 100 characters").WithTarget("name")
	}
	if err := s.checkPermissions(ctx, c.tenant, perms); err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		_, err := s.st.Exec(ctx, `INSERT INTO field_security_profile (tenant_id, id, name, description, created_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`)`,
			c.tenant, id, name, description, s.enc(timeAttr, s.clock().UTC().Truncate(time.Microsecond)))
		if err != nil {
			if s.st.D.IsUniqueViolation(err) {
				return fault.Newf(fault.Conflict, "duplicate_key", "a profile named %q exists", name).WithTarget("name")
			}
			return err
		}
		if err := s.writePermissions(ctx, c.tenant, id, perms); err != nil {
			return err
		}
		return s.event(ctx, "field_profile_change", "field_security_profile", id, map[string]any{"change": "create", "name": name, "permissions": perms})
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, c.tenant)
	return s.Profile(ctx, id)
}

func (s *Service) checkPermissions(ctx context.Context, tenant string, perms []FieldPermission) error {
	m, err := s.reg.Model(ctx, tenant)
	if err != nil {
		return err
	}
	var faults []*fault.Error
	for i, fp := range perms {
		target := "permissions[" + strconv.Itoa(i) + "]"
		e := m.Entity(fp.Entity)
		if e == nil {
			faults = append(faults, fault.Field(target+".entity", "unknown_entity", "entity %s does not exist", fp.Entity))
			continue
		}
		a := e.Attr(fp.Attribute)
		if a == nil || a.System || a.Of != "" {
			faults = append(faults, fault.Field(target+".attribute", "unknown_field", "%s is not an attribute of %s", fp.Attribute, fp.Entity))
		} else if !a.Secured {
			faults = append(faults, fault.Field(target+".attribute", "not_secured", "%s.%s is not under field-level security: set \"secured\": true on the attribute first", fp.Entity, fp.Attribute))
		}
	}
	if len(faults) > 0 {
		return fault.Join(faults)
	}
	return nil
}

// writePermissions replaces the permissions of a profile.
func (s *Service) writePermissions(ctx context.Context, tenant, id string, perms []FieldPermission) error {
	p := s.st.D.Placeholder
	if _, err := s.st.Exec(ctx, `DELETE FROM field_permission WHERE tenant_id = `+p(1)+` AND profile_id = `+p(2), tenant, id); err != nil {
		return err
	}
	for _, fp := range perms {
		if _, err := s.st.Exec(ctx, `INSERT INTO field_permission (tenant_id, profile_id, entity, attribute, can_read, can_create, can_update) VALUES (`+
			p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`, `+p(7)+`) ON CONFLICT (tenant_id, profile_id, entity, attribute) DO UPDATE SET can_read = excluded.can_read, can_create = excluded.can_create, can_update = excluded.can_update`,
			tenant, id, fp.Entity, fp.Attribute, s.enc(boolAttr, fp.Read), s.enc(boolAttr, fp.Create), s.enc(boolAttr, fp.Update)); err != nil {
			return err
		}
	}
	return nil
}

// SetFieldPermissions replaces the permissions of a profile.
func (s *Service) SetFieldPermissions(ctx context.Context, id string, perms []FieldPermission) (*Profile, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	prev, err := s.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkPermissions(ctx, c.tenant, perms); err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.writePermissions(ctx, c.tenant, prev.ID, perms); err != nil {
			return err
		}
		return s.event(ctx, "field_profile_change", "field_security_profile", prev.ID, map[string]any{"change": "permissions", "name": prev.Name,
			"permissions": map[string]any{"old": prev.Permissions, "new": perms}})
	})
	s.invalidate(ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	return s.Profile(ctx, id)
}

// AddProfileMember gives a user or team a field security profile.
func (s *Service) AddProfileMember(ctx context.Context, id, principalID string) error {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return err
	}
	prof, err := s.Profile(ctx, id)
	if err != nil {
		return err
	}
	principalID = strings.ToLower(principalID)
	kind, err := principal.KindOf(ctx, s.st, c.tenant, principalID)
	if err != nil {
		return err
	}
	if kind == "" {
		return fault.Newf(fault.Invalid, "principal_not_found", "no user or team %s", principalID).WithTarget("principal_id")
	}
	kind = principal.StoredKind(kind)
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		if _, err := s.st.Exec(ctx, `INSERT INTO field_profile_member (tenant_id, profile_id, principal_id, principal_type) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`) ON CONFLICT DO NOTHING`,
			c.tenant, prof.ID, principalID, kind); err != nil {
			return err
		}
		return s.event(ctx, "field_profile_change", "field_security_profile", prof.ID, map[string]any{"change": "assign", "name": prof.Name, "principal_id": principalID, "principal_type": kind})
	})
	s.invalidate(ctx, c.tenant)
	return err
}

// RemoveProfileMember takes a field security profile from a user or team.
func (s *Service) RemoveProfileMember(ctx context.Context, id, principalID string) error {
	return s.removeHolder(ctx, "field_profile_member", "profile_id", id, principalID, "field_profile_change", "field_security_profile", "profile")
}

// Profiles lists the tenant's field security profiles (administrators only).
func (s *Service) Profiles(ctx context.Context) ([]*Profile, error) {
	return listOf(ctx, s, s.profiles)
}

// Profile returns one field security profile (administrators only).
func (s *Service) Profile(ctx context.Context, id string) (*Profile, error) {
	return oneOf(ctx, s, s.profiles, id, "field security profile")
}

func (s *Service) profiles(ctx context.Context, tenant, id string) ([]*Profile, error) {
	args := &store.Args{D: s.st.D}
	where := `tenant_id = ` + args.Add(tenant)
	if id != "" {
		if _, err := uuid.Parse(id); err != nil {
			return nil, nil
		}
		where += ` AND id = ` + args.Add(strings.ToLower(id))
	}
	rows, err := s.st.Query(ctx, `SELECT id, name, description, created_at FROM field_security_profile WHERE `+where+` ORDER BY name`, args.List...)
	if err != nil {
		return nil, err
	}
	var out []*Profile
	byID := map[string]*Profile{}
	for rows.Next() {
		var pid, at any
		p := &Profile{Permissions: []FieldPermission{}, Members: []string{}}
		if err := rows.Scan(&pid, &p.Name, &p.Description, &at); err != nil {
			rows.Close()
			return nil, err
		}
		v, _ := s.st.D.Decode(guidAttr, pid)
		p.ID, _ = v.(string)
		if v, _ := s.st.D.Decode(timeAttr, at); v != nil {
			p.CreatedAt = v.(time.Time)
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ph := s.st.D.Placeholder
	rows, err = s.st.Query(ctx, `SELECT profile_id, entity, attribute, can_read, can_create, can_update FROM field_permission WHERE tenant_id = `+ph(1)+` ORDER BY entity, attribute`, tenant)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid, rd, cr, up any
		var fp FieldPermission
		if err := rows.Scan(&pid, &fp.Entity, &fp.Attribute, &rd, &cr, &up); err != nil {
			rows.Close()
			return nil, err
		}
		fp.Read, fp.Create, fp.Update = s.isTrue(rd), s.isTrue(cr), s.isTrue(up)
		v, _ := s.st.D.Decode(guidAttr, pid)
		if p := byID[v.(string)]; p != nil {
			p.Permissions = append(p.Permissions, fp)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.st.Query(ctx, `SELECT profile_id, principal_id FROM field_profile_member WHERE tenant_id = `+ph(1)+` ORDER BY principal_id`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, who any
		if err := rows.Scan(&pid, &who); err != nil {
			return nil, err
		}
		v, _ := s.st.D.Decode(guidAttr, pid)
		w, _ := s.st.D.Decode(guidAttr, who)
		if p := byID[v.(string)]; p != nil {
			p.Members = append(p.Members, w.(string))
		}
	}
	return out, rows.Err()
}
