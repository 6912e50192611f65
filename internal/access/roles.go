package access

import (
	"context"
	"database/sql"
	"errors"
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

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Grant is one privilege of a role.
type Grant struct {
	Entity    string `json:"entity"`
	Privilege string `json:"privilege"`
	Depth     string `json:"depth"`
}

// Role is a security role with its privileges.
type Role struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Admin       bool      `json:"is_admin"`
	Privileges  []Grant   `json:"privileges"`
	CreatedAt   time.Time `json:"created_at"`
}

// Template is an access team template: the rights its members get on the record.
type Template struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Entity    string    `json:"entity"`
	Rights    []string  `json:"rights"`
	CreatedAt time.Time `json:"created_at"`
}

var (
	guidAttr = &metadata.Attribute{Type: metadata.TypeGUID}
	timeAttr = &metadata.Attribute{Type: metadata.TypeDateTime}
	boolAttr = &metadata.Attribute{Type: metadata.TypeBoolean}
)

func (s *Service) enc(a *metadata.Attribute, v any) any { return s.st.D.Encode(a, v) }

// CreateRole creates a role in the caller's tenant.
func (s *Service) CreateRole(ctx context.Context, name, description string, admin bool) (*Role, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return s.createRole(ctx, c.tenant, name, description, admin)
}

func (s *Service) createRole(ctx context.Context, tenant, name, description string, admin bool) (*Role, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, fault.New(fault.Invalid, "required", "a role needs a name of at most 100 characters").WithTarget("name")
	}
	r := &Role{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Description: description, Admin: admin, CreatedAt: s.clock().UTC().Truncate(time.Microsecond)}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		_, err := s.st.Exec(ctx, `INSERT INTO security_role (tenant_id, id, name, description, is_admin, created_at) VALUES (`+
			p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`)`,
			tenant, r.ID, r.Name, r.Description, s.enc(boolAttr, admin), s.enc(timeAttr, r.CreatedAt))
		if err != nil {
			if s.st.D.IsUniqueViolation(err) {
				return fault.Newf(fault.Conflict, "duplicate_key", "a role named %q exists", name).WithTarget("name")
			}
			return err
		}
		return s.event(ctx, "role_change", "security_role", r.ID, map[string]any{"change": "create", "name": name, "is_admin": admin})
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, tenant)
	return r, nil
}

// CreateRoleWith creates a role with its privileges in one transaction: invalid privileges
// leave no role behind.
func (s *Service) CreateRoleWith(ctx context.Context, name, description string, admin bool, grants []Grant) (*Role, error) {
	var r *Role
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.CreateRole(ctx, name, description, admin); err != nil || len(grants) == 0 {
			return err
		}
		r, err = s.SetPrivileges(ctx, r.ID, grants)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Roles lists the tenant's roles with their privileges (administrators only).
func (s *Service) Roles(ctx context.Context) ([]*Role, error) { return listOf(ctx, s, s.roles) }

// Role returns one role (administrators only).
func (s *Service) Role(ctx context.Context, id string) (*Role, error) {
	return oneOf(ctx, s, s.roles, id, "role")
}

// listOf lists the caller's tenant's items with load (a tenant and an id, "" for all). The
// security configuration is the administrators' to read, as to change: anyone else gets
// admin_required, whether the items exist or not.
func listOf[T any](ctx context.Context, s *Service, load func(context.Context, string, string) ([]T, error)) ([]T, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return load(ctx, c.tenant, "")
}

// oneOf returns the item id of the caller's tenant loaded by load, or a not-found fault naming
// what; administrators only, like listOf.
func oneOf[T any](ctx context.Context, s *Service, load func(context.Context, string, string) ([]T, error), id, what string) (T, error) {
	var zero T
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return zero, err
	}
	items, err := load(ctx, c.tenant, id)
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, fault.Newf(fault.NotFound, "not_found", "%s %s does not exist", what, id)
	}
	return items[0], nil
}

// RoleByName returns the role of the tenant with this name.
func (s *Service) RoleByName(ctx context.Context, tenant, name string) (*Role, error) {
	rs, err := s.roles(ctx, tenant, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if strings.EqualFold(r.Name, name) {
			return r, nil
		}
	}
	return nil, fault.Newf(fault.NotFound, "not_found", "role %q does not exist", name)
}

