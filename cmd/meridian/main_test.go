package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// run executes the CLI with args and returns its standard output.
func run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	if err := root.Execute(); err != nil {
		t.Fatalf("meridian %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

func TestAdministrationCommands(t *testing.T) {
	db := storetest.DSN(t)
	all, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if out := run(t, "", "migrate", "--db", db); !strings.Contains(out, fmt.Sprintf("schema version %d", all[len(all)-1].Version)) {
		t.Fatalf("migrate: %q", out)
	}
	if out := run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db); !strings.Contains(out, "created tenant acme") {
		t.Fatalf("tenant create: %q", out)
	}
	if out := run(t, "", "tenant", "list", "--db", db); !strings.Contains(out, "acme") || !strings.Contains(out, "Acme Ltd") {
		t.Fatalf("tenant list: %q", out)
	}
	// The password comes from standard input, so it never appears in the process list.
	if out := run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "ops@acme.example"); !strings.Contains(out, "created user ops@acme.example") {
		t.Fatalf("user create: %q", out)
	}
	key := strings.TrimSpace(run(t, "", "apikey", "create", "--db", db, "--tenant", "acme", "--user", "ops@acme.example", "--name", "ci"))
	if !strings.HasPrefix(key, "mrk_") || len(key) < 40 {
		t.Fatalf("apikey create printed %q", key)
	}
	// The tenant's one user exports as CSV.
	out := run(t, "", "export", "--db", db, "--tenant", "acme", "--entity", "users", "--select", "email,full_name", "--format", "csv")
	if !strings.Contains(out, "id,version,email,full_name") || !strings.Contains(out, "ops@acme.example") {
		t.Fatalf("export: %q", out)
	}
}

func TestUserCreateRejectsWeakPassword(t *testing.T) {
	db := storetest.DSN(t)
	for _, c := range []struct{ pw, says string }{
		{"short", "at least 10 characters"},
		{"x@example.com", "your email address"},  // the user's own email
		{"abcabcabcabc", "repeated pattern"},     // long enough, but guessed at once
		{"passwordpassword", "repeated pattern"}, // a common password, twice
		{"meridian2030", "name of the product"},  // the product's name
	} {
		root := newRoot()
		root.SetArgs([]string{"user", "create", "--db", db, "--email", "x@example.com", "--password", c.pw})
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Fatalf("password %q: %v, want a refusal saying %q", c.pw, err, c.says)
		}
	}
	// Nothing was half-written: the user does not exist.
	root := newRoot()
	root.SetArgs([]string{"apikey", "create", "--db", db, "--user", "x@example.com"})
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "no user has this key") {
		t.Fatalf("the user of a refused password exists: %v", err)
	}
}
