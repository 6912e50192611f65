package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// The tenants scenario measures what having many tenants, each with its own data model, costs
// one of them. Two installations are loaded side by side: one holding a single tenant, one
// holding that tenant and Tenants-1 others; every tenant has CustomEntities custom entities and
// CustomAttributes custom attributes on account, and the measured tenant the same records in
// both. The scenario reports each installation's start time, the memory its tenants' models
// take, the time of $metadata, and the measured tenant's get and list throughput through HTTP,
// the two installations measured in alternation.

// Shape of each tenant's data model.
const (
	CustomEntities   = 5
	CustomAttributes = 20
)

// TenantsConfig describes a run of the tenants scenario.
type TenantsConfig struct {
	// DB names the database: PostgreSQL (the two installations are schemas of it) or a SQLite
	// path (two files beside it).
	DB       string
	Tenants  int
	Accounts int           // the measured tenant's accounts
	Duration time.Duration // per measurement and installation
	Seed     uint64
	Progress io.Writer
}

// TenantsResult is what the scenario measured.
type TenantsResult struct {
	Tenants                  int
	SetupTime                time.Duration // loading the installation with many tenants
	StartOne, StartMany      time.Duration // app.Open of each installation
	MetadataBytes            uint64        // heap of the many tenants' models, all loaded
	MetadataOne, MetadataAll Stats         // $metadata of the measured tenant
	GetOne, GetMany          Stats
	ListOne, ListMany        Stats
	FilterOne, FilterMany    Stats
}

// installation is one database with a running API and the measured tenant signed in.
type installation struct {
	app     *app.App
	dsn     string
	tenant  *tenant.Tenant
	base    string
	token   string
	client  *http.Client
	srv     *http.Server
	ids     []string
	started time.Duration
}

// RunTenants loads both installations (reusing earlier loads of the same size) and measures them.
func RunTenants(ctx context.Context, cfg TenantsConfig) (*TenantsResult, error) {
	if cfg.Tenants < 2 {
		return nil, fmt.Errorf("bench: the tenants scenario needs at least 2 tenants")
	}
	res := &TenantsResult{Tenants: cfg.Tenants}
	one, err := installationDSN(cfg.DB, "tenants_1")
	if err != nil {
		return nil, err
	}
	many, err := installationDSN(cfg.DB, "tenants_"+strconv.Itoa(cfg.Tenants))
	if err != nil {
		return nil, err
	}
	for _, x := range []struct {
		dsn string
		n   int
	}{{one, 1}, {many, cfg.Tenants}} {
		start := time.Now()
		if err := loadTenants(ctx, x.dsn, x.n, cfg); err != nil {
			return nil, err
		}
		if x.n > 1 {
			res.SetupTime = time.Since(start)
		}
	}
	a, err := serveInstallation(ctx, one)
	if err != nil {
		return nil, err
	}
	defer a.close()
	b, err := serveInstallation(ctx, many)
	if err != nil {
		return nil, err
	}
	defer b.close()
	res.StartOne, res.StartMany = a.started, b.started

	// The memory of every tenant's model, all loaded at once.
	ids, err := tenantIDs(ctx, b.app)
	if err != nil {
		return nil, err
	}
	before := heap()
	for _, id := range ids {
		if _, err := b.app.Registry.Tenant(ctx, id); err != nil {
			return nil, err
		}
	}
	res.MetadataBytes = heap() - before
	runtime.KeepAlive(b.app.Registry)

	measure := func(op func(x *installation, i int) error) (Stats, Stats, error) {
		var s [2][]Stats
		// In alternation, each side first in turn, so that drift of the machine hits both alike.
		for round := range 4 {
			for j := range 2 {
				k := (j + round) % 2
				x := []*installation{a, b}[k]
				st, err := Measure(cfg.Duration/4, func(i int) error { return op(x, i+round*1_000_003) })
				if err != nil {
					return Stats{}, Stats{}, err
				}
				s[k] = append(s[k], st)
			}
		}
		return merge(s[0]), merge(s[1]), nil
	}
	if res.MetadataOne, res.MetadataAll, err = measure(func(x *installation, _ int) error { return x.get("$metadata") }); err != nil {
		return nil, err
	}
	if res.GetOne, res.GetMany, err = measure(func(x *installation, i int) error {
		return x.get("accounts(" + x.ids[i%len(x.ids)] + ")")
	}); err != nil {
		return nil, err
	}
	if res.ListOne, res.ListMany, err = measure(func(x *installation, _ int) error {
		return x.get("accounts?$top=50&$orderby=name")
	}); err != nil {
		return nil, err
	}
	if res.FilterOne, res.FilterMany, err = measure(func(x *installation, i int) error {
		return x.get("accounts?$top=50&$orderby=name&$select=name,x_code,x_score&$filter=" + url.QueryEscape("x_region eq 'R"+strconv.Itoa(i%20)+"'"))
	}); err != nil {
		return nil, err
	}
	return res, nil
}

