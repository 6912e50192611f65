package layout

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The query benchmark reads the accounts of one tenant among MERIDIAN_LAYOUT_TENANTS (1,000) in
// each layout, built side by side: S (the shared table with the custom columns), X (the shared
// table and the tenant's extension table) and W (the tenant's own table). The tenant has
// MERIDIAN_LAYOUT_ACCOUNTS accounts (20,000); five other tenants have 1,000 each, in the shared
// tables of S and X and in their own tables of W. The environment is built once per process and
// removed when the tests end (TestMain).

var (
	envOnce sync.Once
	env     *queryEnv
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		if err := env.close(); err != nil {
			fmt.Fprintln(os.Stderr, "layout: cleanup:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// variant is one layout's way to answer a read.
type variant struct {
	name string
	stmt *sql.Stmt
}

type queryEnv struct {
	tn      tenants
	sites   []*site   // S, X, W
	readers []*sql.DB // the sites' read handles
	dir     string
	key     string // the measured tenant
	tenant  string
	ids     []string // its accounts
	// variants[r] are the reads of r: S, X, W and, for the filtered list, X ordered by the
	// extension table's id ("Xo"), which SQLite can read in its index order.
	variants map[read][]variant
}

func getEnv(b *testing.B) *queryEnv {
	b.Helper()
	if currentDialect() == postgresDB {
		openPostgres(b, "", 1).Close() // skips (or fails under CI) here, not inside the Once
	}
	envOnce.Do(func() { env, envErr = newQueryEnv(b) })
	if envErr != nil {
		b.Fatal(envErr)
	}
	return env
}

func newQueryEnv(tb testing.TB) (*queryEnv, error) {
	ctx := context.Background()
	d := currentDialect()
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "meridian-layout-")
	if err != nil {
		return nil, err
	}
	n := tenantCount()
	e := &queryEnv{tn: newTenants(n), dir: dir, variants: map[read][]variant{}}
	measured := n / 2
	e.key, e.tenant = e.tn.keys[measured], e.tn.ids[measured]
	var others []int
	for i := 0; i < n && len(others) < 5; i++ {
		if i != measured {
			others = append(others, i)
		}
	}
	prefix := runPrefix()
	progress("%s: building S, X and W for %d tenants (schemas %s_*)", d, n, prefix)
	for _, k := range []kind{layoutS, layoutX, layoutW} {
		s, err := newSite(ctx, tb, d, k, cat, prefix, dir)
		if err != nil {
			return e, err
		}
		e.sites = append(e.sites, s)
		if _, err := s.build(ctx, e.tn); err != nil {
			return e, err
		}
		start := time.Now()
		a := makeAccounts(d, cat, e.tenant, envInt("MERIDIAN_LAYOUT_ACCOUNTS", 20000), 1)
		e.ids = a.ids
		if err := loadAccounts(ctx, s.db, s.l, e.key, e.tenant, a); err != nil {
			return e, err
		}
		keys := []string{e.key}
		for _, i := range others {
			o := makeAccounts(d, cat, e.tn.ids[i], 1000, uint64(10+i))
			if err := loadAccounts(ctx, s.db, s.l, e.tn.keys[i], e.tn.ids[i], o); err != nil {
				return e, err
			}
			keys = append(keys, e.tn.keys[i])
		}
		if err := analyze(ctx, s.db, s.l, keys); err != nil {
			return e, err
		}
		progress("%s %s: loaded %d + %d accounts in %s", d, k, len(a.ids), 1000*len(others), time.Since(start).Round(time.Millisecond))
	}
	for _, s := range e.sites {
		r := s.db
		if d == sqliteDB {
			if r, err = openSQLite(s.path, false, 2); err != nil {
				return e, err
			}
		}
		e.readers = append(e.readers, r)
	}
	for _, r := range reads {
		for i, s := range e.sites {
			v, err := e.prepare(ctx, i, string(s.l.kind), s.l.accountSQL(e.key, r))
			if err != nil {
				return e, err
			}
			e.variants[r] = append(e.variants[r], v)
		}
	}
	x := e.sites[1]
	q := strings.Replace(x.l.accountSQL(e.key, readListFilter), `ORDER BY t."id"`, `ORDER BY t_x."id"`, 1)
	v, err := e.prepare(ctx, 1, "Xo", q)
	if err != nil {
		return e, err
	}
	e.variants[readListFilter] = append(e.variants[readListFilter], v)
	return e, nil
}

func (e *queryEnv) prepare(ctx context.Context, site int, name, q string) (variant, error) {
	st, err := e.readers[site].PrepareContext(ctx, q)
	if err != nil {
		return variant{}, fmt.Errorf("%s: %w", q, err)
	}
	return variant{name: name, stmt: st}, nil
}

func (e *queryEnv) close() error {
	ctx := context.Background()
	for _, vs := range e.variants {
		for _, v := range vs {
			v.stmt.Close()
		}
	}
	var errs []string
	for i, s := range e.sites {
		if i < len(e.readers) && e.readers[i] != s.db {
			e.readers[i].Close()
		}
		if err := s.drop(ctx, e.tn); err != nil {
			errs = append(errs, err.Error())
		}
	}
	os.RemoveAll(e.dir)
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// args returns the arguments of r: the tenant and, for gets, one of its accounts, for the
// filtered list, one of the segments.
func (e *queryEnv) args(r read, rng *rand.Rand) []any {
	switch r {
	case readGet, readGetSystem:
		return []any{e.tenant, e.ids[rng.IntN(len(e.ids))]}
	case readListFilter:
		return []any{e.tenant, segment(rng.IntN(segments))}
	}
	return []any{e.tenant}
}

// ids runs v with args and returns the first column of its rows as text.
func (v variant) ids(ctx context.Context, args []any) ([]string, error) {
	rows, err := v.stmt.QueryContext(ctx, args...)
	return texts(rows, err, 0)
}

// BenchmarkLayoutQuery measures each read in every layout in the same loop: an iteration runs the
// read once per layout (the order rotating), with the same arguments, so that the ratios compare
// the layouts under the same load. ns/op is the whole iteration; the metrics are each layout's
// time per read (S-µs, X-µs, W-µs) and the ratios X/S and W/S. Run it with -count 3 or more:
//
//	go test ./internal/bench/layout -run '^$' -bench LayoutQuery -count 3 -timeout 3h
func BenchmarkLayoutQuery(b *testing.B) {
	e := getEnv(b)
	ctx := context.Background()
	for _, r := range reads {
		b.Run(string(r), func(b *testing.B) {
			vs := e.variants[r]
			// Every layout gives the same answer.
			check := rand.New(rand.NewPCG(5, 5))
			for range 5 {
				args := e.args(r, check)
				var want []string
				for i, v := range vs {
					got, err := v.ids(ctx, args)
					if err != nil {
						b.Fatal(err)
					}
					if len(got) == 0 {
						b.Fatalf("%s %s: no rows for %v", r, v.name, args)
					}
					if i == 0 {
						want = got
					} else if !slices.Equal(got, want) {
						b.Fatalf("%s: %s answers %v, S %v", r, v.name, got, want)
					}
				}
			}
			rng := rand.New(rand.NewPCG(7, 7))
			spent := make([]time.Duration, len(vs))
			n := 0
			for b.Loop() {
				args := e.args(r, rng)
				for j := range vs {
					k := (n + j) % len(vs)
					start := time.Now()
					rows, err := vs[k].stmt.QueryContext(ctx, args...)
					if err == nil {
						_, err = scanAll(rows)
					}
					spent[k] += time.Since(start)
					if err != nil {
						b.Fatal(err)
					}
				}
				n++
			}
			per := func(i int) float64 { return float64(spent[i].Nanoseconds()) / float64(n) / 1e3 }
			for i, v := range vs {
				b.ReportMetric(per(i), v.name+"-µs")
			}
			b.ReportMetric(per(1)/per(0), "X/S")
			b.ReportMetric(per(2)/per(0), "W/S")
			if len(vs) > 3 {
				b.ReportMetric(per(3)/per(0), "Xo/S")
			}
		})
	}
}
