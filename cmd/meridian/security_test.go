package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// TestSecurityCommands builds an organisation from the CLI — units, a team, a role, users —
// then checks what a user of it may see, shares a record, and disables the tenant.
func TestSecurityCommands(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	run(t, "", "unit", "create", "Sales", "--db", db, "--tenant", "acme")
	run(t, "", "unit", "create", "Sales East", "--parent", "Sales", "--db", db, "--tenant", "acme")
	out := run(t, "", "role", "create", "Sales rep", "--grant", "account:read:parent_child", "--grant", "account:create:user",
		"--grant", "account:write:user", "--db", db, "--tenant", "acme")
	if !strings.Contains(out, "with 3 privileges") {
		t.Fatalf("role create: %q", out)
	}
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "lead@acme.example", "--role", "Sales rep")
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "rep@acme.example", "--role", "Sales rep")
	run(t, "", "unit", "move", "lead@acme.example", "Sales", "--db", db, "--tenant", "acme")
	run(t, "", "unit", "move", "rep@acme.example", "Sales East", "--db", db, "--tenant", "acme")
	run(t, "", "team", "create", "Key accounts", "--unit", "Sales", "--db", db, "--tenant", "acme")
	if out := run(t, "", "team", "add", "Key accounts", "rep@acme.example", "--db", db, "--tenant", "acme"); !strings.Contains(out, "is in team") {
		t.Fatalf("team add: %q", out)
	}
	if out := run(t, "", "role", "list", "--db", db, "--tenant", "acme"); !strings.Contains(out, "account:read:parent_child") || !strings.Contains(out, "System Administrator") {
		t.Fatalf("role list: %q", out)
	}

	// The rep's account is visible to the lead (parent unit); the lead's is not visible to the rep.
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DB = db
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenant.BySlug(ctx, a.Store, "acme")
	if err != nil {
		t.Fatal(err)
	}
	as := func(email string) context.Context {
		id, err := a.Records.IDByKey(principal.With(ctx, principal.System(tn.ID)), "user", map[string]string{"email": email})
		if err != nil {
			t.Fatal(err)
		}
		return principal.With(ctx, principal.Principal{TenantID: tn.ID, UserID: id, Method: "password"})
	}
	repAcc, err := a.Records.Create(as("rep@acme.example"), "account", records.Input{"name": "Rep's"})
	if err != nil {
		t.Fatal(err)
	}
	leadAcc, err := a.Records.Create(as("lead@acme.example"), "account", records.Input{"name": "Lead's"})
	if err != nil {
		t.Fatal(err)
	}
	visible := func(email, id string) bool {
		_, err := a.Records.Get(as(email), "account", id, &query.Options{})
		return err == nil
	}
	if !visible("lead@acme.example", repAcc.ID()) || visible("rep@acme.example", leadAcc.ID()) {
		t.Fatal("parent-child depth does not reach down only")
	}
	a.Close()

	if out := run(t, "", "share", "account", leadAcc.ID(), "rep@acme.example", "--rights", "read", "--expires", "1h", "--db", db, "--tenant", "acme"); !strings.Contains(out, "until") {
		t.Fatalf("share: %q", out)
	}
	a, err = app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !visible("rep@acme.example", leadAcc.ID()) {
		t.Error("the share did not give the rep access")
	}
	if out := run(t, "", "tenant", "disable", "acme", "--db", db); !strings.Contains(out, "disabled") {
		t.Fatalf("tenant disable: %q", out)
	}
	a.Access.TTL = 0
	if _, err := a.Access.Admit(as("rep@acme.example")); err == nil {
		t.Error("a disabled tenant's user is admitted")
	}
}

// TestPinnedTenantCommands: with a placement configured, a tenant created on it and every
// command run for it (--tenant) act on its own database.
func TestPinnedTenantCommands(t *testing.T) {
	db := storetest.DSN(t)
	vault := "sqlite:" + filepath.Join(t.TempDir(), "vault.db")
	t.Setenv("MERIDIAN_PLACEMENTS", "vault="+vault)
	if out := run(t, "", "tenant", "create", "secret", "Secret Ltd", "--placement", "vault", "--db", db); !strings.Contains(out, "pinned to placement vault") {
		t.Fatalf("tenant create: %q", out)
	}
	if out := run(t, "", "tenant", "list", "--db", db); !strings.Contains(out, "vault") {
		t.Fatalf("tenant list: %q", out)
	}
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "secret", "--email", "boss@secret.example", "--admin")
	out := run(t, "", "export", "--db", db, "--tenant", "secret", "--entity", "users", "--select", "email", "--format", "csv")
	if !strings.Contains(out, "boss@secret.example") {
		t.Fatalf("export from the pinned tenant: %q", out)
	}
	// The user is in the pinned database, not in the main one.
	ctx := context.Background()
	for dsn, want := range map[string]int{db: 0, vault: 1} {
		cfg := app.Defaults()
		cfg.DB = dsn
		a, err := app.Open(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := a.Store.Raw().QueryRowContext(ctx, `SELECT COUNT(*) FROM "user" WHERE email = 'boss@secret.example'`).Scan(&n); err != nil || n != want {
			t.Errorf("%s holds %d of the user (%v), want %d", dsn, n, err, want)
		}
		a.Close()
	}
}
