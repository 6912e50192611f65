package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// retryAfter returns the Retry-After a refusal carries (0 when none).
func retryAfter(err error) time.Duration {
	var re *RetryError
	if errors.As(err, &re) {
		return re.RetryAfter()
	}
	return 0
}

func from(ctx context.Context, ip string) context.Context {
	return principal.WithOrigin(ctx, principal.Origin{IP: ip})
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")
	ctx := from(e.ctx, "198.51.100.1")
	login := func(pw string) error {
		_, _, err := e.a.Login(ctx, "acme", "Alice@Example.com", pw, time.Hour)
		return err
	}

	for i := 1; i < 5; i++ {
		wantCode(t, login("wrong password"), fault.Unauthenticated, "invalid_credentials")
	}
	err := login("wrong password")
	wantCode(t, err, fault.RateLimited, "account_locked")
	if got := retryAfter(err); got != 15*time.Minute {
		t.Fatalf("first lock lasts %s, want 15m", got)
	}
	// Locked: even the right password is refused, and the wait shrinks with time.
	e.clock.Advance(10 * time.Minute)
	err = login("alice password")
	wantCode(t, err, fault.RateLimited, "account_locked")
	if got := retryAfter(err); got != 5*time.Minute {
		t.Fatalf("Retry-After %s after 10 of 15 minutes, want 5m", got)
	}
	if l, err := e.a.LockState(e.ctx, acme, alice); err != nil || !l.Locked || !l.Until.Equal(e.clock.Now().Add(5*time.Minute)) {
		t.Fatalf("lock state %+v, %v", l, err)
	}

	e.clock.Advance(5 * time.Minute)
	if err := login("alice password"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Success reset the count: four more failures do not lock.
	for i := 1; i < 5; i++ {
		wantCode(t, login("wrong password"), fault.Unauthenticated, "invalid_credentials")
	}
	if err := login("alice password"); err != nil {
		t.Fatal(err)
	}

	// Repeated locks without a success in between grow: 15m, 30m, 60m.
	for _, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour} {
		for i := 1; i < 5; i++ {
			wantCode(t, login("wrong password"), fault.Unauthenticated, "invalid_credentials")
		}
		err := login("wrong password")
		wantCode(t, err, fault.RateLimited, "account_locked")
		if got := retryAfter(err); got != want {
			t.Fatalf("lock lasts %s, want %s", got, want)
		}
		e.clock.Advance(want)
	}

	// Failures a day old are forgotten.
	for i := 1; i < 5; i++ {
		wantCode(t, login("wrong password"), fault.Unauthenticated, "invalid_credentials")
	}
	e.clock.Advance(forgetAfter)
	for i := 1; i < 5; i++ {
		wantCode(t, login("wrong password"), fault.Unauthenticated, "invalid_credentials")
	}
	// … and so is the growth of the locks.
	err = login("wrong password")
	if got := retryAfter(err); got != 15*time.Minute {
		t.Fatalf("lock after a quiet day lasts %s, want 15m (%v)", got, err)
	}
}

func TestLockoutUnlockByAdministrator(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	alice := e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")
	for i := 0; i < 5; i++ {
		_, _, _ = e.a.Login(e.ctx, "acme", "alice@example.com", "wrong password", 0)
	}
	_, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0)
	wantCode(t, err, fault.RateLimited, "account_locked")

	if err := e.a.Unlock(e.ctx, acme, alice); err != nil {
		t.Fatal(err)
	}
	if l, err := e.a.LockState(e.ctx, acme, alice); err != nil || l.Locked || l.Failures != 0 {
		t.Fatalf("after unlock: %+v, %v", l, err)
	}
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	wantCode(t, e.a.Unlock(e.ctx, acme, "00000000-0000-0000-0000-000000000001"), fault.NotFound, "user_not_found")
	wantCode(t, e.a.Unlock(e.ctx, acme, "not-a-uuid"), fault.NotFound, "user_not_found")
}

