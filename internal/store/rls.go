package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// TenantSetting is the PostgreSQL setting that names a session's tenant for row-level security.
const TenantSetting = "meridian.tenant_id"

// tenantPolicy is the row-level security policy of every relation the application role may
// touch: a session sees and writes only the rows of the tenant named by TenantSetting, and
// nothing when it names none.
const tenantPolicy = "tenant_isolation"

// sessionTenant is the session's tenant as text (NULL when it names none).
const sessionTenant = `NULLIF(current_setting('` + TenantSetting + `', true), '')`

// tenantCheck is the policy's condition on a table that leads with tenant_id.
const tenantCheck = `tenant_id = ` + sessionTenant + `::uuid`

// keyedTables are the tables requests need that have no tenant_id column, with the condition
// that ties a row to its tenant instead.
var keyedTables = map[string]string{
	// The tenant directory: a request reads its own tenant's row (status, version) and a write
	// moves its version on (records' nextVersion).
	"tenant": `id = ` + sessionTenant + `::uuid`,
	// River's job queue: a job enqueued in a request's transaction (transactional enqueueing,
	// docs/jobs.md) carries its tenant in its arguments, as every Meridian job does.
	"river_job": `(args ->> 'tenant_id') = ` + sessionTenant,
}

// appGrants narrows what the application role holds on the tables that need less than
// reading and writing their tenant's rows; every other table under the tenant policy gets
// appTableGrant.
var appGrants = map[string]string{
	// Reads of its own row, and the version bump; never its name, slug, status or placement.
	"tenant": "SELECT, UPDATE (version)",
	// River's insert: INSERT … ON CONFLICT (unique_key) DO UPDATE SET kind = river_job.kind
	// RETURNING river_job.* (the update keeps a unique job as it was). Workers, retries and
	// cancellations run as the server's login.
	"river_job": "SELECT, INSERT, UPDATE (kind)",
}

// appTableGrant is what the application role holds on a table under the tenant policy.
const appTableGrant = "SELECT, INSERT, UPDATE, DELETE"

// appSequences are the sequences requests draw from, with what the role holds on them. A
// sequence is shared by the tenants: drawing from it reveals how many values were drawn.
var appSequences = map[string]string{
	"river_job_id_seq": "USAGE", // the ids of the jobs a request enqueues (nextval)
}

// SecureTenantTables enables row-level security, with the tenant policy, on every table of the
// schema that has a tenant_id column (or is one of keyedTables) and lacks it (PostgreSQL; a
// no-op on SQLite). It runs at start-up after the system tables are synchronised and after
// every schema change, so custom entity and relationship tables get the policy in the
// transaction that creates them.
//
// The policy binds roles without BYPASSRLS other than the tables' owner: the second wall for
// connections made as the application role (see docs/security.md), behind the tenant predicate
// every query of the records service carries.
func (s *Store) SecureTenantTables(ctx context.Context) error {
	return s.SecureTables(ctx)
}

