package audit_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// env is a fresh database (SQLite, or PostgreSQL with MERIDIAN_TEST_DB=postgres) with the system
// entities, a records service audited by an audit service, and one tenant acted on by ctx: a
// user with a name, signed in by password, calling from a known address.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     *store.Store
	svc    *records.Service
	aud    *audit.Service
	clock  *clock.Fake
	tenant string
	user   string
}

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC)

var origin = principal.Origin{IP: "203.0.113.7", UserAgent: "audit-test/1.0", RequestID: "req-0001"}

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
	clk := clock.NewFake(epoch)
	aud := audit.NewService(st, clk.Now)
	e := &env{t: t, st: st, aud: aud, clock: clk,
		svc: records.NewService(st, metadata.NewRegistry(m, st), records.Options{Clock: clk.Now, Auditor: aud})}
	e.ctx, e.tenant, e.user = e.newTenant("acme")
	return e
}

// newTenant creates a tenant and returns a context acting as its administrator, with the ids.
func (e *env) newTenant(slug string) (context.Context, string, string) {
	e.t.Helper()
	tn, err := tenant.Create(context.Background(), e.st, slug, slug, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	user := uuid.NewString()
	ctx := principal.With(context.Background(), principal.Principal{TenantID: tn.ID, UserID: user, Name: "Ada Admin", Method: "password", Admin: true})
	return principal.WithOrigin(ctx, origin), tn.ID, user
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

func (e *env) create(entity, js string) *records.Record {
	e.t.Helper()
	r, err := e.svc.Create(e.ctx, entity, body(e.t, js))
	if err != nil {
		e.t.Fatalf("create %s %s: %v", entity, js, err)
	}
	return r
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

// list returns every entry of the env's tenant that the raw query selects, following the pages.
func (e *env) list(raw string) []*audit.Entry {
	e.t.Helper()
	return e.listIn(e.ctx, raw, 0)
}

func (e *env) listIn(ctx context.Context, raw string, pageSize int) []*audit.Entry {
	e.t.Helper()
	o := opts(e.t, raw)
	var out []*audit.Entry
	for pages := 0; ; pages++ {
		if pages > 1000 {
			e.t.Fatalf("more than 1000 pages of %q", raw)
		}
		p, err := e.aud.List(ctx, o, pageSize)
		if err != nil {
			e.t.Fatalf("list audit %q: %v", raw, err)
		}
		out = append(out, p.Entries...)
		if p.Next == "" {
			return out
		}
		o.SkipToken = p.Next
	}
}

// head returns the seq of the tenant's last entry (0 without one).
func (e *env) head() int64 {
	e.t.Helper()
	es := e.list("$orderby=seq desc&$top=1")
	if len(es) == 0 {
		return 0
	}
	return es[0].Seq
}

// since returns the entries written after seq, in order.
func (e *env) since(seq int64) []*audit.Entry {
	e.t.Helper()
	return e.list("$filter=seq gt " + strconv.FormatInt(seq, 10))
}

// changes decodes an entry's changes.
func changes(t testing.TB, en *audit.Entry) map[string]any {
	t.Helper()
	if len(en.Changes) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(en.Changes, &m); err != nil {
		t.Fatalf("changes of entry %d are not a JSON object: %s", en.Seq, en.Changes)
	}
	return m
}

// verify runs Verify on every tenant and returns the breaks.
func (e *env) verify() []audit.Break {
	e.t.Helper()
	reps, err := e.aud.Verify(context.Background(), "")
	if err != nil {
		e.t.Fatalf("verify: %v", err)
	}
	var out []audit.Break
	for _, r := range reps {
		out = append(out, r.Breaks...)
	}
	return out
}

// exec runs SQL on the database behind the application's back (the tampering of the tests).
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.st.Raw().ExecContext(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}
