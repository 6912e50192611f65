package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/clock"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// gatewayServer is a running Meridian configured by the test, whose gateway limits read the
// time from a fake clock and whose log (request log included) is kept.
type gatewayServer struct {
	*server
	clock *clock.Fake
	log   *syncBuffer
}

func newGatewayServer(t *testing.T, configure func(*app.Config)) *gatewayServer {
	t.Helper()
	g := &gatewayServer{server: &server{t: t, dsn: storetest.DSN(t)},
		clock: clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), log: &syncBuffer{}}
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DB = g.dsn
	cfg.AdminEmail, cfg.AdminPassword = adminEmail, adminPassword
	configure(&cfg)
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(g.log, nil)))
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	g.app = a
	t.Cleanup(g.stop)
	p := cheapArgon
	a.Auth.Params = &p
	if err := a.Bootstrap(ctx); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	a.API.Clock = g.clock.Now // before Handler, which builds the limiters
	g.srv = httptest.NewServer(a.API.Handler())
	return g
}

// user creates a user in the tenant with slug and signs it in.
func (g *gatewayServer) user(tenantSlug, email string) *client {
	g.t.Helper()
	ctx := context.Background()
	tn, err := g.app.EnsureTenant(ctx, tenantSlug, tenantSlug)
	if err != nil {
		g.t.Fatal(err)
	}
	if _, err := g.app.CreateUser(ctx, tn.ID, email, email, adminPassword); err != nil {
		g.t.Fatal(err)
	}
	c := g.anon()
	c.token = c.post("auth/login", map[string]any{"email": email, "password": adminPassword, "tenant": tenantSlug}).
		want(http.StatusOK).str("token")
	return c
}

// syncBuffer is a log destination the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// wantRate checks the X-RateLimit headers of a response.
func (r *response) wantRate(limit, remaining string) *response {
	r.t.Helper()
	if l, rem := r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"); l != limit || rem != remaining {
		r.t.Fatalf("%s %s: X-RateLimit-Limit %q, -Remaining %q; want %q, %q", r.method, r.path, l, rem, limit, remaining)
	}
	return r
}

// wantRetryAfter checks the Retry-After header.
func (r *response) wantRetryAfter(secs string) *response {
	r.t.Helper()
	if got := r.header.Get("Retry-After"); got != secs {
		r.t.Fatalf("%s %s: Retry-After %q, want %q\n%s", r.method, r.path, got, secs, r.raw)
	}
	return r
}

func TestRateLimitSlidingWindow(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) { c.RateLimit, c.LoginRateLimit = "3/5m", "off" })
	c := g.login() // signing in is not an authenticated request: it costs the user nothing

	// A 5-minute window in sub-windows of 10 s: a request is forgotten 300–310 s after it came.
	c.get("auth/me").want(http.StatusOK).wantRate("3", "2")
	g.clock.Advance(100 * time.Second)
	c.get("auth/me").want(http.StatusOK).wantRate("3", "1")
	g.clock.Advance(100 * time.Second)
	c.get("accounts").want(http.StatusOK).wantRate("3", "0")

	g.clock.Advance(50 * time.Second) // 250 s: the first request leaves at 310 s
	r := c.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "user").wantRetryAfter("60").wantRate("3", "0")
	if msg := r.str("error.message"); !strings.Contains(msg, "3/5m") || !strings.Contains(msg, "60 s") {
		t.Errorf("message %q should give the limit and the wait", msg)
	}
	// Refused requests are not counted, and every endpoint shares the budget.
	c.post("accounts", map[string]any{"name": "refused"}).wantError(http.StatusTooManyRequests, "rate_limited", "user").wantRetryAfter("60")

	g.clock.Advance(59 * time.Second)
	c.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "user").wantRetryAfter("1")
	g.clock.Advance(time.Second) // 310 s: the first request has left, and only it
	c.get("auth/me").want(http.StatusOK).wantRate("3", "0")
	c.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "user").wantRetryAfter("100")

	g.clock.Advance(5*time.Minute + 10*time.Second) // a whole window later, the whole budget
	c.get("auth/me").want(http.StatusOK).wantRate("3", "2")
	if c.count("accounts") != 0 {
		t.Error("the refused create was written")
	}
}

