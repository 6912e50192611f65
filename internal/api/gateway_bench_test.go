package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/gateway"
	"github.com/meridian-crm/meridian/internal/principal"
)

// BenchmarkLimitCaller measures the gateway middleware alone, around a handler that does
// nothing: the absolute cost the limits add to each authenticated request.
func BenchmarkLimitCaller(b *testing.B) {
	lots := gateway.Rate{N: 1_000_000_000, Per: 5 * time.Minute}
	for _, tc := range []struct {
		name   string
		limits GatewayLimits
	}{
		{"off", GatewayLimits{}},
		{"user+concurrency", GatewayLimits{Rate: lots, Concurrency: 52}},
		{"user+tenant+concurrency", GatewayLimits{Rate: lots, TenantRate: lots, Concurrency: 52}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := New(nil, nil, nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Limits{Gateway: tc.limits}, "bench")
			h := s.limitCaller(s.newGate(), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts", nil)
			req = req.WithContext(principal.With(req.Context(), principal.Principal{
				TenantID: "0190c0de-0000-7000-8000-000000000001", UserID: "0190c0de-0000-7000-8000-000000000002"}))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := httptest.NewRecorder()
				for pb.Next() {
					h.ServeHTTP(w, req)
					clear(w.Header())
				}
			})
		})
	}
}
