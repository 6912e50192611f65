package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

const pw = "correct horse battery staple"

// call makes a JSON request and returns the status and decoded body.
func call(t *testing.T, srv *httptest.Server, method, path, token string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL+"/api/v1/"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func count(t *testing.T, a *app.App, q string, args ...any) int {
	t.Helper()
	var n int
	if err := a.Store.Raw().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestPinnedTenant runs an installation whose tenant "secret" is pinned to a database of its
// own: its users sign in through the same server, its records, credentials and audit trail live
// only in its database, and the main database's tenants cannot reach them.
func TestPinnedTenant(t *testing.T) {
	ctx := context.Background()
	// The main database follows MERIDIAN_TEST_DB; the pinned one is an embedded SQLite file, as an
	// on-premises tenant of a PostgreSQL cloud installation would be (hybrid deployment).
	mainDSN, vaultDSN := storetest.DSN(t), "sqlite:"+filepath.Join(t.TempDir(), "vault.db")
	cfg := app.Defaults()
	cfg.DB, cfg.Placements = mainDSN, "vault="+vaultDSN
	cfg.AdminEmail, cfg.AdminPassword = "admin@example.com", pw
	cfg.DataDir = t.TempDir()
	open := func() *app.App {
		a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		cheap := argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
		a.Auth.Params = &cheap
		a.Placement("vault").Auth.Params = &cheap
		return a
	}
	a := open()
	if err := a.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateTenant(ctx, "elsewhere", "x", "nowhere"); !fault.Is(err, fault.Invalid) {
		t.Fatalf("a tenant in an unknown placement: %v", err)
	}
	sec, err := a.CreateTenant(ctx, "secret", "Secret Ltd", "vault")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateTenant(ctx, "secret", "Again", "vault"); !fault.Is(err, fault.Conflict) {
		t.Fatalf("a second tenant with the same slug: %v", err)
	}
	vault := a.Placement("vault")
	if _, err := vault.CreateUser(ctx, sec.ID, "boss@secret.example", "Boss", pw, access.AdminRole); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	st, body := call(t, srv, "POST", "auth/login", "", map[string]any{"email": "boss@secret.example", "password": pw, "tenant": "secret"})
	if st != http.StatusOK {
		t.Fatalf("sign-in to the pinned tenant: %d %v", st, body)
	}
	boss := body["token"].(string)
	st, body = call(t, srv, "POST", "accounts", boss, map[string]any{"name": "Classified"})
	if st != http.StatusCreated {
		t.Fatalf("create in the pinned tenant: %d %v", st, body)
	}
	id := body["id"].(string)
	if st, _ := call(t, srv, "GET", "accounts("+id+")", boss, nil); st != http.StatusOK {
		t.Fatalf("read in the pinned tenant: %d", st)
	}
	// Its data, credentials and audit trail are in its database only.
	if n := count(t, vault, `SELECT COUNT(*) FROM account WHERE name = 'Classified'`); n != 1 {
		t.Errorf("the pinned database has %d of the account", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM account WHERE name = 'Classified'`); n != 0 {
		t.Errorf("the main database has %d copies of the pinned tenant's account", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM "user" WHERE email = 'boss@secret.example'`); n != 0 {
		t.Errorf("the main database holds the pinned tenant's user")
	}
	if n := count(t, vault, `SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'account'`); n != 1 {
		t.Errorf("the pinned database's audit trail has %d account creations", n)
	}
	// The directory names the placement; the pinned database holds the tenant as its own.
	dir, err := tenant.BySlug(ctx, a.Store, "secret")
	if err != nil || dir.Placement != "vault" || dir.ID != sec.ID {
		t.Errorf("directory entry %+v (%v)", dir, err)
	}
	if own, err := tenant.BySlug(ctx, vault.Store, "secret"); err != nil || own.Placement != "" || own.ID != sec.ID {
		t.Errorf("pinned database's tenant %+v (%v)", own, err)
	}

	// The main tenant's administrator reaches none of it.
	st, body = call(t, srv, "POST", "auth/login", "", map[string]any{"email": "admin@example.com", "password": pw})
	if st != http.StatusOK {
		t.Fatalf("main sign-in: %d %v", st, body)
	}
	admin := body["token"].(string)
	if st, _ := call(t, srv, "GET", "accounts("+id+")", admin, nil); st != http.StatusNotFound {
		t.Errorf("the main administrator reads the pinned account: %d", st)
	}
	if st, body := call(t, srv, "GET", "accounts?$filter=name%20eq%20'Classified'", admin, nil); st != http.StatusOK || len(body["value"].([]any)) != 0 {
		t.Errorf("the main administrator lists the pinned account: %d %v", st, body)
	}
	// Signing in without naming the pinned tenant finds no such user.
	if st, _ := call(t, srv, "POST", "auth/login", "", map[string]any{"email": "boss@secret.example", "password": pw}); st != http.StatusUnauthorized {
		t.Errorf("sign-in without the tenant: %d", st)
	}

	// Disabling the tenant reaches its database; enabling it restores access.
	if _, err := a.SetTenantStatus(ctx, "secret", tenant.Disabled); err != nil {
		t.Fatal(err)
	}
	vault.Access.TTL = 0
	if st, _ := call(t, srv, "GET", "accounts", boss, nil); st != http.StatusForbidden {
		t.Errorf("a disabled pinned tenant's token: %d", st)
	}
	if _, err := a.SetTenantStatus(ctx, "secret", tenant.Active); err != nil {
		t.Fatal(err)
	}

	// After a restart the session still works: it is stored in the pinned database.
	srv.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open()
	defer a.Close()
	srv2 := httptest.NewServer(a.Handler())
	defer srv2.Close()
	if st, body := call(t, srv2, "GET", "accounts", boss, nil); st != http.StatusOK || len(body["value"].([]any)) != 1 {
		t.Errorf("after a restart: %d %v", st, body)
	}
	// A server without the placement configured refuses the tenant clearly.
	cfg2 := cfg
	cfg2.Placements = ""
	b, err := app.Open(ctx, cfg2, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, _, err := b.ForTenant(ctx, "secret"); !fault.Is(err, fault.Unavailable) {
		t.Errorf("a tenant whose placement is not configured: %v", err)
	}
}
