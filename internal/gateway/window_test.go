package gateway

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/clock"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// take asserts the outcome of one Take.
func take(t *testing.T, w *Window, clk *clock.Fake, key string, ok bool, remaining int, retry time.Duration) Decision {
	t.Helper()
	d := w.Take(key, clk.Now())
	if d.OK != ok || d.Remaining != remaining || d.RetryAfter != retry || d.Limit != w.Rate().N {
		t.Fatalf("Take(%s) = %+v; want ok %v, remaining %d, retry after %s", key, d, ok, remaining, retry)
	}
	return d
}

func TestWindowSlides(t *testing.T) {
	clk := clock.NewFake(t0)
	w := NewWindow(Rate{3, 5 * time.Minute}, clk.Now()) // sub-windows of 10s
	take(t, w, clk, "a", true, 2, 0)
	clk.Advance(100 * time.Second)
	take(t, w, clk, "a", true, 1, 0)
	clk.Advance(100 * time.Second)
	take(t, w, clk, "a", true, 0, 0)
	clk.Advance(50 * time.Second) // 250s: the first request (slot 0) leaves at 310s
	take(t, w, clk, "a", false, 0, 60*time.Second)
	take(t, w, clk, "a", false, 0, 60*time.Second) // refusals are not counted
	take(t, w, clk, "b", true, 2, 0)               // another key has its own budget
	clk.Advance(59 * time.Second)
	take(t, w, clk, "a", false, 0, time.Second)
	clk.Advance(time.Second) // 310s
	take(t, w, clk, "a", true, 0, 0)
	// The next to leave is the request of 100s (slot 10), at 410s.
	take(t, w, clk, "a", false, 0, 100*time.Second)
	clk.Advance(time.Hour)
	take(t, w, clk, "a", true, 2, 0)
}

func TestWindowNeverAdmitsMoreThanNPerWindow(t *testing.T) {
	clk := clock.NewFake(t0)
	const n, per = 7, time.Minute
	w := NewWindow(Rate{n, per}, clk.Now())
	var admitted []time.Time
	for i := 0; i < 2000; i++ {
		if w.Take("k", clk.Now()).OK {
			admitted = append(admitted, clk.Now())
		}
		clk.Advance(time.Duration(i%13) * 700 * time.Millisecond)
	}
	// Any n+1 consecutive admissions span more than the window.
	for i := n; i < len(admitted); i++ {
		if span := admitted[i].Sub(admitted[i-n]); span < per {
			t.Fatalf("%d requests admitted within %s", n+1, span)
		}
	}
	if len(admitted) < 100 {
		t.Fatalf("only %d admitted: the window does not slide", len(admitted))
	}
}

func TestWindowRefund(t *testing.T) {
	clk := clock.NewFake(t0)
	w := NewWindow(Rate{2, time.Minute}, clk.Now())
	d := take(t, w, clk, "a", true, 1, 0)
	w.Refund("a", d)
	take(t, w, clk, "a", true, 1, 0)
	take(t, w, clk, "a", true, 0, 0)
	refused := w.Take("a", clk.Now())
	w.Refund("a", refused) // refusing counted nothing, so there is nothing to give back
	take(t, w, clk, "a", false, 0, time.Minute+2*time.Second)
}

func TestWindowForgetsIdleKeys(t *testing.T) {
	clk := clock.NewFake(t0)
	w := NewWindow(Rate{10, time.Minute}, clk.Now())
	for i := 0; i < 1000; i++ {
		w.Take("old-"+strconv.Itoa(i), clk.Now())
	}
	if w.Len() != 1000 {
		t.Fatalf("%d keys, want 1000", w.Len())
	}
	clk.Advance(3 * time.Minute)
	for i := 0; i < 1000; i++ {
		w.Take("new-"+strconv.Itoa(i), clk.Now())
	}
	if w.Len() != 1000 {
		t.Fatalf("%d keys after the old ones went idle, want the 1000 new ones", w.Len())
	}
}

func TestWindowCapsKeys(t *testing.T) {
	clk := clock.NewFake(t0)
	w := NewWindow(Rate{10, time.Minute}, clk.Now())
	w.maxKeys = 10 // per shard
	for i := 0; i < 10000; i++ {
		w.Take(strconv.Itoa(i), clk.Now())
	}
	if n := w.Len(); n > 10*shards {
		t.Fatalf("%d keys remembered, cap %d", n, 10*shards)
	}
}

func TestWindowConcurrentTakes(t *testing.T) {
	w := NewWindow(Rate{500, time.Hour}, t0)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if w.Take("shared", t0).OK {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 500 {
		t.Fatalf("%d admitted, want exactly 500", ok.Load())
	}
}

func TestOffIsNil(t *testing.T) {
	if NewWindow(Rate{}, t0) != nil || NewConcurrency(0) != nil {
		t.Fatal("an off limit must give no limiter")
	}
}

func TestConcurrency(t *testing.T) {
	c := NewConcurrency(2)
	if !c.Acquire("a") || !c.Acquire("a") {
		t.Fatal("the first two must be admitted")
	}
	if c.Acquire("a") {
		t.Fatal("the third in flight must be refused")
	}
	if !c.Acquire("b") {
		t.Fatal("another key has its own limit")
	}
	c.Release("a")
	if !c.Acquire("a") {
		t.Fatal("a released slot must be reusable")
	}
	c.Release("a")
	c.Release("a")
	c.Release("b")
	if c.Len() != 0 {
		t.Fatalf("%d keys remembered with nothing in flight", c.Len())
	}
}

func BenchmarkWindowTake(b *testing.B) {
	w := NewWindow(Rate{1 << 30, 5 * time.Minute}, time.Now())
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "0190c0de-0000-7000-8000-" + strconv.Itoa(100000000000+i)
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			w.Take(keys[i%len(keys)], time.Now())
			i++
		}
	})
}

func BenchmarkConcurrency(b *testing.B) {
	c := NewConcurrency(1 << 30)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Acquire("user")
			c.Release("user")
		}
	})
}

func TestWindowClockSteppingBack(t *testing.T) {
	clk := clock.NewFake(t0)
	w := NewWindow(Rate{2, time.Minute}, clk.Now())
	clk.Advance(30 * time.Second)
	take(t, w, clk, "a", true, 1, 0)
	clk.Set(t0.Add(-time.Hour)) // before the limiter began, and before the last request
	take(t, w, clk, "a", true, 0, 0)
	if d := w.Take("a", clk.Now()); d.OK || d.RetryAfter <= 0 {
		t.Fatalf("after the clock stepped back: %+v; want a refusal with a positive wait", d)
	}
}
