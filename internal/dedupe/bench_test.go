package dedupe_test

import (
	"fmt"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// BenchmarkCreateMany measures what the key index costs a bulk create (an import's batch):
// 500 accounts with a name, e-mail, phone and website per op, with and without the index.
func BenchmarkCreateMany(b *testing.B) {
	for _, wired := range []bool{false, true} {
		b.Run(fmt.Sprintf("index=%v", wired), func(b *testing.B) {
			e := openEnv(b, wired)
			n := 0
			b.ResetTimer()
			for range b.N {
				rows := make([]records.Input, 500)
				for i := range rows {
					n++
					rows[i] = records.Input{"name": fmt.Sprintf("Company %d Trading Co., Ltd.", n), "email": fmt.Sprintf("info%d@example.com", n),
						"phone": fmt.Sprintf("+86 21 %08d", n), "website": fmt.Sprintf("https://c%d.example.com", n)}
				}
				if _, errs, err := e.recs.CreateMany(e.ctx, "account", rows); err != nil || len(errs) > 0 {
					b.Fatal(err, errs)
				}
			}
			b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkFind measures a duplicate look-up of one new account among 20,000 with names of
// one pattern (as an import from one source has): their common bigrams are in most records'
// keys, and the look-up must not read every record holding one.
func BenchmarkFind(b *testing.B) {
	e := openEnv(b, true)
	const n = 20000
	for start := 0; start < n; start += 5000 {
		rows := make([]records.Input, 5000)
		for i := range rows {
			k := start + i
			rows[i] = records.Input{"name": fmt.Sprintf("Import %07d %s", k, []string{"Shanghai", "Beijing", "Shenzhen", "London"}[k%4]),
				"email": fmt.Sprintf("info%d@example.com", k), "phone": fmt.Sprintf("+86 21 %08d", k), "website": fmt.Sprintf("https://www.example%d.com", k)}
		}
		if _, errs, err := e.recs.CreateMany(e.ctx, "account", rows); err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
	}
	// As an import does after growing a table (PostgreSQL: ANALYZE).
	for _, t := range append([]string{"account"}, e.recs.DerivedTables("account")...) {
		if err := e.st.RefreshStatistics(e.ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		k := n + i
		got, err := e.dup.Find(e.ctx, "account", map[string]any{"name": fmt.Sprintf("Import %07d Shanghai", k), "email": fmt.Sprintf("info%d@example.com", k)})
		if err != nil {
			b.Fatal(err)
		}
		_ = got
	}
}
