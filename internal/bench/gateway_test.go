package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
)

// BenchmarkGatewayLimits measures what the gateway's rate and concurrency limits cost: the same
// request (get an account by id) through two servers on the same database, one with the limits
// off and one with every limit on — user, tenant and concurrency — at budgets too large to
// refuse anything, so each request does the whole accounting. The two alternate request by
// request (and which goes first alternates too), so both meet the same machine. Reported:
// ns per request with the limits off and on, and the throughput with them on as a share of
// the throughput without (1 = free); ns/op is for the pair.
func BenchmarkGatewayLimits(b *testing.B) {
	e := benchEnv(b)
	off, on := openWithLimits(b, e, false), openWithLimits(b, e, true)
	path := "accounts(" + e.IDs[len(e.IDs)/2] + ")"
	handlers := [2]http.Handler{off.API.Handler(), on.API.Handler()}

	b.Run("handler", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.Token)
		compareSides(b, func(side int) error { return serveInProcess(handlers[side], req) })
	})
	b.Run("handler-parallel", func(b *testing.B) {
		var spent [2]atomic.Int64
		var pairs atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path, nil)
			req.Header.Set("Authorization", "Bearer "+e.Token)
			n := 0
			for pb.Next() {
				for k := range 2 {
					side := (n + k) % 2
					start := time.Now()
					if err := serveInProcess(handlers[side], req); err != nil {
						b.Error(err)
						return
					}
					spent[side].Add(int64(time.Since(start)))
				}
				n++
			}
			pairs.Add(int64(n))
		})
		report(b, time.Duration(spent[0].Load()), time.Duration(spent[1].Load()), int(pairs.Load()))
	})
	b.Run("http", func(b *testing.B) {
		var urls [2]string
		for side, h := range handlers {
			srv := httptest.NewServer(h)
			b.Cleanup(srv.Close)
			urls[side] = srv.URL + "/api/v1/" + path
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		compareSides(b, func(side int) error { return getOverHTTP(client, urls[side], e.Token) })
	})
}

// openWithLimits opens another app on the benchmark's database, with every gateway limit off
// or on — on at budgets no benchmark run reaches.
func openWithLimits(b *testing.B, e *Env, on bool) *app.App {
	c := e.App.Config
	c.RateLimit, c.TenantRateLimit, c.ConcurrencyLimit = "off", "off", 0
	if on {
		c.RateLimit, c.TenantRateLimit, c.ConcurrencyLimit = "1000000000/5m", "1000000000/5m", 52
	}
	a, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// compareSides runs do(0) (limits off) and do(1) (limits on) once per iteration, alternating
// which goes first, and reports the time of each.
func compareSides(b *testing.B, do func(side int) error) {
	var spent [2]time.Duration
	n := 0
	for b.Loop() {
		for k := range 2 {
			side := (n + k) % 2
			start := time.Now()
			if err := do(side); err != nil {
				b.Fatal(err)
			}
			spent[side] += time.Since(start)
		}
		n++
	}
	report(b, spent[0], spent[1], n)
}

func report(b *testing.B, off, on time.Duration, n int) {
	if n == 0 || on == 0 {
		return
	}
	b.ReportMetric(float64(off.Nanoseconds())/float64(n), "off-ns/req")
	b.ReportMetric(float64(on.Nanoseconds())/float64(n), "on-ns/req")
	b.ReportMetric(float64(off)/float64(on), "on/off-throughput")
}

func serveInProcess(h http.Handler, req *http.Request) error {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return fmt.Errorf("%d %s", w.Code, w.Body)
	}
	return nil
}

func getOverHTTP(client *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return nil
}