// An unknown email locks exactly like a known one, so that the lock tells nothing; and a lock
// earned under one tenant slug holds under any other and under none.
func TestLockoutDoesNotRevealAccounts(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.tenant("globex", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")

	answers := func(slug, email string) []string {
		var out []string
		for i := 0; i < 6; i++ {
			_, _, err := e.a.Login(e.ctx, slug, email, "wrong password", 0)
			out = append(out, fault.CodeOf(err)+" "+retryAfter(err).String()+" "+err.Error())
		}
		return out
	}
	known, unknown := answers("acme", "alice@example.com"), answers("acme", "nobody@example.com")
	for i := range known {
		if known[i] != unknown[i] {
			t.Fatalf("attempt %d: known email %q, unknown %q", i+1, known[i], unknown[i])
		}
	}
	if known[4] != "account_locked 15m0s "+errAccountLocked(0).Error() {
		t.Fatalf("fifth failure: %q", known[4])
	}
	// Locked through another tenant's slug (where the address is unknown): locked everywhere.
	e.clock.Advance(time.Hour)
	for i := 0; i < 5; i++ {
		_, _, _ = e.a.Login(e.ctx, "globex", "alice@example.com", "wrong password", 0)
	}
	for _, slug := range []string{"", "acme"} {
		_, _, err := e.a.Login(e.ctx, slug, "alice@example.com", "alice password", 0)
		wantCode(t, err, fault.RateLimited, "account_locked")
	}
}

func TestClientAddressThrottle(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")
	e.a.Lockout.IPMaxFailures = 3
	attacker, other := from(e.ctx, "203.0.113.9"), from(e.ctx, "198.51.100.20")

	// Failures across many addresses count for the client: spraying one password.
	for _, email := range []string{"a@example.com", "b@example.com"} {
		_, _, err := e.a.Login(attacker, "acme", email, "Spring2030!!", 0)
		wantCode(t, err, fault.Unauthenticated, "invalid_credentials")
	}
	_, _, err := e.a.Login(attacker, "acme", "c@example.com", "Spring2030!!", 0)
	wantCode(t, err, fault.RateLimited, "too_many_attempts")
	if got := retryAfter(err); got != 15*time.Minute {
		t.Fatalf("Retry-After %s, want 15m", got)
	}
	// Blocked, even with the right password; another client is not.
	_, _, err = e.a.Login(attacker, "acme", "alice@example.com", "alice password", 0)
	wantCode(t, err, fault.RateLimited, "too_many_attempts")
	if _, _, err := e.a.Login(other, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatal(err)
	}
	// One IPv6 client holds a /64.
	v6 := ipSubject("2001:db8:1:2:aaaa::1")
	if v6 != ipSubject("2001:db8:1:2:bbbb::7") || v6 == ipSubject("2001:db8:1:3::1") || ipSubject("::ffff:192.0.2.1") != "ip:192.0.2.1" {
		t.Fatalf("IPv6 subjects: %s", v6)
	}
	e.clock.Advance(15 * time.Minute)
	if _, _, err := e.a.Login(attacker, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatalf("after the block: %v", err)
	}
}

// Parallel guesses cannot run more password checks than the lock allows: each reserves its
// attempt before the check.
func TestLockoutHoldsUnderParallelGuesses(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")
	var wg sync.WaitGroup
	codes := make([]string, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "wrong password", 0)
			codes[i] = fault.CodeOf(err)
		}()
	}
	wg.Wait()
	checked := 0
	for _, c := range codes {
		switch c {
		case "invalid_credentials":
			checked++
		case "account_locked":
		default:
			t.Fatalf("unexpected answer %q", c)
		}
	}
	if checked > 4 {
		t.Fatalf("%d guesses were checked before the lock, want at most 4 (the fifth locks)", checked)
	}
	_, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0)
	wantCode(t, err, fault.RateLimited, "account_locked")
}

func TestLockoutOff(t *testing.T) {
	e := newEnv(t)
	acme := e.tenant("acme", "active")
	e.userWithPassword(acme, "Alice", "alice@example.com", "alice password")
	e.a.Lockout.MaxFailures, e.a.Lockout.IPMaxFailures = 0, 0
	for i := 0; i < 8; i++ {
		_, _, err := e.a.Login(from(e.ctx, "192.0.2.1"), "acme", "alice@example.com", "wrong password", 0)
		wantCode(t, err, fault.Unauthenticated, "invalid_credentials")
	}
	if _, _, err := e.a.Login(e.ctx, "acme", "alice@example.com", "alice password", 0); err != nil {
		t.Fatal(err)
	}
}

func TestLockDurations(t *testing.T) {
	r := rule{max: 5, window: time.Hour, base: 15 * time.Minute, cap: 2 * time.Hour}
	for n, want := range map[int]time.Duration{1: 15 * time.Minute, 2: 30 * time.Minute, 3: time.Hour, 4: 2 * time.Hour, 40: 2 * time.Hour} {
		if got := r.duration(n); got != want {
			t.Errorf("lock %d lasts %s, want %s", n, got, want)
		}
	}
}
