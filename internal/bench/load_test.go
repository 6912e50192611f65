package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RunLoad against a real HTTP server: every answered request is counted once, failures are
// counted and explained, requests in flight at the end finish and count, and a client whose op
// reports ErrLoadDone stops.
func TestRunLoadCountsWhatTheServerAnswered(t *testing.T) {
	var served atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		mu.Lock()
		seen[r.URL.Query().Get("i")]++
		mu.Unlock()
		if d, _ := time.ParseDuration(r.URL.Query().Get("sleep")); d > 0 {
			time.Sleep(d)
		}
		if r.URL.Query().Get("fail") == "1" {
			http.Error(w, "no", http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	client := loadClient(4)
	get := func(ctx context.Context, query string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?"+query, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}

	ctx := context.Background()
	l, err := RunLoad(ctx, 4, 200*time.Millisecond, func(ctx context.Context, _, i int) (int, error) {
		fail := "0"
		if i%10 == 0 {
			fail = "1"
		}
		if err := get(ctx, "i="+strconv.Itoa(i)+"&fail="+fail); err != nil {
			return 0, err
		}
		return 2, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(l.Requests) != served.Load() {
		t.Errorf("counted %d requests, the server answered %d", l.Requests, served.Load())
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("request %s sent %d times", i, n)
		}
	}
	wantErrs := (l.Requests + 9) / 10 // i = 0, 10, 20, … fail
	if l.Errors != wantErrs || l.Records != 2*(l.Requests-l.Errors) || l.FirstError != "status 418" {
		t.Errorf("requests %d: errors %d (want %d), records %d, first error %q", l.Requests, l.Errors, wantErrs, l.Records, l.FirstError)
	}
	if l.Clients != 4 || l.PerSec <= 0 || l.P50 <= 0 || l.P99 < l.P50 || l.Max < l.P99 {
		t.Errorf("implausible figures: %+v", l)
	}

	// Requests slower than the run: each client's one request finishes and counts.
	l, err = RunLoad(ctx, 2, 10*time.Millisecond, func(ctx context.Context, _, i int) (int, error) {
		return 1, get(ctx, "sleep=150ms&i=slow"+strconv.Itoa(i))
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.Requests != 2 || l.Errors != 0 || l.Records != 2 || l.P50 < 150*time.Millisecond || l.Elapsed < 150*time.Millisecond {
		t.Errorf("slow requests: %+v", l)
	}

	// A load with a fixed amount of work ends when it is done, long before its duration.
	left := make(chan int, 5)
	for i := range 5 {
		left <- i
	}
	close(left)
	start := time.Now()
	l, err = RunLoad(ctx, 3, time.Hour, func(ctx context.Context, _, _ int) (int, error) {
		k, ok := <-left
		if !ok {
			return 0, ErrLoadDone
		}
		return 1, get(ctx, "i=work"+strconv.Itoa(k))
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.Requests != 5 || l.Records != 5 || time.Since(start) > time.Minute {
		t.Errorf("fixed work: %+v", l)
	}

	// A load where everything fails is an error that says why.
	_, err = RunLoad(ctx, 1, 20*time.Millisecond, func(ctx context.Context, _, i int) (int, error) {
		return 0, get(ctx, "fail=1&i=all"+strconv.Itoa(i))
	})
	if err == nil || !strings.Contains(err.Error(), "status 418") {
		t.Errorf("all failing: %v", err)
	}
}
