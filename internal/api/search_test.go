package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// searchHits runs GET search?… and returns the hits.
func searchHits(c *client, q string, extra ...string) []map[string]any {
	c.t.Helper()
	path := "search?q=" + url.QueryEscape(q)
	for _, e := range extra {
		path += "&" + e
	}
	return c.get(path).want(http.StatusOK).values()
}

// titles lists the hits' titles in rank order.
func titles(hits []map[string]any) []string { return column(hits, "title") }

func hasTitle(hits []map[string]any, title string) bool {
	for _, h := range hits {
		if field(h, "title") == title {
			return true
		}
	}
	return false
}

// TestSearch drives the global search through HTTP: English and Chinese text, prefix matching,
// ranking, updates and deletes reflected, entity filters and errors.
func TestSearch(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	zh := admin.create("accounts", map[string]any{"name": "上海华东贸易有限公司", "city": "上海"})
	acme := admin.create("accounts", map[string]any{"name": "Acme Widgets", "description": "A Shanghai-based maker of industrial widgets."})
	admin.create("accounts", map[string]any{"name": "北京创新科技有限公司", "city": "北京"})
	nw := admin.create("accounts", map[string]any{"name": "Northwind Traders"})
	harbor := admin.create("accounts", map[string]any{"name": "Harbor Logistics"})
	admin.create("accounts", map[string]any{"name": "Blue Ocean Shipping", "description": "Ships containers through the harbor of Ningbo every week."})
	admin.create("contacts", map[string]any{"first_name": "Wei", "last_name": "Li", "email": "li.wei@harbor-logistics.example", "job_title": "Buyer"})
	kb := admin.create("knowledge_articles", map[string]any{"title": "网关固件升级", "content": "升级失败时网关会自动回滚到上一版本。"})

	t.Run("chinese", func(t *testing.T) {
		c := admin.in(t)
		hits := searchHits(c, "上海")
		if len(hits) == 0 || field(hits[0], "id") != zh || field(hits[0], "entity") != "account" || field(hits[0], "set") != "accounts" {
			t.Fatalf("上海: %v", hits)
		}
		if hasTitle(hits, "北京创新科技有限公司") {
			t.Fatalf("上海 found 北京: %v", titles(hits))
		}
		// One character, and a bigram deep inside the body of an article.
		if hits := searchHits(c, "华"); len(hits) != 1 || field(hits[0], "id") != zh {
			t.Fatalf("华: %v", titles(hits))
		}
		hits = searchHits(c, "回滚")
		if len(hits) != 1 || field(hits[0], "id") != kb || !strings.Contains(field(hits[0], "snippet"), "回滚") {
			t.Fatalf("回滚: %v", hits)
		}
		if hits := searchHits(c, "有限公司"); len(hits) != 2 {
			t.Fatalf("有限公司: %v", titles(hits))
		}
	})
	t.Run("english", func(t *testing.T) {
		c := admin.in(t)
		hits := searchHits(c, "Shanghai")
		if len(hits) != 1 || field(hits[0], "id") != acme || !strings.Contains(field(hits[0], "snippet"), "Shanghai-based") {
			t.Fatalf("Shanghai: %v", hits)
		}
		// The last word matches as a prefix while typing; a finished word does not.
		if hits := searchHits(c, "acme widg"); len(hits) != 1 || field(hits[0], "id") != acme {
			t.Fatalf("acme widg: %v", titles(hits))
		}
		if hits := searchHits(c, "widg "); len(hits) != 0 {
			t.Fatalf("'widg ' matched as a prefix: %v", titles(hits))
		}
		if hits := searchHits(c, "li.wei@harbor"); len(hits) != 1 || field(hits[0], "entity") != "contact" {
			t.Fatalf("e-mail: %v", hits)
		}
	})
	t.Run("ranking", func(t *testing.T) {
		hits := searchHits(admin.in(t), "harbor")
		// A title match ranks above body matches; scores decrease.
		if len(hits) != 3 || field(hits[0], "id") != harbor {
			t.Fatalf("harbor: %v", titles(hits))
		}
		for i := 1; i < len(hits); i++ {
			if num(t, hits[i]["score"]) > num(t, hits[i-1]["score"]) {
				t.Fatalf("scores not descending: %v", hits)
			}
		}
		if hits := searchHits(admin.in(t), "harbor", "entities=contacts"); len(hits) != 1 || field(hits[0], "entity") != "contact" {
			t.Fatalf("entities=contacts: %v", hits)
		}
		// The entity's name, or its set name without underscores, name it too.
		for _, alias := range []string{"contact", "Contacts", "contacts,knowledgearticles"} {
			if hits := searchHits(admin.in(t), "harbor", "entities="+alias); len(hits) != 1 || field(hits[0], "entity") != "contact" {
				t.Fatalf("entities=%s: %v", alias, hits)
			}
		}
		if hits := searchHits(admin.in(t), "harbor", "top=1"); len(hits) != 1 {
			t.Fatalf("top=1: %v", hits)
		}
		// No record holds every word of a question: the ones holding some come back, marked.
		strict := admin.get("search?q=harbor").want(http.StatusOK)
		if strict.at("match") != nil {
			t.Fatalf("a search every hit of which holds the words is marked: %s", strict.raw)
		}
		loose := admin.get("search?q=" + url.QueryEscape("where is the harbor zebra")).want(http.StatusOK)
		if got := loose.values(); len(got) != 3 || field(got[0], "id") != harbor || loose.str("match") != "any" {
			t.Fatalf("any-word fallback: %s", loose.raw)
		}
		if single := admin.get("search?q=zebra").want(http.StatusOK); len(single.values()) != 0 || single.at("match") != nil {
			t.Fatalf("one word that matches nothing: %s", single.raw)
		}
	})
	t.Run("changes", func(t *testing.T) {
		c := admin.in(t)
		c.patch("accounts("+nw+")", map[string]any{"name": "Contoso Pharmaceuticals"}).want(http.StatusOK, http.StatusNoContent)
		if hits := searchHits(c, "northwind"); len(hits) != 0 {
			t.Fatalf("old name still found: %v", titles(hits))
		}
		if hits := searchHits(c, "contoso"); len(hits) != 1 || field(hits[0], "title") != "Contoso Pharmaceuticals" {
			t.Fatalf("new name: %v", titles(hits))
		}
		c.delete("accounts(" + acme + ")").want(http.StatusNoContent)
		if hits := searchHits(c, "shanghai"); len(hits) != 0 {
			t.Fatalf("deleted record found: %v", titles(hits))
		}
	})
	t.Run("errors", func(t *testing.T) {
		c := admin.in(t)
		c.get("search?q=").wantError(http.StatusBadRequest, "invalid_query", "q")
		c.get("search?q=%20%20").wantError(http.StatusBadRequest, "invalid_query", "q")
		c.get("search?q=x&entities=accounts,dragons").wantError(http.StatusBadRequest, "unknown_entity_set", "entities")
		c.get("search?q=x&top=0").wantError(http.StatusBadRequest, "invalid_top", "top")
		c.get("search?q=x&top=1000").wantError(http.StatusBadRequest, "invalid_top", "top")
		s.anon().get("search?q=x").want(http.StatusUnauthorized)
		if hits := searchHits(c, "!!"); len(hits) != 0 {
			t.Fatalf("punctuation: %v", hits)
		}
	})
}

