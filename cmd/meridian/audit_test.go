package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// runErr executes the CLI with args and returns its standard output and error (the exit status
// is non-zero exactly when Execute returns an error, see main).
func runErr(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(""))
	err := root.Execute()
	return out.String(), err
}

func TestAuditVerifyFailsOnATamperedDatabase(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	run(t, "a-long-enough-password\n", "user", "create", "--db", db, "--tenant", "acme", "--email", "ops@acme.example", "--admin")
	run(t, "", "export", "--db", db, "--tenant", "acme", "--entity", "users", "--format", "csv")
	out, err := runErr(t, "audit", "verify", "--db", db)
	if err != nil || !strings.Contains(out, "tenant acme") || !strings.Contains(out, "intact") {
		t.Fatalf("verify of an untouched database: %v\n%s", err, out)
	}
	// The CLI export was recorded as the operator's.
	out = run(t, "", "audit", "export", "--db", db, "--tenant", "acme", "--filter", "action eq 'export'", "--select", "action,entity,user_name,method,user_agent", "--format", "csv")
	if !strings.Contains(out, "export,user,cli") || !strings.Contains(out, ",system,meridian-cli/") {
		t.Fatalf("the export is not in the trail:\n%s", out)
	}

	// Someone edits an entry behind Meridian's back.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Raw().ExecContext(context.Background(), `UPDATE audit_log SET user_name = 'nobody' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, err = runErr(t, "audit", "verify", "--db", db)
	if err == nil {
		t.Fatalf("verify passed a tampered database:\n%s", out)
	}
	if !strings.Contains(err.Error(), "audit trail broken") || !strings.Contains(out, "BREAK tenant acme seq 2: edited") {
		t.Fatalf("verify of a tampered database: %v\n%s", err, out)
	}
	// --tenant narrows the check: another tenant's intact chain passes.
	run(t, "", "tenant", "create", "beta", "Beta", "--db", db)
	run(t, "another-long-password\n", "user", "create", "--db", db, "--tenant", "beta", "--email", "ops@beta.example")
	if out, err := runErr(t, "audit", "verify", "--db", db, "--tenant", "beta"); err != nil || strings.Contains(out, "acme") {
		t.Fatalf("verify --tenant beta: %v\n%s", err, out)
	}
	if _, err := runErr(t, "audit", "verify", "--db", db, "--tenant", "acme"); err == nil {
		t.Fatal("verify --tenant acme passed")
	}
}

func TestAuditRetentionCommands(t *testing.T) {
	db := storetest.DSN(t)
	run(t, "", "tenant", "create", "acme", "Acme Ltd", "--db", db)
	if out := run(t, "", "audit", "retention", "--db", db, "--tenant", "acme"); !strings.Contains(out, "forever") {
		t.Fatalf("retention: %q", out)
	}
	if out := run(t, "", "audit", "retention", "--db", db, "--tenant", "acme", "--days", "400"); !strings.Contains(out, "for 400 days") {
		t.Fatalf("retention --days: %q", out)
	}
	// Nothing is old enough yet.
	if out := run(t, "", "audit", "purge", "--db", db); !strings.Contains(out, "nothing to purge") {
		t.Fatalf("purge: %q", out)
	}
	if out := run(t, "", "audit", "verify", "--db", db); !strings.Contains(out, "intact") {
		t.Fatalf("verify: %q", out)
	}
	if _, err := runErr(t, "audit", "retention", "--db", db, "--tenant", "acme", "--days", "-3"); err == nil {
		t.Fatal("negative retention accepted")
	}
}
