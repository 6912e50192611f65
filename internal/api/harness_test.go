package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery staple"
)

// cheapArgon keeps password hashing fast in tests.
var cheapArgon = argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// server is a running Meridian (app + httptest server) on a fresh database: SQLite by default,
// PostgreSQL with MERIDIAN_TEST_DB=postgres.
type server struct {
	t       *testing.T
	dsn     string
	appRole string           // requests run as this PostgreSQL role (MERIDIAN_DB_APP_ROLE)
	clock   func() time.Time // the app's clock when set (default: the real time)
	// publicURL serves with MERIDIAN_PUBLIC_URL set to the test server's own URL.
	publicURL bool
	// debug keeps the server's log from debug level instead of warnings and errors.
	debug bool
	// configure, when set, changes the configuration before the app opens.
	configure func(*app.Config)
	// prepare, when set, is called with the opened app before it serves (e.g. to register a
	// write pipeline hook).
	prepare func(*app.App)
	logs    logBuffer // the server's log
	app     *app.App
	srv     *httptest.Server
}

// newServer opens a fresh database, bootstraps the tenant and its administrator and serves the API.
func newServer(t *testing.T) *server {
	t.Helper()
	return (&server{t: t, dsn: storetest.DSN(t)}).run()
}

// run starts s (configured by its fields) and stops it when the test ends.
func (s *server) run() *server {
	s.t.Helper()
	s.start()
	s.t.Cleanup(s.stop)
	return s
}

// start opens the app on s.dsn and serves it; it is also used to "restart" the server.
func (s *server) start() {
	s.t.Helper()
	ctx := context.Background()
	cfg := app.Defaults()
	cfg.DB = s.dsn
	cfg.AdminEmail, cfg.AdminPassword = adminEmail, adminPassword
	cfg.Clock = s.clock
	// On PostgreSQL requests run under row-level security as the server's own application
	// role (the default), or as the role a test names.
	if s.appRole != "" {
		cfg.DBAppRole = s.appRole
	}
	srv := httptest.NewUnstartedServer(nil) // its listener, hence its URL, exists already
	if s.publicURL {
		cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	}
	if s.configure != nil {
		s.configure(&cfg)
	}
	level := slog.LevelWarn
	if s.debug {
		level = slog.LevelDebug
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.MultiWriter(&s.logs, testLog{s.t}), &slog.HandlerOptions{Level: level})))
	if err != nil {
		srv.Close()
		s.t.Fatalf("app.Open: %v", err)
	}
	p := cheapArgon
	a.Auth.Params = &p
	if err := a.Bootstrap(ctx); err != nil {
		a.Close()
		srv.Close()
		s.t.Fatalf("bootstrap: %v", err)
	}
	if s.prepare != nil {
		s.prepare(a)
	}
	srv.Config.Handler = a.API.Handler()
	srv.Start()
	s.app, s.srv = a, srv
}

// testLog shows the server's warnings and errors in the test log (seen on failure or with -v);
// requests are logged at info and stay silent.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// stop shuts the HTTP server and closes the app (idempotent).
func (s *server) stop() {
	if s.srv != nil {
		s.srv.Close()
		s.srv = nil
	}
	if s.app != nil {
		if err := s.app.Close(); err != nil {
			s.t.Errorf("close app: %v", err)
		}
		s.app = nil
	}
}

// restart closes the app and opens a new one on the same database.
func (s *server) restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

// anon returns a client without credentials.
func (s *server) anon() *client { return &client{t: s.t, s: s} }

// login signs in as the administrator and returns a client carrying the session token.
func (s *server) login() *client {
	s.t.Helper()
	c := s.anon()
	r := c.do("POST", "auth/login", map[string]any{"email": adminEmail, "password": adminPassword})
	r.want(http.StatusOK)
	tok := r.str("token")
	if tok == "" {
		s.t.Fatalf("login: no token in %s", r.raw)
	}
	c.token = tok
	return c
}

// client makes JSON requests to the API like an HTTP client would.
type client struct {
	t     *testing.T
	s     *server
	token string
	host  string // the Host header to send, when not the server's
}

// in returns a copy of c that reports to t (a subtest).
func (c *client) in(t *testing.T) *client {
	cc := *c
	cc.t = t
	return &cc
}

// header is one request header.
type header struct{ k, v string }

// hdr builds request headers from key, value pairs.
func hdr(kv ...string) []header {
	var out []header
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, header{kv[i], kv[i+1]})
	}
	return out
}

// url resolves path: absolute URLs as given, "/x" from the server root, anything else below
// /api/v1/.
func (c *client) url(path string) string {
	switch {
	case strings.HasPrefix(path, "http://"), strings.HasPrefix(path, "https://"):
		return path
	case strings.HasPrefix(path, "/"):
		return c.s.srv.URL + path
	}
	return c.s.srv.URL + "/api/v1/" + path
}

// do sends a request; body is JSON-encoded unless it is []byte or string (sent as is).
func (c *client) do(method, path string, body any, headers ...header) *response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.url(path), rd)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for _, h := range headers {
		req.Header.Add(h.k, h.v)
	}
	if c.host != "" {
		req.Host = c.host
	}
	res, err := c.s.srv.Client().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return readResponse(c.t, method, path, res)
}

