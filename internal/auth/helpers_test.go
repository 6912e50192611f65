package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// cheap are argon2id parameters that make a hash take microseconds instead of tens of ms.
var cheap = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// env is a migrated database with the system entity tables, and a service on it.
type env struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	a     *Service
	clock *clock.Fake
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncSystem(ctx, sys, ""); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	a := NewService(s, clk.Now)
	p := *cheap
	a.Params = &p
	return &env{t: t, ctx: ctx, s: s, a: a, clock: clk}
}

func (e *env) tenant(slug, status string) string {
	e.t.Helper()
	id := uuid.NewString()
	ph := e.s.D.Placeholder
	_, err := e.s.Exec(e.ctx, `INSERT INTO tenant (id, name, slug, status, created_at) VALUES (`+
		ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`)`,
		id, slug, slug, status, e.a.encodeTime(e.clock.Now()))
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) user(tenantID, name, email string, disabled bool) string {
	e.t.Helper()
	id := uuid.NewString()
	ph := e.s.D.Placeholder
	now := e.a.encodeTime(e.clock.Now())
	_, err := e.s.Exec(e.ctx, `INSERT INTO "user" (tenant_id, id, version, created_at, modified_at, full_name, email, is_disabled)
		VALUES (`+ph(1)+`, `+ph(2)+`, 1, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`, `+ph(6)+`, `+ph(7)+`)`,
		tenantID, id, now, now, name, strings.ToLower(email), e.s.D.Encode(boolean, disabled)) // as the records service stores it
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// userWithPassword adds a user and sets its password.
func (e *env) userWithPassword(tenantID, name, email, pw string) string {
	e.t.Helper()
	id := e.user(tenantID, name, email, false)
	if err := e.a.SetPassword(e.ctx, tenantID, id, pw); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.s.Exec(e.ctx, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// wantCode fails unless err is a fault of kind k with code.
func wantCode(t *testing.T, err error, k fault.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", k, code)
	}
	if fault.KindOf(err) != k || fault.CodeOf(err) != code {
		t.Fatalf("got %s/%s (%v), want %s/%s", fault.KindOf(err), fault.CodeOf(err), err, k, code)
	}
}
