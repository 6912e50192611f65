package access_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// world is one database with two tenants. Tenant A has the business units
// root → sales → sales_east and root → service, these users:
//
//	owner        sales       owns the account under test
//	same_unit    sales
//	child_unit   sales_east  owns an account of its own (for the parent-child direction)
//	other_unit   service
//	team_member  service     member of the owner team "Key accounts" (unit service), which owns an account
//	access_member service    in the record's access team (read, write, append) until +1h
//	shared_user  service     the record is shared with them (read, write) until +1h
//
// and tenant B has an administrator. Every user of A holds the role "Sales", whose privileges
// on account are all at the depth under test, with read and append-to on contact at the
// organisation depth.
type world struct {
	t        testing.TB
	ctx      context.Context // tenant A's system principal
	clock    *clock.Fake
	svc      *records.Service
	acc      *access.Service
	reg      *metadata.Registry
	tenantA  string
	tenantB  string
	users    map[string]string // name → id
	units    map[string]string
	team     string
	role     string
	template string
	contact  string // a contact of tenant A every user may read
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	reg := metadata.NewRegistry(m, st)
	clk := clock.NewFake(epoch)
	acc := access.New(st, reg, clk.Now)
	w := &world{t: t, clock: clk, acc: acc, reg: reg, users: map[string]string{}, units: map[string]string{}}
	w.svc = records.NewService(st, reg, records.Options{Clock: clk.Now, Access: acc})
	ta, err := tenant.Create(ctx, st, "Acme", "acme", epoch)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := tenant.Create(ctx, st, "Beta", "beta", epoch)
	if err != nil {
		t.Fatal(err)
	}
	w.tenantA, w.tenantB = ta.ID, tb.ID
	w.ctx = principal.With(ctx, principal.System(ta.ID))
	_, root, err := acc.EnsureDefaults(ctx, w.svc, ta.ID, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	w.units["root"] = root
	w.units["sales"] = w.create("business_unit", map[string]any{"name": "Sales", "parent_business_unit_id": root})
	w.units["sales_east"] = w.create("business_unit", map[string]any{"name": "Sales East", "parent_business_unit_id": w.units["sales"]})
	w.units["service"] = w.create("business_unit", map[string]any{"name": "Service", "parent_business_unit_id": root})
	for name, unit := range map[string]string{"owner": "sales", "same_unit": "sales", "child_unit": "sales_east", "other_unit": "service",
		"team_member": "service", "access_member": "service", "shared_user": "service"} {
		w.users[name] = w.create("user", map[string]any{"full_name": name, "email": name + "@acme.test", "business_unit_id": w.units[unit]})
	}
	w.team = w.create("team", map[string]any{"name": "Key accounts", "team_type": "owner", "business_unit_id": w.units["service"]})
	if err := w.svc.Associate(w.ctx, "team", w.team, "members", w.users["team_member"]); err != nil {
		t.Fatal(err)
	}
	role, err := acc.CreateRole(w.ctx, "Sales", "", false)
	if err != nil {
		t.Fatal(err)
	}
	w.role = role.ID
	for _, id := range w.users {
		if err := acc.AssignRole(w.ctx, w.role, id); err != nil {
			t.Fatal(err)
		}
	}
	tpl, err := acc.CreateTemplate(w.ctx, "Deal team", "account", []string{"read", "write", "append"})
	if err != nil {
		t.Fatal(err)
	}
	w.template = tpl.ID
	w.contact = w.create("contact", map[string]any{"last_name": "Everyone's"})
	// Tenant B's administrator.
	_, _, err = acc.EnsureDefaults(ctx, w.svc, tb.ID, "Beta")
	if err != nil {
		t.Fatal(err)
	}
	bctx := principal.With(ctx, principal.System(tb.ID))
	rec, err := w.svc.Create(bctx, "user", records.Input{"full_name": "B admin", "email": "admin@beta.test"})
	if err != nil {
		t.Fatal(err)
	}
	w.users["other_tenant_admin"] = rec.ID()
	if err := acc.GrantAdmin(bctx, tb.ID, rec.ID()); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) create(entity string, vals map[string]any) string {
	w.t.Helper()
	rec, err := w.svc.Create(w.ctx, entity, input(w.t, vals))
	if err != nil {
		w.t.Fatalf("create %s: %v", entity, err)
	}
	return rec.ID()
}

func input(t testing.TB, vals map[string]any) records.Input {
	t.Helper()
	b, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	var in records.Input
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

// as returns a context acting as user name.
func (w *world) as(name string) context.Context {
	tenant := w.tenantA
	if name == "other_tenant_admin" {
		tenant = w.tenantB
	}
	return principal.With(context.Background(), principal.Principal{TenantID: tenant, UserID: w.users[name], Name: name, Method: "password"})
}

// setDepth gives the Sales role every privilege on account at depth d.
func (w *world) setDepth(d string) {
	w.t.Helper()
	var grants []access.Grant
	for _, p := range access.Privileges {
		grants = append(grants, access.Grant{Entity: "account", Privilege: p, Depth: d})
	}
	grants = append(grants, access.Grant{Entity: "contact", Privilege: "read", Depth: "organization"},
		access.Grant{Entity: "contact", Privilege: "append_to", Depth: "organization"},
		access.Grant{Entity: "contact", Privilege: "write", Depth: "organization"})
	if _, err := w.acc.SetPrivileges(w.ctx, w.role, grants); err != nil {
		w.t.Fatal(err)
	}
}

// fixture creates an account owned by the owner, in the access team of access_member and shared
// with shared_user (both until an hour after the current time), and returns its id.
func (w *world) fixture(name string) string {
	w.t.Helper()
	id := w.create("account", map[string]any{"name": name, "revenue": "1000"})
	if _, err := w.svc.Assign(w.ctx, "account", id, w.users["owner"]); err != nil {
		w.t.Fatal(err)
	}
	until := w.clock.Now().Add(time.Hour)
	if err := w.svc.AddAccessTeamMember(w.ctx, "account", id, w.template, w.users["access_member"], &until); err != nil {
		w.t.Fatal(err)
	}
	rights, _ := records.ParseRights([]string{"read", "write"})
	if err := w.svc.ShareRecord(w.ctx, "account", id, w.users["shared_user"], rights, &until); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// outcome runs op as user on a fresh fixture (or the given record) and reports whether it was
// allowed; a denial must be a permission or not-found fault, anything else fails the test.
func (w *world) outcome(user, op, id string) bool {
	w.t.Helper()
	ctx := w.as(user)
	var err error
	switch op {
	case "read":
		_, err = w.svc.Get(ctx, "account", id, &query.Options{})
	case "list", "export":
		var p *records.Page
		p, err = w.svc.List(ctx, "account", opts(w.t, "$filter=id eq "+id), records.ReadOptions{})
		if err == nil && len(p.Records) != 1 {
			return false
		}
	case "filter_hidden":
		// revenue is under field-level security; only the same-unit user holds a profile that reads it.
		var p *records.Page
		p, err = w.svc.List(ctx, "account", opts(w.t, "$filter=revenue gt 0 and id eq "+id), records.ReadOptions{})
		if err == nil && len(p.Records) != 1 {
			return false
		}
	case "filter_owner":
		var p *records.Page
		p, err = w.svc.List(ctx, "account", opts(w.t, "$filter=owner_id eq "+w.users["owner"]+" and id eq "+id), records.ReadOptions{})
		if err == nil && len(p.Records) != 1 {
			return false
		}
	case "expand":
		if _, err := w.svc.Update(w.ctx, "contact", w.contact, input(w.t, map[string]any{"account_id": id}), ""); err != nil {
			w.t.Fatal(err)
		}
		var rec *records.Record
		rec, err = w.svc.Get(ctx, "contact", w.contact, opts(w.t, "$expand=account($select=name)"))
		if err == nil {
			one, _ := rec.Expanded["account"].(*records.Record)
			return one != nil && one.ID() == id
		}
	case "aggregate":
		var p *records.Page
		p, err = w.svc.List(ctx, "account", opts(w.t, "$apply=filter(id eq "+id+")/aggregate($count as n)"), records.ReadOptions{})
		if err == nil {
			return p.Records[0].Get("n") == int64(1)
		}
	case "update":
		_, err = w.svc.Update(ctx, "account", id, input(w.t, map[string]any{"city": "Hangzhou"}), "")
	case "delete":
		err = w.svc.Delete(ctx, "account", id, "")
	case "assign":
		_, err = w.svc.Assign(ctx, "account", id, w.users["same_unit"])
	case "share":
		rights, _ := records.ParseRights([]string{"read"})
		err = w.svc.ShareRecord(ctx, "account", id, w.users["other_unit"], rights, nil)
	case "associate":
		err = w.svc.Associate(ctx, "account", id, "contacts", w.contact)
	case "lookup":
		_, err = w.svc.Update(ctx, "contact", w.contact, input(w.t, map[string]any{"account_id": id}), "")
	default:
		w.t.Fatalf("unknown op %s", op)
	}
	if err == nil {
		return true
	}
	if !fault.Is(err, fault.Permission) && !fault.Is(err, fault.NotFound) {
		w.t.Fatalf("%s %s: unexpected error %v", user, op, err)
	}
	return false
}

func opts(t testing.TB, raw string) *query.Options {
	t.Helper()
	o, err := query.ParseOptions(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var readOps = []string{"read", "list", "filter_owner", "filter_hidden", "expand", "aggregate", "export"}
var writeOps = []string{"update", "delete", "assign", "share", "associate", "lookup"}

// TestPermissionMatrix checks every principal × depth × operation against the Dataverse rules,
// before and after the share and access team membership expire.
func TestPermissionMatrix(t *testing.T) {
	w := newWorld(t)
	// account.revenue is a secured field; the same-unit user may read it, nobody else.
	sch := schema.NewService(w.svc.Store(), w.reg)
	m, err := w.svc.Model(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev := *m.Entity("account").Attr("revenue")
	rev.Secured = true
	if _, err := sch.UpdateAttribute(w.ctx, "account", "revenue", &rev, false); err != nil {
		t.Fatal(err)
	}
	prof, err := w.acc.CreateProfile(w.ctx, "Revenue readers", "", []access.FieldPermission{{Entity: "account", Attribute: "revenue", Read: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.acc.AddProfileMember(w.ctx, prof.ID, w.users["same_unit"]); err != nil {
		t.Fatal(err)
	}
	for _, depth := range []string{"user", "business_unit", "parent_child", "organization"} {
		w.setDepth(depth)
		for _, expired := range []bool{false, true} {
			// who sees the owner's record, per depth (before expiry).
			want := func(user, op string) bool {
				if user == "other_tenant_admin" || (op == "filter_hidden" && user != "same_unit") {
					return false // filtering by a field one may not read is refused, whatever the row
				}
				reach := map[string]bool{"owner": true}
				switch depth {
				case "business_unit", "parent_child":
					reach["same_unit"] = true
				case "organization":
					for u := range w.users {
						reach[u] = true
					}
					delete(reach, "other_tenant_admin")
				}
				if reach[user] {
					return true
				}
				if expired {
					return false
				}
				switch user {
				case "shared_user": // read and write
					return op != "delete" && op != "assign" && op != "share" && op != "associate" && op != "lookup"
				case "access_member": // read, write and append
					return op != "delete" && op != "assign" && op != "share" && op != "lookup"
				}
				return false
			}
			for user := range w.users {
				for _, op := range append(append([]string{}, readOps...), writeOps...) {
					w.clock.Set(epoch)
					id := w.fixture(fmt.Sprintf("%s %s %s", depth, user, op))
					if expired {
						w.clock.Set(epoch.Add(time.Hour)) // the instant they expire
					}
					if got, exp := w.outcome(user, op, id), want(user, op); got != exp {
						t.Errorf("depth %s, expired %v: %s %s: allowed=%v, want %v", depth, expired, user, op, got, exp)
					}
				}
			}
		}
	}
}

// TestOwnershipReach checks the direction of the business unit depths and team ownership.
func TestOwnershipReach(t *testing.T) {
	w := newWorld(t)
	childRec := w.create("account", map[string]any{"name": "Child unit's"})
	if _, err := w.svc.Assign(w.ctx, "account", childRec, w.users["child_unit"]); err != nil {
		t.Fatal(err)
	}
	teamRec := w.create("account", map[string]any{"name": "Team's"})
	if _, err := w.svc.Assign(w.ctx, "account", teamRec, w.team); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		depth, user, id string
		want            bool
	}{
		{"business_unit", "same_unit", childRec, false},
		{"parent_child", "same_unit", childRec, true},  // sales sees sales_east
		{"parent_child", "child_unit", childRec, true}, // its own
		{"parent_child", "other_unit", childRec, false},
		{"user", "team_member", teamRec, true}, // owned by a team of theirs
		{"user", "other_unit", teamRec, false},
		{"business_unit", "other_unit", teamRec, true}, // the team belongs to service
		{"business_unit", "owner", teamRec, false},
	}
	for _, c := range cases {
		w.setDepth(c.depth)
		if got := w.outcome(c.user, "read", c.id); got != c.want {
			t.Errorf("depth %s: %s reads %s: %v, want %v", c.depth, c.user, c.id, got, c.want)
		}
	}
	// Leaving the team takes the team's records away at once.
	w.setDepth("user")
	if err := w.svc.Disassociate(w.ctx, "team", w.team, "members", w.users["team_member"]); err != nil {
		t.Fatal(err)
	}
	if w.outcome("team_member", "read", teamRec) {
		t.Error("a former team member still reads the team's record")
	}
}

// TestNoRoleSeesNothing: a user without roles can sign in but neither read nor create.
func TestNoRoleSeesNothing(t *testing.T) {
	w := newWorld(t)
	w.setDepth("organization")
	id := w.create("user", map[string]any{"full_name": "Nobody", "email": "nobody@acme.test", "business_unit_id": w.units["sales"]})
	ctx := principal.With(context.Background(), principal.Principal{TenantID: w.tenantA, UserID: id, Method: "password"})
	p, err := w.svc.List(ctx, "account", &query.Options{}, records.ReadOptions{})
	if err == nil && len(p.Records) > 0 {
		t.Errorf("a user without roles lists %d accounts", len(p.Records))
	}
	_, err = w.svc.Create(ctx, "account", input(t, map[string]any{"name": "x"}))
	if !fault.Is(err, fault.Permission) {
		t.Errorf("a user without roles creates: %v", err)
	}
	if ok, _ := w.acc.IsAdmin(ctx); ok {
		t.Error("a user without roles is an administrator")
	}
	// Disabling a user takes everything away.
	if _, err := w.svc.Update(w.ctx, "user", w.users["owner"], input(t, map[string]any{"is_disabled": true}), ""); err != nil {
		t.Fatal(err)
	}
	id2 := w.fixture("disabled owner's")
	if w.outcome("owner", "read", id2) {
		t.Error("a disabled user reads its record")
	}
	if !strings.Contains(fmt.Sprint(w.users), w.users["owner"]) {
		t.Fatal("unreachable")
	}
}

// TestCountFollowsVisibility: an unfiltered $count counts the rows the caller may see — the
// tenant's stored row count answers only callers who see every row.
func TestCountFollowsVisibility(t *testing.T) {
	w := newWorld(t)
	w.setDepth("user")
	w.fixture("owned")
	w.create("account", map[string]any{"name": "nobody's"})
	count := func(ctx context.Context) int64 {
		t.Helper()
		p, err := w.svc.List(ctx, "account", opts(t, "$count=true&$top=1"), records.ReadOptions{})
		if err != nil || p.Count == nil {
			t.Fatalf("count: %v", err)
		}
		return *p.Count
	}
	if n := count(w.as("owner")); n != 1 {
		t.Errorf("owner counts %d accounts, want 1", n)
	}
	if n := count(w.as("other_unit")); n != 0 {
		t.Errorf("other_unit counts %d accounts, want 0", n)
	}
	if n := count(w.ctx); n != 2 {
		t.Errorf("the system counts %d accounts, want 2", n)
	}
}

// TestDisabledTenant: disabling a tenant stops its users at once; enabling restores them.
func TestDisabledTenant(t *testing.T) {
	w := newWorld(t)
	w.setDepth("organization")
	id := w.fixture("kept")
	if _, err := w.acc.Admit(w.as("owner")); err != nil {
		t.Fatal(err)
	}
	if _, err := tenant.SetStatus(context.Background(), w.svc.Store(), "acme", tenant.Disabled); err != nil {
		t.Fatal(err)
	}
	w.acc.TTL = 0 // another process disabled it: the cache must not hide that
	if _, err := w.acc.Admit(w.as("owner")); !fault.Is(err, fault.Permission) {
		t.Errorf("a disabled tenant's user is admitted: %v", err)
	}
	if w.outcome("owner", "read", id) {
		t.Error("a disabled tenant's user reads")
	}
	if ok, _ := w.acc.Admit(w.as("other_tenant_admin")); !ok {
		t.Error("another tenant's administrator is affected")
	}
	if _, err := tenant.SetStatus(context.Background(), w.svc.Store(), "acme", tenant.Active); err != nil {
		t.Fatal(err)
	}
	if !w.outcome("owner", "read", id) {
		t.Error("re-enabled tenant's user cannot read")
	}
}

// TestAccessTeamsHoldNoRoles: only users and owner teams hold roles.
func TestAccessTeamsHoldNoRoles(t *testing.T) {
	w := newWorld(t)
	team := w.create("team", map[string]any{"name": "Deal room", "team_type": "access", "business_unit_id": w.units["sales"]})
	err := w.acc.AssignRole(w.ctx, w.role, team)
	if fe, ok := fault.As(err); !ok || fe.Code != "not_owner_team" {
		t.Fatalf("a role given to an access team: %v", err)
	}
	if err := w.acc.AssignRole(w.ctx, w.role, w.team); err != nil {
		t.Fatalf("a role given to an owner team: %v", err)
	}
}

// TestOwnerIsAssigned: setting owner_id on create or update is an assignment — it needs the
// assign privilege — and the owner must be a user or owner team of the tenant.
func TestOwnerIsAssigned(t *testing.T) {
	w := newWorld(t)
	grants := []access.Grant{{Entity: "account", Privilege: "create", Depth: "user"}, {Entity: "account", Privilege: "read", Depth: "user"},
		{Entity: "account", Privilege: "write", Depth: "user"}}
	if _, err := w.acc.SetPrivileges(w.ctx, w.role, grants); err != nil {
		t.Fatal(err)
	}
	ctx := w.as("owner")
	code := func(err error) string {
		if fe, ok := fault.As(err); ok {
			if len(fe.Details) > 0 {
				return fe.Details[0].Code + "@" + fe.Details[0].Target
			}
			return fe.Code + "@" + fe.Target
		}
		return fmt.Sprint(err)
	}
	_, err := w.svc.Create(ctx, "account", input(t, map[string]any{"name": "For someone else", "owner_id": w.users["same_unit"]}))
	if got := code(err); got != "access_denied@owner_id" {
		t.Errorf("create owned by another without assign: %s", got)
	}
	mine, err := w.svc.Create(ctx, "account", input(t, map[string]any{"name": "Mine", "owner_id": w.users["owner"]}))
	if err != nil {
		t.Fatalf("create owned by oneself: %v", err)
	}
	_, err = w.svc.Update(ctx, "account", mine.ID(), input(t, map[string]any{"owner_id": w.users["same_unit"]}), "")
	if got := code(err); got != "access_denied@owner_id" {
		t.Errorf("reassign by update without assign: %s", got)
	}
	grants = append(grants, access.Grant{Entity: "account", Privilege: "assign", Depth: "user"})
	if _, err := w.acc.SetPrivileges(w.ctx, w.role, grants); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Update(ctx, "account", mine.ID(), input(t, map[string]any{"owner_id": newUUID()}), "")
	if got := code(err); got != "owner_not_found@owner_id" {
		t.Errorf("an owner that does not exist: %s", got)
	}
	room := w.create("team", map[string]any{"name": "Room", "team_type": "access", "business_unit_id": w.units["sales"]})
	_, err = w.svc.Update(ctx, "account", mine.ID(), input(t, map[string]any{"owner_id": room}), "")
	if got := code(err); got != "owner_not_found@owner_id" {
		t.Errorf("an access team as owner: %s", got)
	}
	if _, err := w.svc.Update(ctx, "account", mine.ID(), input(t, map[string]any{"owner_id": w.users["same_unit"]}), ""); err != nil {
		t.Errorf("reassign with the assign privilege: %v", err)
	}
}

func newUUID() string { return uuid.NewString() }
