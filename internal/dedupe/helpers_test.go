package dedupe_test

import (
	"context"
	"github.com/meridian-crm/meridian/internal/people"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// env is a fresh database (SQLite, or PostgreSQL with MERIDIAN_TEST_DB=postgres) with the
// system entities, a records service with duplicate detection wired and one tenant whose
// administrator ctx carries.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     *store.Store
	recs   *records.Service
	dup    *dedupe.Service
	clock  *clock.Fake
	tenant string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return openEnv(t, true)
}

// openEnv is newEnv, with the duplicate index wired into the records service or not.
func openEnv(t testing.TB, wired bool) *env {
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
	clk := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	recs := records.NewService(st, metadata.NewRegistry(m, st), records.Options{Clock: clk.Now})
	tn, err := tenant.Create(ctx, st, "acme", "acme", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	people.Wire(recs) // contacts' and leads' full names, as the server composes them
	e := &env{t: t, st: st, recs: recs, clock: clk, tenant: tn.ID}
	if wired {
		e.dup = dedupe.Wire(recs)
	}
	e.ctx = principal.With(ctx, principal.Principal{TenantID: tn.ID, UserID: uuid.NewString(), Admin: true})
	// The administrator is a user of the tenant: records it owns can be created again (undo).
	admin := e.create("user", records.Input{"full_name": "Admin", "email": "admin@example.com"})
	e.ctx = principal.With(ctx, principal.Principal{TenantID: tn.ID, UserID: admin, Admin: true})
	return e
}

// create makes a record and returns its id.
func (e *env) create(entity string, in records.Input) string {
	e.t.Helper()
	rec, err := e.recs.Create(e.ctx, entity, in)
	if err != nil {
		e.t.Fatalf("create %s: %v", entity, err)
	}
	return rec.ID()
}

// count returns how many records of entity match filter (OData, "" for all).
func (e *env) count(entity, filter string) int {
	e.t.Helper()
	o, err := query.ParseOptions("$count=true&$top=0" + map[bool]string{true: "", false: "&$filter=" + url.QueryEscape(filter)}[filter == ""])
	if err != nil {
		e.t.Fatal(err)
	}
	page, err := e.recs.List(e.ctx, entity, o, records.ReadOptions{})
	if err != nil {
		e.t.Fatalf("count %s %s: %v", entity, filter, err)
	}
	return int(*page.Count)
}

// ids of candidates.
func candidateIDs(cs []dedupe.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
