// Package clock provides the injected notion of "now" (DESIGN.md principle 8): services take a
// func() time.Time, production passes time.Now, and tests pass a Fake they move by hand so that
// expiry, SLAs and schedules are testable.
package clock

import (
	"sync"
	"time"
)

// Fake is a clock that only moves when told to. It is safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the fake time; pass f.Now where a clock is expected.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}
