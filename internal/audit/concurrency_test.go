package audit_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/meridian-crm/meridian/internal/audit"
)

// TestConcurrentWritersKeepOneChain writes records and events of one tenant from many goroutines
// (each its own transaction; on PostgreSQL they really run at once) and checks that the chain is
// gap-free, holds every write once and verifies.
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
					_, err = e.svc.Create(other, "account", body(t, fmt.Sprintf(`{"name":"O%d-%d"}`, w, i)))
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
	if n := len(e.listIn(other, "", 0)); n != workers*each/3 {
		t.Fatalf("other tenant: %d entries", n)
	}
	if bs := e.verify(); len(bs) > 0 {
		t.Fatal(bs)
	}
}