func (s *Service) roles(ctx context.Context, tenant, id string) ([]*Role, error) {
	args := &store.Args{D: s.st.D}
	where := `tenant_id = ` + args.Add(tenant)
	if id != "" {
		if _, err := uuid.Parse(id); err != nil {
			return nil, nil
		}
		where += ` AND id = ` + args.Add(strings.ToLower(id))
	}
	rows, err := s.st.Query(ctx, `SELECT id, name, description, is_admin, created_at FROM security_role WHERE `+where+` ORDER BY name`, args.List...)
	if err != nil {
		return nil, err
	}
	var out []*Role
	byID := map[string]*Role{}
	for rows.Next() {
		var rid, admin, at any
		r := &Role{Privileges: []Grant{}}
		if err := rows.Scan(&rid, &r.Name, &r.Description, &admin, &at); err != nil {
			rows.Close()
			return nil, err
		}
		v, _ := s.st.D.Decode(guidAttr, rid)
		r.ID, _ = v.(string)
		if v, _ := s.st.D.Decode(boolAttr, admin); v == true {
			r.Admin = true
		}
		if v, _ := s.st.D.Decode(timeAttr, at); v != nil {
			r.CreatedAt = v.(time.Time)
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.st.Query(ctx, `SELECT role_id, entity, privilege, depth FROM role_privilege WHERE tenant_id = `+s.st.D.Placeholder(1)+
		` ORDER BY entity, privilege`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rid any
		var g Grant
		var d int
		if err := rows.Scan(&rid, &g.Entity, &g.Privilege, &d); err != nil {
			return nil, err
		}
		v, _ := s.st.D.Decode(guidAttr, rid)
		if r := byID[v.(string)]; r != nil {
			g.Depth = Depth(d).String()
			r.Privileges = append(r.Privileges, g)
		}
	}
	return out, rows.Err()
}

// DeleteRole deletes a role, its privileges and its assignments.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return err
	}
	r, err := s.Role(ctx, id)
	if err != nil {
		return err
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		for _, t := range []string{"principal_role", "role_privilege"} {
			if _, err := s.st.Exec(ctx, `DELETE FROM `+t+` WHERE tenant_id = `+p(1)+` AND role_id = `+p(2), c.tenant, r.ID); err != nil {
				return err
			}
		}
		if _, err := s.st.Exec(ctx, `DELETE FROM security_role WHERE tenant_id = `+p(1)+` AND id = `+p(2), c.tenant, r.ID); err != nil {
			return err
		}
		return s.event(ctx, "role_change", "security_role", r.ID, map[string]any{"change": "delete", "name": r.Name, "privileges": r.Privileges})
	})
	s.invalidate(ctx, c.tenant)
	return err
}

