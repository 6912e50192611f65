package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

func TestClientCredentialsIssuesExpiringTokens(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	uid := e.user(tid, "Billing sync", "billing-sync@acme.example", false)
	c, secret, err := e.a.CreateClient(e.ctx, tid, ClientInput{Name: "billing", UserID: uid, Scopes: []string{"write", "Read", "read"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.ClientID, clientIDPrefix) || !strings.HasPrefix(secret, clientSecretPrefix) || len(secret) != clientSecretLen {
		t.Fatalf("client %q secret %q", c.ClientID, secret)
	}
	if got := strings.Join(c.Scopes, " "); got != "read write" {
		t.Fatalf("scopes %q, want sorted and distinct", got)
	}
	// Only a hash of the secret is stored.
	var stored string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT secret_hash FROM oauth_client`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == secret || strings.Contains(stored, secret[len(clientSecretPrefix):]) || stored != hashToken(secret) {
		t.Fatalf("stored %q for secret %q", stored, secret)
	}

	tok, err := e.a.ClientCredentials(e.ctx, c.ClientID, secret, "", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 30*time.Minute || strings.Join(tok.Scopes, " ") != "read write" {
		t.Fatalf("token %+v", tok)
	}
	p, err := e.a.Authenticate(e.ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// The token carries its scopes, which restrict it like an API key's.
	if p.TenantID != tid || p.UserID != uid || strings.Join(p.Scopes, " ") != "read write" {
		t.Fatalf("principal %+v, want the client's user %s with its scopes", p, uid)
	}
	var kind, client string
	if err := e.s.DB(e.ctx).QueryRowContext(e.ctx, `SELECT t.kind, c.client_id FROM auth_token t
		JOIN oauth_client_token c ON c.token_hash = t.token_hash WHERE t.token_hash = `+e.a.ph(1),
		hashToken(tok.AccessToken)).Scan(&kind, &client); err != nil {
		t.Fatal(err)
	}
	if _, id, _ := parseClientID(c.ClientID); kind != KindOAuth || client != id {
		t.Fatalf("token kind %q client %q", kind, client)
	}
	// Every token of the client is budgeted as the client (the gateway keys on KeyID).
	if p.Method != "oauth" || p.KeyID != "oauth:"+client {
		t.Fatalf("principal method %q key %q, want oauth and the client", p.Method, p.KeyID)
	}
	list, err := e.a.ListClients(e.ctx, tid)
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(e.a.now()) {
		t.Fatalf("clients %+v, %v: want one, used now", list, err)
	}

	// The clock decides expiry, past the cache too.
	e.clock.Advance(30*time.Minute - time.Second)
	if _, err := e.a.Authenticate(e.ctx, tok.AccessToken); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err = e.a.Authenticate(e.ctx, tok.AccessToken)
	wantCode(t, err, fault.Unauthenticated, "token_expired")

	// Without a TTL the default applies.
	tok, err = e.a.ClientCredentials(e.ctx, c.ClientID, secret, "read", 0)
	if err != nil || tok.ExpiresIn != DefaultClientTokenTTL || strings.Join(tok.Scopes, " ") != "read" {
		t.Fatalf("token %+v, %v", tok, err)
	}
	if p, err := e.a.Authenticate(e.ctx, tok.AccessToken); err != nil || strings.Join(p.Scopes, " ") != "read" {
		t.Fatalf("a token asked with less scope: %+v %v", p, err)
	}

	// A client registered without scopes may write; write covers read.
	d, dsecret, err := e.a.CreateClient(e.ctx, tid, ClientInput{Name: "default", UserID: uid}, "")
	if err != nil || strings.Join(d.Scopes, " ") != "write" {
		t.Fatalf("default scopes: %+v %v", d, err)
	}
	if tok, err := e.a.ClientCredentials(e.ctx, d.ClientID, dsecret, "read", 0); err != nil || strings.Join(tok.Scopes, " ") != "read" {
		t.Fatalf("read from a write client: %+v %v", tok, err)
	}
}

func TestClientCredentialsRefusals(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	other := e.tenant("other", "active")
	uid := e.user(tid, "Sync", "sync@acme.example", false)
	c, secret, err := e.a.CreateClient(e.ctx, tid, ClientInput{Name: "sync", UserID: uid, Scopes: []string{"read"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, rowID, _ := parseClientID(c.ClientID)
	foreign, _ := clientID(other, rowID) // the same row ID claimed for another tenant

	cases := []struct {
		name, id, secret, scope string
		kind                    fault.Kind
		code                    string
	}{
		{"wrong secret", c.ClientID, clientSecretPrefix + strings.Repeat("x", clientSecretLen-4), "", fault.Unauthenticated, "invalid_client"},
		{"empty secret", c.ClientID, "", "", fault.Unauthenticated, "invalid_client"},
		{"secret of another shape", c.ClientID, secret + "x", "", fault.Unauthenticated, "invalid_client"},
		{"unknown client", "mrc_" + strings.Repeat("A", 43), secret, "", fault.Unauthenticated, "invalid_client"},
		{"malformed client", "billing", secret, "", fault.Unauthenticated, "invalid_client"},
		{"client of another tenant", foreign, secret, "", fault.Unauthenticated, "invalid_client"},
		{"scope not granted", c.ClientID, secret, "read write", fault.Invalid, "invalid_scope"},
		{"unknown scope", c.ClientID, secret, "admin", fault.Invalid, "invalid_scope"},
		{"malformed scope", c.ClientID, secret, `re"ad`, fault.Invalid, "invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.a.ClientCredentials(e.ctx, tc.id, tc.secret, tc.scope, 0)
			wantCode(t, err, tc.kind, tc.code)
		})
	}

	// A disabled user's client authenticates but may not obtain tokens.
	e.exec(`UPDATE "user" SET is_disabled = `+e.a.ph(1)+` WHERE id = `+e.a.ph(2), e.s.D.Encode(boolean, true), uid)
	_, err = e.a.ClientCredentials(e.ctx, c.ClientID, secret, "", 0)
	wantCode(t, err, fault.Permission, "unauthorized_client")
	_, _, err = e.a.CreateClient(e.ctx, tid, ClientInput{Name: "x", UserID: uid}, "")
	wantCode(t, err, fault.Invalid, "user_disabled")

	// Registration checks its input.
	_, _, err = e.a.CreateClient(e.ctx, tid, ClientInput{Name: " ", UserID: uid}, "")
	wantCode(t, err, fault.Invalid, "required")
	_, _, err = e.a.CreateClient(e.ctx, tid, ClientInput{Name: "x", UserID: e.user(other, "Elsewhere", "e@other.example", false)}, "")
	wantCode(t, err, fault.Invalid, "user_not_found")
	_, _, err = e.a.CreateClient(e.ctx, tid, ClientInput{Name: "x", UserID: "not-a-uuid"}, "")
	wantCode(t, err, fault.Invalid, "user_not_found")
	_, _, err = e.a.CreateClient(e.ctx, tid, ClientInput{Name: "x", UserID: uid, Scopes: []string{"admin"}}, "")
	wantCode(t, err, fault.Invalid, "invalid_scope")
}