func TestRateLimitBudgets(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) { c.RateLimit, c.LoginRateLimit = "3/5m", "off" })
	admin := g.login()
	key := admin.post("auth/apikeys", map[string]any{"name": "integration"}).want(http.StatusCreated).wantRate("3", "2").str("key")
	admin.get("auth/me").want(http.StatusOK)
	admin.get("auth/me").want(http.StatusOK).wantRate("3", "0")
	admin.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "user")

	// The API key has a budget of its own: its owner's being used up does not stop it, and its
	// being used up does not touch its owner's.
	kc := &client{t: t, s: g.server, token: key}
	kc.get("auth/me").want(http.StatusOK).wantRate("3", "2")
	kc.get("auth/me").want(http.StatusOK)
	kc.get("auth/me").want(http.StatusOK).wantRate("3", "0")
	kc.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "key").wantRetryAfter("310")

	// Two users do not share a budget.
	other := g.user("default", "other@example.com")
	other.get("auth/me").want(http.StatusOK).wantRate("3", "2")
	admin.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "user")

	// A second key of the same user has its own budget too.
	g.clock.Advance(6 * time.Minute)
	key2 := admin.post("auth/apikeys", map[string]any{"name": "second"}).want(http.StatusCreated).str("key")
	(&client{t: t, s: g.server, token: key2}).get("auth/me").want(http.StatusOK).wantRate("3", "2")
}

func TestTenantRateLimit(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) {
		c.RateLimit, c.TenantRateLimit, c.LoginRateLimit = "4/5m", "6/1m", "off"
	})
	admin := g.login()
	other := g.user("default", "other@example.com")
	outside := g.user("elsewhere", "outside@example.com")

	admin.get("auth/me").want(http.StatusOK).wantRate("4", "3") // the tightest limit is shown
	admin.get("auth/me").want(http.StatusOK).wantRate("4", "2")
	admin.get("auth/me").want(http.StatusOK).wantRate("4", "1")
	admin.get("auth/me").want(http.StatusOK).wantRate("4", "0")
	other.get("auth/me").want(http.StatusOK).wantRate("6", "1")
	other.get("auth/me").want(http.StatusOK).wantRate("6", "0")
	other.get("auth/me").wantError(http.StatusTooManyRequests, "rate_limited", "tenant").wantRetryAfter("62")
	// Another tenant is not affected.
	outside.get("auth/me").want(http.StatusOK).wantRate("4", "3")

	// A request the tenant refused cost its user nothing: after the tenant's minute, the user
	// has used 2 of 4, and this is the third.
	g.clock.Advance(62 * time.Second)
	other.get("auth/me").want(http.StatusOK).wantRate("4", "1")
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) { c.LoginRateLimit = "2/1m" })
	anon := g.anon()
	good := map[string]any{"email": adminEmail, "password": adminPassword}
	anon.post("auth/login", map[string]any{"email": adminEmail, "password": "wrong"}).
		wantError(http.StatusUnauthorized, "invalid_credentials", "-").wantRate("2", "1")
	token := anon.post("auth/login", good).want(http.StatusOK).wantRate("2", "0").str("token")
	r := anon.post("auth/login", good).wantError(http.StatusTooManyRequests, "rate_limited", "ip").wantRetryAfter("62")
	if r.str("token") != "" {
		t.Fatal("a refused sign-in returned a token")
	}
	// Signed-in requests do not count against sign-ins.
	(&client{t: t, s: g.server, token: token}).get("auth/me").want(http.StatusOK).wantRate("6000", "5999")

	g.clock.Advance(62 * time.Second)
	anon.post("auth/login", good).want(http.StatusOK).wantRate("2", "1")
}

