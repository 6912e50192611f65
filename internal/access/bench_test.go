package access_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// BenchmarkVisibility measures what the security predicate costs a list: 50 accounts ordered
// by name out of 20,000 owned by the seven users of the world (four units), read by the system
// (no predicate) and by users holding the Sales role at each depth.
func BenchmarkVisibility(b *testing.B) {
	w := newWorld(b)
	owners := []string{w.users["owner"], w.users["same_unit"], w.users["child_unit"], w.users["other_unit"],
		w.users["team_member"], w.users["access_member"], w.users["shared_user"]}
	const n = 20000
	for start := 0; start < n; start += 1000 {
		rows := make([]records.Input, 1000)
		for i := range rows {
			rows[i] = records.Input{"name": fmt.Sprintf("Account %05d", start+i), "owner_id": owners[(start+i)%len(owners)]}
		}
		if _, bad, err := w.svc.CreateMany(w.ctx, "account", rows); err != nil || len(bad) > 0 {
			b.Fatalf("load: %v %v", err, bad)
		}
	}
	// Fresh planner statistics, as autovacuum would take after such a load (PostgreSQL).
	if err := w.svc.Store().RefreshStatistics(context.Background(), "account"); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, ctx context.Context) {
		o := opts(b, "$top=50&$orderby=name")
		for b.Loop() {
			p, err := w.svc.List(ctx, "account", o, records.ReadOptions{})
			if err != nil || len(p.Records) != 50 {
				b.Fatalf("%v, %d records", err, len(p.Records))
			}
		}
	}
	b.Run("system", func(b *testing.B) { run(b, w.ctx) })
	for _, depth := range []string{"organization", "parent_child", "business_unit", "user"} {
		w.setDepth(depth)
		b.Run("depth="+depth, func(b *testing.B) { run(b, w.as("same_unit")) })
	}
}
