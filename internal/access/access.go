// Package access is Meridian's security model, after Dataverse: business units in a tree,
// security roles granting privileges per entity at a depth, users and owner teams holding roles,
// records owned by a user or team, sharing with expiry, and access teams from templates with
// expiring membership. It decides the records service's authorization checks and compiles the
// caller's visibility into one SQL predicate per table, so that every read — lists, $expand,
// $apply, look-ups — is filtered by the database, never in Go afterwards.
package access

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// Depth is how far a privilege reaches.
type Depth int

// Depths, from nothing to the whole tenant.
const (
	None         Depth = iota
	User               // records the user (or a team of theirs) owns
	BusinessUnit       // records owned in the user's business unit
	ParentChild        // records owned in the user's business unit and the units below it
	Organization       // every record of the tenant
)

var depthNames = []string{"none", "user", "business_unit", "parent_child", "organization"}

func (d Depth) String() string {
	if d < None || d > Organization {
		return fmt.Sprintf("depth(%d)", int(d))
	}
	return depthNames[d]
}

// ParseDepth reads a depth name.
func ParseDepth(s string) (Depth, error) {
	for i, n := range depthNames {
		if strings.EqualFold(s, n) {
			return Depth(i), nil
		}
	}
	return None, fault.Newf(fault.Invalid, "invalid_depth", "depth %q: use none, user, business_unit, parent_child or organization", s).WithTarget("depth")
}

// Privileges are the privilege names roles grant, per entity.
var Privileges = []string{"create", "read", "write", "delete", "append", "append_to", "assign", "share"}

// privilegeOf maps a records operation to its privilege.
func privilegeOf(op records.Op) string {
	if op == records.OpUpdate {
		return "write"
	}
	return string(op)
}

func validPrivilege(p string) bool {
	for _, q := range Privileges {
		if p == q {
			return true
		}
	}
	return false
}

// Wildcard as a privilege's entity applies it to every entity without a grant of its own.
const Wildcard = "*"

// AdminRole is the name of the role created in every tenant that holds every privilege.
const AdminRole = "System Administrator"

// Service implements records.Access.
type Service struct {
	st    *store.Store
	reg   *metadata.Registry
	clock func() time.Time
	// TTL bounds how long a caller's roles, teams and unit are cached. Changes made through
	// this node invalidate the cache at once; TTL bounds the delay for changes made elsewhere.
	TTL time.Duration

	// Events, when set, records every change of the security configuration (roles and their
	// privileges and holders, field security profiles, access team templates) in the audit
	// trail, inside the change's transaction.
	Events func(ctx context.Context, action, entity, recordID string, details map[string]any) error

	mu    sync.Mutex
	cache map[string]*caller // tenant + "/" + user
	gen   map[string]uint64  // tenant → generation, bumped by every change to roles, teams or units
}

// New returns the access service.
func New(st *store.Store, reg *metadata.Registry, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{st: st, reg: reg, clock: clock, TTL: 5 * time.Second, cache: map[string]*caller{}, gen: map[string]uint64{}}
}

// caller is what the security model knows about one user.
type caller struct {
	tenant, user string
	system       bool // the server acting on its own behalf
	admin        bool
	disabled     bool     // the user, or its tenant, is disabled
	tenantOff    bool     // the tenant is disabled
	unit         string   // the user's business unit ("" if none)
	subtree      []string // the unit and every unit below it
	teams        []string // teams the user belongs to
	privs        map[string]map[string]Depth
	fields       map[string]fieldRights // "entity.attribute" → what the caller's profiles allow
	gen          uint64
	loaded       time.Time
}

func (c *caller) depth(entity, privilege string) Depth {
	d := c.privs[entity][privilege]
	if w := c.privs[Wildcard][privilege]; w > d {
		d = w
	}
	return d
}

// invalidate drops the cached callers of tenant, now and again when ctx's transaction commits:
// a request that loads a caller while the change is still uncommitted caches the old state under
// the new generation, and the second bump throws that copy away.
func (s *Service) invalidate(ctx context.Context, tenant string) {
	bump := func() {
		s.mu.Lock()
		s.gen[tenant]++
		s.mu.Unlock()
	}
	bump()
	store.AfterCommit(ctx, bump)
}

