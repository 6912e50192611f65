package api

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/gateway"
	"github.com/meridian-crm/meridian/internal/principal"
)

// GatewayLimits are the request limits of the API gateway (docs/security.md). They hold per
// server process. Zero values are off.
type GatewayLimits struct {
	Rate        gateway.Rate // requests per user, and per API key (each key has its own budget)
	TenantRate  gateway.Rate // requests per tenant, all its users and keys together
	LoginRate   gateway.Rate // sign-in attempts per client address (IPv6: per /64)
	Concurrency int          // requests in flight per user, and per API key
}

// gate holds the limiters of one Handler; nil limiters are off.
type gate struct {
	clock                        func() time.Time
	users, keys, tenants, logins *gateway.Window
	userConc, keyConc            *gateway.Concurrency
}

func (s *Server) newGate() *gate {
	clock := s.Clock
	if clock == nil {
		clock = time.Now
	}
	l, now := s.limits.Gateway, clock()
	return &gate{clock: clock,
		users: gateway.NewWindow(l.Rate, now), keys: gateway.NewWindow(l.Rate, now),
		tenants: gateway.NewWindow(l.TenantRate, now), logins: gateway.NewWindow(l.LoginRate, now),
		userConc: gateway.NewConcurrency(l.Concurrency), keyConc: gateway.NewConcurrency(l.Concurrency),
	}
}

// Scopes of a limit, sent as the target of a 429 error.
const (
	scopeUser   = "user"
	scopeKey    = "key"
	scopeTenant = "tenant"
	scopeIP     = "ip"
)

// limitCaller applies the caller's limits to an authenticated request: the concurrency limit
// first (a request refused for it costs no rate budget), then the rate of the user or API key,
// then the tenant's. It also tells the request log who the caller is.
func (s *Server) limitCaller(g *gate, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := principal.From(r.Context())
		if n, ok := r.Context().Value(callerKey).(*callerNote); ok {
			n.tenantID, n.userID = p.TenantID, p.UserID
		}
		id, scope, win, conc := p.UserID, scopeUser, g.users, g.userConc
		if p.KeyID != "" {
			id, scope, win, conc = p.KeyID, scopeKey, g.keys, g.keyConc
		}
		if id == "" {
			win, conc = nil, nil
		}
		if conc != nil {
			if !conc.Acquire(id) {
				s.refuseConcurrent(w, r, scope, conc.Max())
				return
			}
			defer conc.Release(id)
		}
		var shown gateway.Decision // the tightest limit, for the X-RateLimit headers
		var now time.Time
		if win != nil || g.tenants != nil {
			now = g.clock()
		}
		if win != nil {
			d := win.Take(id, now)
			if !d.OK {
				s.refuseRate(w, r, scope, win.Rate(), d)
				return
			}
			shown = d
		}
		if g.tenants != nil {
			d := g.tenants.Take(p.TenantID, now)
			if !d.OK {
				if win != nil {
					win.Refund(id, shown)
				}
				s.refuseRate(w, r, scopeTenant, g.tenants.Rate(), d)
				return
			}
			if shown.Limit == 0 || d.Remaining < shown.Remaining {
				shown = d
			}
		}
		if shown.Limit > 0 {
			setRateHeaders(w.Header(), shown)
		}
		next.ServeHTTP(w, r)
	})
}

// limitIP applies the sign-in rate per client address, before any credential is looked at, to
// blunt credential stuffing and keep password hashing from being used to load the server.
func (s *Server) limitIP(g *gate, next http.HandlerFunc) http.Handler {
	if g.logins == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := g.logins.Take(addressKey(remoteIP(r)), g.clock())
		if !d.OK {
			s.refuseRate(w, r, scopeIP, g.logins.Rate(), d)
			return
		}
		setRateHeaders(w.Header(), d)
		next.ServeHTTP(w, r)
	})
}

// addressKey is the key of a client address: an IPv4 address, or the /64 of an IPv6 one (one
// subscriber usually holds a whole /64).
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// setRateHeaders sets X-RateLimit-Limit and X-RateLimit-Remaining. The keys are written in
// their canonical form directly: Header.Set would canonicalize them on every request.
func setRateHeaders(h http.Header, d gateway.Decision) {
	h["X-Ratelimit-Limit"] = []string{strconv.Itoa(d.Limit)}
	h["X-Ratelimit-Remaining"] = []string{strconv.Itoa(d.Remaining)}
}

var scopeWords = map[string]string{scopeUser: "this user", scopeKey: "this API key", scopeTenant: "this tenant",
	scopeIP: "sign-in attempts from this address"}

// refuseRate answers 429 rate_limited with Retry-After: the whole seconds until the limit admits
// a request again.
func (s *Server) refuseRate(w http.ResponseWriter, r *http.Request, scope string, rate gateway.Rate, d gateway.Decision) {
	secs := max(int64((d.RetryAfter+time.Second-1)/time.Second), 1)
	h := w.Header()
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	setRateHeaders(h, d)
	s.writeError(w, r, &fault.Error{Kind: fault.RateLimited, Code: "rate_limited", Target: scope,
		Message: fmt.Sprintf("the rate limit of %s (%s) is used up; retry after %d s", scopeWords[scope], rate, secs)})
}

// refuseConcurrent answers 429 too_many_concurrent_requests. When a request will finish is
// unknown, so Retry-After is one second.
func (s *Server) refuseConcurrent(w http.ResponseWriter, r *http.Request, scope string, limit int) {
	w.Header().Set("Retry-After", "1")
	s.writeError(w, r, &fault.Error{Kind: fault.RateLimited, Code: "too_many_concurrent_requests", Target: scope,
		Message: fmt.Sprintf("%s already has %d requests in flight, the most allowed; retry when one has finished", scopeWords[scope], limit)})
}

// callerNote carries the caller's ids from the gateway back out to the request log.
type callerNote struct{ tenantID, userID string }

const callerKey ctxKey = 1

// withCallerNote returns a context in which the gateway records the caller into n.
func withCallerNote(ctx context.Context, n *callerNote) context.Context {
	return context.WithValue(ctx, callerKey, n)
}
