package api_test

import (
	"net/http"
	"testing"
)

// kbEditors creates a role with full rights on knowledge articles and two users holding it.
func kbEditors(s *server, admin *client) (alice, bob *client) {
	s.t.Helper()
	var privs []map[string]any
	for _, p := range []string{"create", "read", "write", "delete", "append", "append_to"} {
		privs = append(privs, map[string]any{"entity": "knowledge_article", "privilege": p, "depth": "organization"})
	}
	admin.post("security/roles", map[string]any{"name": "KB editor", "privileges": privs}).want(http.StatusCreated)
	alice, _ = s.userClient("alice@example.com", "KB editor")
	bob, _ = s.userClient("bob@example.com", "KB editor")
	return alice, bob
}

// TestKnowledgeWorkflow: draft → review → published → archived through the bound actions; the
// author may not approve their own article, invalid transitions are 409, a published article
// is not edited in place, and every step is audited.
func TestKnowledgeWorkflow(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	alice, bob := kbEditors(s, admin)

	alice.post("knowledge_articles", map[string]any{"title": "Hub offline", "status": "published"}).wantError(http.StatusBadRequest, "status_by_action", "status")
	ka := alice.create("knowledge_articles", map[string]any{"title": "Hub offline", "content": "Check the LED.", "keywords": "offline, led"})
	if r := alice.get("knowledge_articles(" + ka + ")").want(http.StatusOK); r.str("status") != "draft" || r.str("version_number") != "1" {
		t.Fatalf("new article: %s", r.raw)
	}
	alice.patch("knowledge_articles("+ka+")", map[string]any{"status": "published"}).wantError(http.StatusConflict, "status_by_action", "")
	alice.post("knowledge_articles("+ka+")/approve", nil).wantError(http.StatusConflict, "invalid_transition", "")
	alice.post("knowledge_articles("+ka+")/archive", nil).wantError(http.StatusConflict, "invalid_transition", "")

	if r := alice.post("knowledge_articles("+ka+")/submit", nil).want(http.StatusOK); r.str("status") != "review" {
		t.Fatalf("submitted: %s", r.raw)
	}
	alice.post("knowledge_articles("+ka+")/submit", nil).wantError(http.StatusConflict, "invalid_transition", "")
	bob.post("knowledge_articles("+ka+")/reject", map[string]any{"comment": " "}).wantError(http.StatusBadRequest, "required", "comment")
	if r := bob.post("knowledge_articles("+ka+")/reject", map[string]any{"comment": "Say which LED colour means what."}).want(http.StatusOK); r.str("status") != "draft" || r.str("review_comment") != "Say which LED colour means what." {
		t.Fatalf("rejected: %s", r.raw)
	}
	alice.patch("knowledge_articles("+ka+")", map[string]any{"content": "Red: no network. Amber: no cloud."}).want(http.StatusNoContent)
	alice.post("knowledge_articles("+ka+")/submit", nil).want(http.StatusOK)
	alice.post("knowledge_articles("+ka+")/approve", nil).wantError(http.StatusForbidden, "own_article", "")
	r := bob.post("knowledge_articles("+ka+")/approve", nil).want(http.StatusOK)
	if r.str("status") != "published" || r.str("published_at") == "" || r.at("review_comment") != nil {
		t.Fatalf("approved: %s", r.raw)
	}
	alice.patch("knowledge_articles("+ka+")", map[string]any{"content": "Edited in place"}).wantError(http.StatusConflict, "article_published", "")
	alice.post("knowledge_articles("+ka+")/approve", nil).wantError(http.StatusConflict, "invalid_transition", "")

	// An administrator may publish an article they wrote; "publish" is approve's other name.
	own := admin.create("knowledge_articles", map[string]any{"title": "Admin's article"})
	admin.post("knowledge_articles("+own+")/submit", nil).want(http.StatusOK)
	admin.post("knowledge_articles("+own+")/publish", nil).want(http.StatusOK)
	if r := admin.post("knowledge_articles("+own+")/archive", nil).want(http.StatusOK); r.str("status") != "archived" {
		t.Fatalf("archived: %s", r.raw)
	}
	admin.post("knowledge_articles("+own+")/archive", nil).wantError(http.StatusConflict, "invalid_transition", "")
	admin.patch("knowledge_articles("+own+")", map[string]any{"title": "Renamed"}).wantError(http.StatusConflict, "article_archived", "")

	// A user without rights on articles may not run the actions.
	nobody, _ := s.userClient("carol@example.com")
	nobody.post("knowledge_articles("+ka+")/archive", nil).want(http.StatusForbidden, http.StatusNotFound)

	if n := len(auditOf(admin, q("record_id eq "+ka))); n < 6 {
		t.Errorf("the article's steps are not all in the audit trail: %d entries", n)
	}
}

