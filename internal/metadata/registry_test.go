package metadata

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// definitions is a Source over definitions held in memory, counting the loads of each tenant;
// changes lists the tenants whose definitions change at each metadata clock version.
type definitions struct {
	mu      sync.Mutex
	loads   map[string]int
	changes []string
	gate    chan struct{} // when set, a load waits for it (to race an invalidation)
}

func (d *definitions) TenantDefinitions(_ context.Context, id string) (*TenantDefinitions, error) {
	d.mu.Lock()
	d.loads[id]++
	gate := d.gate
	d.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return &TenantDefinitions{Entities: []*Entity{{Name: "thing_" + id[:4], SetName: "things", Attributes: []*Attribute{{Name: "title", Type: TypeString}}}}}, nil
}

func (d *definitions) MetadataChanges(_ context.Context, since int64) (int64, []string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if int(since) >= len(d.changes) {
		return since, nil, nil
	}
	return int64(len(d.changes)), d.changes[since:], nil
}

func (d *definitions) loadsOf(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.loads[id]
}

func tenantIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%04d0000-0000-7000-8000-000000000000", i)
	}
	return out
}

// TestRegistryBuildsEachTenantsModelOnce: a tenant's model is built from its definitions on
// first use and kept; it holds that tenant's definitions only, under the tenant's own table names.
func TestRegistryBuildsEachTenantsModelOnce(t *testing.T) {
	src := &definitions{loads: map[string]int{}}
	sys, err := System()
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistry(NewModel(sys.Entities, sys.Relationships), src)
	ids := tenantIDs(2)
	for range 3 {
		for _, id := range ids {
			m, err := r.Tenant(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			own := m.Entity("thing_" + id[:4])
			if own == nil || own.Table() != TenantTable(TenantKey(id), own.Name) || m.Tenant() != id {
				t.Fatalf("tenant %s's model: %v", id, own)
			}
			if other := ids[1-indexOf(ids, id)]; m.Entity("thing_"+other[:4]) != nil {
				t.Fatalf("tenant %s's model holds tenant %s's entity", id, other)
			}
		}
	}
	for _, id := range ids {
		if n := src.loadsOf(id); n != 1 {
			t.Errorf("tenant %s's definitions read %d times, want 1", id, n)
		}
	}
	if m, _ := r.Tenant(context.Background(), ids[0]); m.Entity("account") != r.System().Entity("account") {
		t.Error("a system entity the tenant did not extend is copied rather than shared")
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestRegistryKeepsTheMostRecentlyUsedModels: past Limit, the least recently used model goes
// and is built again when its tenant comes back.
func TestRegistryKeepsTheMostRecentlyUsedModels(t *testing.T) {
	src := &definitions{loads: map[string]int{}}
	r := NewRegistry(NewModel(nil, nil), src)
	r.Limit = 2
	ids := tenantIDs(3)
	ctx := context.Background()
	for _, id := range []string{ids[0], ids[1], ids[0], ids[2]} { // ids[1] is the least recently used
		if _, err := r.Tenant(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.Cached(); n != 2 {
		t.Fatalf("%d models kept, limit 2", n)
	}
	for _, id := range []string{ids[0], ids[2], ids[1]} {
		if _, err := r.Tenant(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if src.loadsOf(ids[0]) != 1 || src.loadsOf(ids[2]) != 1 || src.loadsOf(ids[1]) != 2 {
		t.Fatalf("loads %v: only the evicted tenant is built again", src.loads)
	}
}

// TestRegistryFollowsChanges: Sync drops the models of the tenants whose definitions changed
// (on another server), and a model built while an invalidation happened is not kept.
func TestRegistryFollowsChanges(t *testing.T) {
	src := &definitions{loads: map[string]int{}}
	r := NewRegistry(NewModel(nil, nil), src)
	ids := tenantIDs(2)
	ctx := context.Background()
	for _, id := range ids {
		if _, err := r.Tenant(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	src.mu.Lock()
	src.changes = append(src.changes, ids[1])
	src.mu.Unlock()
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := r.Tenant(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if src.loadsOf(ids[0]) != 1 || src.loadsOf(ids[1]) != 2 {
		t.Fatalf("loads %v: only the changed tenant is built again", src.loads)
	}
	if err := r.Sync(ctx); err != nil || src.loadsOf(ids[1]) != 2 {
		t.Fatalf("a second sync with nothing new dropped a model: %v, %v", src.loads, err)
	}

	// A load that an invalidation overtakes serves its caller but is not kept.
	src.mu.Lock()
	src.gate = make(chan struct{})
	src.mu.Unlock()
	r.Invalidate(ids[0])
	done := make(chan error)
	go func() { _, err := r.Tenant(ctx, ids[0]); done <- err }()
	for src.loadsOf(ids[0]) < 2 {
		runtime.Gosched() // until the load has started
	}
	r.Invalidate(ids[0])
	src.mu.Lock()
	close(src.gate)
	src.gate = nil
	src.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := r.Tenant(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n := src.loadsOf(ids[0]); n != 3 {
		t.Fatalf("tenant %s loaded %d times: the load that raced the invalidation was kept", ids[0], n)
	}
}
