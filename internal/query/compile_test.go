package query

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files of the SQL the compiler emits")

const (
	testTenant = "00000000-0000-0000-0000-000000000001"
	goldenDir  = "testdata/golden"
	// Ids used in tokens and expand keys of the golden cases.
	idA = "00000000-0000-0000-0000-00000000000a"
	idB = "00000000-0000-0000-0000-00000000000b"
	idC = "00000000-0000-0000-0000-00000000000c"
)

var testNow = time.Date(2024, 6, 15, 12, 30, 45, 0, time.UTC)

// testScope is the scope of every golden case: a fixed tenant and clock, and, with restrict, a
// visibility predicate on owner_id so that the golden files show where it lands.
func testScope(restrict bool) Scope {
	sc := Scope{TenantID: testTenant, Now: func() time.Time { return testNow }}
	if restrict {
		sc.Restrict = func(e *metadata.Entity, alias string, args *store.Args) (string, error) {
			return alias + `."owner_id" = ` + args.Add(idC), nil
		}
	}
	return sc
}

// testModel is the model of the system entities, as shipped.
func testModel(t testing.TB) *metadata.Model {
	t.Helper()
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	return metadata.NewModel(sys.Entities, sys.Relationships)
}

// pageTok builds a $skiptoken for the given keyset values (the plan's order keys, id last).
func pageTok(remaining int, keys ...any) string {
	return EncodePageToken(keys, remaining)
}

// compileCase is one query whose compiled SQL is kept in a golden file per dialect.
type compileCase struct {
	name     string
	entity   string
	query    string // raw query string, as ParseOptions takes it
	pageSize int
	// keys, for $expand cases, are the parents' link values given to CompileExpand.
	keys []string
	// applySkip, for $apply cases, is the offset a page token carries.
	applySkip int
	restrict  bool
	// collation, for the cases of a Chinese reader, is the scope's collation.
	collation store.Collation
}

