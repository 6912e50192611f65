package audit_test

import (
	"fmt"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// BenchmarkCreateManyAudited measures the cost the audit trail adds to bulk creates (imports,
// seeding): b.N rows in batches of 1000, with and without the auditor.
func BenchmarkCreateManyAudited(b *testing.B) {
	for _, audited := range []bool{false, true} {
		b.Run(fmt.Sprintf("audited=%v", audited), func(b *testing.B) {
			e := newEnv(b)
			svc := e.svc
			if !audited {
				svc = records.NewService(e.st, e.svc.Registry(), records.Options{Clock: e.clock.Now})
			}
			rows := make([]records.Input, 0, 1000)
			b.ResetTimer()
			for done := 0; done < b.N; {
				rows = rows[:0]
				for i := 0; i < 1000 && done+i < b.N; i++ {
					rows = append(rows, records.Input{"name": fmt.Sprintf("Account %d", done+i), "city": "Shanghai"})
				}
				if _, _, err := svc.CreateMany(e.ctx, "account", rows); err != nil {
					b.Fatal(err)
				}
				done += len(rows)
			}
		})
	}
}
