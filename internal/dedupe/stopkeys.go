package dedupe

import (
	"sync"
	"time"
)

// A bigram key held by more than stopKey records is skipped by look-ups, but finding that out
// costs a probe per key and look-up: on PostgreSQL a GIN probe gathers every holder of the key
// before the limit applies, so a look-up among records of one name pattern took 2 ms. Keys found
// to be stop keys are remembered for stopKeyTTL, and look-ups skip them without a probe. A key
// whose holders fall back under stopKey (deletes, edits) is looked up again once its entry
// expires. The memory is per process, which is enough: it only saves probes.

// stopKeyTTL is how long a key found to be a stop key is skipped without being counted again.
const stopKeyTTL = 10 * time.Minute

// maxStopKeys bounds the keys remembered (16 bytes of payload each).
const maxStopKeys = 1 << 16

// stopKeys remembers stop keys until a time.
type stopKeys struct {
	mu    sync.Mutex
	until map[int64]time.Time
}

// has reports whether k was found to be a stop key less than stopKeyTTL before now.
func (m *stopKeys) has(k int64, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.until[k]
	return ok && now.Before(t)
}

// add remembers that k is a stop key as of now.
func (m *stopKeys) add(k int64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.until == nil {
		m.until = map[int64]time.Time{}
	}
	if len(m.until) >= maxStopKeys {
		for key, t := range m.until {
			if !now.Before(t) {
				delete(m.until, key)
			}
		}
		if len(m.until) >= maxStopKeys {
			m.until = map[int64]time.Time{}
		}
	}
	m.until[k] = now.Add(stopKeyTTL)
}
