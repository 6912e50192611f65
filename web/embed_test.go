//go:build !noui

package web_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestServedByTheServer starts the real server and checks how it serves the embedded client:
// index.html at / and at client-side routes, hashed assets with a long cache, and the API's own
// JSON 404 under /api/.
func TestServedByTheServer(t *testing.T) {
	c := app.Defaults()
	c.DB = storetest.DSN(t)
	c.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addr <- s }) }()
	base := "http://" + <-addr
	defer func() { cancel(); <-done }()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	index, err := os.ReadFile("dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/accounts", "/accounts/123", "/accounts/new?x=1", "/signin"} {
		resp, body := get(p)
		if resp.StatusCode != 200 || body != string(index) {
			t.Errorf("GET %s: %d, want index.html (%.60q)", p, resp.StatusCode, body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", p, cc)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
	}

	m := regexp.MustCompile(`src="(/assets/[^"]+\.js)"`).FindStringSubmatch(string(index))
	if m == nil {
		t.Fatal("index.html has no entry script")
	}
	resp, body := get(m[1])
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || len(body) == 0 {
		t.Fatalf("GET %s: %d %s", m[1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("GET %s: Cache-Control %q, want a year, immutable", m[1], cc)
	}
	if resp, _ := get("/assets/missing-0000.js"); resp.StatusCode != 404 {
		t.Errorf("a missing asset: %d, want 404", resp.StatusCode)
	}

	for _, p := range []string{"/api/v1/nope", "/api/nope"} {
		resp, body = get(p)
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode/100 != 4 || e.Error.Code == "" || strings.Contains(body, "<html") {
			t.Errorf("GET %s: %d %.80q, want the API's JSON error", p, resp.StatusCode, body)
		}
	}
}

// TestDistIsBuilt guards against embedding an empty or stale folder: dist must hold the built
// index.html and the assets it names.
func TestDistIsBuilt(t *testing.T) {
	dist := os.DirFS("dist")
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Fatalf("web/dist is not built: %v (run npm run build in web/)", err)
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`).FindAllStringSubmatch(string(index), -1) {
		if _, err := fs.Stat(dist, m[1]); err != nil {
			t.Errorf("index.html names %s, which dist lacks", m[1])
		}
	}
}

// TestPluginModulesAllowed: with a plugins folder, the client's Content-Security-Policy lets the
// page import plugin modules (same origin, script-src 'self', no nonce or 'strict-dynamic' that
// would refuse them), the modules come as JavaScript, and a missing plugin file is a 404 rather
// than the application's index.html.
func TestPluginModulesAllowed(t *testing.T) {
	c := app.Defaults()
	c.DB = storetest.DSN(t)
	c.Addr = "127.0.0.1:0"
	c.PluginsDir = "../plugins"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(s string) { addr <- s }) }()
	base := "http://" + <-addr
	defer func() { cancel(); <-done }()

	resp, err := http.Get(base + "/accounts/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := map[string]string{}
	for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		csp[name] = value
	}
	src, ok := csp["script-src"]
	if !ok {
		src = csp["default-src"]
	}
	if !strings.Contains(src, "'self'") || strings.Contains(src, "'strict-dynamic'") || strings.Contains(src, "'nonce-") {
		t.Errorf("script-src %q does not admit same-origin modules from /plugins/", src)
	}

	resp, err = http.Get(base + "/plugins/sample-account-health/index.js")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(string(b), "export function register") {
		t.Errorf("the sample plugin's module: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(base + "/plugins/sample-account-health/missing.js")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || strings.Contains(string(b), "<html") {
		t.Errorf("a missing plugin file: %d %.60q, want a 404", resp.StatusCode, b)
	}
}
