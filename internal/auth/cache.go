package auth

import (
	"time"

	"github.com/meridian-crm/meridian/internal/principal"
)

// CacheTTL is how long Authenticate trusts a positive answer without asking the database.
const CacheTTL = 30 * time.Second

// cacheMax bounds the memory the cache takes (a few hundred bytes an entry).
const cacheMax = 10_000

// cached is a token Authenticate accepted.
type cached struct {
	p       principal.Principal
	expires time.Time // the token's own expiry; zero: never
	until   time.Time // when the entry stops being trusted
	usedAt  time.Time // last write of last_used_at
}

// fromCache returns the principal of a cached token hash. hit is false when the database must be
// asked; gen is then the generation to pass to remember. touch tells the caller to record use.
func (a *Service) fromCache(h string, now time.Time) (p principal.Principal, hit, touch bool, gen uint64, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.cache[h]
	switch {
	case e == nil:
		return p, false, false, a.gen, nil
	case !now.Before(e.until):
		delete(a.cache, h)
		return p, false, false, a.gen, nil
	case !e.expires.IsZero() && !now.Before(e.expires):
		delete(a.cache, h)
		return p, false, false, a.gen, errTokenExpired()
	}
	if now.Sub(e.usedAt) >= touchEvery {
		e.usedAt, touch = now, true
	}
	return e.p, true, touch, a.gen, nil
}

// remember caches e unless an eviction happened since the lookup began (gen changed). A full
// cache drops its stale entries, then random ones (map order) down to nine tenths.
func (a *Service) remember(h string, gen uint64, now time.Time, e *cached) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen != a.gen {
		return
	}
	if len(a.cache) >= cacheMax {
		for k, old := range a.cache {
			if !now.Before(old.until) {
				delete(a.cache, k)
			}
		}
		for k := range a.cache {
			if len(a.cache) < cacheMax*9/10 {
				break
			}
			delete(a.cache, k)
		}
	}
	a.cache[h] = e
}

// forget evicts a token hash and makes lookups in flight drop their answers.
func (a *Service) forget(h string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	delete(a.cache, h)
}