var compileCases = []compileCase{
	{name: "list_plain", entity: "account", pageSize: 50},
	{name: "select_money", entity: "account", query: "$select=name,revenue,employees", pageSize: 50},
	{name: "select_star", entity: "contact", query: "$select=*", pageSize: 20},
	{name: "filter_compare", entity: "account", query: "$filter=name eq 'Contoso' and employees gt 10 and employees lt 500 and revenue ne 1000.5 and revenue ge 0", pageSize: 50},
	{name: "filter_literal_left", entity: "account", query: "$filter=100 lt employees", pageSize: 50},
	{name: "filter_or_not_parens", entity: "account", query: "$filter=(city eq 'Paris' or city eq 'Berlin') and not (industry eq 'retail' or employees le 5)", pageSize: 50},
	{name: "filter_string_functions", entity: "account", query: "$filter=contains(name,'50%25 _off') or startswith(name,'a_b') or endswith(email,'%5C.cn') or contains(tolower(city),'o''brien')", pageSize: 50},
	{name: "filter_in", entity: "account", query: "$filter=industry in ('technology','finance') and employees in (1,2,3)", pageSize: 50},
	{name: "filter_null", entity: "account", query: "$filter=city eq null or primary_contact_id ne null or null ne region", pageSize: 50},
	{name: "filter_date", entity: "opportunity", query: "$filter=close_date ge 2024-01-01 and close_date lt 2025-01-01 and year(close_date) eq 2024", pageSize: 50},
	{name: "filter_datetime", entity: "account", query: "$filter=created_at gt 2024-05-01T09:30:00%2B08:00 and modified_at le 2024-06-01T00:00:00.123456Z and created_at ge 2024-01-01 and created_at lt now() and hour(modified_at) eq 9", pageSize: 50},
	{name: "filter_choice", entity: "opportunity", query: "$filter=stage eq 'propose' and status ne 'lost'", pageSize: 50},
	{name: "filter_boolean", entity: "contact", query: "$filter=do_not_email or not do_not_email eq false", pageSize: 50},
	{name: "filter_guid", entity: "contact", query: "$filter=account_id eq " + idA + " or id in ('" + idB + "')", pageSize: 50},
	{name: "filter_arithmetic", entity: "account", query: "$filter=employees add 5 gt 10 and -employees lt 0 and employees mod 2 eq 1", pageSize: 50},
	{name: "filter_length_trim", entity: "contact", query: "$filter=length(trim(full_name)) gt 3 and toupper(city) eq 'PARIS'", pageSize: 50},
	{name: "filter_lookup_attr_path", entity: "account", query: "$filter=primary_contact_id/full_name eq 'Ann Lee'", pageSize: 50},
	{name: "filter_lookup_nav_path", entity: "account", query: "$filter=primary_contact/full_name eq 'Ann Lee' and primary_contact_id/city eq 'Paris' or parent_account/name eq 'Root'", pageSize: 50},
	{name: "filter_any_one_to_many", entity: "account", query: "$filter=contacts/any(c: c/email eq 'x@example.com')", pageSize: 50},
	{name: "filter_all_one_to_many", entity: "account", query: "$filter=contacts/all(c: c/city eq 'Paris')", pageSize: 50},
	{name: "filter_any_empty", entity: "account", query: "$filter=not child_accounts/any()", pageSize: 50},
	{name: "filter_any_nested", entity: "account", query: "$filter=contacts/any(c: c/opportunities/any(o: o/amount gt 1000 and o/status eq 'won'))", pageSize: 50},
	{name: "filter_any_many_to_many", entity: "marketing_list", query: "$filter=member_contacts/any(m: m/city eq 'Paris')", pageSize: 50},
	{name: "filter_any_many_to_many_reverse", entity: "contact", query: "$filter=marketing_lists/all(l: l/is_dynamic eq false)", pageSize: 50},
	{name: "orderby_keys", entity: "account", query: "$orderby=city,revenue desc,name", pageSize: 50},
	{name: "orderby_nav", entity: "account", query: "$select=name&$orderby=primary_contact/full_name desc,name", pageSize: 50},
	{name: "orderby_id_desc", entity: "account", query: "$orderby=id desc,name", pageSize: 50},
	{name: "orderby_system", entity: "account", query: "$orderby=created_at desc", pageSize: 50},
	{name: "top_skip", entity: "account", query: "$top=5&$skip=10", pageSize: 50},
	{name: "top_over_page", entity: "account", query: "$top=30&$skip=2", pageSize: 10},
	{name: "top_zero", entity: "account", query: "$top=0", pageSize: 10},
	{name: "count", entity: "account", query: "$filter=primary_contact/city eq 'Paris'&$orderby=parent_account/name&$count=true", pageSize: 50},
	{name: "skiptoken_default", entity: "account", query: "$skiptoken=" + pageTok(0, idA), pageSize: 2},
	{name: "skiptoken_asc", entity: "account", query: "$orderby=name&$skiptoken=" + pageTok(0, "Contoso", idA), pageSize: 2},
	{name: "skiptoken_desc", entity: "account", query: "$orderby=revenue desc,name&$skiptoken=" + pageTok(0, "1000.5000", "Contoso", idA), pageSize: 2},
	{name: "skiptoken_desc_null", entity: "account", query: "$orderby=revenue desc,name&$skiptoken=" + pageTok(0, nil, nil, idA), pageSize: 2},
	{name: "skiptoken_null_asc", entity: "account", query: "$orderby=city&$skiptoken=" + pageTok(0, nil, idA), pageSize: 2},
	{name: "skiptoken_null_desc", entity: "account", query: "$orderby=city desc&$skiptoken=" + pageTok(0, nil, idA), pageSize: 2},
	{name: "skiptoken_id_desc", entity: "account", query: "$orderby=id desc&$skiptoken=" + pageTok(0, idA), pageSize: 2},
	{name: "skiptoken_datetime", entity: "account", query: "$orderby=created_at desc&$skiptoken=" + pageTok(0, "2024-05-01T09:30:00.5Z", idA), pageSize: 2},
	{name: "skiptoken_nav_count", entity: "account", query: "$orderby=primary_contact/full_name&$count=true&$filter=city ne 'Paris'&$skiptoken=" + pageTok(0, "Ann Lee", idA), pageSize: 2},
	{name: "skiptoken_top", entity: "account", query: "$top=5&$orderby=employees&$skiptoken=" + pageTok(3, 10, idA), pageSize: 2},
	{name: "apply_groupby_aggregates", entity: "opportunity", query: "$apply=groupby((stage),aggregate(amount with sum as total,amount with average as mean,probability with min as lo,probability with max as hi,account_id with countdistinct as accounts,$count as n))", pageSize: 50},
	{name: "apply_filter_groupby", entity: "opportunity", query: "$apply=filter(status eq 'open' and amount gt 0)/groupby((status,stage),aggregate($count as n))&$orderby=n desc&$top=5&$skip=5", pageSize: 50},
	{name: "apply_groupby_nav", entity: "opportunity", query: "$apply=groupby((account_id/industry),aggregate(amount with sum as total))&$orderby=account_id/industry desc", pageSize: 50},
	{name: "apply_page_token", entity: "opportunity", query: "$apply=groupby((stage),aggregate($count as n))&$orderby=n desc&$skip=1&$top=5", pageSize: 2, applySkip: 3},
	{name: "apply_min_max", entity: "opportunity", query: "$apply=aggregate(close_date with min as first,close_date with max as last,stage with max as stage,created_at with max as newest,amount with min as least)", pageSize: 50},
	{name: "apply_groupby_only", entity: "account", query: "$apply=groupby((industry,city))", pageSize: 50},
	{name: "apply_aggregate", entity: "account", query: "$apply=filter(contacts/any(c: c/city eq 'Paris'))/aggregate(revenue with sum as total,employees with average as mean,$count as n)", pageSize: 50},
	{name: "expand_many_to_one", entity: "account", query: "$select=name&$expand=primary_contact($select=full_name,email),parent_account", pageSize: 50, keys: []string{idA, idB}},
	{name: "expand_one_to_many", entity: "account", query: "$expand=contacts($filter=city eq 'Paris';$orderby=full_name desc,account/name;$top=3;$skip=1;$select=full_name)", pageSize: 50, keys: []string{idA, idB}},
	{name: "expand_one_to_many_money", entity: "account", query: "$expand=opportunities($select=amount;$orderby=amount desc)", pageSize: 50, keys: []string{idA}},
	{name: "expand_many_to_many", entity: "contact", query: "$expand=marketing_lists($orderby=name;$top=2)", pageSize: 50, keys: []string{idA, idB, idC}},
	{name: "restrict", entity: "account", query: "$filter=primary_contact/city eq 'Paris' and contacts/any(c: c/city eq 'Paris') and not child_accounts/any()&$orderby=parent_account/name&$count=true", pageSize: 50, restrict: true},
	{name: "restrict_expand", entity: "account", query: "$expand=primary_contact,contacts", pageSize: 50, keys: []string{idA}, restrict: true},
	// A Chinese reader: string-like keys in pinyin order, other types (integer, money, choice,
	// datetime) and the id tie-breaker as before; the keyset compares in the same collation.
	{name: "zh_orderby_keys", entity: "account", query: "$orderby=city,revenue desc,name,email&$count=true", pageSize: 50, collation: store.CollationPinyin},
	{name: "zh_orderby_nav", entity: "account", query: "$select=name&$orderby=primary_contact/full_name desc,name", pageSize: 50, collation: store.CollationPinyin},
	{name: "zh_orderby_untouched", entity: "opportunity", query: "$orderby=stage,amount desc,created_at", pageSize: 50, collation: store.CollationPinyin},
	{name: "zh_skiptoken_asc", entity: "account", query: "$orderby=name&$skiptoken=" + pageTok(0, "张三贸易", idA), pageSize: 2, collation: store.CollationPinyin},
	{name: "zh_skiptoken_desc_null", entity: "account", query: "$orderby=name desc,employees&$skiptoken=" + pageTok(0, "北京东方", nil, idA), pageSize: 2, collation: store.CollationPinyin},
	{name: "zh_skiptoken_null_asc", entity: "account", query: "$orderby=city&$skiptoken=" + pageTok(0, nil, idA), pageSize: 2, collation: store.CollationPinyin},
	{name: "zh_expand", entity: "account", query: "$expand=contacts($orderby=full_name,created_at desc)", pageSize: 50, keys: []string{idA}, collation: store.CollationPinyin},
}

