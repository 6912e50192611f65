package gateway

import (
	"hash/maphash"
	"sync"
)

// Concurrency bounds how many requests of one key are in flight at once. A key is remembered
// only while it has requests in flight. It is safe for concurrent use.
type Concurrency struct {
	max    int
	seed   maphash.Seed
	shards [shards]concShard
}

type concShard struct {
	mu       sync.Mutex
	inFlight map[string]int
	_        [48]byte // one shard per cache line
}

// NewConcurrency returns a limiter admitting limit requests per key at once; nil when limit ≤ 0.
func NewConcurrency(limit int) *Concurrency {
	if limit <= 0 {
		return nil
	}
	c := &Concurrency{max: limit, seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].inFlight = map[string]int{}
	}
	return c
}

// Max returns how many requests of one key may be in flight.
func (c *Concurrency) Max() int { return c.max }

// Acquire admits a request of key unless Max of them are in flight. An admitted request must
// be released.
func (c *Concurrency) Acquire(key string) bool {
	sh := &c.shards[maphash.String(c.seed, key)%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n := sh.inFlight[key]
	if n >= c.max {
		return false
	}
	sh.inFlight[key] = n + 1
	return true
}

// Release ends a request that Acquire admitted.
func (c *Concurrency) Release(key string) {
	sh := &c.shards[maphash.String(c.seed, key)%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if n := sh.inFlight[key] - 1; n > 0 {
		sh.inFlight[key] = n
	} else {
		delete(sh.inFlight, key)
	}
}

// Len returns how many keys have requests in flight.
func (c *Concurrency) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.inFlight)
		sh.mu.Unlock()
	}
	return n
}
