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