// SecureTables is SecureTenantTables for the tables named (none: every table of the schema),
// for a schema change that knows which tables it made: it need not read the whole catalog.
// When the store serves requests as an application role, the tables it secures are granted to
// that role in the same transaction.
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
			check := tenantCheck
			if c, ok := keyedTables[t]; ok {
				check = c
			}
			if _, err := s.Exec(ctx, `CREATE POLICY `+tenantPolicy+` ON `+q+` USING (`+check+`) WITH CHECK (`+check+`)`); err != nil {
				return fmt.Errorf("store: tenant policy on %s: %w", t, err)
			}
			if s.appRole != "" {
				if err := s.grant(ctx, relation{name: t, kind: "r"}, appGrantOf(t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// unsecuredTables lists the tables of the current schema (of names, when given) with a
// tenant_id column, or named in keyedTables, that do not have row-level security with the
// tenant policy.
func (s *Store) unsecuredTables(ctx context.Context, names []string) ([]string, error) {
	keyed := make([]string, 0, len(keyedTables))
	for t := range keyedTables {
		keyed = append(keyed, t)
	}
	only, args := "", []any{keyed}
	if len(names) > 0 {
		only, args = ` AND c.relname = ANY($2)`, append(args, names)
	}
	rows, err := s.Query(ctx, `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`+only+`
		AND (c.relname = ANY($1) OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
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

// relation is a relation of the schema as GrantAppRole sees it.
type relation struct {
	name    string
	kind    string // pg_class.relkind: r table, p partitioned table, v view, m materialized view, S sequence, f foreign table
	policy  bool   // a table with row-level security and the tenant policy
	invoker bool   // a view with security_invoker: its tables' policies bind whoever reads it
	has     string // what the role holds now, in aclOf's form
}

// appGrant returns what the application role may hold on r, as a GRANT lists it ("" nothing):
// tables under the tenant policy, views that read as their caller, and appSequences.
func appGrant(r relation) string {
	switch r.kind {
	case "r", "p":
		if r.policy {
			return appGrantOf(r.name)
		}
	case "v":
		if r.invoker {
			return "SELECT"
		}
	case "S":
		return appSequences[r.name]
	}
	return ""
}

// appGrantOf is what the application role holds on table, which is under the tenant policy.
func appGrantOf(table string) string {
	if g, ok := appGrants[table]; ok {
		return g
	}
	return appTableGrant
}

// aclOf returns the privileges a GRANT list gives in a canonical form, the one GrantAppRole
// reads from the catalog: relation privileges, and column privileges as column:PRIVILEGE,
// sorted and comma-separated ("SELECT, UPDATE (version)" → "SELECT,version:UPDATE").
func aclOf(list string) string {
	var out []string
	for _, p := range strings.Split(list, ", ") {
		if p == "" {
			continue
		}
		if priv, cols, ok := strings.Cut(p, " ("); ok {
			for _, c := range strings.Split(strings.TrimSuffix(cols, ")"), ",") {
				out = append(out, strings.TrimSpace(c)+":"+priv)
			}
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// grant gives role what want lists on r, and nothing else (in ctx's transaction).
func (s *Store) grant(ctx context.Context, r relation, want string) error {
	what := "TABLE "
	if r.kind == "S" {
		what = "SEQUENCE "
	}
	q, role := Quote(r.name), Quote(s.appRole)
	if r.has != "" {
		if _, err := s.Exec(ctx, `REVOKE ALL ON `+what+q+` FROM `+role); err != nil {
			return fmt.Errorf("store: revoke %s from %s: %w", r.name, s.appRole, err)
		}
	}
	if want != "" {
		if _, err := s.Exec(ctx, `GRANT `+want+` ON `+what+q+` TO `+role); err != nil {
			return fmt.Errorf("store: grant %s to %s: %w", r.name, s.appRole, err)
		}
	}
	return nil
}

// GrantAppRole makes the privileges of role (which must exist, and must be neither the tables'
// owner nor have BYPASSRLS) on the schema exactly what requests need (PostgreSQL): the tables
// under the tenant policy (appGrants narrows some), the views that read as their caller
// (security_invoker), appSequences — and nothing on any other relation, whatever an earlier
// release granted (it granted every table, and by default privileges every future one).
// Sessions of that role see only the tenant they name with SET meridian.tenant_id = '<uuid>'.
// Tables made later are granted by the schema change that makes them (SecureTables). The index
// probes (probe.go) are defined here too, executable by role alone.
func (s *Store) GrantAppRole(ctx context.Context, role string) error {
	if s.D.Name() != "postgres" {
		return fmt.Errorf("store: application roles and row-level security are PostgreSQL features")
	}
	s.appRole = role
	return s.WithTx(AsOwner(ctx), func(ctx context.Context) error {
		// Servers starting together, and schema changes, take turns: a table is granted by
		// whichever of them sees it, and concurrent GRANTs on one table would fail.
		if err := s.LockMetadata(ctx); err != nil {
			return err
		}
		var schema string
		if err := s.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		r, sc := Quote(role), Quote(schema)
		if _, err := s.Exec(ctx, `GRANT USAGE ON SCHEMA `+sc+` TO `+r); err != nil {
			return fmt.Errorf("store: grant %s: %w", role, err)
		}
		var defaults bool
		if err := s.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a
			WHERE d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1))`, role).Scan(&defaults); err != nil {
			return fmt.Errorf("store: default privileges of %s: %w", role, err)
		}
		if defaults {
			for _, on := range []string{"TABLES", "SEQUENCES"} {
				if _, err := s.Exec(ctx, `ALTER DEFAULT PRIVILEGES IN SCHEMA `+sc+` REVOKE ALL ON `+on+` FROM `+r); err != nil {
					return fmt.Errorf("store: default privileges of %s: %w", role, err)
				}
			}
		}
		rels, err := s.relations(ctx, role)
		if err != nil {
			return err
		}
		for _, rel := range rels {
			if want := appGrant(rel); aclOf(want) != rel.has {
				if err := s.grant(ctx, rel, want); err != nil {
					return err
				}
			}
		}
		return s.defineProbes(ctx, schema, role)
	})
}

// relations lists the relations of the current schema with what role holds on each.
func (s *Store) relations(ctx context.Context, role string) ([]relation, error) {
	rows, err := s.Query(ctx, `WITH r AS (SELECT oid FROM pg_roles WHERE rolname = $1)
		SELECT c.relname, c.relkind::text,
			c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = '`+tenantPolicy+`'),
			COALESCE((SELECT lower(o.option_value) IN ('true', 'on', 'yes', '1') FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'security_invoker'), false),
			COALESCE((SELECT string_agg(x.p, ',' ORDER BY x.p COLLATE "C") FROM (
				SELECT a.privilege_type AS p FROM aclexplode(c.relacl) a, r WHERE a.grantee = r.oid
				UNION ALL
				SELECT att.attname || ':' || a.privilege_type FROM pg_attribute att, aclexplode(att.attacl) a, r
				WHERE att.attrelid = c.oid AND a.grantee = r.oid) x), '')
		FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		ORDER BY c.relname`, role)
	if err != nil {
		return nil, fmt.Errorf("store: relations: %w", err)
	}
	defer rows.Close()
	var out []relation
	for rows.Next() {
		var r relation
		if err := rows.Scan(&r.name, &r.kind, &r.policy, &r.invoker, &r.has); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
