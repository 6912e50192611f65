package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/search"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// TestSearchReindex rebuilds the index of a tenant from the command line.
func TestSearchReindex(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DB = db
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenant.BySlug(ctx, a.Store, "acme")
	if err != nil {
		t.Fatal(err)
	}
	sys := principal.With(ctx, principal.System(tn.ID))
	for _, name := range []string{"上海华东贸易有限公司", "Harbor Logistics"} {
		if _, err := a.Records.Create(sys, "account", records.Input{"name": name}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	out := run(t, "", "search", "reindex", "--db", db, "--tenant", "acme", "--quiet")
	// The two accounts, the tenant's root business unit and its default SLA policies (one per
	// case priority).
	if !strings.Contains(out, "tenant acme: indexed 7 records") {
		t.Fatalf("reindex: %q", out)
	}
	a, err = app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n, err := a.Search.Pending(ctx, tn.ID); err != nil || n != 0 {
		t.Fatalf("pending after reindex: %d, %v", n, err)
	}
	hits, err := a.Search.Search(sys, a.Records, search.Request{Q: "上海"})
	if err != nil || len(hits) != 1 || hits[0].Title != "上海华东贸易有限公司" {
		t.Fatalf("search after reindex: %v, %v", hits, err)
	}
}