// merge combines the statistics of several measurements of one side.
func merge(ss []Stats) Stats {
	var out Stats
	var secs float64
	for _, s := range ss {
		out.Ops += s.Ops
		secs += float64(s.Ops) / s.OpsPerSec
		out.P50 = max(out.P50, s.P50)
		out.P99 = max(out.P99, s.P99)
	}
	out.OpsPerSec = float64(out.Ops) / secs
	return out
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// installationDSN returns the database of one installation: a schema of a PostgreSQL database
// (named after the DSN's search path, or meridian_bench), or a SQLite file beside the one named.
func installationDSN(db, name string) (string, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		u, err := url.Parse(db)
		if err != nil {
			return "", err
		}
		q := u.Query()
		base := q.Get("search_path")
		if base == "" {
			base = "meridian_bench"
		}
		q.Set("search_path", base+"_"+name)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(db, "sqlite:"), "//")
	return "sqlite:" + strings.TrimSuffix(path, ".db") + "-" + name + ".db", nil
}

func openInstallation(ctx context.Context, dsn string) (*app.App, time.Duration, error) {
	if err := ensureSchema(ctx, dsn); err != nil {
		return nil, 0, err
	}
	c := app.Defaults()
	c.DB = dsn
	c.RateLimit, c.ConcurrencyLimit = "off", 0
	start := time.Now()
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	took := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	a.Auth.Params = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	return a, took, nil
}