// SetPrivileges replaces the privileges of a role. Each grant names an entity (or "*"), a
// privilege and a depth; depth none removes the grant.
func (s *Service) SetPrivileges(ctx context.Context, roleID string, grants []Grant) (*Role, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Role(ctx, roleID)
	if err != nil {
		return nil, err
	}
	m, err := s.reg.Model(ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	type row struct {
		entity, privilege string
		depth             Depth
	}
	var rows []row
	var faults []*fault.Error
	for i, g := range grants {
		target := "privileges[" + strconv.Itoa(i) + "]"
		if g.Entity != Wildcard && m.Entity(g.Entity) == nil {
			faults = append(faults, fault.Field(target+".entity", "unknown_entity", "entity %s does not exist", g.Entity))
		}
		if !validPrivilege(g.Privilege) {
			faults = append(faults, fault.Field(target+".privilege", "invalid_privilege", "privilege %q: use one of %s", g.Privilege, strings.Join(Privileges, ", ")))
		}
		d, err := ParseDepth(g.Depth)
		if err != nil {
			faults = append(faults, fault.Field(target+".depth", "invalid_depth", "depth %q: use none, user, business_unit, parent_child or organization", g.Depth))
		}
		rows = append(rows, row{g.Entity, g.Privilege, d})
	}
	if len(faults) > 0 {
		return nil, fault.Join(faults)
	}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		if _, err := s.st.Exec(ctx, `DELETE FROM role_privilege WHERE tenant_id = `+p(1)+` AND role_id = `+p(2), c.tenant, r.ID); err != nil {
			return err
		}
		for _, g := range rows {
			if g.depth == None {
				continue
			}
			if _, err := s.st.Exec(ctx, `INSERT INTO role_privilege (tenant_id, role_id, entity, privilege, depth) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`)`+
				` ON CONFLICT (tenant_id, role_id, entity, privilege) DO UPDATE SET depth = excluded.depth`, c.tenant, r.ID, g.entity, g.privilege, int(g.depth)); err != nil {
				return err
			}
		}
		return s.event(ctx, "role_change", "security_role", r.ID, map[string]any{"change": "privileges", "name": r.Name,
			"privileges": map[string]any{"old": r.Privileges, "new": grants}})
	})
	s.invalidate(ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	return s.Role(ctx, r.ID)
}

// AssignRole gives a user or team a role.
func (s *Service) AssignRole(ctx context.Context, roleID, principalID string) error {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return err
	}
	return s.assignRole(ctx, c.tenant, roleID, principalID)
}

func (s *Service) assignRole(ctx context.Context, tenant, roleID, principalID string) error {
	sys := principal.With(ctx, principal.System(tenant))
	r, err := s.Role(sys, roleID)
	if err != nil {
		return err
	}
	principalID = strings.ToLower(principalID)
	kind, err := principal.KindOf(ctx, s.st, tenant, principalID)
	switch {
	case err != nil:
		return err
	case kind == "":
		return fault.Newf(fault.Invalid, "principal_not_found", "no user or team %s", principalID).WithTarget("principal_id")
	case kind == principal.KindAccessTeam:
		return fault.New(fault.Invalid, "not_owner_team", "an access team cannot hold security roles; use an owner team").WithTarget("principal_id")
	}
	p := s.st.D.Placeholder
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.st.Exec(ctx, `INSERT INTO principal_role (tenant_id, principal_id, principal_type, role_id) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`) ON CONFLICT DO NOTHING`,
			tenant, principalID, kind, r.ID); err != nil {
			return err
		}
		return s.event(ctx, "role_change", "security_role", r.ID, map[string]any{"change": "assign", "name": r.Name, "principal_id": principalID, "principal_type": kind})
	})
	s.invalidate(ctx, tenant)
	return err
}

// RemoveRole takes a role from a user or team.
func (s *Service) RemoveRole(ctx context.Context, roleID, principalID string) error {
	return s.removeHolder(ctx, "principal_role", "role_id", roleID, principalID, "role_change", "security_role", "role")
}

// removeHolder deletes principalID's row of table (a role's or profile's holders, keyed by col
// = id), records the change as action on entity, and answers not found when there was none.
func (s *Service) removeHolder(ctx context.Context, table, col, id, principalID, action, entity, what string) error {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return err
	}
	id, principalID = strings.ToLower(id), strings.ToLower(principalID)
	p := s.st.D.Placeholder
	var n int64
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.st.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = `+p(1)+` AND `+col+` = `+p(2)+` AND principal_id = `+p(3),
			c.tenant, id, principalID)
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		return s.event(ctx, action, entity, id, map[string]any{"change": "unassign", "principal_id": principalID})
	})
	s.invalidate(ctx, c.tenant)
	if err == nil && n == 0 {
		return fault.Newf(fault.NotFound, "not_found", "%s does not hold %s %s", principalID, what, id)
	}
	return err
}

// RoleMembers lists the ids of the users and teams holding a role (administrators only).
func (s *Service) RoleMembers(ctx context.Context, roleID string) ([]string, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	p := s.st.D.Placeholder
	return s.ids(ctx, `SELECT principal_id FROM principal_role WHERE tenant_id = `+p(1)+` AND role_id = `+p(2)+` ORDER BY principal_id`, c.tenant, strings.ToLower(roleID))
}

// CreateTemplate creates an access team template for entity granting rights.
func (s *Service) CreateTemplate(ctx context.Context, name, entity string, rights []string) (*Template, error) {
	c, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.reg.Model(ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	e := m.Entity(entity)
	if e == nil || e.ReadOnly() || e.OrganizationOwned() {
		return nil, fault.Newf(fault.Invalid, "unknown_entity", "%q is not an entity whose records can have access teams", entity).WithTarget("entity")
	}
	bits, err := records.ParseRights(rights)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fault.New(fault.Invalid, "required", "a template needs a name").WithTarget("name")
	}
	t := &Template{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Entity: e.Name, Rights: bits.Names(), CreatedAt: s.clock().UTC().Truncate(time.Microsecond)}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		p := s.st.D.Placeholder
		_, err := s.st.Exec(ctx, `INSERT INTO access_team_template (tenant_id, id, name, entity, rights, created_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`)`,
			c.tenant, t.ID, t.Name, t.Entity, int(bits), s.enc(timeAttr, t.CreatedAt))
		if err != nil && s.st.D.IsUniqueViolation(err) {
			return fault.Newf(fault.Conflict, "duplicate_key", "%s already has a template named %q", e.Name, name).WithTarget("name")
		}
		if err != nil {
			return err
		}
		return s.event(ctx, "access_template_change", "access_team_template", t.ID, map[string]any{"change": "create", "name": name, "entity": e.Name, "rights": t.Rights})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Templates lists the tenant's access team templates: every one to an administrator, to anyone
