package auth

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

func TestIssueTokenChecks(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)

	cases := []struct {
		name, user, kind, label string
		ttl                     time.Duration
		wantKind                fault.Kind
		wantCode                string
	}{
		{name: "session", user: alice, kind: KindSession, ttl: time.Hour},
		{name: "api key without expiry", user: alice, kind: KindAPIKey, label: "ci"},
		{name: "api key with expiry", user: alice, kind: KindAPIKey, label: "ci", ttl: time.Hour},
		{name: "unknown kind", user: alice, kind: "magic", ttl: time.Hour, wantKind: fault.Invalid, wantCode: "invalid_kind"},
		{name: "endless session", user: alice, kind: KindSession, wantKind: fault.Invalid, wantCode: "invalid_ttl"},
		{name: "negative ttl", user: alice, kind: KindAPIKey, ttl: -time.Second, wantKind: fault.Invalid, wantCode: "invalid_ttl"},
		{name: "long name", user: alice, kind: KindAPIKey, label: strings.Repeat("x", 101), wantKind: fault.Invalid, wantCode: "too_long"},
		{name: "unknown user", user: "00000000-0000-0000-0000-000000000001", kind: KindAPIKey,
			wantKind: fault.NotFound, wantCode: "user_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token, err := e.a.IssueToken(e.ctx, acme, c.user, c.kind, c.label, c.ttl)
			if c.wantCode != "" {
				wantCode(t, err, c.wantKind, c.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			prefix := map[string]string{KindSession: "mrd_", KindAPIKey: "mrk_"}[c.kind]
			if !strings.HasPrefix(token, prefix) || len(token) != tokenLen || !wellFormed(token) {
				t.Fatalf("token %q", token)
			}
		})
	}
}

func TestAuthenticateRefusesMalformed(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)
	token, err := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "mrd_", "Bearer " + token, token[:len(token)-1], "mrx_" + token[4:],
		token[:len(token)-1] + "!", strings.ToUpper(token[:4]) + token[4:], "mrd_" + strings.Repeat("A", tokenLen-4)} {
		_, err := e.a.Authenticate(e.ctx, bad)
		wantCode(t, err, fault.Unauthenticated, "invalid_token")
	}
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)

	// From the database: the cache has long run out when the token expires.
	long, err := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// From the cache: the token expires while its entry is still trusted.
	short, err := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{long, short} {
		if _, err := e.a.Authenticate(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(10 * time.Second)
	_, err = e.a.Authenticate(e.ctx, short)
	wantCode(t, err, fault.Unauthenticated, "token_expired")

	e.clock.Advance(time.Hour - 11*time.Second)
	if _, err := e.a.Authenticate(e.ctx, long); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err = e.a.Authenticate(e.ctx, long)
	wantCode(t, err, fault.Unauthenticated, "token_expired")
	e.clock.Advance(CacheTTL)
	_, err = e.a.Authenticate(e.ctx, long)
	wantCode(t, err, fault.Unauthenticated, "token_expired")
}

func TestRevoke(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	globex := e.tenant("globex", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)

	issue := func(kind string) string {
		t.Helper()
		token, err := e.a.IssueToken(e.ctx, acme, alice, kind, "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Authenticate(e.ctx, token); err != nil { // now cached
			t.Fatal(err)
		}
		if e.a.cache[hashToken(token)] == nil {
			t.Fatal("token not cached")
		}
		return token
	}
	cases := []struct {
		name string
		kind string
		key  func(token string) string
	}{
		{"by prefix", KindAPIKey, func(tok string) string { return tok[:DisplayPrefixLen] }},
		{"by id", KindAPIKey, hashToken},
		{"by token (log out)", KindSession, func(tok string) string { return tok }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := issue(c.kind)
			wantCode(t, e.a.Revoke(e.ctx, globex, c.key(token)), fault.NotFound, "token_not_found")
			if _, err := e.a.Authenticate(e.ctx, token); err != nil {
				t.Fatalf("revoked through another tenant: %v", err)
			}
			if err := e.a.Revoke(e.ctx, acme, c.key(token)); err != nil {
				t.Fatal(err)
			}
			if e.a.cache[hashToken(token)] != nil {
				t.Fatal("revoked token still cached")
			}
			_, err := e.a.Authenticate(e.ctx, token)
			wantCode(t, err, fault.Unauthenticated, "invalid_token")
			if err := e.a.Revoke(e.ctx, acme, c.key(token)); err != nil {
				t.Fatalf("second revoke: %v", err)
			}
		})
	}
	wantCode(t, e.a.Revoke(e.ctx, acme, "mrk_nothing0"), fault.NotFound, "token_not_found")
	wantCode(t, e.a.Revoke(e.ctx, acme, ""), fault.NotFound, "token_not_found")

	// Two tokens sharing a display prefix are named by ID instead.
	a, b := issue(KindAPIKey), issue(KindAPIKey)
	e.exec(`UPDATE auth_token SET prefix = 'mrk_same0000' WHERE token_hash IN (`+
		e.s.D.Placeholder(1)+`, `+e.s.D.Placeholder(2)+`)`, hashToken(a), hashToken(b))
	wantCode(t, e.a.Revoke(e.ctx, acme, "mrk_same0000"), fault.Conflict, "ambiguous_token")
}

