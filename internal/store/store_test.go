package store_test

import (
	"context"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
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
	m, err := s.SyncSystem(ctx, sys, "")
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
	if _, err := s.SyncSystem(ctx, sys2, ""); err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM meta_entity WHERE tenant_id = '`+store.SystemTenant+`' AND kind = 'system'`).Scan(&stored); err != nil || stored != len(sys.Entities) {
		t.Fatalf("stored %d entities, want %d (%v)", stored, len(sys.Entities), err)
	}
}

// TestMigrateUpgradesAnOlderDatabase makes a database of schema version 1 (as the first
// release left it, with data in it) and checks that migrating brings it up to date and keeps
// the data.
func TestMigrateUpgradesAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	all, err := store.Migrations(s.D)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Raw().ExecContext(ctx, `INSERT INTO tenant (id, name, slug, status, version, created_at) VALUES ('00000000-0000-0000-0000-0000000000aa', 'Old', 'old', 'active', 7, '2025-01-01T00:00:00.000000Z')`); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(all)-1 || applied[0] != 2 || applied[len(applied)-1] != all[len(all)-1].Version {
		t.Fatalf("applied %v, want versions 2..%d", applied, all[len(all)-1].Version)
	}
	var n int
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM entity_count`).Scan(&n); err != nil {
		t.Fatalf("entity_count after upgrade: %v", err)
	}
	var v int64
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT version FROM tenant WHERE slug = 'old'`).Scan(&v); err != nil || v != 7 {
		t.Fatalf("tenant kept? version %d, %v", v, err)
	}
}
