package search_test

import (
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/service"
)

// BenchmarkKnowledge times the knowledge base search (a question in English, one in Chinese)
// and the suggestions for a case (two any-word searches, one over resolved cases, and the
// articles linked to the similar ones) on the demo data at half scale, as the system principal.
func BenchmarkKnowledge(b *testing.B) {
	a, ctx := openTenant(b)
	if _, err := demo.Install(ctx, a.Records, demo.Config{Seed: 7, Now: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), Scale: 0.5}, nil); err != nil {
		b.Fatal(err)
	}
	f, err := query.ParseFilter("status ne 'resolved'")
	if err != nil {
		b.Fatal(err)
	}
	open, err := a.Records.List(ctx, "case", &query.Options{Filter: f, Select: []query.Path{{Segments: []string{"id"}}}}, records.ReadOptions{PageSize: 50})
	if err != nil || len(open.Records) == 0 {
		b.Fatal(err, "no open cases")
	}
	for _, e := range []string{"case", "knowledge_article"} {
		one := 1
		page, err := a.Records.List(ctx, e, &query.Options{Count: true, Top: &one}, records.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d records", e, *page.Count)
	}
	kb := service.NewArticles(a.Records, a.Search)
	if _, err := kb.Search(ctx, service.ArticleQuery{Q: "warm up"}); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, q string }{{"search-en", "my hub went offline after the firmware update"}, {"search-zh", "网关在云端一直显示离线怎么办"}} {
		b.Run(q.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := kb.Search(ctx, service.ArticleQuery{Q: q.q, Top: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("suggest", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := kb.Suggest(ctx, open.Records[i%len(open.Records)].ID(), 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}
