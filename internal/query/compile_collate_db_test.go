package query

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// zhAccounts are account names for the pinyin tests: Chinese, Latin in two cases, digits, an
// empty name, no name, and repeated names whose order only the id tie-breaker decides.
var zhAccounts = []any{
	"张三贸易", "阿里山茶业", "北京东方", "成都天府", "银行家俱乐部", "Apple Inc", "apple inc", "Zeta Ltd",
	"123 Trading", "", nil, "北京东方", "阿里山茶业", "Ärger GmbH", "成都天府", nil, "长城", "Beta",
}

// openZhDB opens a fresh database holding zhAccounts (ids a…1 to a…18) in testTenant and one
// Chinese name in otherTenant.
func openZhDB(t *testing.T) (*store.Store, *metadata.Model) {
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
	acc := m.Entity("account")
	// Inserted in reverse id order, so that the physical order is not the answer.
	for i := len(zhAccounts) - 1; i >= 0; i-- {
		insertRow(t, s, acc, testTenant, map[string]any{"id": rid("a", i+1), "name": zhAccounts[i],
			"employees": int64(i % 3), "created_at": day(1), "modified_at": day(1)})
	}
	insertRow(t, s, acc, otherTenant, map[string]any{"id": rid("a", 1), "name": "阿", "created_at": day(1), "modified_at": day(1)})
	return s, m
}

// zhPages reads every page of an account query in scope sc with the given page size and returns
// the names and ids in the order served.
func zhPages(t *testing.T, s *store.Store, m *metadata.Model, sc Scope, query string, size int) (names []any, ids []string) {
	t.Helper()
	e := m.Entity("account")
	next := ""
	for page := 0; ; page++ {
		if page > 40 {
			t.Fatalf("more than 40 pages: %v", ids)
		}
		q := query
		if next != "" {
			q += "&$skiptoken=" + next
		}
		o, err := ParseOptions(q)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := CompileList(m, s.D, e, o, sc, size)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows := runPlan(t, s, plan.SQL, plan.Args, plan.Columns)
		next = ""
		if len(rows) > plan.PageSize {
			rows = rows[:plan.PageSize]
			next = EncodePageToken(plan.KeysetValues(rows[len(rows)-1]), plan.Remaining)
		}
		nameCol, idCol := columnIndex(t, plan.Columns, "name"), columnIndex(t, plan.Columns, "id")
		for _, r := range rows {
			names = append(names, r[nameCol])
			ids = append(ids, r[idCol].(string))
		}
		if next == "" {
			return names, ids
		}
	}
}

// TestPinyinOrder checks the order a Chinese reader gets on this database: Chinese names by
// pinyin, nulls first, then the empty name, digits before letters, repeated names by id — and
// that paging through it with keyset tokens of every page size serves exactly that order.
func TestPinyinOrder(t *testing.T) {
	s, m := openZhDB(t)
	zh := testScope(false)
	zh.Collation = store.CollationPinyin

	for _, dir := range []string{"", " desc"} {
		t.Run("name"+dir, func(t *testing.T) {
			query := "$select=name&$orderby=name" + dir
			names, ids := zhPages(t, s, m, zh, query, 100)
			if len(ids) != len(zhAccounts) {
				t.Fatalf("%d rows, want %d (the other tenant's row must not show)", len(ids), len(zhAccounts))
			}
			if dir != "" {
				slices.Reverse(names)
			}
			checkPinyin(t, s.D, names)
			for size := 1; size <= 5; size++ {
				_, paged := zhPages(t, s, m, zh, query, size)
				if !slices.Equal(paged, ids) {
					t.Errorf("page size %d:\n got %v\nwant %v", size, paged, ids)
				}
			}
		})
	}

	t.Run("ties by id", func(t *testing.T) {
		_, ids := zhPages(t, s, m, zh, "$orderby=name", 3)
		pos := func(id string) int { return slices.Index(ids, id) }
		// 阿里山茶业 is a2 and a13, 北京东方 a3 and a12, 成都天府 a4 and a15, nulls a11 and a16.
		for _, p := range [][2]int{{2, 13}, {3, 12}, {4, 15}, {11, 16}} {
			if pos(rid("a", p[0])) > pos(rid("a", p[1])) {
				t.Errorf("%s served after %s: equal names must come in id order", rid("a", p[0]), rid("a", p[1]))
			}
		}
	})

	t.Run("second key and descending", func(t *testing.T) {
		// A second key after the collated one exercises the general keyset (not the row value).
		query := "$orderby=name desc,employees desc"
		_, all := zhPages(t, s, m, zh, query, 100)
		for size := 1; size <= 4; size++ {
			_, paged := zhPages(t, s, m, zh, query, size)
			if !slices.Equal(paged, all) {
				t.Errorf("page size %d:\n got %v\nwant %v", size, paged, all)
			}
		}
	})

	t.Run("default order unchanged", func(t *testing.T) {
		// Without the collation the names come in code point order: Latin before every Chinese
		// name, 北 (U+5317) before 张 (U+5F20) before 阿 (U+963F).
		names, _ := zhPages(t, s, m, testScope(false), "$orderby=name", 4)
		got := chineseOnly(names)
		want := []string{"北京东方", "北京东方", "张三贸易", "成都天府", "成都天府", "银行家俱乐部", "长城", "阿里山茶业", "阿里山茶业"}
		if !slices.Equal(got, want) {
			t.Errorf("default order of Chinese names\n got %v\nwant %v", got, want)
		}
	})
}

