package app

import (
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// legacyDatabase restores the database that release ae9b0b2 — whose custom definitions every
// tenant shared — left after testdata/legacy-ae9b0b2/make.sh: tenant "default" (alpha) made a
// custom entity project with an alternate key, custom attributes account.region_code (indexed)
// and contact.loyalty_tier, an N:N relationship project_contact, and relabelled
// account.industry; tenant beta added account.credit_score and secured account.revenue, and,
// the metadata being shared, also wrote an account with alpha's region_code and a project.
func legacyDatabase(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("testdata", "legacy-ae9b0b2")
	if storetest.Dialect() == "sqlite" {
		path := filepath.Join(t.TempDir(), "meridian.db")
		if err := os.WriteFile(path, gunzip(t, filepath.Join(dir, "sqlite.db.gz")), 0o600); err != nil {
			t.Fatal(err)
		}
		return "sqlite:" + path
	}
	dsn := storetest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	dump := strings.ReplaceAll(string(gunzip(t, filepath.Join(dir, "postgres.sql.gz"))), "public.", store.Quote(schema)+".")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(dump); err != nil {
		t.Fatalf("restoring the release's database: %v", err)
	}
	return dsn
}

// openLegacy opens an app on legacyDatabase, closed when the test ends, and returns it with its
// configuration.
func openLegacy(t *testing.T) (*App, Config) {
	t.Helper()
	c := Defaults()
	c.DB = legacyDatabase(t)
	c.DataDir = t.TempDir()
	a, err := Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("opening the release's database: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a, c
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUpgradeGivesSharedDefinitionsToTheirTenants opens a database of the release whose custom
// definitions all tenants shared: each definition goes to the tenant that made it (from the
// audit trail), and to any tenant that holds data in it, with its data moved into that tenant's
// own tables; nothing is lost and nothing stays shared.
func TestUpgradeGivesSharedDefinitionsToTheirTenants(t *testing.T) {
	ctx := context.Background()
	a, c := openLegacy(t)

	alpha, err := tenant.BySlug(ctx, a.Store, "default")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := tenant.BySlug(ctx, a.Store, "beta")
	if err != nil {
		t.Fatal(err)
	}
	ma, err := a.Registry.Tenant(ctx, alpha.ID)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := a.Registry.Tenant(ctx, beta.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Definitions: alpha's own, and beta's own plus what it had written into.
	attr := func(m *metadata.Model, entity, name string) *metadata.Attribute {
		if e := m.Entity(entity); e != nil {
			return e.Attr(name)
		}
		return nil
	}
	for _, tc := range []struct {
		who          string
		m            *metadata.Model
		entity, attr string
		want         bool
	}{
		{"alpha", ma, "project", "code", true},
		{"alpha", ma, "account", "region_code", true},
		{"alpha", ma, "contact", "loyalty_tier", true},
		{"alpha", ma, "account", "credit_score", false},
		{"beta", mb, "account", "credit_score", true},
		{"beta", mb, "account", "region_code", true}, // beta wrote APAC into it
		{"beta", mb, "project", "title", true},       // beta wrote a project
		{"beta", mb, "contact", "loyalty_tier", false},
	} {
		if got := attr(tc.m, tc.entity, tc.attr) != nil; got != tc.want {
			t.Errorf("%s has %s.%s: %v, want %v", tc.who, tc.entity, tc.attr, got, tc.want)
		}
	}
	if ma.Relationship("project_contact") == nil || mb.Relationship("project_contact") != nil {
		t.Errorf("project_contact: alpha %v, beta %v; want alpha's only", ma.Relationship("project_contact"), mb.Relationship("project_contact"))
	}
	if got := attr(ma, "account", "industry").DisplayName.EN; got != "Sector" {
		t.Errorf("alpha's label of account.industry %q, want Sector", got)
	}
	if got := attr(mb, "account", "industry").DisplayName.EN; got == "Sector" {
		t.Error("beta sees alpha's label of account.industry")
	}
	if !attr(mb, "account", "revenue").Secured || attr(ma, "account", "revenue").Secured {
		t.Errorf("account.revenue secured: alpha %v, beta %v; want beta only", attr(ma, "account", "revenue").Secured, attr(mb, "account", "revenue").Secured)
	}
	if got := ma.Entity("project").AlternateKeys; len(got) != 1 || got[0].Name != "code" {
		t.Errorf("alpha's project keys %v", got)
	}

	// Data: every value where its tenant reads it.
	read := func(tn, entity, opts string) []map[string]any {
		t.Helper()
		o, err := query.ParseOptions(opts)
		if err != nil {
			t.Fatal(err)
		}
		page, err := a.Records.List(principal.With(ctx, principal.System(tn)), entity, o, records.ReadOptions{})
		if err != nil {
			t.Fatalf("%s of tenant %s: %v", entity, tn, err)
		}
		var out []map[string]any
		for _, r := range page.Records {
			out = append(out, r.Map())
		}
		return out
	}
	got := read(alpha.ID, "account", "$select=name,region_code&$orderby=name&$filter=region_code ne null")
	if len(got) != 1 || got[0]["name"] != "Alpha Works" || got[0]["region_code"] != "EU-W" {
		t.Errorf("alpha's accounts with a region code: %v", got)
	}
	got = read(beta.ID, "account", "$select=name,region_code,credit_score&$orderby=name")
	if len(got) != 2 || got[0]["region_code"] != "APAC" || got[1]["credit_score"] != int64(720) {
		t.Errorf("beta's accounts: %v", got)
	}
	got = read(alpha.ID, "project", "$select=title,code,phase&$expand=team_contacts($select=last_name)")
	if len(got) != 1 || got[0]["title"] != "Roll-out" || got[0]["code"] != "P-1" {
		t.Errorf("alpha's projects: %v", got)
	}
	got = read(alpha.ID, "contact", "$select=last_name,loyalty_tier&$filter=loyalty_tier eq 'gold'")
	if len(got) != 1 || got[0]["last_name"] != "Alpha" {
		t.Errorf("alpha's gold contacts: %v", got)
	}
	got = read(beta.ID, "project", "$select=title")
	if len(got) != 1 || got[0]["title"] != "Beta project" {
		t.Errorf("beta's projects: %v", got)
	}
	links, _, err := a.Records.Related(principal.With(ctx, principal.System(alpha.ID)), "project", read(alpha.ID, "project", "$select=id")[0]["id"].(string), "team_contacts", &query.Options{}, records.ReadOptions{})
	if err != nil || len(links.Records) != 1 {
		t.Errorf("alpha's project team: %v (%v)", links, err)
	}

	// Nothing stays shared: the custom columns left the shared tables, the shared custom
	// tables are gone, and no definition is left for every tenant.
	for table, gone := range map[string][]string{"account": {"region_code", "credit_score"}, "contact": {"loyalty_tier"}} {
		cols := storetest.Columns(t, a.Store, table)
		for _, c := range gone {
			if cols[c] {
				t.Errorf("shared table %s keeps column %s", table, c)
			}
		}
		if !cols["name"] && !cols["last_name"] {
			t.Errorf("columns of %s not read: %v", table, cols)
		}
	}
	for _, table := range []string{"project", "project_contact"} {
		if len(storetest.Columns(t, a.Store, table)) != 0 {
			t.Errorf("shared table %s is still there", table)
		}
	}
	var left int
	if err := a.Store.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM meta_entity WHERE kind = 'legacy'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d shared custom definitions left (%v)", left, err)
	}

	// Alpha's records keep working: written through the write path into its own tables.
	actx := principal.With(ctx, principal.System(alpha.ID))
	if _, err := a.Records.Create(actx, "project", records.Input{"title": "Phase two", "code": "P-2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Records.Create(actx, "project", records.Input{"title": "Clash", "code": "P-1"}); err == nil {
		t.Error("alpha's alternate key on project no longer holds")
	}
	for _, tn := range []string{alpha.ID, beta.ID} {
		reps, err := a.Audit.Verify(ctx, tn)
		if err != nil || len(reps) != 1 || len(reps[0].Breaks) != 0 {
			t.Errorf("audit chain of %s after the upgrade: %+v, %v", tn, reps, err)
		}
	}

	// Opening the upgraded database again changes nothing.
	a.Close()
	b, err := Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mb2, err := b.Registry.Tenant(ctx, beta.ID)
	if err != nil {
		t.Fatal(err)
	}
	if names := attrNames(mb2.Entity("account")); !slices.Contains(names, "credit_score") || !slices.Contains(names, "region_code") {
		t.Errorf("beta's account after a second start: %v", names)
	}
}

func attrNames(e *metadata.Entity) []string {
	var out []string
	for _, a := range e.Attributes {
		out = append(out, a.Name)
	}
	return out
}

// TestUpgradeMakesViewsReadAsTheirCaller: the views of a database an earlier release made read
// their tables with the rights of the role that queries them (security_invoker, migration
// 0021), so a request's connection sees only its tenant through them too (PostgreSQL).
func TestUpgradeMakesViewsReadAsTheirCaller(t *testing.T) {
	if storetest.Dialect() != "postgres" {
		t.Skip("security_invoker and row-level security are PostgreSQL's")
	}
	ctx := context.Background()
	a, _ := openLegacy(t)
	for _, view := range []string{"activity", "audit_entry"} {
		var options string
		if err := a.Store.Raw().QueryRowContext(ctx, `SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = $1::regclass`, view).Scan(&options); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(options, "security_invoker=true") {
			t.Errorf("view %s: options %q, want security_invoker=true", view, options)
		}
	}
	alpha, err := tenant.BySlug(ctx, a.Store, "default")
	if err != nil {
		t.Fatal(err)
	}
	var all, seen int
	if err := a.Store.Raw().QueryRowContext(ctx, `SELECT COUNT(DISTINCT tenant_id) FROM audit_entry`).Scan(&all); err != nil || all < 2 {
		t.Fatalf("the release's audit trail has %d tenants (%v), want both", all, err)
	}
	rctx, release, err := a.Store.ForTenant(ctx, alpha.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if err := a.Store.QueryRow(rctx, `SELECT COUNT(DISTINCT tenant_id) FROM audit_entry`).Scan(&seen); err != nil || seen != 1 {
		t.Errorf("a request's connection sees the audit entries of %d tenants (%v), want its own", seen, err)
	}
}
