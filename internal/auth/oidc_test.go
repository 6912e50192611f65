package auth

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/auth/oidctest"
	"github.com/meridian-crm/meridian/internal/fault"
)

func ptr[T any](v T) *T { return &v }

func TestSealer(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := newSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal("s3cret-value", "oidc_provider/t1/p1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, sealedPrefix) || strings.Contains(sealed, "s3cret") {
		t.Fatalf("sealed form %q", sealed)
	}
	if got, err := s.open(sealed, "oidc_provider/t1/p1"); err != nil || got != "s3cret-value" {
		t.Fatalf("open: %q %v", got, err)
	}
	// Bound to its row, and to its key.
	if _, err := s.open(sealed, "oidc_provider/t1/p2"); err == nil {
		t.Fatal("a sealed secret opened for another row")
	}
	other, _ := newSealer(bytes.Repeat([]byte{8}, 32))
	if _, err := other.open(sealed, "oidc_provider/t1/p1"); err == nil {
		t.Fatal("a sealed secret opened with another key")
	}
	none, _ := newSealer(nil)
	if _, err := none.open(sealed, "oidc_provider/t1/p1"); err == nil {
		t.Fatal("a sealed secret opened without a key")
	}
	// Without a key secrets are stored in clear, marked, and a key still reads them.
	clear, _ := none.seal("plain", "x")
	if clear != clearPrefix+"plain" {
		t.Fatalf("clear form %q", clear)
	}
	if got, err := s.open(clear, "x"); err != nil || got != "plain" {
		t.Fatalf("open clear: %q %v", got, err)
	}
	if _, err := newSealer([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
	for _, k := range []string{strings.Repeat("ab", 32), "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"} {
		if b, err := ParseSecretKey(k); err != nil || len(b) != 32 {
			t.Errorf("ParseSecretKey(%q): %v", k, err)
		}
	}
	if _, err := ParseSecretKey("too-short"); err == nil {
		t.Error("ParseSecretKey accepted a short key")
	}
}

func newOIDC(t *testing.T, e *env, key []byte) *OIDC {
	t.Helper()
	o, err := NewOIDC(e.a, OIDCOptions{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOIDCProviderSettings(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	other := e.tenant("other", "active")
	o := newOIDC(t, e, bytes.Repeat([]byte{1}, 32))
	in := OIDCProviderInput{Name: ptr("okta"), IssuerURL: ptr("https://acme.okta.example"), ClientID: ptr("meridian"),
		ClientSecret: ptr("the-client-secret"), AllowedDomains: []string{"Acme.example", "@acme.example", "sub.acme.example"}}
	p, err := o.CreateProvider(e.ctx, tid, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.TenantSlug != "acme" || !p.HasClientSecret || strings.Join(p.AllowedDomains, " ") != "acme.example sub.acme.example" || p.AutoProvision {
		t.Fatalf("provider %+v", p)
	}
	// The secret is sealed at rest.
	var stored string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT client_secret FROM oidc_provider`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "the-client-secret") || !strings.HasPrefix(stored, sealedPrefix) {
		t.Fatalf("stored secret %q", stored)
	}
	_, err = o.CreateProvider(e.ctx, tid, in)
	wantCode(t, err, fault.Conflict, "duplicate_name")
	if _, err := o.CreateProvider(e.ctx, other, in); err != nil {
		t.Fatalf("another tenant may use the same name: %v", err)
	}

	bad := []struct {
		name string
		in   OIDCProviderInput
		code string
	}{
		{"plain http", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("http://idp.example"), ClientID: ptr("c")}, "invalid_url"},
		{"relative issuer", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("/idp"), ClientID: ptr("c")}, "invalid_url"},
		{"issuer with query", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("https://idp.example/?x=1"), ClientID: ptr("c")}, "invalid_url"},
		{"no client id", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("https://idp.example")}, "required"},
		{"bad name", OIDCProviderInput{Name: ptr("Okta SSO"), IssuerURL: ptr("https://idp.example"), ClientID: ptr("c")}, "invalid_name"},
		{"bad domain", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("https://idp.example"), ClientID: ptr("c"), AllowedDomains: []string{"not a domain"}}, "invalid_domain"},
		{"open auto-provisioning", OIDCProviderInput{Name: ptr("a"), IssuerURL: ptr("https://idp.example"), ClientID: ptr("c"), AutoProvision: ptr(true)}, "domains_required"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := o.CreateProvider(e.ctx, tid, tc.in)
			wantCode(t, err, fault.Invalid, tc.code)
		})
	}
	// Loopback issuers may use http (development and tests).
	if _, err := o.CreateProvider(e.ctx, tid, OIDCProviderInput{Name: ptr("local"), IssuerURL: ptr("http://127.0.0.1:5556/dex"), ClientID: ptr("c")}); err != nil {
		t.Fatal(err)
	}

	// Updates keep what they do not name; clearing the domains of an auto-provisioning provider is refused.
	p, err = o.UpdateProvider(e.ctx, tid, "okta", OIDCProviderInput{AutoProvision: ptr(true)})
	if err != nil || !p.AutoProvision || p.ClientID != "meridian" || !p.HasClientSecret || len(p.AllowedDomains) != 2 {
		t.Fatalf("update: %+v %v", p, err)
	}
	_, err = o.UpdateProvider(e.ctx, tid, "okta", OIDCProviderInput{AllowedDomains: []string{}})
	wantCode(t, err, fault.Invalid, "domains_required")
	p, err = o.UpdateProvider(e.ctx, tid, "okta", OIDCProviderInput{ClientSecret: ptr("")})
	if err != nil || p.HasClientSecret {
		t.Fatalf("clearing the secret: %+v %v", p, err)
	}
	list, err := o.ListProviders(e.ctx, tid)
	if err != nil || len(list) != 2 || list[0].Name != "local" || list[1].Name != "okta" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := o.DeleteProvider(e.ctx, tid, "okta"); err != nil {
		t.Fatal(err)
	}
	_, err = o.Provider(e.ctx, tid, "okta")
	wantCode(t, err, fault.NotFound, "provider_not_found")
	if _, err := o.Provider(e.ctx, other, "okta"); err != nil {
		t.Fatalf("deleting one tenant's provider touched another's: %v", err)
	}
}

// authorize follows a sign-in's authorization URL to the identity provider and returns the code
// and state it redirects back with.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// TestOIDCTimeIsInjected runs sign-ins on a fake clock shared with the identity provider: a
// sign-in that takes too long and an ID token expired by the server's clock are refused.
func TestOIDCTimeIsInjected(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	uid := e.user(tid, "Li Lei", "li.lei@example.com", false)
	idp := oidctest.New(t)
	idp.Now = e.clock.Now
	const redirect = "https://crm.example/api/v1/auth/oidc/acme/test/callback"
	idp.RedirectURIs = []string{redirect}
	o := newOIDC(t, e, nil)
	if _, err := o.CreateProvider(e.ctx, tid, OIDCProviderInput{Name: ptr("test"), IssuerURL: ptr(idp.Issuer),
		ClientID: ptr(idp.ClientID), ClientSecret: ptr(idp.ClientSecret)}); err != nil {
		t.Fatal(err)
	}

	// A sign-in within the time works, and its session belongs to the user.
	start, err := o.Begin(e.ctx, "acme", "test", redirect, OIDCAfter{Session: "cookie", ReturnTo: "/records"})
	if err != nil {
		t.Fatal(err)
	}
	code, state := authorize(t, start.AuthURL)
	sess, err := o.Finish(e.ctx, "acme", "test", state, code, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sess.After != (OIDCAfter{Session: "cookie", ReturnTo: "/records"}) || sess.TTL != time.Hour {
		t.Fatalf("session %+v", sess)
	}
	if p, err := e.a.Authenticate(e.ctx, sess.Token); err != nil || p.UserID != uid {
		t.Fatalf("session: %+v %v", p, err)
	}

	// A callback after OIDCLoginTTL is refused before the code is spent.
	start, err = o.Begin(e.ctx, "acme", "test", redirect, OIDCAfter{})
	if err != nil {
		t.Fatal(err)
	}
	code, state = authorize(t, start.AuthURL)
	e.clock.Advance(OIDCLoginTTL)
	before := idp.TokenRequests()
	_, err = o.Finish(e.ctx, "acme", "test", state, code, time.Hour)
	wantCode(t, err, fault.Unauthenticated, "login_expired")
	if idp.TokenRequests() != before {
		t.Fatal("an expired sign-in exchanged its code")
	}

	// An ID token whose exp is past by the server's clock is refused.
	idp.TokenLifetime = time.Minute
	start, err = o.Begin(e.ctx, "acme", "test", redirect, OIDCAfter{})
	if err != nil {
		t.Fatal(err)
	}
	code, state = authorize(t, start.AuthURL)
	idp.Now = func() time.Time { return e.clock.Now().Add(-2 * time.Minute) } // issued two minutes ago
	_, err = o.Finish(e.ctx, "acme", "test", state, code, time.Hour)
	wantCode(t, err, fault.Unauthenticated, "id_token_expired")

	// A state serves once.
	_, err = o.Finish(e.ctx, "acme", "test", state, code, time.Hour)
	wantCode(t, err, fault.Unauthenticated, "invalid_state")
}