// stmt is one compiled statement with its arguments.
type stmt struct {
	label string
	sql   string
	args  []any
	cols  []Column // nil for a count
}

// compileStmts compiles a case the way the records service does: $apply through CompileApply,
// anything else through CompileList (plus its count), then each $expand item through
// CompileExpand with the case's keys.
func compileStmts(m *metadata.Model, d store.Dialect, c compileCase) ([]stmt, error) {
	e := m.Entity(c.entity)
	if e == nil {
		return nil, fmt.Errorf("no entity %s", c.entity)
	}
	o, err := ParseOptions(c.query)
	if err != nil {
		return nil, err
	}
	sc := testScope(c.restrict)
	sc.Collation = c.collation
	if len(o.Apply) > 0 {
		p, err := CompileApply(m, d, e, o, sc, c.pageSize, c.applySkip)
		if err != nil {
			return nil, err
		}
		return []stmt{{"apply", p.SQL, p.Args, p.Columns}}, nil
	}
	p, err := CompileList(m, d, e, o, sc, c.pageSize)
	if err != nil {
		return nil, err
	}
	out := []stmt{{"list", p.SQL, p.Args, p.Columns}}
	if p.CountSQL != "" {
		out = append(out, stmt{"count", p.CountSQL, p.CountArgs, nil})
	}
	for _, it := range o.Expand {
		ep, err := CompileExpand(m, d, e, it, c.keys, sc, 10)
		if err != nil {
			return nil, err
		}
		out = append(out, stmt{"expand " + it.Path.String(), ep.Plan.SQL, ep.Plan.Args, ep.Plan.Columns})
	}
	return out, nil
}

