package store

import (
	"context"
	"fmt"
)

// TenantSetting is the PostgreSQL setting that names a session's tenant for row-level security.
const TenantSetting = "meridian.tenant_id"

// tenantPolicy is the row-level security policy of every tenant table: a session sees and
// writes only the rows of the tenant named by TenantSetting, and nothing when it names none.
const tenantPolicy = "tenant_isolation"

// SecureTenantTables enables row-level security, with the tenant policy, on every table of the
// schema that has a tenant_id column and lacks it (PostgreSQL; a no-op on SQLite). It runs at
// start-up after the system tables are synchronised and after every schema change, so custom
// entity and relationship tables get the policy in the transaction that creates them.
//
// The policy binds roles without BYPASSRLS other than the tables' owner: the second wall for
// connections made as the application role (see docs/security.md), behind the tenant predicate
// every query of the records service carries.
func (s *Store) SecureTenantTables(ctx context.Context) error {
	return s.SecureTables(ctx)
}

// SecureTables is SecureTenantTables for the tables named (none: every table of the schema),
// for a schema change that knows which tables it made: it need not read the whole catalog.
func (s *Store) SecureTables(ctx context.Context, names ...string) error {
	if s.D.Name() != "postgres" {
		return nil
	}
	tables, err := s.unsecuredTables(ctx, names)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		for _, t := range tables {
			q := Quote(t)
			if _, err := s.Exec(ctx, `ALTER TABLE `+q+` ENABLE ROW LEVEL SECURITY`); err != nil {
				return fmt.Errorf("store: row-level security on %s: %w", t, err)
			}
			check := `tenant_id = NULLIF(current_setting('` + TenantSetting + `', true), '')::uuid`
			if _, err := s.Exec(ctx, `CREATE POLICY `+tenantPolicy+` ON `+q+` USING (`+check+`) WITH CHECK (`+check+`)`); err != nil {
				return fmt.Errorf("store: tenant policy on %s: %w", t, err)
			}
		}
		return nil
	})
}

// unsecuredTables lists the tables of the current schema (of names, when given) with a
// tenant_id column that do not have row-level security with the tenant policy.
func (s *Store) unsecuredTables(ctx context.Context, names []string) ([]string, error) {
	only, args := "", []any{}
	if len(names) > 0 {
		only, args = ` AND c.relname = ANY($1)`, []any{names}
	}
	rows, err := s.Query(ctx, `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`+only+`
		AND NOT (c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = '`+tenantPolicy+`'))
		ORDER BY c.relname`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GrantAppRole lets role (which must exist, and should not be the tables' owner nor have
// BYPASSRLS) read and write every table of the schema, now and as tables are added. Sessions of
// that role see only the tenant they name with SET meridian.tenant_id = '<uuid>' (PostgreSQL).
func (s *Store) GrantAppRole(ctx context.Context, role string) error {
	if s.D.Name() != "postgres" {
		return fmt.Errorf("store: application roles and row-level security are PostgreSQL features")
	}
	var schema string
	if err := s.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	r, sc := Quote(role), Quote(schema)
	for _, q := range []string{
		`GRANT USAGE ON SCHEMA ` + sc + ` TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + sc + ` TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA ` + sc + ` GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ` + r,
		// Jobs enqueued in a request's transaction insert into the job queue's bigserial table.
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + sc + ` TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA ` + sc + ` GRANT USAGE, SELECT ON SEQUENCES TO ` + r,
	} {
		if _, err := s.Raw().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: grant %s: %w", role, err)
		}
	}
	return nil
}