// ensureSchema creates the PostgreSQL schema named by dsn's search_path.
func ensureSchema(ctx context.Context, dsn string) error {
	if !strings.HasPrefix(dsn, "postgres") {
		return nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return execOn(ctx, u.String(), `CREATE SCHEMA IF NOT EXISTS "`+schema+`"`)
}

// loadTenants gives the installation n tenants with their data models; the first, "measured",
// gets cfg.Accounts accounts, the others a few records of each entity. An installation loaded
// before is reused.
func loadTenants(ctx context.Context, dsn string, n int, cfg TenantsConfig) error {
	a, _, err := openInstallation(ctx, dsn)
	if err != nil {
		return err
	}
	defer a.Close()
	have, err := tenant.List(ctx, a.Store)
	if err != nil {
		return err
	}
	start := time.Now()
	for i := len(have); i < n; i++ {
		slug := "measured"
		if i > 0 {
			slug = fmt.Sprintf("tenant-%04d", i)
		}
		t, err := a.EnsureTenant(ctx, slug, slug)
		if err != nil {
			return err
		}
		sys := principal.With(ctx, principal.System(t.ID))
		if err := defineModel(sys, a); err != nil {
			return fmt.Errorf("tenant %s: %w", slug, err)
		}
		accounts := 10
		if i == 0 {
			accounts = cfg.Accounts
			if _, err := a.CreateUser(ctx, t.ID, "bench@measured.example", "Bench", "bench-password-1", access.AdminRole); err != nil {
				return err
			}
		}
		if err := fillTenant(sys, a, accounts, cfg.Seed+uint64(i)); err != nil {
			return fmt.Errorf("tenant %s: %w", slug, err)
		}
		if cfg.Progress != nil {
			el := time.Since(start).Seconds()
			fmt.Fprintf(cfg.Progress, "\r%s: tenant %d/%d (%.1f tenants/s)   ", dsn[strings.LastIndex(dsn, "_")+1:], i+1, n, float64(i+1-len(have))/max(el, 0.001))
		}
	}
	if cfg.Progress != nil && len(have) < n {
		fmt.Fprintln(cfg.Progress)
	}
	return analyze(ctx, a)
}

// analyze does on PostgreSQL what autovacuum would after the load (planner statistics and the
// visibility map) for the tables the measured tenant's requests read, in both installations alike.
func analyze(ctx context.Context, a *app.App) error {
	if a.Store.D.Name() != "postgres" {
		return nil
	}
	t, err := tenant.BySlug(ctx, a.Store, "measured")
	if err != nil {
		return err
	}
	m, err := a.Registry.Tenant(ctx, t.ID)
	if err != nil {
		return err
	}
	tables := []string{"account", "contact", "change_log", "audit_log", m.Entity("account").ExtTable()}
	for i := range CustomEntities {
		tables = append(tables, m.Entity("x_entity"+strconv.Itoa(i)).Table())
	}
	for _, table := range tables {
		if _, err := a.Store.Raw().ExecContext(ctx, `VACUUM ANALYZE `+store.Quote(table)); err != nil {
			return err
		}
	}
	return nil
}

// defineModel gives the caller's tenant its data model: CustomAttributes custom attributes on
// account (two of them indexed) and CustomEntities custom entities with eight attributes each,
// one a lookup to account, each added through the schema service as an administrator would.
func defineModel(ctx context.Context, a *app.App) error {
	m, err := a.Records.Model(ctx)
	if err != nil {
		return err
	}
	for i := range CustomAttributes {
		name := "x_attr" + strconv.Itoa(i)
		at := &metadata.Attribute{Name: name, Type: metadata.TypeString, MaxLength: 60}
		switch i {
		case 0:
			at.Name, at.Indexed = "x_region", true
		case 1:
			at.Name, at.Type, at.Indexed, at.MaxLength = "x_score", metadata.TypeInteger, true, 0
		case 2:
			at.Name = "x_code"
		case 3, 4, 5:
			at.Type, at.MaxLength = metadata.TypeDecimal, 0
		case 6, 7:
			at.Type, at.MaxLength = metadata.TypeDate, 0
		case 8:
			at.Type, at.MaxLength = metadata.TypeChoice, 0
			at.Options = []metadata.Option{{Value: "a", Label: metadata.Label{EN: "A"}}, {Value: "b", Label: metadata.Label{EN: "B"}}}
		}
		if m.Entity("account").Attr(at.Name) != nil {
			continue
		}
		if _, err := a.Schema.AddAttribute(ctx, "account", at); err != nil {
			return err
		}
	}
	for i := range CustomEntities {
		name := "x_entity" + strconv.Itoa(i)
		if m.Entity(name) != nil {
			continue
		}
		_, err := a.Schema.CreateEntity(ctx, &metadata.Entity{Name: name, Attributes: []*metadata.Attribute{
			{Name: "title", Type: metadata.TypeString, Required: true},
			{Name: "code", Type: metadata.TypeString, MaxLength: 20, Indexed: true},
			{Name: "amount", Type: metadata.TypeMoney},
			{Name: "quantity", Type: metadata.TypeInteger},
			{Name: "due_on", Type: metadata.TypeDate},
			{Name: "stage", Type: metadata.TypeChoice, Options: []metadata.Option{{Value: "open", Label: metadata.Label{EN: "Open"}}, {Value: "done", Label: metadata.Label{EN: "Done"}}}},
			{Name: "notes", Type: metadata.TypeText},
			{Name: "account_id", Type: metadata.TypeLookup, Target: "account"},
		}})
		if err != nil {
			return err
		}
	}
	return nil
}

// fillTenant writes n accounts with values in the custom attributes, and a record of each custom
// entity per ten accounts.
func fillTenant(ctx context.Context, a *app.App, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 5))
	for done := 0; done < n; {
		k := min(2000, n-done)
		rows := make([]records.Input, k)
		for i := range rows {
			j := done + i
			row := records.Input{"name": fmt.Sprintf("Account %07d", rng.IntN(10_000_000)), "account_number": fmt.Sprintf("A-%08d", j),
				"city": Cities[j%len(Cities)], "x_region": "R" + strconv.Itoa(j%20), "x_score": int64(rng.IntN(1000)),
				"x_code": fmt.Sprintf("C-%06d", j)}
			for c := 9; c < CustomAttributes; c++ {
				row["x_attr"+strconv.Itoa(c)] = fmt.Sprintf("value %d", rng.IntN(1000))
			}
			rows[i] = row
		}
		ids, bad, err := a.Records.CreateMany(ctx, "account", rows)
		if err != nil {
			return err
		}
		for _, err := range bad {
			return err
		}
		for e := range CustomEntities {
			var recs []records.Input
			for i := 0; i < k; i += 10 {
				recs = append(recs, records.Input{"title": "Item " + strconv.Itoa(done+i), "code": fmt.Sprintf("I-%d", done+i),
					"quantity": int64(i), "stage": "open", "account_id": ids[i]})
			}
			if _, bad, err := a.Records.CreateMany(ctx, "x_entity"+strconv.Itoa(e), recs); err != nil {
				return err
			} else {
				for _, err := range bad {
					return err
				}
			}
		}
		done += k
	}
	return nil
}

