package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// accountDigest lists the seeded accounts' content in account number order.
func accountDigest(t *testing.T, ctx context.Context, svc *records.Service) string {
	t.Helper()
	var b strings.Builder
	for _, r := range apply(t, ctx, svc, "account", "$select=account_number,name,city,phone,revenue,status&$orderby=account_number&$top=5000") {
		fmt.Fprintln(&b, r.Get("account_number"), r.Get("name"), r.Get("city"), r.Get("phone"), r.Get("revenue"), r.Get("status"))
	}
	return b.String()
}

func TestSeedTopsUpAndResumesDeterministically(t *testing.T) {
	a, ctx := openTenant(t, "load")
	opt := SeedOptions{Accounts: 1000, Seed: 3, Now: refDate, Batch: 700, Activities: true}
	res, err := Seed(ctx, a.Records, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Existing != 0 || res.Added != 1000 || res.Counts["account"] != 1000 {
		t.Fatalf("first run: %+v", res)
	}
	if c := res.Counts["contact"]; c < 2000 || c > 3000 {
		t.Fatalf("%d contacts for 1000 accounts", c)
	}
	if o := res.Counts["opportunity"]; o < 1000 || o > 2000 {
		t.Fatalf("%d opportunities for 1000 accounts", o)
	}
	if res.Counts["phone_call"]+res.Counts["email"] == 0 {
		t.Fatalf("no activities: %v", res.Counts)
	}
	// On PostgreSQL the seed refreshed the statistics of what it wrote once it reached 1,000
	// accounts (with autovacuum off, as on the test server, nothing else would have).
	if a.Store.D.Name() == "postgres" {
		for _, table := range []string{"account", "contact", "opportunity", "dedupe_doc"} {
			var analyzed bool
			err := a.Store.DB(ctx).QueryRowContext(ctx, `SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL FROM pg_stat_user_tables
				WHERE schemaname = current_schema() AND relname = $1`, table).Scan(&analyzed)
			if err != nil || !analyzed {
				t.Errorf("%s: never analyzed (%v)", table, err)
			}
		}
	}
	// Again with the same target: nothing to add.
	if res, err = Seed(ctx, a.Records, opt); err != nil || res.Existing != 1000 || res.Added != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	// A larger target continues in the middle of a batch.
	opt.Accounts = 2000
	if res, err = Seed(ctx, a.Records, opt); err != nil || res.Existing != 1000 || res.Added != 1000 {
		t.Fatalf("third run: %+v %v", res, err)
	}
	// The same as seeding 2,000 at once.
	b, ctx2 := openTenant(t, "load")
	if _, err := Seed(ctx2, b.Records, opt); err != nil {
		t.Fatal(err)
	}
	if x, y := accountDigest(t, ctx, a.Records), accountDigest(t, ctx2, b.Records); x != y {
		t.Fatalf("resumed seed differs from a single run:\n%.500s\n---\n%.500s", x, y)
	}
}
