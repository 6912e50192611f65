package dedupe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// BenchmarkCreateMany measures what the key index costs a bulk create (an import's batch):
// 500 accounts with a name, e-mail, phone and website per op, with and without the index.
func BenchmarkCreateMany(b *testing.B) {
	for _, wired := range []bool{false, true} {
		b.Run(fmt.Sprintf("index=%v", wired), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b)
			sys, err := metadata.System()
			if err != nil {
				b.Fatal(err)
			}
			m, err := st.SyncSystem(ctx, sys)
			if err != nil {
				b.Fatal(err)
			}
			clk := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
			recs := records.NewService(st, metadata.NewRegistry(m), records.Options{Clock: clk.Now})
			if wired {
				dedupe.Wire(recs)
			}
			tn, err := tenant.Create(ctx, st, "acme", "acme", clk.Now())
			if err != nil {
				b.Fatal(err)
			}
			ctx = principal.With(ctx, principal.Principal{TenantID: tn.ID, UserID: uuid.NewString(), Admin: true})
			n := 0
			b.ResetTimer()
			for range b.N {
				rows := make([]records.Input, 500)
				for i := range rows {
					n++
					rows[i] = records.Input{"name": fmt.Sprintf("Company %d Trading Co., Ltd.", n), "email": fmt.Sprintf("info%d@example.com", n),
						"phone": fmt.Sprintf("+86 21 %08d", n), "website": fmt.Sprintf("https://c%d.example.com", n)}
				}
				if _, errs, err := recs.CreateMany(ctx, "account", rows); err != nil || len(errs) > 0 {
					b.Fatal(err, errs)
				}
			}
			b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
