package records_test

import (
	"context"
	"encoding/json"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/people"
	"github.com/meridian-crm/meridian/internal/sales"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// env is a fresh database (SQLite, or PostgreSQL with MERIDIAN_TEST_DB=postgres) with the
// system entities, a records service on it and one tenant whose admin ctx carries.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     *store.Store
	reg    *metadata.Registry
	svc    *records.Service
	schema *schema.Service
	clock  *clock.Fake
	tenant string
}

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func newEnv(t testing.TB) *env {
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
	e := &env{t: t, st: st, reg: reg, clock: clk,
		svc:    records.NewService(st, reg, records.Options{Clock: clk.Now}),
		schema: schema.NewService(st, reg)}
	// The hooks of the packages that own them, as the server registers them (less the sales
	// lifecycles, which the tests of internal/sales cover).
	auth.WireUsers(e.svc)
	people.Wire(e.svc)
	sales.RegisterHooks(e.svc)
	e.ctx, e.tenant = e.newTenant("acme")
	return e
}

// model returns the data model of the test's tenant.
func (e *env) model() *metadata.Model {
	e.t.Helper()
	m, err := e.reg.Tenant(e.ctx, e.tenant)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// newTenant creates a tenant and returns a context acting as its administrator.
func (e *env) newTenant(slug string) (context.Context, string) {
	e.t.Helper()
	tn, err := tenant.Create(context.Background(), e.st, slug, slug, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := principal.With(context.Background(), principal.Principal{TenantID: tn.ID, UserID: uuid.NewString(), Admin: true})
	return ctx, tn.ID
}

// body decodes a JSON object the way the API does (numbers as json.Number).
func body(t testing.TB, s string) records.Input {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var in records.Input
	if err := dec.Decode(&in); err != nil {
		t.Fatalf("bad test body %s: %v", s, err)
	}
	return in
}

// create creates a record in the env's tenant and fails the test on error.
func (e *env) create(entity, js string) *records.Record {
	e.t.Helper()
	return e.createIn(e.ctx, entity, js)
}

func (e *env) createIn(ctx context.Context, entity, js string) *records.Record {
	e.t.Helper()
	r, err := e.svc.Create(ctx, entity, body(e.t, js))
	if err != nil {
		e.t.Fatalf("create %s %s: %v", entity, js, err)
	}
	return r
}

// get reads a record by id with all columns.
func (e *env) get(entity, id string) *records.Record {
	e.t.Helper()
	r, err := e.svc.Get(e.ctx, entity, id, &query.Options{})
	if err != nil {
		e.t.Fatalf("get %s %s: %v", entity, id, err)
	}
	return r
}

// list runs a collection read with raw OData query text.
func (e *env) list(entity, raw string, ro records.ReadOptions) *records.Page {
	e.t.Helper()
	p, err := e.svc.List(e.ctx, entity, opts(e.t, raw), ro)
	if err != nil {
		e.t.Fatalf("list %s?%s: %v", entity, raw, err)
	}
	return p
}

// opts parses raw OData query text.
func opts(t testing.TB, raw string) *query.Options {
	t.Helper()
	o, err := query.ParseOptions(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return o
}

// count returns the rows of entity's table in the env's tenant, read with SQL.
func (e *env) count(entity string) int {
	e.t.Helper()
	var n int
	table := entity // a relationship's table
	if en := e.model().Entity(entity); en != nil {
		table = en.Table()
	} else if r := e.model().Relationship(entity); r != nil {
		table = r.Table()
	}
	err := e.st.DB(e.ctx).QueryRowContext(e.ctx, `SELECT COUNT(*) FROM `+store.Quote(table)+` WHERE "tenant_id" = `+e.st.D.Placeholder(1), e.tenant).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// version returns the env tenant's version.
func (e *env) version() int64 {
	e.t.Helper()
	var v int64
	if err := e.st.DB(e.ctx).QueryRowContext(e.ctx, `SELECT version FROM tenant WHERE id = `+e.st.D.Placeholder(1), e.tenant).Scan(&v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// changeLogLen returns the number of change log rows of the env's tenant.
func (e *env) changeLogLen() int {
	e.t.Helper()
	var n int
	if err := e.st.DB(e.ctx).QueryRowContext(e.ctx, `SELECT COUNT(*) FROM change_log WHERE tenant_id = `+e.st.D.Placeholder(1), e.tenant).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// changeOps returns the change log operations recorded for one record, in version order.
func (e *env) changeOps(entity, id string) string {
	e.t.Helper()
	ph := e.st.D.Placeholder
	rows, err := e.st.DB(e.ctx).QueryContext(e.ctx, `SELECT op FROM change_log WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+
		` AND record_id = `+ph(3)+` ORDER BY version`, e.tenant, entity, id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var ops []string
	for rows.Next() {
		var op string
		if err := rows.Scan(&op); err != nil {
			e.t.Fatal(err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return strings.Join(ops, "")
}

// snapshot is the observable state a failed write must leave untouched.
type snapshot struct {
	rows    map[string]int
	version int64
	log     int
}

func (e *env) snapshot(entities ...string) snapshot {
	e.t.Helper()
	s := snapshot{rows: map[string]int{}, version: e.version(), log: e.changeLogLen()}
	for _, n := range entities {
		s.rows[n] = e.count(n)
	}
	return s
}

// unchanged fails the test if anything in s changed.
func (e *env) unchanged(s snapshot) {
	e.t.Helper()
	for n, want := range s.rows {
		if got := e.count(n); got != want {
			e.t.Errorf("%s rows: got %d, want %d", n, got, want)
		}
	}
	if got := e.version(); got != s.version {
		e.t.Errorf("tenant version: got %d, want %d", got, s.version)
	}
	if got := e.changeLogLen(); got != s.log {
		e.t.Errorf("change log rows: got %d, want %d", got, s.log)
	}
}

// wantFault fails unless err is a fault of kind k and code whose Target is target.
func wantFault(t *testing.T, err error, k fault.Kind, code, target string) *fault.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s on %q", k, code, target)
	}
	fe, ok := fault.As(err)
	if !ok {
		t.Fatalf("got unclassified error %v, want %s/%s on %q", err, k, code, target)
	}
	if fe.Kind != k || fe.Code != code || fe.Target != target {
		t.Fatalf("got %s/%s on %q (%v), want %s/%s on %q", fe.Kind, fe.Code, fe.Target, err, k, code, target)
	}
	return fe
}

// str returns a string column of r ("" when null).
func str(r *records.Record, name string) string {
	s, _ := r.Get(name).(string)
	return s
}

// ids returns the ids of recs in order.
func ids(recs []*records.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID()
	}
	return out
}

// names returns the values of column col of recs in order.
func names(recs []*records.Record, col string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = str(r, col)
	}
	return out
}

// newID returns a random record id.
func newID() string { return uuid.NewString() }

// zeroRO are the default read options.
var zeroRO = records.ReadOptions{}
