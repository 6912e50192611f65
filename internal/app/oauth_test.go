package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestStartWarnsOfSSOWithoutPublicURL: a server whose tenants have identity providers but that
// has no MERIDIAN_PUBLIC_URL says at start that single sign-on is off; with it, or without
// providers, it says nothing.
func TestStartWarnsOfSSOWithoutPublicURL(t *testing.T) {
	ctx := context.Background()
	c := Defaults()
	c.DB = storetest.DSN(t)
	c.DataDir = t.TempDir()
	var log bytes.Buffer
	a, err := Open(ctx, c, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tn, err := a.EnsureTenant(ctx, "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	const warning = "single sign-on is off"
	a.warnSSOWithoutPublicURL(ctx)
	if strings.Contains(log.String(), warning) {
		t.Fatalf("a warning without providers: %s", log.String())
	}
	name, issuer, client := "corp", "https://idp.example", "meridian"
	if _, err := a.API.SSO.CreateProvider(ctx, tn.ID, auth.OIDCProviderInput{Name: &name, IssuerURL: &issuer, ClientID: &client}); err != nil {
		t.Fatal(err)
	}
	a.warnSSOWithoutPublicURL(ctx)
	if !strings.Contains(log.String(), warning) || !strings.Contains(log.String(), "providers=1") {
		t.Fatalf("no warning: %s", log.String())
	}
	log.Reset()
	a.Config.PublicURL = "https://crm.example.com"
	a.warnSSOWithoutPublicURL(ctx)
	if strings.Contains(log.String(), warning) {
		t.Fatalf("a warning with a public URL: %s", log.String())
	}
}
