package store

import "context"

// GroupQueued returns how many grouped writes of key (a tenant; "" the store's) wait, the one
// leading a group included, before it takes them.
func (s *Store) GroupQueued(key string) int {
	c := s.groups.of(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// HoldWriter takes every connection of the write pool (one on SQLite; limited to one on
// PostgreSQL) until release is called.
func (s *Store) HoldWriter(ctx context.Context) (release func(), err error) {
	s.write.SetMaxOpenConns(1)
	c, err := s.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return func() { c.Close() }, nil
}
