package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestServeBootstrapAndShutdown starts the server on a free port, signs in as the bootstrapped
// administrator, and checks that cancelling the context shuts the server down cleanly.
func TestServeBootstrapAndShutdown(t *testing.T) {
	c := Defaults()
	c.DB = storetest.DSN(t)
	c.AdminEmail, c.AdminPassword = "Admin@Example.com", "a-long-enough-password"
	a, addr, stop := serveForTest(t, c)
	if err := a.Bootstrap(context.Background()); err != nil { // bootstrapping twice is harmless
		t.Fatal(err)
	}
	base := "http://" + addr

	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"admin@example.com","password":"a-long-enough-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"token":"mrd_`) {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(base + "/api/v1/accounts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated list: %d", resp.StatusCode)
	}

	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// serveForTest opens an app on c, bootstraps it and serves it on a free port of the loopback
// address until the test ends. stop shuts it down and returns Serve's error (an error of its own
// when that takes more than 10 s).
func serveForTest(t *testing.T, c Config) (a *App, addr string, stop func() error) {
	t.Helper()
	c.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	a, err := Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := a.Bootstrap(ctx); err != nil {
		cancel()
		a.Close()
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addrc <- s }) }()
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		a.Close()
		t.Fatalf("serve: %v", err)
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(10 * time.Second):
				stopErr = errors.New("the server did not shut down")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		_ = stop()
		a.Close()
	})
	return a, addr, stop
}

// TestBootstrapRefusesGuessablePassword: the bootstrap administrator's password passes the same
// policy as every other: built on the administrator's own email, or a repeated pattern, it stops
// the start with the reason, and no administrator is created.
func TestBootstrapRefusesGuessablePassword(t *testing.T) {
	for _, c := range []struct{ pw, says string }{
		{"ops@example.com", "your email address"},
		{"passwordpassword", "repeated pattern"},
	} {
		cfg := Defaults()
		cfg.DB = storetest.DSN(t)
		cfg.AdminEmail, cfg.AdminPassword = "ops@example.com", c.pw
		a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		err = a.Bootstrap(context.Background())
		a.Close()
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Fatalf("bootstrap with %q: %v, want a refusal saying %q", c.pw, err, c.says)
		}
	}
}