func TestConcurrencyLimit(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) { c.ConcurrencyLimit, c.RateLimit, c.LoginRateLimit = 2, "100/5m", "off" })
	admin := g.login()
	key := admin.post("auth/apikeys", map[string]any{"name": "integration"}).want(http.StatusCreated).str("key")
	other := g.user("default", "other@example.com")
	admin.get("auth/me").want(http.StatusOK).wantRate("100", "98")

	// Two requests of the administrator in flight: each waits for its body after the server
	// has started reading it.
	held := []*heldRequest{admin.hold("accounts"), admin.hold("accounts")}

	r := admin.get("auth/me").wantError(http.StatusTooManyRequests, "too_many_concurrent_requests", "user").wantRetryAfter("1")
	if !strings.Contains(r.str("error.message"), "2 requests in flight") {
		t.Errorf("message %q should give the limit", r.str("error.message"))
	}
	other.get("auth/me").want(http.StatusOK)                                    // another user
	(&client{t: t, s: g.server, token: key}).get("auth/me").want(http.StatusOK) // the user's API key

	for i, h := range held {
		if status, raw := h.finish(`{"name":"held"}`); status != http.StatusCreated {
			t.Fatalf("held request %d: %d %s", i, status, raw)
		}
	}
	// The refused request cost no rate budget: 2 before, 2 held, and this one.
	admin.get("auth/me").want(http.StatusOK).wantRate("100", "95")
	if n := admin.count("accounts"); n != 2 {
		t.Fatalf("%d accounts, want the 2 held ones", n)
	}
}

func TestRequestLogNamesTheCaller(t *testing.T) {
	g := newGatewayServer(t, func(*app.Config) {})
	admin := g.login()
	me := admin.get("auth/me").want(http.StatusOK)
	// The line is written before the response is flushed (the body is small enough to be
	// buffered until the handler returns), so it is in the log by now.
	var line string
	for _, l := range strings.Split(g.log.String(), "\n") {
		if strings.Contains(l, "msg=http") && strings.Contains(l, "path=/api/v1/auth/me") {
			line = l
		}
	}
	if !strings.Contains(line, "tenant_id="+me.str("tenant_id")) || !strings.Contains(line, "user_id="+me.str("user_id")) ||
		!strings.Contains(line, "latency=") || !strings.Contains(line, "status=200") {
		t.Errorf("request log line %q lacks the caller, status or latency", line)
	}
	if strings.Contains(g.log.String(), admin.token) || strings.Contains(g.log.String(), adminPassword) {
		t.Error("the log holds a secret")
	}
}

func TestGatewayDefaultsAndOff(t *testing.T) {
	s := newServer(t) // the shipped defaults
	s.login().get("auth/me").want(http.StatusOK).wantRate("6000", "5999")

	g := newGatewayServer(t, func(c *app.Config) {
		c.RateLimit, c.TenantRateLimit, c.LoginRateLimit, c.ConcurrencyLimit = "off", "0", "off", 0
	})
	for i := 0; i < 25; i++ {
		g.login().get("auth/me").want(http.StatusOK).wantRate("", "")
	}
}

// heldRequest is a POST the server has started to handle, waiting for its body.
type heldRequest struct {
	t    *testing.T
	body *io.PipeWriter
	done chan heldResult
}

type heldResult struct {
	status int
	raw    []byte
	err    error
}

// hold starts a POST to path and returns once the handler has begun reading the body: the
// request sends "Expect: 100-continue", which the server answers on the first read.
func (c *client) hold(path string) *heldRequest {
	c.t.Helper()
	pr, pw := io.Pipe()
	reading := make(chan struct{})
	var once sync.Once
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
		if code == http.StatusContinue {
			once.Do(func() { close(reading) })
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", c.url(path), pr)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	h := &heldRequest{t: c.t, body: pw, done: make(chan heldResult, 1)}
	// A test that fails while holding must not leave the server waiting: its Close waits for
	// every request (cleanups run last-in, first-out, so this runs before it).
	c.t.Cleanup(func() { pw.CloseWithError(errors.New("the test ended")) })
	go func() {
		res, err := c.s.srv.Client().Do(req)
		if err != nil {
			h.done <- heldResult{err: err}
			return
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		h.done <- heldResult{status: res.StatusCode, raw: raw, err: err}
	}()
	select {
	case <-reading:
		return h
	case r := <-h.done:
		c.t.Fatalf("POST %s ended before its body was read: %d %s %v", path, r.status, r.raw, r.err)
	case <-time.After(30 * time.Second):
		c.t.Fatalf("POST %s: the server never read the body", path)
	}
	return nil
}

// finish sends the body and returns the response.
func (h *heldRequest) finish(body string) (int, string) {
	h.t.Helper()
	if _, err := io.WriteString(h.body, body); err != nil {
		h.t.Fatal(err)
	}
	h.body.Close()
	r := <-h.done
	if r.err != nil {
		h.t.Fatal(r.err)
	}
	return r.status, string(r.raw)
}
