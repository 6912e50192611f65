package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestKeysetPagingStable checks that records inserted while a client pages through a collection
// neither repeat a record nor make it skip one of the original set.
func TestKeysetPagingStable(t *testing.T) {
	s := newServer(t)
	c := s.login()
	var original []string
	for i := 1; i <= 10; i++ {
		original = append(original, fmt.Sprintf("Acc %02d", i))
		c.create("accounts", map[string]any{"name": original[i-1]})
	}
	page3 := hdr("Prefer", "odata.maxpagesize=3")

	cases := []struct {
		name     string
		path     string
		inserts  []string // created after the first page
		appears  []string // of the inserts, those that sort after the first page
		inOrder  bool     // names come back sorted
		pageSize int
	}{
		{"by name", "accounts?$orderby=name&$select=name", []string{"Acc 00", "Acc 05a", "Acc 99"}, []string{"Acc 05a", "Acc 99"}, true, 3},
		{"by name desc", "accounts?$orderby=name%20desc&$select=name", []string{"Acc 98", "Acc 04b", "Acc 00b"}, []string{"Acc 04b", "Acc 00b"}, false, 3},
		{"default order", "accounts?$select=name", []string{"New 1", "New 2"}, []string{"New 1", "New 2"}, false, 3},
		{"with filter", "accounts?$filter=" + q("startswith(name,'Acc')") + "&$orderby=name&$select=name", []string{"Acc 07x", "Other"}, []string{"Acc 07x"}, true, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			r := c.get(tc.path, page3...).want(http.StatusOK)
			if !strings.Contains(r.header.Get("Preference-Applied"), "odata.maxpagesize=3") {
				t.Errorf("Preference-Applied = %q", r.header.Get("Preference-Applied"))
			}
			seen := column(r.values(), "name")
			for _, n := range tc.inserts {
				c.create("accounts", map[string]any{"name": n})
			}
			next := r.str("@odata.nextLink")
			if !strings.Contains(next, "$skiptoken=") {
				t.Fatalf("first page has no nextLink with $skiptoken: %s", r.raw)
			}
			for next != "" {
				r = c.get(next, page3...).want(http.StatusOK)
				if len(r.values()) > tc.pageSize {
					t.Errorf("page of %d records, max %d", len(r.values()), tc.pageSize)
				}
				seen = append(seen, column(r.values(), "name")...)
				next = r.str("@odata.nextLink")
			}
			count := map[string]int{}
			for _, n := range seen {
				count[n]++
				if count[n] == 2 {
					t.Errorf("%s served twice", n)
				}
			}
			for _, n := range original {
				if count[n] == 0 && (!strings.HasPrefix(tc.name, "with filter") || strings.HasPrefix(n, "Acc")) {
					t.Errorf("%s skipped", n)
				}
			}
			for _, n := range tc.appears {
				if count[n] == 0 {
					t.Errorf("%s, inserted after the cursor, was not served", n)
				}
			}
			if tc.inOrder && !slices.IsSorted(seen) {
				t.Errorf("pages out of order: %v", seen)
			}
		})
	}

	// A page size over the server's maximum is capped, and the header says so.
	if r := c.get("accounts?$select=name", hdr("Prefer", "odata.maxpagesize=1000000")...).want(200); r.header.Get("Preference-Applied") != "odata.maxpagesize=5000" {
		t.Errorf("Preference-Applied = %q for a page size over the maximum", r.header.Get("Preference-Applied"))
	}
	// $top caps the whole read across pages.
	got := c.all("accounts?$orderby=name&$top=5&$select=name", hdr("Prefer", "odata.maxpagesize=2")...)
	if len(got) != 5 || field(got[0], "name") != "Acc 00" {
		t.Errorf("$top=5 over pages of 2: %v", column(got, "name"))
	}
	// A nextLink keeps the other options and is tied to the query.
	r := c.get("accounts?$orderby=name&$select=name", page3...).want(200)
	next := r.str("@odata.nextLink")
	if !strings.Contains(next, "$orderby=name") || !strings.Contains(next, "$select=name") {
		t.Errorf("nextLink lost options: %s", next)
	}
	tok := next[strings.Index(next, "$skiptoken=")+len("$skiptoken="):]
	c.get("accounts?$orderby=name,city&$skiptoken="+tok).wantError(400, "invalid_skiptoken", "$skiptoken")
}

