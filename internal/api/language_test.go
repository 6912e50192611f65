package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestChineseSortOrder: a reader whose preferred language is simplified Chinese gets names in
// pinyin order, page after page; any other reader the default order; and the related records
// of a navigation path follow the same rule.
func TestChineseSortOrder(t *testing.T) {
	s := newServer(t)
	c := s.login()
	names := []string{"张三贸易", "阿里山茶业", "北京东方", "成都天府", "银行家俱乐部", "长城"}
	var parent string
	for i, n := range names {
		id := c.create("accounts", map[string]any{"name": n})
		if i == 0 {
			parent = id
		} else {
			c.patch("accounts("+id+")", map[string]any{"parent_account_id": parent}).want(http.StatusOK, http.StatusNoContent)
		}
	}
	pinyin := []string{"阿里山茶业", "北京东方", "成都天府", "银行家俱乐部", "张三贸易", "长城"}
	codePoint := slices.Clone(names)
	slices.Sort(codePoint) // the default order on both databases: 北 < 张 < 成 < 银 < 长 < 阿

	page2 := "odata.maxpagesize=2"
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"zh-CN,zh;q=0.9,en;q=0.8", pinyin},
		{"zh", pinyin},
		{"zh-Hans", pinyin},
		{"en-US,en;q=0.9,zh-CN;q=0.8", codePoint},
		{"zh-TW", codePoint},
		{"", codePoint},
		{"not a language;;", codePoint},
	} {
		t.Run("lang="+tc.lang, func(t *testing.T) {
			c := c.in(t)
			h := hdr("Prefer", page2)
			if tc.lang != "" {
				h = append(h, hdr("Accept-Language", tc.lang)...)
			}
			got := column(c.all("accounts?$orderby=name&$select=name", h...), "name")
			if !slices.Equal(got, tc.want) {
				t.Errorf("names\n got %v\nwant %v", got, tc.want)
			}
			r := c.get("accounts?$orderby=name&$select=name&$top=1", h...).want(http.StatusOK)
			if !slices.Contains(r.header.Values("Vary"), "Accept-Language") {
				t.Errorf("Vary = %v, want Accept-Language in it", r.header.Values("Vary"))
			}
		})
	}

	t.Run("navigation", func(t *testing.T) {
		c := c.in(t)
		h := hdr("Accept-Language", "zh-CN", "Prefer", page2)
		got := column(c.all("accounts("+parent+")/child_accounts?$orderby=name%20desc&$select=name", h...), "name")
		want := []string{"长城", "银行家俱乐部", "成都天府", "北京东方", "阿里山茶业"}
		if !slices.Equal(got, want) {
			t.Errorf("child accounts\n got %v\nwant %v", got, want)
		}
	})
}