// goldenText renders the statements of a case: the SQL of each, then its arguments.
func goldenText(stmts []stmt) string {
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "-- %s\n%s\n", s.label, (&Plan{SQL: s.sql, Args: s.args}).String())
		b.WriteString("\n")
	}
	return b.String()
}

func TestCompileGolden(t *testing.T) {
	m := testModel(t)
	seen := map[string]bool{}
	for _, c := range compileCases {
		for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
			file := c.name + "." + d.Name() + ".sql"
			if seen[file] {
				t.Fatalf("case %s is listed twice", c.name)
			}
			seen[file] = true
			t.Run(c.name+"/"+d.Name(), func(t *testing.T) {
				stmts, err := compileStmts(m, d, c)
				if err != nil {
					t.Fatalf("%s: %v", c.query, err)
				}
				got := goldenText(stmts)
				checkPlaceholders(t, d, stmts)
				path := filepath.Join(goldenDir, file)
				if *update {
					if err := os.MkdirAll(goldenDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -run TestCompileGolden -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("SQL differs from %s (rerun with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
				}
			})
		}
	}
	// Golden files of cases that no longer exist are removed on -update, reported otherwise.
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.sql"))
	for _, f := range files {
		if seen[filepath.Base(f)] {
			continue
		}
		if *update {
			_ = os.Remove(f)
			continue
		}
		t.Errorf("stale golden file %s: no case produces it", f)
	}
}

// checkPlaceholders asserts that a statement uses exactly the placeholders 1..len(args): an
// argument without a placeholder makes PostgreSQL reject the statement, a placeholder without
// an argument makes both databases reject it.
func checkPlaceholders(t *testing.T, d store.Dialect, stmts []stmt) {
	t.Helper()
	for _, s := range stmts {
		used := placeholders(d, s.sql)
		var missing []int
		for n := 1; n <= len(s.args); n++ {
			if !used[n] {
				missing = append(missing, n)
			}
			delete(used, n)
		}
		if len(missing) > 0 {
			t.Errorf("%s: arguments %v are not used by the SQL", s.label, missing)
		}
		if len(used) > 0 {
			var extra []int
			for n := range used {
				extra = append(extra, n)
			}
			sort.Ints(extra)
			t.Errorf("%s: placeholders %v have no argument (%d args)", s.label, extra, len(s.args))
		}
	}
}

// placeholders returns the numbers of the placeholders in sql, outside string literals.
func placeholders(d store.Dialect, sql string) map[int]bool {
	mark := byte('?')
	if d.Name() == "postgres" {
		mark = '$'
	}
	used := map[int]bool{}
	inString := false
	for i := 0; i < len(sql); i++ {
		switch {
		case sql[i] == '\'':
			inString = !inString
		case !inString && sql[i] == mark:
			n, j := 0, i+1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				n = n*10 + int(sql[j]-'0')
				j++
			}
			if j > i+1 {
				used[n] = true
			}
			i = j - 1
		}
	}
	return used
}

