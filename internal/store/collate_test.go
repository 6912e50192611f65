package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func TestComparePinyin(t *testing.T) {
	names := []string{"张三贸易", "长城", "北京东方", "阿里山茶业", "成都天府", "Beta", "apple", "Apple", "", "9 Lives", "北京东方"}
	slices.SortFunc(names, store.ComparePinyin)
	want := []string{"", "9 Lives", "apple", "Apple", "Beta", "阿里山茶业", "北京东方", "北京东方", "成都天府", "张三贸易", "长城"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted\n got %v\nwant %v", names, want)
	}
	// Equal only when identical: variants the collator ties (full-width letters) are ordered by
	// their bytes, in a consistent direction.
	if store.ComparePinyin("ａ", "a") == 0 || store.ComparePinyin("ａ", "a") != -store.ComparePinyin("a", "ａ") {
		t.Error("collator ties must be broken by bytes, antisymmetrically")
	}
	if store.ComparePinyin("北京", "北京") != 0 {
		t.Error("identical strings must compare equal")
	}
}

// TestPinyinIndexes: PostgreSQL gets a pinyin index on each string primary name; SQLite none
// that names the collation, so that the file opens in tools that do not register it.
func TestPinyinIndexes(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncSystem(ctx, sys, ""); err != nil {
		t.Fatal(err)
	}
	if !s.HasCollation(store.CollationPinyin) {
		t.Fatal("the test databases have the pinyin collation (PostgreSQL with ICU)")
	}
	var q string
	if s.D.Name() == "postgres" {
		// The schema's own indexes are picked first (materialized), so that pg_get_indexdef never
		// runs on an index of another test's schema being dropped at the same time ("could not
		// open relation with OID"), as filtering the pg_indexes view may do.
		q = `WITH mine AS MATERIALIZED (
			SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind = 'i')
		SELECT def FROM (SELECT pg_get_indexdef(oid) AS def FROM mine) d WHERE def LIKE '%zh-Hans-x-icu%'`
	} else {
		q = `SELECT sql FROM sqlite_master WHERE sql LIKE '%pinyin%'`
	}
	rows, err := s.DB(ctx).QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var defs []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	if s.D.Name() == "sqlite" {
		if len(defs) != 0 {
			t.Errorf("SQLite schema uses the pinyin collation: %v", defs)
		}
		return
	}
	found := false
	for _, d := range defs {
		if strings.Contains(d, "ix_account_name_zh") && strings.Contains(d, `(tenant_id, name COLLATE "zh-Hans-x-icu" NULLS FIRST, id)`) {
			found = true
		}
	}
	if !found || len(defs) < 10 {
		t.Errorf("pinyin indexes: %v", defs)
	}
}
