package schema_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

var now = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a database with the system entities, the schema and records services over one
// registry, and a tenant whose administrator ctx carries.
type env struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	reg    *metadata.Registry
	schema *schema.Service
	rec    *records.Service
}

// open syncs the system metadata on dsn (migrating it first) and returns services on it. The
// store is closed at the end of the test.
func open(t *testing.T, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	reg := metadata.NewRegistry(m, st)
	return &env{t: t, st: st, reg: reg, schema: schema.NewService(st, reg),
		rec: records.NewService(st, reg, records.Options{Clock: func() time.Time { return now }})}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := open(t, storetest.DSN(t))
	e.ctx = e.newTenant("acme")
	return e
}

func (e *env) newTenant(slug string) context.Context {
	e.t.Helper()
	tn, err := tenant.Create(context.Background(), e.st, slug, slug, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return principal.With(context.Background(), principal.Principal{TenantID: tn.ID, UserID: uuid.NewString(), Admin: true})
}

// project is the custom entity of these tests: a lookup to account, a choice and money.
func project() *metadata.Entity {
	return &metadata.Entity{
		Name:        "project",
		DisplayName: metadata.Label{EN: "Project", ZH: "项目"},
		Attributes: []*metadata.Attribute{
			{Name: "name", Type: metadata.TypeString, Required: true, MaxLength: 100},
			{Name: "account_id", Type: metadata.TypeLookup, Target: "account"},
			{Name: "phase", Type: metadata.TypeChoice, Default: json.RawMessage(`"plan"`), Options: []metadata.Option{
				{Value: "plan", Label: metadata.Label{EN: "Plan", ZH: "计划"}},
				{Value: "build", Label: metadata.Label{EN: "Build", ZH: "建设"}},
				{Value: "done", Label: metadata.Label{EN: "Done", ZH: "完成"}}}},
			{Name: "budget", Type: metadata.TypeMoney},
			{Name: "notes", Type: metadata.TypeText},
		},
	}
}

func (e *env) createProject() {
	e.t.Helper()
	if _, err := e.schema.CreateEntity(e.ctx, project()); err != nil {
		e.t.Fatal(err)
	}
}

func body(t *testing.T, s string) records.Input {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var in records.Input
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("bad test body %s: %v", s, err)
	}
	return in
}

func (e *env) create(entity, js string) *records.Record {
	e.t.Helper()
	r, err := e.rec.Create(e.ctx, entity, body(e.t, js))
	if err != nil {
		e.t.Fatalf("create %s %s: %v", entity, js, err)
	}
	return r
}

// model returns the data model of the tenant ctx acts in.
func (e *env) model() *metadata.Model {
	e.t.Helper()
	p, _ := principal.From(e.ctx)
	m, err := e.reg.Tenant(e.ctx, p.TenantID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// attr returns a copy of the current definition of entity.name, to change and send back.
func (e *env) attr(entity, name string) *metadata.Attribute {
	e.t.Helper()
	a := e.model().Entity(entity).Attr(name)
	if a == nil {
		e.t.Fatalf("%s.%s does not exist", entity, name)
	}
	c := *a
	c.Options = append([]metadata.Option(nil), a.Options...)
	return &c
}

// tables returns the tables of entity in the tenant's model: its table and extension table, or
// the table a custom entity of that name would have.
func (e *env) tables(entity string) []string {
	e.t.Helper()
	m := e.model()
	en := m.Entity(entity)
	if en == nil {
		return []string{metadata.TenantTable(m.Key(), entity)}
	}
	if en.ExtTable() != "" {
		return []string{en.Table(), en.ExtTable()}
	}
	return []string{en.Table()}
}

// columns returns the column names of entity's tables, read from the database catalog.
func (e *env) columns(entity string) map[string]bool {
	e.t.Helper()
	out := map[string]bool{}
	for _, table := range e.tables(entity) {
		for c := range storetest.Columns(e.t, e.st, table) {
			out[c] = true
		}
	}
	return out
}

// wantCode fails unless err is a fault with code and target (and kind k, when k is not -1).
func wantCode(t *testing.T, err error, k fault.Kind, code, target string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok {
		t.Fatalf("got %v, want %s on %q", err, code, target)
	}
	if fe.Code != code || fe.Target != target || (k >= 0 && fe.Kind != k) {
		t.Fatalf("got %s/%s on %q (%v), want %s/%s on %q", fe.Kind, fe.Code, fe.Target, err, k, code, target)
	}
}
