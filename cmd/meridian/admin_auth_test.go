package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func TestUserUnlockAndAPIKeyCommands(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "--db", db)
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "ops@acme.example")

	// Lock the user with failed sign-ins, as the server would see them.
	login := func() error {
		cfg := app.Defaults()
		cfg.DB, cfg.DataDir = db, t.TempDir()
		a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for i := 0; i < 5; i++ {
			_, _, _ = a.Auth.Login(context.Background(), "acme", "ops@acme.example", "wrong password", 0)
		}
		_, _, err = a.Auth.Login(context.Background(), "acme", "ops@acme.example", "a-long-enough-password", 0)
		return err
	}
	if err := login(); fault.CodeOf(err) != "account_locked" {
		t.Fatalf("after five failures: %v", err)
	}
	if out := run(t, "", "user", "unlock", "--db", db, "--tenant", "acme", "--email", "OPS@acme.example"); !strings.Contains(out, "unlocked ") {
		t.Fatalf("user unlock: %q", out)
	}
	cfg := app.Defaults()
	cfg.DB, cfg.DataDir = db, t.TempDir()
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Auth.Login(context.Background(), "acme", "ops@acme.example", "a-long-enough-password", 0); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	a.Close()
	if out := run(t, "", "user", "reset-mfa", "--db", db, "--tenant", "acme", "--email", "ops@acme.example"); !strings.Contains(out, "second factors removed") {
		t.Fatalf("user reset-mfa: %q", out)
	}

	// Keys: scoped, expiring, listed without their secret, revoked by ID.
	read := strings.TrimSpace(run(t, "", "apikey", "create", "--db", db, "--tenant", "acme", "--user", "ops@acme.example",
		"--name", "bi", "--scope", "read", "--expires", "720h"))
	old := strings.TrimSpace(run(t, "", "apikey", "create", "--db", db, "--tenant", "acme", "--user", "ops@acme.example",
		"--name", "legacy-flag", "--expires-in", "1h"))
	if !strings.HasPrefix(read, "mrk_") || !strings.HasPrefix(old, "mrk_") {
		t.Fatalf("apikey create printed %q and %q", read, old)
	}
	list := run(t, "", "apikey", "list", "--db", db, "--tenant", "acme", "--user", "ops@acme.example")
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "bi") || !strings.Contains(lines[1], " read ") ||
		!strings.Contains(lines[2], " write ") || strings.Contains(list, read) || strings.Contains(list, "never") {
		t.Fatalf("apikey list:\n%s", list)
	}
	id := strings.Fields(lines[1])[0]
	if h := sha256.Sum256([]byte(read)); id != hex.EncodeToString(h[:]) {
		t.Fatalf("listed ID %s is not the key's", id)
	}
	if out := run(t, "", "apikey", "revoke", id, "--db", db, "--tenant", "acme", "--user", "ops@acme.example"); !strings.Contains(out, "revoked") {
		t.Fatalf("apikey revoke: %q", out)
	}
	if list := run(t, "", "apikey", "list", "--db", db, "--tenant", "acme", "--user", "ops@acme.example"); strings.Contains(list, " bi ") {
		t.Fatalf("revoked key listed:\n%s", list)
	}
}
