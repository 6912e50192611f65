package api_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"
)

// removedIDs follows a delta link and returns the ids it reports @removed, sorted.
func removedIDs(c *client, link string) []string {
	c.t.Helper()
	var out []string
	for _, v := range c.get(link).want(http.StatusOK).values() {
		if v["@removed"] != nil {
			out = append(out, field(v, "id"))
		}
	}
	sort.Strings(out)
	return out
}

// TestDeltaRemovedFollowsVisibility: a delta link reports @removed only for records the caller
// could see before they were deleted — its business unit's (at business-unit depth), one shared
// with it, a case in a queue it belongs to — and never the id of another unit's record.
func TestDeltaRemovedFollowsVisibility(t *testing.T) {
	s := newServer(t)
	admin := s.login()
	east := admin.create("business_units", map[string]any{"name": "East"})
	admin.post("security/roles", map[string]any{"name": "Rep", "privileges": []map[string]any{
		{"entity": "account", "privilege": "create", "depth": "user"},
		{"entity": "account", "privilege": "read", "depth": "business_unit"},
		{"entity": "account", "privilege": "delete", "depth": "user"},
		{"entity": "account", "privilege": "share", "depth": "user"},
		{"entity": "case", "privilege": "read", "depth": "user"},
	}}).want(http.StatusCreated)
	west, _ := s.userClient("west@example.com", "Rep") // the root unit
	eastRep, eastID := s.userClient("east@example.com", "Rep")
	admin.patch("users("+eastID+")", map[string]any{"business_unit_id": east}).want(http.StatusNoContent)
	queue := admin.create("queues", map[string]any{"name": "Support"})
	admin.post("queues("+queue+")/members/$ref", map[string]any{"@odata.id": "users(" + eastID + ")"}).want(http.StatusNoContent)

	track := func(c *client, set string) string {
		return c.get(set+"?$select=id", hdr("Prefer", "odata.track-changes")...).want(http.StatusOK).str("@odata.deltaLink")
	}
	// Each starts tracking before anything exists.
	westAccounts, eastAccounts, adminAccounts := track(west, "accounts"), track(eastRep, "accounts"), track(admin, "accounts")
	westCases, eastCases := track(west, "cases"), track(eastRep, "cases")

	westOnly := west.create("accounts", map[string]any{"name": "West only"})
	shared := west.create("accounts", map[string]any{"name": "Shared east"})
	west.post("accounts("+shared+")/shares", map[string]any{"principal_id": eastID, "rights": []string{"read"}}).want(http.StatusNoContent)
	eastOwn := eastRep.create("accounts", map[string]any{"name": "East own"})
	queued := admin.create("cases", map[string]any{"title": "Queued", "queue_id": queue})
	unqueued := admin.create("cases", map[string]any{"title": "Not queued"})
	for _, id := range []string{westOnly, shared} {
		west.delete("accounts(" + id + ")").want(http.StatusNoContent)
	}
	eastRep.delete("accounts(" + eastOwn + ")").want(http.StatusNoContent)
	for _, id := range []string{queued, unqueued} {
		admin.delete("cases(" + id + ")").want(http.StatusNoContent)
	}

	for _, c := range []struct {
		who  string
		c    *client
		link string
		want []string
	}{
		{"west accounts", west, westAccounts, sorted([]string{westOnly, shared})},
		{"east accounts", eastRep, eastAccounts, sorted([]string{shared, eastOwn})},
		{"administrator accounts", admin, adminAccounts, sorted([]string{westOnly, shared, eastOwn})},
		{"west cases", west, westCases, nil},
		{"east cases", eastRep, eastCases, []string{queued}},
	} {
		if got := removedIDs(c.c, c.link); !slices.Equal(got, c.want) {
			t.Errorf("%s: @removed %v, want %v", c.who, got, c.want)
		}
	}
}