// TestKnowledgeVersions: new_version copies a published article into a draft of the next version
// of the same root; one version is written at a time; publishing it archives the previous one.
func TestKnowledgeVersions(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	alice, bob := kbEditors(s, admin)
	v1 := alice.create("knowledge_articles", map[string]any{"title": "Firmware update", "content": "Schedule it.", "keywords": "firmware", "language": "en"})
	alice.post("knowledge_articles("+v1+")/new_version", nil).wantError(http.StatusConflict, "invalid_transition", "")
	alice.post("knowledge_articles("+v1+")/submit", nil).want(http.StatusOK)
	bob.post("knowledge_articles("+v1+")/approve", nil).want(http.StatusOK)

	r := alice.post("knowledge_articles("+v1+")/new_version", nil).want(http.StatusOK)
	v2 := r.str("id")
	if v2 == v1 || r.str("status") != "draft" || r.str("version_number") != "2" || r.str("root_article_id") != v1 ||
		r.str("content") != "Schedule it." || r.str("keywords") != "firmware" || r.str("language") != "en" {
		t.Fatalf("new version: %s", r.raw)
	}
	alice.post("knowledge_articles("+v1+")/new_version", nil).wantError(http.StatusConflict, "version_in_progress", "")
	alice.patch("knowledge_articles("+v2+")", map[string]any{"content": "Schedule it outside production hours."}).want(http.StatusNoContent)
	alice.patch("knowledge_articles("+v2+")", map[string]any{"version_number": 7}).wantError(http.StatusConflict, "status_by_action", "")
	alice.post("knowledge_articles("+v2+")/submit", nil).want(http.StatusOK)
	if got := alice.get("knowledge_articles(" + v1 + ")").want(http.StatusOK).str("status"); got != "published" {
		t.Fatalf("v1 is %s while v2 is in review; want published", got)
	}
	bob.post("knowledge_articles("+v2+")/approve", nil).want(http.StatusOK)
	if got := alice.get("knowledge_articles(" + v1 + ")").want(http.StatusOK).str("status"); got != "archived" {
		t.Fatalf("v1 is %s after v2 was published; want archived", got)
	}
	// The next version of v2 belongs to the same root.
	r = alice.post("knowledge_articles("+v2+")/new_version", nil).want(http.StatusOK)
	if r.str("version_number") != "3" || r.str("root_article_id") != v1 {
		t.Fatalf("v3: %s", r.raw)
	}
	if got := alice.all("knowledge_articles?$filter=" + q("root_article_id eq "+v1) + "&$select=version_number"); len(got) != 2 {
		t.Fatalf("versions of the root: %v", got)
	}
}

// publishArticle creates an article and publishes it (as an administrator).
func publishArticle(c *client, fields map[string]any) string {
	c.t.Helper()
	id := c.create("knowledge_articles", fields)
	c.post("knowledge_articles("+id+")/submit", nil).want(http.StatusOK)
	c.post("knowledge_articles("+id+")/publish", nil).want(http.StatusOK)
	return id
}

// TestKnowledgeSearch: the knowledge base search finds published articles for a question even
// when not every word matches, in English and Chinese, and never shows drafts.
func TestKnowledgeSearch(t *testing.T) {
	s := newServer(t)
	c := s.login()
	offline := publishArticle(c, map[string]any{"title": "A hub shows offline", "content": "Check the status LED and the outbound ports.", "keywords": "offline, connection"})
	firmware := publishArticle(c, map[string]any{"title": "Updating hub firmware", "content": "Schedule updates outside production hours.", "keywords": "firmware, upgrade"})
	zh := publishArticle(c, map[string]any{"title": "网关固件升级", "content": "升级失败时网关会自动回滚到上一版本。", "keywords": "固件, 升级", "language": "zh"})
	draft := c.create("knowledge_articles", map[string]any{"title": "Hub offline after firmware update", "content": "Not reviewed yet."})

	got := c.get("knowledge_articles/$search?q=" + q("my hub went offline after the update")).want(http.StatusOK).values()
	if len(got) == 0 || field(got[0], "id") != offline {
		t.Fatalf("question in English: %v", got)
	}
	for _, h := range got {
		if field(h, "id") == draft {
			t.Errorf("a draft is found: %v", got)
		}
	}
	if got := c.get("knowledge_articles/$search?q=" + q("how do I upgrade the firmware")).want(http.StatusOK).values(); len(got) == 0 || field(got[0], "id") != firmware {
		t.Errorf("keywords: %v", got)
	}
	if got := c.get("knowledge_articles/$search?q=" + q("网关升级失败怎么办")).want(http.StatusOK).values(); len(got) == 0 || field(got[0], "id") != zh {
		t.Errorf("question in Chinese: %v", got)
	}
	if got := c.get("knowledge_articles/$search?language=zh&q=" + q("firmware 固件")).want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != zh {
		t.Errorf("language=zh: %v", got)
	}
	c.get("knowledge_articles/$search?language=fr&q=x").wantError(http.StatusBadRequest, "invalid_language", "language")
	c.get("knowledge_articles/$search?q=").wantError(http.StatusBadRequest, "invalid_query", "q")
	// The global search still requires every word, and shows drafts to whoever may read them.
	if got := c.get("search?entities=knowledge_articles&q=" + q("firmware update ")).want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != draft {
		t.Errorf("global search: %v", got)
	}
}

