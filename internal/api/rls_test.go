package api_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/search"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// appRole creates a PostgreSQL role for requests (no BYPASSRLS) and drops it after the test.
func appRole(t *testing.T) string {
	t.Helper()
	base := storetest.DefaultPostgres
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "meridian_req_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE ROLE ` + role + ` NOLOGIN NOBYPASSRLS`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec(`DROP OWNED BY ` + role)
		_, _ = db.Exec(`DROP ROLE ` + role)
		db.Close()
	})
	return role
}

// TestRequestsUnderRowLevelSecurity runs the server as configured by default (PostgreSQL:
// requests as the application role the server sets up itself): requests work as usual —
// records, custom entities (their DDL runs as the owner), bulk writes, audit — and a query on a
// request's connection that names no tenant still sees only the request's tenant.
func TestRequestsUnderRowLevelSecurity(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature")
	}
	s := newServer(t)
	if s.app.Store.AppRole() == "" {
		t.Fatal("requests do not run as an application role by default")
	}
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Under the wall"})
	c.get("accounts(" + acc + ")").want(http.StatusOK)
	c.patch("accounts("+acc+")", map[string]any{"city": "Suzhou"}).want(http.StatusNoContent, http.StatusOK)
	c.post("metadata/entities", map[string]any{"name": "site", "set_name": "sites", "display_name": map[string]any{"en": "Site"},
		"attributes": []any{map[string]any{"name": "title", "type": "string"}, map[string]any{"name": "account_id", "type": "lookup", "target": "account"}}}).
		want(http.StatusCreated)
	c.create("sites", map[string]any{"title": "Plant 1", "account_id": acc})
	c.post("$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "accounts", "atomicityGroup": "g", "body": map[string]any{"name": "Batch one"}},
		map[string]any{"id": "2", "method": "POST", "url": "accounts", "atomicityGroup": "g", "body": map[string]any{"name": "Batch two"}},
	}}).want(http.StatusOK)
	if n := c.count("accounts"); n != 3 {
		t.Fatalf("%d accounts", n)
	}
	if got := c.get("audit?$filter=record_id%20eq%20" + acc).want(http.StatusOK).values(); len(got) < 2 {
		t.Fatalf("audit entries of the account: %d", len(got))
	}

	// Another tenant's rows, written by the server itself.
	ctx := context.Background()
	other, err := s.app.EnsureTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Records.Create(principal.With(ctx, principal.System(other.ID)), "account", records.Input{"name": "Elsewhere"}); err != nil {
		t.Fatal(err)
	}
	def, err := s.app.EnsureTenant(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	// Queries that forget the tenant predicate, on a request's connection.
	rctx, release, err := s.app.Store.ForTenant(ctx, def.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM account`: 3,
		`SELECT COUNT(*) FROM tenant`:  1,
		`SELECT COUNT(*) FROM audit_entry WHERE entity = 'account' AND action = 'create'`: 3,
	} {
		var n int
		if err := s.app.Store.QueryRow(rctx, q).Scan(&n); err != nil || n != want {
			t.Errorf("a tenant connection: %s = %d (%v), want its own %d", q, n, err, want)
		}
	}
	var n int
	if err := s.app.Store.QueryRow(ctx, `SELECT COUNT(*) FROM account`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("the owner counts %d accounts (%v), want 4", n, err)
	}
}

// TestRequestsUnderANamedRole: MERIDIAN_DB_APP_ROLE names an existing role, which requests
// then run as (the server grants it what they need).
func TestRequestsUnderANamedRole(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature")
	}
	s := &server{t: t, dsn: storetest.DSN(t), appRole: appRole(t)}
	s.run()
	if got := s.app.Store.AppRole(); got != s.appRole {
		t.Fatalf("requests run as %q, want %q", got, s.appRole)
	}
	c := s.login()
	acc := c.create("accounts", map[string]any{"name": "Named"})
	c.get("accounts(" + acc + ")").want(http.StatusOK)
}

// TestApplicationRoleReachesOnlyTenantRelations: on a fresh PostgreSQL database, after a
// tenant's schema changes made tables of its own (a custom entity, an N:N relationship, the
// extension table of account), every relation the server's application role can reach is a
// table under the tenant policy (binding every role, for every command, with no other
// permissive policy beside it) or a view that reads as its caller, besides the job ids'
// sequence; the role is bound by row-level security, cannot create objects and can run no
// SECURITY DEFINER function of the schema.
func TestApplicationRoleReachesOnlyTenantRelations(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature")
	}
	s := newServer(t)
	ctx := context.Background()
	role := s.app.Store.AppRole()
	if want, err := s.app.Store.DefaultAppRole(ctx); err != nil || role != want {
		t.Fatalf("requests run as %q, want the server's own role %q (%v)", role, want, err)
	}
	c := s.login()
	c.post("metadata/entities", map[string]any{"name": "site", "set_name": "sites", "display_name": map[string]any{"en": "Site"},
		"attributes": []any{map[string]any{"name": "title", "type": "string"}, map[string]any{"name": "account_id", "type": "lookup", "target": "account"}}}).
		want(http.StatusCreated)
	c.post("metadata/entities/account/attributes", map[string]any{"name": "region_code", "type": "string", "display_name": map[string]any{"en": "Region"}}).
		want(http.StatusCreated)
	c.post("metadata/relationships", map[string]any{"name": "site_contact", "entity1": "site", "entity2": "contact", "nav1": "contacts", "nav2": "sites",
		"display_name": map[string]any{"en": "Contacts"}}).want(http.StatusCreated)
	// The new tables serve requests (the schema change granted them).
	acc := c.create("accounts", map[string]any{"name": "Walled", "region_code": "APAC"})
	site := c.create("sites", map[string]any{"title": "Plant", "account_id": acc})
	con := c.create("contacts", map[string]any{"last_name": "Visitor"})
	c.post("sites("+site+")/contacts/$ref", map[string]any{"@odata.id": "contacts(" + con + ")"}).want(http.StatusNoContent)
	if got := c.get("accounts(" + acc + ")").want(http.StatusOK).str("region_code"); got != "APAC" {
		t.Fatalf("region_code %q", got)
	}
	def, err := s.app.EnsureTenant(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.app.Registry.Tenant(ctx, def.ID)
	if err != nil {
		t.Fatal(err)
	}
	custom := []string{m.Entity("site").Table(), m.Entity("account").ExtTable(), m.Relationship("site_contact").Table()}

	db := s.app.Store.Raw() // the owner reads the catalog
	var super, bypass, owner, create bool
	if err := db.QueryRowContext(ctx, `SELECT r.rolsuper, r.rolbypassrls,
		pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'tenant'::regclass), 'MEMBER'),
		has_schema_privilege(r.oid, current_schema(), 'CREATE')
		FROM pg_roles r WHERE r.rolname = $1`, role).Scan(&super, &bypass, &owner, &create); err != nil {
		t.Fatal(err)
	}
	if super || bypass || owner || create {
		t.Errorf("role %s: superuser %v, BYPASSRLS %v, member of the tables' owner %v, may create in the schema %v; want none", role, super, bypass, owner, create)
	}

	rows, err := db.QueryContext(ctx, `WITH r AS (SELECT oid FROM pg_roles WHERE rolname = $1)
		SELECT c.relname, c.relkind::text, c.relrowsecurity,
			COALESCE((SELECT pg_get_expr(p.polqual, p.polrelid) || ' | ' || pg_get_expr(p.polwithcheck, p.polrelid)
				FROM pg_policy p, r WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation' AND p.polcmd = '*' AND p.polpermissive
				AND (0 = ANY (p.polroles) OR r.oid = ANY (p.polroles))), ''),
			(SELECT COUNT(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polpermissive),
			COALESCE(array_to_string(c.reloptions, ','), '')
		FROM pg_class c, r
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
		AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(r.oid, c.oid, 'USAGE, SELECT, UPDATE')
			WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f') THEN has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
				OR has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
			ELSE false END
		ORDER BY c.relname`, role)
	if err != nil {
		t.Fatal(err)
	}
	reach := map[string]bool{}
	for rows.Next() {
		var name, kind, policy, options string
		var rls bool
		var permissive int
		if err := rows.Scan(&name, &kind, &rls, &policy, &permissive, &options); err != nil {
			t.Fatal(err)
		}
		reach[name] = true
		switch kind {
		case "r", "p":
			if !rls || !strings.Contains(policy, "meridian.tenant_id") || strings.Count(policy, "meridian.tenant_id") != 2 || permissive != 1 {
				t.Errorf("table %s: the application role reaches it with row-level security %v, tenant policy %q and %d permissive policies; want the tenant policy alone", name, rls, policy, permissive)
			}
		case "v":
			if !strings.Contains(options, "security_invoker=true") {
				t.Errorf("view %s: the application role reads it with the view owner's rights (options %q), bypassing row-level security", name, options)
			}
		case "S":
			if name != "river_job_id_seq" { // the ids of jobs requests enqueue
				t.Errorf("sequence %s: the application role may use it", name)
			}
		default:
			t.Errorf("relation %s (kind %s): the application role reaches it, and it cannot have row-level security", name, kind)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, want := range append([]string{"account", "change_log", "tenant", "river_job", "activity", "audit_entry", "meta_entity"}, custom...) {
		if !reach[want] {
			t.Errorf("the application role cannot reach %s, which requests need", want)
		}
	}
	for _, never := range []string{"login_throttle", "schema_migration", "river_queue", "river_leader", "river_migration"} {
		if reach[never] {
			t.Errorf("the application role reaches %s", never)
		}
	}
	// The SECURITY DEFINER functions the role may run are the index probes (store.Probe), each
	// reading only the session's tenant, with its search_path fixed; PUBLIC may run none.
	definers := map[string]bool{}
	rows, err = db.QueryContext(ctx, `SELECT p.proname, p.prosrc, COALESCE(array_to_string(p.proconfig, ','), ''),
		has_function_privilege('public', p.oid, 'EXECUTE') FROM pg_proc p
		WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND p.prosecdef
		AND has_function_privilege((SELECT oid FROM pg_roles WHERE rolname = $1), p.oid, 'EXECUTE')`, role)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, src, config string
		var public bool
		if err := rows.Scan(&name, &src, &config, &public); err != nil {
			t.Fatal(err)
		}
		definers[name] = true
		if !strings.Contains(src, "current_setting('meridian.tenant_id', true)") || !strings.HasPrefix(config, "search_path=") || public {
			t.Errorf("SECURITY DEFINER function %s: body %q, settings %q, PUBLIC may run it %v; want a probe of the session's tenant with its search_path set, for the role alone", name, src, config, public)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(definers) != 2 || !definers["meridian_dedupe_holders"] || !definers["meridian_search_docs"] {
		t.Errorf("the application role can run SECURITY DEFINER functions %v; want the two index probes", definers)
	}
}

// TestIndexesUnderRowLevelSecurity: a request's connection runs as the application role, and a
// condition whose operator is not leakproof cannot be an index condition under the tenant
// policy. The look-ups that need such an index use it all the same: the duplicate-key look-up
// (GIN, @>) and the full-text match (GIN, @@) through their probes, and a range of a money
// field through its B-tree index (the server marks the numeric comparisons leakproof). With
// sequential scans off, the transaction's own statistics say which scans ran. The probes answer
// only for the session's tenant, whatever tenant they are asked about.
func TestIndexesUnderRowLevelSecurity(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("row-level security is a PostgreSQL feature")
	}
	s := newServer(t)
	ctx := context.Background()
	st := s.app.Store
	c := s.login()
	for _, name := range []string{"Harbour Logistics", "Harbor Logistics Ltd", "Northwind Traders"} {
		c.create("accounts", map[string]any{"name": name, "revenue": 125000})
	}
	c.patch("metadata/entities/account/attributes/revenue", map[string]any{"indexed": true}).want(http.StatusOK)
	def, err := s.app.EnsureTenant(ctx, "default", "Default")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.app.EnsureTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Records.Create(principal.With(ctx, principal.System(other.ID)), "account", records.Input{"name": "Harbour Logistics"}); err != nil {
		t.Fatal(err)
	}

	// Enough other documents that the planner would rather read an index than the tables.
	db := st.Raw()
	for _, q := range []string{
		`INSERT INTO dedupe_doc (tenant_id, entity, record_id, keys) SELECT t, 'account', gen_random_uuid(),
			ARRAY[(random() * 1e15)::bigint, (random() * 1e15)::bigint] FROM unnest($1::uuid[]) t, generate_series(1, 2000)`,
		`INSERT INTO search_doc (tenant_id, entity, record_id, version, tsv) SELECT t, 'account', gen_random_uuid(), 1,
			to_tsvector('simple', 'filler' || i) FROM unnest($1::uuid[]) t, generate_series(1, 2000) i`,
	} {
		if _, err := db.ExecContext(ctx, q, []string{def.ID, other.ID}); err != nil {
			t.Fatal(err)
		}
	}
	// VACUUM empties the GIN indexes' pending lists, which the planner would shun.
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE dedupe_doc, search_doc`); err != nil {
		t.Fatal(err)
	}

	// scans runs fn in a transaction of a request's connection of tenant with sequential scans
	// off, and returns the scans of each index named it made.
	scans := func(tenant string, fn func(ctx context.Context) error, rels ...string) map[string]int64 {
		t.Helper()
		rctx, release, err := st.ForTenant(principal.With(ctx, principal.System(tenant)), tenant)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		out := map[string]int64{}
		if err := st.WithTx(rctx, func(ctx context.Context) error {
			if _, err := st.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			// The counts include scans of earlier transactions of the connection not yet
			// reported: what fn made is the difference.
			count := func(sign int64) error {
				for _, r := range rels {
					var n int64
					if err := st.QueryRow(ctx, `SELECT pg_stat_get_xact_numscans($1::regclass)`, r).Scan(&n); err != nil {
						return err
					}
					out[r] += sign * n
				}
				return nil
			}
			if err := count(-1); err != nil {
				return err
			}
			if err := fn(ctx); err != nil {
				return err
			}
			return count(1)
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}

	got := scans(def.ID, func(ctx context.Context) error {
		found, err := s.app.Dedupe.Find(ctx, "account", map[string]any{"name": "Harbour Logistic"})
		if err == nil && len(found) == 0 {
			err = fmt.Errorf("no duplicates of Harbour Logistic")
		}
		return err
	}, "dedupe_doc_keys")
	if got["dedupe_doc_keys"] == 0 {
		t.Errorf("duplicate look-up under row-level security: no scan of the GIN index")
	}
	for _, any := range []bool{false, true} {
		got = scans(def.ID, func(ctx context.Context) error {
			hits, err := s.app.Search.Search(ctx, s.app.Records, search.Request{Q: "harbour logistics", Any: any})
			if err == nil && len(hits) == 0 {
				err = fmt.Errorf("no hits for harbour logistics")
			}
			return err
		}, "search_doc_tsv")
		if got["search_doc_tsv"] == 0 {
			t.Errorf("search (any %v) under row-level security: no scan of the GIN index", any)
		}
	}

	// The money range: its B-tree index gives both bounds (Index Cond), not the tenant alone,
	// once the server has marked the numeric comparisons leakproof (again, here: servers of
	// other tests mark them too, taking the same lock).
	if _, err := db.ExecContext(ctx, `BEGIN; SELECT pg_advisory_xact_lock(4242003); ALTER FUNCTION pg_catalog.numeric_ge(numeric, numeric) NOT LEAKPROOF; COMMIT`); err != nil {
		t.Fatal(err)
	}
	if missing, err := st.MarkNumericLeakproof(ctx); err != nil || len(missing) > 0 {
		t.Fatalf("marking the numeric comparisons leakproof: %v left (%v)", missing, err)
	}
	var marked bool
	if err := db.QueryRowContext(ctx, `SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.numeric_ge(numeric, numeric)'::regprocedure`).Scan(&marked); err != nil || !marked {
		t.Fatalf("numeric_ge leakproof %v (%v)", marked, err)
	}
	scans(def.ID, func(ctx context.Context) error {
		rows, err := st.Query(ctx, `EXPLAIN SELECT id FROM account WHERE tenant_id = $1 AND revenue >= 100000 AND revenue < 200000 ORDER BY revenue DESC LIMIT 50`, def.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		if p := strings.Join(plan, "\n"); !regexp.MustCompile(`Index Cond: .*revenue >= `).MatchString(p) {
			t.Errorf("money range under row-level security: the index does not take the range:\n%s", p)
		}
		return rows.Err()
	})

	// The probes answer for the session's tenant only: asked about the other tenant's key and
	// documents, a session of the default tenant gets nothing, one of the other tenant its own.
	if _, err := s.app.Search.CatchUp(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	var key int64
	if err := db.QueryRowContext(ctx, `SELECT keys[1] FROM dedupe_doc WHERE tenant_id = $1`, other.ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	probe := func(session string) (n int) {
		scans(session, func(ctx context.Context) error {
			return st.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM meridian_dedupe_holders($1::uuid, 'account', $2, 100))
				+ (SELECT COUNT(*) FROM meridian_search_docs($1::uuid, to_tsquery('simple', 'harbour'), NULL, NULL))`, other.ID, key).Scan(&n)
		})
		return n
	}
	if n := probe(def.ID); n != 0 {
		t.Errorf("a session of one tenant probed another's index: %d rows", n)
	}
	if n := probe(other.ID); n != 2 {
		t.Errorf("a session of the other tenant probed its own index: %d rows, want 2", n)
	}
}
