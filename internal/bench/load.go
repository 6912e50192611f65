package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is what a closed-loop load of several clients measured: each client sends its next
// request when the last one is answered, as wrk does.
type Load struct {
	Clients  int           `json:"clients"`
	Requests int           `json:"requests"`
	Records  int           `json:"records"` // records written (creates and batches), else 0
	Errors   int           `json:"errors"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	PerSec   float64       `json:"per_sec"`         // requests per second
	RecSec   float64       `json:"records_per_sec"` // records per second
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	// FirstError is the first failure, to say why a run has errors.
	FirstError string `json:"first_error,omitempty"`
}

// Op sends one request; client is the client's number and i the request's sequence number
// across all clients (unique within a run). It returns the records the request wrote.
type Op func(ctx context.Context, client, i int) (records int, err error)

// ErrLoadDone, returned by an Op, ends its client's loop: the load has nothing left to send.
var ErrLoadDone = errors.New("bench: load done")

// RunLoad runs op from clients concurrent clients for d and returns the measurement. Requests
// that fail are counted and their latencies kept; a run where every request failed is an error.
// Cancelling ctx abandons the run.
func RunLoad(ctx context.Context, clients int, d time.Duration, op Op) (Load, error) {
	if clients < 1 {
		return Load{}, fmt.Errorf("bench: a load needs at least one client")
	}
	var (
		seq      atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		records  int
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	// No new request starts after d; those in flight finish and count, so that a load of slow
	// requests (a batch of 500 creates) is measured too. The elapsed time runs to the last answer.
	var stop atomic.Bool
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	defer timer.Stop()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			n, bad := 0, 0
			var first string
			for !stop.Load() && ctx.Err() == nil {
				i := int(seq.Add(1) - 1)
				t0 := time.Now()
				k, err := op(ctx, c, i)
				took := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil || errors.Is(err, ErrLoadDone) {
						break // cancelled, or nothing left to send: not counted
					}
					bad++
					if first == "" {
						first = err.Error()
					}
				}
				n += k
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			records += n
			errs += bad
			if firstErr == "" {
				firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if len(lat) == 0 {
		return Load{}, fmt.Errorf("bench: no request finished in %s", d)
	}
	if errs == len(lat) {
		return Load{}, fmt.Errorf("bench: every request failed: %s", firstErr)
	}
	slices.Sort(lat)
	return Load{Clients: clients, Requests: len(lat), Records: records, Errors: errs, Elapsed: el,
		PerSec: float64(len(lat)) / el.Seconds(), RecSec: float64(records) / el.Seconds(),
		P50: lat[len(lat)/2], P99: lat[min(len(lat)-1, len(lat)*99/100)], Max: lat[len(lat)-1], FirstError: firstErr}, nil
}

// loadClient is an HTTP client that keeps a connection per client open, as wrk does.
func loadClient(clients int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = clients * 2
	t.MaxIdleConnsPerHost = clients * 2
	t.MaxConnsPerHost = 0
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}
