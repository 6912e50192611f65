package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// openWithRole opens an app on dsn with MERIDIAN_DB_APP_ROLE set to role, returning its log.
func openWithRole(t *testing.T, dsn, role string) (*App, string, error) {
	t.Helper()
	c := Defaults()
	c.DB, c.DataDir, c.DBAppRole = dsn, t.TempDir(), role
	var log bytes.Buffer
	a, err := Open(context.Background(), c, slog.New(slog.NewTextHandler(&log, nil)))
	if err == nil {
		t.Cleanup(func() { a.Close() })
	}
	return a, log.String(), err
}

// TestApplicationRoleSettings: on PostgreSQL requests run by default as the role the server
// sets up itself; MERIDIAN_DB_APP_ROLE names another, which must be bound by row-level security
// (a superuser, a missing role are refused, naming the setting); "off" runs them as the server's
// login, with a warning.
func TestApplicationRoleSettings(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("SQLite has no roles: requests run on the server's own connections")
	}
	a, _, err := openWithRole(t, storetest.DSN(t), "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.Store.DefaultAppRole(context.Background())
	if err != nil || a.Store.AppRole() != want || !strings.HasSuffix(want, "_meridian_app") {
		t.Errorf("by default requests run as %q, want the server's own %q (%v)", a.Store.AppRole(), want, err)
	}

	a, log, err := openWithRole(t, storetest.DSN(t), AppRoleOff)
	if err != nil {
		t.Fatal(err)
	}
	if a.Store.AppRole() != "" || !strings.Contains(log, "MERIDIAN_DB_APP_ROLE=off") {
		t.Errorf("off: requests run as %q; log %q", a.Store.AppRole(), log)
	}

	for role, why := range map[string]string{"postgres": "superuser", "meridian_no_such_role": "does not exist"} {
		_, _, err := openWithRole(t, storetest.DSN(t), role)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "MERIDIAN_DB_APP_ROLE") {
			t.Errorf("MERIDIAN_DB_APP_ROLE=%s: %v, want a refusal (%s) naming the setting", role, err, why)
		}
	}
}

// TestServerLoginWithoutRoleRights: a server whose login may neither create roles nor SET the
// application role refuses to start, saying how to fix it; once a superuser has created the
// role and granted it to the login, it starts and requests run as that role.
func TestServerLoginWithoutRoleRights(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("SQLite has no roles")
	}
	dsn := storetest.DSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [4]byte
	_, _ = rand.Read(b[:])
	login := "meridian_login_" + hex.EncodeToString(b[:])
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	for _, q := range []string{
		`CREATE ROLE ` + login + ` LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS`,
		`GRANT USAGE, CREATE ON SCHEMA ` + store.Quote(schema) + ` TO ` + login,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP OWNED BY ` + login)
		_, _ = admin.Exec(`DROP ROLE ` + login)
	})
	u.User = url.User(login)

	_, _, err = openWithRole(t, u.String(), "")
	if err == nil || !strings.Contains(err.Error(), "MERIDIAN_DB_APP_ROLE") || !strings.Contains(err.Error(), "CREATE ROLE") {
		t.Fatalf("a login that cannot set up the role: %v, want a refusal naming MERIDIAN_DB_APP_ROLE", err)
	}
	t.Logf("refused: %v", err)

	var role string
	if err := admin.QueryRow(`SELECT current_database() || '_meridian_app'`).Scan(&role); err != nil {
		t.Fatal(err)
	}
	storetest.EnsureRole(t, role)
	if _, err := admin.Exec(`GRANT ` + store.Quote(role) + ` TO ` + login); err != nil {
		t.Fatal(err)
	}
	a, _, err := openWithRole(t, u.String(), "")
	if err != nil {
		t.Fatalf("once the role is granted to the login: %v", err)
	}
	if a.Store.AppRole() != role {
		t.Fatalf("requests run as %q, want %q", a.Store.AppRole(), role)
	}
}