// TestSuggestedArticles: a new case like resolved cases answered with an article gets that
// article first, saying why; text matches come next; drafts are never suggested; use_article
// links an article (with a note) and the suggestion says it is linked.
func TestSuggestedArticles(t *testing.T) {
	s := newServer(t)
	c := s.login()
	// The answer to the "dropping connection" cases does not share their words.
	answer := publishArticle(c, map[string]any{"title": "Power-save mode on Hub Mini", "content": "Turn off the radio power-save schedule."})
	other := publishArticle(c, map[string]any{"title": "Gateway connection troubleshooting", "content": "A gateway that loses its connection: check the cable."})
	draft := c.create("knowledge_articles", map[string]any{"title": "Gateway drops connection every night", "content": "Draft."})
	unrelated := publishArticle(c, map[string]any{"title": "Understanding your invoice", "content": "Billing."})
	for _, title := range []string{"Gateway drops its connection every night", "Gateway connection drops at night", "Night-time connection drops on the gateway"} {
		cs := c.create("cases", map[string]any{"title": title})
		c.post("cases("+cs+")/use_article", map[string]any{"article_id": answer}).want(http.StatusOK)
		c.post("cases("+cs+")/resolve", map[string]any{"resolution": "Power-save schedule off"}).want(http.StatusOK)
	}
	// A similar case answered with the unrelated article but still open does not count.
	open := c.create("cases", map[string]any{"title": "Gateway drops connection every night"})
	c.post("cases("+open+")/use_article", map[string]any{"article_id": unrelated}).want(http.StatusOK)

	cs := c.create("cases", map[string]any{"title": "Our gateway drops the connection each night", "description": "Since Monday."})
	got := c.get("cases(" + cs + ")/suggested_articles").want(http.StatusOK).values()
	if len(got) < 2 || field(got[0], "id") != answer || field(got[0], "solved_cases") != "3" || field(got[0], "reason") != "solved 3 similar cases" {
		t.Fatalf("suggestions: %v", got)
	}
	if field(got[1], "id") != other || field(got[1], "reason") != "matches text" {
		t.Errorf("second suggestion: %v", got[1])
	}
	for _, g := range got {
		if id := field(g, "id"); id == draft || id == unrelated {
			t.Errorf("suggested %s: %v", g["title"], got)
		}
	}
	c.post("cases("+cs+")/use_article", map[string]any{"article_id": draft}).wantError(http.StatusConflict, "article_not_published", "")
	c.post("cases("+cs+")/use_article", map[string]any{}).wantError(http.StatusBadRequest, "required", "article_id")
	if r := c.post("cases("+cs+")/use_article", map[string]any{"article_id": answer, "note": "Sent the steps to the customer."}).want(http.StatusOK); r.str("id") != answer {
		t.Fatalf("use_article answers the article: %s", r.raw)
	}
	if got := c.get("cases(" + cs + ")/suggested_articles?top=1").want(http.StatusOK).values(); len(got) != 1 || got[0]["linked"] != true {
		t.Errorf("linked: %v", got)
	}
	if n := len(c.all("notes?$filter=" + q("regarding_id eq "+cs))); n != 1 {
		t.Errorf("notes on the case: %d", n)
	}
	if got := c.all("cases(" + cs + ")/knowledge_articles"); len(got) != 1 {
		t.Errorf("linked articles: %v", got)
	}
	// Someone who may not read the case gets nothing.
	nobody, _ := s.userClient("carol@example.com")
	nobody.get("cases("+cs+")/suggested_articles").want(http.StatusForbidden, http.StatusNotFound)
}

// TestSuggestedArticlesPreferTheContactsLanguage: of two articles matching a case equally, the
// one in the language the case's contact prefers comes first.
func TestSuggestedArticlesPreferTheContactsLanguage(t *testing.T) {
	s := newServer(t)
	c := s.login()
	en := publishArticle(c, map[string]any{"title": "Hub offline", "content": "Check the LED.", "language": "en"})
	zh := publishArticle(c, map[string]any{"title": "Hub offline 网关离线", "content": "检查指示灯。", "language": "zh"})
	for _, want := range []struct{ lang, first, second string }{{"zh", zh, en}, {"en", en, zh}} {
		contact := c.create("contacts", map[string]any{"last_name": "Li " + want.lang, "preferred_language": want.lang})
		cs := c.create("cases", map[string]any{"title": "Hub offline", "contact_id": contact})
		got := c.get("cases(" + cs + ")/suggested_articles").want(http.StatusOK).values()
		if len(got) != 2 || field(got[0], "id") != want.first || field(got[1], "id") != want.second || field(got[0], "language") != want.lang {
			t.Errorf("contact prefers %s: %v", want.lang, got)
		}
	}
}