// Changes made behind the service's back reach cached tokens within CacheTTL.
func TestCacheRefreshes(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)
	bob := e.user(acme, "Bob", "bob@example.com", false)
	ph := e.s.D.Placeholder

	aliceToken, err := e.a.IssueToken(e.ctx, acme, alice, KindAPIKey, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	bobToken, err := e.a.IssueToken(e.ctx, acme, bob, KindAPIKey, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{aliceToken, bobToken} {
		if _, err := e.a.Authenticate(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	e.exec(`UPDATE "user" SET is_disabled = `+ph(1)+` WHERE id = `+ph(2), e.s.D.Encode(boolean, true), alice)
	e.exec(`UPDATE auth_token SET revoked_at = `+ph(1)+` WHERE token_hash = `+ph(2), e.a.encodeTime(e.clock.Now()), hashToken(bobToken))

	e.clock.Advance(CacheTTL - time.Second)
	for _, tok := range []string{aliceToken, bobToken} {
		if _, err := e.a.Authenticate(e.ctx, tok); err != nil {
			t.Fatalf("cached answer: %v", err)
		}
	}
	e.clock.Advance(time.Second)
	for _, tok := range []string{aliceToken, bobToken} {
		_, err := e.a.Authenticate(e.ctx, tok)
		wantCode(t, err, fault.Unauthenticated, "invalid_token")
	}

	// An inactive tenant refuses its tokens too.
	carol := e.user(acme, "Carol", "carol@example.com", false)
	carolToken, err := e.a.IssueToken(e.ctx, acme, carol, KindSession, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.exec(`UPDATE tenant SET status = 'suspended' WHERE id = `+ph(1), acme)
	_, err = e.a.Authenticate(e.ctx, carolToken)
	wantCode(t, err, fault.Unauthenticated, "invalid_token")
}

func TestAPIKey(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice Liddell", "alice@example.com", false)

	keys, err := e.a.ListAPIKeys(e.ctx, acme, alice)
	if err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("keys %v, %v; want an empty list", keys, err)
	}
	key, err := e.a.IssueToken(e.ctx, acme, alice, KindAPIKey, "nightly import", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.IssueToken(e.ctx, acme, alice, KindSession, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24 * 365 * time.Hour)
	p, err := e.a.Authenticate(e.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := principal.Principal{TenantID: acme, UserID: alice, Name: "Alice Liddell", Method: "apikey", Admin: true, KeyID: hashToken(key)}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("principal %+v, want %+v", p, want)
	}

	keys, err = e.a.ListAPIKeys(e.ctx, acme, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Fatalf("%d keys, want 1 (sessions are not keys)", len(keys))
	}
	k := keys[0]
	if k.ID != hashToken(key) || k.Prefix != key[:DisplayPrefixLen] || k.Name != "nightly import" ||
		k.ExpiresAt != nil || k.LastUsedAt == nil || !k.LastUsedAt.Equal(e.clock.Now()) ||
		!k.CreatedAt.Equal(e.clock.Now().Add(-24*365*time.Hour)) {
		t.Fatalf("key %+v", k)
	}

	// Nothing in the table gives the key away.
	rows, err := e.s.DB(e.ctx).QueryContext(e.ctx, `SELECT * FROM auth_token`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			s := fmt.Sprintf("%s", v)
			if strings.Contains(s, key[DisplayPrefixLen:]) || strings.Contains(s, key[4:]) {
				t.Fatalf("column %s holds the secret: %q", cols[i], s)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	if err := e.a.Revoke(e.ctx, acme, k.ID); err != nil {
		t.Fatal(err)
	}
	if keys, err := e.a.ListAPIKeys(e.ctx, acme, alice); err != nil || len(keys) != 0 {
		t.Fatalf("after revoke: %v, %v", keys, err)
	}
}

// last_used_at is written at most once a minute per token.
func TestLastUsedThrottled(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)
	key, err := e.a.IssueToken(e.ctx, acme, alice, KindAPIKey, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	lastUsed := func() time.Time {
		t.Helper()
		keys, err := e.a.ListAPIKeys(e.ctx, acme, alice)
		if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
			t.Fatalf("keys %+v, %v", keys, err)
		}
		return *keys[0].LastUsedAt
	}
	steps := []struct {
		advance time.Duration
		want    time.Duration // last_used_at after the call, relative to start
	}{
		{0, 0},
		{10 * time.Second, 0},                // cached, too soon
		{25 * time.Second, 0},                // cache ran out, read from the database, still too soon
		{25 * time.Second, 60 * time.Second}, // a minute later
		{59 * time.Second, 60 * time.Second},
		{time.Second, 120 * time.Second},
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		if _, err := e.a.Authenticate(e.ctx, key); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(start.Add(s.want)) {
			t.Fatalf("step %d: last used %v, want %v", i, got, start.Add(s.want))
		}
	}
}

func TestCacheBounded(t *testing.T) {
	a := NewService(nil, nil)
	now := time.Now()
	for i := range cacheMax + 10 {
		a.remember(fmt.Sprint(i), a.gen, now, &cached{until: now.Add(CacheTTL)})
		if len(a.cache) > cacheMax {
			t.Fatalf("%d entries", len(a.cache))
		}
	}
	// A lookup that overlapped an eviction is not cached.
	gen := a.gen
	a.forget("x")
	a.remember("y", gen, now, &cached{until: now.Add(CacheTTL)})
	if a.cache["y"] != nil {
		t.Fatal("stale lookup cached")
	}
}

func TestAuthenticateConcurrent(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.user(acme, "Alice", "alice@example.com", false)
	key, err := e.a.IssueToken(e.ctx, acme, alice, KindAPIKey, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 40)
	for i := range cap(errs) {
		go func() {
			if i%10 == 9 {
				e.clock.Advance(time.Minute)
			}
			_, err := e.a.Authenticate(e.ctx, key)
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