func tenantIDs(ctx context.Context, a *app.App) ([]string, error) {
	all, err := tenant.List(ctx, a.Store)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(all))
	for i, t := range all {
		out[i] = t.ID
	}
	return out, nil
}

// serveInstallation opens an installation, serves its API on a loopback port and signs in as the
// measured tenant's administrator.
func serveInstallation(ctx context.Context, dsn string) (*installation, error) {
	a, took, err := openInstallation(ctx, dsn)
	if err != nil {
		return nil, err
	}
	x := &installation{app: a, dsn: dsn, started: took}
	if x.tenant, err = tenant.BySlug(ctx, a.Store, "measured"); err != nil {
		a.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		return nil, err
	}
	x.srv = &http.Server{Handler: a.API.Handler()}
	go func() { _ = x.srv.Serve(ln) }()
	x.base = "http://" + ln.Addr().String() + "/api/v1/"
	x.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	if x.token, _, err = a.Auth.Login(ctx, "measured", "bench@measured.example", "bench-password-1", time.Hour); err != nil {
		x.close()
		return nil, err
	}
	sys := principal.With(ctx, principal.System(x.tenant.ID))
	page, err := a.Records.List(sys, "account", mustOptions("$select=id&$top=2000&$orderby=account_number"), records.ReadOptions{})
	if err != nil {
		x.close()
		return nil, err
	}
	for _, r := range page.Records {
		x.ids = append(x.ids, r.ID())
	}
	if len(x.ids) == 0 {
		x.close()
		return nil, fmt.Errorf("bench: the measured tenant of %s has no accounts", dsn)
	}
	return x, nil
}

func (x *installation) close() {
	if x.srv != nil {
		_ = x.srv.Close()
	}
	_ = x.app.Close()
}

func (x *installation) get(path string) error {
	req, err := http.NewRequest(http.MethodGet, x.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+x.token)
	resp, err := x.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return nil
}

// TenantsMarkdown renders the scenario's result.
func TenantsMarkdown(r *TenantsResult, dialect string, accounts int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d tenants, each with %d custom entities and %d custom attributes on account; the measured tenant has %d accounts\n\n",
		dialect, r.Tenants, CustomEntities, CustomAttributes, accounts)
	fmt.Fprintf(&b, "| | 1 tenant | %d tenants | ratio |\n|---|---:|---:|---:|\n", r.Tenants)
	fmt.Fprintf(&b, "| server start (app.Open) | %s | %s | |\n", r.StartOne.Round(time.Millisecond), r.StartMany.Round(time.Millisecond))
	for _, row := range []struct {
		name     string
		one, all Stats
	}{{"$metadata", r.MetadataOne, r.MetadataAll}, {"get an account by id", r.GetOne, r.GetMany},
		{"list 50 accounts by name (all columns)", r.ListOne, r.ListMany},
		{"list 50 filtered on an indexed custom attribute", r.FilterOne, r.FilterMany}} {
		fmt.Fprintf(&b, "| %s, req/s (p50) | %.0f (%s) | %.0f (%s) | %.2f |\n", row.name, row.one.OpsPerSec, fmtDur(row.one.P50),
			row.all.OpsPerSec, fmtDur(row.all.P50), row.all.OpsPerSec/row.one.OpsPerSec)
	}
	fmt.Fprintf(&b, "\nmemory of the %d tenants' models, all loaded: %.1f MB (%.1f KB per tenant)\n", r.Tenants,
		float64(r.MetadataBytes)/(1<<20), float64(r.MetadataBytes)/1024/float64(r.Tenants))
	fmt.Fprintf(&b, "loading the %d tenants (data models through the schema service, records through the write path): %s\n",
		r.Tenants, r.SetupTime.Round(time.Second))
	return b.String()
}

// execOn runs q on the database dsn names.
func execOn(ctx context.Context, dsn, q string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}

func mustOptions(raw string) *query.Options {
	o, err := query.ParseOptions(raw)
	if err != nil {
		panic(err)
	}
	return o
}