// else those of the entities they may read (whose records' access teams they may see, and need
// the templates' names for).
func (s *Service) Templates(ctx context.Context) ([]*Template, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if c.disabled {
		return nil, fault.New(fault.Permission, "user_disabled", "your user is disabled")
	}
	rows, err := s.st.Query(ctx, `SELECT id, name, entity, rights, created_at FROM access_team_template WHERE tenant_id = `+s.st.D.Placeholder(1)+` ORDER BY entity, name`, c.tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Template
	for rows.Next() {
		var id, at any
		var bits int
		t := &Template{}
		if err := rows.Scan(&id, &t.Name, &t.Entity, &bits, &at); err != nil {
			return nil, err
		}
		v, _ := s.st.D.Decode(guidAttr, id)
		t.ID, _ = v.(string)
		if v, _ := s.st.D.Decode(timeAttr, at); v != nil {
			t.CreatedAt = v.(time.Time)
		}
		t.Rights = records.Rights(bits).Names()
		if c.admin {
			out = append(out, t)
			continue
		}
		m, err := s.reg.Model(ctx, c.tenant)
		if err != nil {
			return nil, err
		}
		if e := m.Entity(t.Entity); e == nil || c.depth(s.privilegeEntity(e), "read") == None {
			continue
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EnsureDefaults gives a tenant its administrator role and root business unit when it has
// none, and returns their ids.
func (s *Service) EnsureDefaults(ctx context.Context, rec *records.Service, tenant, tenantName string) (adminRole, rootUnit string, err error) {
	sys := principal.With(ctx, principal.System(tenant))
	r, err := s.RoleByName(sys, tenant, AdminRole)
	if fault.Is(err, fault.NotFound) {
		r, err = s.createRole(sys, tenant, AdminRole, "Every privilege on every record of the tenant", true)
	}
	if err != nil {
		return "", "", err
	}
	p := s.st.D.Placeholder
	ids, err := s.ids(ctx, `SELECT "id" FROM "business_unit" WHERE "tenant_id" = `+p(1)+` AND "parent_business_unit_id" IS NULL ORDER BY "created_at", "id"`, tenant)
	if err != nil {
		return "", "", err
	}
	if len(ids) > 0 {
		return r.ID, ids[0], nil
	}
	bu, err := rec.Create(sys, "business_unit", records.Input{"name": tenantName})
	if err != nil {
		return "", "", err
	}
	return r.ID, bu.ID(), nil
}

// GrantAdmin gives a user the tenant's administrator role (the CLI and bootstrap use it).
func (s *Service) GrantAdmin(ctx context.Context, tenant, userID string) error {
	r, err := s.RoleByName(ctx, tenant, AdminRole)
	if err != nil {
		return err
	}
	return s.assignRole(ctx, tenant, r.ID, userID)
}
