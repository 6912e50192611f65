package demo

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// openTenant opens a fresh database with a tenant and returns a system context in it.
func openTenant(t testing.TB, slug string) (*app.App, context.Context) {
	t.Helper()
	c := app.Defaults()
	c.DB = storetest.DSN(t)
	ctx := context.Background()
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	tn, err := a.EnsureTenant(ctx, slug, slug)
	if err != nil {
		t.Fatal(err)
	}
	return a, principal.With(ctx, principal.System(tn.ID))
}

// apply runs an OData query through the records service and returns its rows as maps.
func apply(t testing.TB, ctx context.Context, svc *records.Service, entity, q string) []*records.Record {
	t.Helper()
	o, err := query.ParseOptions(q)
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.List(ctx, entity, o, records.ReadOptions{PageSize: 5000})
	if err != nil {
		t.Fatalf("%s?%s: %v", entity, q, err)
	}
	return page.Records
}

func TestInstallSmallDemo(t *testing.T) {
	a, ctx := openTenant(t, "demo")
	cfg := Config{Seed: 7, Now: refDate, Scale: 0.1}
	var steps int
	sum, err := Install(ctx, a.Records, cfg, func(string, int, int) { steps++ })
	if err != nil {
		t.Fatal(err)
	}
	d := mustGenerate(t, cfg)
	for _, tb := range d.Tables {
		if sum.Counts[tb.Entity] != d.Count(tb.Entity) {
			t.Errorf("%s: loaded %d of %d", tb.Entity, sum.Counts[tb.Entity], d.Count(tb.Entity))
		}
	}
	t.Logf("loaded %d rows in %s (%d progress reports)", sum.Rows, sum.Duration, steps)
	if ok, err := HasData(ctx, a.Records); err != nil || !ok {
		t.Fatalf("HasData after install: %v %v", ok, err)
	}
	// The one write path: every created record is in the change log.
	var logged int
	if err := a.Store.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM change_log WHERE op = 'c'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, n := range sum.Counts {
		created += n
	}
	if logged < created {
		t.Fatalf("change log has %d creations for %d records", logged, created)
	}

	// Churned accounts have more open high-priority cases per account than active ones.
	perStatus := map[string]int64{}
	for _, r := range apply(t, ctx, a.Records, "account", "$apply=groupby((status),aggregate($count as n))") {
		perStatus[r.Vals[0].(string)] = r.Get("n").(int64)
	}
	open := map[string]int64{}
	for _, r := range apply(t, ctx, a.Records, "case", "$apply=filter(priority in ('high','urgent') and status ne 'resolved' and status ne 'canceled')"+
		"/groupby((account_id/status),aggregate($count as n))") {
		if s, ok := r.Vals[0].(string); ok {
			open[s] = r.Get("n").(int64)
		}
	}
	churned := float64(open["churned"]) / float64(perStatus["churned"])
	active := float64(open["active"]) / float64(max(1, perStatus["active"]))
	t.Logf("accounts %v; open high-priority cases %v", perStatus, open)
	if perStatus["churned"] == 0 || churned < 3*active || churned < 0.3 {
		t.Fatalf("open high-priority cases per account: churned %.2f, active %.2f", churned, active)
	}
	// Both languages: contacts and knowledge articles.
	langs := map[string]int64{}
	for _, r := range apply(t, ctx, a.Records, "contact", "$apply=groupby((preferred_language),aggregate($count as n))") {
		if s, ok := r.Vals[0].(string); ok {
			langs["contact "+s] = r.Get("n").(int64)
		}
	}
	for _, r := range apply(t, ctx, a.Records, "knowledge_article", "$apply=groupby((language),aggregate($count as n))") {
		langs["article "+r.Vals[0].(string)] = r.Get("n").(int64)
	}
	if langs["contact zh"] < 50 || langs["contact en"] < 50 || langs["article zh"] != int64(len(articles)) || langs["article en"] != int64(len(articles)) {
		t.Fatalf("languages: %v", langs)
	}
	// Cases that came by e-mail were routed into the Support queue by its rule at creation; the
	// others are in no queue.
	inQueue := map[string]int64{}
	for _, r := range apply(t, ctx, a.Records, "case", "$apply=groupby((origin,queue_id/name),aggregate($count as n))") {
		origin, _ := r.Vals[0].(string)
		queue, _ := r.Vals[1].(string)
		inQueue[origin+" → "+queue] += r.Get("n").(int64)
	}
	t.Logf("cases by origin and queue: %v", inQueue)
	for k, n := range inQueue {
		if email, support := strings.HasPrefix(k, "email → "), strings.HasSuffix(k, " → Support · 技术支持"); email != support && n > 0 {
			t.Errorf("cases by origin and queue: %v", inQueue)
		}
	}
	if inQueue["email → Support · 技术支持"] == 0 {
		t.Errorf("no e-mailed case in the Support queue: %v", inQueue)
	}
	// Closed-won amounts peak in the fourth quarter.
	sum4 := apply(t, ctx, a.Records, "opportunity", "$apply=filter(status eq 'won' and month(close_date) ge 10)/aggregate(amount with sum as total)")
	sum1 := apply(t, ctx, a.Records, "opportunity", "$apply=filter(status eq 'won' and month(close_date) le 3)/aggregate(amount with sum as total)")
	t.Logf("won in Q4 %v, in Q1 %v", sum4[0].Get("total"), sum1[0].Get("total"))
	// Activities are on the timeline of accounts, contacts, opportunities, leads and cases.
	types := map[string]bool{}
	for _, r := range apply(t, ctx, a.Records, "activity", "$apply=groupby((regarding_type))") {
		if s, ok := r.Vals[0].(string); ok {
			types[s] = true
		}
	}
	for _, e := range []string{"account", "contact", "opportunity", "lead", "case"} {
		if !types[e] {
			t.Errorf("no activity regarding a %s (%v)", e, types)
		}
	}
}
