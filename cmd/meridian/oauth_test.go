package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// openDB opens the app on db, as the server would, for checks behind the CLI's back.
func openDB(t *testing.T, db string) *app.App {
	t.Helper()
	cfg := app.Defaults()
	cfg.DB = db
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestOAuthClientCommands(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "erp@acme.example")

	out := run(t, "", "oauth", "client", "create", "--db", db, "--tenant", "acme", "--name", "ERP", "--user", "ERP@acme.example", "--scope", "read,write")
	var id, secret string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "client_id:"); ok {
			id = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "client_secret:"); ok {
			secret = strings.TrimSpace(v)
		}
	}
	if !strings.HasPrefix(id, "mrc_") || !strings.HasPrefix(secret, "mrs_") {
		t.Fatalf("oauth client create printed %q", out)
	}
	// The printed credentials work at the token endpoint's service.
	a := openDB(t, db)
	tok, err := a.Auth.ClientCredentials(context.Background(), id, secret, "read", 0)
	if err != nil || tok.Client.Name != "ERP" {
		t.Fatalf("client credentials: %+v %v", tok, err)
	}
	if out := run(t, "", "oauth", "client", "list", "--db", db, "--tenant", "acme"); !strings.Contains(out, id) || !strings.Contains(out, "read write") || strings.Contains(out, secret) {
		t.Fatalf("oauth client list: %q", out)
	}
	if out := run(t, "", "oauth", "client", "revoke", id, "--db", db, "--tenant", "acme"); !strings.Contains(out, "revoked client "+id) {
		t.Fatalf("oauth client revoke: %q", out)
	}
	if _, err := a.Auth.ClientCredentials(context.Background(), id, secret, "", 0); fault.CodeOf(err) != "invalid_client" {
		t.Fatalf("a revoked client: %v", err)
	}
	if out := run(t, "", "oauth", "client", "list", "--db", db, "--tenant", "acme"); strings.Contains(out, id) {
		t.Fatalf("a revoked client is listed: %q", out)
	}
}

func TestOIDCProviderCommands(t *testing.T) {
	db := storetest.DSN(t)
	t.Setenv("MERIDIAN_SECRET_KEY", strings.Repeat("ab", 32))
	t.Setenv("MERIDIAN_PUBLIC_URL", "https://crm.acme.example/")
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	out := run(t, "the-provider-secret\n", "oidc", "provider", "create", "--db", db, "--tenant", "acme", "--name", "okta",
		"--issuer", "https://acme.okta.example", "--client-id", "meridian", "--client-secret-stdin",
		"--allowed-domain", "acme.example", "--auto-provision")
	if !strings.Contains(out, "redirect URI to register with the provider: https://crm.acme.example/api/v1/auth/oidc/acme/okta/callback") {
		t.Fatalf("oidc provider create: %q", out)
	}
	out = run(t, "", "oidc", "provider", "list", "--db", db, "--tenant", "acme")
	if !strings.Contains(out, "okta") || !strings.Contains(out, "https://acme.okta.example") || strings.Contains(out, "the-provider-secret") {
		t.Fatalf("oidc provider list: %q", out)
	}
	// The secret is sealed at rest under MERIDIAN_SECRET_KEY.
	a := openDB(t, db)
	var stored string
	if err := a.Store.DB(context.Background()).QueryRowContext(context.Background(), `SELECT client_secret FROM oidc_provider`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == "" || strings.Contains(stored, "the-provider-secret") {
		t.Fatalf("stored secret %q", stored)
	}
	if out := run(t, "", "oidc", "provider", "delete", "okta", "--db", db, "--tenant", "acme"); !strings.Contains(out, "deleted identity provider okta") {
		t.Fatalf("oidc provider delete: %q", out)
	}
	if out := run(t, "", "oidc", "provider", "list", "--db", db, "--tenant", "acme"); strings.Contains(out, "okta") {
		t.Fatalf("a deleted provider is listed: %q", out)
	}
}
