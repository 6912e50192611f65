package auth

import (
	"slices"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

func TestAPIKeyScopesAndExpiry(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)

	cases := []struct {
		name     string
		in       APIKeyInput
		scopes   []string
		wantKind fault.Kind
		wantCode string
	}{
		{name: "default is write", in: APIKeyInput{Name: "ci"}, scopes: []string{"write"}},
		{name: "read", in: APIKeyInput{Name: "bi", Scopes: []string{"READ", "read"}}, scopes: []string{"read"}},
		{name: "both", in: APIKeyInput{Name: "x", Scopes: []string{"write", "read"}}, scopes: []string{"read", "write"}},
		{name: "unknown scope", in: APIKeyInput{Name: "x", Scopes: []string{"admin"}}, wantKind: fault.Invalid, wantCode: "invalid_scope"},
		{name: "no name", in: APIKeyInput{Name: " "}, wantKind: fault.Invalid, wantCode: "required"},
		{name: "expired already", in: APIKeyInput{Name: "x", ExpiresAt: e.clock.Now()}, wantKind: fault.Invalid, wantCode: "invalid_value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, key, err := e.a.CreateAPIKey(e.ctx, acme, alice, c.in)
			if c.wantCode != "" {
				wantCode(t, err, c.wantKind, c.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(k.Scopes, c.scopes) || k.ID != hashToken(key) || k.ExpiresAt != nil {
				t.Fatalf("key %+v", k)
			}
			p, err := e.a.Authenticate(e.ctx, key)
			if err != nil || !slices.Equal(p.Scopes, c.scopes) || p.Method != "apikey" {
				t.Fatalf("principal %+v, %v", p, err)
			}
		})
	}

	// Sessions are not restricted.
	sess, err := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := e.a.Authenticate(e.ctx, sess); err != nil || p.Scopes != nil {
		t.Fatalf("session principal %+v, %v", p, err)
	}

	// An expiring key is refused once it expires, cached or not.
	k, key, err := e.a.CreateAPIKey(e.ctx, acme, alice, APIKeyInput{Name: "temp", Scopes: []string{"read"}, ExpiresAt: e.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if k.ExpiresAt == nil || !k.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("expiry %v", k.ExpiresAt)
	}
	if _, err := e.a.Authenticate(e.ctx, key); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	_, err = e.a.Authenticate(e.ctx, key)
	wantCode(t, err, fault.Unauthenticated, "token_expired")

	keys, err := e.a.ListAPIKeys(e.ctx, acme, alice)
	if err != nil {
		t.Fatal(err)
	}
	var listed *APIKey
	for i := range keys {
		if keys[i].ID == k.ID {
			listed = &keys[i]
		}
	}
	if len(keys) != 4 || listed == nil || !slices.Equal(listed.Scopes, []string{"read"}) || listed.Name != "temp" {
		t.Fatalf("keys %+v", keys)
	}
}

func TestRevokeAPIKey(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)
	bob := e.user(acme, "Bob", "bob@example.com", false)
	k, key, err := e.a.CreateAPIKey(e.ctx, acme, alice, APIKeyInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Authenticate(e.ctx, key); err != nil { // now cached
		t.Fatal(err)
	}
	// Only its owner revokes a key; sessions are not keys.
	wantCode(t, e.a.RevokeAPIKey(e.ctx, acme, bob, k.ID), fault.NotFound, "token_not_found")
	sess, _ := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", time.Hour)
	wantCode(t, e.a.RevokeAPIKey(e.ctx, acme, alice, hashToken(sess)), fault.NotFound, "token_not_found")
	if _, err := e.a.Authenticate(e.ctx, key); err != nil {
		t.Fatal(err)
	}

	if err := e.a.RevokeAPIKey(e.ctx, acme, alice, k.ID); err != nil {
		t.Fatal(err)
	}
	// At once, despite the cache.
	_, err = e.a.Authenticate(e.ctx, key)
	wantCode(t, err, fault.Unauthenticated, "invalid_token")
	wantCode(t, e.a.RevokeAPIKey(e.ctx, acme, alice, k.ID), fault.NotFound, "token_not_found")
	if keys, _ := e.a.ListAPIKeys(e.ctx, acme, alice); len(keys) != 0 {
		t.Fatalf("revoked key listed: %+v", keys)
	}
}
