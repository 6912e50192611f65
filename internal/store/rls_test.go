package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// TestRowLevelSecurity: on PostgreSQL every table with a tenant_id column — system, internal
// and custom — carries the tenant policy, and a session of the application role sees and
// writes only the tenant it names, whatever its SQL says: through the views too, in the tenant
// directory (its own row, and only its version to write) and in the job queue; it cannot touch
// the installation's tables at all.
func TestRowLevelSecurity(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature; SQLite databases hold one deployment's tenants in one file")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, st); err != nil { // River's tables: requests enqueue jobs
		t.Fatal(err)
	}
	sys, _ := metadata.System()
	m, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	reg := metadata.NewRegistry(m, st)
	sch := schema.NewService(st, reg)
	// Two tenants; alpha has a custom entity and relationship of its own.
	var tenants [2]string
	for i, slug := range []string{"alpha", "beta"} {
		tn, err := tenant.Create(ctx, st, slug, slug, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tenants[i] = tn.ID
	}
	alpha := principal.With(ctx, principal.Principal{TenantID: tenants[0], Admin: true})
	if _, err := sch.CreateEntity(alpha, &metadata.Entity{Name: "project", SetName: "projects", Attributes: []*metadata.Attribute{
		{Name: "title", Type: metadata.TypeString}, {Name: "account_id", Type: metadata.TypeLookup, Target: "account"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sch.CreateRelationship(alpha, &metadata.ManyToMany{Name: "project_contact", Entity1: "project", Entity2: "contact", Nav1: "contacts", Nav2: "projects"}); err != nil {
		t.Fatal(err)
	}

	// Every tenant table is covered.
	var covered, uncovered int
	rows, err := st.Raw().QueryContext(ctx, `SELECT c.relname, c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname AND p.policyname = 'tenant_isolation')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = current_schema() AND c.relkind = 'r'`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var name string
		var ok bool
		if err := rows.Scan(&name, &ok); err != nil {
			t.Fatal(err)
		}
		seen[name] = true
		if ok {
			covered++
		} else {
			uncovered++
			t.Errorf("table %s has no tenant policy", name)
		}
	}
	rows.Close()
	key := metadata.TenantKey(tenants[0])
	project, projectContact := metadata.TenantTable(key, "project"), metadata.TenantTable(key, "project_contact")
	for _, want := range []string{"account", "contact", "change_log", "record_share", project, projectContact, "team_membership"} {
		if !seen[want] {
			t.Errorf("table %s was not checked", want)
		}
	}
	if covered < 30 {
		t.Errorf("only %d tenant tables have the policy", covered)
	}

	// An account, a task (read through the activity view), an audit entry (through the
	// audit_entry view) and a job each, written by the server (the tables' owner).
	rec := records.NewService(st, reg, records.Options{})
	for i, slug := range []string{"alpha", "beta"} {
		sys := principal.With(ctx, principal.System(tenants[i]))
		if _, err := rec.Create(sys, "account", records.Input{"name": slug + " account"}); err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Create(sys, "task", records.Input{"subject": slug + " task"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Raw().ExecContext(ctx, `INSERT INTO audit_log (tenant_id, seq, id, at, action, prev_hash, hash)
			VALUES ($1, 1, gen_random_uuid(), now(), 'test', '', '')`, tenants[i]); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Raw().ExecContext(ctx, `INSERT INTO river_job (args, kind, max_attempts) VALUES (jsonb_build_object('tenant_id', $1::text), 'test', 1)`, tenants[i]); err != nil {
			t.Fatal(err)
		}
	}

	// The application role.
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "meridian_app_" + hex.EncodeToString(b[:])
	if _, err := st.Raw().ExecContext(ctx, `CREATE ROLE `+role+` LOGIN NOBYPASSRLS`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = st.Raw().ExecContext(context.Background(), `DROP OWNED BY `+role)
		_, _ = st.Raw().ExecContext(context.Background(), `DROP ROLE `+role)
	})
	// What earlier releases granted — every table and sequence, now and later — is taken back.
	for _, q := range []string{
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA ` + schema + ` GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ` + role,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + schema + ` TO ` + role,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA ` + schema + ` GRANT USAGE, SELECT ON SEQUENCES TO ` + role,
	} {
		if _, err := st.Raw().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.GrantAppRole(ctx, role); err != nil {
		t.Fatal(err)
	}
	var defaults int
	if err := st.Raw().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a
		WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)`, role).Scan(&defaults); err != nil || defaults != 0 {
		t.Errorf("the application role keeps %d default privileges (%v)", defaults, err)
	}
	u.User = url.User(role)
	app, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	conn, err := app.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM account`); n != 0 {
		t.Errorf("without a tenant the application role sees %d accounts", n)
	}
	if _, err := conn.ExecContext(ctx, `SELECT set_config('meridian.tenant_id', $1, false)`, tenants[0]); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM account`); n != 1 {
		t.Errorf("tenant alpha's session sees %d accounts, want 1", n)
	}
	if n := count(`SELECT COUNT(*) FROM account WHERE tenant_id = $1`, tenants[1]); n != 0 {
		t.Errorf("tenant alpha's session sees %d of beta's accounts", n)
	}
	if n := count(`SELECT COUNT(*) FROM change_log WHERE tenant_id = $1`, tenants[1]); n != 0 {
		t.Errorf("tenant alpha's session sees %d of beta's change log rows", n)
	}
	res, err := conn.ExecContext(ctx, `UPDATE account SET name = 'hijacked' WHERE tenant_id = $1`, tenants[1])
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 0 {
		t.Errorf("tenant alpha's session updated %d of beta's accounts", n)
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO account (tenant_id, id, version, created_at, modified_at, name) VALUES ($1, gen_random_uuid(), 1, now(), now(), 'planted')`, tenants[1])
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("tenant alpha's session inserting into beta: %v, want a row-level security violation", err)
	}
	if n := count(`SELECT COUNT(*) FROM ` + store.Quote(project)); n != 0 {
		t.Errorf("a custom table shows %d rows", n)
	}
	// Views read as their caller; the tenant directory and the job queue have their policies.
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM activity`:    1,
		`SELECT COUNT(*) FROM audit_entry`: 1,
		`SELECT COUNT(*) FROM tenant`:      1,
		`SELECT COUNT(*) FROM river_job`:   1,
	} {
		if n := count(q); n != want {
			t.Errorf("tenant alpha's session: %s = %d, want %d", q, n, want)
		}
	}
	if n := count(`SELECT COUNT(*) FROM activity WHERE tenant_id = $1`, tenants[1]); n != 0 {
		t.Errorf("tenant alpha's session sees %d of beta's activities", n)
	}
	res, err = conn.ExecContext(ctx, `UPDATE tenant SET version = version + 1`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("tenant alpha's session moved the version of %d tenants, want its own", n)
	}
	for _, q := range []string{
		`UPDATE tenant SET status = 'disabled'`, // only the version is the role's to write
		`INSERT INTO tenant (id, name, slug, created_at) VALUES (gen_random_uuid(), 'x', 'x', now())`,
		`SELECT COUNT(*) FROM login_throttle`, // installation-wide: never the application role's
		`SELECT COUNT(*) FROM schema_migration`,
		`SELECT COUNT(*) FROM river_queue`,
		`DELETE FROM river_job`,
		`SELECT nextval('river_notification_id_seq')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("tenant alpha's session: %s: %v, want permission denied", q, err)
		}
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO river_job (args, kind, max_attempts) VALUES (jsonb_build_object('tenant_id', $1::text), 'test', 1)`, tenants[1])
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("tenant alpha's session enqueueing a job of beta: %v, want a row-level security violation", err)
	}
	// The owner (the server) still sees both tenants.
	var all int
	if err := st.Raw().QueryRowContext(ctx, `SELECT COUNT(*) FROM account WHERE name <> 'hijacked'`).Scan(&all); err != nil || all != 2 {
		t.Errorf("the owner sees %d accounts (%v), want 2 untouched", all, err)
	}
}
