package records_test

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// seedAccounts creates ten accounts a00…a09 with industries, revenues and cities.
func (e *env) seedAccounts() []*records.Record {
	e.t.Helper()
	var out []*records.Record
	industries := []string{"technology", "finance", "retail"}
	for i := range 10 {
		city := `"Shanghai"`
		if i%2 == 1 {
			city = `"Beijing"`
		}
		if i == 9 {
			city = "null"
		}
		out = append(out, e.create("account", fmt.Sprintf(`{"name":"a%02d","industry":"%s","revenue":%d.5,"employees":%d,"city":%s}`,
			i, industries[i%3], 100*(i+1), i*10, city)))
	}
	return out
}

func TestListQueryOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	for _, tc := range []struct {
		query string
		want  []string
		count int64 // -1: $count not asked
	}{
		{"$orderby=name", []string{"a00", "a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09"}, -1},
		{"$orderby=name desc&$top=3", []string{"a09", "a08", "a07"}, -1},
		{"$filter=industry eq 'finance'&$orderby=name", []string{"a01", "a04", "a07"}, -1},
		{"$filter=employees ge 50 and city eq 'Beijing'&$orderby=employees desc", []string{"a07", "a05"}, -1},
		{"$filter=city ne 'Shanghai'&$orderby=name", []string{"a01", "a03", "a05", "a07", "a09"}, -1},
		{"$filter=city eq null", []string{"a09"}, -1},
		{"$filter=revenue gt 800.5&$orderby=revenue", []string{"a08", "a09"}, -1},
		{"$filter=contains(name,'0')&$orderby=name&$skip=8", []string{"a08", "a09"}, -1},
		{"$filter=industry in ('retail','finance') and employees lt 40&$orderby=name", []string{"a01", "a02"}, -1},
		{"$filter=startswith(name,'a0')&$orderby=name&$top=2&$count=true", []string{"a00", "a01"}, 10},
		{"$filter=industry eq 'technology'&$count=true&$orderby=name", []string{"a00", "a03", "a06", "a09"}, 4},
		{"$orderby=city,name desc&$top=4", []string{"a09", "a07", "a05", "a03"}, -1},
		{"$orderby=city desc,name&$top=2", []string{"a00", "a02"}, -1},
	} {
		t.Run(tc.query, func(t *testing.T) {
			p := e.list("account", tc.query, zeroRO)
			if p.Next != "" {
				t.Errorf("next page token on a complete result")
			}
			if got := names(p.Records, "name"); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if tc.count >= 0 && (p.Count == nil || *p.Count != tc.count) {
				t.Errorf("count %v, want %d", p.Count, tc.count)
			}
			if tc.count < 0 && p.Count != nil {
				t.Errorf("count %d without $count", *p.Count)
			}
		})
	}
}

func TestListSelect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Contoso","city":"Shanghai","revenue":12}`)
	p := e.list("account", "$select=name,revenue", zeroRO)
	m := p.Records[0].Map()
	want := []string{"id", "name", "revenue", "revenue_currency", "version"}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("selected columns %v, want %v", got, want)
	}
	// Get with $select.
	r, err := e.svc.Get(e.ctx, "account", acc.ID(), opts(t, "$select=city"))
	if err != nil {
		t.Fatal(err)
	}
	if m := r.Map(); len(m) != 3 || m["city"] != "Shanghai" || m["id"] != acc.ID() || r.Version() != acc.Version() {
		t.Fatalf("get with $select: %v", m)
	}
	_, err = e.svc.Get(e.ctx, "account", acc.ID(), opts(t, "$select=colour"))
	wantFault(t, err, fault.Invalid, "unknown_field", "$select")
	_, err = e.svc.List(e.ctx, "account", opts(t, "$filter=colour eq 'red'"), zeroRO)
	wantFault(t, err, fault.Invalid, "unknown_field", "$filter")
}

// walk follows Next tokens from the first page of query and returns every page's names.
// between runs after each page.
func (e *env) walk(t *testing.T, entity, query string, size int, between func(page int)) [][]string {
	t.Helper()
	o := opts(t, query)
	var pages [][]string
	for n := 0; ; n++ {
		if n > 20 {
			t.Fatal("paging does not end")
		}
		p, err := e.svc.List(e.ctx, entity, o, records.ReadOptions{PageSize: size})
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		pages = append(pages, names(p.Records, "name"))
		if p.Next == "" {
			return pages
		}
		if between != nil {
			between(n)
		}
		o = opts(t, query)
		o.SkipToken = p.Next
	}
}

func TestListPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	all := []string{"a00", "a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09"}
	for _, tc := range []struct {
		query string
		want  [][]string
	}{
		{"$orderby=name", [][]string{all[0:3], all[3:6], all[6:9], all[9:]}},
		{"$orderby=name desc", [][]string{{"a09", "a08", "a07"}, {"a06", "a05", "a04"}, {"a03", "a02", "a01"}, {"a00"}}},
		// Nulls sort first ascending and last descending, in both dialects.
		{"$orderby=city,name", [][]string{{"a09", "a01", "a03"}, {"a05", "a07", "a00"}, {"a02", "a04", "a06"}, {"a08"}}},
		{"$orderby=city desc,name", [][]string{{"a00", "a02", "a04"}, {"a06", "a08", "a01"}, {"a03", "a05", "a07"}, {"a09"}}},
		{"$orderby=industry,revenue desc", [][]string{{"a07", "a04", "a01"}, {"a08", "a05", "a02"}, {"a09", "a06", "a03"}, {"a00"}}},
		{"$filter=industry ne 'retail'&$orderby=name", [][]string{{"a00", "a01", "a03"}, {"a04", "a06", "a07"}, {"a09"}}},
		// $top larger than a page: the pages stop at $top.
		{"$orderby=name&$top=5", [][]string{all[0:3], all[3:5]}},
		{"$orderby=name&$top=6", [][]string{all[0:3], all[3:6]}},
		// $top larger than the result: no empty last page.
		{"$orderby=name&$top=100", [][]string{all[0:3], all[3:6], all[6:9], all[9:]}},
		{"$filter=industry eq 'finance'&$top=50&$orderby=name", [][]string{{"a01", "a04", "a07"}}},
		{"$filter=industry ne 'retail'&$top=6&$orderby=name", [][]string{{"a00", "a01", "a03"}, {"a04", "a06", "a07"}}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := e.walk(t, "account", tc.query, 3, nil)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("pages %v, want %v", got, tc.want)
			}
		})
	}
	// Default order (by id): every record exactly once.
	seen := map[string]int{}
	for _, page := range e.walk(t, "account", "", 3, nil) {
		for _, n := range page {
			seen[n]++
		}
	}
	if len(seen) != 10 {
		t.Errorf("saw %d distinct records over the pages, want 10: %v", len(seen), seen)
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("%s served %d times", n, k)
		}
	}
}

func TestListPagingWithCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	o := opts(t, "$filter=industry ne 'retail'&$orderby=name&$count=true")
	for page := 0; ; page++ {
		p, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 3})
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if p.Count == nil || *p.Count != 7 {
			t.Fatalf("page %d: count %v, want 7 on every page", page, p.Count)
		}
		if p.Next == "" {
			break
		}
		o = opts(t, "$filter=industry ne 'retail'&$orderby=name&$count=true")
		o.SkipToken = p.Next
	}
	// Ordering through a lookup adds a join the count does not need.
	c := e.create("contact", `{"last_name":"X"}`)
	e.create("account", `{"name":"b","primary_contact_id":"`+c.ID()+`"}`)
	p, err := e.svc.List(e.ctx, "account", opts(t, "$orderby=primary_contact_id/full_name&$count=true&$top=2"), zeroRO)
	if err != nil || p.Count == nil || *p.Count != 11 {
		t.Fatalf("count with a join in $orderby: %v (%v)", p.Count, err)
	}
}

