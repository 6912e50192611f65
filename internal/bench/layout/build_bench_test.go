package layout

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkLayoutBuild builds layouts X and W for MERIDIAN_LAYOUT_TENANTS tenants (1,000), each
// with 20 custom attributes on account and 5 custom entities, on the database MERIDIAN_TEST_DB
// names, and measures it empty. ns/op is the time to create the layout (the shared tables, then
// each tenant's tables in a transaction of its own); the other figures are reported as metrics:
//
//	relations, tables, indexes, views  PostgreSQL pg_class rows (toast tables and indexes
//	                                   included) / SQLite sqlite_master rows
//	toast, attributes                  PostgreSQL toast relations and pg_attribute rows
//	disk-MB                            PostgreSQL: the relations' files; SQLite: the database file
//	catalog-MB                         PostgreSQL: the layout's rows in the main catalogs
//	cache-MB, cache-KB/tenant          PostgreSQL: the bytes in use in a backend's CacheMemoryContext
//	                                   tree after one account read per tenant, and its growth per
//	                                   tenant (cache-first-KB/tenant: over the first tenth of the
//	                                   tenants); cached-indexes: the indexes in its relation cache;
//	                                   cache-wide-*: after four reads per tenant (account, contacts,
//	                                   an opportunity, a custom entity); cache-stmt-MB: with pgx's
//	                                   statement cache on (512 prepared statements at most)
//	backend-MB                         PostgreSQL: all the backend's memory contexts (account reads)
//	cache-resets                       PostgreSQL: passes started again because DDL elsewhere on the
//	                                   server reset the backend's caches (see touchTenants)
//	schema-MB, open-ms                 SQLite: a connection's parsed schema, and its first query
//	reload-ms                          SQLite: a reader's next query after one tenant's column
//	                                   is added by the writer
//	cold-µs/tenant, warm-µs/tenant     the first and the second account read of every tenant on
//	                                   one fresh connection
//	addcol-ms                          adding a column to account for every tenant (W: extrapolated
//	                                   when MERIDIAN_LAYOUT_ALTERS is below the number of tenants)
//
// Run it once per count, e.g.
//
//	go test ./internal/bench/layout -run '^$' -bench LayoutBuild -benchtime 1x -count 3 -timeout 3h
func BenchmarkLayoutBuild(b *testing.B) {
	ctx := context.Background()
	d := currentDialect()
	cat, err := loadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	tn := newTenants(tenantCount())
	for _, k := range []kind{layoutX, layoutW} {
		b.Run(string(k), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s, err := newSite(ctx, b, d, k, cat, runPrefix(), b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() {
					if err := s.drop(ctx, tn); err != nil {
						b.Error(err)
					}
				})
				b.StartTimer()
				spent, err := s.build(ctx, tn)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if err := measureBuild(ctx, b, s, tn, spent); err != nil {
					b.Fatal(err)
				}
				if err := s.drop(ctx, tn); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// measureBuild reports the figures of a built, empty site.
func measureBuild(ctx context.Context, b *testing.B, s *site, tn tenants, spent time.Duration) error {
	n := float64(len(tn.keys))
	mb := func(v int64) float64 { return float64(v) / 1e6 }
	perTenant := func(d time.Duration) float64 { return float64(d.Microseconds()) / n }
	log := fmt.Sprintf("%s %s, %d tenants: built in %s", s.l.d, s.l.kind, len(tn.keys), spent.Round(time.Millisecond))
	report := func(v float64, unit string) {
		b.ReportMetric(v, unit)
		log += fmt.Sprintf(", %.4g %s", v, unit)
	}
	var st catalogStats
	var err error
	if s.l.d == postgresDB {
		st, err = postgresStats(ctx, s.db, s.schemas())
	} else {
		st, err = sqliteStats(ctx, s.db, s.path)
	}
	if err != nil {
		return err
	}
	report(float64(st.relations), "relations")
	report(float64(st.tables), "tables")
	report(float64(st.indexes), "indexes")
	report(mb(st.diskBytes), "disk-MB")
	if s.l.d == postgresDB {
		report(float64(st.toast), "toast")
		report(float64(st.attributes), "attributes")
		report(mb(st.catalogBytes), "catalog-MB")
	}
	progress("%s %s: touching every tenant", s.l.d, s.l.kind)
	account, err := s.touchTenants(ctx, b, tn, false, "exec")
	if err != nil {
		return err
	}
	wide, err := s.touchTenants(ctx, b, tn, true, "exec")
	if err != nil {
		return err
	}
	report(perTenant(account.cold), "cold-µs/tenant")
	report(perTenant(account.warm), "warm-µs/tenant")
	report(perTenant(wide.cold), "cold-wide-µs/tenant")
	if s.l.d == postgresDB {
		stmt, err := s.touchTenants(ctx, b, tn, false, "cache_statement")
		if err != nil {
			return err
		}
		report(float64(account.resets+wide.resets+stmt.resets), "cache-resets")
		report(mb(account.cache), "cache-MB")
		report(float64(account.cache-account.cache0)/n/1e3, "cache-KB/tenant")
		report(float64(account.firstTenth)/float64(account.tenthTenant)/1e3, "cache-first-KB/tenant")
		report(float64(account.indexes), "cached-indexes")
		report(mb(wide.cache), "cache-wide-MB")
		report(float64(wide.cache-wide.cache0)/n/1e3, "cache-wide-KB/tenant")
		report(float64(wide.firstTenth)/float64(wide.tenthTenant)/1e3, "cache-wide-first-KB/tenant")
		report(float64(wide.indexes), "cached-wide-indexes")
		report(mb(stmt.cache), "cache-stmt-MB")
		report(mb(account.total), "backend-MB")
	} else {
		report(mb(account.cache), "schema-MB")
		report(float64(account.open.Microseconds())/1e3, "open-ms")
		alter, next, err := s.reload(ctx, tn)
		if err != nil {
			return err
		}
		report(float64(alter.Microseconds())/1e3, "alter-one-ms")
		report(float64(next.Microseconds())/1e3, "reload-ms")
	}
	progress("%s %s: adding a column to every tenant's account", s.l.d, s.l.kind)
	add, altered, err := s.addColumn(ctx, tn, "sys_added")
	if err != nil {
		return err
	}
	report(float64(add.Microseconds())/1e3, "addcol-ms")
	if s.l.kind == layoutW && altered < len(tn.keys) {
		log += fmt.Sprintf(" (extrapolated from %d tenants)", altered)
	}
	b.Log(log)
	progress("%s", log)
	return nil
}
