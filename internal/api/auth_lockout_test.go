package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/meridian-crm/meridian/internal/tenant"
)

// addUser creates a user without security roles in the default tenant and returns its id.
func (s *server) addUser(email, password string) string {
	s.t.Helper()
	ctx := context.Background()
	tn, err := tenant.BySlug(ctx, s.app.Store, "default")
	if err != nil {
		s.t.Fatal(err)
	}
	id, err := s.app.CreateUser(ctx, tn.ID, email, "User "+email, password)
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// loginAs signs in with email and password and returns a client carrying the session token.
func (s *server) loginAs(email, password string) *client {
	s.t.Helper()
	c := s.anon()
	c.token = c.post("auth/login", map[string]any{"email": email, "password": password}).want(http.StatusOK).str("token")
	return c
}

func TestLoginLockoutOverHTTP(t *testing.T) {
	s := newServer(t)
	anon := s.anon()
	const pw = "alice's long password"
	s.addUser("alice@example.com", pw)

	// A wrong password and an unknown email get the same answers, lock included.
	var answers [2][]string
	for i, email := range []string{"alice@example.com", "nobody@example.com"} {
		for n := 1; n <= 6; n++ {
			r := anon.post("auth/login", map[string]any{"email": email, "password": "wrong password"})
			answers[i] = append(answers[i], strconv.Itoa(r.status)+" "+r.header.Get("Retry-After")+" "+string(r.raw))
			switch {
			case n < 5:
				r.wantError(http.StatusUnauthorized, "invalid_credentials", "-")
			default:
				r.wantError(http.StatusTooManyRequests, "account_locked", "-")
				if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 899 || ra > 900 {
					t.Fatalf("Retry-After %q, want 900", r.header.Get("Retry-After"))
				}
			}
		}
	}
	for n := range answers[0] {
		if answers[0][n] != answers[1][n] {
			t.Fatalf("attempt %d: wrong password answered %q, unknown email %q", n+1, answers[0][n], answers[1][n])
		}
	}
	// Locked: the right password does not get in.
	anon.post("auth/login", map[string]any{"email": "alice@example.com", "password": pw}).
		wantError(http.StatusTooManyRequests, "account_locked", "-")
}

func TestUnlockByAdministrator(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	const pw = "alice's long password"
	alice := s.addUser("alice@example.com", pw)
	s.addUser("bob@example.com", pw)
	bob := s.loginAs("bob@example.com", pw)
	for n := 0; n < 5; n++ {
		s.anon().post("auth/login", map[string]any{"email": "alice@example.com", "password": "wrong password"})
	}
	r := admin.get("auth/users/" + alice + "/lock").want(http.StatusOK)
	if r.str("locked") != "true" || r.str("locked_until") == "" {
		t.Fatalf("lock state: %s", r.raw)
	}
	// Only administrators unlock.
	bob.post("auth/users/"+alice+"/unlock", nil).wantError(http.StatusForbidden, "forbidden", "-")
	bob.get("auth/users/"+alice+"/lock").wantError(http.StatusForbidden, "forbidden", "-")
	admin.post("auth/users/00000000-0000-0000-0000-000000000001/unlock", nil).wantError(http.StatusNotFound, "user_not_found", "-")

	admin.post("auth/users/"+alice+"/unlock", nil).want(http.StatusNoContent)
	if r := admin.get("auth/users/" + alice + "/lock").want(http.StatusOK); r.str("locked") != "false" || r.str("failures") != "0" {
		t.Fatalf("lock state after unlock: %s", r.raw)
	}
	s.loginAs("alice@example.com", pw).get("auth/me").want(http.StatusOK)
}

func TestClientAddressThrottleOverHTTP(t *testing.T) {
	s := newServer(t)
	s.app.Auth.Lockout.IPMaxFailures = 3
	anon := s.anon()
	for _, email := range []string{"a@example.com", "b@example.com"} {
		anon.post("auth/login", map[string]any{"email": email, "password": "Spring2030!!"}).
			wantError(http.StatusUnauthorized, "invalid_credentials", "-")
	}
	r := anon.post("auth/login", map[string]any{"email": "c@example.com", "password": "Spring2030!!"})
	r.wantError(http.StatusTooManyRequests, "too_many_attempts", "-")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The whole address is blocked, the administrator's right password included.
	anon.post("auth/login", map[string]any{"email": adminEmail, "password": adminPassword}).
		wantError(http.StatusTooManyRequests, "too_many_attempts", "-")
}
