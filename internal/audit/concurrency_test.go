package audit_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/records"
)

// TestConcurrentWritersKeepOneChain writes records (one by one and in bulk) and events of two
// tenants from many goroutines (each its own transaction; on PostgreSQL they really run at once)
// and checks that each tenant's chain is gap-free, holds every write once and verifies.
func TestConcurrentWritersKeepOneChain(t *testing.T) {
	e := newEnv(t)
	other, _, _ := e.newTenant("other")
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var err error
				switch i % 3 {
				case 0:
					_, err = e.svc.Create(e.ctx, "account", body(t, fmt.Sprintf(`{"name":"W%d-%d"}`, w, i)))
				case 1:
					err = e.aud.Event(e.ctx, audit.Event{Action: audit.ActionTeamChange, Entity: "team", Details: map[string]int{"w": w, "i": i}})
				default:
					// Bulk writes of the other tenant: their seqs are reserved before their rows
					// are inserted and their entries hashed meanwhile (staged).
					var bad map[int]error
					_, bad, err = e.svc.CreateMany(other, "account", []records.Input{
						body(t, fmt.Sprintf(`{"name":"O%d-%d a"}`, w, i)), body(t, fmt.Sprintf(`{"name":"O%d-%d b"}`, w, i))})
					if err == nil && len(bad) > 0 {
						err = fmt.Errorf("bulk create refused rows: %v", bad)
					}
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := e.list("")
	if len(got) != workers*each*2/3 {
		t.Fatalf("%d entries, want %d", len(got), workers*each*2/3)
	}
	for i, en := range got {
		if en.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d: the chain has a gap or a duplicate", i+1, en.Seq)
		}
	}
	theirs := e.listIn(other, "", 0)
	if len(theirs) != 2*workers*each/3 {
		t.Fatalf("other tenant: %d entries", len(theirs))
	}
	for i, en := range theirs {
		if en.Seq != int64(i+1) {
			t.Fatalf("other tenant's entry %d has seq %d", i+1, en.Seq)
		}
	}
	if bs := e.verify(); len(bs) > 0 {
		t.Fatal(bs)
	}
}