// checkPinyin asserts the pinyin order of names (ascending), as both databases give it.
func checkPinyin(t *testing.T, d store.Dialect, names []any) {
	t.Helper()
	if names[0] != nil || names[1] != nil || names[2] != "" || names[3] != "123 Trading" {
		t.Errorf("want two nulls, the empty name, then 123 Trading first; got %v", names[:4])
	}
	wantZh := []string{"阿里山茶业", "阿里山茶业", "北京东方", "北京东方", "成都天府", "成都天府", "银行家俱乐部", "张三贸易", "长城"}
	if got := chineseOnly(names); !slices.Equal(got, wantZh) {
		t.Errorf("Chinese names\n got %v\nwant %v", got, wantZh)
	}
	var latin []string
	for _, n := range names {
		if s, ok := n.(string); ok && s != "" && s[0] < 0x80 && s[0] > '9' || ok && strings.HasPrefix(s, "Ä") {
			latin = append(latin, s)
		}
	}
	// Case and accents are secondary: Apple and apple sit together, Ärger among the A names.
	wantLatin := []string{"apple inc", "Apple Inc", "Ärger GmbH", "Beta", "Zeta Ltd"}
	if !slices.Equal(latin, wantLatin) {
		t.Errorf("Latin names\n got %v\nwant %v", latin, wantLatin)
	}
	// Where the Latin names sit relative to the Chinese ones follows each database's CLDR
	// data: ICU (PostgreSQL) puts Han first, Go's x/text (SQLite) puts Latin first.
	firstHan, firstLatin := slices.Index(names, any("阿里山茶业")), slices.Index(names, any("apple inc"))
	if hanFirst := firstHan < firstLatin; hanFirst != (d.Name() == "postgres") {
		t.Errorf("%s: Han before Latin = %v; names %v", d.Name(), hanFirst, names)
	}
	if d.Name() == "sqlite" {
		// SQLite uses store.ComparePinyin itself: the served order is exactly its order.
		strs := make([]string, 0, len(names))
		for _, n := range names[2:] {
			strs = append(strs, n.(string))
		}
		if !slices.IsSortedFunc(strs, store.ComparePinyin) {
			t.Errorf("not sorted by store.ComparePinyin: %v", strs)
		}
	}
}

// chineseOnly returns the names that start with a Han character, in the order given.
func chineseOnly(names []any) []string {
	var out []string
	for _, n := range names {
		if s, ok := n.(string); ok && s != "" && []rune(s)[0] >= 0x4E00 && []rune(s)[0] <= 0x9FFF {
			out = append(out, s)
		}
	}
	return out
}