// errorCase is a query the compiler must reject with a fault of code on target.
type errorCase struct {
	name   string
	entity string
	query  string
	opts   func() *Options // instead of query, for ASTs the parser never produces
	code   string
	target string
}

var compileErrorCases = []errorCase{
	{name: "filter unknown field", entity: "account", query: "$filter=nope eq 1", code: "unknown_field", target: "$filter"},
	{name: "filter unknown field behind navigation", entity: "account", query: "$filter=primary_contact/nope eq 'x'", code: "unknown_field", target: "$filter"},
	{name: "filter unknown navigation", entity: "account", query: "$filter=nope/name eq 'x'", code: "unknown_field", target: "$filter"},
	{name: "filter unknown field in lambda", entity: "account", query: "$filter=contacts/any(c: c/nope eq 'x')", code: "unknown_field", target: "$filter"},
	{name: "select unknown field", entity: "account", query: "$select=name,nope", code: "unknown_field", target: "$select"},
	{name: "orderby unknown field", entity: "account", query: "$orderby=nope desc", code: "unknown_field", target: "$orderby"},
	{name: "money compared with text", entity: "account", query: "$filter=revenue eq 'abc'", code: "invalid_filter", target: "$filter"},
	{name: "integer compared with fraction", entity: "account", query: "$filter=employees eq 1.5", code: "invalid_filter", target: "$filter"},
	{name: "integer compared with text", entity: "account", query: "$filter=employees eq '1'", code: "invalid_filter", target: "$filter"},
	{name: "money literal finer than its scale", entity: "account", query: "$filter=revenue ge 1.00001", code: "invalid_filter", target: "$filter"},
	{name: "money literal too large", entity: "account", query: "$filter=revenue gt 1e30", code: "invalid_filter", target: "$filter"},
	{name: "string compared with number", entity: "account", query: "$filter=name eq 5", code: "invalid_filter", target: "$filter"},
	{name: "date compared with datetime", entity: "opportunity", query: "$filter=close_date eq 2024-01-01T00:00:00Z", code: "invalid_filter", target: "$filter"},
	{name: "invalid guid", entity: "account", query: "$filter=id eq 'not-a-guid'", code: "invalid_filter", target: "$filter"},
	{name: "invalid choice value", entity: "account", query: "$filter=industry eq 'mining'", code: "invalid_filter", target: "$filter"},
	{name: "invalid choice value in list", entity: "account", query: "$filter=industry in ('retail','mining')", code: "invalid_filter", target: "$filter"},
	{name: "contains on a number", entity: "account", query: "$filter=contains(employees,'1')", code: "invalid_filter", target: "$filter"},
	{name: "contains with a property pattern", entity: "account", query: "$filter=contains(name,city)", code: "invalid_filter", target: "$filter"},
	{name: "ordering comparison of text", entity: "account", query: "$filter=description gt 'a'", code: "invalid_filter", target: "$filter"},
	{name: "null ordering comparison", entity: "account", query: "$filter=city gt null", code: "invalid_filter", target: "$filter"},
	{name: "two literals", entity: "account", query: "$filter=1 eq 1", code: "invalid_filter", target: "$filter"},
	{name: "unknown function", entity: "account", query: "$filter=soundex(name) eq 'x'", code: "invalid_filter", target: "$filter"},
	{name: "arithmetic on money", entity: "account", query: "$filter=revenue add 1 gt 2", code: "invalid_filter", target: "$filter"},
	{name: "not a condition", entity: "account", query: "$filter=name", code: "invalid_filter", target: "$filter"},
	{name: "incomparable properties", entity: "account", query: "$filter=name eq employees", code: "invalid_filter", target: "$filter"},
	{name: "collection without lambda", entity: "account", query: "$filter=contacts/full_name eq 'x'", code: "invalid_property", target: "$filter"},
	{name: "lambda over a lookup", entity: "account", query: "$filter=primary_contact/any(c: c/city eq 'x')", code: "invalid_filter", target: "$filter"},
	{name: "select navigation", entity: "account", query: "$select=primary_contact", code: "invalid_select", target: "$select"},
	{name: "select path", entity: "account", query: "$select=primary_contact/full_name", code: "invalid_select", target: "$select"},
	{name: "orderby text", entity: "account", query: "$orderby=description", code: "invalid_orderby", target: "$orderby"},
	{name: "orderby collection", entity: "account", query: "$orderby=contacts/full_name", code: "invalid_property", target: "$orderby"},
	{name: "skiptoken not base64", entity: "account", query: "$skiptoken=!!!", code: "invalid_skiptoken", target: "$skiptoken"},
	{name: "skiptoken not json", entity: "account", query: "$skiptoken=bm90IGpzb24", code: "invalid_skiptoken", target: "$skiptoken"},
	{name: "skiptoken of another ordering", entity: "account", query: "$orderby=name&$skiptoken=" + pageTok(0, idA), code: "invalid_skiptoken", target: "$skiptoken"},
	{name: "skiptoken with a wrong value type", entity: "account", query: "$orderby=revenue&$skiptoken=" + pageTok(0, "abc", idA), code: "invalid_skiptoken", target: "$skiptoken"},
	{name: "skiptoken with a bad id", entity: "account", query: "$skiptoken=" + pageTok(0, "x"), code: "invalid_skiptoken", target: "$skiptoken"},
	{name: "apply unknown method", entity: "account", opts: func() *Options {
		return &Options{Apply: []Transform{&GroupBy{Props: []Path{{Segments: []string{"industry"}}},
			Aggregate: []Aggregate{{Path: Path{Segments: []string{"revenue"}}, Method: "median", Alias: "m"}}}}}
	}, code: "invalid_apply", target: "$apply"},
	{name: "apply aggregate without alias", entity: "account", opts: func() *Options {
		return &Options{Apply: []Transform{&AggregateStep{Items: []Aggregate{{Path: Path{Segments: []string{"revenue"}}, Method: "sum"}}}}}
	}, code: "invalid_apply", target: "$apply"},
	{name: "apply sum of text", entity: "account", query: "$apply=aggregate(name with sum as s)", code: "invalid_apply", target: "$apply"},
	{name: "apply max of boolean", entity: "contact", query: "$apply=aggregate(do_not_email with max as m)", code: "invalid_apply", target: "$apply"},
	{name: "apply min of lookup", entity: "account", query: "$apply=aggregate(primary_contact_id with min as m)", code: "invalid_apply", target: "$apply"},
	{name: "apply group by text", entity: "account", query: "$apply=groupby((description))", code: "invalid_apply", target: "$apply"},
	{name: "apply alias twice", entity: "account", query: "$apply=groupby((industry),aggregate($count as industry))", code: "invalid_apply", target: "$apply"},
	{name: "apply unknown field", entity: "account", query: "$apply=groupby((nope))", code: "unknown_field", target: "$apply"},
	{name: "apply without grouping", entity: "account", query: "$apply=filter(city eq 'x')", code: "invalid_apply", target: "$apply"},
	{name: "apply step after grouping", entity: "account", query: "$apply=groupby((city))/filter(city eq 'x')", code: "invalid_apply", target: "$apply"},
	{name: "apply with filter", entity: "account", query: "$apply=groupby((city))&$filter=city eq 'x'", code: "invalid_apply", target: "$apply"},
	{name: "apply with select", entity: "account", query: "$apply=groupby((city))&$select=city", code: "invalid_apply", target: "$apply"},
	{name: "apply orderby unknown", entity: "account", query: "$apply=groupby((city))&$orderby=name", code: "invalid_orderby", target: "$orderby"},
	{name: "expand unknown navigation", entity: "account", query: "$expand=nope", code: "invalid_expand", target: "$expand"},
	{name: "expand filter on a lookup", entity: "account", query: "$expand=primary_contact($filter=city eq 'x')", code: "invalid_expand", target: "$expand/$filter"},
	{name: "expand nested", entity: "account", query: "$expand=contacts($expand=account)", code: "invalid_expand", target: "$expand"},
	{name: "expand select unknown", entity: "account", query: "$expand=contacts($select=nope)", code: "unknown_field", target: "$expand/$select"},
	{name: "expand filter unknown", entity: "account", query: "$expand=contacts($filter=nope eq 1)", code: "unknown_field", target: "$expand/$filter"},
	{name: "expand orderby unknown", entity: "account", query: "$expand=contacts($orderby=nope)", code: "unknown_field", target: "$expand/$orderby"},
}

