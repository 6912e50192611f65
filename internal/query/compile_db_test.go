package query

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// otherTenant holds rows with the same ids as some of testTenant's, which no query of testTenant
// may see, not even through a join or a sub-query.
const otherTenant = "00000000-0000-0000-0000-000000000002"

// Rows of the test database. Values are typed as metadata.Attribute.Convert returns them; nil is
// NULL.
type testAccount struct {
	id        string
	name      any
	city      any
	revenue   any
	employees any
	contact   any // primary_contact_id
	created   time.Time
}

type testContact struct {
	id, fullName string
	city         any
	account      any
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(d int) time.Time { return time.Date(2024, 1, d, 8, 0, 0, 0, time.UTC) }

func rid(prefix string, n int) string {
	return fmt.Sprintf("%s0000000-0000-0000-0000-%012d", prefix, n)
}

var (
	c1, c2, c3 = rid("c", 1), rid("c", 2), rid("c", 3)

	testAccounts = []testAccount{
		{rid("a", 4), "Beta", "Paris", dec("1000.5"), int64(10), c3, day(1)},
		{rid("a", 1), "Contoso", "Paris", dec("1000.5"), int64(10), c1, day(1)},
		{rid("a", 2), "Beta", nil, nil, int64(5), nil, day(2)},
		{rid("a", 3), "Alpha", "Berlin", dec("250"), nil, c2, day(3)},
		{rid("a", 5), "Delta", nil, dec("99.9999"), int64(200), c1, day(2).Add(time.Microsecond)},
		{rid("a", 6), "alpha", "Amsterdam", nil, int64(3), nil, day(5)},
		{rid("a", 7), "Echo", "Berlin", dec("-5"), int64(10), c2, day(6)},
		{rid("a", 8), "Contoso", nil, dec("1000.5"), nil, nil, day(7)},
	}
	testContacts = []testContact{
		{c1, "Ann Lee", "Paris", rid("a", 1)},
		{c2, "Bob", nil, rid("a", 3)},
		{c3, "ann lee", "Berlin", rid("a", 4)},
		{rid("c", 4), "Cy", "Paris", rid("a", 1)},
	}
)

// openTestDB opens a fresh database with the system tables and the test rows of both tenants.
func openTestDB(t *testing.T) (*store.Store, *metadata.Model) {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := &metadata.Attribute{Name: "created_at", Type: metadata.TypeDateTime}
	for i, id := range []string{testTenant, otherTenant} {
		q := fmt.Sprintf("INSERT INTO tenant (id, name, slug, status, version, created_at) VALUES (%s, %s, %s, 'active', 0, %s)",
			s.D.Placeholder(1), s.D.Placeholder(2), s.D.Placeholder(3), s.D.Placeholder(4))
		if _, err := s.Exec(ctx, q, id, fmt.Sprintf("Tenant %d", i), fmt.Sprintf("t%d", i), s.D.Encode(ts, day(1))); err != nil {
			t.Fatal(err)
		}
	}
	acc, con, opp := m.Entity("account"), m.Entity("contact"), m.Entity("opportunity")
	for _, a := range testAccounts {
		row := map[string]any{"id": a.id, "name": a.name, "city": a.city, "revenue": a.revenue, "employees": a.employees,
			"primary_contact_id": a.contact, "created_at": a.created, "modified_at": a.created}
		if a.revenue != nil {
			row["revenue_currency"] = "EUR"
		}
		insertRow(t, s, acc, testTenant, row)
	}
	for _, c := range testContacts {
		insertRow(t, s, con, testTenant, map[string]any{"id": c.id, "full_name": c.fullName, "city": c.city, "account_id": c.account,
			"created_at": day(1), "modified_at": day(1)})
	}
	for i, o := range []struct {
		account, stage string
		amount         string
	}{{rid("a", 1), "qualify", "10.25"}, {rid("a", 1), "propose", "100"}, {rid("a", 3), "qualify", "5"}} {
		insertRow(t, s, opp, testTenant, map[string]any{"id": rid("0", i+1), "account_id": o.account, "stage": o.stage,
			"status": "open", "amount": dec(o.amount), "amount_currency": "EUR", "close_date": "2024-03-01",
			"created_at": day(1), "modified_at": day(1)})
	}
	// The other tenant reuses ids: a missing tenant condition on a join or sub-query shows up as
	// extra or wrong rows.
	insertRow(t, s, acc, otherTenant, map[string]any{"id": rid("a", 1), "name": "Aardvark", "city": "Paris", "primary_contact_id": c2,
		"created_at": day(1), "modified_at": day(1)})
	insertRow(t, s, acc, otherTenant, map[string]any{"id": rid("a", 9), "name": "Zulu", "created_at": day(1), "modified_at": day(1)})
	insertRow(t, s, con, otherTenant, map[string]any{"id": c1, "full_name": "Zed", "city": "Oslo", "account_id": rid("a", 3),
		"created_at": day(1), "modified_at": day(1)})
	insertRow(t, s, con, otherTenant, map[string]any{"id": c2, "full_name": "Aaron", "city": "Paris", "account_id": rid("a", 4),
		"created_at": day(1), "modified_at": day(1)})
	return s, m
}

// insertRow inserts one row of entity e with values encoded by the store's dialect.
func insertRow(t *testing.T, s *store.Store, e *metadata.Entity, tenant string, vals map[string]any) {
	t.Helper()
	vals["version"] = int64(1)
	cols := []string{`"tenant_id"`}
	ph := []string{s.D.Placeholder(1)}
	args := []any{tenant}
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		a := e.Attr(n)
		if a == nil {
			t.Fatalf("%s has no attribute %s", e.Name, n)
		}
		cols = append(cols, store.Quote(n))
		args = append(args, s.D.Encode(a, vals[n]))
		ph = append(ph, s.D.Placeholder(len(args)))
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", store.Quote(e.Name), strings.Join(cols, ", "), strings.Join(ph, ", "))
	if _, err := s.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// runPlan executes a statement and decodes its rows with cols.
func runPlan(t *testing.T, s *store.Store, q string, args []any, cols []Column) [][]any {
	t.Helper()
	ctx := context.Background()
	rows, err := s.DB(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s\n-- args: %v\n%v", q, args, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: scan: %v", q, err)
		}
		for i, c := range cols {
			v, err := s.D.Decode(c.Attr, raw[i])
			if err != nil {
				t.Fatalf("%s: column %s: %v", q, c.Name, err)
			}
			raw[i] = v
		}
		out = append(out, raw)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s\n-- args: %v\n%v", q, args, err)
	}
	return out
}