func TestRevokeClientRevokesItsTokensAtOnce(t *testing.T) {
	e := newEnv(t)
	tid := e.tenant("acme", "active")
	other := e.tenant("other", "active")
	uid := e.user(tid, "Sync", "sync@acme.example", false)
	c, secret, err := e.a.CreateClient(e.ctx, tid, ClientInput{Name: "sync", UserID: uid}, uid)
	if err != nil {
		t.Fatal(err)
	}
	keep, keepSecret, err := e.a.CreateClient(e.ctx, tid, ClientInput{Name: "keep", UserID: uid}, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.a.ClientCredentials(e.ctx, c.ClientID, secret, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := e.a.ClientCredentials(e.ctx, keep.ClientID, keepSecret, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	session, err := e.a.IssueToken(e.ctx, tid, uid, KindSession, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Cached as valid before the revocation.
	if _, err := e.a.Authenticate(e.ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	// Another tenant cannot name it.
	wantCode(t, e.a.RevokeClient(e.ctx, other, c.ClientID), fault.NotFound, "client_not_found")
	if err := e.a.RevokeClient(e.ctx, tid, c.ClientID); err != nil {
		t.Fatal(err)
	}
	_, err = e.a.Authenticate(e.ctx, tok.AccessToken)
	wantCode(t, err, fault.Unauthenticated, "invalid_token")
	_, err = e.a.ClientCredentials(e.ctx, c.ClientID, secret, "", 0)
	wantCode(t, err, fault.Unauthenticated, "invalid_client")
	wantCode(t, e.a.RevokeClient(e.ctx, tid, c.ClientID), fault.NotFound, "client_not_found")

	// The user's other credentials are untouched.
	for _, tk := range []string{kept.AccessToken, session} {
		if _, err := e.a.Authenticate(e.ctx, tk); err != nil {
			t.Fatalf("a token of another client or a session was revoked: %v", err)
		}
	}
	list, err := e.a.ListClients(e.ctx, tid)
	if err != nil || len(list) != 1 || list[0].ClientID != keep.ClientID {
		t.Fatalf("clients after revocation: %+v, %v", list, err)
	}
}

func TestParseScopes(t *testing.T) {
	got, err := ParseScopes("  b a\tb  ")
	if err != nil || strings.Join(got, ",") != "a,b" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{`a\b`, "a\"b", "é"} {
		if _, err := ParseScopes(bad); fault.CodeOf(err) != "invalid_scope" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