func TestListKeysetStability(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	// Insert rows between pages: ones that sort before the cursor are not served (the client has
	// passed them), ones after it are served once; nothing is served twice or skipped.
	added := 0
	pages := e.walk(t, "account", "$orderby=name", 3, func(page int) {
		e.create("account", fmt.Sprintf(`{"name":"a%02d-late"}`, page)) // after a00, a03, a06: behind the cursor
		e.create("account", fmt.Sprintf(`{"name":"z%02d"}`, page))      // ahead of the cursor
		added++
	})
	seen := map[string]int{}
	var order []string
	for _, p := range pages {
		for _, n := range p {
			seen[n]++
			order = append(order, n)
		}
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("%s served %d times", n, k)
		}
	}
	for i := range 10 {
		if seen[fmt.Sprintf("a%02d", i)] != 1 {
			t.Errorf("a%02d was skipped", i)
		}
	}
	for i := range added {
		if seen[fmt.Sprintf("z%02d", i)] != 1 {
			t.Errorf("z%02d, added ahead of the cursor, was not served", i)
		}
	}
	if !slices.IsSorted(order) {
		t.Errorf("served out of order: %v", order)
	}
	// The same by the default order (id): new ids sort after existing ones.
	seen = map[string]int{}
	n := 0
	for _, p := range e.walk(t, "account", "", 3, func(int) { n++; e.create("account", fmt.Sprintf(`{"name":"new%d"}`, n)) }) {
		for _, name := range p {
			seen[name]++
		}
	}
	for name, k := range seen {
		if k != 1 {
			t.Errorf("%s served %d times", name, k)
		}
	}
	if want := 10 + 2*added + n; len(seen) != want {
		t.Errorf("served %d records, want %d", len(seen), want)
	}
}

func TestListBadSkipToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	for _, tok := range []string{"garbage!", "eyJrIjpbXX0"} {
		o := opts(t, "$orderby=name")
		o.SkipToken = tok
		_, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 3})
		wantFault(t, err, fault.Invalid, "invalid_skiptoken", "$skiptoken")
	}
}

func TestListApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.seedAccounts()
	p := e.list("account", "$apply=groupby((industry),aggregate(revenue with sum as total,$count as n))", zeroRO)
	if !p.Aggregated {
		t.Fatal("not marked aggregated")
	}
	got := map[string]string{}
	for _, r := range p.Records {
		total, _ := r.Get("total").(decimal.Decimal)
		got[str(r, "industry")] = total.StringFixed(1) + "/" + fmt.Sprint(r.Get("n"))
	}
	// technology: a00 a03 a06 a09 = 100.5+400.5+700.5+1000.5; finance: a01 a04 a07; retail: a02 a05 a08.
	want := map[string]string{"technology": "2202.0/4", "finance": "1501.5/3", "retail": "1801.5/3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	p = e.list("account", "$apply=filter(city eq 'Beijing')/aggregate(employees with max as most,$count as n)", zeroRO)
	if len(p.Records) != 1 || p.Records[0].Get("most") != int64(70) || p.Records[0].Get("n") != int64(4) {
		t.Fatalf("aggregate: %v", p.Records[0].Map())
	}
	// Paging of aggregated rows.
	var seen []string
	o := opts(t, "$apply=groupby((industry))&$orderby=industry")
	for {
		p, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, names(p.Records, "industry")...)
		if p.Next == "" {
			break
		}
		o = opts(t, "$apply=groupby((industry))&$orderby=industry")
		o.SkipToken = p.Next
	}
	if !slices.Equal(seen, []string{"finance", "retail", "technology"}) {
		t.Fatalf("paged groups %v", seen)
	}
}

// TestListUnordered: key look-ups read every match without ordering or paging, and refuse a
// look-up that matches more rows than fit in one page instead of silently truncating it.
func TestListUnordered(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 6; i++ {
		e.create("account", fmt.Sprintf(`{"name":"U%d","account_number":"U-%d","city":"Xi'an"}`, i, i))
	}
	o := opts(t, "$filter="+url.QueryEscape("account_number in ('U-1','U-4','U-5','nope')"))
	o.Unordered = true
	page, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range page.Records {
		got[r.Get("account_number").(string)] = true
	}
	if len(got) != 3 || !got["U-1"] || !got["U-4"] || !got["U-5"] || page.Next != "" {
		t.Fatalf("unordered look-up got %v (next %q)", got, page.Next)
	}
	o = opts(t, "$filter="+url.QueryEscape("city eq 'Xi''an'"))
	o.Unordered = true
	if _, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 5}); fault.CodeOf(err) != "too_many_matches" {
		t.Fatalf("6 matches over a page of 5: %v", err)
	}
}
