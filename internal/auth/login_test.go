package auth

import (
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	globex := e.tenant("globex", "active")
	dormant := e.tenant("dormant", "suspended")

	alice := e.userWithPassword(acme, "Alice Liddell", "Alice@Example.com", "alice password")
	bob := e.userWithPassword(acme, "Bob", "bob@example.com", "bob password!")
	e.exec(`UPDATE "user" SET is_disabled = `+e.s.D.Placeholder(1)+` WHERE id = `+e.s.D.Placeholder(2),
		e.s.D.Encode(boolean, true), bob)
	e.user(acme, "No Password", "nopass@example.com", false)
	e.userWithPassword(dormant, "Carol", "carol@example.com", "carol password")
	sharedAcme := e.userWithPassword(acme, "Sam at Acme", "sam@example.com", "sam acme password")
	sharedGlobex := e.userWithPassword(globex, "Sam at Globex", "sam@example.com", "sam globex password")

	cases := []struct {
		name, slug, email, password string
		wantTenant, wantUser        string
		wantKind                    fault.Kind
		wantCode                    string
	}{
		{name: "success", slug: "acme", email: "alice@example.com", password: "alice password", wantTenant: acme, wantUser: alice},
		{name: "email case and spaces ignored", slug: "acme", email: "  ALICE@example.COM ", password: "alice password", wantTenant: acme, wantUser: alice},
		{name: "no slug, one tenant", email: "alice@example.com", password: "alice password", wantTenant: acme, wantUser: alice},
		{name: "wrong password", slug: "acme", email: "alice@example.com", password: "not the password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "password case matters", slug: "acme", email: "alice@example.com", password: "ALICE PASSWORD",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "unknown email", slug: "acme", email: "nobody@example.com", password: "alice password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "unknown tenant", slug: "initech", email: "alice@example.com", password: "alice password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "user without password", slug: "acme", email: "nopass@example.com", password: "anything at all",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "empty password", slug: "acme", email: "alice@example.com",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "disabled user", slug: "acme", email: "bob@example.com", password: "bob password!",
			wantKind: fault.Permission, wantCode: "user_disabled"},
		{name: "disabled user, wrong password", slug: "acme", email: "bob@example.com", password: "guess guess",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "inactive tenant", slug: "dormant", email: "carol@example.com", password: "carol password",
			wantKind: fault.Permission, wantCode: "tenant_inactive"},
		{name: "inactive tenant, no slug", email: "carol@example.com", password: "carol password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "email in two tenants, no slug", email: "sam@example.com", password: "sam globex password",
			wantKind: fault.Invalid, wantCode: "tenant_required"},
		{name: "email in two tenants, no slug, wrong password", email: "sam@example.com", password: "not sam's password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
		{name: "email in two tenants, slug", slug: "globex", email: "sam@example.com", password: "sam globex password",
			wantTenant: globex, wantUser: sharedGlobex},
		{name: "email in two tenants, other slug", slug: "acme", email: "sam@example.com", password: "sam acme password",
			wantTenant: acme, wantUser: sharedAcme},
		{name: "email in two tenants, password of the other", slug: "acme", email: "sam@example.com", password: "sam globex password",
			wantKind: fault.Unauthenticated, wantCode: "invalid_credentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token, p, err := e.a.Login(e.ctx, c.slug, c.email, c.password, time.Hour)
			if c.wantCode != "" {
				wantCode(t, err, c.wantKind, c.wantCode)
				if token != "" || p.UserID != "" {
					t.Fatalf("failed login returned token %q, principal %+v", token, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.TenantID != c.wantTenant || p.UserID != c.wantUser || p.Method != "password" || !p.Admin || p.Name == "" {
				t.Fatalf("principal %+v, want tenant %s user %s", p, c.wantTenant, c.wantUser)
			}
			got, err := e.a.Authenticate(e.ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if got.TenantID != p.TenantID || got.UserID != p.UserID || got.Name != p.Name || got.Method != "token" || !got.Admin {
				t.Fatalf("token principal %+v, login principal %+v", got, p)
			}
		})
	}
}

// A wrong password and an unknown email must be indistinguishable to the caller.
func TestLoginDoesNotRevealAccounts(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")

	_, _, wrong := e.a.Login(e.ctx, "acme", "alice@example.com", "wrong password", 0)
	_, _, unknown := e.a.Login(e.ctx, "acme", "nobody@example.com", "wrong password", 0)
	_, _, noTenant := e.a.Login(e.ctx, "", "nobody@example.com", "wrong password", 0)
	for _, err := range []error{wrong, unknown, noTenant} {
		wantCode(t, err, fault.Unauthenticated, "invalid_credentials")
		if err.Error() != wrong.Error() {
			t.Fatalf("messages differ: %q and %q", err.Error(), wrong.Error())
		}
	}
}

func TestLoginSessionLifetime(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")

	token, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(DefaultSessionTTL - time.Second)
	if _, err := e.a.Authenticate(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	_, err = e.a.Authenticate(e.ctx, token)
	wantCode(t, err, fault.Unauthenticated, "token_expired")
}
