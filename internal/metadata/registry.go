package metadata

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Source reads the stored definitions: a tenant's own, and which tenants' definitions changed
// since a version of the database's metadata clock (so that several servers on one database
// follow each other's changes).
type Source interface {
	TenantDefinitions(ctx context.Context, tenantID string) (*TenantDefinitions, error)
	MetadataChanges(ctx context.Context, since int64) (version int64, tenants []string, err error)
}

// Registry serves each tenant's model. The system model (the definitions shipped in the
// binary) is set at start-up; a tenant's model is built from its stored definitions the first
// time the tenant is seen, kept until the tenant's definitions change, and then built again.
// Readers take a snapshot and keep using it for the whole request; a schema change publishes the
// tenant's new model after it commits. Models are cached per tenant and never shared between
// tenants except for the immutable system entities they have in common.
type Registry struct {
	sys atomic.Pointer[Model]
	src Source

	mu      sync.Mutex
	tenants map[string]*list.Element // tenant id → element of lru holding its *Model
	lru     *list.List               // most recently used first
	gen     map[string]uint64        // bumped by every invalidation, so a load that raced one is not kept
	loading map[string]*load         // one load per tenant at a time
	seen    int64                    // the metadata clock version the cache has caught up with
	syncMu  sync.Mutex               // serialises Sync
	// Limit caps how many tenants' models are kept (the least recently used go first; they are
	// built again when needed). 0 keeps them all.
	Limit int
}

// DefaultModelLimit is how many tenants' models a registry keeps by default: about 55 KB each for
// a tenant with five custom entities and twenty custom attributes (docs/benchmarks.md).
const DefaultModelLimit = 10000

type load struct {
	done chan struct{}
	m    *Model
	err  error
}

// NewRegistry returns a registry of the system model sys whose tenants' definitions come from
// src (nil: every tenant sees the system model alone, as in tests of the query compiler).
func NewRegistry(sys *Model, src Source) *Registry {
	r := &Registry{src: src, tenants: map[string]*list.Element{}, lru: list.New(), gen: map[string]uint64{}, loading: map[string]*load{},
		Limit: DefaultModelLimit}
	r.sys.Store(sys)
	return r
}

// System returns the system model: the definitions shipped in the binary, without any tenant's.
func (r *Registry) System() *Model { return r.sys.Load() }

// Tenant returns the model of tenant id.
func (r *Registry) Tenant(ctx context.Context, id string) (*Model, error) {
	if id == "" {
		return nil, fmt.Errorf("metadata: a tenant's model needs the tenant")
	}
	r.mu.Lock()
	if el := r.tenants[id]; el != nil {
		r.lru.MoveToFront(el)
		r.mu.Unlock()
		return el.Value.(*Model), nil
	}
	if l := r.loading[id]; l != nil {
		r.mu.Unlock()
		select {
		case <-l.done:
			if l.err != nil {
				return nil, l.err
			}
			return l.m, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l := &load{done: make(chan struct{})}
	r.loading[id] = l
	gen := r.gen[id]
	r.mu.Unlock()

	l.m, l.err = r.build(ctx, id)
	r.mu.Lock()
	delete(r.loading, id)
	if l.err == nil && r.gen[id] == gen {
		r.keep(l.m)
	}
	r.mu.Unlock()
	close(l.done)
	if l.err != nil {
		return nil, l.err
	}
	return l.m, nil
}

func (r *Registry) build(ctx context.Context, id string) (*Model, error) {
	if r.src == nil {
		return r.System().ForTenant(id, nil), nil
	}
	d, err := r.src.TenantDefinitions(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("metadata: definitions of tenant %s: %w", id, err)
	}
	return r.System().ForTenant(id, d), nil
}

// Publish makes m the model of its tenant: a schema change calls it after its transaction
// committed.
func (r *Registry) Publish(m *Model) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen[m.tenant]++
	r.keep(m)
}

// keep caches m as its tenant's model, evicting the least recently used past Limit (r.mu held).
func (r *Registry) keep(m *Model) {
	if el := r.tenants[m.tenant]; el != nil {
		el.Value = m
		r.lru.MoveToFront(el)
		return
	}
	r.tenants[m.tenant] = r.lru.PushFront(m)
	for r.Limit > 0 && r.lru.Len() > r.Limit {
		old := r.lru.Remove(r.lru.Back()).(*Model)
		delete(r.tenants, old.tenant)
	}
}

// forget drops the cached model of tenant id (r.mu held).
func (r *Registry) forget(id string) {
	if el := r.tenants[id]; el != nil {
		r.lru.Remove(el)
		delete(r.tenants, id)
	}
}

// Invalidate forgets the model of tenant id: the next request builds it again.
func (r *Registry) Invalidate(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen[id]++
	r.forget(id)
}

// Cached returns how many tenants' models are held.
func (r *Registry) Cached() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.tenants)
}

// Sync catches up with the metadata changes other servers committed since the last call:
// each changed tenant's model is built again on its next use.
func (r *Registry) Sync(ctx context.Context) error {
	if r.src == nil {
		return nil
	}
	// One at a time: once a Sync returns, no earlier one can still report what it reported.
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	r.mu.Lock()
	since := r.seen
	r.mu.Unlock()
	v, tenants, err := r.src.MetadataChanges(ctx, since)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range tenants {
		r.gen[id]++
		r.forget(id)
	}
	if v > r.seen {
		r.seen = v
	}
	return nil
}

// Watch calls Sync every interval until ctx ends. Errors are passed to onErr (they are retried
// at the next tick).
func (r *Registry) Watch(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Sync(ctx); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

type modelKey struct{}

// WithModel returns ctx carrying m: the calls of a request read one snapshot of its tenant's
// model (Registry.Model), even if a schema change publishes another meanwhile.
func WithModel(ctx context.Context, m *Model) context.Context {
	return context.WithValue(ctx, modelKey{}, m)
}

// Model returns the model of tenant id for ctx: the one ctx carries (WithModel) when it is that
// tenant's, else the tenant's current one.
func (r *Registry) Model(ctx context.Context, id string) (*Model, error) {
	if m, ok := ctx.Value(modelKey{}).(*Model); ok && m != nil && m.tenant == id && id != "" {
		return m, nil
	}
	return r.Tenant(ctx, id)
}
