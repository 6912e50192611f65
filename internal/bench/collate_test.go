package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store/storetest"
)

var (
	zhOnce sync.Once
	zhErr  error
	zhEnv  *Env
)

// zhBenchEnv loads 100,000 accounts with Chinese names (MERIDIAN_BENCH_ZH_ACCOUNTS overrides)
// into a tenant of their own, in the database the other benchmarks keep between runs.
func zhBenchEnv(b *testing.B) *Env {
	b.Helper()
	zhOnce.Do(func() {
		n := 100_000
		if v, err := strconv.Atoi(os.Getenv("MERIDIAN_BENCH_ZH_ACCOUNTS")); err == nil && v > 0 {
			n = v
		}
		var dsn string
		if storetest.Dialect() == "sqlite" {
			dir := filepath.Join(os.TempDir(), "meridian-gobench")
			_ = os.MkdirAll(dir, 0o755)
			dsn = "sqlite:" + filepath.Join(dir, "bench.db")
		} else {
			dsn, zhErr = postgresBenchDSN()
			if zhErr != nil {
				return
			}
		}
		zhEnv, zhErr = Setup(context.Background(), Config{DB: dsn, Accounts: n, Seed: 1, ChineseNames: true})
	})
	if zhErr != nil {
		b.Fatal(zhErr)
	}
	return zhEnv
}

// BenchmarkList50Pinyin measures the first page of 50 accounts ordered by name, for an English
// reader (the default order, served by the name index) and a Chinese one (pinyin order), through
// the in-process handler, and reports in the same run how many times slower pinyin is
// (x_default). The data set is zhBenchEnv's.
func BenchmarkList50Pinyin(b *testing.B) {
	e := zhBenchEnv(b)
	h := e.App.API.Handler()
	call := func(lang string) func(int) error {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts?$top=50&$orderby=name&$select=name", nil)
		req.Header.Set("Authorization", "Bearer "+e.Token)
		req.Header.Set("Accept-Language", lang)
		return func(int) error {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			return nil
		}
	}
	en, zh := call("en-US"), call("zh-CN")
	b.Run("default", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = en(i)
		}
	})
	b.Run("pinyin", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = zh(i)
		}
	})
	b.Run("ratio", func(b *testing.B) {
		// Both sides measured here, one after the other, so that the ratio shares the
		// machine's load of the moment.
		var def, pin Stats
		for b.Loop() {
			var err error
			if def, err = Measure(time.Second, en); err != nil {
				b.Fatal(err)
			}
			if pin, err = Measure(time.Second, zh); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(def.P50.Microseconds()), "default_p50_µs")
		b.ReportMetric(float64(pin.P50.Microseconds()), "pinyin_p50_µs")
		b.ReportMetric(float64(pin.P50)/float64(def.P50), "x_default")
	})
}
