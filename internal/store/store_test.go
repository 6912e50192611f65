package store_test

import (
	"context"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func TestMigrateAndSyncSystem(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	// A second migrate applies nothing.
	if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v", applied, err)
	}
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.SyncSystem(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	if m.Entity("account") == nil {
		t.Fatal("account missing from synced model")
	}
	// The tables exist and the activity view answers.
	for _, q := range []string{`SELECT COUNT(*) FROM "account"`, `SELECT COUNT(*) FROM "activity"`, `SELECT COUNT(*) FROM "team_membership"`} {
		var n int
		if err := s.DB(ctx).QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Syncing again is a no-op and succeeds.
	sys2, _ := metadata.System()
	if _, err := s.SyncSystem(ctx, sys2); err != nil {
		t.Fatal(err)
	}
	stored, err := s.LoadDefinitions(ctx)
	if err != nil || len(stored.Entities) != len(sys.Entities) {
		t.Fatalf("stored %d entities, want %d (%v)", len(stored.Entities), len(sys.Entities), err)
	}
}
