package metadata

import "sync/atomic"

// Registry holds the current model. Readers take a snapshot with Model and keep using it for the
// whole request; writers publish a new model with Set after its schema change committed.
type Registry struct {
	cur atomic.Pointer[Model]
}

// NewRegistry returns a registry publishing m.
func NewRegistry(m *Model) *Registry {
	r := &Registry{}
	r.cur.Store(m)
	return r
}

// Model returns the current snapshot.
func (r *Registry) Model() *Model { return r.cur.Load() }

// Set publishes m.
func (r *Registry) Set(m *Model) { r.cur.Store(m) }