// TestChangeTracking follows delta links across creates, updates and deletes.
func TestChangeTracking(t *testing.T) {
	s := newServer(t)
	c := s.login()
	a := c.create("accounts", map[string]any{"name": "Alpha", "industry": "retail"})
	b := c.create("accounts", map[string]any{"name": "Beta", "industry": "retail"})
	c.create("contacts", map[string]any{"last_name": "Unrelated"})

	r := c.get("accounts?$select=name,city", hdr("Prefer", "odata.track-changes")...).want(http.StatusOK)
	if len(r.values()) != 2 || !strings.Contains(r.header.Get("Preference-Applied"), "odata.track-changes") {
		t.Fatalf("initial read: %v %s", r.header, r.raw)
	}
	delta := r.str("@odata.deltaLink")
	if !strings.Contains(delta, "$deltatoken=") || !strings.Contains(delta, "$select=name,city") {
		t.Fatalf("deltaLink = %q", delta)
	}
	if e := c.get(delta).want(200); len(e.values()) != 0 || e.str("@odata.deltaLink") == "" {
		t.Errorf("delta before any change: %s", e.raw)
	}

	newID := c.create("accounts", map[string]any{"name": "Gamma"})
	c.patch("accounts("+a+")", map[string]any{"city": "Xi'an"}).want(http.StatusNoContent)
	c.delete("accounts(" + b + ")").want(http.StatusNoContent)
	c.create("contacts", map[string]any{"last_name": "Also unrelated"})
	gone := c.create("accounts", map[string]any{"name": "Short-lived"})
	c.delete("accounts(" + gone + ")").want(http.StatusNoContent)

	r = c.get(delta).want(http.StatusOK)
	if !strings.HasSuffix(r.str("@odata.context"), "accounts/$delta") {
		t.Errorf("@odata.context = %q", r.str("@odata.context"))
	}
	changed, removed := map[string]map[string]any{}, map[string]bool{}
	for _, v := range r.values() {
		if v["@removed"] != nil {
			if lookup(v["@removed"], "reason") != "deleted" || field(v, "@id") != "accounts("+field(v, "id")+")" {
				t.Errorf("removed entry: %v", v)
			}
			removed[field(v, "id")] = true
			continue
		}
		changed[field(v, "id")] = v
	}
	if len(changed) != 2 || changed[newID] == nil || field(changed[a], "city") != "Xi'an" || changed[a]["industry"] != nil {
		t.Errorf("changed records: %v", changed)
	}
	if len(removed) != 2 || !removed[b] || !removed[gone] {
		t.Errorf("removed: %v", removed)
	}
	delta2 := r.str("@odata.deltaLink")
	if delta2 == "" || delta2 == delta {
		t.Fatalf("no fresh deltaLink: %q", delta2)
	}
	if e := c.get(delta2).want(200); len(e.values()) != 0 || e.str("@odata.deltaLink") == "" {
		t.Errorf("second delta without changes: %s", e.raw)
	}

	// Many changes are served in pages: nextLinks, then a deltaLink.
	var want []string
	for i := 0; i < 5; i++ {
		want = append(want, c.create("accounts", map[string]any{"name": fmt.Sprintf("Bulk %d", i)}))
	}
	c.delete("accounts(" + want[0] + ")").want(http.StatusNoContent)
	var got []string
	next, final := delta2, ""
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("delta paging does not end")
		}
		r := c.get(next, hdr("Prefer", "odata.maxpagesize=2")...).want(200)
		if len(r.values()) > 2 {
			t.Errorf("delta page of %d entries", len(r.values()))
		}
		for _, v := range r.values() {
			prefix := ""
			if v["@removed"] != nil {
				prefix = "-"
			}
			got = append(got, prefix+field(v, "id"))
		}
		next, final = r.str("@odata.nextLink"), r.str("@odata.deltaLink")
	}
	if final == "" {
		t.Error("the last delta page has no deltaLink")
	}
	// want[0] was created and deleted: it shows up as removed (its create is gone).
	wantGot := append(append([]string{}, want[1:]...), "-"+want[0])
	if !slices.Equal(sorted(got), sorted(wantGot)) {
		t.Errorf("paged delta = %v, want %v", got, wantGot)
	}
	if e := c.get(final).want(200); len(e.values()) != 0 {
		t.Errorf("delta after paging: %s", e.raw)
	}
	c.get(strings.Replace(final, "$select", "$orderby=name&$select", 1)).wantError(400, "invalid_deltatoken", "-")
}
