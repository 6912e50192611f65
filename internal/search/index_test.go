package search_test

import (
	"fmt"
	"testing"

	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// TestCatchUpFollowsTheChangeLog: bulk creates, updates and deletes reach the index through the
// change log, by the background catch-up as well as before a search; union views (activities)
// are not indexed twice.
func TestCatchUpFollowsTheChangeLog(t *testing.T) {
	a, ctx := openTenant(t)
	p, _ := principal.From(ctx)
	if _, err := a.Search.CatchUp(ctx, p.TenantID); err != nil {
		t.Fatal(err)
	}
	rows := make([]records.Input, 300)
	for i := range rows {
		rows[i] = records.Input{"name": fmt.Sprintf("Batch %03d 杭州", i), "city": "Hangzhou"}
	}
	ids, bad, err := a.Records.CreateMany(ctx, "account", rows)
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	if n, err := a.Search.Pending(ctx, p.TenantID); err != nil || n < 1 {
		t.Fatalf("pending before catch-up: %d, %v", n, err)
	}
	a.Search.Batch = 64 // several batches
	n, err := a.Search.CatchUpAll(ctx)
	if err != nil || n != 300 {
		t.Fatalf("catch-up indexed %d, %v; want 300", n, err)
	}
	if n, err := a.Search.Pending(ctx, p.TenantID); err != nil || n != 0 {
		t.Fatalf("pending after catch-up: %d, %v", n, err)
	}
	if hits := find(t, a, ctx, "杭州"); len(hits) != 20 {
		t.Fatalf("杭州: %d hits, want the top 20", len(hits))
	}
	if hits := find(t, a, ctx, "batch 042"); len(hits) != 1 || hits[0].ID != ids[42] {
		t.Fatalf("batch 042: %v", hits)
	}
	if _, err := a.Records.Update(ctx, "account", ids[42], records.Input{"name": "Renamed Ltd"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.Records.Delete(ctx, "account", ids[43], ""); err != nil {
		t.Fatal(err)
	}
	if hits := find(t, a, ctx, "batch 042"); len(hits) != 0 {
		t.Fatalf("old name: %v", hits)
	}
	if hits := find(t, a, ctx, "batch 043"); len(hits) != 0 {
		t.Fatalf("deleted: %v", hits)
	}
	if hits := find(t, a, ctx, "renamed"); len(hits) != 1 || hits[0].ID != ids[42] {
		t.Fatalf("renamed: %v", hits)
	}
	if _, err := a.Records.Create(ctx, "task", records.Input{"subject": "Call Zephyrine about renewal"}); err != nil {
		t.Fatal(err)
	}
	if hits := find(t, a, ctx, "zephyrine"); len(hits) != 1 || hits[0].Entity.Name != "task" {
		t.Fatalf("task: %v", hits)
	}
	// A rebuild gives the same answers.
	if _, err := a.Search.Reindex(ctx, p.TenantID, nil); err != nil {
		t.Fatal(err)
	}
	if hits := find(t, a, ctx, "renamed"); len(hits) != 1 || hits[0].ID != ids[42] {
		t.Fatalf("after reindex: %v", hits)
	}
	if hits := find(t, a, ctx, "batch 043"); len(hits) != 0 {
		t.Fatalf("after reindex, deleted: %v", hits)
	}
}
