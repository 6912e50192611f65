package api_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// appRole creates a PostgreSQL role for requests (no BYPASSRLS) and drops it after the test.
func appRole(t *testing.T) string {
	t.Helper()
	base := storetest.DefaultPostgres
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "meridian_req_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE ROLE ` + role + ` NOLOGIN NOBYPASSRLS`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec(`DROP OWNED BY ` + role)
		_, _ = db.Exec(`DROP ROLE ` + role)
		db.Close()
	})
	return role
}

// TestRequestsUnderRowLevelSecurity runs the server with an application role (PostgreSQL):
// requests work as usual — records, custom entities (their DDL runs as the owner), bulk writes,
// audit — and a query on a request's connection that names no tenant still sees only the
// request's tenant.
func TestRequestsUnderRowLevelSecurity(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature")
	}
	s := &server{t: t, dsn: storetest.DSN(t), appRole: appRole(t)}
	s.start()
	t.Cleanup(s.stop)
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Under the wall"})
	c.get("accounts(" + acc + ")").want(http.StatusOK)
	c.patch("accounts("+acc+")", map[string]any{"city": "Suzhou"}).want(http.StatusNoContent, http.StatusOK)
	c.post("metadata/entities", map[string]any{"name": "site", "set_name": "sites", "display_name": map[string]any{"en": "Site"},
		"attributes": []any{map[string]any{"name": "title", "type": "string"}, map[string]any{"name": "account_id", "type": "lookup", "target": "account"}}}).
		want(http.StatusCreated)
	c.create("sites", map[string]any{"title": "Plant 1", "account_id": acc})
	c.post("$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "accounts", "atomicityGroup": "g", "body": map[string]any{"name": "Batch one"}},
		map[string]any{"id": "2", "method": "POST", "url": "accounts", "atomicityGroup": "g", "body": map[string]any{"name": "Batch two"}},
	}}).want(http.StatusOK)
	if n := c.count("accounts"); n != 3 {
		t.Fatalf("%d accounts", n)
	}
	if got := c.get("audit?$filter=record_id%20eq%20" + acc).want(http.StatusOK).values(); len(got) < 2 {
		t.Fatalf("audit entries of the account: %d", len(got))
	}

	// Another tenant's rows, written by the server itself.
	ctx := context.Background()
	other, err := s.app.EnsureTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Records.Create(principal.With(ctx, principal.System(other.ID)), "account", records.Input{"name": "Elsewhere"}); err != nil {
		t.Fatal(err)
	}
	def, err := s.app.EnsureTenant(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	// A query that forgets the tenant predicate, on a request's connection.
	rctx, release, err := s.app.Store.ForTenant(ctx, def.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var n int
	if err := s.app.Store.QueryRow(rctx, `SELECT COUNT(*) FROM account`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("a tenant connection counts %d accounts (%v), want its own 3", n, err)
	}
	if err := s.app.Store.QueryRow(ctx, `SELECT COUNT(*) FROM account`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("the owner counts %d accounts (%v), want 4", n, err)
	}
}