func columnIndex(t *testing.T, cols []Column, name string) int {
	t.Helper()
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	t.Fatalf("no column %s", name)
	return -1
}

// cmpNullsFirst orders typed values with nulls as the smallest values.
func cmpNullsFirst(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int64:
		return int(x - b.(int64))
	case decimal.Decimal:
		return x.Cmp(b.(decimal.Decimal))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	panic(fmt.Sprintf("cannot compare %T", a))
}

type sortKey struct {
	get  func(testAccount) any
	desc bool
}

func contactName(a testAccount) any {
	for _, c := range testContacts {
		if c.id == a.contact {
			return c.fullName
		}
	}
	return nil
}

var (
	byName      = func(a testAccount) any { return a.name }
	byCity      = func(a testAccount) any { return a.city }
	byRevenue   = func(a testAccount) any { return a.revenue }
	byEmployees = func(a testAccount) any { return a.employees }
	byCreated   = func(a testAccount) any { return a.created }
	byID        = func(a testAccount) any { return a.id }
)

// expectedIDs returns the ids of the accounts that pass keep, in the order of keys then id,
// after skip, at most top (top < 0: all).
func expectedIDs(keep func(testAccount) bool, keys []sortKey, skip, top int) []string {
	var rows []testAccount
	for _, a := range testAccounts {
		if keep == nil || keep(a) {
			rows = append(rows, a)
		}
	}
	keys = append(keys, sortKey{get: byID})
	slices.SortStableFunc(rows, func(a, b testAccount) int {
		for _, k := range keys {
			c := cmpNullsFirst(k.get(a), k.get(b))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	var ids []string
	for _, a := range rows {
		ids = append(ids, a.id)
	}
	if skip > len(ids) {
		skip = len(ids)
	}
	ids = ids[skip:]
	if top >= 0 && top < len(ids) {
		ids = ids[:top]
	}
	return ids
}

func contactsOf(id string) []testContact {
	var out []testContact
	for _, c := range testContacts {
		if c.account == id {
			out = append(out, c)
		}
	}
	return out
}

// TestKeysetPaging walks every ordering in pages of two, following the skiptoken the way the
// records service builds it, and checks that each matching row comes exactly once, in order.
func TestKeysetPaging(t *testing.T) {
	s, m := openTestDB(t)
	notParis := func(a testAccount) bool { return a.city != "Paris" }
	cases := []struct {
		query string
		keep  func(testAccount) bool
		keys  []sortKey
		skip  int
		top   int
	}{
		{query: "", top: -1},
		{query: "$orderby=name", keys: []sortKey{{get: byName}}, top: -1},
		{query: "$orderby=name desc", keys: []sortKey{{get: byName, desc: true}}, top: -1},
		{query: "$orderby=revenue desc", keys: []sortKey{{get: byRevenue, desc: true}}, top: -1},
		{query: "$orderby=revenue", keys: []sortKey{{get: byRevenue}}, top: -1},
		{query: "$orderby=city", keys: []sortKey{{get: byCity}}, top: -1},
		{query: "$orderby=city desc", keys: []sortKey{{get: byCity, desc: true}}, top: -1},
		{query: "$orderby=city,revenue desc", keys: []sortKey{{get: byCity}, {get: byRevenue, desc: true}}, top: -1},
		{query: "$orderby=employees desc,name", keys: []sortKey{{get: byEmployees, desc: true}, {get: byName}}, top: -1},
		{query: "$orderby=employees,city desc", keys: []sortKey{{get: byEmployees}, {get: byCity, desc: true}}, top: -1},
		{query: "$orderby=primary_contact/full_name", keys: []sortKey{{get: contactName}}, top: -1},
		{query: "$orderby=primary_contact_id/full_name desc,city", keys: []sortKey{{get: contactName, desc: true}, {get: byCity}}, top: -1},
		{query: "$orderby=created_at desc", keys: []sortKey{{get: byCreated, desc: true}}, top: -1},
		{query: "$orderby=id desc", keys: []sortKey{{get: byID, desc: true}}, top: -1},
		{query: "$select=name&$orderby=revenue desc,city", keys: []sortKey{{get: byRevenue, desc: true}, {get: byCity}}, top: -1},
		{query: "$filter=city ne 'Paris'&$orderby=name", keep: notParis, keys: []sortKey{{get: byName}}, top: -1},
		{query: "$filter=not (city eq 'Paris')&$orderby=name", keep: notParis, keys: []sortKey{{get: byName}}, top: -1},
		{query: "$filter=contacts/all(c: c/city eq 'Paris')", keep: func(a testAccount) bool {
			for _, c := range contactsOf(a.id) {
				if c.city != "Paris" {
					return false
				}
			}
			return true
		}, top: -1},
		{query: "$filter=contacts/any(c: c/city eq 'Paris')", keep: func(a testAccount) bool {
			for _, c := range contactsOf(a.id) {
				if c.city == "Paris" {
					return true
				}
			}
			return false
		}, top: -1},
		{query: "$filter=primary_contact/full_name eq 'Bob'", keep: func(a testAccount) bool { return a.contact == c2 }, top: -1},
		{query: "$count=true&$filter=city ne 'Paris'&$orderby=primary_contact/full_name desc", keep: notParis,
			keys: []sortKey{{get: contactName, desc: true}}, top: -1},
		{query: "$orderby=name&$top=5", keys: []sortKey{{get: byName}}, top: 5},
		{query: "$orderby=city&$top=3&$skip=2", keys: []sortKey{{get: byCity}}, skip: 2, top: 3},
		{query: "$orderby=name&$top=2", keys: []sortKey{{get: byName}}, top: 2},
		{query: "$orderby=name&$top=1", keys: []sortKey{{get: byName}}, top: 1},
		{query: "$top=0", top: 0},
		{query: "$filter=hour(created_at) eq 8 and year(created_at) eq 2024 and month(created_at) eq 1", top: -1},
		{query: "$filter=created_at gt 2024-01-02T08:00:00Z&$orderby=created_at", keys: []sortKey{{get: byCreated}},
			keep: func(a testAccount) bool { return a.created.After(day(2)) }, top: -1},
		{query: "$filter=startswith(name,'al')", keep: func(a testAccount) bool { return strings.EqualFold(a.name.(string)[:2], "al") }, top: -1},
		{query: "$filter=contains(name,'%25') or endswith(name,'_')", keep: func(testAccount) bool { return false }, top: -1},
		{query: "$filter=revenue ge 1000.5 and revenue lt 1000.5001", keep: func(a testAccount) bool { return a.revenue != nil && a.revenue.(decimal.Decimal).Equal(dec("1000.5")) }, top: -1},
		{query: "$filter=employees lt 10.0", keep: func(a testAccount) bool { return a.employees != nil && a.employees.(int64) < 10 }, top: -1},
		{query: "$filter=not (employees ge 10)", keep: func(a testAccount) bool { return a.employees == nil || a.employees.(int64) < 10 }, top: -1},
		{query: "$skip=7", skip: 7, top: -1},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			want := expectedIDs(c.keep, c.keys, c.skip, c.top)
			got := walkPages(t, s, m, c.query, len(want))
			if !slices.Equal(got, want) {
				t.Errorf("rows\n got %v\nwant %v", got, want)
			}
		})
	}
}

// walkPages reads every page of an account query with a page size of two and returns the ids
// in the order served. When the query asks for a count, every page must report wantCount.
func walkPages(t *testing.T, s *store.Store, m *metadata.Model, query string, wantCount int) []string {
	t.Helper()
	ctx := context.Background()
	e := m.Entity("account")
	var ids []string
	next := ""
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatalf("more than 20 pages: %v", ids)
		}
		q := query
		if next != "" {
			q = strings.TrimPrefix(q+"&$skiptoken="+next, "&")
		}
		o, err := ParseOptions(q)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := CompileList(m, s.D, e, o, testScope(false), 2)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows := runPlan(t, s, plan.SQL, plan.Args, plan.Columns)
		if plan.CountSQL != "" {
			var n int
			if err := s.DB(ctx).QueryRowContext(ctx, plan.CountSQL, plan.CountArgs...).Scan(&n); err != nil {
				t.Fatalf("%s\n-- args: %v\n%v", plan.CountSQL, plan.CountArgs, err)
			}
			if n != wantCount {
				t.Errorf("page %d: count %d, want %d", page, n, wantCount)
			}
		}
		// As the records service does.
		next = ""
		if len(rows) > plan.PageSize {
			rows = rows[:plan.PageSize]
			if len(rows) == 0 {
				t.Fatalf("%s: an empty page with a next link", q)
			}
			next = EncodePageToken(plan.KeysetValues(rows[len(rows)-1]), plan.Remaining)
		} else if plan.Remaining > 0 && len(rows) == plan.PageSize && len(rows) > 0 {
			next = EncodePageToken(plan.KeysetValues(rows[len(rows)-1]), plan.Remaining)
		}
		idCol := columnIndex(t, plan.Columns, "id")
		for _, r := range rows {
			ids = append(ids, r[idCol].(string))
		}
		if next == "" {
			return ids
		}
	}
}

