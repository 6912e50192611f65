package records_test

import (
	"fmt"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// BenchmarkCreateMany measures the bulk write path: 1,000 accounts per call, validated,
// versioned and logged.
func BenchmarkCreateMany(b *testing.B) {
	e := newEnv(b)
	rows := make([]records.Input, 1000)
	n := 0
	for b.Loop() {
		for i := range rows {
			n++
			rows[i] = records.Input{"name": fmt.Sprintf("Account %d", n), "account_number": fmt.Sprintf("A-%09d", n),
				"city": "Hangzhou", "industry": "retail", "revenue": "1234.50", "employees": int64(n % 100)}
		}
		if _, bad, err := e.svc.CreateMany(e.ctx, "account", rows); err != nil || len(bad) > 0 {
			b.Fatal(err, bad)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
