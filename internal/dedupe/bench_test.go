package dedupe_test

import (
	"crypto/sha256"
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

// BenchmarkDescribeBatch describes a batch of 1,000 new accounts with names of random letters
// and e-mails and phones no other record has, among 20,000 of one name pattern: once all at once
// (DescribeMany, as the importer does) and once row by row (Describe).
func BenchmarkDescribeBatch(b *testing.B) {
	e := openEnv(b, true)
	for start := 0; start < 20000; start += 5000 {
		rows := make([]records.Input, 5000)
		for i := range rows {
			k := start + i
			rows[i] = records.Input{"name": fmt.Sprintf("Import %07d Shanghai", k), "email": fmt.Sprintf("info%d@example.com", k), "phone": fmt.Sprintf("+86 21 %08d", k)}
		}
		if _, errs, err := e.recs.CreateMany(e.ctx, "account", rows); err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
	}
	for _, t := range append([]string{"account"}, e.recs.DerivedTables("account")...) {
		if err := e.st.RefreshStatistics(e.ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	batch := 0
	newBatch := func() ([]string, []map[string]any) {
		batch++
		rows := make([]records.Input, 1000)
		vals := make([]map[string]any, len(rows))
		for i := range rows {
			sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d", batch, i))
			name := make([]byte, 12) // two words of random letters
			for j := range name {
				name[j] = 'a' + sum[j]%26
			}
			name[5] = ' '
			rows[i] = records.Input{"name": string(name), "email": fmt.Sprintf("%x@example.net", sum[12:18]), "phone": fmt.Sprintf("+1 %d", 2000000000+int(sum[18])<<16+int(sum[19])<<8+int(sum[20]))}
			vals[i] = rows[i]
		}
		ids, errs, err := e.recs.CreateMany(e.ctx, "account", rows)
		if err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
		return ids, vals
	}
	b.Run("at-once", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			ids, vals := newBatch()
			b.StartTimer()
			if _, err := e.dup.DescribeMany(e.ctx, "account", ids, vals, 200); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("row-by-row", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			ids, vals := newBatch()
			b.StartTimer()
			for i, id := range ids {
				if _, err := e.dup.Describe(e.ctx, "account", id, vals[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