// Observe invalidates the tenant's cached callers when users, teams, units or team memberships change.
func (s *Service) Observe(ctx context.Context, c records.Change) {
	if c.Entity == nil {
		return
	}
	switch c.Entity.Name {
	case "user", "team", "business_unit":
		s.invalidate(ctx, c.TenantID)
		return
	}
	if strings.HasPrefix(c.Related, "team_membership:") {
		s.invalidate(ctx, c.TenantID)
	}
}

// callerOf returns the security facts of the principal in ctx.
func (s *Service) callerOf(ctx context.Context) (*caller, error) {
	p, ok := principal.From(ctx)
	if !ok || p.TenantID == "" {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	if p.Method == "system" {
		return &caller{tenant: p.TenantID, system: true, admin: true}, nil
	}
	key := p.TenantID + "/" + p.UserID
	now := time.Now()
	s.mu.Lock()
	gen := s.gen[p.TenantID]
	c := s.cache[key]
	s.mu.Unlock()
	if c != nil && c.gen == gen && now.Sub(c.loaded) < s.TTL {
		return c, nil
	}
	c, err := s.load(ctx, p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	c.gen, c.loaded = gen, now
	s.mu.Lock()
	if len(s.cache) > 100000 {
		s.cache = map[string]*caller{}
	}
	s.cache[key] = c
	s.mu.Unlock()
	return c, nil
}

// load reads a user's unit, teams and roles.
func (s *Service) load(ctx context.Context, tenant, user string) (*caller, error) {
	c := &caller{tenant: tenant, user: user, privs: map[string]map[string]Depth{}}
	if user == "" {
		return c, nil
	}
	ph := s.st.D.Placeholder
	guid := &metadata.Attribute{Type: metadata.TypeGUID}
	var status string
	if err := s.st.QueryRow(ctx, `SELECT status FROM tenant WHERE id = `+ph(1), tenant).Scan(&status); err != nil && !isNoRows(err) {
		return nil, err
	}
	if status != "active" {
		c.disabled, c.tenantOff = true, true
		return c, nil
	}
	var unit, disabled any
	err := s.st.QueryRow(ctx, `SELECT "business_unit_id", "is_disabled" FROM "user" WHERE "tenant_id" = `+ph(1)+` AND "id" = `+ph(2), tenant, user).Scan(&unit, &disabled)
	if err != nil {
		if isNoRows(err) {
			return c, nil // no such user: no privileges
		}
		return nil, err
	}
	if v, _ := s.st.D.Decode(guid, unit); v != nil {
		c.unit = v.(string)
	}
	if v, _ := s.st.D.Decode(&metadata.Attribute{Type: metadata.TypeBoolean}, disabled); v == true {
		c.disabled = true
		return c, nil
	}
	if c.teams, err = s.ids(ctx, `SELECT "team_id" FROM "team_membership" WHERE "tenant_id" = `+ph(1)+` AND "user_id" = `+ph(2), tenant, user); err != nil {
		return nil, err
	}
	if c.unit != "" {
		c.subtree, err = s.ids(ctx, `WITH RECURSIVE sub(id) AS (SELECT "id" FROM "business_unit" WHERE "tenant_id" = `+ph(1)+` AND "id" = `+ph(2)+
			` UNION SELECT b."id" FROM "business_unit" b JOIN sub ON b."parent_business_unit_id" = sub.id WHERE b."tenant_id" = `+ph(1)+`) SELECT id FROM sub`, tenant, c.unit)
		if err != nil {
			return nil, err
		}
	}
	args := &store.Args{D: s.st.D}
	t := args.Add(tenant)
	holders := []string{args.Add(user)}
	for _, team := range c.teams {
		holders = append(holders, args.Add(team))
	}
	rows, err := s.st.Query(ctx, `SELECT r.is_admin, p.entity, p.privilege, p.depth FROM principal_role pr`+
		` JOIN security_role r ON r.tenant_id = pr.tenant_id AND r.id = pr.role_id`+
		` LEFT JOIN role_privilege p ON p.tenant_id = r.tenant_id AND p.role_id = r.id`+
		` WHERE pr.tenant_id = `+t+` AND pr.principal_id IN (`+strings.Join(holders, ", ")+`)`, args.List...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var admin any
		var entity, privilege *string
		var depth *int64
		if err := rows.Scan(&admin, &entity, &privilege, &depth); err != nil {
			return nil, err
		}
		if v, _ := s.st.D.Decode(&metadata.Attribute{Type: metadata.TypeBoolean}, admin); v == true {
			c.admin = true
		}
		if entity == nil || privilege == nil || depth == nil {
			continue
		}
		m := c.privs[*entity]
		if m == nil {
			m = map[string]Depth{}
			c.privs[*entity] = m
		}
		if d := Depth(*depth); d > m[*privilege] {
			m[*privilege] = d
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return c, s.loadFields(ctx, c)
}

// ids runs a one-column query of ids.
func (s *Service) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.st.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	guid := &metadata.Attribute{Type: metadata.TypeGUID}
	var out []string
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		v, err := s.st.D.Decode(guid, raw)
		if err != nil {
			return nil, err
		}
		if id, ok := v.(string); ok {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// IsAdmin reports whether the principal in ctx administers its tenant (holds a role marked
// as administrator, directly or through a team).
func (s *Service) IsAdmin(ctx context.Context) (bool, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return false, err
	}
	return c.admin && !c.disabled, nil
}

// Admit checks that the authenticated principal in ctx may use its tenant (neither the tenant
// nor the user is disabled) and reports whether it administers the tenant. The API calls it
// on every request.
func (s *Service) Admit(ctx context.Context) (admin bool, err error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return false, err
	}
	switch {
	case c.tenantOff:
		return false, fault.New(fault.Permission, "tenant_disabled", "your organisation's account is disabled")
	case c.disabled:
		return false, fault.New(fault.Permission, "user_disabled", "your user is disabled")
	}
	return c.admin, nil
}

// requireAdmin fails unless the caller administers its tenant.
func (s *Service) requireAdmin(ctx context.Context) (*caller, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if !c.admin || c.disabled {
		return nil, fault.New(fault.Permission, "admin_required", "only a tenant administrator may manage security")
	}
	return c, nil
}

// Authorize implements records.Access: the caller needs op's privilege on e at some depth, and,
// for an existing record, the record must lie within that depth (or be shared with the caller).
func (s *Service) Authorize(ctx context.Context, op records.Op, e *metadata.Entity, rec *records.Record) error {
	c, err := s.callerOf(ctx)
	if err != nil {
		return err
	}
	if c.disabled {
		return fault.New(fault.Permission, "user_disabled", "your user is disabled")
	}
	if c.admin {
		return nil
	}
	priv := privilegeOf(op)
	if c.depth(s.privilegeEntity(e), priv) == None {
		return denied(op, e)
	}
	if rec == nil || rec.ID() == "" {
		return nil
	}
	args := &store.Args{D: s.st.D}
	pred := s.predicate(c, e, op, "t", args)
	if pred == "" {
		return nil
	}
	q := `SELECT 1 FROM ` + store.Quote(e.Table()) + ` t WHERE t."tenant_id" = ` + args.Add(c.tenant) + ` AND t."id" = ` + args.Add(rec.ID()) + ` AND (` + pred + `)`
	var one int
	if err := s.st.QueryRow(ctx, q, args.List...).Scan(&one); err != nil {
		if isNoRows(err) {
			return denied(op, e)
		}
		return err
	}
	return nil
}

func denied(op records.Op, e *metadata.Entity) error {
	return fault.Newf(fault.Permission, "access_denied", "you may not %s this %s", strings.ReplaceAll(privilegeOf(op), "_", " "), e.Name)
}

// Predicate implements records.Access.
func (s *Service) Predicate(ctx context.Context, op records.Op) func(e *metadata.Entity, alias string, args *store.Args) (string, error) {
	var c *caller
	var err error
	var once sync.Once
	return func(e *metadata.Entity, alias string, args *store.Args) (string, error) {
		once.Do(func() { c, err = s.callerOf(ctx) })
		if err != nil {
			return "", err
		}
		if c.disabled {
			return "1 = 0", nil
		}
		return s.predicate(c, e, op, alias, args), nil
	}
}

// privilegeEntity is the entity whose privileges govern e: the union view of activities has
// privileges of its own ("activity").
func (s *Service) privilegeEntity(e *metadata.Entity) string { return e.Name }

// predicate renders the rows of e under alias on which c holds op.
func (s *Service) predicate(c *caller, e *metadata.Entity, op records.Op, alias string, args *store.Args) string {
	if c.admin {
		return ""
	}
	depth := c.depth(s.privilegeEntity(e), privilegeOf(op))
	if e.OrganizationOwned() {
		if depth >= User {
			return ""
		}
		return "1 = 0"
	}
	switch depth {
	case None:
		return "1 = 0"
	case Organization:
		return ""
	}
	col := func(name string) string { return alias + "." + store.Quote(name) }
	t := args.Add(c.tenant)
	mine := []string{args.Add(c.user)}
	for _, team := range c.teams {
		mine = append(mine, args.Add(team))
	}
	in := strings.Join(mine, ", ")
	ors := []string{col("owner_id") + " IN (" + in + ")"}
	if depth >= BusinessUnit && c.unit != "" {
		units := []string{c.unit}
		if depth == ParentChild {
			units = c.subtree
		}
		ph := make([]string, len(units))
		for i, u := range units {
			ph[i] = args.Add(u)
		}
		list := strings.Join(ph, ", ")
		ors = append(ors, col("owner_id")+` IN (SELECT ou."id" FROM "user" ou WHERE ou."tenant_id" = `+t+` AND ou."business_unit_id" IN (`+list+`)`+
			` UNION ALL SELECT ot."id" FROM "team" ot WHERE ot."tenant_id" = `+t+` AND ot."business_unit_id" IN (`+list+`))`)
	}
	if bit := records.RightOf(op); bit != 0 {
		entity := args.Add(e.Name)
		if len(e.Union) > 0 {
			entity = col("activity_type")
		}
		now := args.Add(s.st.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, s.clock().UTC()))
		b := args.Add(int(bit))
		ors = append(ors,
			`EXISTS (SELECT 1 FROM record_share rs WHERE rs.tenant_id = `+t+` AND rs.entity = `+entity+` AND rs.record_id = `+col("id")+
				` AND rs.principal_id IN (`+in+`) AND (rs.rights & `+b+`) <> 0 AND (rs.expires_at IS NULL OR rs.expires_at > `+now+`))`,
			`EXISTS (SELECT 1 FROM access_team_member am JOIN access_team_template att ON att.tenant_id = am.tenant_id AND att.id = am.template_id`+
				` WHERE am.tenant_id = `+t+` AND am.entity = `+entity+` AND am.record_id = `+col("id")+` AND am.user_id = `+mine[0]+
				` AND (att.rights & `+b+`) <> 0 AND (am.expires_at IS NULL OR am.expires_at > `+now+`))`)
	}
	if q := e.Attr("queue_id"); q != nil && q.Type == metadata.TypeLookup && q.Target == "queue" && op == records.OpRead {
		// The members of a queue see the records in it (cases waiting to be picked).
		ors = append(ors, col("queue_id")+` IN (SELECT qm."queue_id" FROM "queue_membership" qm WHERE qm."tenant_id" = `+t+
			` AND qm."user_id" = `+mine[0]+`)`)
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// Description is what the security model grants the caller, for clients that adapt to it.
type Description struct {
	UserID       string                       `json:"user_id,omitempty"`
	Admin        bool                         `json:"is_admin"`
	Disabled     bool                         `json:"is_disabled,omitempty"`
	BusinessUnit string                       `json:"business_unit_id,omitempty"`
	Teams        []string                     `json:"teams"`
	Privileges   map[string]map[string]string `json:"privileges"` // entity → privilege → depth
}

// Describe returns the caller's roles' privileges, unit and teams.
func (s *Service) Describe(ctx context.Context) (*Description, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	d := &Description{UserID: c.user, Admin: c.admin, Disabled: c.disabled, BusinessUnit: c.unit, Teams: append([]string{}, c.teams...),
		Privileges: map[string]map[string]string{}}
	for entity, privs := range c.privs {
		m := map[string]string{}
		for p, depth := range privs {
			m[p] = depth.String()
		}
		d.Privileges[entity] = m
	}
	return d, nil
}

// event records a security change through Events (in ctx's transaction).
func (s *Service) event(ctx context.Context, action, entity, id string, details map[string]any) error {
	if s.Events == nil {
		return nil
	}
	return s.Events(ctx, action, entity, id, details)
}
