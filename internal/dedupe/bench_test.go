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
