package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// batchResponses posts a JSON batch and returns its responses by id.
func batchResponses(t *testing.T, c *client, requests []map[string]any) map[string]map[string]any {
	t.Helper()
	r := c.post("$batch", map[string]any{"requests": requests}).want(http.StatusOK)
	arr, _ := r.at("responses").([]any)
	if len(arr) != len(requests) {
		t.Fatalf("%d responses to %d requests: %s", len(arr), len(requests), clip(r.raw))
	}
	out := map[string]map[string]any{}
	for i, x := range arr {
		m, _ := x.(map[string]any)
		if field(m, "id") != requests[i]["id"] {
			t.Errorf("response %d has id %s, want %s (responses come in request order)", i, field(m, "id"), requests[i]["id"])
		}
		out[field(m, "id")] = m
	}
	return out
}

func status(m map[string]any) string { return field(m, "status") }

func TestBatch(t *testing.T) {
	s := newServer(t)
	c := s.login()
	c.create("accounts", map[string]any{"name": "Before"})

	res := batchResponses(t, c, []map[string]any{
		{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Batch Co"}, "atomicityGroup": "g1"},
		{"id": "2", "method": "POST", "url": "contacts", "body": map[string]any{"last_name": "x", "account_id@odata.bind": "$1"},
			"atomicityGroup": "g1", "dependsOn": []string{"1"}},
		{"id": "3", "method": "GET", "url": "accounts?$top=1&$orderby=name"},
		{"id": "4", "method": "PATCH", "url": "$1", "body": map[string]any{"city": "Nanjing"}, "dependsOn": []string{"1"}},
		{"id": "5", "method": "GET", "url": "/api/v1/accounts/$count"},
		{"id": "6", "method": "GET", "url": "$1/contacts?$select=last_name", "dependsOn": []string{"2"}},
		{"id": "7", "method": "GET", "url": "$1?$select=city", "dependsOn": []string{"g1"}},
	})
	accID := asString(lookup(res["1"], "body.id"))
	if status(res["1"]) != "201" || accID == "" || !strings.HasSuffix(asString(lookup(res["1"], "headers.location")), "accounts("+accID+")") {
		t.Fatalf("op 1: %v", res["1"])
	}
	if field(res["1"], "atomicityGroup") != "g1" {
		t.Errorf("op 1 lost its atomicity group: %v", res["1"])
	}
	if status(res["2"]) != "201" || asString(lookup(res["2"], "body.account_id")) != accID {
		t.Errorf("op 2 (bound to $1): %v", res["2"])
	}
	if status(res["3"]) != "200" || asString(lookup(res["3"], "body.value.0.name")) != "Batch Co" || lookup(res["3"], "body.value.1") != nil {
		t.Errorf("op 3: %v", res["3"])
	}
	if status(res["4"]) != "204" || asString(lookup(res["4"], "headers.etag")) == "" {
		t.Errorf("op 4 (PATCH $1): %v", res["4"])
	}
	if status(res["5"]) != "200" || asString(lookup(res["5"], "body")) != "2" {
		t.Errorf("op 5 ($count): %v", res["5"])
	}
	if status(res["6"]) != "200" || asString(lookup(res["6"], "body.value.0.last_name")) != "x" {
		t.Errorf("op 6 ($1/contacts): %v", res["6"])
	}
	if status(res["7"]) != "200" || asString(lookup(res["7"], "body.city")) != "Nanjing" || lookup(res["7"], "body.name") != nil {
		t.Errorf("op 7 ($1?$select): %v", res["7"])
	}
	if g := c.get("accounts(" + accID + ")?$expand=contacts").want(200); g.str("city") != "Nanjing" || g.str("contacts.0.last_name") != "x" {
		t.Errorf("after the batch: %s", g.raw)
	}

	// A failing operation rolls back its whole atomicity group; other operations stand.
	before := c.count("accounts")
	res = batchResponses(t, c, []map[string]any{
		{"id": "a", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Rollback Co", "account_number": "RB-1"}, "atomicityGroup": "g2"},
		{"id": "b", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Bad", "industry": "space"}, "atomicityGroup": "g2"},
		{"id": "c", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Never run"}, "atomicityGroup": "g2"},
		{"id": "d", "method": "POST", "url": "contacts", "body": map[string]any{"last_name": "y", "account_id@odata.bind": "$a"}, "dependsOn": []string{"a"}},
		{"id": "e", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Independent"}},
		{"id": "f", "method": "POST", "url": "accounts", "body": map[string]any{"bogus": 1}},
		{"id": "g", "method": "GET", "url": "accounts(account_number='RB-1')"},
		{"id": "h", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Needs g2"}, "dependsOn": []string{"g2"}},
		{"id": "i", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Needs f"}, "dependsOn": []string{"f"}},
	})
	want := map[string]string{"a": "424", "b": "400", "c": "424", "d": "424", "e": "201", "f": "400", "g": "404", "h": "424", "i": "424"}
	for id, st := range want {
		if status(res[id]) != st {
			t.Errorf("op %s: status %s, want %s: %v", id, status(res[id]), st, res[id])
		}
	}
	if code := asString(lookup(res["b"], "body.error.code")); code != "invalid_choice" || asString(lookup(res["b"], "body.error.target")) != "industry" {
		t.Errorf("op b error: %v", res["b"])
	}
	if code := asString(lookup(res["a"], "body.error.code")); code != "failed_dependency" {
		t.Errorf("op a error: %v", res["a"])
	}
	c.get("accounts(account_number='RB-1')").wantError(http.StatusNotFound, "not_found", "-")
	if after := c.count("accounts"); after != before+1 {
		t.Errorf("accounts: %d before, %d after (only Independent should be added)", before, after)
	}
	if n := c.count("contacts"); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
}

func TestBatchErrors(t *testing.T) {
	s := newServer(t)
	c := s.login()

	ops := make([]map[string]any, 1001)
	for i := range ops {
		ops[i] = map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "accounts?$top=1"}
	}
	c.post("$batch", map[string]any{"requests": ops}).wantError(http.StatusRequestEntityTooLarge, "too_many_operations", "-")

	cases := []struct {
		name string
		body any
		code string
	}{
		{"not json", `{"requests": [`, "invalid_json"},
		{"missing id", map[string]any{"requests": []any{map[string]any{"method": "GET", "url": "accounts"}}}, "invalid_batch"},
		{"duplicate id", map[string]any{"requests": []any{
			map[string]any{"id": "1", "method": "GET", "url": "accounts"},
			map[string]any{"id": "1", "method": "GET", "url": "accounts"}}}, "invalid_batch"},
		{"depends on a later operation", map[string]any{"requests": []any{
			map[string]any{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "x"}, "dependsOn": []string{"2"}},
			map[string]any{"id": "2", "method": "GET", "url": "accounts"}}}, "invalid_batch"},
		{"depends on nothing", map[string]any{"requests": []any{
			map[string]any{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "x"}, "dependsOn": []string{"nope"}}}}, "invalid_batch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			c.post("$batch", tc.body).wantError(http.StatusBadRequest, tc.code, "-")
		})
	}

	res := batchResponses(t, c, []map[string]any{
		{"id": "1", "method": "GET", "url": "$9/contacts"},
		{"id": "2", "method": "POST", "url": "$batch", "body": map[string]any{"requests": []any{}}},
		{"id": "3", "method": "GET", "url": "nowhere"},
		{"id": "4", "method": "", "url": "accounts"},
	})
	for id, st := range map[string]string{"1": "400", "2": "400", "3": "404", "4": "400"} {
		if status(res[id]) != st {
			t.Errorf("op %s: status %s, want %s: %v", id, status(res[id]), st, res[id])
		}
	}
	if n := c.count("accounts"); n != 0 {
		t.Errorf("%d accounts written by failed batches", n)
	}
}

// TestBatchCreatesTakeTheBulkPath: consecutive independent creates of one entity set in a
// $batch are written by one bulk write (one React call with all their changes), and each still
// gets the answer its own request would have had: 201 with the record and its duplicate
// candidates, 204 with return=minimal, its own error for a bad row (its neighbours created), a
// Location later operations can refer to.
func TestBatchCreatesTakeTheBulkPath(t *testing.T) {
	var mu sync.Mutex
	var writes []int // changes per account write
	s := &server{t: t, dsn: storetest.DSN(t), prepare: func(a *app.App) {
		a.Records.Register(records.Hook{Name: "test.writes", Entity: "account", React: func(_ context.Context, cs []records.Change) error {
			mu.Lock()
			writes = append(writes, len(cs))
			mu.Unlock()
			return nil
		}})
	}}
	s.run()
	c := s.login()
	c.create("accounts", map[string]any{"name": "Northwind Traders", "city": "Shanghai"})
	mu.Lock()
	writes = nil
	mu.Unlock()
	res := batchResponses(t, c, []map[string]any{
		{"id": "1", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Bulk One", "revenue": 1000}},
		{"id": "2", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Bulk Two", "industry": "space"}},
		{"id": "3", "method": "POST", "url": "/api/v1/accounts", "body": map[string]any{"name": "Northwind Traders"}},
		{"id": "4", "method": "POST", "url": "accounts", "body": map[string]any{"name": "Bulk Four"}, "headers": map[string]string{"Prefer": "return=minimal"}},
		{"id": "5", "method": "POST", "url": "contacts", "body": map[string]any{"last_name": "Wu", "account_id@odata.bind": "$1"}, "dependsOn": []string{"1"}},
	})
	mu.Lock()
	got := append([]int(nil), writes...)
	mu.Unlock()
	if len(got) != 1 || got[0] != 3 {
		t.Errorf("account writes of the batch: %v changes each; want one bulk write of 3", got)
	}
	id1 := asString(lookup(res["1"], "body.id"))
	if status(res["1"]) != "201" || asString(lookup(res["1"], "body.name")) != "Bulk One" || id1 == "" ||
		!strings.HasSuffix(asString(lookup(res["1"], "headers.location")), "accounts("+id1+")") || asString(lookup(res["1"], "headers.etag")) == "" {
		t.Errorf("op 1: %v", res["1"])
	}
	if status(res["2"]) != "400" || asString(lookup(res["2"], "body.error.target")) != "industry" {
		t.Errorf("op 2 (bad choice): %v", res["2"])
	}
	body3, _ := lookup(res["3"], "body").(map[string]any)
	if dups, _ := body3["@meridian.duplicates"].([]any); status(res["3"]) != "201" || len(dups) != 1 {
		t.Errorf("op 3 (a duplicate of Northwind Traders): %v", res["3"])
	}
	if status(res["4"]) != "204" || asString(lookup(res["4"], "headers.odata-entityid")) == "" || lookup(res["4"], "body") != nil {
		t.Errorf("op 4 (return=minimal): %v", res["4"])
	}
	if status(res["5"]) != "201" || asString(lookup(res["5"], "body.account_id")) != id1 {
		t.Errorf("op 5 (bound to $1): %v", res["5"])
	}
	if n := c.count("accounts"); n != 4 {
		t.Errorf("%d accounts, want 4", n)
	}
}