// readResponse reads and closes res, decoding a JSON body.
func readResponse(t *testing.T, method, path string, res *http.Response) *response {
	t.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &response{t: t, method: method, path: path, status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.body); err != nil {
			t.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

func (c *client) get(path string, headers ...header) *response {
	c.t.Helper()
	return c.do("GET", path, nil, headers...)
}

func (c *client) post(path string, body any, headers ...header) *response {
	c.t.Helper()
	return c.do("POST", path, body, headers...)
}

func (c *client) patch(path string, body any, headers ...header) *response {
	c.t.Helper()
	return c.do("PATCH", path, body, headers...)
}

func (c *client) delete(path string, headers ...header) *response {
	c.t.Helper()
	return c.do("DELETE", path, nil, headers...)
}

// create posts a record to set and returns its id.
func (c *client) create(set string, body map[string]any) string {
	c.t.Helper()
	r := c.post(set, body)
	r.want(http.StatusCreated)
	return r.str("id")
}

// count returns GET set/$count.
func (c *client) count(set string) int {
	c.t.Helper()
	r := c.get(set + "/$count")
	r.want(http.StatusOK)
	n, err := strconv.Atoi(strings.TrimSpace(string(r.raw)))
	if err != nil {
		c.t.Fatalf("%s/$count: %q is not a number", set, r.raw)
	}
	return n
}

// all follows @odata.nextLink from path to the end and returns every record read.
func (c *client) all(path string, headers ...header) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			c.t.Fatalf("more than 1000 pages from %s", path)
		}
		r := c.get(path, headers...)
		r.want(http.StatusOK)
		out = append(out, r.values()...)
		path = r.str("@odata.nextLink")
	}
	return out
}

// response is a decoded API response.
type response struct {
	t      *testing.T
	method string
	path   string
	status int
	header http.Header
	raw    []byte
	body   any // decoded JSON (numbers as json.Number), nil when the body is not JSON
}

// want fails the test unless the status is one of codes.
func (r *response) want(codes ...int) *response {
	r.t.Helper()
	for _, c := range codes {
		if r.status == c {
			return r
		}
	}
	r.t.Fatalf("%s %s: status %d, want %v\n%s", r.method, r.path, r.status, codes, clip(r.raw))
	return r
}

// wantError checks the status and error.code (and error.target when target is not "-").
func (r *response) wantError(status int, code, target string) *response {
	r.t.Helper()
	if r.status != status || r.str("error.code") != code || (target != "-" && r.str("error.target") != target) {
		r.t.Fatalf("%s %s: got %d %s (target %q), want %d %s (target %q)\n%s", r.method, r.path,
			r.status, r.str("error.code"), r.str("error.target"), status, code, target, clip(r.raw))
	}
	return r
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// at returns the value at a dotted path in the body: "error.code", "value.0.name".
func (r *response) at(path string) any { return lookup(r.body, path) }

// str returns the value at path as a string ("" when absent).
func (r *response) str(path string) string { return asString(r.at(path)) }

// values returns the "value" array of a collection response.
func (r *response) values() []map[string]any {
	r.t.Helper()
	arr, ok := r.at("value").([]any)
	if !ok {
		r.t.Fatalf("%s %s: no value array in %s", r.method, r.path, clip(r.raw))
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i], _ = v.(map[string]any)
	}
	return out
}

func lookup(v any, path string) any {
	if path == "" {
		return v
	}
	for _, seg := range splitDots(path) {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// splitDots splits a path on dots, keeping OData annotation names ("@odata.nextLink") whole.
func splitDots(path string) []string {
	var out []string
	for path != "" {
		var seg string
		if rest, ok := strings.CutPrefix(path, "@odata."); ok {
			seg, path, _ = strings.Cut(rest, ".")
			seg = "@odata." + seg
		} else {
			seg, path, _ = strings.Cut(path, ".")
		}
		out = append(out, seg)
	}
	return out
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// field returns m[k] as a string.
func field(m map[string]any, k string) string { return asString(m[k]) }

// ids returns the "id" of each record.
func ids(recs []map[string]any) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = field(r, "id")
	}
	return out
}

// column returns field k of each record.
func column(recs []map[string]any, k string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = field(r, k)
	}
	return out
}

// tenantAdmin creates tenant slug with an administrator and returns a client signed in as it.
func (s *server) tenantAdmin(slug string) *client {
	s.t.Helper()
	ctx := context.Background()
	tn, err := s.app.EnsureTenant(ctx, slug, slug)
	if err != nil {
		s.t.Fatal(err)
	}
	email := "admin@" + slug + ".example.com"
	if _, err := s.app.CreateUser(ctx, tn.ID, email, "Admin "+slug, adminPassword, access.AdminRole); err != nil {
		s.t.Fatal(err)
	}
	c := s.anon()
	c.token = c.do("POST", "auth/login", map[string]any{"email": email, "password": adminPassword, "tenant": slug}).want(http.StatusOK).str("token")
	return c
}
