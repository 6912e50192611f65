package search_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// Word lists for the benchmark's accounts: English and Chinese company names and descriptions.
var (
	benchEN      = []string{"Acme", "Northwind", "Harbor", "Pacific", "Summit", "Evergreen", "Pioneer", "Atlas", "Granite", "Silver", "Crescent", "Maple", "Orion", "Falcon", "Delta", "Vertex", "Cobalt", "Sierra", "Lumen", "Aurora"}
	benchENKind  = []string{"Logistics", "Widgets", "Pharmaceuticals", "Textiles", "Foods", "Robotics", "Energy", "Instruments", "Chemicals", "Software"}
	benchZHCity  = []string{"上海", "北京", "深圳", "广州", "杭州", "苏州", "南京", "成都", "武汉", "天津"}
	benchZHName  = []string{"华东", "创新", "恒通", "金桥", "远航", "新源", "瑞丰", "宏达", "中科", "长江", "东方", "鼎盛"}
	benchZHKind  = []string{"贸易", "科技", "物流", "制造", "医药", "电子", "能源", "食品"}
	benchPhrases = []string{"maker of industrial widgets", "ships containers every week", "long-time customer of the Kestrel hub", "evaluating predictive maintenance", "专注于工业传感器与网关", "长期合作的物流客户", "正在评估预测性维护方案"}
)

// BenchmarkSearch20k searches 20,000 accounts (half with English names, half with Chinese) with
// the index, and with a plain LIKE '%q%' scan of name and description as the reference (which
// neither ranks nor handles prefixes, and reads every row of the tenant).
func BenchmarkSearch20k(b *testing.B) {
	a, ctx := openTenant(b)
	p, _ := principal.From(ctx)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	rows := make([]records.Input, 0, 2000)
	for i := 0; i < n; i++ {
		var name string
		if i%2 == 0 {
			name = fmt.Sprintf("%s %s %s %d", benchEN[r.IntN(len(benchEN))], benchEN[r.IntN(len(benchEN))], benchENKind[r.IntN(len(benchENKind))], i)
		} else {
			name = benchZHCity[r.IntN(len(benchZHCity))] + benchZHName[r.IntN(len(benchZHName))] + benchZHKind[r.IntN(len(benchZHKind))] + "有限公司" + fmt.Sprint(i)
		}
		rows = append(rows, records.Input{"name": name, "description": benchPhrases[r.IntN(len(benchPhrases))]})
		if len(rows) == cap(rows) {
			if _, bad, err := a.Records.CreateMany(ctx, "account", rows); err != nil || len(bad) > 0 {
				b.Fatal(err, bad)
			}
			rows = rows[:0]
		}
	}
	// As an import does after loading (exchange), so plans fit the table's size.
	if err := a.Store.RefreshStatistics(ctx, "account"); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	done, err := a.Search.Reindex(ctx, p.TenantID, nil)
	if err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.Logf("indexed %d records in %s (%.0f records/s)", done, el.Round(time.Millisecond), float64(done)/el.Seconds())
	queries := []struct{ name, q, like string }{
		{"en-word", "harbor", "harbor"},
		{"en-two-words", "pacific robotics", "pacific robotics"},
		{"en-prefix", "everg", "everg"},
		{"zh-city", "上海", "上海"},
		{"zh-name", "杭州瑞丰", "杭州瑞丰"},
	}
	for _, q := range queries {
		b.Run("index/"+q.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				find(b, a, ctx, q.q)
			}
		})
		// like: the first 20 rows that contain the text (stops early on common words); like-all:
		// every row that does, which is what ranking them would have to read.
		for _, ref := range []struct{ name, limit string }{{"like", " LIMIT 20"}, {"like-all", ""}} {
			b.Run(ref.name+"/"+q.name, func(b *testing.B) {
				st := a.Store
				ph := st.D.Placeholder
				sql := `SELECT id, name FROM account WHERE tenant_id = ` + ph(1) + ` AND (lower(name) LIKE ` + ph(2) + ` OR lower(description) LIKE ` + ph(2) + `)` + ref.limit
				for i := 0; i < b.N; i++ {
					rows, err := st.Query(ctx, sql, p.TenantID, "%"+q.like+"%")
					if err != nil {
						b.Fatal(err)
					}
					for rows.Next() {
					}
					rows.Close()
				}
			})
		}
	}
}