func TestCompileErrors(t *testing.T) {
	m := testModel(t)
	for _, c := range compileErrorCases {
		t.Run(c.name, func(t *testing.T) {
			e := m.Entity(c.entity)
			var o *Options
			if c.opts != nil {
				o = c.opts()
			} else {
				var err error
				if o, err = ParseOptions(c.query); err != nil {
					t.Fatalf("parse %s: %v", c.query, err)
				}
			}
			err := compileAll(m, store.Postgres, e, o)
			if err == nil {
				t.Fatalf("%s compiled; want %s", c.query, c.code)
			}
			fe, ok := fault.As(err)
			if !ok {
				t.Fatalf("%s: %v is not a fault", c.query, err)
			}
			if fe.Kind != fault.Invalid || fe.Code != c.code || fe.Target != c.target {
				t.Errorf("%s: got %s %s on %q (%v); want invalid %s on %q", c.query, fe.Kind, fe.Code, fe.Target, fe, c.code, c.target)
			}
		})
	}
}

// compileAll compiles every part of o as the records service would and returns the first error.
func compileAll(m *metadata.Model, d store.Dialect, e *metadata.Entity, o *Options) error {
	sc := testScope(false)
	if len(o.Apply) > 0 {
		_, err := CompileApply(m, d, e, o, sc, 10, 0)
		return err
	}
	if _, err := CompileList(m, d, e, o, sc, 10); err != nil {
		return err
	}
	for _, it := range o.Expand {
		if _, err := CompileExpand(m, d, e, it, []string{idA}, sc, 10); err != nil {
			return err
		}
	}
	return nil
}