// TestSearchIsPermissionScoped: a search returns only what the caller may read.
func TestSearchIsPermissionScoped(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	admin.post("security/roles", map[string]any{"name": "Sales rep", "privileges": []map[string]any{
		{"entity": "account", "privilege": "create", "depth": "user"},
		{"entity": "account", "privilege": "read", "depth": "user"},
		{"entity": "contact", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	admin.post("security/roles", map[string]any{"name": "Contacts only", "privileges": []map[string]any{
		{"entity": "contact", "privilege": "read", "depth": "organization"},
	}}).want(http.StatusCreated)
	alice, _ := s.userClient("alice@example.com", "Sales rep")
	bob, _ := s.userClient("bob@example.com", "Sales rep")
	carol, _ := s.userClient("carol@example.com", "Contacts only")
	mine := alice.create("accounts", map[string]any{"name": "Pelican Alpha 鹈鹕"})
	bobs := bob.create("accounts", map[string]any{"name": "Pelican Beta 鹈鹕"})
	admin.create("contacts", map[string]any{"last_name": "Pelican", "first_name": "Pat"})
	if hits := searchHits(admin, "pelican"); len(hits) != 3 {
		t.Fatalf("admin: %v", titles(hits))
	}
	hits := searchHits(alice, "pelican")
	if len(hits) != 2 || hasTitle(hits, "Pelican Beta 鹈鹕") || !hasTitle(hits, "Pelican Alpha 鹈鹕") {
		t.Fatalf("alice sees %v", titles(hits))
	}
	if hits := searchHits(bob, "鹈鹕"); len(hits) != 1 || field(hits[0], "id") != bobs {
		t.Fatalf("bob sees %v", titles(hits))
	}
	// No read privilege on accounts: no accounts at all, contacts still.
	hits = searchHits(carol, "pelican")
	if len(hits) != 1 || field(hits[0], "entity") != "contact" {
		t.Fatalf("carol sees %v", hits)
	}
	carol.get("search?q=pelican&entities=accounts").wantError(http.StatusForbidden, "access_denied", "-")
	_ = mine

	// A secured field leaves the index: its text neither matches nor shows, even to an
	// administrator (field security is decided per caller; the index is shared).
	admin.patch("accounts("+mine+")", map[string]any{"account_number": "ZX-SECRET-77"}).want(http.StatusOK, http.StatusNoContent)
	if hits := searchHits(admin, "zx secret"); len(hits) != 1 {
		t.Fatalf("before securing: %v", hits)
	}
	admin.patch("metadata/entities/account/attributes/account_number", map[string]any{"secured": true}).want(http.StatusOK)
	if hits := searchHits(admin, "zx secret"); len(hits) != 0 {
		t.Fatalf("secured text still searchable: %v", hits)
	}
	if hits := searchHits(alice, "pelican"); len(hits) != 2 {
		t.Fatalf("after reindex alice sees %v", titles(hits))
	}
}

// num reads a JSON number.
func num(t *testing.T, v any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(asString(v), 64)
	if err != nil {
		t.Fatalf("%v is not a number", v)
	}
	return f
}
