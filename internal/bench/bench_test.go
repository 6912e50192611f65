package bench

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// The go test benchmarks run the scenarios on a small data set (MERIDIAN_BENCH_ACCOUNTS,
// default 10,000) in a database kept under the test cache directory between runs; the
// database kind follows MERIDIAN_TEST_DB like every other test.

var (
	envOnce sync.Once
	envErr  error
	shared  *Env
)

func benchEnv(b *testing.B) *Env {
	b.Helper()
	envOnce.Do(func() {
		// The database outlives each benchmark (and the run), so it is not tied to b's cleanup.
		var dsn string
		if storetest.Dialect() == "sqlite" {
			dir := filepath.Join(os.TempDir(), "meridian-gobench")
			_ = os.MkdirAll(dir, 0o755)
			dsn = "sqlite:" + filepath.Join(dir, "bench.db")
		} else {
			dsn, envErr = postgresBenchDSN()
			if envErr != nil {
				return
			}
		}
		shared, envErr = Setup(context.Background(), Config{DB: dsn, Accounts: 10000, Seed: 1})
	})
	if envErr != nil {
		b.Fatal(envErr)
	}
	return shared
}

// handler calls the API in process, without the network, to isolate the server's own cost.
func (e *Env) handler(b *testing.B, path string) {
	h := e.App.API.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkGetByID(b *testing.B) {
	e := benchEnv(b)
	id := e.IDs[len(e.IDs)/2]
	b.Run("handler", func(b *testing.B) { e.handler(b, "accounts("+id+")") })
	b.Run("http", func(b *testing.B) {
		for b.Loop() {
			if err := e.get("accounts(" + id + ")"); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The least any HTTP API pays: a server on the same loopback that answers with the same body,
	// already in memory, and does nothing else.
	b.Run("http-floor", func(b *testing.B) { httpFloor(b, e, "accounts("+id+")") })
	b.Run("raw", func(b *testing.B) {
		q := `SELECT ` + e.accountColumns("") + ` FROM "account" WHERE "tenant_id" = ` + e.App.Store.D.Placeholder(1) + ` AND "id" = ` + e.App.Store.D.Placeholder(2)
		for b.Loop() {
			if err := e.rawQuery(q, e.Tenant.ID, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// httpFloor measures GET requests, over loopback with the benchmark's client, to a server that
// answers every request with the body the API gives for path.
func httpFloor(b *testing.B, e *Env, path string) {
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.Token)
	e.App.API.Handler().ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("%d %s", w.Code, w.Body)
	}
	body, ctype := w.Body.Bytes(), w.Header().Get("Content-Type")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	floor := &Env{BaseURL: srv.URL + "/", Token: e.Token, Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
	for b.Loop() {
		if err := floor.get(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkList50(b *testing.B) {
	e := benchEnv(b)
	b.Run("handler", func(b *testing.B) { e.handler(b, "accounts?$top=50&$orderby=name") })
	b.Run("http", func(b *testing.B) {
		for b.Loop() {
			if err := e.get("accounts?$top=50&$orderby=name"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http-floor", func(b *testing.B) { httpFloor(b, e, "accounts?$top=50&$orderby=name") })
	b.Run("raw", func(b *testing.B) {
		nulls := ""
		if e.App.Store.D.Name() == "postgres" {
			nulls = " NULLS FIRST"
		}
		q := `SELECT ` + e.accountColumns("") + ` FROM "account" WHERE "tenant_id" = ` + e.App.Store.D.Placeholder(1) + ` ORDER BY "name"` + nulls + `, "id" LIMIT 50`
		for b.Loop() {
			if err := e.rawQuery(q, e.Tenant.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMeasure(t *testing.T) {
	n := 0
	s, err := Measure(10*time.Millisecond, func(int) error { n++; time.Sleep(100 * time.Microsecond); return nil })
	if err != nil || s.Ops != n || s.Ops < 20 || s.P50 < 100*time.Microsecond || s.P99 < s.P50 {
		t.Fatalf("stats %+v after %d ops, %v", s, n, err)
	}
}

// postgresBenchDSN returns a DSN whose search path is the schema meridian_gobench, creating it.
func postgresBenchDSN() (string, error) {
	base := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if base == "" {
		base = storetest.DefaultPostgres
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA IF NOT EXISTS meridian_gobench`); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", "meridian_gobench")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// BenchmarkRowLevelSecurityRequests measures what running requests as the application role
// costs on PostgreSQL (the default; MERIDIAN_DB_APP_ROLE): get by id through the in-process
// handler, on a server whose requests SET ROLE and their tenant, and on a second server over
// the same database whose requests run as its login (MERIDIAN_DB_APP_ROLE=off).
func BenchmarkRowLevelSecurityRequests(b *testing.B) {
	if storetest.Dialect() != "postgres" {
		b.Skip("row-level security is PostgreSQL's")
	}
	e := benchEnv(b)
	id := e.IDs[len(e.IDs)/2]
	dsn, err := postgresBenchDSN()
	if err != nil {
		b.Fatal(err)
	}
	owner, err := Setup(context.Background(), Config{DB: dsn, Accounts: 10000, Seed: 1, AppRole: app.AppRoleOff})
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	b.Run("owner", func(b *testing.B) { owner.handler(b, "accounts("+id+")") })
	b.Run("app_role", func(b *testing.B) { e.handler(b, "accounts("+id+")") })
}

// TestRunTenants runs the tenants scenario small: every tenant of the larger installation has
// its own data model (its custom entities and the custom attributes on account), and the
// measured tenant is served by both installations.
func TestRunTenants(t *testing.T) {
	dsn := storetest.DSN(t)
	if storetest.Dialect() == "postgres" {
		t.Cleanup(func() {
			for _, n := range []string{"1", "3"} {
				x, _ := installationDSN(dsn, "tenants_"+n)
				u, _ := url.Parse(x)
				_ = execOn(context.Background(), storetest.DefaultPostgres, `DROP SCHEMA IF EXISTS "`+u.Query().Get("search_path")+`" CASCADE`)
			}
		})
	}
	r, err := RunTenants(context.Background(), TenantsConfig{DB: dsn, Tenants: 3, Accounts: 60, Duration: 20 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetOne.Ops == 0 || r.GetMany.Ops == 0 || r.FilterMany.Ops == 0 || r.MetadataBytes == 0 {
		t.Fatalf("nothing measured: %+v", r)
	}
	many, _ := installationDSN(dsn, "tenants_3")
	a, _, err := openInstallation(context.Background(), many)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ids, err := tenantIDs(context.Background(), a)
	if err != nil || len(ids) != 3 {
		t.Fatalf("tenants %v, %v", ids, err)
	}
	tables := map[string]bool{}
	for _, id := range ids {
		m, err := a.Registry.Tenant(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		custom := 0
		for _, e := range m.Entities() {
			if e.Custom {
				custom++
				tables[e.Table()] = true
			}
		}
		ext := 0
		for _, at := range m.Entity("account").Attributes {
			if at.Ext {
				ext++
			}
		}
		if custom != CustomEntities || ext != CustomAttributes {
			t.Errorf("tenant %s has %d custom entities and %d custom attributes on account", id, custom, ext)
		}
	}
	if len(tables) != 3*CustomEntities {
		t.Errorf("%d custom tables for 3 tenants: each tenant's are its own", len(tables))
	}
	if out := TenantsMarkdown(r, storetest.Dialect(), 60); !strings.Contains(out, "| $metadata") {
		t.Errorf("report: %s", out)
	}
}