// TestCompiledSQLRuns executes every golden case on the test database: the SQL must be valid
// there, with every argument bound, and its rows must decode.
func TestCompiledSQLRuns(t *testing.T) {
	s, m := openTestDB(t)
	for _, c := range compileCases {
		t.Run(c.name, func(t *testing.T) {
			stmts, err := compileStmts(m, s.D, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range stmts {
				if st.cols == nil { // the count
					var n int64
					ctx := context.Background()
					if err := s.DB(ctx).QueryRowContext(ctx, st.sql, st.args...).Scan(&n); err != nil {
						t.Fatalf("%s\n-- args: %v\n%v", st.sql, st.args, err)
					}
					continue
				}
				runPlan(t, s, st.sql, st.args, st.cols)
			}
		})
	}
}

// TestApplyResults checks aggregated values and offset paging of $apply on the test database.
func TestApplyResults(t *testing.T) {
	s, m := openTestDB(t)
	e := m.Entity("opportunity")
	run := func(q string, pageSize, skip int) [][]any {
		o, err := ParseOptions(q)
		if err != nil {
			t.Fatal(err)
		}
		p, err := CompileApply(m, s.D, e, o, testScope(false), pageSize, skip)
		if err != nil {
			t.Fatal(err)
		}
		return runPlan(t, s, p.SQL, p.Args, p.Columns)
	}
	rows := run("$apply=groupby((stage),aggregate(amount with sum as total,amount with max as top,$count as n,account_id with countdistinct as accounts))", 10, 0)
	got := fmt.Sprint(rows)
	want := "[[propose 100 100 1 1] [qualify 15.25 10.25 2 2]]"
	if got != want {
		t.Errorf("groupby stage: got %s, want %s", got, want)
	}
	rows = run("$apply=groupby((account_id/name),aggregate(amount with sum as total))&$orderby=account_id/name desc", 10, 0)
	if got, want := fmt.Sprint(rows), "[[Contoso 110.25] [Alpha 5]]"; got != want {
		t.Errorf("groupby account name: got %s, want %s", got, want)
	}
	// Offset paging by an aggregate on which every group ties must still serve each group once,
	// and no more groups than $top.
	all := []string{"[" + rid("a", 1) + " propose]", "[" + rid("a", 1) + " qualify]", "[" + rid("a", 3) + " qualify]"}
	for _, c := range []struct {
		query string
		want  int // number of groups served
	}{
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$orderby=n desc", 3},
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$orderby=n desc&$top=2", 2},
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$orderby=n&$top=1", 1},
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$orderby=n&$skip=1", 2},
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$orderby=n&$skip=1&$top=1", 1},
		{"$apply=groupby((account_id,stage),aggregate($count as n))&$top=0", 0},
	} {
		got := walkApplyPages(t, s, m, e, c.query)
		if len(got) != c.want {
			t.Errorf("%s: served %d groups %v, want %d", c.query, len(got), got, c.want)
		}
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g] || !slices.Contains(all, g) {
				t.Errorf("%s: group %s served twice or unknown: %v", c.query, g, got)
			}
			seen[g] = true
		}
	}
}

// walkApplyPages reads every page of an $apply query with a page size of one, following the
// offset token the way the records service builds it, and returns the first two columns of
// each row served.
func walkApplyPages(t *testing.T, s *store.Store, m *metadata.Model, e *metadata.Entity, query string) []string {
	t.Helper()
	o, err := ParseOptions(query)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	skip := 0
	for page := 0; page < 20; page++ {
		p, err := CompileApply(m, s.D, e, o, testScope(false), 1, skip)
		if err != nil {
			t.Fatal(err)
		}
		rows := runPlan(t, s, p.SQL, p.Args, p.Columns)
		next := -1
		if len(rows) > p.PageSize {
			rows = rows[:p.PageSize]
			start := skip
			if start == 0 && o.Skip != nil {
				start = *o.Skip
			}
			next = start + p.PageSize
		}
		for _, r := range rows {
			out = append(out, fmt.Sprint(r[:2]))
		}
		if next < 0 {
			return out
		}
		skip = next
	}
	t.Fatalf("%s: more than 20 pages: %v", query, out)
	return nil
}
