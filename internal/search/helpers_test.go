package search_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/search"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// openTenant opens a fresh database (SQLite, or PostgreSQL with MERIDIAN_TEST_DB=postgres) with
// a tenant and returns the app and a system context in the tenant.
func openTenant(t testing.TB) (*app.App, context.Context) {
	t.Helper()
	c := app.Defaults()
	c.DB = storetest.DSN(t)
	ctx := context.Background()
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	tn, err := a.EnsureTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return a, principal.With(ctx, principal.System(tn.ID))
}

// find searches as ctx's principal and returns the hits.
func find(t testing.TB, a *app.App, ctx context.Context, q string, sets ...string) []search.Hit {
	t.Helper()
	hits, err := a.Search.Search(ctx, a.Records, search.Request{Q: q, Sets: sets, Top: 20})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return hits
}
