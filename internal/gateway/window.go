package gateway

import (
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// slots is how many sub-windows a window is cut into. A request is counted in the sub-window it
// arrived in and forgotten when that whole sub-window has left the window, so it is remembered
// for between Per and Per + Per/slots (5m to 5m10s for a 5-minute window): never less than the
// window, so no window of length Per ever admits more than N requests.
const slots = 30

// shards split a limiter's keys so that concurrent requests rarely wait on the same mutex.
const shards = 32

// DefaultMaxKeys bounds how many keys one Window remembers at once (about 200 bytes each).
const DefaultMaxKeys = 100_000

// Decision is the answer of Window.Take.
type Decision struct {
	OK         bool          // the request is admitted, and counted
	Limit      int           // the rate's N
	Remaining  int           // requests still admitted in the window after this one
	RetryAfter time.Duration // when refused: how long until a request will be admitted again
	slot       int64         // where an admitted request was counted, for Refund
}

// Window is a sliding-window rate limiter: it admits at most N requests per key in any window
// of length Per. Keys idle for a whole window are dropped, so memory follows the active keys;
// DefaultMaxKeys caps it. The caller tells the time (an injected clock), once per request for
// all its limiters. It is safe for concurrent use.
type Window struct {
	rate    Rate
	slot    time.Duration // length of a sub-window
	epoch   time.Time     // slot 0 starts here
	seed    maphash.Seed
	maxKeys int // per shard
	shards  [shards]windowShard
}

type windowShard struct {
	mu      sync.Mutex
	keys    map[string]*counter
	sweepAt int64    // slot at which the shard next drops its idle keys
	_       [40]byte // one shard per cache line: cores working on different shards do not collide
}

// counter holds one key's requests per sub-window: slot s is counted at ring[s%(slots+1)], and
// the ring holds the slots head-slots … head.
type counter struct {
	ring  [slots + 1]uint32
	head  int64
	total uint32 // sum of ring
}

// NewWindow returns a limiter for rate r whose time starts at start; nil when r is off.
func NewWindow(r Rate, start time.Time) *Window {
	if r.Off() {
		return nil
	}
	w := &Window{rate: r, slot: max((r.Per+slots-1)/slots, 1), epoch: start,
		seed: maphash.MakeSeed(), maxKeys: max(DefaultMaxKeys/shards, 1)}
	for i := range w.shards {
		w.shards[i].keys = map[string]*counter{}
	}
	return w
}

// Rate returns the limiter's rate.
func (w *Window) Rate() Rate { return w.rate }

// Take counts a request of key made at now if the key has capacity left, and says so.
func (w *Window) Take(key string, now time.Time) Decision {
	elapsed := max(now.Sub(w.epoch), 0)
	n := int64(elapsed / w.slot)
	sh := &w.shards[maphash.String(w.seed, key)%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if n >= sh.sweepAt {
		sh.sweep(n)
		sh.sweepAt = n + slots
	}
	c := sh.keys[key]
	if c == nil {
		if len(sh.keys) >= w.maxKeys {
			sh.evict(n, w.maxKeys)
		}
		c = &counter{head: n}
		sh.keys[strings.Clone(key)] = c // the caller's string may share memory with a larger one
	}
	c.advance(n)
	n = c.head // a clock that stepped back counts in the newest slot
	limit := uint32(w.rate.N)
	if c.total >= limit {
		free := c.freedAt(c.total - limit + 1)
		return Decision{Limit: w.rate.N, RetryAfter: time.Duration(free)*w.slot - elapsed}
	}
	c.ring[n%(slots+1)]++
	c.total++
	return Decision{OK: true, Limit: w.rate.N, Remaining: int(limit - c.total), slot: n}
}

// Refund uncounts a request that Take admitted but that another limit then refused, so that a
// refused request costs no budget.
func (w *Window) Refund(key string, d Decision) {
	if !d.OK {
		return
	}
	sh := &w.shards[maphash.String(w.seed, key)%shards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c := sh.keys[key]
	if c == nil || d.slot > c.head || d.slot < c.head-slots {
		return
	}
	if i := d.slot % (slots + 1); c.ring[i] > 0 {
		c.ring[i]--
		c.total--
	}
}

// Len returns how many keys the limiter remembers.
func (w *Window) Len() int {
	n := 0
	for i := range w.shards {
		sh := &w.shards[i]
		sh.mu.Lock()
		n += len(sh.keys)
		sh.mu.Unlock()
	}
	return n
}

// advance moves the ring forward to slot n, forgetting the slots that leave it.
func (c *counter) advance(n int64) {
	switch {
	case n <= c.head:
		return
	case n-c.head > slots:
		c.ring, c.total = [slots + 1]uint32{}, 0
	default:
		for s := c.head + 1; s <= n; s++ {
			i := s % (slots + 1)
			c.total -= c.ring[i]
			c.ring[i] = 0
		}
	}
	c.head = n
}

// freedAt returns the first slot at which at least need of the counted requests have left the
// window (need ≤ total).
func (c *counter) freedAt(need uint32) int64 {
	var acc uint32
	for s := max(c.head-slots, 0); s <= c.head; s++ {
		acc += c.ring[s%(slots+1)]
		if acc >= need {
			return s + slots + 1
		}
	}
	return c.head + slots + 1
}

// sweep drops the keys whose every request has left the window.
func (sh *windowShard) sweep(n int64) {
	for k, c := range sh.keys {
		if n-c.head > slots {
			delete(sh.keys, k)
		}
	}
}

// evict makes room in a full shard: idle keys first, then arbitrary ones (map order) down to
// nine tenths. A forgotten key starts afresh; the cap is reached only when far more keys are
// active than one process can tell apart anyway (an attack spread over many addresses).
func (sh *windowShard) evict(n int64, maxKeys int) {
	sh.sweep(n)
	for k := range sh.keys {
		if len(sh.keys) < maxKeys*9/10 {
			break
		}
		delete(sh.keys, k)
	}
}
